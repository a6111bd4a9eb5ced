"""Print an ID token for a demo account of the running local stack (`make token USER=citizen.an`), or a staff
account's current TOTP code (`make totp USER=officer.hanoi`)."""

from __future__ import annotations

import argparse
import json
import os

from scripts.demo import DEMO_PASSWORD, sign_in
from scripts.local_stack import DEFAULT_STATE_FILE


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("username")
    parser.add_argument("--password", default=DEMO_PASSWORD)
    parser.add_argument("--state-file", default=str(DEFAULT_STATE_FILE))
    parser.add_argument("--totp", action="store_true", help="print the account's current TOTP code instead")
    args = parser.parse_args(argv)
    try:
        with open(args.state_file) as handle:
            os.environ.update(json.load(handle))
    except FileNotFoundError:
        parser.exit(1, "No local stack state found: start it first with `make run`.\n")
    if args.totp:
        from scripts.pool_sign_in import fresh_totp_code, totp_secrets

        secret = totp_secrets(os.environ).get(args.username)
        if secret is None:
            parser.exit(1, f"{args.username} has no TOTP authenticator enrolled by make run.\n")
        print(fresh_totp_code(secret))
        return 0
    print(sign_in(args.username, args.password))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
