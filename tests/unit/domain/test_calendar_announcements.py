"""The working-day calendar against the government's announcements for 2025, 2026 and 2027.

The table below restates the official list day by day, from the announcements themselves, and is not read
from chalicelib/data/calendar.json: the calendar under test (the holidays package plus that file, as the
functions run it) has to agree with it. Every weekday off is listed, and every Saturday worked.

Sources (docs/operations.md, "Calendar", has the links):
- LC: Labour Code 2019 (45/2019/QH14): art. 112(1) the holidays, art. 111(3) a holiday on a weekend is made
  up on the next working day, art. 112(3) the Prime Minister fixes Tết's five days and the day joined to 2/9.
- 6150: Thông báo 6150/TB-BLĐTBXH of 3/12/2024 (Ministry of Labour), after 8726/VPCP-KGVX of 26/11/2024.
- 9441: Thông báo 9441/TB-BNV of 16/10/2025 (Ministry of Home Affairs).
- 12729: Công văn 12729/VPCP-KGVX of 25/12/2025 (Government Office).
- NQ28: Nghị quyết 28/2026/QH16, art. 2 (Vietnam Culture Day, from 1/7/2026), after 80-NQ/TW.
2027: nothing but the statutory days had been announced when this was written (November 2026).
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pytest

from chalicelib.domain.announced_days import (
    DEFAULT_PATH,
    AnnouncedDayKind,
    CalendarDataError,
    load_announced_days,
    parse_announced_days,
    split_announced_days,
)
from chalicelib.domain.calendar import LOCAL_TZ, CalendarConfig, TimeUnit, WorkingCalendar

OFF, WORKED = "day_off", "makeup_working_day"

# (day, what the announcement makes of it, the announcement)
ANNOUNCED: list[tuple[date, str, str]] = [
    # ---- 2025 ----
    (date(2025, 1, 1), OFF, "LC 112(1)(a): New Year's Day"),
    (date(2025, 1, 27), OFF, "6150: Tết Ất Tỵ, Sat 25/1 to Sun 2/2"),
    (date(2025, 1, 28), OFF, "6150: Tết Ất Tỵ"),
    (date(2025, 1, 29), OFF, "6150: Tết Ất Tỵ (mùng 1)"),
    (date(2025, 1, 30), OFF, "6150: Tết Ất Tỵ"),
    (date(2025, 1, 31), OFF, "6150: Tết Ất Tỵ"),
    (date(2025, 4, 7), OFF, "LC 112(1)(e): Hùng Kings' day, 10/3 Ất Tỵ"),
    (date(2025, 4, 26), WORKED, "6150: Saturday worked for Friday 2/5"),
    (date(2025, 4, 30), OFF, "LC 112(1)(c): Reunification Day"),
    (date(2025, 5, 1), OFF, "LC 112(1)(d): Labour Day"),
    (date(2025, 5, 2), OFF, "6150: Friday off, swapped for Saturday 26/4"),
    (date(2025, 9, 1), OFF, "6150: the day joined to National Day, Sat 30/8 to Tue 2/9"),
    (date(2025, 9, 2), OFF, "LC 112(1)(đ): National Day"),
    # ---- 2026 ----
    (date(2026, 1, 1), OFF, "LC 112(1)(a): New Year's Day"),
    (date(2026, 1, 2), OFF, "12729: Friday off, swapped for Saturday 10/1"),
    (date(2026, 1, 10), WORKED, "12729: Saturday worked for Friday 2/1"),
    (date(2026, 2, 16), OFF, "9441: Tết Bính Ngọ, Sat 14/2 to Sun 22/2"),
    (date(2026, 2, 17), OFF, "9441: Tết Bính Ngọ (mùng 1)"),
    (date(2026, 2, 18), OFF, "9441: Tết Bính Ngọ"),
    (date(2026, 2, 19), OFF, "9441: Tết Bính Ngọ"),
    (date(2026, 2, 20), OFF, "9441: Tết Bính Ngọ"),
    (date(2026, 4, 27), OFF, "LC 111(3): in lieu of the Hùng Kings' day on Sunday 26/4"),
    (date(2026, 4, 30), OFF, "LC 112(1)(c): Reunification Day (no swap around it)"),
    (date(2026, 5, 1), OFF, "LC 112(1)(d): Labour Day"),
    (date(2026, 8, 22), WORKED, "9441: Saturday worked for Monday 31/8"),
    (date(2026, 8, 31), OFF, "9441: Monday off, swapped for Saturday 22/8"),
    (date(2026, 9, 1), OFF, "9441: the day joined to National Day, Sat 29/8 to Wed 2/9"),
    (date(2026, 9, 2), OFF, "LC 112(1)(đ): National Day"),
    (date(2026, 11, 24), OFF, "NQ28: Vietnam Culture Day"),
    # ---- 2027: the statutory days; Tết and the day joined to 2/9 await the Prime Minister's decision ----
    (date(2027, 1, 1), OFF, "LC 112(1)(a): New Year's Day"),
    (date(2027, 4, 16), OFF, "LC 112(1)(e): Hùng Kings' day, 10/3 Đinh Mùi"),
    (date(2027, 4, 30), OFF, "LC 112(1)(c): Reunification Day"),
    (date(2027, 5, 3), OFF, "LC 111(3): in lieu of Labour Day on Saturday 1/5"),
    (date(2027, 9, 2), OFF, "LC 112(1)(đ): National Day"),
    (date(2027, 11, 24), OFF, "NQ28: Vietnam Culture Day"),
]
# Years whose announcements are all in: the table holds every weekday off and every Saturday worked.
COMPLETE_YEARS = (2025, 2026)


def _params(kind: str) -> list:
    return [pytest.param(day, id=day.isoformat()) for day, k, _ in ANNOUNCED if k == kind]


def local(y: int, m: int, d: int, hh: int = 10, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=LOCAL_TZ)


@pytest.fixture(scope="module")
def cal() -> WorkingCalendar:
    """The calendar as the functions run it: the package plus the announced days shipped with the code."""
    days_off, makeup = split_announced_days(load_announced_days())
    return WorkingCalendar(CalendarConfig(extra_days_off=days_off, makeup_working_days=makeup))


def _days(year: int) -> list[date]:
    start = date(year, 1, 1)
    return [start + timedelta(days=i) for i in range((date(year + 1, 1, 1) - start).days)]


# ---- each announced day ---------------------------------------------------------------------------


@pytest.mark.parametrize("day", _params(OFF))
def test_announced_day_off_is_not_a_working_day(cal: WorkingCalendar, day: date) -> None:
    assert day.weekday() < 5, "a day off in the table is a weekday"
    assert not cal.is_working_day(day)


@pytest.mark.parametrize("day", _params(WORKED))
def test_announced_makeup_saturday_is_a_working_day(cal: WorkingCalendar, day: date) -> None:
    assert day.weekday() == 5, "a make-up day in the table is a Saturday"
    assert cal.is_working_day(day)
    # A dossier received that morning counts for that day.
    assert cal.effective_receipt_day(local(day.year, day.month, day.day, 9)) == day


@pytest.mark.parametrize("year", COMPLETE_YEARS)
def test_a_fully_announced_year_has_exactly_the_announced_exceptions(cal: WorkingCalendar, year: int) -> None:
    # Nothing the announcements don't give: no extra day off, no Saturday worked that nobody announced.
    weekdays_off = {d for d in _days(year) if d.weekday() < 5 and not cal.is_working_day(d)}
    weekends_worked = {d for d in _days(year) if d.weekday() >= 5 and cal.is_working_day(d)}
    assert weekdays_off == {d for d, k, _ in ANNOUNCED if k == OFF and d.year == year}
    assert weekends_worked == {d for d, k, _ in ANNOUNCED if k == WORKED and d.year == year}


@pytest.mark.parametrize(
    ("first", "last", "net_days_off"),
    [
        (date(2027, 1, 25), date(2027, 2, 21), 5),  # Tết Đinh Mùi (mùng 1 on Saturday 6/2): LC 112(1)(b)
        (date(2027, 8, 23), date(2027, 9, 12), 2),  # National Day (Thursday 2/9) and a day joined to it
    ],
    ids=["tet-2027", "national-day-2027"],
)
def test_2027_breaks_not_yet_announced_give_the_statutory_number_of_days(
    cal: WorkingCalendar, first: date, last: date, net_days_off: int
) -> None:
    # Whichever days the Prime Minister picks, and whatever he swaps, weekdays off minus Saturdays worked
    # around the holiday is the number the Labour Code gives. Add the days to ANNOUNCED once announced.
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    off = sum(1 for d in days if d.weekday() < 5 and not cal.is_working_day(d))
    worked = sum(1 for d in days if d.weekday() >= 5 and cal.is_working_day(d))
    assert off - worked == net_days_off


def test_the_package_alone_supplies_the_saturdays_it_records_as_swapped() -> None:
    # Derived from the package's own swap table (weekend_workdays), without calendar.json.
    bare = WorkingCalendar()
    worked = {d for y in (2025, 2026, 2027) for d in _days(y) if d.weekday() >= 5 and bare.is_working_day(d)}
    assert worked == {date(2025, 4, 26), date(2026, 8, 22)}


# ---- deadlines across the announced days -----------------------------------------------------------


@pytest.mark.parametrize(
    ("received", "value", "unit", "due"),
    [
        # Wed 31/12/2025: Thu 1/1 holiday, Fri 2/1 swapped off, weekend; Mon 5 = 1, Tue 6 = 2, Wed 7 = 3.
        (local(2025, 12, 31), 3, TimeUnit.WORKING_DAYS, date(2026, 1, 7)),
        # 16:00 on 31/12/2025: one hour that day, the next on Monday 5/1.
        (local(2025, 12, 31, 16), 2, TimeUnit.WORKING_HOURS, date(2026, 1, 5)),
        # Fri 9/1/2026: the next working day is the make-up Saturday 10/1.
        (local(2026, 1, 9), 1, TimeUnit.WORKING_DAYS, date(2026, 1, 10)),
        # Received on the make-up Saturday itself: counts for that day, one more is Monday 12/1.
        (local(2026, 1, 10, 9), 1, TimeUnit.WORKING_DAYS, date(2026, 1, 12)),
        # Fri 25/4/2025: Sat 26/4 worked = 1, Mon 28 = 2, Tue 29 = 3; 30/4, 1/5, 2/5 off, weekend; Mon 5/5 = 4.
        (local(2025, 4, 25), 2, TimeUnit.WORKING_DAYS, date(2025, 4, 28)),
        (local(2025, 4, 25), 4, TimeUnit.WORKING_DAYS, date(2025, 5, 5)),
        # Tết Ất Tỵ: Fri 24/1/2025 -> Mon 3/2/2025.
        (local(2025, 1, 24), 1, TimeUnit.WORKING_DAYS, date(2025, 2, 3)),
        # National Day 2025: Fri 29/8 -> weekend, Mon 1/9 and Tue 2/9 off -> Wed 3/9.
        (local(2025, 8, 29), 1, TimeUnit.WORKING_DAYS, date(2025, 9, 3)),
        # Tết Bính Ngọ: Fri 13/2/2026 -> Mon 23/2/2026.
        (local(2026, 2, 13), 1, TimeUnit.WORKING_DAYS, date(2026, 2, 23)),
        # Fri 21/8/2026 -> the make-up Saturday 22/8.
        (local(2026, 8, 21), 1, TimeUnit.WORKING_DAYS, date(2026, 8, 22)),
        # Fri 28/8/2026: weekend, Mon 31/8 swapped off, Tue 1/9, Wed 2/9 off -> Thu 3/9.
        (local(2026, 8, 28), 1, TimeUnit.WORKING_DAYS, date(2026, 9, 3)),
        # Mon 23/11/2026: Tue 24/11 Culture Day -> Wed 25/11.
        (local(2026, 11, 23), 1, TimeUnit.WORKING_DAYS, date(2026, 11, 25)),
        # Thu 29/4/2027: Fri 30/4 off, Sat 1/5 Labour Day, Sun, Mon 3/5 in lieu -> Tue 4/5.
        (local(2027, 4, 29), 1, TimeUnit.WORKING_DAYS, date(2027, 5, 4)),
    ],
    ids=lambda v: v.isoformat() if isinstance(v, date) else str(v),
)
def test_due_date_across_announced_days(
    cal: WorkingCalendar, received: datetime, value: int, unit: TimeUnit, due: date
) -> None:
    assert cal.due_date(received, value, unit) == due


def test_a_pause_over_a_makeup_saturday_loses_that_saturday(cal: WorkingCalendar) -> None:
    # Paused Fri 9/1/2026 10:00, resumed Mon 12/1 10:00: Sat 10/1 (make-up) and Mon 12/1 are lost.
    # Due Wed 14/1 -> Thu 15, Fri 16/1.
    assert cal.extend_for_pause(date(2026, 1, 14), local(2026, 1, 9), local(2026, 1, 12)) == date(2026, 1, 16)


# ---- the data file ---------------------------------------------------------------------------------


def test_every_entry_in_calendar_json_has_a_source() -> None:
    raw = json.loads(DEFAULT_PATH.read_text(encoding="utf-8"))
    assert raw["days"], "calendar.json lists no day"
    for entry in raw["days"]:
        source = entry.get("source") or {}
        for field in ("number", "date", "issuer"):
            assert isinstance(source.get(field), str) and source[field].strip(), (entry["date"], field)
        date.fromisoformat(source["date"])


def test_every_entry_in_calendar_json_is_in_the_official_list() -> None:
    official = {day: kind for day, kind, _ in ANNOUNCED}
    for day in load_announced_days():
        assert official.get(day.date) == day.kind.value, day.date


def _entry(**changes: object) -> dict:
    entry = {"date": "2026-01-02", "kind": "day_off", "why": "a bridge day",
             "source": {"number": "1/TB-X", "date": "2025-12-25", "issuer": "an issuer"}}
    entry.update(changes)
    return entry


def test_a_well_formed_entry_is_read_with_its_source() -> None:
    entry = _entry(source={"number": "number not found", "date": "2025-12-25", "issuer": "Bộ Nội vụ",
                           "url": "https://example.vn/report", "note": "press report"})
    (day,) = parse_announced_days({"_comment": "x", "days": [entry]})
    assert (day.date, day.kind, day.source.number, day.source.url) == (
        date(2026, 1, 2), AnnouncedDayKind.DAY_OFF, "number not found", "https://example.vn/report")


@pytest.mark.parametrize(
    ("days", "message"),
    [
        ([_entry(kind="holiday")], "'holiday' is not one of day_off, makeup_working_day"),
        ([_entry(date="2026-02-30")], "is not a date"),
        ([_entry(date="02/01/2026")], "YYYY-MM-DD"),
        ([_entry(date="20260102")], "YYYY-MM-DD"),
        ([_entry(date="2026-01-03")], "a day off on a Saturday"),
        ([_entry(date="2026-01-09", kind="makeup_working_day")], "a make-up working day on a Friday"),
        ([{k: v for k, v in _entry().items() if k != "source"}], "missing ['source']"),
        ([_entry(source={"number": "1/TB-X", "date": "2025-12-25"})], "missing ['issuer']"),
        ([_entry(source={"number": " ", "date": "2025-12-25", "issuer": "x"})], "number: must be a non-empty"),
        ([_entry(source={"number": "1", "date": "25/12/2025", "issuer": "x"})], "source.date"),
        ([_entry(source={"number": "1", "date": "2025-12-25", "issuer": "x", "url": "www.x.vn"})], "url"),
        ([_entry(reason="typo of why")], "unknown ['reason']"),
        ([_entry(), _entry(why="again")], "listed more than once"),
    ],
    ids=["unknown-kind", "impossible-date", "day-first-date", "compact-date", "day-off-on-saturday",
         "makeup-on-a-weekday", "no-source", "source-without-issuer", "blank-number", "source-date",
         "url-without-scheme", "unknown-key", "duplicate-date"],
)
def test_malformed_calendar_data_is_refused_at_load(days: list, message: str) -> None:
    with pytest.raises(CalendarDataError) as raised:
        parse_announced_days({"days": days}, "calendar.json")
    assert message in str(raised.value)
    assert "calendar.json" in str(raised.value)


def test_the_old_shape_of_calendar_json_is_refused() -> None:
    with pytest.raises(CalendarDataError, match="missing \\['days'\\]"):
        parse_announced_days({"extra_days_off": [], "makeup_working_days": []})


def test_a_file_that_is_not_json_is_refused(tmp_path) -> None:
    broken = tmp_path / "calendar.json"
    broken.write_text('{"days": [', encoding="utf-8")
    with pytest.raises(CalendarDataError, match="not valid JSON"):
        load_announced_days(broken)
