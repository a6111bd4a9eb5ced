"""Working-day calendar for statutory processing times.

Rules (DOMAIN.md, "Time"): working days are Monday to Friday minus public holidays, plus make-up working
days the government announces; a period in days starts the day after the (effective) receipt; a dossier
received on a non-working day or outside working hours counts as received on the next working day. All
wall-clock reasoning happens in Asia/Ho_Chi_Minh, because Lambda runs in UTC.

Where a day's status comes from, first match wins:

1. ``CalendarConfig.makeup_working_days``, then ``CalendarConfig.extra_days_off``: what the government
   announced and the package lacks, kept as data with its source in chalicelib/data/calendar.json
   (``announced_days``), plus what a stage adds through MAKEUP_WORKING_DAYS / EXTRA_DAYS_OFF.
2. The ``holidays`` package (``holidays.country_holidays("VN")``, pinned in requirements.txt): statutory
   holidays, the day in lieu of one falling on a weekend, Tết, and the swaps it knows about. A swap has
   two halves there: the weekday off is a holiday ("Day off (substituted from 04/26/2025)") and the Saturday
   worked is in the instance's ``weekend_workdays`` set, which the package builds from its own table of
   swaps. That set is what is read here: no holiday name is parsed.
3. Otherwise Saturday and Sunday are off, Monday to Friday worked.

Checked against the announcements (holidays 0.109; tests/unit/domain/test_calendar_announcements.py
restates them day by day, independently of the data):

- 2025 (Thông báo 6150/TB-BLĐTBXH): all in the package, including Friday 2 May off for Saturday 26 April.
- 2026: Tết 16-20 February (Thông báo 9441/TB-BNV), Monday 27 April in lieu of the Hùng Kings' day on a
  Sunday, Monday 31 August off for Saturday 22 August (9441/TB-BNV) and Vietnam Culture Day on 24 November
  are in the package. The New Year swap, Friday 2 January off for Saturday 10 January (12729/VPCP-KGVX), is
  not: calendar.json carries it.
- 2027: only the statutory days were fixed when last checked (November 2026). Tết's five days and the day
  joined to 2 September are the Prime Minister's to announce; until then the package's estimate stands
  (Tết: 4, 5 and 8-10 February; National Day: 2-3 September).

``holidays`` is imported lazily: importing it (and building a year) costs tens of milliseconds, which
should not land on the cold start of routes that never compute a deadline.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from functools import lru_cache
from typing import NamedTuple
from zoneinfo import ZoneInfo

__all__ = [
    "LOCAL_TZ",
    "CalendarConfig",
    "TimeUnit",
    "WorkingCalendar",
]

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def local_day(moment: datetime) -> date:
    """The day `moment` falls on in Vietnam."""
    return moment.astimezone(LOCAL_TZ).date()

_ONE_DAY = timedelta(days=1)
_SATURDAY = 5


class TimeUnit(StrEnum):
    WORKING_DAYS = "working_days"
    WORKING_HOURS = "working_hours"
    CALENDAR_DAYS = "calendar_days"


@dataclass(frozen=True)
class CalendarConfig:
    """Announced exceptions to the statutory calendar, and office hours.

    ``extra_days_off``: days off the package doesn't know (e.g. a bridge day the government announces); these
    win over the package's make-up days.
    ``makeup_working_days``: days worked in exchange (e.g. a Saturday); these win over everything else.
    """

    extra_days_off: frozenset[date] = frozenset()
    makeup_working_days: frozenset[date] = frozenset()
    work_start: time = time(7, 30)
    work_end: time = time(17, 0)
    # The midday break: working time is the morning session (work_start to break_start) and the afternoon one
    # (break_end to work_end), 8 hours a day by default; a limit in working hours counts only those.
    break_start: time = time(11, 30)
    break_end: time = time(13, 0)

    def __post_init__(self) -> None:
        if not self.work_start <= self.break_start <= self.break_end <= self.work_end or (
                self.work_start >= self.work_end):
            raise ValueError(f"office hours must run work_start {self.work_start} <= break_start {self.break_start}"
                             f" <= break_end {self.break_end} <= work_end {self.work_end}, and be open some time")
        if any(t.tzinfo is not None for t in (self.work_start, self.work_end, self.break_start, self.break_end)):
            # Office hours are local wall-clock times; an offset here would be silently ignored.
            raise ValueError("office hours are local wall-clock times and must be naive")

    @property
    def sessions(self) -> tuple[tuple[time, time], ...]:
        """The working sessions of a day, in order (an empty one, a break of no length, is left out)."""
        return tuple((a, b) for a, b in ((self.work_start, self.break_start), (self.break_end, self.work_end))
                     if a < b)


class _PackageYear(NamedTuple):
    days_off: frozenset[date]
    makeup_days: frozenset[date]


@lru_cache(maxsize=64)
def _vn_year(year: int) -> _PackageYear:
    import holidays  # lazy: see module docstring

    vn = holidays.country_holidays("VN", years=year)
    # Frozen sets rather than the HolidayBase: the latter grows itself on lookups of other years.
    # weekend_workdays also holds the swaps that cross into another year (Saturday 27 December 2014 for
    # Friday 2 January 2015) whatever year was asked for: each year keeps only its own.
    return _PackageYear(days_off=frozenset(vn.keys()),
                        makeup_days=frozenset(d for d in vn.weekend_workdays if d.year == year))


def _require_date(d: date) -> None:
    # datetime subclasses date but never equals one, so set lookups would silently miss every holiday.
    if isinstance(d, datetime):
        raise TypeError(f"expected a date, got a datetime ({d!r}); use to_local(...).date()")


class WorkingCalendar:
    """Working days and deadlines in Vietnamese local time."""

    def __init__(self, config: CalendarConfig | None = None) -> None:
        self.config = config if config is not None else CalendarConfig()

    # ---- days -------------------------------------------------------------------------------------

    def is_public_holiday(self, d: date) -> bool:
        """True for a statutory holiday (incl. weekend compensation days) or a configured extra day off."""
        _require_date(d)
        return d in self.config.extra_days_off or d in _vn_year(d.year).days_off

    def is_working_day(self, d: date) -> bool:
        """Monday to Friday and not a holiday, or an announced make-up working day (see the module docstring
        for which source wins)."""
        _require_date(d)
        if d in self.config.makeup_working_days:
            return True
        if d in self.config.extra_days_off:
            return False
        if d.weekday() >= _SATURDAY:
            return d in _vn_year(d.year).makeup_days
        return d not in _vn_year(d.year).days_off

    def next_working_day(self, d: date) -> date:
        """The first working day strictly after ``d``."""
        _require_date(d)
        d += _ONE_DAY
        while not self.is_working_day(d):
            d += _ONE_DAY
        return d

    def add_working_days(self, start: date, n: int) -> date:
        """The n-th working day strictly after ``start``; ``start`` itself when n == 0."""
        _require_date(start)
        if n < 0:
            raise ValueError(f"n must be >= 0, got {n}")
        d = start
        for _ in range(n):
            d = self.next_working_day(d)
        return d

    def count_working_days(self, after: date, up_to: date) -> int:
        """Number of working days d with ``after < d <= up_to`` (0 if ``up_to <= after``)."""
        _require_date(after)
        _require_date(up_to)
        count = 0
        d = after + _ONE_DAY
        while d <= up_to:
            if self.is_working_day(d):
                count += 1
            d += _ONE_DAY
        return count

    # ---- instants ---------------------------------------------------------------------------------

    def to_local(self, at: datetime) -> datetime:
        """``at`` in Asia/Ho_Chi_Minh. Naive input is refused: on Lambda it would be UTC, elsewhere not."""
        if at.tzinfo is None or at.utcoffset() is None:
            raise ValueError(f"timezone-aware datetime required, got naive {at!r}")
        return at.astimezone(LOCAL_TZ)

    def effective_receipt_day(self, at: datetime) -> date:
        """The working day a receipt at ``at`` counts for.

        Same day if it is a working day and the time is before ``work_end`` (an early arrival, before
        ``work_start``, still counts for that day); otherwise the next working day.
        """
        local = self.to_local(at)
        d = local.date()
        if self.is_working_day(d) and local.time() < self.config.work_end:
            return d
        return self.next_working_day(d)

    # ---- deadlines --------------------------------------------------------------------------------

    def due_date(self, received_at: datetime, value: int, unit: TimeUnit | str) -> date:
        """The appointment date for a statutory period of ``value`` ``unit`` from ``received_at``."""
        unit = TimeUnit(unit)
        if value < 0:
            raise ValueError(f"value must be >= 0, got {value}")
        receipt_day = self.effective_receipt_day(received_at)
        if unit is TimeUnit.WORKING_DAYS:
            return self.add_working_days(receipt_day, value)
        if unit is TimeUnit.CALENDAR_DAYS:
            d = receipt_day + timedelta(days=value)
            return d if self.is_working_day(d) else self.next_working_day(d)
        return self._due_in_working_hours(received_at, receipt_day, value)

    def _due_in_working_hours(self, received_at: datetime, receipt_day: date, hours: int) -> date:
        """Working hours are counted in the day's sessions only (not over the midday break, not overnight),
        from the moment of receipt (or the next session's start)."""
        # Naive local wall-clock arithmetic is exact here: Vietnam has no daylight saving.
        local = self.to_local(received_at).replace(tzinfo=None)
        remaining = timedelta(hours=hours)
        day = receipt_day
        while True:
            for opens, closes in self.config.sessions:
                start, end = datetime.combine(day, opens), datetime.combine(day, closes)
                start = max(start, local)  # received during (or before) this session: from the receipt on
                if start >= end:
                    continue
                # "<=": hours elapsing exactly at a session's end are due that day, not later.
                if remaining <= end - start:
                    return day
                remaining -= end - start
            day = self.next_working_day(day)

    def extend_for_pause(self, due: date, paused_at: datetime, resumed_at: datetime) -> date:
        """Push ``due`` back by the working days the clock was stopped (supplement, fee waiting).

        Both ends count the way a receipt does (a moment outside working hours or on a day off belongs
        to the next working day): the lost days are the working days after the day the pause counts
        for, up to the day the resumption counts for. A pause begun after hours loses the next day
        only if the resumption comes later than that day; a pause and resumption within one weekend
        lose nothing.
        """
        _require_date(due)
        paused_local = self.to_local(paused_at)
        if self.to_local(resumed_at) < paused_local:
            raise ValueError(f"resumed_at {resumed_at!r} is before paused_at {paused_at!r}")
        lost = self.count_working_days(self.effective_receipt_day(paused_at), self.effective_receipt_day(resumed_at))
        return self.add_working_days(due, lost)
