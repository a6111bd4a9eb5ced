"""What callers see of a dossier: the stored shape plus readable names and the caller's next actions."""

from __future__ import annotations

from typing import Any

from ..domain.access import offered_actions
from ..domain.dossier import Dossier
from ..domain.principal import Principal
from ..domain.states import STATUSES, Role

# Keys under which a dossier, its events and its control slip name a person: who took a step, who received it.
_PEOPLE = frozenset({"actor", "by", "requested_by", "refused_by", "sent_by", "returned_by", "officer", "assignee",
                     "from", "to"})
_STAFF_KEYS = ("id", "username")
_STAFF = (Role.OFFICER, Role.LEADER, Role.SPECIALIST, Role.ADMIN)


def dossier_view(dossier: Dossier, principal: Principal, lang: str) -> dict:
    data = dossier.to_dict()
    info = STATUSES[dossier.status]
    data["status_name"] = info.name_en if lang == "en" else info.name_vi
    data["allowed_actions"] = offered_actions(principal, dossier)
    from ..services.documents import form_links

    data["forms"] = form_links(dossier)
    return for_caller(data, principal)


def sees_staff_ids(principal: Principal) -> bool:
    """Staff and administrators see who did what by account; anyone else (the applicant) by name and role."""
    return principal.has(*_STAFF)


def for_caller(data: Any, principal: Principal) -> Any:
    """What a caller may read of a dossier's record: staff everything; anyone else (the applicant) the staff by
    name, role and agency, without their internal ids and usernames (Decree 13/2023: shown only as needed)."""
    return data if sees_staff_ids(principal) else without_staff_ids(data, principal.id)


def without_staff_ids(data: Any, own_id: str) -> Any:
    """A copy of `data` in which every person but `own_id` (the applicant reading it) has lost `id` and `username`;
    names, roles, agencies and units stay."""
    if isinstance(data, list):
        return [without_staff_ids(item, own_id) for item in data]
    if not isinstance(data, dict):
        return data
    shown = {}
    for key, value in data.items():
        if key == "specialist" and isinstance(value, str):
            continue  # an assignment's event names the specialist by username; the dossier's assignee by name
        if key in _PEOPLE and isinstance(value, dict) and value.get("id") != own_id:
            value = {k: v for k, v in value.items() if k not in _STAFF_KEYS}
        shown[key] = without_staff_ids(value, own_id)
    return shown


def portal_sync_view(dossier: Dossier) -> dict | None:
    """What the national portal acknowledged of the dossier; None before the first push."""
    from ..store.portal import get_state

    state = get_state(dossier.id)
    if state is None:
        return None
    return {**state.to_dict(), "in_sync": min(state.record_version, state.progress_version) >= dossier.version}


def etag(dossier: Dossier) -> str:
    return f'"{dossier.version}"'


def expected_version(headers: dict) -> int | None:
    """`If-Match: "<version>"` lets a client act only on the version it looked at. Anything but a short run
    of ASCII digits (quoted or not) is malformed: 400, not a conflict."""
    raw = (headers or {}).get("if-match")
    if raw is None or not raw.strip():
        return None
    value = raw.strip().removeprefix("W/").strip('"')
    if not (value.isascii() and value.isdigit() and len(value) <= 9):
        from ..domain.errors import FieldError
        from .http import Problem

        raise Problem(400, "malformed_request", "bad_header", errors=[FieldError("If-Match", "field.number")])
    return int(value)
