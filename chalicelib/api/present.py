"""What callers see of a dossier: the stored shape plus readable names and the caller's next actions."""

from __future__ import annotations

from ..domain.dossier import Dossier, Principal, check_guard, check_scope
from ..domain.errors import Forbidden, TransitionNotAllowed
from ..domain.states import STATUSES, Action, allowed_actions, find_transition


def dossier_view(dossier: Dossier, principal: Principal, lang: str) -> dict:
    data = dossier.to_dict()
    info = STATUSES[dossier.status]
    data["status_name"] = info.name_en if lang == "en" else info.name_vi
    data["allowed_actions"] = [a for a in allowed_actions(dossier.status, principal.roles)
                               if _in_scope(principal, dossier, a)]
    return data


def _in_scope(principal: Principal, dossier: Dossier, action: str) -> bool:
    """Listed only if the caller could really take it (their unit, their assignment, their dossier)."""
    transition = find_transition(dossier.status, Action(action))
    try:
        check_scope(principal, dossier, transition)
        check_guard(principal, dossier, transition)
    except (Forbidden, TransitionNotAllowed):
        return False
    return True


def etag(dossier: Dossier) -> str:
    return f'"{dossier.version}"'


def expected_version(headers: dict) -> int | None:
    """`If-Match: "<version>"` lets a client act only on the version it looked at."""
    raw = (headers or {}).get("if-match")
    if not raw:
        return None
    value = raw.strip().removeprefix("W/").strip('"')
    return int(value) if value.isdigit() else -1
