"""What each dossier event adds to the service-quality counters: a pure fold over the dossier's own history.

The facts of an event depend on the event and on the fold's state after the dossier's earlier events
(`FoldState`). The rebuild folds each dossier's whole history; the metrics consumer keeps the state after
the last event it counted (`fold` + `advance`, stored with its dedupe marker) and computes the next event's
facts from it with `facts_after`, so both run the same steps over the same events and give the same numbers
by construction. A fact belongs to the local (Vietnam) day it happened on; months, quarters and years are
sums of days.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from datetime import date, datetime

from .calendar import local_day
from .dossier import CHANNEL_ONLINE, CHANNEL_POST
from .event_types import EventType
from .feedback import FeedbackEvent
from .papers import reuse_of
from .tickets import TicketEvent
from .times import iso, parse_iso

# Every event type the fold reads: the ones that move a counter or the state later events are counted
# with. The metrics consumer's EventBridge rule delivers only these (chalicelib/consumers/sources.py);
# tests/unit/domain/test_metric_facts.py proves every other type neither counts nor moves the state.
METRIC_EVENT_TYPES: frozenset[str] = frozenset({
    EventType.SUBMITTED, EventType.RECEIVED, EventType.SUPPLEMENT_REQUESTED, EventType.REFUSED,
    EventType.TRANSFERRED, EventType.ASSIGNED, EventType.PROPOSED, EventType.SENT_TO_AGENCY,
    EventType.RETURNED_FROM_AGENCY, EventType.SENT_BACK, EventType.APPROVED, EventType.REJECTED,
    EventType.STOPPED, EventType.WITHDRAWN, EventType.FEE_PAID, EventType.RESULT_ISSUED, EventType.RETURNED,
    EventType.EVALUATED, EventType.RATED_NOT_SATISFIED, EventType.RESUBMITTED, EventType.FORWARDED,
    FeedbackEvent.FILED, FeedbackEvent.REFUSED, FeedbackEvent.PUBLISHED, FeedbackEvent.RATED, FeedbackEvent.OVERDUE,
    TicketEvent.TAKEN, TicketEvent.CALLED, TicketEvent.SERVED, TicketEvent.NO_SHOW,
})

# National status groups (DOMAIN.md): the end of a dossier's handling, for the on-time rate.
_ENDING = {EventType.REFUSED: "refused", EventType.WITHDRAWN: "withdrawn", EventType.STOPPED: "stopped",
           EventType.APPROVED: "approved", EventType.REJECTED: "rejected"}
_DECIDED = {EventType.APPROVED, EventType.REJECTED}
_HANDOVERS = {EventType.TRANSFERRED, EventType.ASSIGNED, EventType.PROPOSED, EventType.SENT_BACK,
              EventType.SENT_TO_AGENCY, EventType.RETURNED_FROM_AGENCY, EventType.RESULT_ISSUED, EventType.FORWARDED}
_RATINGS = {EventType.EVALUATED, EventType.RATED_NOT_SATISFIED}
# The parts of each event the fold reads: the consumer fetches a dossier's history with only these.
EVENT_FIELDS = ("seq", "type", "at", "actor.id", "actor.username", "actor.role")
PAYLOAD_FIELDS = ("agency_code", "procedure_code", "channel", "components", "reusable", "received_at", "due_date",
                  "statutory_due_date", "unit", "specialist", "method", "results", "evaluation",
                  "previous_evaluation", "receiving_agency_code")


@dataclass(frozen=True)
class Fact:
    counter: str
    delta: float
    day: date  # local day the fact belongs to
    agency: str
    procedure: str
    unit: str | None = None
    officer: str | None = None  # a username: the receiving desk officer, or the specialist it was assigned to


@dataclass
class FoldState:
    """What the facts of an event need to know of the dossier's earlier events."""

    agency: str = ""
    procedure: str = ""
    channel: int = CHANNEL_ONLINE
    digitised: bool = False
    # Papers given once (domain/papers.py `reuse_of`): what the submission reused of the applicant's store.
    reused: bool = False
    reusable: bool = False
    not_asked_again: bool = False
    received_at: datetime | None = None
    statutory_due: date | None = None  # the appointment date as the rules move it (not an apology's new date)
    supplements: int = 0
    ended: bool = False
    unit: str | None = None
    officer: str | None = None  # the assigned specialist's username
    receiving_agency: str | None = None  # another agency's desk took it in (reception regardless of boundaries)

    def to_dict(self) -> dict:
        """JSON-ready and small (the consumer stores it with every counted event): defaults left out."""
        data = asdict(self)
        data["received_at"] = iso(self.received_at) if self.received_at else None
        data["statutory_due"] = self.statutory_due.isoformat() if self.statutory_due else None
        blank = asdict(FoldState())
        return {k: v for k, v in data.items() if v != blank[k]}

    @classmethod
    def from_dict(cls, data: dict) -> FoldState:
        data = dict(data)
        if data.get("received_at"):
            data["received_at"] = parse_iso(data["received_at"])
        if data.get("statutory_due"):
            data["statutory_due"] = date.fromisoformat(data["statutory_due"])
        return cls(**data)


def advance(state: FoldState, event: dict) -> None:
    """Advance the state past `event` (what later events need to know)."""
    kind, payload = event["type"], event.get("payload") or {}
    if kind == EventType.SUBMITTED:
        state.agency = payload.get("agency_code", "")
        state.procedure = payload.get("procedure_code", "")
        state.channel = int(payload.get("channel") or CHANNEL_ONLINE)
        state.receiving_agency = payload.get("receiving_agency_code")
        components = payload.get("components") or []
        state.digitised = bool(components) and all(c.get("files") for c in components)
        state.reused, state.reusable, state.not_asked_again = reuse_of(components, payload.get("reusable") or [])
    elif kind == EventType.RECEIVED:
        state.received_at = parse_iso(payload.get("received_at") or event["at"])
        state.statutory_due = date.fromisoformat(payload["due_date"]) if payload.get("due_date") else None
    elif kind == EventType.SUPPLEMENT_REQUESTED:
        state.supplements += 1
    elif kind == EventType.FEE_PAID and (payload.get("statutory_due_date") or payload.get("due_date")):
        # The rules' date moved by the wait for the fee; events before that field existed carry only
        # `due_date`, which is the same date unless an apology letter came first.
        state.statutory_due = date.fromisoformat(payload.get("statutory_due_date") or payload["due_date"])
    elif kind == EventType.RESUBMITTED and payload.get("statutory_due_date"):
        # A supplement asked during processing: the rules' date moved by the working days waited.
        state.statutory_due = date.fromisoformat(payload["statutory_due_date"])
    elif kind == EventType.TRANSFERRED:
        state.unit = payload.get("unit")
    elif kind == EventType.ASSIGNED:
        state.officer = payload.get("specialist")
    elif kind in _ENDING:
        state.ended = True


def fold(events: list[dict], state: FoldState | None = None) -> FoldState:
    """The state after `events` (a dossier's events in order), starting from `state` (left unchanged)."""
    state = replace(state) if state is not None else FoldState()
    for event in events:
        advance(state, event)
    return state


def facts(history: list[dict]) -> list[Fact]:
    """The counters the last event of `history` moves. `history` is the dossier's events in order
    (as stored: type, at, actor, payload), ending with the event being counted."""
    return facts_after(fold(history[:-1]), history[-1])


def facts_after(before: FoldState, event: dict) -> list[Fact]:
    """The counters `event` moves, given the state after the dossier's earlier events (left unchanged)."""
    state = replace(before)
    kind, payload, actor = event["type"], event.get("payload") or {}, event.get("actor") or {}
    at = parse_iso(event["at"])
    day = local_day(at)
    if kind.startswith("feedback."):
        return feedback_facts(kind, payload, day)
    if kind.startswith("ticket."):
        return ticket_facts(kind, payload, day, actor)
    if kind == EventType.SUBMITTED:
        advance(state, event)
    found: list[tuple[str, float, date, str | None]] = []  # counter, delta, day, officer

    def add(counter: str, delta: float = 1, on: date = day, officer: str | None = None) -> None:
        found.append((counter, delta, on, officer))

    if kind == EventType.SUBMITTED:
        add("submitted")
    elif kind == EventType.RECEIVED:
        # Received at another agency's desk: the dossier counts for the competent agency, under no officer of its
        # own; the receiving desk's work counts there as `received_elsewhere` (below).
        receiver = None if state.receiving_agency else actor.get("username")
        add("received", officer=receiver)
        by_channel = {CHANNEL_ONLINE: "received_online", CHANNEL_POST: "received_post"}
        add(by_channel.get(state.channel, "received_desk"), officer=receiver)
        if state.digitised:
            add("digitised")
        if state.reused:
            add("reused")
        if state.reusable:
            add("reusable")
            if state.not_asked_again:
                add("not_asked_again")
    elif kind == EventType.SUPPLEMENT_REQUESTED:
        add("supplement_requests")
    elif kind in _ENDING and not state.ended:
        # The specialist it was assigned to, else the staff member who ended it; an applicant's
        # withdrawal before assignment belongs to no officer.
        staff = actor.get("role") in ("officer", "specialist", "leader") and not (
            state.receiving_agency and actor.get("agency_code") == state.receiving_agency)
        officer = state.officer or (actor.get("username") if staff else None)
        add("ended", officer=officer)
        add(_ENDING[kind], officer=officer)
        # On time: ended by the appointment date the rules set (supplement and fee waiting already added
        # back; an apology's new date does not count), with at most one supplement request.
        late = state.supplements > 1 or (state.statutory_due is not None and day > state.statutory_due)
        add("ended_late" if late else "ended_on_time", officer=officer)
        if kind in _DECIDED and state.received_at is not None:
            add("decided", officer=officer)
            # Whole minutes: integer counters add up exactly in any order (incremental or rebuilt).
            add("processing_minutes", round((at - state.received_at).total_seconds() / 60), officer=officer)
    elif kind == EventType.FEE_PAID:
        add("fee_paid")
        if payload.get("method") == "online":
            add("fee_paid_online")
    elif kind == EventType.RETURNED:
        add("returned")
    elif kind in _RATINGS:
        rating, previous = payload.get("evaluation") or {}, payload.get("previous_evaluation")
        # A rating belongs to the day it was first given; an amendment corrects that day's counts.
        rated_on = local_day(parse_iso(rating.get("evaluated_at") or event["at"]))
        if previous is None:
            add("evaluated", on=rated_on)
        change = (not rating.get("satisfied")) - (0 if previous is None else (not previous.get("satisfied")))
        if change:
            add("not_satisfied", change, on=rated_on)
    if kind in _HANDOVERS:
        # Every hand-over on the platform is electronic; paper routing would be recorded otherwise.
        add("handovers")
        add("handovers_electronic")
    if kind == EventType.RESULT_ISSUED:
        add("results_issued")
        # An electronic result has legal weight only when it carries a digital signature (docs/documents.md).
        if any(r.get("signed") for r in payload.get("results") or []):
            add("results_electronic")
    unit = payload.get("unit") if kind == EventType.TRANSFERRED else state.unit
    counted = [Fact(counter, delta, on, state.agency, state.procedure, unit, officer)
               for counter, delta, on, officer in found]
    if kind == EventType.RECEIVED and state.receiving_agency:
        counted.append(Fact("received_elsewhere", 1, day, state.receiving_agency, state.procedure, None,
                            actor.get("username")))
    return counted


def feedback_facts(kind: str, payload: dict, day: date) -> list[Fact]:
    """A feedback item's counters (chalicelib/domain/feedback.py). Its events carry the agency and procedure and
    whether the handling was on time, so they need no state: each counts on the local day it happened."""
    found: list[str] = []
    if kind == FeedbackEvent.FILED:
        found.append("feedback_filed")
        if payload.get("complaint"):
            found.append("complained")  # a complaint about a dossier: part of "reception and resolution"
    elif kind in (FeedbackEvent.REFUSED, FeedbackEvent.PUBLISHED):
        found += ["feedback_closed", "feedback_on_time" if payload.get("on_time") else "feedback_late"]
        found.append("feedback_refused" if kind == FeedbackEvent.REFUSED else "feedback_published")
    elif kind == FeedbackEvent.RATED:
        found.append("feedback_rated")
        if payload.get("satisfied"):
            found.append("feedback_satisfied")
    elif kind == FeedbackEvent.OVERDUE:
        found += ["feedback_overdue"] * len(payload.get("steps") or ())
    agency, procedure = payload.get("agency_code") or "", payload.get("procedure_code") or ""
    return [Fact(counter, 1, day, agency, procedure) for counter in found] if agency else []


def ticket_facts(kind: str, payload: dict, day: date, actor: dict | None = None) -> list[Fact]:
    """A desk queue ticket's counters (chalicelib/domain/tickets.py). Its events carry the agency and the minutes
    measured, so they need no state: each counts on the local day it happened. A visit served counts for the officer
    who closed it too; the waiting time belongs to the desk, not to whoever called."""
    agency = payload.get("agency_code") or ""
    if not agency:
        return []
    if kind == TicketEvent.TAKEN:
        return [Fact("visits", 1, day, agency, "")]
    if kind == TicketEvent.CALLED:
        return [Fact("visits_called", 1, day, agency, ""),
                *_minutes("waiting_minutes", payload.get("waiting_minutes"), day, agency)]
    if kind == TicketEvent.SERVED:
        officer = (actor or {}).get("username") or None
        found = [Fact("visits_served", 1, day, agency, "", officer=officer),
                 *_minutes("service_minutes", payload.get("service_minutes"), day, agency, officer)]
        if payload.get("dossier_code"):
            found.append(Fact("visits_with_dossier", 1, day, agency, "", officer=officer))
        return found
    if kind == TicketEvent.NO_SHOW:
        return [Fact("visits_no_show", 1, day, agency, "")]
    return []


def _minutes(counter: str, minutes, day: date, agency: str, officer: str | None = None) -> list[Fact]:
    """Whole minutes as a counter; none for zero (a visit called at once still counts in `visits_called`)."""
    value = int(minutes or 0)
    return [Fact(counter, value, day, agency, "", officer=officer)] if value > 0 else []
