"""The dossier and the pure functions that move it through the state machine.

Every function returns the changed dossier and the event that records the change; the store
writes both in one transaction, so a dossier never changes without its event.
"""

from __future__ import annotations

import copy
from dataclasses import asdict, dataclass, field
from dataclasses import replace as dataclasses_replace
from datetime import UTC, date, datetime, timedelta

from .errors import Forbidden, TransitionNotAllowed
from .ids import new_id
from .states import (
    NOT_SATISFIED_EVENT,
    STATUSES,
    TRANSITIONS,
    Action,
    Role,
    Status,
    Transition,
    allowed_actions,
    find_transition,
)

EVENT_SCHEMA_VERSION = 1

# Submission channel codes of the national portal (`KenhThucHien`).
CHANNEL_DESK, CHANNEL_ONLINE, CHANNEL_POST = 1, 2, 3


@dataclass(frozen=True)
class Principal:
    """Who is calling, as the verified token says."""

    id: str
    username: str
    roles: frozenset[Role]
    agency_code: str | None = None
    unit: str | None = None
    name: str | None = None
    email: str | None = None
    locale: str = "vi"

    def has(self, *roles: Role) -> bool:
        return bool(self.roles & set(roles))

    def actor(self, transition: Transition) -> dict:
        role = next((r for r in Role if r in transition.roles and r in self.roles), None)
        return {"id": self.id, "username": self.username, "role": role.value if role else None,
                "name": self.name, "agency_code": self.agency_code}


@dataclass(frozen=True)
class Event:
    id: str
    type: str
    dossier_id: str
    seq: int
    actor: dict
    at: datetime
    payload: dict
    schema_version: int = EVENT_SCHEMA_VERSION
    correlation_id: str | None = None

    def to_dict(self) -> dict:
        data = asdict(self)
        data["at"] = iso(self.at)
        return data


@dataclass
class Dossier:
    id: str
    code: str
    procedure_code: str
    procedure_version: int
    agency_code: str
    owner_id: str
    applicant: dict
    summary: str
    components: list[dict]
    delivery: dict
    channel: int
    status: Status
    submitted_at: datetime
    locale: str = "vi"
    sms_opt_in: bool = False
    received_at: datetime | None = None
    due_date: date | None = None
    receipt: dict | None = None
    supplement_requests: list[dict] = field(default_factory=list)
    refusal: dict | None = None
    version: int = 0
    updated_at: datetime | None = None
    unit: str | None = None  # the competent unit it was transferred to
    assignee: dict | None = None  # the specialist: {id, name}
    proposal: dict | None = None
    decision: dict | None = None
    ended: dict | None = None  # stop or withdrawal: {action, reason, at, by}
    control_slip: list[dict] = field(default_factory=list)
    fee: dict | None = None  # {amount_vnd, purpose, requested_at, requested_by, payment}
    paused_at: str | None = None  # UTC ISO time the statutory clock stopped (waiting for the applicant)
    results: list[dict] = field(default_factory=list)  # result documents: {upload_id, file_name, sha256, ...}
    returned: dict | None = None  # how the result went back: {method, at, by, ...}
    deadline_alert: str | None = None  # "due_soon" or "overdue", set by the deadline scan
    apologies: list[dict] = field(default_factory=list)  # apology letters (form 04)
    apology_allowance: int = 1  # how many apology letters may be issued (an admin may allow more)
    inter_agency: list[dict] = field(default_factory=list)  # liên thông steps: {agency_code, request, reply, ...}
    # The appointment date as the rules set it (reception, plus time waiting for a fee), never moved by
    # an apology letter: what "on time" is judged against (docs/metrics.md). ISO date.
    statutory_due_date: str | None = None
    evaluation: dict | None = None  # the applicant's rating once the result is back

    @property
    def partner_agency(self) -> str | None:
        """The other agency holding the dossier for its part, while it does."""
        if self.status == Status.AT_OTHER_AGENCY and self.inter_agency:
            return self.inter_agency[-1]["agency_code"]
        return None

    @property
    def partner_agencies(self) -> set[str]:
        return {step["agency_code"] for step in self.inter_agency}

    @property
    def national_status(self) -> int:
        return STATUSES[self.status].national_status

    def to_dict(self) -> dict:
        """The stored and API shape; times are UTC ISO-8601, the due date a local date."""
        data = asdict(self)
        data["status"] = self.status.value
        data["national_status"] = self.national_status
        for key in ("submitted_at", "received_at", "updated_at"):
            data[key] = iso(getattr(self, key))
        data["due_date"] = self.due_date.isoformat() if self.due_date else None
        return data

    @classmethod
    def from_dict(cls, data: dict) -> Dossier:
        data = dict(data)
        data.pop("national_status", None)
        data["status"] = Status(data["status"])
        for key in ("submitted_at", "received_at", "updated_at"):
            data[key] = parse_iso(data.get(key))
        data["due_date"] = date.fromisoformat(data["due_date"]) if data.get("due_date") else None
        data["channel"] = int(data["channel"])
        data["version"] = int(data.get("version") or 0)
        data["procedure_version"] = int(data["procedure_version"])
        return cls(**data)


def iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_iso(value: str | None) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def statutory_due(dossier: Dossier) -> date | None:
    """The rules' appointment date; for dossiers stored before it was kept, the date before the first
    apology letter."""
    if dossier.statutory_due_date:
        return date.fromisoformat(dossier.statutory_due_date)
    if dossier.apologies and dossier.apologies[0].get("previous_due_date"):
        return date.fromisoformat(dossier.apologies[0]["previous_due_date"])
    return dossier.due_date


def can_see(principal: Principal, dossier: Dossier) -> bool:
    """Citizens see their own dossiers, staff those of their agency, admins all.

    Callers who may not see a dossier are told it does not exist, so this decides 404, not 403.
    """
    if principal.has(Role.ADMIN):
        return True
    if principal.id == dossier.owner_id:
        return True
    if principal.agency_code is None:
        return False
    if principal.agency_code != dossier.agency_code:
        # Staff of an agency the dossier was sent to for its part (liên thông) keep sight of it.
        return principal.agency_code in dossier.partner_agencies and principal.has(
            Role.OFFICER, Role.LEADER, Role.SPECIALIST)
    if principal.has(Role.OFFICER):
        return True
    # Leaders and specialists see what reached their unit, and a specialist what is assigned to them.
    in_unit = dossier.unit is not None and dossier.unit == principal.unit
    assigned = bool(dossier.assignee) and dossier.assignee.get("id") == principal.id
    return principal.has(Role.LEADER, Role.SPECIALIST) and (in_unit or assigned)


def check_guard(principal: Principal, dossier: Dossier, transition: Transition,
                now: datetime | None = None) -> None:
    """Return actions belong to the delivery method the applicant chose; an apology letter to a
    dossier that is late or about to be, within the number of letters allowed; an evaluation to
    its amendment window."""
    if not _guard_ok(dossier, transition.action.value, now):
        raise TransitionNotAllowed(dossier.status.value, transition.action.value,
                                   offered_actions(principal, dossier, now))


def offered_actions(principal: Principal, dossier: Dossier, now: datetime | None = None) -> list[str]:
    """What the caller could really do next: their roles, their scope (agency, unit, assignment, ownership)
    and the guards. Shown on every dossier and listed by every 409."""
    found = []
    for action in allowed_actions(dossier.status, principal.roles):
        try:
            check_scope(principal, dossier, find_transition(dossier.status, Action(action)))
        except Forbidden:
            continue
        if _guard_ok(dossier, action, now):
            found.append(action)
    return found


def home_staff(principal: Principal, dossier: Dossier) -> bool:
    """Staff of the dossier's own agency (or an admin): not an agency that only did an inter-agency part."""
    return principal.has(Role.ADMIN) or (principal.agency_code == dossier.agency_code
                                         and principal.has(Role.OFFICER, Role.LEADER, Role.SPECIALIST))


def _guard_ok(dossier: Dossier, action: str, now: datetime | None = None) -> bool:
    transition = find_transition(dossier.status, Action(action))
    if transition is None:
        return True
    if transition.action == Action.APOLOGISE:
        return bool(dossier.deadline_alert) and len(dossier.apologies) < dossier.apology_allowance
    if transition.action == Action.EVALUATE:
        return evaluation_open(dossier, now or datetime.now(UTC))
    return not transition.delivery or (dossier.delivery or {}).get("method") == transition.delivery


def evaluation_open(dossier: Dossier, now: datetime) -> bool:
    """One evaluation per dossier: the first may come any time after the return, amendments only
    until the window fixed when it was first given."""
    if dossier.evaluation is None:
        return True
    return now <= parse_iso(dossier.evaluation["amend_until"])


def check_scope(principal: Principal, dossier: Dossier, transition: Transition) -> None:
    """Within the agency, who may act: a leader on their unit's dossiers, a specialist on the
    dossiers assigned to them, the applicant on their own."""
    role = principal.actor(transition)["role"]
    if role == Role.CITIZEN and principal.id != dossier.owner_id:
        raise Forbidden("not_owner")
    if transition.action == Action.RETURN_FROM_AGENCY:
        # The agency doing the inter-agency part answers, whoever of its staff does it.
        if principal.agency_code is None or principal.agency_code != dossier.partner_agency:
            raise Forbidden("wrong_agency")
        return
    if role in (Role.OFFICER, Role.LEADER, Role.SPECIALIST) and principal.agency_code != dossier.agency_code:
        raise Forbidden("wrong_agency")
    if role == Role.LEADER and (dossier.unit is None or dossier.unit != principal.unit):
        raise Forbidden("wrong_unit")
    if role == Role.SPECIALIST and not (dossier.assignee and dossier.assignee.get("id") == principal.id):
        raise Forbidden("not_assignee")


def authorise(principal: Principal, source: Status | None, action: Action,
              dossier: Dossier | None = None) -> Transition:
    """The transition for this action from this status, if the caller's roles allow it.

    A role that may never take this action is forbidden (403); a role that may, but not from the
    dossier's current status, meets a state conflict (409) that lists what it can do instead.
    """
    if not any(t.roles & principal.roles for t in TRANSITIONS if t.action == action):
        raise Forbidden("role_not_allowed", action=action.value)
    transition = find_transition(source, action)
    if transition is None or not transition.roles & principal.roles:
        raise TransitionNotAllowed(source.value if source else "none", action.value,
                                   allowed_actions(source, principal.roles) if dossier is None
                                   else offered_actions(principal, dossier))
    return transition


def _next(dossier: Dossier, transition: Transition, principal: Principal, now: datetime, payload: dict,
          correlation_id: str | None) -> tuple[Dossier, Event]:
    changed = copy.deepcopy(dossier)
    changed.status = transition.target
    changed.version = dossier.version + 1
    changed.updated_at = now
    event = Event(id=new_id(), type=transition.event_type, dossier_id=dossier.id, seq=changed.version,
                  actor=principal.actor(transition), at=now,
                  payload={"status": transition.target.value,
                           "national_status": STATUSES[transition.target].national_status,
                           "previous_status": dossier.status.value if dossier.version else None,
                           **copy.deepcopy(payload)},
                  correlation_id=correlation_id)
    return changed, event


def submit(draft: Dossier, principal: Principal, now: datetime,
           correlation_id: str | None = None) -> tuple[Dossier, Event]:
    """`draft` carries everything but the status bookkeeping; version 0 means not stored yet."""
    transition = authorise(principal, None, Action.SUBMIT)
    changed, event = _next(draft, transition, principal, now, {
        "code": draft.code, "procedure_code": draft.procedure_code, "procedure_version": draft.procedure_version,
        "agency_code": draft.agency_code, "channel": draft.channel,
        "components": _component_digest(draft.components),
    }, correlation_id)
    return changed, event


def receive(dossier: Dossier, principal: Principal, now: datetime, due: date, receipt: dict,
            correlation_id: str | None = None) -> tuple[Dossier, Event]:
    transition = authorise(principal, dossier.status, Action.RECEIVE, dossier)
    check_scope(principal, dossier, transition)
    changed, event = _next(dossier, transition, principal, now,
                           {"received_at": iso(now), "due_date": due.isoformat(), "receipt": receipt},
                           correlation_id)
    changed.received_at = now
    changed.due_date = due
    changed.statutory_due_date = due.isoformat()
    changed.receipt = receipt
    changed.control_slip = [_slip_step(1, "receive", {"kind": "applicant", "name": receipt.get("applicant_name")},
                                       {"kind": "desk", **_who(principal, transition)}, now, due)]
    return changed, event


def request_supplement(dossier: Dossier, principal: Principal, now: datetime, items: list[dict], note: str,
                       correlation_id: str | None = None) -> tuple[Dossier, Event]:
    transition = authorise(principal, dossier.status, Action.REQUEST_SUPPLEMENT, dossier)
    check_scope(principal, dossier, transition)
    request = {"form": "02", "number": len(dossier.supplement_requests) + 1, "requested_at": iso(now),
               "requested_by": principal.actor(transition), "items": items, "note": note, "resolved_at": None}
    changed, event = _next(dossier, transition, principal, now, {"supplement_request": request},
                           correlation_id)
    changed.supplement_requests.append(request)
    return changed, event


def refuse(dossier: Dossier, principal: Principal, now: datetime, reason: str,
           correlation_id: str | None = None) -> tuple[Dossier, Event]:
    transition = authorise(principal, dossier.status, Action.REFUSE, dossier)
    check_scope(principal, dossier, transition)
    refusal = {"form": "03", "reason": reason, "refused_at": iso(now), "refused_by": principal.actor(transition)}
    changed, event = _next(dossier, transition, principal, now, {"refusal": refusal}, correlation_id)
    changed.refusal = refusal
    return changed, event


def resubmit(dossier: Dossier, principal: Principal, now: datetime, components: list[dict], note: str,
             correlation_id: str | None = None) -> tuple[Dossier, Event]:
    transition = authorise(principal, dossier.status, Action.RESUBMIT, dossier)
    check_scope(principal, dossier, transition)
    changed, event = _next(dossier, transition, principal, now,
                           {"added_components": _component_digest(components), "note": note},
                           correlation_id)
    changed.components = merge_components(dossier.components, components)
    changed.supplement_requests[-1]["resolved_at"] = iso(now)
    return changed, event


def merge_components(existing: list[dict], added: list[dict]) -> list[dict]:
    """Files added in a supplement replace nothing: earlier files stay on record, new ones are appended."""
    merged = {c["component_id"]: copy.deepcopy(c) for c in existing}
    for component in added:
        target = merged.setdefault(component["component_id"],
                                   {"component_id": component["component_id"], "files": []})
        target["files"].extend(copy.deepcopy(component["files"]))
    return list(merged.values())


def _component_digest(components: list[dict]) -> list[dict]:
    return [{"component_id": c["component_id"],
             "files": [{"upload_id": f["upload_id"], "sha256": f["sha256"]} for f in c["files"]]}
            for c in components]


def _who(principal: Principal, transition: Transition) -> dict:
    actor = principal.actor(transition)
    return {"id": actor["id"], "name": actor["name"] or actor["username"], "role": actor["role"],
            "agency_code": principal.agency_code, "unit": principal.unit}


def _slip_step(number: int, action: str, giver: dict, taker: dict, at: datetime, due: date | None) -> dict:
    return {"step": number, "action": action, "from": giver, "to": taker, "handed_at": iso(at),
            "due_date": due.isoformat() if due else None, "completed_at": None, "on_time": None}


def _close_open_step(slip: list[dict], now: datetime, local_today: date) -> None:
    if slip and slip[-1]["completed_at"] is None:
        step = slip[-1]
        step["completed_at"] = iso(now)
        step["on_time"] = step["due_date"] is None or local_today <= date.fromisoformat(step["due_date"])


_DUE_DATE_REASONS = {
    Action.RECORD_PAYMENT: "record_payment: the clock stopped while the applicant's payment was awaited",
    Action.APOLOGISE: "apologise: new appointment date set by the apology letter (form 04)",
}


# What each processing action records on the dossier, besides its status. `details` were checked
# by the caller (API schema + service); `to` is who receives the dossier on a handover.
def act(dossier: Dossier, principal: Principal, action: Action, now: datetime, local_today: date, details: dict,
        to: dict | None = None, correlation_id: str | None = None, due_date: date | None = None,
        results: list[dict] | None = None, statutory_due: date | None = None) -> tuple[Dossier, Event]:
    """`due_date`: the new appointment date when the action moves it (a paid fee resumes the clock);
    `statutory_due`: the rules' date when a paid fee moves it too (it differs once an apology set a later
    appointment); `results`: the verified result documents an issue_result attaches."""
    transition = authorise(principal, dossier.status, action, dossier)
    check_scope(principal, dossier, transition)
    check_guard(principal, dossier, transition)
    extra = {}
    if due_date is not None and due_date != dossier.due_date:
        extra = {"previous_due_date": dossier.due_date.isoformat() if dossier.due_date else None,
                 "due_date": due_date.isoformat(), "due_date_reason": _DUE_DATE_REASONS[action]}
    if statutory_due is not None:
        extra["statutory_due_date"] = statutory_due.isoformat()
    if results is not None:
        extra["results"] = [{k: f.get(k) for k in ("upload_id", "file_name", "sha256", "size")} for f in results]
    changed, event = _next(dossier, transition, principal, now, {**details, **extra}, correlation_id)
    record = {**details, "at": iso(now), "by": _who(principal, transition)}
    if action == Action.TRANSFER:
        changed.unit = details["unit"]
    elif action == Action.ASSIGN:
        changed.assignee = {"id": to["id"], "name": to.get("name"), "username": to.get("username")}
    elif action == Action.PROPOSE:
        changed.proposal = record
    elif action in (Action.APPROVE, Action.REJECT):
        changed.decision = {**record, "outcome": action.value}
    elif action in (Action.STOP, Action.WITHDRAW):
        changed.ended = {**record, "action": action.value}
    elif action == Action.REQUEST_FEE:
        changed.fee = {"amount_vnd": details["amount_vnd"], "purpose": details["purpose"],
                       "requested_at": iso(now), "requested_by": record["by"], "payment": None}
        changed.paused_at = iso(now)
    elif action == Action.RECORD_PAYMENT:
        changed.fee = {**(dossier.fee or {}), "payment": record}
        changed.paused_at = None
    elif action == Action.ISSUE_RESULT:
        changed.results = list(dossier.results) + list(results or [])
    elif action in (Action.RETURN_ONLINE, Action.RETURN_AT_DESK, Action.SEND_BY_POST):
        changed.returned = {**record, "method": transition.delivery}
    elif action == Action.RECORD_DELIVERY:
        changed.returned = {**(dossier.returned or {}), "delivered": record}
    elif action in (Action.FLAG_DUE_SOON, Action.FLAG_OVERDUE):
        changed.deadline_alert = "overdue" if action == Action.FLAG_OVERDUE else "due_soon"
    elif action == Action.APOLOGISE:
        changed.apologies = [*dossier.apologies, {"form": "04", "reason": details["reason"],
                                                  "previous_due_date": extra.get("previous_due_date"),
                                                  "new_due_date": extra.get("due_date"), "at": iso(now),
                                                  "by": record["by"]}]
        changed.deadline_alert = None
    elif action == Action.ALLOW_APOLOGY:
        changed.apology_allowance = dossier.apology_allowance + 1
    elif action == Action.SEND_TO_AGENCY:
        changed.inter_agency = [*dossier.inter_agency, {
            "step": len(dossier.inter_agency) + 1, "agency_code": details["to_agency"],
            "agency_name": (to or {}).get("name"), "request": details["request"],
            "step_due": details.get("step_due"), "sent_at": iso(now), "sent_by": record["by"],
            "reply": None, "returned_at": None, "returned_by": None, "on_time": None}]
    elif action == Action.RETURN_FROM_AGENCY:
        step = changed.inter_agency[-1]
        step.update(reply=details["reply"], returned_at=iso(now), returned_by=record["by"],
                    on_time=step["step_due"] is None or local_today <= date.fromisoformat(step["step_due"]))
    if statutory_due is not None:
        changed.statutory_due_date = statutory_due.isoformat()
    if due_date is not None:
        changed.due_date = due_date
        changed.deadline_alert = None  # judged again against the new date by the next deadline scan
        open_step = changed.control_slip[-1] if changed.control_slip else None
        if open_step and open_step["completed_at"] is None and dossier.due_date \
                and open_step["due_date"] == dossier.due_date.isoformat():
            open_step["due_date"] = due_date.isoformat()  # the step that waited gets the time back too
    # A step ends when the dossier changes hands or its processing ends; waiting for a fee is neither.
    if transition.handover or STATUSES[transition.target].clock == "stopped":
        _close_open_step(changed.control_slip, now, local_today)
    if transition.handover and to is not None:
        due = date.fromisoformat(details["step_due"]) if details.get("step_due") else dossier.due_date
        changed.control_slip.append(_slip_step(len(changed.control_slip) + 1, action.value,
                                               _who(principal, transition), to, now, due))
    return changed, event


def evaluate(dossier: Dossier, principal: Principal, now: datetime, rating: dict, amend_window: timedelta,
             correlation_id: str | None = None) -> tuple[Dossier, Event]:
    """The applicant's rating: `rating` = {satisfied, criteria, comment}. The first one fixes how
    long it may be amended; each amendment keeps the first date and counts itself."""
    transition = authorise(principal, dossier.status, Action.EVALUATE, dossier)
    check_scope(principal, dossier, transition)
    check_guard(principal, dossier, transition, now)
    first = dossier.evaluation
    evaluation = {"satisfied": rating["satisfied"], "criteria": copy.deepcopy(rating.get("criteria") or {}),
                  "comment": rating.get("comment", ""),
                  "evaluated_at": first["evaluated_at"] if first else iso(now), "updated_at": iso(now),
                  "amendments": first["amendments"] + 1 if first else 0,
                  "amend_until": first["amend_until"] if first else iso(now + amend_window)}
    changed, event = _next(dossier, transition, principal, now,
                           {"evaluation": evaluation, "previous_evaluation": first}, correlation_id)
    changed.evaluation = evaluation
    if not evaluation["satisfied"]:
        event = dataclasses_replace(event, type=NOT_SATISFIED_EVENT)
    return changed, event
