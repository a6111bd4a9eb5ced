"""Reporting periods: which counter buckets add up to each period the API offers."""

from __future__ import annotations

from datetime import date

import pytest

from chalicelib.domain.periods import BadPeriod, parse_period

TODAY = date(2026, 11, 21)


@pytest.mark.parametrize("label, first, last, buckets", [
    ("2026-Q1", date(2026, 1, 1), date(2026, 3, 31), ("M#2026-01", "M#2026-02", "M#2026-03")),
    ("2026-Q4", date(2026, 10, 1), date(2026, 12, 31), ("M#2026-10", "M#2026-11", "M#2026-12")),
    ("2024-02", date(2024, 2, 1), date(2024, 2, 29), ("M#2024-02",)),
    ("2026", date(2026, 1, 1), date(2026, 12, 31), tuple(f"M#2026-{m:02d}" for m in range(1, 13))),
])
def test_a_quarter_month_or_year_is_its_month_buckets(label, first, last, buckets):
    period = parse_period(label, TODAY)
    assert (period.first_day, period.last_day, period.buckets) == (first, last, buckets)


def test_rolling_30_days_are_the_30_day_buckets_ending_today():
    period = parse_period("rolling-30d", TODAY)
    assert (period.first_day, period.last_day, period.days) == (date(2026, 10, 23), TODAY, 30)
    assert period.buckets[0] == "D#2026-10-23" and period.buckets[-1] == "D#2026-11-21"
    assert list(period.buckets) == period.day_buckets()


def test_day_buckets_cover_the_period():
    assert len(parse_period("2026-Q1", TODAY).day_buckets()) == 90
    assert parse_period("2026-02", TODAY).day_buckets()[-1] == "D#2026-02-28"


@pytest.mark.parametrize("label", ["2026-Q5", "2026-13", "26", "1999", "2026-Q1x", "rolling-31d", "", "Q4"])
def test_anything_else_is_refused(label):
    with pytest.raises(BadPeriod):
        parse_period(label, TODAY)
