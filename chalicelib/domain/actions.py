"""The registry of dossier actions: one entry per action, from which the rest is derived.

Each entry names the action's route and request model (the API registers one route per entry and the
OpenAPI document describes it), who is told of its events (the message templates must match:
tests/unit/domain/test_actions.py), and, through the state table (`states.TRANSITIONS`), the transitions
it takes, the roles that may take it and the event types it records. `docs/lifecycle.md` is generated
from both. Metric facts and consumers refer to the event types by their `EventType` constants.

Adding an action: its transitions in states.py, an entry here, its request model in api/schemas.py, what
it records in records.py (`RECORDS`), its templates, its tests — docs/architecture.md has the recipe.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from ..refs import ModelRef, requests
from .event_types import EventType
from .states import TRANSITIONS, Action, Role, Transition


class Audience(StrEnum):
    APPLICANT = "applicant"  # email (and SMS if opted in) to the applicant: templates/notifications/
    STAFF = "staff"  # the agency's staff: templates/staff/


@dataclass(frozen=True)
class ActionSpec:
    action: Action
    summary: str
    request: ModelRef | None = None  # None: not taken over HTTP (the platform's own scheduled work)
    path: str | None = None
    method: str = "POST"
    # Who is told of each event type the action records (event types not listed tell nobody).
    notifies: tuple[tuple[EventType, Audience], ...] = ()
    # Taken on a route of its own (another answer than the dossier): no generic action route is made for it.
    own_route: bool = False

    @property
    def transitions(self) -> tuple[Transition, ...]:
        return tuple(t for t in TRANSITIONS if t.action == self.action)

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(r for t in self.transitions for r in t.roles)

    @property
    def event_types(self) -> frozenset[EventType]:
        found = {t.event_type for t in self.transitions}
        if self.action == Action.EVALUATE:
            found.add(EventType.RATED_NOT_SATISFIED)
        return frozenset(found)


A, S = Audience.APPLICANT, Audience.STAFF
E = EventType


ON_A_DOSSIER = "/dossiers/{dossier_id}/"


def _http(action: Action, segment: str, request: ModelRef, summary: str, notifies=(), method: str = "POST"):
    """An action on an existing dossier, at /dossiers/{dossier_id}/<segment>."""
    return ActionSpec(action, summary, request, ON_A_DOSSIER + segment, method, tuple(notifies))


ACTIONS: tuple[ActionSpec, ...] = (
    # Submission creates the dossier: its route has its own handler (Idempotency-Key, Location).
    ActionSpec(Action.SUBMIT, "Submit a dossier", requests.SubmitDossier, "/dossiers", notifies=((E.SUBMITTED, A),)),
    _http(Action.RECEIVE, "receive", requests.Receive,
          "Receive a complete dossier: the receipt (form 01) with the appointment date", ((E.RECEIVED, A),)),
    _http(Action.REQUEST_SUPPLEMENT, "request-supplement", requests.RequestSupplement,
          "Ask for everything missing at once (form 02); the clock waits", ((E.SUPPLEMENT_REQUESTED, A),)),
    _http(Action.REFUSE, "refuse", requests.Refuse, "Refuse to receive the dossier, with the reason (form 03)",
          ((E.REFUSED, A),)),
    _http(Action.RESUBMIT, "resubmit", requests.Resubmit, "The applicant sends what the supplement request asked for",
          ((E.RESUBMITTED, A),)),
    _http(Action.TRANSFER, "transfer", requests.Transfer, "The desk hands the dossier to the competent unit"),
    _http(Action.FORWARD, "forward", requests.Forward,
          "Forward a dossier received for another agency's procedure to that agency (reception regardless of "
          "administrative boundaries)", ((E.FORWARDED, A), (E.FORWARDED, S))),
    _http(Action.ASSIGN, "assign", requests.Assign, "The unit's leader assigns a specialist"),
    _http(Action.PROPOSE, "propose", requests.Propose, "The specialist proposes approval or rejection"),
    _http(Action.SEND_TO_AGENCY, "send-to-agency", requests.SendToAgency,
          "Send the part another agency must do (inter-agency)", ((E.SENT_TO_AGENCY, S),)),
    _http(Action.RETURN_FROM_AGENCY, "return-from-agency", requests.ReturnFromAgency,
          "The other agency hands the dossier back with its reply", ((E.RETURNED_FROM_AGENCY, S),)),
    _http(Action.SEND_BACK, "send-back", requests.WithReason, "The leader sends the proposal back to the specialist"),
    _http(Action.APPROVE, "approve", requests.Decide, "The leader approves", ((E.APPROVED, A),)),
    _http(Action.REJECT, "reject", requests.WithReason, "The leader rejects, with the reason", ((E.REJECTED, A),)),
    _http(Action.STOP, "stop", requests.WithReason, "The leader stops processing, with the reason",
          ((E.STOPPED, A),)),
    _http(Action.WITHDRAW, "withdraw", requests.WithReason, "The applicant withdraws the dossier before the decision",
          ((E.WITHDRAWN, A),)),
    _http(Action.REQUEST_FEE, "request-fee", requests.RequestFee,
          "Ask for the financial obligation; the clock waits until it is paid", ((E.FEE_REQUESTED, A),)),
    _http(Action.RECORD_PAYMENT, "record-payment", requests.RecordPayment,
          "Record the applicant's payment; the appointment date moves by the time spent waiting",
          ((E.FEE_PAID, A),)),
    ActionSpec(Action.START_PAYMENT, "Pay the requested fee online: an order at the payment gateway",
               requests.StartPayment, ON_A_DOSSIER + "payments", own_route=True),
    ActionSpec(Action.UPDATE_PAYMENT, "The gateway's word on an online payment: failed, expired, refunded",
               notifies=((E.PAYMENT_UPDATED, A),)),
    _http(Action.ISSUE_RESULT, "issue-result", requests.IssueResult, "Attach the verified result documents"),
    _http(Action.RETURN_ONLINE, "return-online", requests.Decide, "Return the result online",
          ((E.RETURNED, A),)),
    _http(Action.RETURN_AT_DESK, "return-at-desk", requests.ReturnAtDesk, "Hand the result over at the desk",
          ((E.RETURNED, A),)),
    _http(Action.SEND_BY_POST, "send-by-post", requests.SendByPost, "Send the result by post",
          ((E.SENT_BY_POST, A),)),
    _http(Action.RECORD_DELIVERY, "record-delivery", requests.RecordDelivery, "Record the postal delivery",
          ((E.RETURNED, A),)),
    ActionSpec(Action.FLAG_DUE_SOON, "The deadline watch flags a dossier about to be late",
               notifies=((E.DUE_SOON, S),)),
    ActionSpec(Action.FLAG_OVERDUE, "The deadline watch flags a late dossier", notifies=((E.OVERDUE, S),)),
    _http(Action.APOLOGISE, "apologise", requests.Apologise,
          "The apology letter with a new appointment date (form 04)", ((E.APOLOGY_ISSUED, A),)),
    _http(Action.ALLOW_APOLOGY, "allow-apology", requests.WithReason, "An admin allows one more apology letter"),
    _http(Action.EVALUATE, "evaluation", requests.Evaluate, "The applicant rates the handling (amendable for a while)",
          ((E.RATED_NOT_SATISFIED, S),), method="PUT"),
)

BY_ACTION: dict[Action, ActionSpec] = {spec.action: spec for spec in ACTIONS}


def http_actions() -> tuple[ActionSpec, ...]:
    """The actions on an existing dossier that callers take over HTTP: one generic route each."""
    return tuple(spec for spec in ACTIONS if spec.path and spec.path.startswith(ON_A_DOSSIER) and not spec.own_route)


def audiences(event_type: EventType) -> frozenset[Audience]:
    """Who hears of an event type: what the notifications consumer acts on."""
    return frozenset(audience for spec in ACTIONS for kind, audience in spec.notifies if kind == event_type)
