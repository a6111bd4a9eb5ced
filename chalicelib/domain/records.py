"""What each processing action records on the dossier besides its status: one recorder per action.

`transitions.act` authorises the action, moves the status, writes the event, applies a moved appointment
date and keeps the control slip; the action's recorder writes what is particular to it. An action that
`act` takes needs one function here and its entry in `RECORDS` (tests/unit/domain/test_records.py checks
that every such action has one).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from .dossier import Dossier
from .states import Action, Transition
from .times import iso


@dataclass(frozen=True)
class Step:
    """What a recorder reads, and `after`, the changed copy of the dossier it writes on."""

    action: Action
    transition: Transition
    before: Dossier
    after: Dossier
    details: dict  # the request, checked by the caller (API model and service)
    record: dict  # the details, with when (`at`) and by whom (`by`)
    now: datetime
    local_today: date
    to: dict | None = None  # who receives the dossier on a hand-over
    results: list[dict] | None = None  # the verified result documents an issue_result attaches
    # `previous_due_date` and `due_date` (ISO) when the action moves the appointment date, else empty.
    due_change: dict = field(default_factory=dict)


def _transfer(step: Step) -> None:
    step.after.unit = step.details["unit"]


def _forward(step: Step) -> None:
    """The hand-over to the competent agency (its line is on the control slip): the dossier now belongs to that
    agency's desk, and the receiving desk may only look (access.py)."""
    step.after.forwarded = {
        "from_agency": step.details["from_agency"], "to_agency": step.details["to_agency"],
        "to_agency_name": (step.to or {}).get("name"), "at": iso(step.now), "by": step.record["by"],
        "note": step.details.get("note", ""), "paper_tracking_number": step.details.get("paper_tracking_number")}


def _assign(step: Step) -> None:
    step.after.assignee = {"id": step.to["id"], "name": step.to.get("name"), "username": step.to.get("username")}


def _propose(step: Step) -> None:
    step.after.proposal = step.record


def _hand_back(step: Step) -> None:
    """Sending back records nothing of its own: its reason is in the event, its hand-over on the slip."""


def _decide(step: Step) -> None:
    step.after.decision = {**step.record, "outcome": step.action.value}


def _end(step: Step) -> None:
    step.after.ended = {**step.record, "action": step.action.value}


def _request_fee(step: Step) -> None:
    step.after.fee = {"amount_vnd": step.details["amount_vnd"], "purpose": step.details["purpose"],
                      "requested_at": iso(step.now), "requested_by": step.record["by"], "payment": None}
    step.after.paused_at = iso(step.now)


def _record_payment(step: Step) -> None:
    step.after.fee = {**(step.before.fee or {}), "payment": step.record}
    if step.details.get("payment_id"):
        step.after.fee["online"] = _online(step, "succeeded")
    step.after.paused_at = None


def _online(step: Step, state: str) -> dict:
    """The dossier's view of its latest online payment (the payment itself is in the payments table)."""
    return {"payment_id": step.details["payment_id"], "state": state, "at": iso(step.now)}


def _start_payment(step: Step) -> None:
    step.after.fee = {**(step.before.fee or {}), "online": _online(step, "created")}


def _update_payment(step: Step) -> None:
    online = (step.before.fee or {}).get("online") or {}
    # Only the payment the dossier shows moves what it shows: an older order's end is in its event alone.
    if online.get("payment_id") == step.details["payment_id"]:
        step.after.fee = {**step.before.fee, "online": _online(step, step.details["state"])}


def _issue_result(step: Step) -> None:
    step.after.results = list(step.before.results) + list(step.results or [])


def _return_result(step: Step) -> None:
    step.after.returned = {**step.record, "method": step.transition.delivery}


def _record_delivery(step: Step) -> None:
    step.after.returned = {**(step.before.returned or {}), "delivered": step.record}


def _flag_due_soon(step: Step) -> None:
    step.after.deadline_alert = "due_soon"


def _flag_overdue(step: Step) -> None:
    step.after.deadline_alert = "overdue"


def _apologise(step: Step) -> None:
    step.after.apologies = [*step.before.apologies, {
        "form": "04", "reason": step.details["reason"], "previous_due_date": step.due_change.get("previous_due_date"),
        "new_due_date": step.due_change.get("due_date"), "at": iso(step.now), "by": step.record["by"]}]
    step.after.deadline_alert = None


def _allow_apology(step: Step) -> None:
    step.after.apology_allowance = step.before.apology_allowance + 1


def _send_to_agency(step: Step) -> None:
    inter_agency = step.before.inter_agency
    step.after.inter_agency = [*inter_agency, {
        "step": len(inter_agency) + 1, "agency_code": step.details["to_agency"],
        "agency_name": (step.to or {}).get("name"), "request": step.details["request"],
        "step_due": step.details.get("step_due"), "sent_at": iso(step.now), "sent_by": step.record["by"],
        "reply": None, "returned_at": None, "returned_by": None, "on_time": None}]


def _return_from_agency(step: Step) -> None:
    part = step.after.inter_agency[-1]
    part.update(reply=step.details["reply"], returned_at=iso(step.now), returned_by=step.record["by"],
                on_time=part["step_due"] is None or step.local_today <= date.fromisoformat(part["step_due"]))


RECORDS: dict[Action, Callable[[Step], None]] = {
    Action.TRANSFER: _transfer,
    Action.FORWARD: _forward,
    Action.ASSIGN: _assign,
    Action.PROPOSE: _propose,
    Action.SEND_TO_AGENCY: _send_to_agency,
    Action.RETURN_FROM_AGENCY: _return_from_agency,
    Action.SEND_BACK: _hand_back,
    Action.APPROVE: _decide,
    Action.REJECT: _decide,
    Action.STOP: _end,
    Action.WITHDRAW: _end,
    Action.REQUEST_FEE: _request_fee,
    Action.RECORD_PAYMENT: _record_payment,
    Action.START_PAYMENT: _start_payment,
    Action.UPDATE_PAYMENT: _update_payment,
    Action.ISSUE_RESULT: _issue_result,
    Action.RETURN_ONLINE: _return_result,
    Action.RETURN_AT_DESK: _return_result,
    Action.SEND_BY_POST: _return_result,
    Action.RECORD_DELIVERY: _record_delivery,
    Action.FLAG_DUE_SOON: _flag_due_soon,
    Action.FLAG_OVERDUE: _flag_overdue,
    Action.APOLOGISE: _apologise,
    Action.ALLOW_APOLOGY: _allow_apology,
}

# Why an action moves the appointment date, as its event records it.
DUE_DATE_REASONS: dict[Action, str] = {
    Action.RECORD_PAYMENT: "record_payment: the clock stopped while the applicant's payment was awaited",
    Action.APOLOGISE: "apologise: new appointment date set by the apology letter (form 04)",
}
# The applicant's answer to a supplement asked during processing (its own use case, not a recorded action).
SUPPLEMENT_WAIT_REASON = "resubmit: the clock stopped while the supplement asked during processing was awaited"
