"""Desk queue tickets (lấy số thứ tự tại Bộ phận Một cửa): the rules of one visit, pure.

A person takes a ticket for one of an agency's desk services (`chalicelib/data/desk_services.json`); an officer calls
it to a counter, may call it again, serves it and closes it (optionally naming the dossier received), or marks it a
no-show after calling it. The waiting time (taken → first call) and the service time (serving started, or the call
when the officer went straight to closing → closed) are whole minutes, carried by the events so the metric facts
need no other read. docs/queue.md.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from functools import cache
from pathlib import Path

from .times import iso, parse_iso

_SERVICES = Path(__file__).resolve().parent.parent / "data" / "desk_services.json"
# The key a ticket's events live under in the events table: never a dossier id (those are ULIDs).
AGGREGATE_PREFIX = "TQ#"


class TicketStatus(StrEnum):
    WAITING = "waiting"  # in its service's line
    CALLED = "called"  # called to a counter (may be called again)
    SERVING = "serving"  # the officer is serving the person
    DONE = "done"  # closed: served
    NO_SHOW = "no_show"  # closed: called and did not come


class TicketEvent(StrEnum):
    """The events of a ticket (in the events table under `TQ#<id>`, docs/events.md)."""

    TAKEN = "ticket.taken"
    CALLED = "ticket.called"  # the first call: the wait ends
    RECALLED = "ticket.recalled"
    STARTED = "ticket.started"  # serving began
    SERVED = "ticket.served"  # closed as served
    NO_SHOW = "ticket.no_show"


OPEN = frozenset({TicketStatus.WAITING, TicketStatus.CALLED, TicketStatus.SERVING})
CLOSED = frozenset({TicketStatus.DONE, TicketStatus.NO_SHOW})
# The steps an officer takes, and the statuses each is allowed from ("call" is the desk's "call next").
ALLOWED = {
    "call": {TicketStatus.WAITING},
    "recall": {TicketStatus.CALLED},
    "serve": {TicketStatus.CALLED},
    "done": {TicketStatus.CALLED, TicketStatus.SERVING},
    "no_show": {TicketStatus.CALLED},
}


@dataclass(frozen=True)
class DeskService:
    id: str
    prefix: str
    name_vi: str
    name_en: str

    def name(self, lang: str) -> str:
        return self.name_en if lang == "en" else self.name_vi


@cache
def _services() -> dict[str, tuple[DeskService, ...]]:
    data = json.loads(_SERVICES.read_text(encoding="utf-8"))
    return {agency: tuple(DeskService(s["id"], s["prefix"], s["name_vi"], s["name_en"]) for s in services)
            for agency, services in data["agencies"].items()}


def services(agency_code: str) -> tuple[DeskService, ...]:
    """The agency's desk services, in the order the kiosk shows them (none for an agency without a desk queue)."""
    return _services().get(agency_code, ())


def service(agency_code: str, service_id: str) -> DeskService | None:
    return next((s for s in services(agency_code) if s.id == service_id), None)


def agencies_with_queue() -> tuple[str, ...]:
    return tuple(_services())


def ticket_number(prefix: str, sequence: int) -> str:
    """`A001`: the service's letter and the day's sequence in three digits (a fourth past 999 in one day)."""
    return f"{prefix}{sequence:03d}"


def minutes_between(start: datetime, end: datetime) -> int:
    """Whole minutes, to the nearest (half a minute up); never negative (clocks of two servers may differ)."""
    return max(0, int((end - start).total_seconds() + 30) // 60)


@dataclass(frozen=True)
class Ticket:
    id: str
    agency_code: str
    service: str
    number: str
    sequence: int  # its place in the service's line of the day
    day: str  # the local day it was taken (ISO): its line, and the day its number belongs to
    taken_at: str
    status: TicketStatus = TicketStatus.WAITING
    version: int = 1
    seq: int = 1  # the last event's number
    counter: str = ""  # where it was (last) called to
    officer: dict = field(default_factory=dict)  # who took the last step: {id, username, name}
    called_at: str = ""  # the first call: the wait ends here
    last_called_at: str = ""
    calls: int = 0
    started_at: str = ""
    closed_at: str = ""
    dossier_code: str = ""  # the dossier received during the visit, when the officer names it

    @property
    def aggregate_id(self) -> str:
        return AGGREGATE_PREFIX + self.id

    @property
    def waiting_minutes(self) -> int | None:
        """Taken → first call; None before the call."""
        if not self.called_at:
            return None
        return minutes_between(parse_iso(self.taken_at), parse_iso(self.called_at))

    @property
    def service_minutes(self) -> int | None:
        """Serving started (or, when the officer closed it straight from the call, the first call) → closed; None
        unless served."""
        if self.status is not TicketStatus.DONE:
            return None
        return minutes_between(parse_iso(self.started_at or self.called_at), parse_iso(self.closed_at))


class StepNotAllowed(Exception):
    def __init__(self, status: TicketStatus, step: str) -> None:
        super().__init__(f"{step} not allowed while {status}")
        self.status, self.step = status, step


def allowed_steps(ticket: Ticket) -> list[str]:
    return [step for step, statuses in ALLOWED.items() if ticket.status in statuses and step != "call"]


def _check(ticket: Ticket, step: str) -> None:
    if ticket.status not in ALLOWED[step]:
        raise StepNotAllowed(ticket.status, step)


def _moved(ticket: Ticket, **changes) -> Ticket:
    return replace(ticket, version=ticket.version + 1, seq=ticket.seq + 1, **changes)


def take(ticket_id: str, agency_code: str, desk_service: DeskService, sequence: int, at: datetime,
         day: str) -> Ticket:
    """A new ticket in the service's line of `day` (the local day of `at`)."""
    return Ticket(id=ticket_id, agency_code=agency_code, service=desk_service.id,
                  number=ticket_number(desk_service.prefix, sequence), sequence=sequence, day=day, taken_at=iso(at))


def call(ticket: Ticket, counter: str, officer: dict, at: datetime) -> Ticket:
    """The first call to a counter: the wait ends."""
    _check(ticket, "call")
    return _moved(ticket, status=TicketStatus.CALLED, counter=counter, officer=officer, called_at=iso(at),
                  last_called_at=iso(at), calls=1)


def recall(ticket: Ticket, officer: dict, at: datetime) -> Ticket:
    """Called again to the same counter (the person did not come yet); the wait was measured at the first call."""
    _check(ticket, "recall")
    return _moved(ticket, officer=officer, last_called_at=iso(at), calls=ticket.calls + 1)


def serve(ticket: Ticket, officer: dict, at: datetime) -> Ticket:
    _check(ticket, "serve")
    return _moved(ticket, status=TicketStatus.SERVING, officer=officer, started_at=iso(at))


def done(ticket: Ticket, officer: dict, at: datetime, dossier_code: str = "") -> Ticket:
    _check(ticket, "done")
    return _moved(ticket, status=TicketStatus.DONE, officer=officer, closed_at=iso(at), dossier_code=dossier_code)


def no_show(ticket: Ticket, officer: dict, at: datetime) -> Ticket:
    """Called (perhaps several times) and nobody came: closed, the next one can be called."""
    _check(ticket, "no_show")
    return _moved(ticket, status=TicketStatus.NO_SHOW, officer=officer, closed_at=iso(at))


# --------------------------------------------------------------------------- the events it records


def event_payload(ticket: Ticket, event_type: TicketEvent) -> dict:
    """What the event of the change that made `ticket` records. Every ticket event names the agency, the service and
    the day; a first call carries the waiting minutes and a close the service minutes, so the metric facts need no
    state."""
    payload = {"id": ticket.id, "number": ticket.number, "agency_code": ticket.agency_code, "service": ticket.service,
               "day": ticket.day}
    if event_type is TicketEvent.TAKEN:
        payload.update(taken_at=ticket.taken_at)
    elif event_type is TicketEvent.CALLED:
        payload.update(counter=ticket.counter, waiting_minutes=ticket.waiting_minutes)
    elif event_type is TicketEvent.RECALLED:
        payload.update(counter=ticket.counter, calls=ticket.calls)
    elif event_type is TicketEvent.STARTED:
        payload.update(counter=ticket.counter)
    elif event_type is TicketEvent.SERVED:
        payload.update(counter=ticket.counter, service_minutes=ticket.service_minutes,
                       dossier_code=ticket.dossier_code)
    elif event_type is TicketEvent.NO_SHOW:
        payload.update(counter=ticket.counter, calls=ticket.calls)
    return payload
