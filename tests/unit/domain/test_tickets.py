"""Desk queue tickets (docs/queue.md): numbering, the steps of a visit, its minutes and what its events count."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from chalicelib.domain import tickets as rules
from chalicelib.domain.agencies import agency
from chalicelib.domain.metric_facts import METRIC_EVENT_TYPES, FoldState, facts_after
from chalicelib.domain.tickets import StepNotAllowed, TicketEvent, TicketStatus

HANOI = "000.00.20.H26"
TAKEN = datetime(2026, 11, 30, 1, 5, 10, tzinfo=UTC)  # 08:05:10 in Hà Nội
OFFICER = {"id": "sub-1", "username": "officer.hanoi", "name": "Lê Thị Hoa"}


def _ticket(sequence: int = 7):
    return rules.take("01JDESK0000000000000000000", HANOI, rules.service(HANOI, "nguoi-co-cong"), sequence, TAKEN,
                      "2026-11-30")


def test_every_agency_of_the_list_has_desk_services_with_a_letter_of_its_own():
    for code in rules.agencies_with_queue():
        assert agency(code) is not None, code
        prefixes = [s.prefix for s in rules.services(code)]
        assert prefixes and len(set(prefixes)) == len(prefixes), code
        assert all(len(p) == 1 and p.isupper() for p in prefixes)
    names = [s.name_vi for s in rules.services(HANOI)]
    assert names[:3] == ["Lao động - việc làm", "Người có công", "Bảo trợ xã hội"]
    assert rules.service(HANOI, "no-such") is None and rules.services("000.00.00.X99") == ()


def test_a_number_is_the_services_letter_and_the_days_sequence_in_three_digits():
    assert rules.ticket_number("B", 7) == "B007"
    assert rules.ticket_number("A", 999) == "A999" and rules.ticket_number("A", 1000) == "A1000"
    ticket = _ticket()
    assert (ticket.number, ticket.status, ticket.day, ticket.version) == ("B007", TicketStatus.WAITING, "2026-11-30", 1)
    assert ticket.aggregate_id == "TQ#01JDESK0000000000000000000"


def test_a_visit_goes_from_waiting_to_called_serving_and_done_with_its_minutes():
    ticket = _ticket()
    called = rules.call(ticket, "3", OFFICER, TAKEN + timedelta(minutes=12, seconds=29))
    assert (called.status, called.counter, called.calls, called.version, called.seq) == (
        TicketStatus.CALLED, "3", 1, 2, 2)
    assert called.waiting_minutes == 12  # 12 min 29 s: the nearest whole minute
    again = rules.recall(called, OFFICER, TAKEN + timedelta(minutes=15))
    assert (again.calls, again.waiting_minutes) == (2, 12), "the wait ends at the first call"
    serving = rules.serve(again, OFFICER, TAKEN + timedelta(minutes=16))
    closed = rules.done(serving, OFFICER, TAKEN + timedelta(minutes=24, seconds=40), "000.00.20.H26-261130-0004")
    assert (closed.status, closed.service_minutes, closed.dossier_code) == (
        TicketStatus.DONE, 9, "000.00.20.H26-261130-0004")  # 8 min 40 s from the start of serving


def test_closed_straight_from_the_call_its_service_time_runs_from_the_call():
    called = rules.call(_ticket(), "1", OFFICER, TAKEN + timedelta(minutes=5))
    closed = rules.done(called, OFFICER, TAKEN + timedelta(minutes=11))
    assert closed.service_minutes == 6 and closed.dossier_code == ""


def test_minutes_are_whole_rounded_half_up_and_never_negative():
    assert rules.minutes_between(TAKEN, TAKEN + timedelta(seconds=29)) == 0
    assert rules.minutes_between(TAKEN, TAKEN + timedelta(seconds=30)) == 1
    assert rules.minutes_between(TAKEN, TAKEN - timedelta(seconds=40)) == 0


@pytest.mark.parametrize(("status_of", "step"), [
    (lambda t: t, "recall"), (lambda t: t, "serve"), (lambda t: t, "done"), (lambda t: t, "no_show"),
    (lambda t: rules.call(t, "1", OFFICER, TAKEN), "call"),
    (lambda t: rules.serve(rules.call(t, "1", OFFICER, TAKEN), OFFICER, TAKEN), "no_show"),
    (lambda t: rules.no_show(rules.call(t, "1", OFFICER, TAKEN), OFFICER, TAKEN), "done"),
])
def test_a_step_out_of_turn_is_refused(status_of, step):
    ticket = status_of(_ticket())
    take = {"call": lambda: rules.call(ticket, "1", OFFICER, TAKEN),
            "recall": lambda: rules.recall(ticket, OFFICER, TAKEN),
            "serve": lambda: rules.serve(ticket, OFFICER, TAKEN), "done": lambda: rules.done(ticket, OFFICER, TAKEN),
            "no_show": lambda: rules.no_show(ticket, OFFICER, TAKEN)}[step]
    with pytest.raises(StepNotAllowed):
        take()
    assert step not in rules.allowed_steps(ticket)


def test_the_allowed_steps_follow_the_status():
    called = rules.call(_ticket(), "1", OFFICER, TAKEN)
    assert rules.allowed_steps(_ticket()) == []
    assert rules.allowed_steps(called) == ["recall", "serve", "done", "no_show"]
    assert rules.allowed_steps(rules.serve(called, OFFICER, TAKEN)) == ["done"]


def _event(ticket, event_type: TicketEvent, at: datetime, actor: dict | None = None) -> dict:
    return {"type": event_type.value, "at": at.isoformat(), "actor": actor or {},
            "payload": rules.event_payload(ticket, event_type)}


def _counted(event: dict) -> dict[tuple[str, str | None], float]:
    found: dict[tuple[str, str | None], float] = {}
    for fact in facts_after(FoldState(), event):
        assert (fact.agency, fact.procedure, fact.unit) == (HANOI, "", None)
        found[(fact.counter, fact.officer)] = found.get((fact.counter, fact.officer), 0) + fact.delta
    return found


def test_the_events_carry_the_minutes_so_each_counts_without_state_on_its_local_day():
    ticket = _ticket()
    called = rules.call(ticket, "3", OFFICER, TAKEN + timedelta(minutes=14))
    served = rules.done(rules.serve(called, OFFICER, TAKEN + timedelta(minutes=15)), OFFICER,
                        TAKEN + timedelta(minutes=22), "000.00.20.H26-261130-0004")
    assert _counted(_event(ticket, TicketEvent.TAKEN, TAKEN)) == {("visits", None): 1}
    assert _counted(_event(called, TicketEvent.CALLED, TAKEN + timedelta(minutes=14))) == {
        ("visits_called", None): 1, ("waiting_minutes", None): 14}
    assert _counted(_event(served, TicketEvent.SERVED, TAKEN, {"username": "officer.hanoi"})) == {
        ("visits_served", "officer.hanoi"): 1, ("service_minutes", "officer.hanoi"): 7,
        ("visits_with_dossier", "officer.hanoi"): 1}
    no_show = rules.no_show(called, OFFICER, TAKEN + timedelta(minutes=20))
    assert _counted(_event(no_show, TicketEvent.NO_SHOW, TAKEN)) == {("visits_no_show", None): 1}
    # A call at once waits 0 minutes: the visit counts, no minutes row is written.
    at_once = rules.call(ticket, "3", OFFICER, TAKEN + timedelta(seconds=10))
    assert _counted(_event(at_once, TicketEvent.CALLED, TAKEN)) == {("visits_called", None): 1}
    # 23:50 in Hà Nội on 31 December is still that year's day.
    late = _event(ticket, TicketEvent.TAKEN, datetime(2026, 12, 31, 16, 50, tzinfo=UTC))
    assert facts_after(FoldState(), late)[0].day == date(2026, 12, 31)


def test_only_the_events_that_count_are_delivered_to_the_metrics():
    assert {TicketEvent.TAKEN, TicketEvent.CALLED, TicketEvent.SERVED, TicketEvent.NO_SHOW} <= METRIC_EVENT_TYPES
    assert TicketEvent.RECALLED not in METRIC_EVENT_TYPES and TicketEvent.STARTED not in METRIC_EVENT_TYPES
    called = rules.call(_ticket(), "3", OFFICER, TAKEN)
    for kind in (TicketEvent.RECALLED, TicketEvent.STARTED):
        assert facts_after(FoldState(), _event(called, kind, TAKEN)) == []
