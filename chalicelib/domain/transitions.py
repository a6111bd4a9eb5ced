"""The pure functions that move a dossier through the state machine.

Every function returns the changed dossier and the event that records the change; the store writes both
in one transaction, so a dossier never changes without its event.
"""

from __future__ import annotations

import copy
from dataclasses import replace as dataclasses_replace
from datetime import date, datetime, timedelta

from .access import authorise, check_guard, check_scope
from .control_slip import close_open_step, move_open_step_due, slip_step, who
from .dossier import Dossier
from .events import Event
from .ids import new_id
from .principal import Principal
from .records import DUE_DATE_REASONS, RECORDS, SUPPLEMENT_WAIT_REASON, Step
from .states import NOT_SATISFIED_EVENT, STATUSES, Action, Transition
from .times import iso


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
        "reusable": list(draft.reusable_components),  # papers given once: what the applicant's store could fill
        # Taken in at another agency's desk: that agency (the code's), the metrics count it there too.
        **({"receiving_agency_code": draft.receiving_agency} if draft.receiving_agency else {}),
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
    changed.control_slip = [slip_step(1, "receive", {"kind": "applicant", "name": receipt.get("applicant_name")},
                                      {"kind": "desk", **who(principal, transition)}, now, due)]
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
    if STATUSES[dossier.status].clock == "running":  # asked during processing: the statutory clock stops
        changed.paused_at = iso(now)
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
             correlation_id: str | None = None, due_date: date | None = None,
             statutory_due: date | None = None) -> tuple[Dossier, Event]:
    """The applicant's answer to a supplement request. Asked during processing, the clock resumes: `due_date`
    and `statutory_due` are the appointment dates moved by the working days waited (the caller's calendar)."""
    transition = authorise(principal, dossier.status, Action.RESUBMIT, dossier)
    check_scope(principal, dossier, transition)
    payload = {"added_components": _component_digest(components), "note": note}
    if due_date is not None and due_date != dossier.due_date:
        payload.update(previous_due_date=dossier.due_date.isoformat() if dossier.due_date else None,
                       due_date=due_date.isoformat(), due_date_reason=SUPPLEMENT_WAIT_REASON)
    if statutory_due is not None:
        payload["statutory_due_date"] = statutory_due.isoformat()
    changed, event = _next(dossier, transition, principal, now, payload, correlation_id)
    changed.components = merge_components(dossier.components, components)
    changed.supplement_requests[-1]["resolved_at"] = iso(now)
    if dossier.paused_at is not None:
        changed.paused_at = None
    if due_date is not None:
        changed.due_date = due_date
        changed.deadline_alert = None
        move_open_step_due(changed.control_slip, dossier.due_date, due_date)
    if statutory_due is not None:
        changed.statutory_due_date = statutory_due.isoformat()
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
    """What was filed, by content hash; a file reused from the applicant's store names its paper."""
    return [{"component_id": c["component_id"],
             "files": [{"upload_id": f["upload_id"], "sha256": f["sha256"],
                        **({"paper_id": f["paper_id"]} if f.get("paper_id") else {})} for f in c["files"]]}
            for c in components]


def act(dossier: Dossier, principal: Principal, action: Action, now: datetime, local_today: date, details: dict,
        to: dict | None = None, correlation_id: str | None = None, due_date: date | None = None,
        results: list[dict] | None = None, statutory_due: date | None = None) -> tuple[Dossier, Event]:
    """A processing action: what it records is its recorder's (records.py), the rest is the same for all.

    `details` were checked by the caller (API model and service); `to`: who receives the dossier on a
    hand-over; `due_date`: the new appointment date when the action moves it (a paid fee resumes the clock);
    `statutory_due`: the rules' date when a paid fee moves it too (it differs once an apology set a later
    appointment); `results`: the verified result documents an issue_result attaches."""
    transition = authorise(principal, dossier.status, action, dossier)
    check_scope(principal, dossier, transition)
    check_guard(principal, dossier, transition)
    due_change = {}
    if due_date is not None and due_date != dossier.due_date:
        due_change = {"previous_due_date": dossier.due_date.isoformat() if dossier.due_date else None,
                      "due_date": due_date.isoformat(), "due_date_reason": DUE_DATE_REASONS[action]}
    extra = dict(due_change)
    if statutory_due is not None:
        extra["statutory_due_date"] = statutory_due.isoformat()
    if results is not None:
        extra["results"] = [{**{k: f.get(k) for k in ("upload_id", "file_name", "sha256", "size")},
                             "signed": f.get("signature") is not None} for f in results]
    changed, event = _next(dossier, transition, principal, now, {**details, **extra}, correlation_id)
    record = {**details, "at": iso(now), "by": who(principal, transition)}
    RECORDS[action](Step(action, transition, dossier, changed, details, record, now, local_today, to, results,
                         due_change))
    if statutory_due is not None:
        changed.statutory_due_date = statutory_due.isoformat()
    if due_date is not None:
        changed.due_date = due_date
        changed.deadline_alert = None  # judged again against the new date by the next deadline scan
        move_open_step_due(changed.control_slip, dossier.due_date, due_date)
    # A step ends when the dossier changes hands or its processing ends; waiting for a fee is neither.
    if transition.handover or STATUSES[transition.target].clock == "stopped":
        close_open_step(changed.control_slip, now, local_today)
    if transition.handover and to is not None:
        due = date.fromisoformat(details["step_due"]) if details.get("step_due") else dossier.due_date
        changed.control_slip.append(slip_step(len(changed.control_slip) + 1, action.value,
                                              who(principal, transition), to, now, due))
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
