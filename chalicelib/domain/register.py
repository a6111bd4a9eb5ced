"""The register of dossiers (sổ theo dõi hồ sơ): one row per dossier an agency received, oldest first.

A row says when the dossier came in and was due, when its result went back, its status and whether its
handling ended on time — judged as the quality index judges it (docs/metrics.md): against the appointment
date the rules set (waiting for the applicant added back, an apology letter's new date not counted), and a
dossier asked twice or more for a supplement is late whatever its dates. A dossier refused at the desk was
never received: it has no entry.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from .calendar import WorkingCalendar
from .dossier import Dossier, statutory_due
from .forms import entry_number, local, short_date
from .states import STATUSES, Status

ON_TIME, LATE, PENDING = "on_time", "late", "pending"
TIMELINESS_VI = {ON_TIME: "Đúng hạn", LATE: "Trễ hạn", PENDING: "Đang giải quyết"}
_ENDED_VI = {"stop": "Dừng giải quyết", "withdraw": "Người nộp rút hồ sơ"}


@dataclass(frozen=True)
class RegisterRow:
    ordinal: int  # the row's number in this printout (STT)
    entry: str  # the dossier's entry in the agency's register, as its receipt gives it: "260302-0007"
    code: str
    applicant: str
    procedure: str
    received_at: datetime  # Vietnam's time
    appointment: date | None  # the date promised to the applicant (an apology letter's, once there is one)
    returned_at: datetime | None  # when the result reached the applicant, Vietnam's time
    status: str  # in Vietnamese
    timeliness: str  # ON_TIME, LATE or PENDING
    note: str

    @property
    def timeliness_vi(self) -> str:
        return TIMELINESS_VI[self.timeliness]


def _ended_on(dossier: Dossier) -> date | None:
    """The day handling ended: the leader's decision, a stop, or the applicant's withdrawal."""
    record = dossier.decision or dossier.ended
    return local(record["at"]).date() if record and record.get("at") else None


def _returned_at(dossier: Dossier) -> datetime | None:
    # A posted result has reached the applicant once its delivery is recorded, not when it was sent.
    if dossier.status != Status.RETURNED or not dossier.returned:
        return None
    return local((dossier.returned.get("delivered") or dossier.returned).get("at"))


def _days_late(due: date, ended: date, calendar: WorkingCalendar | None) -> str:
    if calendar is not None:
        return f"Trễ hạn {calendar.count_working_days(due, ended)} ngày làm việc"
    return f"Trễ hạn {(ended - due).days} ngày"


def _judged(dossier: Dossier, calendar: WorkingCalendar | None, today: date | None) -> tuple[str, list[str]]:
    due, ended, notes = statutory_due(dossier), _ended_on(dossier), []
    asked = len(dossier.supplement_requests)
    if ended is None:
        if today is not None and dossier.due_date is not None and today > dossier.due_date:
            notes.append(f"Đã quá hạn hẹn trả ({short_date(dossier.due_date)})")
        return PENDING, notes
    late_by_date = due is not None and ended > due
    if late_by_date:
        notes.append(_days_late(due, ended, calendar))
    return (LATE if late_by_date or asked > 1 else ON_TIME), notes


def register_rows(dossiers: Iterable[Dossier], calendar: WorkingCalendar | None = None, *,
                  today: date | None = None) -> list[RegisterRow]:
    """The register's rows for `dossiers`, ordered by receipt (dossiers never received are left out).
    `calendar`: counts how many working days a late dossier ran over (calendar days without one); `today`
    (local): marks a dossier still open past its appointment."""
    received = sorted((d for d in dossiers if d.received_at is not None), key=lambda d: (d.received_at, d.code))
    rows = []
    for ordinal, dossier in enumerate(received, 1):
        timeliness, notes = _judged(dossier, calendar, today)
        if len(dossier.supplement_requests):
            notes.append(f"Yêu cầu bổ sung {len(dossier.supplement_requests)} lần")
        if dossier.apologies:
            notes.append(f"Đã xin lỗi, hẹn lại ngày {short_date(dossier.apologies[-1].get('new_due_date'))}")
        if dossier.ended and dossier.ended.get("action") in _ENDED_VI:
            reason = dossier.ended.get("reason")
            notes.append(f"{_ENDED_VI[dossier.ended['action']]}: {reason}" if reason else _ENDED_VI[
                dossier.ended["action"]])
        entry = entry_number(dossier.code)
        receipt = dossier.receipt or {}
        rows.append(RegisterRow(
            ordinal=ordinal, entry="-".join(entry) if entry else "", code=dossier.code,
            applicant=dossier.applicant.get("full_name") or dossier.applicant.get("name") or "",
            procedure=(receipt.get("procedure") or {}).get("name_vi") or dossier.procedure_code,
            received_at=local(dossier.received_at), appointment=dossier.due_date,
            returned_at=_returned_at(dossier), status=STATUSES[dossier.status].name_vi, timeliness=timeliness,
            note="; ".join(notes)))
    return rows
