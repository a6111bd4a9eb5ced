"""Print an ID token for a demo account of the running local stack: `make token USER=citizen.an`."""

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
    args = parser.parse_args(argv)
    try:
        with open(args.state_file) as handle:
            os.environ.update(json.load(handle))
    except FileNotFoundError:
        parser.exit(1, "No local stack state found: start it first with `make run`.\n")
    print(sign_in(args.username, args.password))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
