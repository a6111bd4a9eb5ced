"""Daily dossier-code sequences: one atomic counter per agency per local day.

A number is taken before the dossier's transaction; if that transaction then fails the number is
skipped, never handed out again, so codes stay unique at the price of rare gaps.
"""

from __future__ import annotations

from datetime import date

from ..domain.codes import sequence_key
from .models import ControlModel, bind


def next_sequence(agency_code: str, day: date) -> int:
    bind()
    item = ControlModel(pk=f"SEQ#{sequence_key(agency_code, day)}")
    item.update(actions=[ControlModel.counter.add(1), ControlModel.kind.set("sequence")])
    return int(item.counter)
