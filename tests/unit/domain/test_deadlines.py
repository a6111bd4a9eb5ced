"""The deadline watch and the apology letter (form 04): when a dossier is about to be late or is late,
and the once-only apology that moves its appointment date."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, time, timedelta

import pytest

from chalicelib.api import schemas, validation
from chalicelib.domain import transitions as rules
from chalicelib.domain.calendar import LOCAL_TZ, WorkingCalendar
from chalicelib.domain.deadlines import DUE_SOON, OVERDUE, deadline_state
from chalicelib.domain.errors import Forbidden, TransitionNotAllowed, ValidationFailed
from chalicelib.domain.principal import Principal
from chalicelib.domain.states import Action, Role, Status
from chalicelib.domain.times import iso
from chalicelib.services.deadlines import SCANNER
from chalicelib.services.dossiers import DossierService

from .test_dossier_rules import ADMIN, AGENCY, CITIZEN, OFFICER, T0
from .test_processing_rules import (
    DUE,
    LEADER,
    OUTSIDER,
    PAYMENT,
    SPECIALIST,
    TODAY,
    _assigned,
    _fee_requested,
    _received,
    _transferred,
)

CALENDAR = WorkingCalendar()
SYSTEM = Principal(id="system:test", username="scan", roles=frozenset({Role.SYSTEM}))
LATE = DUE + timedelta(days=1)  # Tuesday 17 March 2026, the day after the appointment
NOW = T0 + timedelta(days=15)
REASON = "Cần xác minh thêm với cơ quan quản lý xuất nhập cảnh"


# --- deadline_state -----------------------------------------------------------------------------

@pytest.mark.parametrize("warning", [0, 1, 3])
def test_the_appointment_day_itself_is_due_soon(warning):
    assert deadline_state(date(2026, 3, 4), date(2026, 3, 4), CALENDAR, warning) == DUE_SOON


def test_one_working_day_left_is_due_soon_with_a_warning_of_one():
    # Monday 2 March 2026 -> Tuesday 3 March: one working day left.
    assert deadline_state(date(2026, 3, 3), date(2026, 3, 2), CALENDAR, 1) == DUE_SOON
    assert deadline_state(date(2026, 3, 3), date(2026, 3, 2), CALENDAR, 0) is None


def test_two_working_days_left_is_not_yet_due_soon_with_a_warning_of_one():
    assert deadline_state(date(2026, 3, 4), date(2026, 3, 2), CALENDAR, 1) is None
    assert deadline_state(date(2026, 3, 4), date(2026, 3, 2), CALENDAR, 2) == DUE_SOON


def test_the_day_after_the_appointment_is_overdue():
    assert deadline_state(date(2026, 3, 3), date(2026, 3, 4), CALENDAR, 1) == OVERDUE
    assert deadline_state(date(2026, 3, 3), date(2026, 3, 4), CALENDAR, 100) == OVERDUE


def test_a_friday_appointment_checked_on_saturday_is_overdue():
    friday, saturday = date(2026, 3, 6), date(2026, 3, 7)
    assert (friday.weekday(), saturday.weekday()) == (4, 5)
    assert deadline_state(friday, saturday, CALENDAR, 1) == OVERDUE
    assert deadline_state(friday, saturday + timedelta(days=1), CALENDAR, 1) == OVERDUE


def test_a_monday_appointment_is_due_soon_from_the_friday_before():
    # Friday 6 March -> Monday 9 March: the weekend does not count, one working day remains.
    assert deadline_state(date(2026, 3, 9), date(2026, 3, 6), CALENDAR, 1) == DUE_SOON
    assert deadline_state(date(2026, 3, 9), date(2026, 3, 5), CALENDAR, 1) is None
    assert deadline_state(date(2026, 3, 9), date(2026, 3, 7), CALENDAR, 1) == DUE_SOON  # checked on Saturday


def test_the_holidays_before_an_appointment_do_not_count_as_working_days():
    # 30 April (Reunification Day) and 1 May (Labour Day) 2026 are holidays, 2-3 May a weekend: from
    # Wednesday 29 April the only working day up to Monday 4 May is 4 May itself.
    for holiday in (date(2026, 4, 30), date(2026, 5, 1)):
        assert CALENDAR.is_public_holiday(holiday)
    assert CALENDAR.count_working_days(date(2026, 4, 29), date(2026, 5, 4)) == 1
    assert deadline_state(date(2026, 5, 4), date(2026, 4, 29), CALENDAR, 1) == DUE_SOON
    # From Tuesday 28 April two working days remain (29 April and 4 May).
    assert deadline_state(date(2026, 5, 4), date(2026, 4, 28), CALENDAR, 1) is None
    assert deadline_state(date(2026, 5, 4), date(2026, 4, 28), CALENDAR, 2) == DUE_SOON
    # A holiday is a day like any other for lateness: due on 29 April, late on 30 April.
    assert deadline_state(date(2026, 4, 29), date(2026, 4, 30), CALENDAR, 1) == OVERDUE


@pytest.mark.parametrize("warning", [0, 1, 2, 5])
def test_due_soon_is_exactly_the_scans_index_range_up_to_the_horizon(warning):
    """The scan reads due dates up to add_working_days(today, warning): for appointment dates (working
    days, as the calendar computes them) everything in that range not yet late is due soon, nothing after it.
    Checked on every day, working or not, from April to July 2026 (30 April, 1 May and weekends included)."""
    for offset in range(0, 120):
        today = date(2026, 4, 1) + timedelta(days=offset)
        horizon = CALENDAR.add_working_days(today, warning)
        for due in (today + timedelta(days=k) for k in range(-3, 20)):
            if not CALENDAR.is_working_day(due):
                continue
            state = deadline_state(due, today, CALENDAR, warning)
            if due < today:
                assert state == OVERDUE, (due, today)
            elif due <= horizon:
                assert state == DUE_SOON, (due, today, horizon)
            else:
                assert state is None, (due, today, horizon)


# --- flags ----------------------------------------------------------------------------------------

def _flagged(dossier=None, action: Action = Action.FLAG_OVERDUE, principal: Principal = SYSTEM):
    dossier = dossier or _received()
    return rules.act(dossier, principal, action, NOW, LATE,
                     {"due_date": dossier.due_date.isoformat(), "as_of": LATE.isoformat()})


def test_the_scan_flags_a_dossier_without_changing_its_status():
    received = _received()
    soon, soon_event = _flagged(received, Action.FLAG_DUE_SOON)
    assert (soon.status, soon.deadline_alert, soon.version) == (Status.RECEIVED, "due_soon", received.version + 1)
    assert soon_event.type == "dossier.due_soon"
    assert soon_event.payload["status"] == soon_event.payload["previous_status"] == "received"
    assert soon_event.actor["role"] == "system"
    late, late_event = _flagged(soon, Action.FLAG_OVERDUE)
    assert late.deadline_alert == "overdue" and late_event.type == "dossier.overdue"
    assert late.due_date == DUE and late.control_slip == received.control_slip
    assert received.deadline_alert is None, "the input is not changed"


def test_the_scanner_used_by_the_service_is_a_system_principal():
    assert SCANNER.roles == frozenset({Role.SYSTEM})
    assert _flagged(principal=SCANNER)[0].deadline_alert == "overdue"


@pytest.mark.parametrize("principal", [OFFICER, LEADER, SPECIALIST, ADMIN, CITIZEN], ids=lambda p: p.username)
def test_people_cannot_flag_a_dossier(principal):
    for action in (Action.FLAG_DUE_SOON, Action.FLAG_OVERDUE):
        with pytest.raises(Forbidden) as caught:
            _flagged(_assigned(), action, principal)
        assert caught.value.detail_code == "role_not_allowed"


def test_an_ended_dossier_is_not_flagged():
    approved = dataclasses.replace(_received(), status=Status.APPROVED)
    with pytest.raises(TransitionNotAllowed):
        _flagged(approved)


# --- the apology letter -------------------------------------------------------------------------

def _apologise(dossier, principal: Principal = OFFICER, new_due: date = DUE + timedelta(days=5),
               reason: str = REASON):
    return rules.act(dossier, principal, Action.APOLOGISE, NOW, LATE, {"reason": reason}, due_date=new_due)


def test_an_apology_moves_the_appointment_and_records_form_04():
    flagged = _flagged()[0]
    new_due = date(2026, 3, 23)
    apologised, event = _apologise(flagged, new_due=new_due)
    assert event.type == "dossier.apology_issued" and event.seq == apologised.version == flagged.version + 1
    assert apologised.status == Status.RECEIVED and event.payload["status"] == "received"
    assert apologised.due_date == new_due
    assert event.payload["previous_due_date"] == DUE.isoformat()
    assert event.payload["due_date"] == new_due.isoformat()
    assert event.payload["due_date_reason"].startswith("apologise")
    assert event.payload["reason"] == REASON
    (letter,) = apologised.apologies
    assert letter["form"] == "04" and letter["reason"] == REASON
    assert (letter["previous_due_date"], letter["new_due_date"]) == (DUE.isoformat(), new_due.isoformat())
    assert letter["at"] == iso(NOW) and letter["by"]["id"] == OFFICER.id and letter["by"]["role"] == "officer"
    assert apologised.deadline_alert is None, "the new date starts the watch afresh"
    # The desk's open step waited for the same date: it gets the new one too.
    assert apologised.control_slip[-1]["due_date"] == new_due.isoformat()
    assert flagged.apologies == [] and flagged.due_date == DUE


def test_an_apology_needs_a_deadline_alert():
    with pytest.raises(TransitionNotAllowed) as caught:
        _apologise(_received())
    assert caught.value.params == {"status": "received", "action": "apologise"}
    assert caught.value.allowed_actions == ["transfer"], "what the officer can do instead, apology excluded"


def test_a_due_soon_flag_is_enough_for_an_apology():
    soon = _flagged(action=Action.FLAG_DUE_SOON)[0]
    assert _apologise(soon)[0].apologies[0]["form"] == "04"


def test_only_one_apology_unless_an_admin_allows_another():
    first = _apologise(_flagged()[0], new_due=date(2026, 3, 23))[0]
    # Not flagged any more: refused...
    with pytest.raises(TransitionNotAllowed):
        _apologise(first, new_due=date(2026, 3, 30))
    # ...and flagged again, still refused: the one letter allowed was written.
    late_again = _flagged(first)[0]
    assert late_again.deadline_alert == "overdue"
    with pytest.raises(TransitionNotAllowed) as caught:
        _apologise(late_again, new_due=date(2026, 3, 30))
    assert "apologise" not in caught.value.allowed_actions
    allowed, allow_event = rules.act(late_again, ADMIN, Action.ALLOW_APOLOGY, NOW, LATE,
                                     {"reason": "Chủ tịch UBND đồng ý gia hạn lần hai"})
    assert allow_event.type == "dossier.apology_allowed" and allow_event.actor["role"] == "admin"
    assert (allowed.apology_allowance, allowed.status, allowed.due_date) == (2, Status.RECEIVED, date(2026, 3, 23))
    second = _apologise(allowed, new_due=date(2026, 3, 30))[0]
    assert [a["new_due_date"] for a in second.apologies] == ["2026-03-23", "2026-03-30"]
    assert second.apologies[1]["previous_due_date"] == "2026-03-23"
    # The second allowance is used up too.
    with pytest.raises(TransitionNotAllowed):
        _apologise(_flagged(second)[0], new_due=date(2026, 4, 6))


def test_allowing_another_apology_does_not_by_itself_permit_one_without_a_flag():
    first = _apologise(_flagged()[0])[0]
    allowed = rules.act(first, ADMIN, Action.ALLOW_APOLOGY, NOW, LATE, {"reason": "x"})[0]
    with pytest.raises(TransitionNotAllowed):
        _apologise(allowed, new_due=DUE + timedelta(days=10))


def test_the_scanner_cannot_apologise_nor_allow_an_apology():
    flagged = _flagged()[0]
    for action, details in ((Action.APOLOGISE, {"reason": REASON}), (Action.ALLOW_APOLOGY, {"reason": "x"})):
        with pytest.raises(Forbidden) as caught:
            rules.act(flagged, SCANNER, action, NOW, LATE, details, due_date=DUE + timedelta(days=5))
        assert caught.value.detail_code == "role_not_allowed"


def test_staff_cannot_allow_more_apologies_and_citizens_cannot_apologise():
    flagged = _flagged()[0]
    for principal in (OFFICER, LEADER, SPECIALIST, CITIZEN):
        with pytest.raises(Forbidden):
            rules.act(flagged, principal, Action.ALLOW_APOLOGY, NOW, LATE, {"reason": "x"})
    with pytest.raises(Forbidden):
        _apologise(flagged, CITIZEN)


def test_leaders_and_specialists_apologise_only_within_their_scope():
    assigned = _flagged(_assigned())[0]
    assert _apologise(assigned, LEADER)[0].apologies[0]["by"]["role"] == "leader"
    assert _apologise(assigned, SPECIALIST)[0].apologies[0]["by"]["role"] == "specialist"
    with pytest.raises(Forbidden) as caught:
        _apologise(assigned, OUTSIDER)
    assert caught.value.detail_code == "not_assignee"
    with pytest.raises(Forbidden) as unit:
        _apologise(_flagged(_received())[0], LEADER)  # still at the desk: not the unit's yet
    assert unit.value.detail_code == "wrong_unit"


def test_an_apology_on_a_transferred_dossier_moves_the_units_step_only_if_it_had_the_same_date():
    transferred = _flagged(_transferred(step_due="2026-03-10"))[0]
    apologised = _apologise(transferred, new_due=date(2026, 3, 20))[0]
    assert apologised.due_date == date(2026, 3, 20)
    assert apologised.control_slip[-1]["due_date"] == "2026-03-10", "the unit's own step date stays"


# --- a paid fee moves the appointment too -------------------------------------------------------

def test_a_dossier_waiting_for_its_fee_is_watched_too():
    waiting = _flagged(_fee_requested())[0]
    assert (waiting.status, waiting.deadline_alert) == (Status.FEE_REQUESTED, "overdue")


def test_a_payment_that_moves_the_appointment_starts_the_watch_afresh():
    late_while_waiting = _flagged(_fee_requested())[0]
    new_due = DUE + timedelta(days=14)
    resumed, event = rules.act(late_while_waiting, OFFICER, Action.RECORD_PAYMENT, NOW, LATE, PAYMENT,
                               due_date=new_due)
    assert resumed.due_date == new_due and event.payload["due_date"] == new_due.isoformat()
    assert deadline_state(new_due, LATE, CALENDAR, 1) is None, "not late any more"
    assert resumed.deadline_alert is None


# --- the service: a new appointment date must be later ------------------------------------------

class _OneDossier:
    def __init__(self, dossier) -> None:
        self.dossier, self.applied = dossier, []

    def get(self, dossier_id):
        return self.dossier if dossier_id == self.dossier.id else None

    def apply(self, expected_version, dossier, event, upload_ids=(), upload_owner=None, upload_updates=None,
              extra_items=()):
        self.applied.append((expected_version, dossier, event))


def _service(dossier) -> DossierService:
    service = DossierService.__new__(DossierService)
    service.store = _OneDossier(dossier)
    return service


@pytest.mark.parametrize("new_due", [DUE, DUE - timedelta(days=1)], ids=["same-day", "earlier"])
def test_the_service_refuses_a_new_date_that_is_not_later(new_due):
    flagged = _flagged()[0]
    service = _service(flagged)
    request = validation.parse(schemas.Apologise, {"new_due_date": new_due.isoformat(), "reason": REASON})
    with pytest.raises(ValidationFailed) as caught:
        service.process(OFFICER, flagged.id, Action.APOLOGISE, request, NOW)
    (error,) = caught.value.errors
    assert (error.field, error.code, error.params) == ("new_due_date", "apology.date_not_later",
                                                      {"due_date": DUE.isoformat()})
    assert service.store.applied == []


def test_the_service_refuses_a_new_date_already_past():
    flagged = _flagged()[0]
    assert flagged.due_date == date(2026, 3, 16)
    service = _service(flagged)
    friday = _hanoi(date(2026, 3, 20))
    request = validation.parse(schemas.Apologise, {"new_due_date": "2026-03-18", "reason": REASON})
    with pytest.raises(ValidationFailed) as caught:
        service.process(OFFICER, flagged.id, Action.APOLOGISE, request, friday)
    assert [e.field for e in caught.value.errors] == ["new_due_date"]
    assert service.store.applied == []


def _hanoi(day: date) -> datetime:
    return datetime.combine(day, time(10), tzinfo=LOCAL_TZ)


def test_the_service_writes_the_apology_with_the_new_date():
    flagged = _flagged()[0]
    service = _service(flagged)
    request = validation.parse(schemas.Apologise, {"new_due_date": "2026-03-20", "reason": REASON})
    changed = service.process(OFFICER, flagged.id, Action.APOLOGISE, request, NOW)
    ((expected_version, stored, event),) = service.store.applied
    assert expected_version == flagged.version and stored is changed
    assert changed.due_date == date(2026, 3, 20) and event.payload["reason"] == REASON
    assert "new_due_date" not in event.payload, "the date is recorded once, as due_date"
    assert changed.agency_code == AGENCY and changed.due_date > TODAY


def test_the_apology_schema_requires_a_date_and_a_reason():
    for body in ({"reason": REASON}, {"new_due_date": "2026-03-20"}, {"new_due_date": "20/03/2026", "reason": "x"},
                 {"new_due_date": "2026-03-20", "reason": ""},
                 {"new_due_date": "2026-03-20", "reason": "x", "extra": 1}):
        with pytest.raises(ValidationFailed):
            validation.parse(schemas.Apologise, body)
    assert validation.parse(schemas.Apologise, {"new_due_date": "2026-03-20", "reason": "x"}).new_due_date == \
        date(2026, 3, 20)
