"""Desk queue tickets against moto in-process (docs/queue.md): each change lands with its event, "call next" never
gives one ticket to two officers, and the desk's and the display's reads are bounded queries of one day's partitions.
Each test works on a day of its own, so the lines it reads hold only its tickets."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.domain.errors import Conflict, Forbidden, NotFound, ValidationFailed
from chalicelib.domain.principal import Principal
from chalicelib.domain.states import Role
from chalicelib.domain.tickets import TicketStatus
from chalicelib.services.tickets import TicketService
from chalicelib.store.models import EventModel, TicketModel

from .conftest import AGENCY, OTHER_AGENCY, officer, submitted

LABOUR, MERIT = "lao-dong-viec-lam", "nguoi-co-cong"
SPECIALIST = Principal("spec-1", "specialist.hanoi", frozenset({Role.SPECIALIST}), AGENCY, unit="viec-lam")


def morning(day: int) -> datetime:
    """08:00 in Hà Nội on a day of December 2026 of the test's own."""
    return datetime(2026, 12, day, 1, 0, tzinfo=UTC)


@pytest.fixture()
def service(provisioned):
    return TicketService()


def events_of(ticket_id: str) -> list[str]:
    return [e.type for e in EventModel.query(f"TQ#{ticket_id}", consistent_read=True)]


def test_a_visit_is_written_with_its_events_and_a_stale_write_changes_nothing(service):
    at = morning(1)
    ticket, ahead = service.take(AGENCY, MERIT, at)
    assert (ticket.number, ahead) == ("B001", 0)
    desk = officer()
    called = service.call_next(desk, "3", None, at + timedelta(minutes=9))
    assert (called.id, called.counter, called.waiting_minutes) == (ticket.id, "3", 9)
    with pytest.raises(Conflict):  # written over the version first read: someone moved it meanwhile
        service.store.save(called, ticket.version, _event_like(called))
    service.step(desk, ticket.id, "serve", at + timedelta(minutes=10))
    code = submitted().code
    closed = service.step(desk, ticket.id, "done", at + timedelta(minutes=25), code.lower())
    assert (closed.status, closed.service_minutes, closed.dossier_code) == (TicketStatus.DONE, 15, code)
    assert events_of(ticket.id) == ["ticket.taken", "ticket.called", "ticket.started", "ticket.served"]
    with pytest.raises(Conflict) as refused:
        service.step(desk, ticket.id, "no_show", at + timedelta(minutes=26))
    assert refused.value.detail_code == "ticket_step_not_allowed"


def _event_like(ticket):
    from chalicelib.domain.tickets import TicketEvent
    from chalicelib.services.tickets import PUBLIC_ACTOR, _event

    return _event(ticket, TicketEvent.RECALLED, PUBLIC_ACTOR, datetime.now(UTC))


def test_numbers_run_per_service_and_call_next_takes_the_oldest_of_any_line_or_of_the_one_asked(service):
    at = morning(2)
    first, _ = service.take(AGENCY, LABOUR, at)
    merit, _ = service.take(AGENCY, MERIT, at + timedelta(minutes=1))
    second, ahead = service.take(AGENCY, LABOUR, at + timedelta(minutes=2))
    assert (first.number, merit.number, second.number, ahead) == ("A001", "B001", "A002", 1)
    assert service.read(second.id)[1] == 1
    desk = officer()
    assert service.call_next(desk, "1", MERIT, at + timedelta(minutes=3)).id == merit.id
    assert service.read(second.id)[1] == 1, "another line's call moves nobody ahead"
    assert service.call_next(desk, "1", None, at + timedelta(minutes=4)).id == first.id
    assert service.read(second.id)[1] == 0
    assert service.call_next(desk, "1", None, at + timedelta(minutes=5)).id == second.id
    assert service.read(second.id)[1] is None  # called: nobody ahead any more
    with pytest.raises(NotFound) as empty:
        service.call_next(desk, "1", None, at + timedelta(minutes=6))
    assert empty.value.detail_code == "queue_empty"


def test_an_officer_who_loses_the_first_ticket_to_another_counter_gets_the_next_one(service, monkeypatch):
    """The race made certain: officer 1 reads the first waiting ticket, officer 2 calls it before officer 1 writes."""
    at = morning(3)
    first, _ = service.take(AGENCY, LABOUR, at)
    second, _ = service.take(AGENCY, LABOUR, at + timedelta(seconds=30))
    one, two = officer(), officer()
    real_save = service.store.save
    raced: list = []

    def save_after_the_other(ticket, read_version, event):
        if not raced:
            raced.append(TicketService().call_next(two, "2", None, at + timedelta(minutes=1)))
        return real_save(ticket, read_version, event)

    monkeypatch.setattr(service.store, "save", save_after_the_other)
    mine = service.call_next(one, "1", None, at + timedelta(minutes=1))
    assert (raced[0].id, raced[0].counter) == (first.id, "2")
    assert (mine.id, mine.counter) == (second.id, "1")
    assert events_of(first.id) == ["ticket.taken", "ticket.called"]  # called once, by the winner


def test_officers_calling_at_once_never_get_the_same_ticket(service):
    at = morning(4)
    taken = [service.take(AGENCY, LABOUR if i % 2 else MERIT, at + timedelta(seconds=i))[0] for i in range(8)]
    counters = [officer() for _ in range(4)]
    start = threading.Barrier(len(counters))
    got: list[str] = []
    errors: list[BaseException] = []

    def work(desk, number):
        try:
            start.wait()
            for _ in range(2):
                got.append(TicketService().call_next(desk, str(number), None, at + timedelta(minutes=5)).id)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(desk, n)) for n, desk in enumerate(counters, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(got) == sorted(t.id for t in taken)  # each ticket called exactly once
    assert all(events_of(t.id).count("ticket.called") == 1 for t in taken)


def test_the_desk_and_the_display_read_bounded_queries_of_the_days_partitions_only(service, monkeypatch):
    at = morning(5)
    for i in range(55):
        service.take(AGENCY, LABOUR, at + timedelta(seconds=i))
    service.take(AGENCY, MERIT, at + timedelta(minutes=1))
    service.take(OTHER_AGENCY, LABOUR, at)  # another agency's line is not read
    desk = officer()
    for counter in ("1", "2", "3"):
        service.call_next(desk, counter, LABOUR, at + timedelta(minutes=2))

    def no_scan(*args, **kwargs):
        raise AssertionError("a request path scanned the table")

    monkeypatch.setattr(TicketModel, "scan", no_scan)
    queue = service.desk_queue(desk, at + timedelta(minutes=3))
    lines = {line["service"]: line for line in queue["lines"]}
    assert lines[LABOUR]["waiting_count"] == 52 and len(lines[LABOUR]["waiting"]) == 50
    assert lines[LABOUR]["waiting"][0]["number"] == "A004"
    assert [row["number"] for row in lines[MERIT]["waiting"]] == ["B001"]
    assert {row["counter"] for row in queue["in_service"]} == {"1", "2", "3"}
    shown = service.display(AGENCY, at + timedelta(minutes=3))
    assert [row["number"] for row in shown["now"]] == ["A003", "A002", "A001"]  # the latest call first
    for i in range(12):
        called = service.call_next(desk, "1", LABOUR, at + timedelta(minutes=4, seconds=i))
        service.step(desk, called.id, "no_show", at + timedelta(minutes=4, seconds=i, milliseconds=500))
    shown = service.display(AGENCY, at + timedelta(minutes=5))
    assert len(shown["recent"]) == 10 and shown["recent"][0]["number"] == "A015"
    assert [row["number"] for row in shown["now"]] == ["A003", "A002", "A001"]  # closed tickets leave the counters
    assert service.display(AGENCY, at + timedelta(days=1))["now"] == []  # a new day, a new display


def test_only_the_agencys_desk_staff_work_its_queue_and_a_dossier_named_must_be_the_agencys(service):
    at = morning(6)
    ticket, _ = service.take(AGENCY, LABOUR, at)
    with pytest.raises(Forbidden):
        service.call_next(SPECIALIST, "1", None, at)
    with pytest.raises(NotFound):  # another agency's officer: not theirs
        service.step(officer(OTHER_AGENCY), ticket.id, "recall", at)
    called = service.call_next(officer(), "1", None, at + timedelta(minutes=1))
    with pytest.raises(ValidationFailed) as unknown:
        service.step(officer(), called.id, "done", at + timedelta(minutes=2), "000.00.20.H29-261206-0001")
    assert [(e.field, e.code) for e in unknown.value.errors] == [("dossier_code", "queue.dossier_not_of_agency")]
    with pytest.raises(ValidationFailed) as bad:
        service.take(AGENCY, "no-such-service", at)
    assert [(e.field, e.code) for e in bad.value.errors] == [("service", "queue.service_unknown")]
