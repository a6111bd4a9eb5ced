"""Desk queue tickets (docs/queue.md): taking a number, following it, the public display, and the counters' work.

Each change writes the ticket and its event together (store/tickets.py); the events count in the metrics like a
dossier's (metric_facts.ticket_facts): visits, the waiting time per visit the ministry's target is about, and the
service time. A ticket holds no personal data, so anyone holding its id may follow it; only the agency's officers
and leaders call, serve and close its tickets.
"""

from __future__ import annotations

from datetime import datetime

from ..domain import tickets as rules
from ..domain.agencies import agency as find_agency
from ..domain.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from ..domain.events import Event
from ..domain.ids import new_id
from ..domain.principal import Principal
from ..domain.states import Role
from ..domain.tickets import StepNotAllowed, Ticket, TicketEvent, TicketStatus
from ..store.tickets import TicketStore
from .dossiers import local_day

DESK_STAFF = (Role.OFFICER, Role.LEADER)
# "Call next" tries this many of each line's first tickets before reading the lines again: enough for the officers
# of one agency calling at the same moment, each losing to another at most once per ticket.
CANDIDATES = 5
CALL_ROUNDS = 3
DESK_LIST_LIMIT = 50  # the first tickets of each line the desk page lists (the counts are exact)
DISPLAY_RECENT = 10
ACTIVE_LIMIT = 50
PUBLIC_ACTOR = {"id": None, "username": None, "role": None, "name": None, "agency_code": None}

_STEPS = {
    "recall": (TicketEvent.RECALLED, lambda t, by, now, _: rules.recall(t, by, now)),
    "serve": (TicketEvent.STARTED, lambda t, by, now, _: rules.serve(t, by, now)),
    "done": (TicketEvent.SERVED, lambda t, by, now, code: rules.done(t, by, now, code)),
    "no_show": (TicketEvent.NO_SHOW, lambda t, by, now, _: rules.no_show(t, by, now)),
}


def _actor(principal: Principal) -> dict:
    return principal.acting_as(*DESK_STAFF)


def _officer(principal: Principal) -> dict:
    return {"id": principal.id, "username": principal.username, "name": principal.name}


def _event(ticket: Ticket, event_type: TicketEvent, actor: dict, at: datetime) -> Event:
    return Event(id=new_id(), type=event_type.value, dossier_id=ticket.aggregate_id, seq=ticket.seq, actor=actor,
                 at=at, payload=rules.event_payload(ticket, event_type))


def _known_agency(agency_code: str, field: str) -> None:
    if find_agency(agency_code) is None:
        raise ValidationFailed([FieldError(field, "agency.unknown", {"agency_code": agency_code})])
    if not rules.services(agency_code):
        raise ValidationFailed([FieldError(field, "queue.no_desk_queue", {"agency_code": agency_code})])


def _desk_service(agency_code: str, service_id: str, field: str = "service") -> rules.DeskService:
    found = rules.service(agency_code, service_id)
    if found is None:
        raise ValidationFailed([FieldError(field, "queue.service_unknown", {"service": service_id})])
    return found


class TicketService:
    def __init__(self) -> None:
        self.store = TicketStore()

    # ------------------------------------------------------------------ everyone

    def services(self, agency_code: str) -> tuple[rules.DeskService, ...]:
        _known_agency(agency_code, "agency")
        return rules.services(agency_code)

    def take(self, agency_code: str, service_id: str, now: datetime) -> tuple[Ticket, int]:
        """A new ticket at the end of the service's line of today, and how many wait ahead of it."""
        from ..store.counters import next_sequence

        _known_agency(agency_code, "agency_code")
        desk_service = _desk_service(agency_code, service_id)
        day = local_day(now)
        sequence = next_sequence(f"QUEUE#{agency_code}#{desk_service.id}", day)
        ticket = rules.take(new_id(), agency_code, desk_service, sequence, now, day.isoformat())
        self.store.create(ticket, _event(ticket, TicketEvent.TAKEN, PUBLIC_ACTOR, now))
        return ticket, self.people_ahead(ticket)

    def read(self, ticket_id: str) -> tuple[Ticket, int | None]:
        """The ticket and, while it waits, the people ahead of it in its line."""
        ticket = self.store.get(ticket_id)
        if ticket is None:
            raise NotFound("ticket_not_found")
        return ticket, self.people_ahead(ticket)

    def people_ahead(self, ticket: Ticket) -> int | None:
        if ticket.status is not TicketStatus.WAITING:
            return None
        return self.store.waiting_count(ticket.agency_code, ticket.service, ticket.day, ticket.sequence)

    def display(self, agency_code: str, now: datetime) -> dict:
        """What the hall's screen shows today: the tickets at the counters now, and the latest calls."""
        _known_agency(agency_code, "agency")
        day = local_day(now).isoformat()
        return {"day": day, "now": self.store.active(agency_code, day, ACTIVE_LIMIT),
                "recent": self.store.recent_calls(agency_code, day, DISPLAY_RECENT)}

    # ------------------------------------------------------------------ the desk

    def desk_queue(self, principal: Principal, now: datetime) -> dict:
        """Today's lines of the officer's agency (the count of each, its first tickets) and the tickets at the
        counters."""
        agency_code = self._require_desk(principal)
        day = local_day(now).isoformat()
        lines = [{"service": s.id, "waiting_count": self.store.waiting_count(agency_code, s.id, day),
                  "waiting": self.store.waiting(agency_code, s.id, day, DESK_LIST_LIMIT)}
                 for s in rules.services(agency_code)]
        return {"day": day, "lines": lines, "in_service": self.store.active(agency_code, day, ACTIVE_LIMIT)}

    def call_next(self, principal: Principal, counter: str, service_id: str | None, now: datetime) -> Ticket:
        """The oldest waiting ticket of today (of one service, or of any), called to `counter`. The move from
        waiting is conditional on the ticket's version: an officer who loses it to another takes the next one, so no
        two officers ever get the same ticket."""
        agency_code = self._require_desk(principal)
        lines = [_desk_service(agency_code, service_id).id] if service_id else [
            s.id for s in rules.services(agency_code)]
        day = local_day(now).isoformat()
        by = _officer(principal)
        for _ in range(CALL_ROUNDS):
            candidates = sorted((row for line in lines for row in self.store.waiting(agency_code, line, day,
                                                                                    CANDIDATES)),
                                key=lambda row: (row.get("taken_at", ""), row["id"]))
            if not candidates:
                break
            for row in candidates:
                ticket = self.store.get(row["id"])
                if ticket is None or ticket.status is not TicketStatus.WAITING:
                    continue  # the index is a moment behind: called meanwhile
                called = rules.call(ticket, counter, by, now)
                try:
                    self.store.save(called, ticket.version, _event(called, TicketEvent.CALLED, _actor(principal), now))
                except Conflict:
                    continue  # another counter called it first
                return called
        raise NotFound("queue_empty")

    def step(self, principal: Principal, ticket_id: str, step: str, now: datetime,
             dossier_code: str | None = None) -> Ticket:
        """recall, serve, done (optionally naming the dossier received) or no_show, on a ticket of the agency."""
        agency_code = self._require_desk(principal)
        ticket = self.store.get(ticket_id)
        if ticket is None or ticket.agency_code != agency_code:
            raise NotFound("ticket_not_found")
        code = self._dossier_of_agency(dossier_code, agency_code) if dossier_code else ""
        event_type, take = _STEPS[step]
        try:
            changed = take(ticket, _officer(principal), now, code)
        except StepNotAllowed as refused:
            raise Conflict("ticket_step_not_allowed", status=refused.status.value, step=step) from refused
        self.store.save(changed, ticket.version, _event(changed, event_type, _actor(principal), now))
        return changed

    @staticmethod
    def _dossier_of_agency(code: str, agency_code: str) -> str:
        """The dossier received during the visit: one the agency received or handles (its code as printed)."""
        from ..store.dossiers import DossierStore

        code = code.strip().upper()
        dossier = DossierStore().find_by_code(code)
        if dossier is None or agency_code not in (dossier.agency_code, dossier.receiving_agency):
            raise ValidationFailed([FieldError("dossier_code", "queue.dossier_not_of_agency", {"code": code})])
        return code

    @staticmethod
    def _require_desk(principal: Principal) -> str:
        if not principal.has(*DESK_STAFF) or not principal.agency_code:
            raise Forbidden("queue_desk_only")
        if not rules.services(principal.agency_code):
            raise Forbidden("queue_desk_only")
        return principal.agency_code


def follow_url(ticket_id: str) -> str:
    """Where the person follows the ticket on their phone: the web client's ticket page (`WEB_BASE_URL`), else the
    API's own path."""
    from ..settings import get_settings

    base = (get_settings().web_base_url or "").rstrip("/")
    return f"{base}/#/queue/tickets/{ticket_id}" if base else f"/queue/tickets/{ticket_id}"
