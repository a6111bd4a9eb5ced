"""The register's rows (chalicelib/domain/register.py): the dossiers received, oldest first, each with its
entry, dates, status and whether its handling ended on time."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime

from chalicelib.domain import transitions as rules
from chalicelib.domain.calendar import LOCAL_TZ, WorkingCalendar
from chalicelib.domain.register import LATE, ON_TIME, PENDING, register_rows
from chalicelib.domain.states import Action

from .test_forms import (
    CITIZEN,
    LEADER,
    RECEIVED_AT,
    SPECIALIST,
    STOP_REASON,
    asked_during_processing,
    received,
    refused,
    returned,
    stopped,
)


def _coded(dossier, sequence: int, received_at: datetime | None = None):
    changed = dataclasses.replace(dossier, code=f"{dossier.code[:-4]}{sequence:04d}")
    return dataclasses.replace(changed, received_at=received_at) if received_at else changed


def test_rows_follow_the_receipt_and_leave_out_dossiers_never_received():
    late_comer = _coded(received(), 3, datetime(2026, 3, 5, 2, 0, tzinfo=LOCAL_TZ))
    rows = register_rows([late_comer, refused(), _coded(stopped(), 2)])
    assert [(r.ordinal, r.code[-4:], r.entry) for r in rows] == [(1, "0002", "260302-0002"),
                                                                (2, "0003", "260302-0003")]


def test_a_row_holds_the_applicant_the_procedure_and_the_dates_in_vietnams_time():
    (row,) = register_rows([returned()])
    assert (row.applicant, row.procedure) == ("Nguyễn Thị Hồng Nhung", "Giải quyết hưởng trợ cấp thất nghiệp")
    assert row.received_at == datetime(2026, 3, 3, 8, 40, tzinfo=LOCAL_TZ)
    assert row.appointment == date(2026, 4, 7), "the date promised to the applicant, moved by the apology"
    assert row.returned_at == datetime(2026, 4, 6, 9, 0, tzinfo=LOCAL_TZ)
    assert row.status == "Đã trả kết quả"


def test_a_decision_after_the_rules_date_is_late_by_the_working_days_it_ran_over():
    # Decided on Friday 3 April 2026 against the rules' 31 March: the apology's 7 April does not count.
    (with_calendar,) = register_rows([returned()], WorkingCalendar())
    assert (with_calendar.timeliness, with_calendar.timeliness_vi) == (LATE, "Trễ hạn")
    assert "Trễ hạn 3 ngày làm việc" in with_calendar.note
    assert "Đã xin lỗi, hẹn lại ngày 07/04/2026" in with_calendar.note
    (without,) = register_rows([returned()])
    assert "Trễ hạn 3 ngày" in without.note


def test_an_end_by_the_rules_date_is_on_time_and_says_why_it_ended():
    (row,) = register_rows([stopped()])
    assert row.timeliness == ON_TIME and row.status == "Dừng xử lý"
    assert f"Dừng giải quyết: {STOP_REASON}" in row.note and row.returned_at is None


def test_a_second_supplement_request_makes_the_dossier_late_whatever_its_dates():
    # Asked at the desk, then again during processing; decided on 10 March, well before the 31st.
    resumed = rules.resubmit(asked_during_processing(), CITIZEN, RECEIVED_AT.replace(day=6), [], "")[0]
    proposed = rules.act(resumed, SPECIALIST, Action.PROPOSE, RECEIVED_AT.replace(day=9), date(2026, 3, 9),
                         {"assessment": "Đủ điều kiện", "proposal": "approve"},
                         {"kind": "leader", "unit": "viec-lam"})[0]
    approved = rules.act(proposed, LEADER, Action.APPROVE, RECEIVED_AT.replace(day=10), date(2026, 3, 10),
                         {"note": ""})[0]
    (row,) = register_rows([approved])
    assert row.timeliness == LATE and "Trễ hạn" not in row.note and "Yêu cầu bổ sung 2 lần" in row.note


def test_an_open_dossier_is_pending_and_flagged_once_past_its_appointment():
    (row,) = register_rows([received()], today=date(2026, 3, 31))
    assert (row.timeliness, row.timeliness_vi, row.note) == (PENDING, "Đang giải quyết", "Yêu cầu bổ sung 1 lần")
    (late,) = register_rows([received()], today=date(2026, 4, 1))
    assert late.timeliness == PENDING and "Đã quá hạn hẹn trả (31/03/2026)" in late.note
