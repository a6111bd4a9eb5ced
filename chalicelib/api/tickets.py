"""Desk queue tickets (docs/queue.md): anyone takes a number and follows it, the hall's screen shows the calls, the
agency's officers call, serve and close tickets at their counters."""

from __future__ import annotations

from datetime import UTC, datetime

from chalice import Blueprint

from .contract import operation, queries, requests, responses
from .http import json_response

bp = Blueprint(__name__)
TAG = "Desk queue"
STAFF = ("officer", "leader")
# The display is read every few seconds by every screen of the hall: a short shared cache keeps it cheap.
DISPLAY_CACHE = "public, max-age=3"


def present(ticket, people_ahead: int | None = None, desk: bool = False) -> dict:
    from ..domain.tickets import allowed_steps, service
    from ..services.tickets import follow_url

    named = service(ticket.agency_code, ticket.service)
    body = {"id": ticket.id, "number": ticket.number, "agency_code": ticket.agency_code, "service": ticket.service,
            "service_name_vi": named.name_vi if named else ticket.service,
            "service_name_en": named.name_en if named else ticket.service, "day": ticket.day,
            "status": ticket.status.value, "taken_at": ticket.taken_at, "people_ahead": people_ahead,
            "counter": ticket.counter or None, "called_at": ticket.called_at or None,
            "last_called_at": ticket.last_called_at or None, "calls": ticket.calls,
            "waiting_minutes": ticket.waiting_minutes, "follow_url": follow_url(ticket.id)}
    if desk:
        body.update(started_at=ticket.started_at or None, closed_at=ticket.closed_at or None,
                    service_minutes=ticket.service_minutes, dossier_code=ticket.dossier_code or None,
                    officer=ticket.officer.get("name") or ticket.officer.get("username") or None,
                    allowed_steps=allowed_steps(ticket), version=ticket.version)
    return body


def _public_rows(rows: list[dict]) -> list[dict]:
    return [{k: v for k, v in row.items() if k != "version"} for row in rows]


@operation(bp, "GET", "/queue/services", summary="An agency's desk services", tag=TAG, auth=False,
           query=queries.QueueAgency, response=responses.DeskServices, problems=(422,))
def queue_services(query):
    """The services a ticket can be taken for at the agency's desk, each with the letter of its numbers: the kiosk's
    buttons. An unknown agency is a 400; one without a desk queue a 422 (`queue.no_desk_queue`)."""
    from ..domain.agencies import agency
    from ..services.tickets import TicketService

    found = TicketService().services(query.agency)
    named = agency(query.agency)
    return json_response({"agency_code": query.agency, "name_vi": named.name_vi, "name_en": named.name_en,
                          "services": [{"id": s.id, "prefix": s.prefix, "name_vi": s.name_vi, "name_en": s.name_en}
                                       for s in found]},
                         headers={"Cache-Control": "public, max-age=300"})


@operation(bp, "POST", "/queue/tickets", summary="Take a queue ticket", tag=TAG, auth=False,
           body=requests.TakeTicket, response=responses.QueueTicket, status=201, problems=(422,))
def take_ticket(body):
    """A number in the service's line of today, from the hall's kiosk or a phone; no account. The answer carries the
    number, how many wait ahead, the ticket's id and the address that follows it (`follow_url`)."""
    from ..services.tickets import TicketService

    ticket, ahead = TicketService().take(body.agency_code, body.service, datetime.now(UTC))
    return json_response(present(ticket, ahead), 201, {"Location": f"/queue/tickets/{ticket.id}"})


@operation(bp, "GET", "/queue/tickets/{id}", summary="Follow a queue ticket", tag=TAG, auth=False,
           response=responses.QueueTicket, problems=(404,))
def get_ticket(id):  # noqa: A002 - the path parameter's name
    """Its status, the people ahead while it waits, the counter once called. It holds no personal data: its id,
    which nobody can guess, is all it takes."""
    from ..services.tickets import TicketService

    ticket, ahead = TicketService().read(id)
    return json_response(present(ticket, ahead), headers={"Cache-Control": "no-store"})


@operation(bp, "GET", "/queue/display", summary="The hall's display", tag=TAG, auth=False,
           query=queries.QueueAgency, response=responses.QueueDisplay, problems=(422,))
def queue_display(query):
    """Today at the agency's desk: the numbers at the counters now (called or being served, latest call first) and
    the latest calls. Read every few seconds by the display page."""
    from ..services.tickets import TicketService

    shown = TicketService().display(query.agency, datetime.now(UTC))
    return json_response({"agency_code": query.agency, "day": shown["day"], "now": _public_rows(shown["now"]),
                          "recent": _public_rows(shown["recent"])}, headers={"Cache-Control": DISPLAY_CACHE})


@operation(bp, "GET", "/desk/queue", summary="Today's queue at the officer's desk", tag=TAG,
           response=responses.TicketQueue, roles=STAFF)
def desk_ticket_queue():
    """Each service's line (how many wait, the first of them) and the tickets at the counters, for the officer's
    agency."""
    from ..services.tickets import TicketService
    from .auth import authenticate

    principal = authenticate(bp.current_request)
    found = TicketService().desk_queue(principal, datetime.now(UTC))
    return json_response({"agency_code": principal.agency_code, **found})


@operation(bp, "POST", "/desk/queue/call-next", summary="Call the next ticket to a counter", tag=TAG,
           body=requests.CallNext, response=responses.DeskTicket, problems=(404, 409), roles=STAFF)
def call_next_ticket(body):
    """The oldest ticket waiting today (of `service`, or of any service) is called to `counter`; two officers calling
    at once never get the same one. 404 `queue_empty` when nobody waits."""
    from ..services.tickets import TicketService
    from .auth import authenticate

    ticket = TicketService().call_next(authenticate(bp.current_request), body.counter, body.service,
                                       datetime.now(UTC))
    return json_response(present(ticket, desk=True))


def _step(ticket_id: str, step: str, dossier_code: str | None = None):
    from ..services.tickets import TicketService
    from .auth import authenticate

    ticket = TicketService().step(authenticate(bp.current_request), ticket_id, step, datetime.now(UTC),
                                  dossier_code)
    return json_response(present(ticket, desk=True))


@operation(bp, "POST", "/desk/queue/tickets/{id}/recall", summary="Call a ticket again", tag=TAG,
           response=responses.DeskTicket, problems=(404, 409), roles=STAFF)
def recall_ticket(id):  # noqa: A002
    """To the same counter, the person not there yet; its waiting time stays the first call's."""
    return _step(id, "recall")


@operation(bp, "POST", "/desk/queue/tickets/{id}/serve", summary="Start serving a called ticket", tag=TAG,
           response=responses.DeskTicket, problems=(404, 409), roles=STAFF)
def serve_ticket(id):  # noqa: A002
    """The person is at the counter: the service time runs from now."""
    return _step(id, "serve")


@operation(bp, "POST", "/desk/queue/tickets/{id}/done", summary="Close a ticket as served", tag=TAG,
           body=requests.CloseTicket, response=responses.DeskTicket, problems=(404, 409, 422), roles=STAFF)
def close_ticket(id, body):  # noqa: A002
    """Served, optionally naming the dossier received during the visit (one of the agency's: 422 otherwise)."""
    return _step(id, "done", body.dossier_code)


@operation(bp, "POST", "/desk/queue/tickets/{id}/no-show", summary="Close a called ticket nobody came for",
           tag=TAG, response=responses.DeskTicket, problems=(404, 409), roles=STAFF)
def no_show_ticket(id):  # noqa: A002
    """Called (perhaps several times) and nobody came."""
    return _step(id, "no_show")
