"""When a dossier is about to be late, or is."""

from __future__ import annotations

from datetime import date

from .calendar import WorkingCalendar

DUE_SOON, OVERDUE = "due_soon", "overdue"


def deadline_state(due: date, today: date, calendar: WorkingCalendar, warning_working_days: int) -> str | None:
    """`overdue` from the day after the appointment date; `due_soon` when at most
    `warning_working_days` working days remain (the appointment day itself counts as one)."""
    if today > due:
        return OVERDUE
    return DUE_SOON if calendar.count_working_days(today, due) <= warning_working_days else None
