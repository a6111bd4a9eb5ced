"""What callers see of a dossier: the stored shape plus readable names and the caller's next actions."""

from __future__ import annotations

from ..domain.access import offered_actions
from ..domain.dossier import Dossier
from ..domain.principal import Principal
from ..domain.states import STATUSES


def dossier_view(dossier: Dossier, principal: Principal, lang: str) -> dict:
    data = dossier.to_dict()
    info = STATUSES[dossier.status]
    data["status_name"] = info.name_en if lang == "en" else info.name_vi
    data["allowed_actions"] = offered_actions(principal, dossier)
    from ..services.documents import form_links

    data["forms"] = form_links(dossier)
    return data


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
