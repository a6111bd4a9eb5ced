"""The agencies the platform serves and works with: their competent units and desk mailbox.

Read from chalicelib/data/agencies.json; a transfer names one of the agency's own units, and an
inter-agency step (liên thông) names another agency from this list.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

_DATA = Path(__file__).resolve().parent.parent / "data" / "agencies.json"


@dataclass(frozen=True)
class Unit:
    id: str
    name_vi: str
    name_en: str


@dataclass(frozen=True)
class Agency:
    code: str
    name_vi: str
    name_en: str
    desk_email: str
    units: tuple[Unit, ...]

    def unit(self, unit_id: str) -> Unit | None:
        return next((u for u in self.units if u.id == unit_id), None)

    def name(self, lang: str) -> str:
        return self.name_en if lang == "en" else self.name_vi


@lru_cache(maxsize=1)
def _agencies() -> dict[str, Agency]:
    data = json.loads(_DATA.read_text(encoding="utf-8"))
    return {a["code"]: Agency(a["code"], a["name_vi"], a["name_en"], a["desk_email"],
                              tuple(Unit(**u) for u in a["units"]))
            for a in data["agencies"]}


def agency(code: str | None) -> Agency | None:
    return _agencies().get(code or "")


def all_agencies() -> list[Agency]:
    return list(_agencies().values())
