"""The index's publicity indicators (Decision 766/QĐ-TTg): procedures announced on time and published on time,
judged from each procedure version's announcement (docs/metrics.md "Publicity"). Pure: the calendar is passed in.

The rules as understood (configurable here): the announcing decision is signed at least 20 working days before the
provisions take effect — the version's `effective_date` (Decree 63/2010/NĐ-CP art. 15, as amended by Decree
92/2017/NĐ-CP) — and the procedure is published in the national database within 5 working days of that signature.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Protocol

ANNOUNCE_LEAD_WORKING_DAYS = 20
PUBLISH_WITHIN_WORKING_DAYS = 5


class Calendar(Protocol):
    def add_working_days(self, day: date, n: int) -> date: ...


@dataclass(frozen=True)
class Publicity:
    announced: int  # versions whose announcing decision is recorded
    announced_on_time: int
    published_due: int  # announced versions whose publication is due by `today` (or done)
    published_on_time: int


def announced_on_time(signed_on: date, effective: date, calendar: Calendar) -> bool:
    """Signed at least the lead before the version takes effect."""
    return calendar.add_working_days(signed_on, ANNOUNCE_LEAD_WORKING_DAYS) <= effective


def publication_deadline(signed_on: date, calendar: Calendar) -> date:
    return calendar.add_working_days(signed_on, PUBLISH_WITHIN_WORKING_DAYS)


def publicity(versions, today: date, calendar: Calendar) -> Publicity:
    """Counts over procedure versions (each with `effective_date` and `announcement`). A version not yet published
    counts against "published on time" only once its deadline has passed."""
    announced = on_time = due = published = 0
    for version in versions:
        note = version.announcement
        if note is None:
            continue
        announced += 1
        on_time += announced_on_time(note.signed_on, version.effective_date, calendar)
        deadline = publication_deadline(note.signed_on, calendar)
        if note.published_on is not None or deadline < today:
            due += 1
            published += note.published_on is not None and note.published_on <= deadline
    return Publicity(announced, on_time, due, published)
