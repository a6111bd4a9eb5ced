"""Days the government announced that the ``holidays`` package does not carry, each with its source.

Read from chalicelib/data/calendar.json and checked on load, so a typo stops the function at start-up rather
than moving appointment dates. The file's shape::

    {"_comment": "...",
     "days": [{"date": "2026-01-02", "kind": "day_off" | "makeup_working_day", "why": "...",
               "source": {"number": "12729/VPCP-KGVX", "date": "2025-12-25", "issuer": "...",
                          "url": "https://..." (optional), "note": "..." (optional)}}]}

``number`` is the announcement's number as issued; where it could not be found it says so ("number not
found") and ``url`` points at the press report instead. A day off falls on a weekday and a make-up working
day on a weekend (the government swaps a weekday for a Saturday): anything else is a typo in the date.
How to add next year's: docs/operations.md, "Calendar".
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Any

__all__ = [
    "DEFAULT_PATH",
    "AnnouncedDay",
    "AnnouncedDayKind",
    "CalendarDataError",
    "Source",
    "load_announced_days",
    "parse_announced_days",
    "split_announced_days",
]

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "data" / "calendar.json"

# date.fromisoformat alone would also take "20260102" or "2026-W01-5": the file spells dates one way.
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_URL = re.compile(r"https?://\S+")
_DAY_KEYS = {"date", "kind", "why", "source"}
_SOURCE_KEYS = {"number", "date", "issuer"}
_SOURCE_OPTIONAL = {"url", "note"}
_SATURDAY = 5


class CalendarDataError(ValueError):
    """The announced-days data is malformed; the message names the file, the entry and what is wrong."""


class AnnouncedDayKind(StrEnum):
    DAY_OFF = "day_off"
    MAKEUP_WORKING_DAY = "makeup_working_day"


@dataclass(frozen=True)
class Source:
    number: str
    date: date
    issuer: str
    url: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class AnnouncedDay:
    date: date
    kind: AnnouncedDayKind
    why: str
    source: Source


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise CalendarDataError(f"{where}: must be a non-empty string, got {value!r}")
    return value


def _date(value: Any, where: str) -> date:
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        raise CalendarDataError(f"{where}: must be a date written YYYY-MM-DD, got {value!r}")
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise CalendarDataError(f"{where}: {value!r} is not a date ({error})") from None


def _keys(obj: Any, required: set[str], optional: set[str], where: str) -> dict[str, Any]:
    if not isinstance(obj, dict):
        raise CalendarDataError(f"{where}: must be an object, got {type(obj).__name__}")
    missing = required - obj.keys()
    unknown = obj.keys() - required - optional
    if missing or unknown:
        parts = [f"missing {sorted(missing)}" if missing else "", f"unknown {sorted(unknown)}" if unknown else ""]
        raise CalendarDataError(f"{where}: {', '.join(p for p in parts if p)}")
    return obj


def _source(obj: Any, where: str) -> Source:
    obj = _keys(obj, _SOURCE_KEYS, _SOURCE_OPTIONAL, where)
    url = obj.get("url")
    if url is not None and (not isinstance(url, str) or not _URL.fullmatch(url)):
        raise CalendarDataError(f"{where}.url: must be an absolute http(s) URL, got {url!r}")
    note = obj.get("note")
    return Source(number=_text(obj["number"], f"{where}.number"), date=_date(obj["date"], f"{where}.date"),
                  issuer=_text(obj["issuer"], f"{where}.issuer"), url=url,
                  note=_text(note, f"{where}.note") if note is not None else None)


def _day(obj: Any, where: str) -> AnnouncedDay:
    obj = _keys(obj, _DAY_KEYS, set(), where)
    day = _date(obj["date"], f"{where}.date")
    where = f"{where} ({obj['date']})"
    try:
        kind = AnnouncedDayKind(obj["kind"])
    except ValueError:
        allowed = ", ".join(k.value for k in AnnouncedDayKind)
        raise CalendarDataError(f"{where}.kind: {obj['kind']!r} is not one of {allowed}") from None
    weekend = day.weekday() >= _SATURDAY
    if kind is AnnouncedDayKind.DAY_OFF and weekend:
        raise CalendarDataError(f"{where}: a day off on a {day:%A} changes nothing; is the date right?")
    if kind is AnnouncedDayKind.MAKEUP_WORKING_DAY and not weekend:
        raise CalendarDataError(f"{where}: a make-up working day on a {day:%A} changes nothing; is the date right?")
    return AnnouncedDay(date=day, kind=kind, why=_text(obj["why"], f"{where}.why"),
                        source=_source(obj["source"], f"{where}.source"))


def parse_announced_days(data: Any, origin: str = "calendar data") -> tuple[AnnouncedDay, ...]:
    """The announced days in ``data`` (calendar.json's parsed content), in date order.

    Raises CalendarDataError, naming ``origin`` and the entry, for any departure from the shape above,
    and for a date given twice.
    """
    data = _keys(data, {"days"}, {"_comment"}, origin)
    if not isinstance(data["days"], list):
        raise CalendarDataError(f"{origin}.days: must be a list")
    days = [_day(entry, f"{origin}.days[{i}]") for i, entry in enumerate(data["days"])]
    seen: set[date] = set()
    for day in days:
        if day.date in seen:
            raise CalendarDataError(f"{origin}: {day.date.isoformat()} is listed more than once")
        seen.add(day.date)
    return tuple(sorted(days, key=lambda d: d.date))


def load_announced_days(path: Path = DEFAULT_PATH) -> tuple[AnnouncedDay, ...]:
    """The announced days in the file at ``path`` (by default the one shipped with the code)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise CalendarDataError(f"{path.name}: not valid JSON ({error})") from None
    return parse_announced_days(data, path.name)


def split_announced_days(days: Iterable[AnnouncedDay]) -> tuple[frozenset[date], frozenset[date]]:
    """(days off, make-up working days): the two sets ``CalendarConfig`` takes."""
    days = tuple(days)
    return (frozenset(d.date for d in days if d.kind is AnnouncedDayKind.DAY_OFF),
            frozenset(d.date for d in days if d.kind is AnnouncedDayKind.MAKEUP_WORKING_DAY))
