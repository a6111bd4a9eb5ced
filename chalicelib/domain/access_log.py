"""The access log (Decree 13/2023 on personal data): every read of a dossier by someone other than its applicant,
with who read it, when and why (the route), as pure rules: what is recorded, how it is keyed, what each reader
of the log is shown."""

from __future__ import annotations

import secrets
from datetime import datetime

from .agencies import agency
from .dossier import Dossier
from .principal import Principal
from .times import iso


def is_recorded(principal: Principal, dossier: Dossier) -> bool:
    """Anyone but the applicant leaves a trace: staff of every agency and administrators (a walk-in dossier's
    owner is the desk's placeholder, so every reader of it is recorded)."""
    return principal.id != dossier.owner_id


def at_id(now: datetime, suffix: str | None = None) -> str:
    """The sort key of an entry: its UTC time, then a random part, so entries sort by time and two reads in the
    same millisecond do not overwrite each other."""
    return f"{iso(now)}#{suffix or secrets.token_hex(4)}"


def entry(principal: Principal, dossier: Dossier, method: str, route: str, now: datetime,
          file_id: str | None = None, title: str | None = None) -> dict:
    """One recorded read: who (the account, username, display name, title, roles, agency), when and why (the
    route template and method, and the file for a download)."""
    return source_entry(principal, dossier.id, dossier.code, method, route, now, file_id, title)


def source_entry(principal: Principal, dossier_id: str, dossier_code: str, method: str, route: str, now: datetime,
                 file_id: str | None = None, title: str | None = None) -> dict:
    """`entry` for a read of what came from a dossier without reading the dossier itself (a paper of an
    applicant's store, docs/papers.md): recorded against the dossier it came from."""
    return {
        "dossier_id": dossier_id, "at_id": at_id(now), "at": iso(now), "dossier_code": dossier_code,
        "staff_id": principal.id, "username": principal.username, "name": principal.name, "title": title,
        "roles": sorted(role.value for role in principal.roles), "agency_code": principal.agency_code,
        "route": f"{method.upper()} {route}", "file_id": file_id,
    }


def staff_view(item: dict, lang: str) -> dict:
    """An entry as staff of the handling agency and auditors read it: everything recorded."""
    return {"id": item["at_id"], "at": item["at"], "dossier_id": item["dossier_id"],
            "dossier_code": item.get("dossier_code"), "route": item["route"], "file_id": item.get("file_id"),
            "reader": {"id": item["staff_id"], "username": item.get("username"), **_reader(item, lang)}}


def applicant_view(item: dict, lang: str) -> dict:
    """An entry as the applicant reads it: the reader by name, title or role and agency, never by account id or
    username."""
    view = staff_view(item, lang)
    view["reader"] = _reader(item, lang)
    return view


def _reader(item: dict, lang: str) -> dict:
    found = agency(item.get("agency_code"))
    return {"name": item.get("name"), "title": item.get("title"), "roles": list(item.get("roles") or []),
            "agency_code": item.get("agency_code"), "agency_name": found.name(lang) if found else None}
