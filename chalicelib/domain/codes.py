"""National dossier code (Circular 01/2018/TT-VPCP): `<agency code>-<YYMMDD>-<daily sequence>`."""

from __future__ import annotations

import re
from datetime import date

_CODE = re.compile(r"\A(?P<agency>[0-9A-Z][0-9A-Z.]*[0-9A-Z])-(?P<day>\d{6})-(?P<seq>\d{4,})\Z", re.ASCII)


def format_dossier_code(agency_code: str, day: date, sequence: int) -> str:
    """The sequence is zero-padded to four digits; past 9,999 in one agency-day it widens rather than
    wrapping, because a wrapped number would reuse a code."""
    if sequence < 1:
        raise ValueError("sequence starts at 1")
    if not re.fullmatch(r"[0-9A-Z][0-9A-Z.]*[0-9A-Z]", agency_code, re.ASCII):
        raise ValueError(f"invalid agency code: {agency_code!r}")
    return f"{agency_code}-{day:%y%m%d}-{sequence:04d}"


def parse_dossier_code(code: str) -> tuple[str, date, int] | None:
    match = _CODE.match(code)
    if not match:
        return None
    raw = match["day"]
    try:
        day = date(2000 + int(raw[:2]), int(raw[2:4]), int(raw[4:]))
    except ValueError:
        return None
    sequence = int(match["seq"])
    return (match["agency"], day, sequence) if sequence >= 1 else None


def sequence_key(agency_code: str, day: date) -> str:
    """The counter a code's sequence comes from: one per agency per local day."""
    return f"{agency_code}#{day:%y%m%d}"
