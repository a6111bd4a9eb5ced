"""What callers see of a dossier: the stored shape plus readable names and the caller's next actions."""

from __future__ import annotations

from ..domain.dossier import Dossier, Principal
from ..domain.states import STATUSES, allowed_actions


def dossier_view(dossier: Dossier, principal: Principal, lang: str) -> dict:
    data = dossier.to_dict()
    info = STATUSES[dossier.status]
    data["status_name"] = info.name_en if lang == "en" else info.name_vi
    actions = allowed_actions(dossier.status, principal.roles)
    if principal.id != dossier.owner_id:
        actions = [a for a in actions if a != "resubmit"]
    data["allowed_actions"] = actions
    return data


def etag(dossier: Dossier) -> str:
    return f'"{dossier.version}"'


def expected_version(headers: dict) -> int | None:
    """`If-Match: "<version>"` lets a client act only on the version it looked at."""
    raw = (headers or {}).get("if-match")
    if not raw:
        return None
    value = raw.strip().removeprefix("W/").strip('"')
    return int(value) if value.isdigit() else -1
