"""Working-day calendar: receipt rules, deadlines and clock stops in Vietnamese local time.

Expected dates are worked out by hand in the comments next to each case, from the 2026 calendar:
1 Jan 2026 is a Thursday; Tết 2026 is off Sat 14 - Sun 22 Feb; Hùng Kings' day falls on Sun 26 Apr.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, date, datetime, time, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.domain.calendar import LOCAL_TZ, CalendarConfig, TimeUnit, WorkingCalendar

MODULE_PATH = Path(__file__).resolve().parents[3] / "chalicelib" / "domain" / "calendar.py"


def local(y: int, m: int, d: int, hh: int = 10, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=LOCAL_TZ)


def utc(y: int, m: int, d: int, hh: int, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=UTC)


@pytest.fixture
def cal() -> WorkingCalendar:
    return WorkingCalendar()


# ---- holiday data ---------------------------------------------------------------------------------


def test_package_has_every_weekday_of_the_2026_lunar_new_year_break(cal: WorkingCalendar) -> None:
    # Announced break: Sat 14 - Sun 22 Feb 2026; its weekdays are Mon 16 - Fri 20.
    for day in range(16, 21):
        assert cal.is_public_holiday(date(2026, 2, day)), day
        assert not cal.is_working_day(date(2026, 2, day)), day
    assert cal.is_working_day(date(2026, 2, 13))  # Friday before
    assert cal.is_working_day(date(2026, 2, 23))  # Monday after


def test_package_has_vietnam_culture_day_from_2026(cal: WorkingCalendar) -> None:
    assert cal.is_public_holiday(date(2026, 11, 24))
    assert not cal.is_working_day(date(2026, 11, 24))
    assert not cal.is_public_holiday(date(2025, 11, 24))


def test_package_swapped_day_off_comes_with_the_saturday_worked_for_it(cal: WorkingCalendar) -> None:
    # 2026: Mon 31 Aug off in exchange for Sat 22 Aug; the package records both halves, no configuration needed.
    assert not cal.is_working_day(date(2026, 8, 31))
    assert cal.is_working_day(date(2026, 8, 22))
    assert not cal.is_working_day(date(2026, 8, 29))  # the other Saturdays stay off


@pytest.mark.parametrize(
    ("holiday", "compensation"),
    [
        (date(2026, 4, 26), date(2026, 4, 27)),  # Hùng Kings' day on a Sunday -> Monday
        (date(2027, 5, 1), date(2027, 5, 3)),  # Labour Day on a Saturday -> Monday
        (date(2023, 9, 2), date(2023, 9, 4)),  # National Day on a Saturday -> Monday
    ],
)
def test_holiday_on_a_weekend_is_compensated_on_the_next_working_day(
    cal: WorkingCalendar, holiday: date, compensation: date
) -> None:
    assert holiday.weekday() >= 5
    assert compensation.weekday() == 0
    assert cal.is_public_holiday(holiday)
    assert cal.is_public_holiday(compensation)
    assert not cal.is_working_day(compensation)


def test_deadline_skips_compensation_day_and_the_30_april_1_may_holidays(cal: WorkingCalendar) -> None:
    # Received Fri 24 Apr 2026. Sat 25, Sun 26 (Hùng Kings), Mon 27 compensation, Tue 28 = 1, Wed 29 = 2,
    # Thu 30 Apr and Fri 1 May holidays, weekend, Mon 4 May = 3.
    assert cal.due_date(local(2026, 4, 24), 3, TimeUnit.WORKING_DAYS) == date(2026, 5, 4)


# ---- configuration: make-up working days and extra days off --------------------------------------


def test_makeup_saturday_counts_as_a_working_day() -> None:
    # A hypothetical make-up Saturday, 10 Oct 2026, announced and configured.
    cal = WorkingCalendar(CalendarConfig(makeup_working_days=frozenset({date(2026, 10, 10)})))
    assert cal.is_working_day(date(2026, 10, 10))
    # Received Fri 9 Oct: the next working day is the make-up Saturday, not Monday 12.
    assert cal.due_date(local(2026, 10, 9), 1, TimeUnit.WORKING_DAYS) == date(2026, 10, 10)
    assert WorkingCalendar().due_date(local(2026, 10, 9), 1, TimeUnit.WORKING_DAYS) == date(2026, 10, 12)


def test_dossier_received_on_a_makeup_saturday_counts_that_day() -> None:
    cal = WorkingCalendar(CalendarConfig(makeup_working_days=frozenset({date(2026, 10, 10)})))
    assert cal.effective_receipt_day(local(2026, 10, 10, 9, 0)) == date(2026, 10, 10)


def test_configured_day_off_wins_over_a_makeup_saturday_of_the_package() -> None:
    # Should an announcement cancel a swap the package records, configuration says so.
    cal = WorkingCalendar(CalendarConfig(extra_days_off=frozenset({date(2026, 8, 22)})))
    assert not cal.is_working_day(date(2026, 8, 22))
    assert WorkingCalendar().is_working_day(date(2026, 8, 22))


def test_makeup_working_day_wins_over_a_holiday() -> None:
    cal = WorkingCalendar(CalendarConfig(makeup_working_days=frozenset({date(2026, 2, 20)})))
    assert cal.is_working_day(date(2026, 2, 20))


def test_extra_day_off_is_not_a_working_day() -> None:
    # The bridge day Fri 2 Jan 2026, announced by the government and not known to the package (the shipped
    # chalicelib/data/calendar.json carries it; a bare WorkingCalendar() does not read that file).
    bridge = date(2026, 1, 2)
    cal = WorkingCalendar(CalendarConfig(extra_days_off=frozenset({bridge})))
    assert cal.is_public_holiday(bridge)
    assert not cal.is_working_day(bridge)
    assert WorkingCalendar().is_working_day(bridge)
    # Received Wed 31 Dec 2025: Thu 1 Jan holiday, Fri 2 Jan bridge, weekend -> Mon 5 Jan.
    assert cal.due_date(local(2025, 12, 31), 1, TimeUnit.WORKING_DAYS) == date(2026, 1, 5)
    assert WorkingCalendar().due_date(local(2025, 12, 31), 1, TimeUnit.WORKING_DAYS) == date(2026, 1, 2)


def test_extra_days_off_cover_holidays_an_older_package_would_miss() -> None:
    # requirements.txt allows holidays>=0.60; if a release lacks a holiday, configuration adds it.
    culture_day = date(2026, 11, 24)
    cal = WorkingCalendar(CalendarConfig(extra_days_off=frozenset({culture_day})))
    assert not cal.is_working_day(culture_day)
    # Received Mon 23 Nov 2026: Tue 24 off, Wed 25 = 1.
    assert cal.due_date(local(2026, 11, 23), 1, TimeUnit.WORKING_DAYS) == date(2026, 11, 25)


# ---- Lunar New Year 2026 --------------------------------------------------------------------------


def test_dossier_received_just_before_tet_with_5_working_days_lands_after_the_holiday(
    cal: WorkingCalendar,
) -> None:
    # Received Fri 13 Feb 2026 10:00: the period starts the day after. 14-22 Feb off, then
    # Mon 23 = 1, Tue 24 = 2, Wed 25 = 3, Thu 26 = 4, Fri 27 = 5.
    assert cal.due_date(local(2026, 2, 13), 5, TimeUnit.WORKING_DAYS) == date(2026, 2, 27)


def test_dossier_received_two_days_before_tet_counts_the_friday_before_the_break(
    cal: WorkingCalendar,
) -> None:
    # Received Thu 12 Feb 2026: Fri 13 = 1, then Mon 23 = 2 ... Thu 26 = 5.
    assert cal.due_date(local(2026, 2, 12, 16, 0), 5, TimeUnit.WORKING_DAYS) == date(2026, 2, 26)


def test_receipt_during_tet_counts_as_the_first_working_day_after(cal: WorkingCalendar) -> None:
    assert cal.effective_receipt_day(local(2026, 2, 18, 9, 0)) == date(2026, 2, 23)


# ---- effective receipt day ------------------------------------------------------------------------


def test_receipt_at_1659_counts_as_the_same_day(cal: WorkingCalendar) -> None:
    assert cal.effective_receipt_day(local(2026, 11, 10, 16, 59)) == date(2026, 11, 10)  # Tuesday


def test_receipt_at_1701_counts_as_next_working_day(cal: WorkingCalendar) -> None:
    assert cal.effective_receipt_day(local(2026, 11, 10, 17, 1)) == date(2026, 11, 11)


def test_receipt_exactly_at_closing_time_counts_as_next_working_day(cal: WorkingCalendar) -> None:
    assert cal.effective_receipt_day(local(2026, 11, 10, 17, 0)) == date(2026, 11, 11)


def test_one_minute_after_closing_moves_the_working_day_deadline_by_one_day(cal: WorkingCalendar) -> None:
    assert cal.due_date(local(2026, 11, 10, 16, 59), 1, TimeUnit.WORKING_DAYS) == date(2026, 11, 11)
    assert cal.due_date(local(2026, 11, 10, 17, 1), 1, TimeUnit.WORKING_DAYS) == date(2026, 11, 12)


def test_receipt_on_a_sunday_counts_as_monday(cal: WorkingCalendar) -> None:
    assert cal.effective_receipt_day(local(2026, 11, 8, 10, 0)) == date(2026, 11, 9)


def test_receipt_at_0700_on_a_monday_counts_as_that_monday(cal: WorkingCalendar) -> None:
    assert cal.effective_receipt_day(local(2026, 11, 9, 7, 0)) == date(2026, 11, 9)


def test_receipt_at_1001_utc_is_1701_local_and_counts_as_next_working_day(cal: WorkingCalendar) -> None:
    assert cal.to_local(utc(2026, 11, 10, 10, 1)) == local(2026, 11, 10, 17, 1)
    assert cal.effective_receipt_day(utc(2026, 11, 10, 10, 1)) == date(2026, 11, 11)
    assert cal.effective_receipt_day(utc(2026, 11, 10, 9, 59)) == date(2026, 11, 10)


def test_sunday_evening_utc_is_monday_morning_local(cal: WorkingCalendar) -> None:
    # Sun 8 Nov 23:30 UTC = Mon 9 Nov 06:30 local: a Monday receipt, not a Sunday one.
    assert cal.effective_receipt_day(utc(2026, 11, 8, 23, 30)) == date(2026, 11, 9)


def test_friday_night_utc_is_saturday_local_and_counts_as_monday(cal: WorkingCalendar) -> None:
    # Fri 13 Nov 22:00 UTC = Sat 14 Nov 05:00 local.
    assert cal.effective_receipt_day(utc(2026, 11, 13, 22, 0)) == date(2026, 11, 16)


def test_other_offsets_are_converted_too(cal: WorkingCalendar) -> None:
    # 11:30 at UTC+9 = 09:30 local.
    tokyo = datetime(2026, 11, 10, 11, 30, tzinfo=timezone(timedelta(hours=9)))
    assert cal.to_local(tokyo).time() == time(9, 30)


def test_naive_datetime_is_rejected(cal: WorkingCalendar) -> None:
    naive = datetime(2026, 11, 10, 10, 0)
    with pytest.raises(ValueError, match="timezone-aware"):
        cal.to_local(naive)
    with pytest.raises(ValueError, match="timezone-aware"):
        cal.effective_receipt_day(naive)
    with pytest.raises(ValueError, match="timezone-aware"):
        cal.due_date(naive, 5, TimeUnit.WORKING_DAYS)
    with pytest.raises(ValueError, match="timezone-aware"):
        cal.extend_for_pause(date(2026, 11, 20), naive, local(2026, 11, 12))


def test_datetime_where_a_date_is_expected_is_rejected(cal: WorkingCalendar) -> None:
    with pytest.raises(TypeError):
        cal.is_working_day(local(2026, 2, 17))


# ---- working days arithmetic ----------------------------------------------------------------------


def test_next_working_day_is_strictly_after(cal: WorkingCalendar) -> None:
    assert cal.next_working_day(date(2026, 11, 9)) == date(2026, 11, 10)
    assert cal.next_working_day(date(2026, 11, 13)) == date(2026, 11, 16)  # Friday -> Monday


def test_add_zero_working_days_returns_start(cal: WorkingCalendar) -> None:
    assert cal.add_working_days(date(2026, 11, 14), 0) == date(2026, 11, 14)


def test_add_negative_working_days_is_rejected(cal: WorkingCalendar) -> None:
    with pytest.raises(ValueError):
        cal.add_working_days(date(2026, 11, 10), -1)


def test_working_days_cross_into_next_year_with_its_holidays(cal: WorkingCalendar) -> None:
    # Thu 31 Dec 2026 + 1: Fri 1 Jan 2027 holiday, weekend -> Mon 4 Jan 2027.
    assert cal.add_working_days(date(2026, 12, 31), 1) == date(2027, 1, 4)


def test_count_working_days_excludes_start_and_includes_end(cal: WorkingCalendar) -> None:
    assert cal.count_working_days(date(2026, 11, 9), date(2026, 11, 13)) == 4  # Tue..Fri
    assert cal.count_working_days(date(2026, 2, 13), date(2026, 2, 27)) == 5  # Mon 23..Fri 27


def test_count_working_days_is_zero_when_range_is_empty(cal: WorkingCalendar) -> None:
    assert cal.count_working_days(date(2026, 11, 10), date(2026, 11, 10)) == 0
    assert cal.count_working_days(date(2026, 11, 10), date(2026, 11, 2)) == 0


# No deadline: the first examples pay for importing holidays and building years, which is not the subject.
@settings(deadline=None)
@given(
    start=st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)),
    n=st.integers(min_value=0, max_value=60),
)
def test_counting_the_days_added_gives_back_n(start: date, n: int) -> None:
    cal = WorkingCalendar()
    end = cal.add_working_days(start, n)
    assert cal.count_working_days(start, end) == n
    if n > 0:
        assert cal.is_working_day(end)


# ---- due dates ------------------------------------------------------------------------------------


def test_unit_may_be_given_as_its_string_value(cal: WorkingCalendar) -> None:
    assert cal.due_date(local(2026, 11, 10), 1, "working_days") == date(2026, 11, 11)


def test_unknown_unit_is_rejected(cal: WorkingCalendar) -> None:
    with pytest.raises(ValueError):
        cal.due_date(local(2026, 11, 10), 1, "fortnights")


def test_negative_period_is_rejected(cal: WorkingCalendar) -> None:
    with pytest.raises(ValueError):
        cal.due_date(local(2026, 11, 10), -1, TimeUnit.CALENDAR_DAYS)


def test_calendar_days_landing_on_a_weekend_move_to_monday(cal: WorkingCalendar) -> None:
    # Mon 2 Nov 2026 + 5 calendar days = Sat 7 Nov -> Mon 9 Nov.
    assert cal.due_date(local(2026, 11, 2), 5, TimeUnit.CALENDAR_DAYS) == date(2026, 11, 9)


def test_calendar_days_landing_on_a_working_day_stay(cal: WorkingCalendar) -> None:
    # Mon 2 Nov 2026 + 3 = Thu 5 Nov; weekends in between are counted.
    assert cal.due_date(local(2026, 11, 2), 3, TimeUnit.CALENDAR_DAYS) == date(2026, 11, 5)
    assert cal.due_date(local(2026, 11, 2), 7, TimeUnit.CALENDAR_DAYS) == date(2026, 11, 9)


def test_calendar_days_landing_on_a_holiday_move_to_next_working_day(cal: WorkingCalendar) -> None:
    # Mon 16 Nov 2026 + 8 = Tue 24 Nov (Culture Day) -> Wed 25 Nov.
    assert cal.due_date(local(2026, 11, 16), 8, TimeUnit.CALENDAR_DAYS) == date(2026, 11, 25)


def test_calendar_days_count_from_the_effective_receipt_day(cal: WorkingCalendar) -> None:
    # Received Sat 7 Nov -> counts from Mon 9 Nov; + 3 = Thu 12 Nov.
    assert cal.due_date(local(2026, 11, 7), 3, TimeUnit.CALENDAR_DAYS) == date(2026, 11, 12)


def test_working_hours_within_the_same_day(cal: WorkingCalendar) -> None:
    # Tue 10 Nov 10:00: 1.5 h to 11:30, then 4 h from 13:00 to 17:00: 5.5 h end exactly at closing, that day.
    assert cal.due_date(local(2026, 11, 10, 10, 0), 5, TimeUnit.WORKING_HOURS) == date(2026, 11, 10)
    assert cal.due_date(local(2026, 11, 10, 10, 0), 0, TimeUnit.WORKING_HOURS) == date(2026, 11, 10)


def test_working_hours_do_not_run_over_the_midday_break(cal: WorkingCalendar) -> None:
    # Tue 10:00 + 7 h: 5.5 h that day (the break 11:30-13:00 is not working time), 1.5 h Wednesday.
    assert cal.due_date(local(2026, 11, 10, 10, 0), 7, TimeUnit.WORKING_HOURS) == date(2026, 11, 11)
    # Received during the break, at 12:00: the clock starts at 13:00; 4 h end at 17:00 that day.
    assert cal.due_date(local(2026, 11, 10, 12, 0), 4, TimeUnit.WORKING_HOURS) == date(2026, 11, 10)
    assert cal.due_date(local(2026, 11, 10, 12, 0), 5, TimeUnit.WORKING_HOURS) == date(2026, 11, 11)


def test_a_working_day_holds_eight_hours(cal: WorkingCalendar) -> None:
    assert cal.due_date(local(2026, 11, 10, 7, 30), 8, TimeUnit.WORKING_HOURS) == date(2026, 11, 10)
    assert cal.due_date(local(2026, 11, 10, 7, 30), 9, TimeUnit.WORKING_HOURS) == date(2026, 11, 11)


def test_the_sessions_are_configurable() -> None:
    from datetime import time

    continuous = WorkingCalendar(CalendarConfig(break_start=time(12, 0), break_end=time(12, 0)))
    assert continuous.due_date(local(2026, 11, 10, 7, 30), 9, TimeUnit.WORKING_HOURS) == date(2026, 11, 10)
    with pytest.raises(ValueError):
        CalendarConfig(break_start=time(13, 0), break_end=time(12, 0))
    with pytest.raises(ValueError):
        CalendarConfig(break_start=time(18, 0), break_end=time(18, 30))


def test_working_hours_spanning_a_night(cal: WorkingCalendar) -> None:
    # Tue 10 Nov 10:00 + 8 h: 5.5 h Tuesday, then 2.5 h from 07:30 Wednesday.
    assert cal.due_date(local(2026, 11, 10, 10, 0), 8, TimeUnit.WORKING_HOURS) == date(2026, 11, 11)


def test_working_hours_spanning_a_weekend(cal: WorkingCalendar) -> None:
    # Fri 13 Nov 16:00 + 2 h: 1 h Friday, 1 h Monday 16 Nov.
    assert cal.due_date(local(2026, 11, 13, 16, 0), 2, TimeUnit.WORKING_HOURS) == date(2026, 11, 16)


def test_working_hours_received_after_closing_start_next_morning(cal: WorkingCalendar) -> None:
    # Tue 18:00: the clock starts Wed 07:30; a day holds 8 h, so 16 h end exactly Thu 17:00.
    assert cal.due_date(local(2026, 11, 10, 18, 0), 16, TimeUnit.WORKING_HOURS) == date(2026, 11, 12)
    assert cal.due_date(local(2026, 11, 10, 18, 0), 17, TimeUnit.WORKING_HOURS) == date(2026, 11, 13)


def test_working_hours_received_before_opening_start_at_opening(cal: WorkingCalendar) -> None:
    # Tue 06:00 + 10 h: 8 h on Tuesday, 2 h Wednesday.
    assert cal.due_date(local(2026, 11, 10, 6, 0), 10, TimeUnit.WORKING_HOURS) == date(2026, 11, 11)


def test_working_hours_from_utc_input(cal: WorkingCalendar) -> None:
    # 03:00 UTC = 10:00 local; + 5 h = 16:30 local (the break skipped), same day.
    assert cal.due_date(utc(2026, 11, 10, 3, 0), 5, TimeUnit.WORKING_HOURS) == date(2026, 11, 10)


def test_working_hours_skip_a_holiday(cal: WorkingCalendar) -> None:
    # Mon 23 Nov 2026 16:00 + 2 h: 1 h Monday, Tue 24 is Culture Day, 1 h Wednesday 25.
    assert cal.due_date(local(2026, 11, 23, 16, 0), 2, TimeUnit.WORKING_HOURS) == date(2026, 11, 25)


# ---- clock stops ----------------------------------------------------------------------------------


def test_extend_for_pause_across_a_holiday_counts_only_working_days(cal: WorkingCalendar) -> None:
    # Paused Wed 29 Apr 2026, resumed Mon 4 May: 30 Apr, 1 May holidays, weekend, Mon 4 May lost = 1.
    # Due Thu 7 May -> Fri 8 May.
    new_due = cal.extend_for_pause(date(2026, 5, 7), local(2026, 4, 29), local(2026, 5, 4))
    assert new_due == date(2026, 5, 8)


def test_extend_for_pause_across_tet(cal: WorkingCalendar) -> None:
    # Paused Thu 12 Feb 2026, resumed Tue 24 Feb 09:00: Fri 13, Mon 23, Tue 24 lost = 3.
    # Due Fri 27 Feb -> Mon 2, Tue 3, Wed 4 Mar.
    new_due = cal.extend_for_pause(date(2026, 2, 27), local(2026, 2, 12), local(2026, 2, 24, 9, 0))
    assert new_due == date(2026, 3, 4)


def test_pause_and_resume_on_the_same_day_changes_nothing(cal: WorkingCalendar) -> None:
    due = date(2026, 11, 20)
    assert cal.extend_for_pause(due, local(2026, 11, 10, 9, 0), local(2026, 11, 10, 15, 0)) == due


def test_resume_after_closing_time_also_loses_the_next_working_day(cal: WorkingCalendar) -> None:
    # Resumed Tue 10 Nov 17:30 counts as Wed 11: 1 day lost. Due Fri 20 Nov -> Mon 23 Nov.
    new_due = cal.extend_for_pause(date(2026, 11, 20), local(2026, 11, 10, 9, 0), local(2026, 11, 10, 17, 30))
    assert new_due == date(2026, 11, 23)


def test_resume_before_pause_is_rejected(cal: WorkingCalendar) -> None:
    with pytest.raises(ValueError):
        cal.extend_for_pause(date(2026, 11, 20), local(2026, 11, 12), local(2026, 11, 10))


# Both ends of a pause count the way a receipt does: the lost days are the working days after the day the
# pause counts for, up to the day the resumption counts for.


@pytest.mark.parametrize(
    ("paused", "resumed"),
    [
        (local(2026, 3, 7, 10, 0), local(2026, 3, 7, 16, 0)),  # Saturday morning -> Saturday afternoon
        (local(2026, 3, 7, 10, 0), local(2026, 3, 8, 20, 0)),  # Saturday -> Sunday evening
        (local(2026, 3, 6, 17, 30), local(2026, 3, 8, 9, 0)),  # Friday after hours -> Sunday
    ],
    ids=["saturday", "saturday-to-sunday", "friday-evening-to-sunday"],
)
def test_a_pause_and_resumption_within_one_weekend_lose_nothing(
    cal: WorkingCalendar, paused: datetime, resumed: datetime
) -> None:
    # Both ends count for Mon 9 Mar 2026.
    due = date(2026, 3, 16)
    assert cal.extend_for_pause(due, paused, resumed) == due


def test_a_pause_after_hours_loses_only_the_days_up_to_the_resumption(cal: WorkingCalendar) -> None:
    # Paused Wed 4 Mar 2026 17:30 (counts for Thu 5), resumed Fri 6 Mar 09:00: one working day lost (Thursday's).
    # Due Mon 16 Mar -> Tue 17 Mar.
    due, resumed = date(2026, 3, 16), local(2026, 3, 6, 9, 0)
    assert cal.extend_for_pause(due, local(2026, 3, 4, 17, 30), resumed) == date(2026, 3, 17)
    # The same pause begun at 16:30, still within office hours, counts for Wednesday and loses Thu and Fri.
    assert cal.extend_for_pause(due, local(2026, 3, 4, 16, 30), resumed) == date(2026, 3, 18)


def test_a_pause_after_hours_and_a_resumption_on_the_next_working_day_lose_nothing(cal: WorkingCalendar) -> None:
    # Paused Wed 29 Apr 2026 17:30: Thu 30 Apr and Fri 1 May are holidays, so it counts for Mon 4 May, and so
    # does the resumption on Mon 4 May 10:00.
    due = date(2026, 5, 7)
    assert cal.extend_for_pause(due, local(2026, 4, 29, 17, 30), local(2026, 5, 4, 10, 0)) == due


def test_a_fee_wait_over_the_30_april_1_may_holidays_loses_only_working_days(cal: WorkingCalendar) -> None:
    # Paused Fri 24 Apr 2026 16:00, resumed Tue 5 May 08:00 (11 calendar days). Sat 25, Sun 26 (Hùng Kings),
    # Mon 27 (its compensation day), Thu 30 Apr, Fri 1 May and the weekend are not lost; Tue 28, Wed 29, Mon 4
    # and Tue 5 May are: 4 working days. Due Fri 8 May -> Mon 11, Tue 12, Wed 13, Thu 14 May.
    new_due = cal.extend_for_pause(date(2026, 5, 8), local(2026, 4, 24, 16, 0), local(2026, 5, 5, 8, 0))
    assert new_due == date(2026, 5, 14)
    # Given in UTC (as the stored paused_at is) the answer is the same: 09:00 and 01:00 UTC.
    assert cal.extend_for_pause(date(2026, 5, 8), utc(2026, 4, 24, 9, 0), utc(2026, 5, 5, 1, 0)) == new_due


@pytest.mark.parametrize(
    ("paused", "resumed"),
    [
        (local(2026, 3, 4, 9, 0), local(2026, 3, 4, 9, 0)),  # the same instant
        (local(2026, 3, 4, 7, 0), local(2026, 3, 4, 16, 59)),  # before opening -> a minute before closing
        (utc(2026, 3, 4, 2, 0), utc(2026, 3, 4, 9, 59)),  # 09:00 -> 16:59 local, given in UTC
    ],
    ids=["same-instant", "opening-to-closing", "utc"],
)
def test_a_pause_and_resumption_on_the_same_working_day_lose_nothing(
    cal: WorkingCalendar, paused: datetime, resumed: datetime
) -> None:
    due = date(2026, 3, 16)
    assert cal.extend_for_pause(due, paused, resumed) == due


# ---- configurable working hours -------------------------------------------------------------------


def test_configured_closing_time_decides_the_receipt_day() -> None:
    cal = WorkingCalendar(CalendarConfig(work_start=time(8, 0), work_end=time(16, 30)))
    assert cal.effective_receipt_day(local(2026, 11, 10, 16, 45)) == date(2026, 11, 11)
    assert WorkingCalendar().effective_receipt_day(local(2026, 11, 10, 16, 45)) == date(2026, 11, 10)


def test_configured_working_hours_set_the_length_of_a_working_day() -> None:
    # 08:00-16:30 with the default break 11:30-13:00 is 7 h. Received Tue 07:45: the clock starts at 08:00.
    cal = WorkingCalendar(CalendarConfig(work_start=time(8, 0), work_end=time(16, 30)))
    assert cal.due_date(local(2026, 11, 10, 7, 45), 7, TimeUnit.WORKING_HOURS) == date(2026, 11, 10)
    assert cal.due_date(local(2026, 11, 10, 7, 45), 8, TimeUnit.WORKING_HOURS) == date(2026, 11, 11)
    # With the default 8 h day opening at 07:30, received at 07:45: 7.75 h are left on Tuesday.
    assert WorkingCalendar().due_date(local(2026, 11, 10, 7, 45), 7, TimeUnit.WORKING_HOURS) == date(2026, 11, 10)
    assert WorkingCalendar().due_date(local(2026, 11, 10, 7, 45), 8, TimeUnit.WORKING_HOURS) == date(2026, 11, 11)


@pytest.mark.parametrize(("start", "end"), [(time(17, 0), time(7, 30)), (time(8, 0), time(8, 0))])
def test_working_hours_must_open_before_they_close(start: time, end: time) -> None:
    with pytest.raises(ValueError):
        CalendarConfig(work_start=start, work_end=end)


# ---- cold start -----------------------------------------------------------------------------------


def test_importing_the_module_does_not_import_holidays() -> None:
    # Loaded by path so that whatever the package __init__ files import does not blur the result.
    code = (
        "import importlib.util, sys\n"
        f"spec = importlib.util.spec_from_file_location('cal_under_test', {str(MODULE_PATH)!r})\n"
        "mod = importlib.util.module_from_spec(spec)\n"
        "sys.modules['cal_under_test'] = mod\n"
        "spec.loader.exec_module(mod)\n"
        "assert 'holidays' not in sys.modules, 'holidays imported at module load'\n"
        "mod.WorkingCalendar().is_working_day(__import__('datetime').date(2026, 2, 17))\n"
        "assert 'holidays' in sys.modules\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
