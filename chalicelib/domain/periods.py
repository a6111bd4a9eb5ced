"""Reporting periods and the counter buckets that make them up (local Vietnam calendar days)."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

ROLLING_DAYS = 30


@dataclass(frozen=True)
class Period:
    label: str  # as asked: 2026-Q4, 2026-11, 2026, rolling-30d
    first_day: date
    last_day: date
    buckets: tuple[str, ...]  # counter buckets to add up: its months (1, 3 or 12), or its 30 days rolling

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1

    def day_buckets(self) -> list[str]:
        return [f"D#{self.first_day + timedelta(days=i)}" for i in range(self.days)]


class BadPeriod(ValueError):
    pass


def parse_period(label: str, today: date) -> Period:
    """`2026-Q4`, `2026-11`, `2026` or `rolling-30d` (the 30 days ending today)."""
    if re.match(r"\d{4}", label) and not 2000 <= int(label[:4]) <= 2100:
        raise BadPeriod(label)
    if label == f"rolling-{ROLLING_DAYS}d":
        first = today - timedelta(days=ROLLING_DAYS - 1)
        return Period(label, first, today, tuple(f"D#{first + timedelta(days=i)}" for i in range(ROLLING_DAYS)))
    if match := re.fullmatch(r"(\d{4})-Q([1-4])", label):
        year, quarter = int(match[1]), int(match[2])
        first = date(year, 3 * quarter - 2, 1)
        last_month = 3 * quarter
        last = date(year, last_month, calendar.monthrange(year, last_month)[1])
        return Period(label, first, last, tuple(f"M#{year}-{m:02d}" for m in range(3 * quarter - 2, last_month + 1)))
    if match := re.fullmatch(r"(\d{4})-(\d{2})", label):
        year, month = int(match[1]), int(match[2])
        if not 1 <= month <= 12:
            raise BadPeriod(label)
        return Period(label, date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1]),
                      (f"M#{year}-{month:02d}",))
    if re.fullmatch(r"\d{4}", label):
        year = int(label)
        return Period(label, date(year, 1, 1), date(year, 12, 31), tuple(f"M#{year}-{m:02d}" for m in range(1, 13)))
    raise BadPeriod(label)
