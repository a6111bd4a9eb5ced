"""The publicity indicators' rules: announced 20 working days before taking effect, published within 5 working days
of the announcing decision (docs/metrics.md "Publicity")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from chalicelib.domain.calendar import WorkingCalendar
from chalicelib.domain.procedures import Announcement, load_seed_catalogue
from chalicelib.domain.publicity import announced_on_time, publication_deadline, publicity

CALENDAR = WorkingCalendar()


@dataclass
class Version:
    effective_date: date
    announcement: Announcement | None


def test_twenty_working_days_before_taking_effect_is_on_time_and_one_day_less_is_late():
    effective = date(2026, 6, 1)  # a Monday
    deadline = date(2026, 5, 1)
    while CALENDAR.add_working_days(deadline, 20) <= effective:
        deadline = date.fromordinal(deadline.toordinal() + 1)
    last_on_time = date.fromordinal(deadline.toordinal() - 1)
    assert announced_on_time(last_on_time, effective, CALENDAR)
    assert not announced_on_time(deadline, effective, CALENDAR)


def test_publication_is_due_five_working_days_after_the_decision_not_counting_the_weekend():
    assert publication_deadline(date(2026, 3, 6), CALENDAR) == date(2026, 3, 13)  # Friday → next Friday


def test_the_counts_leave_out_what_has_no_announcement_and_what_is_not_yet_due():
    today = date(2026, 3, 20)
    versions = [
        Version(date(2026, 5, 1), Announcement(decision="1/QĐ-BLĐTBXH", signed_on=date(2026, 3, 2),
                                               published_on=date(2026, 3, 5))),  # both on time
        Version(date(2026, 3, 16), Announcement(decision="2/QĐ-BLĐTBXH", signed_on=date(2026, 3, 2),
                                                published_on=date(2026, 3, 16))),  # late both ways
        Version(date(2026, 5, 1), Announcement(decision="3/QĐ-BLĐTBXH", signed_on=date(2026, 3, 2))),  # unpublished
        Version(date(2026, 5, 1), Announcement(decision="4/QĐ-BLĐTBXH", signed_on=date(2026, 3, 18))),  # not due
        Version(date(2026, 5, 1), None),
    ]
    found = publicity(versions, today, CALENDAR)
    assert (found.announced, found.announced_on_time) == (4, 3)
    assert (found.published_due, found.published_on_time) == (3, 1)


def test_a_publication_before_the_decision_is_refused():
    seed = load_seed_catalogue()[0].model_dump(mode="json")
    seed.pop("version", None)
    seed.pop("code_source", None)
    from chalicelib.domain.procedures import ProcedureDefinition

    with pytest.raises(ValueError, match="procedure.published_before_announced"):
        ProcedureDefinition.model_validate({**seed, "announcement": {
            "decision": "1/QĐ-BLĐTBXH", "signed_on": "2026-03-10", "published_on": "2026-03-09"}})
