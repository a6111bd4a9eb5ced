"""Dossier use cases: load what a decision needs, let the domain decide, persist atomically."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from ..domain import transitions as rules
from ..domain.access import authorise, can_see, check_scope
from ..domain.agencies import agency
from ..domain.calendar import LOCAL_TZ, CalendarConfig, WorkingCalendar, local_day
from ..domain.codes import format_dossier_code
from ..domain.dossier import CHANNEL_DESK, CHANNEL_ONLINE, CHANNEL_POST, Dossier, statutory_due
from ..domain.errors import Conflict, FieldError, IdempotencyKeyReused, NotFound, ValidationFailed, check
from ..domain.ids import new_id
from ..domain.papers import check_papers, store_owner
from ..domain.principal import Principal
from ..domain.procedures import Procedure
from ..domain.states import Action, Role, Status
from ..domain.submission import (
    check_applicant,
    check_components,
    check_delivery,
    check_resubmission,
    check_supplement_items,
)
from ..domain.times import iso, parse_iso
from ..observability import correlation_id
from ..settings import Settings, get_settings
from ..store.counters import next_sequence
from ..store.dossiers import DossierStore, IdempotencyClaim, IdempotentReplay
from ..store.procedures import ProcedureStore
from ..store.uploads import UploadStore
from . import papers as paper_service
from . import uploads as upload_service
from .public_lookup import dossier_lookup_url
from .uploads import RESULT_COMPONENT

WALK_IN = "walk-in:"  # owner of a dossier taken in at the desk for an applicant without an account


def working_calendar(settings: Settings | None = None) -> WorkingCalendar:
    settings = settings or get_settings()
    return WorkingCalendar(CalendarConfig(extra_days_off=settings.extra_days_off,
                                          makeup_working_days=settings.makeup_working_days,
                                          work_start=settings.work_start, work_end=settings.work_end,
                                          break_start=settings.break_start, break_end=settings.break_end))


def request_hash(body: dict) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":"), default=str).encode()).hexdigest()


class DossierService:
    def __init__(self) -> None:
        self.store = DossierStore()
        self.procedures = ProcedureStore()
        self.uploads = UploadStore()

    def take(self, principal: Principal, dossier_id: str, action: Action, request, now: datetime,
             expected_version: int | None = None) -> Dossier:
        """Any action of the registry (chalicelib/domain/actions.py) taken over HTTP. The actions that need
        more than the state table's bookkeeping have a use case of their own; the others share `process`."""
        own = {Action.RECEIVE: self.receive, Action.REQUEST_SUPPLEMENT: self.request_supplement,
               Action.REFUSE: self.refuse, Action.RESUBMIT: self.resubmit, Action.EVALUATE: self.evaluate}.get(action)
        if own is not None:
            return own(principal, dossier_id, request, now, expected_version)
        return self.process(principal, dossier_id, action, request, now, expected_version)

    # -- citizen -------------------------------------------------------------------------------

    def submit(self, principal: Principal, request, raw_body: dict, idempotency_key: str,
               now: datetime, origin: str | None = None, portal_code: str | None = None,
               procedure: Procedure | None = None) -> tuple[Dossier, bool]:
        """Returns the dossier and whether it was created by an earlier request with the same key. `origin` and
        `portal_code` mark a dossier forwarded by the national portal (services/portal_intake.py), which also
        passes the procedure version it mapped the national code to."""
        claim = IdempotencyClaim(principal.id, idempotency_key, request_hash(raw_body))
        earlier = self.earlier_submission(principal, idempotency_key, raw_body)
        if earlier is not None:
            return earlier, True

        procedure = procedure or self.procedures.effective(request.procedure_code, local_day(now))
        if procedure is None:
            raise ValidationFailed([FieldError("procedure_code", "procedure.not_effective")])
        at_desk = principal.has(Role.OFFICER) and not principal.has(Role.CITIZEN)
        receiving = _receiving_agency(principal, procedure) if at_desk else None
        postal = _postal(request, at_desk, local_day(now))
        components = [c.model_dump() for c in request.components]
        uploads = self._uploads(principal, components)
        applicant = request.applicant.model_dump(mode="json")
        delivery = request.delivery.model_dump(mode="json")
        reuse = paper_service.for_submission(paper_service.submitter_store(principal, at_desk, applicant), procedure,
                                             components, local_day(now))
        try:
            check(check_applicant(procedure, applicant)
                  + check_components(procedure, components, uploads, principal.id)
                  + check_papers(procedure, components, reuse.papers, local_day(now))
                  + check_delivery(procedure, delivery))
        except ValidationFailed:
            # A concurrent retry with this key may have won meanwhile and attached the uploads:
            # that is a replay, not an invalid request.
            earlier = self.store.find_claim(claim)
            if earlier is not None:
                return self._replay(principal, claim, earlier.ref, earlier.request_hash), True
            raise

        # The code is the receiving agency's (DOMAIN.md): the desk's own, where it took in another agency's dossier.
        desk = receiving or procedure.agency_code
        code = format_dossier_code(desk, local_day(now), next_sequence(desk, local_day(now)))
        dossier_id = new_id()
        # A walk-in applicant has no account here: the dossier is the desk's, and messages go to the
        # contacts they gave.
        owner = f"{WALK_IN}{dossier_id}" if at_desk else principal.id
        draft = Dossier(
            id=dossier_id, code=code, procedure_code=procedure.code, procedure_version=procedure.version,
            agency_code=procedure.agency_code, receiving_agency=receiving, owner_id=owner, applicant=applicant,
            summary=request.summary,
            components=_with_files(components, uploads, reuse.papers), delivery=delivery,
            reusable_components=reuse.reusable,
            channel=CHANNEL_POST if postal else CHANNEL_DESK if at_desk else CHANNEL_ONLINE, postal=postal,
            status=Status.SUBMITTED, submitted_at=now, locale=request.locale or principal.locale,
            sms_opt_in=request.sms_opt_in, **({"origin": origin} if origin else {}),
            **({"portal_code": portal_code} if portal_code else {}))
        dossier, event = rules.submit(draft, principal, now, correlation_id())
        # The new files go into the applicant's store in the same transaction (docs/papers.md).
        papers, later = paper_service.split(paper_service.written_by(dossier, event, lambda: procedure),
                                            3 + len(_upload_ids(components)))
        try:
            self.store.create(dossier, event, claim, _upload_ids(components), upload_owner=principal.id,
                              extra_items=papers)
        except IdempotentReplay as replay:
            return self._replay(principal, claim, replay.dossier_id, replay.request_hash), True
        paper_service.put_after(later)
        return dossier, False

    def earlier_submission(self, principal: Principal, idempotency_key: str, raw_body: dict) -> Dossier | None:
        """The dossier an earlier submission with this key created (None if none did); the same key with another
        body is refused."""
        claim = IdempotencyClaim(principal.id, idempotency_key, request_hash(raw_body))
        earlier = self.store.find_claim(claim)
        return self._replay(principal, claim, earlier.ref, earlier.request_hash) if earlier is not None else None

    def _replay(self, principal: Principal, claim: IdempotencyClaim, dossier_id: str, stored_hash: str) -> Dossier:
        if stored_hash != claim.request_hash:
            raise IdempotencyKeyReused()
        return self.visible(principal, dossier_id)

    def resubmit(self, principal: Principal, dossier_id: str, request, now: datetime,
                 expected_version: int | None = None) -> Dossier:
        dossier = self.visible(principal, dossier_id, expected_version)
        # Who may resubmit is settled before the files are looked at (they may not even exist).
        check_scope(principal, dossier, authorise(principal, dossier.status, Action.RESUBMIT, dossier))
        procedure = self._procedure_of(dossier)
        components = [c.model_dump() for c in request.components]
        uploads = self._uploads(principal, components)
        reuse = paper_service.for_submission(store_owner(dossier.owner_id, dossier.applicant), procedure, components,
                                             local_day(now), with_reusable=False)
        requested = dossier.supplement_requests[-1]["items"] if dossier.supplement_requests else []
        if dossier.status in (Status.SUPPLEMENT_REQUESTED, Status.SUPPLEMENT_IN_PROCESSING):
            check(check_components(procedure, components, uploads, principal.id, require_complete=False)
                  + check_papers(procedure, components, reuse.papers, local_day(now))
                  + check_resubmission(procedure, requested, components))
        due = statutory = None
        if dossier.paused_at is not None and dossier.due_date is not None:  # asked during processing
            waited = working_calendar()
            paused = parse_iso(dossier.paused_at)
            due = waited.extend_for_pause(dossier.due_date, paused, now)
            rules_due = statutory_due(dossier)
            statutory = waited.extend_for_pause(rules_due, paused, now) if rules_due else None
        changed, event = rules.resubmit(dossier, principal, now, _with_files(components, uploads, reuse.papers),
                                        request.note, correlation_id(), due_date=due, statutory_due=statutory)
        papers, later = paper_service.split(paper_service.written_by(changed, event, lambda: procedure),
                                            2 + len(_upload_ids(components)))
        self.store.apply(dossier.version, changed, event, _upload_ids(components), extra_items=papers)
        paper_service.put_after(later)
        return changed

    # -- desk officer ------------------------------------------------------------------------

    def receive(self, principal: Principal, dossier_id: str, request, now: datetime,
                expected_version: int | None = None) -> Dossier:
        dossier = self.visible(principal, dossier_id, expected_version)
        procedure = self._procedure_of(dossier)
        authorise(principal, dossier.status, Action.RECEIVE, dossier)
        due = working_calendar().due_date(clock_starts(dossier, now), procedure.processing_time.value,
                                          procedure.processing_time.unit)
        receipt = _receipt(dossier, procedure, principal, now, due, request.note)
        changed, event = rules.receive(dossier, principal, now, due, receipt, correlation_id())
        self.store.apply(dossier.version, changed, event)
        return changed

    def request_supplement(self, principal: Principal, dossier_id: str, request, now: datetime,
                           expected_version: int | None = None) -> Dossier:
        dossier = self.visible(principal, dossier_id, expected_version)
        procedure = self._procedure_of(dossier)
        authorise(principal, dossier.status, Action.REQUEST_SUPPLEMENT, dossier)
        items = [i.model_dump() for i in request.items]
        check(check_supplement_items(procedure, items))
        named = [{**i, "name_vi": procedure.component(i["component_id"]).name_vi,
                  "name_en": procedure.component(i["component_id"]).name_en} for i in items]
        changed, event = rules.request_supplement(dossier, principal, now, named, request.note, correlation_id())
        self.store.apply(dossier.version, changed, event)
        return changed

    def refuse(self, principal: Principal, dossier_id: str, request, now: datetime,
               expected_version: int | None = None) -> Dossier:
        dossier = self.visible(principal, dossier_id, expected_version)
        changed, event = rules.refuse(dossier, principal, now, request.reason, correlation_id())
        self.store.apply(dossier.version, changed, event)
        return changed

    # -- processing ----------------------------------------------------------------------------

    def process(self, principal: Principal, dossier_id: str, action: Action, request, now: datetime,
                expected_version: int | None = None) -> Dossier:
        """The actions the domain's `act` records: the action's preparation (`PREPARATIONS`) first checks
        what only the service can (the directory, the calendar, the uploads) and finds who receives the dossier."""
        dossier = self.visible(principal, dossier_id, expected_version)
        return self.act_on(principal, dossier, action, request.model_dump(mode="json", exclude_none=True), now)

    def act_on(self, principal: Principal, dossier: Dossier, action: Action, details: dict, now: datetime,
               extra_items: list = ()) -> Dossier:
        """`process` on a dossier already read (`details`: the checked request); `extra_items` are written in the
        same transaction (an online payment's record moves with the fee it pays)."""
        # Who may act is settled before anything else is looked at: a caller without the right must
        # not learn, from a 422, which usernames are the unit's specialists.
        check_scope(principal, dossier, authorise(principal, dossier.status, action, dossier))
        prepare = PREPARATIONS.get(action, _nothing_to_prepare)
        prepared = prepare(Taking(self, principal, dossier, details, now))
        changed, event = rules.act(dossier, principal, action, now, local_day(now), details, prepared.to,
                                   correlation_id(), due_date=prepared.due_date, results=prepared.results,
                                   statutory_due=prepared.statutory_due)
        # A returned result goes into the applicant's store with the change that returns it (docs/papers.md).
        items = [*prepared.extra_items, *extra_items]
        papers, later = paper_service.split(paper_service.written_by(changed, event,
                                                                     lambda: self._procedure_of(dossier)),
                                            2 + len(prepared.upload_ids) + len(items))
        self.store.apply(dossier.version, changed, event, prepared.upload_ids, upload_owner=principal.id,
                         upload_updates=prepared.upload_updates, extra_items=[*items, *papers])
        paper_service.put_after(later)
        return changed

    @staticmethod
    def _due_after_payment(dossier: Dossier, details: dict, now: datetime, due: date | None = None) -> date | None:
        """The time spent waiting for the applicant's payment is added back to the appointment date
        (`due`: another date to move the same way, such as the rules' own date)."""
        requested = (dossier.fee or {}).get("amount_vnd")
        if requested is not None and details["amount_vnd"] != requested:
            raise ValidationFailed([FieldError("amount_vnd", "fee.amount_mismatch", {"requested": requested})])
        due = due or dossier.due_date
        if due is None or dossier.paused_at is None:
            return None
        return working_calendar().extend_for_pause(due, parse_iso(dossier.paused_at), now)

    def evaluate(self, principal: Principal, dossier_id: str, request, now: datetime,
                 expected_version: int | None = None) -> Dossier:
        dossier = self.visible(principal, dossier_id, expected_version)
        rating = request.model_dump(mode="json", exclude_none=True)
        window = timedelta(days=get_settings().evaluation_amend_days)
        changed, event = rules.evaluate(dossier, principal, now, rating, window, correlation_id())
        self.store.apply(dossier.version, changed, event)
        return changed

    # -- reads -----------------------------------------------------------------------------------

    def visible(self, principal: Principal, dossier_id: str, expected_version: int | None = None) -> Dossier:
        dossier = self.store.get(dossier_id) if dossier_id and len(dossier_id) <= 64 else None
        if dossier is None or not can_see(principal, dossier):
            raise NotFound("dossier_not_found")
        if expected_version is not None and expected_version != dossier.version:
            raise Conflict("concurrent_update")
        return dossier

    def history(self, principal: Principal, dossier_id: str) -> tuple[Dossier, list[dict]]:
        """The dossier the caller may see, and its events."""
        dossier = self.visible(principal, dossier_id)
        return dossier, self.store.history(dossier_id)

    def _procedure_of(self, dossier: Dossier) -> Procedure:
        procedure = self.procedures.version(dossier.procedure_code, dossier.procedure_version)
        if procedure is None:  # versions are never deleted; this is a broken store, not bad input
            raise RuntimeError(f"procedure {dossier.procedure_code} v{dossier.procedure_version} missing")
        return procedure

    def _uploads(self, principal: Principal, components: list[dict]) -> dict:
        found = self.uploads.get_many(_upload_ids(components))
        return upload_service.verify_pending(principal, found)


def _receiving_agency(officer: Principal, procedure: Procedure) -> str | None:
    """The desk's agency when it takes in a dossier of another agency's procedure, which only a procedure received
    regardless of administrative boundaries allows (None for the agency's own procedure)."""
    if procedure.agency_code == officer.agency_code:
        return None
    if not procedure.reception_anywhere or officer.agency_code is None:
        raise ValidationFailed([FieldError("procedure_code", "procedure.other_agency",
                                           {"agency_code": procedure.agency_code})])
    return officer.agency_code


def _postal(request, at_desk: bool, today: date) -> dict | None:
    """Channel 3: what the desk records of a dossier that came by post (only the desk receives post)."""
    if request.postal is None:
        return None
    if not at_desk:
        raise ValidationFailed([FieldError("postal", "postal.desk_only")])
    if request.postal.received_on > today:
        raise ValidationFailed([FieldError("postal.received_on", "postal.received_in_future")])
    return {"tracking_number": request.postal.tracking_number, "received_on": request.postal.received_on.isoformat()}


def clock_starts(dossier: Dossier, now: datetime) -> datetime:
    """When the statutory period starts counting: on reception — or, for a dossier that came by post, on the day
    the post delivered it (as received that day at opening time: the calendar moves a non-working day on)."""
    arrived = (dossier.postal or {}).get("received_on")
    if not arrived:
        return now
    opening = datetime.combine(date.fromisoformat(arrived), working_calendar().config.work_start, tzinfo=LOCAL_TZ)
    return min(opening, now)


# -- preparations: what an action needs, beyond its request, before the domain records it --------------


@dataclass(frozen=True)
class Taking:
    """An action about to be taken by `DossierService.process`, as its preparation reads it."""

    service: DossierService
    principal: Principal
    dossier: Dossier
    details: dict  # the request as the event records it: a preparation pops what it records otherwise
    now: datetime


@dataclass(frozen=True)
class Prepared:
    """What `rules.act` gets besides the request."""

    to: dict | None = None  # who receives the dossier on a hand-over (a line of the control slip)
    due_date: date | None = None  # the new appointment date, when the action moves it
    statutory_due: date | None = None  # the rules' date, when the action moves it too
    results: list[dict] | None = None  # verified result documents
    upload_ids: list[str] = field(default_factory=list)  # uploads the same transaction attaches
    upload_updates: dict[str, dict] = field(default_factory=dict)  # what attaching changes in an upload's record
    extra_items: list = field(default_factory=list)  # control items the same transaction writes


def _nothing_to_prepare(taking: Taking) -> Prepared:
    return Prepared()


def _to_unit(taking: Taking) -> Prepared:
    """Transfer: a unit of the dossier's agency."""
    dossier, unit_id = taking.dossier, taking.details["unit"]
    found = agency(dossier.agency_code)
    unit = found.unit(unit_id) if found else None
    if unit is None:
        raise ValidationFailed([FieldError("unit", "unit.unknown",
                                           {"unit": unit_id, "agency_code": dossier.agency_code})])
    return Prepared(to={"kind": "unit", "unit": unit.id, "name": unit.name_vi, "agency_code": dossier.agency_code})


def _to_competent_agency(taking: Taking) -> Prepared:
    """Forward: to the desk of the agency competent for the procedure; the event says from which agency to which."""
    dossier = taking.dossier
    competent = agency(dossier.agency_code)
    taking.details.update(from_agency=dossier.receiving_agency, to_agency=dossier.agency_code)
    return Prepared(to={"kind": "desk", "agency_code": dossier.agency_code,
                        "name": competent.name_vi if competent else dossier.agency_code})


def _to_specialist(taking: Taking) -> Prepared:
    """Assign: the assignee must be an enabled specialist of the dossier's agency and unit."""
    from ..adapters.directory import staff_member

    dossier, username = taking.dossier, taking.details["specialist"]
    member = staff_member(username)
    if (member is None or not member["enabled"] or "specialist" not in member["roles"]
            or member["agency_code"] != dossier.agency_code or member["unit"] != dossier.unit):
        raise ValidationFailed([FieldError("specialist", "specialist.not_in_unit",
                                           {"specialist": username, "unit": dossier.unit or ""})])
    return Prepared(to={"kind": "specialist", "id": member["id"], "name": member["name"], "username": username})


def _to_leader(taking: Taking) -> Prepared:
    """Propose: the leader of the unit the dossier is in."""
    dossier = taking.dossier
    return Prepared(to={"kind": "leader", "unit": dossier.unit, "agency_code": dossier.agency_code})


def _back_to_specialist(taking: Taking) -> Prepared:
    """Send back: the specialist who proposed."""
    return Prepared(to={"kind": "specialist", **(taking.dossier.assignee or {})})


def _to_partner(taking: Taking) -> Prepared:
    """Send to agency: another agency on the list; its step is due by a working day from today on (the
    dossier's own appointment date when none is given)."""
    dossier, details, now = taking.dossier, taking.details, taking.now
    partner = agency(details["to_agency"])
    errors = []
    if partner is None or partner.code == dossier.agency_code:
        errors.append(FieldError("to_agency", "agency.not_a_partner", {"agency_code": details["to_agency"]}))
    step_due = details.get("step_due")
    if step_due is not None:
        day = date.fromisoformat(step_due)
        if day < local_day(now) or not working_calendar().is_working_day(day):
            errors.append(FieldError("step_due", "step_due.not_a_future_working_day"))
    check(errors)
    return Prepared(to={"kind": "agency", "agency_code": partner.code, "name": partner.name_vi})


def _back_from_partner(taking: Taking) -> Prepared:
    """Return from agency: back to the assessing specialist of the dossier's own agency."""
    dossier = taking.dossier
    return Prepared(to={"kind": "specialist", **(dossier.assignee or {}), "agency_code": dossier.agency_code})


def _payment(taking: Taking) -> Prepared:
    """Record payment: the appointment date, and the rules' date, move by the time spent waiting."""
    dossier, details, now = taking.dossier, taking.details, taking.now
    return Prepared(due_date=DossierService._due_after_payment(dossier, details, now),
                    statutory_due=DossierService._due_after_payment(dossier, details, now, statutory_due(dossier)))


def _refund_if_paid_online(ends_as: Status) -> Callable[[Taking], Prepared]:
    """Withdraw, stop: a fee paid online is returned when the rules say so — the payment's record says a refund is
    due, in the same transaction, and the reconciliation job asks the gateway for it (docs/payments.md)."""

    def prepare(taking: Taking) -> Prepared:
        from .payments import refund_due_items

        return Prepared(extra_items=refund_due_items(taking.dossier, ends_as, taking.now))

    return prepare


def _apology_date(taking: Taking) -> Prepared:
    """Apologise: the letter's new appointment date, later than the current one."""
    dossier = taking.dossier
    due_date = date.fromisoformat(taking.details.pop("new_due_date"))
    if dossier.due_date and due_date <= dossier.due_date:
        raise ValidationFailed([FieldError("new_due_date", "apology.date_not_later",
                                           {"due_date": dossier.due_date.isoformat()})])
    # The letter promises a day the applicant can still come: after today, and a working day.
    if due_date <= local_day(taking.now) or not working_calendar().is_working_day(due_date):
        raise ValidationFailed([FieldError("new_due_date", "apology.date_not_a_future_working_day")])
    return Prepared(due_date=due_date)


def _result_files(taking: Taking) -> Prepared:
    """Issue result: the desk receives the dossier with the caller's verified, not yet attached result uploads."""
    principal, dossier = taking.principal, taking.dossier
    to = {"kind": "desk", "agency_code": dossier.agency_code}
    upload_ids = taking.details.pop("upload_ids")
    uploads = upload_service.verify_pending(principal, taking.service.uploads.get_many(upload_ids))
    errors = []
    for i, upload_id in enumerate(upload_ids):
        upload = uploads.get(upload_id)
        field_name = f"upload_ids[{i}]"
        if upload is None or upload.owner_id != principal.id or upload.component_id != RESULT_COMPONENT \
                or upload.dossier_id != dossier.id:
            errors.append(FieldError(field_name, "upload.not_found", {"upload_id": upload_id}))
        elif upload.attached_to:
            errors.append(FieldError(field_name, "upload.already_attached", {"upload_id": upload_id}))
        elif upload.status != "verified":
            errors.append(FieldError(field_name, "upload.not_verified", {"upload_id": upload_id}))
    if len(set(upload_ids)) != len(upload_ids):
        errors.append(FieldError("upload_ids", "upload.duplicate", {"upload_id": ""}))
    check(errors)
    # Signed with the agency's key (or, signed already, verified) before the transaction: the dossier then
    # records the issued documents, and the uploads point at exactly those bytes.
    from . import result_signing

    found = agency(dossier.agency_code)
    sealed = result_signing.seal(dossier, [(i, uploads[u]) for i, u in enumerate(upload_ids)],
                                 found.name_vi if found else dossier.agency_code)
    return Prepared(to=to, results=[{**uploads[u].as_file(), **sealed[u].file_fields()} for u in upload_ids],
                    upload_ids=upload_ids, upload_updates={u: sealed[u].upload_fields() for u in upload_ids},
                    extra_items=result_signing.result_records(dossier, sealed, iso(taking.now)))


def _delivery_date(taking: Taking) -> Prepared:
    """Record delivery: delivered between the day it was sent and today."""
    sent_on = parse_iso((taking.dossier.returned or {}).get("at"))
    delivered_on = date.fromisoformat(taking.details["delivered_on"])
    today = local_day(taking.now)
    if delivered_on > today or (sent_on and delivered_on < local_day(sent_on)):
        raise ValidationFailed([FieldError("delivered_on", "field.range")])
    return Prepared()


# One preparation per action that needs one; the others need nothing beyond their request.
PREPARATIONS: dict[Action, Callable[[Taking], Prepared]] = {
    Action.TRANSFER: _to_unit,
    Action.FORWARD: _to_competent_agency,
    Action.ASSIGN: _to_specialist,
    Action.PROPOSE: _to_leader,
    Action.SEND_BACK: _back_to_specialist,
    Action.SEND_TO_AGENCY: _to_partner,
    Action.RETURN_FROM_AGENCY: _back_from_partner,
    Action.RECORD_PAYMENT: _payment,
    Action.WITHDRAW: _refund_if_paid_online(Status.WITHDRAWN),
    Action.STOP: _refund_if_paid_online(Status.STOPPED),
    Action.APOLOGISE: _apology_date,
    Action.ISSUE_RESULT: _result_files,
    Action.RECORD_DELIVERY: _delivery_date,
}


def _upload_ids(components: list[dict]) -> list[str]:
    return [u for c in components for u in c["upload_ids"]]


def _with_files(components: list[dict], uploads: dict, papers: dict | None = None) -> list[dict]:
    """Each component's files: the new uploads, then the papers it reuses from the applicant's store (the stored
    object itself, as if uploaded and verified again: docs/papers.md)."""
    return [{"component_id": c["component_id"],
             "files": [uploads[u].as_file() for u in c["upload_ids"]]
             + [papers[p].as_file() for p in c.get("papers") or []]}
            for c in components]


def _agency_names(code: str) -> dict:
    found = agency(code)
    return {"code": code, "name_vi": found.name_vi if found else code, "name_en": found.name_en if found else code}


def _receipt(dossier: Dossier, procedure: Procedure, officer: Principal, now: datetime, due: date,
             note: str) -> dict:
    """Form 01: the receipt with the appointment date, as the applicant gets it."""
    applicant = dossier.applicant
    return {
        "form": "01",
        "dossier_code": dossier.code,
        "procedure": {"code": procedure.code, "version": procedure.version, "name_vi": procedure.name_vi,
                      "name_en": procedure.name_en},
        "agency": {"code": procedure.agency_code, "name_vi": procedure.agency_name_vi,
                   "name_en": procedure.agency_name_en},
        # Taken in at another agency's desk: that agency, which forwards the dossier to `agency`.
        **({"receiving_agency": _agency_names(dossier.receiving_agency)} if dossier.receiving_agency else {}),
        "applicant_name": applicant.get("full_name") or applicant.get("name"),
        "components": [{"component_id": c["component_id"],
                        "name_vi": (procedure.component(c["component_id"]) or procedure.components[0]).name_vi,
                        "files": len(c["files"])} for c in dossier.components],
        "received_at": iso(now),
        "received_at_local": now.astimezone(LOCAL_TZ).strftime("%H:%M %d/%m/%Y"),
        "appointment_date": due.isoformat(),
        "lookup_url": dossier_lookup_url(dossier.code),  # where the applicant follows it without signing in
        "processing_time": {"value": procedure.processing_time.value, "unit": procedure.processing_time.unit},
        "delivery": dossier.delivery,
        "officer": {"id": officer.id, "name": officer.name or officer.username},
        "note": note,
    }
