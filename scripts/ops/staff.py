"""`staff`: the staff directory from the operator's desk (docs/identity.md, docs/operations.md).

- `staff disable USERNAME`: refused on every request from then on (tokens already issued within 60 seconds),
  and signed out of the user pool everywhere — for offboarding when no administrator is at hand;
- `staff enable USERNAME`;
- `staff show USERNAME`: the member and every recorded change.

They run the platform's own service with the settings of the stack's API function; the change is recorded as
made by `operator:<your user name>`.
"""

from __future__ import annotations

import json
import os

from scripts.ops.errors import OperatorError
from scripts.ops.stack import Stack

_SETTINGS = ("AWS_", "STAFF_TABLE", "STAFF_POOL_ID", "MOTCUA_STAGE")


def staff_command(stack: Stack, action: str, username: str, as_json: bool) -> int:
    os.environ.update(stack.app_environment(_SETTINGS))
    from chalicelib.domain.errors import DomainError
    from chalicelib.domain.principal import Principal
    from chalicelib.services import staff

    operator = os.environ.get("USER", "operator")
    principal = Principal(id=f"operator:{operator}", username=f"operator:{operator}", roles=frozenset(),
                          name=operator)
    try:
        if action == "show":
            member, changes = staff.get_member(username)
            print(json.dumps({**member.to_dict(), "changes": changes}, ensure_ascii=False, indent=None if as_json
                             else 2))
            return 0
        member = staff.set_enabled(principal, username, action == "enable")
    except DomainError as error:
        raise OperatorError(f"{username}: {error.detail_code}") from error
    state = "enabled" if member.enabled else "disabled (tokens already issued stop working within 60 s)"
    print(json.dumps(member.to_dict(), ensure_ascii=False) if as_json else f"{username}: {state}")
    return 0
