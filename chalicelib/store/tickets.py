"""Desk queue tickets in DynamoDB (QueueTable, docs/queue.md) and their events in the events table.

A ticket and the event of its change are written in one transaction, on the condition that the ticket is still at
the version it was read at: the same outbox as a dossier's. That condition is also what keeps "call next" exclusive:
two officers who read the same first waiting ticket both try to move it from that version, one wins, the other's
write fails and it takes the next one (services/tickets.py).

The ticket's sparse index keys say where it is listed: in its service's line of the day while waiting
(`waiting-index`, by its number), at the agency's counters while called or served (`active-index`), and among the
day's calls once called (`called-index`). Every read is one query of one partition, with a limit.
"""

from __future__ import annotations

import dataclasses

from ..domain.tickets import Ticket, TicketStatus
from .aggregates import VersionedItems, plain
from .models import TICKET_LIST_PROJECTION, TicketModel

_COLUMNS = {"id", "agency_code", "service", "number", "day", "status", "taken_at", "version", "counter", "called_at",
            "last_called_at"}
ACTIVE = (TicketStatus.CALLED, TicketStatus.SERVING)


def line_key(agency_code: str, service: str, day: str) -> str:
    """The partition of one service's waiting line on one local day."""
    return f"{agency_code}#{service}#{day}"


def day_key(agency_code: str, day: str) -> str:
    return f"{agency_code}#{day}"


def line_position(sequence: int) -> str:
    return f"{sequence:06d}"  # sorts as the numbers do, past 999 too


def to_model(ticket: Ticket) -> TicketModel:
    data = dataclasses.asdict(ticket)
    doc = {k: v for k, v in data.items() if k not in _COLUMNS and v not in (None, "", {})}
    waiting = ticket.status is TicketStatus.WAITING
    return TicketModel(
        ticket.id, agency_code=ticket.agency_code, service=ticket.service, number=ticket.number, day=ticket.day,
        status=ticket.status.value, taken_at=ticket.taken_at, version=ticket.version, counter=ticket.counter or None,
        called_at=ticket.called_at or None, last_called_at=ticket.last_called_at or None,
        waiting_line=line_key(ticket.agency_code, ticket.service, ticket.day) if waiting else None,
        line_position=line_position(ticket.sequence) if waiting else None,
        active_day=day_key(ticket.agency_code, ticket.day) if ticket.status in ACTIVE else None,
        called_day=day_key(ticket.agency_code, ticket.day) if ticket.called_at else None, doc=doc)


def from_model(model: TicketModel) -> Ticket:
    doc = plain(model.doc.as_dict() if hasattr(model.doc, "as_dict") else dict(model.doc))
    return Ticket(id=model.id, agency_code=model.agency_code, service=model.service, number=model.number,
                  day=model.day, status=TicketStatus(model.status), taken_at=model.taken_at,
                  version=int(model.version), counter=model.counter or "", called_at=model.called_at or "",
                  last_called_at=model.last_called_at or "", **doc)


def _row(model: TicketModel) -> dict:
    """What a list shows of a ticket: the index's projection."""
    row = {"id": model.id}
    for name in (*TICKET_LIST_PROJECTION, "last_called_at"):
        value = getattr(model, name, None)
        if value not in (None, ""):
            row[name] = int(value) if name == "version" else value
    return row


class TicketStore(VersionedItems):
    model, key = TicketModel, "id"
    to_model, from_model = staticmethod(to_model), staticmethod(from_model)

    def waiting(self, agency_code: str, service: str, day: str, limit: int) -> list[dict]:
        """The first `limit` tickets of a service's line, in number order (one query)."""
        result = TicketModel.waiting_index.query(line_key(agency_code, service, day), limit=limit)
        return [_row(m) for m in result]

    def waiting_count(self, agency_code: str, service: str, day: str, before_sequence: int | None = None) -> int:
        """How many wait in a service's line (those before `before_sequence` only: the people ahead of it). A count
        query reads the line's index items, never the tickets."""
        condition = (TicketModel.line_position < line_position(before_sequence)
                     if before_sequence is not None else None)
        return TicketModel.waiting_index.count(line_key(agency_code, service, day), range_key_condition=condition)

    def active(self, agency_code: str, day: str, limit: int) -> list[dict]:
        """Tickets called or being served at the agency's counters on `day`, the latest call first."""
        result = TicketModel.active_index.query(day_key(agency_code, day), scan_index_forward=False, limit=limit)
        return [_row(m) for m in result]

    def recent_calls(self, agency_code: str, day: str, limit: int) -> list[dict]:
        """The day's latest calls at the agency, newest first, whatever became of the tickets since."""
        result = TicketModel.called_index.query(day_key(agency_code, day), scan_index_forward=False, limit=limit)
        return [_row(m) for m in result]
