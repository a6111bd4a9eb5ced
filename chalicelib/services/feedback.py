"""Feedback and petitions (docs/feedback.md): filing, the agency's handling, the public list and the person's rating.

Each change writes the item and its event together (store/feedback.py); the events count in the metrics like a
dossier's (metric_facts.feedback_facts). Who may see what: the person who filed it (signed in as its owner, or
holding the key given at filing) and the staff of its agency see the whole item; everyone sees a published answer,
with personal data taken out.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import date, datetime

from ..domain import feedback as rules
from ..domain.agencies import agency as find_agency
from ..domain.errors import FieldError, Forbidden, NotFound, ValidationFailed
from ..domain.events import Event
from ..domain.feedback import Feedback, FeedbackEvent, FeedbackKind, FeedbackStatus, StepNotAllowed
from ..domain.ids import new_id
from ..domain.principal import Principal
from ..domain.states import Role
from ..store.feedback import FeedbackStore
from .dossiers import local_day, working_calendar

HANDLERS = (Role.OFFICER, Role.LEADER)


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _actor(principal: Principal | None, name: str = "") -> dict:
    if principal is None:
        return {"id": None, "username": None, "role": None, "name": name or None, "agency_code": None}
    return principal.acting_as(Role.OFFICER, Role.LEADER, Role.CITIZEN)


def _event(item: Feedback, event_type: FeedbackEvent, actor: dict, at: datetime, steps: list[str] = ()) -> Event:
    return Event(id=new_id(), type=event_type.value, dossier_id=item.aggregate_id, seq=item.seq, actor=actor, at=at,
                 payload=rules.event_payload(item, event_type, steps))


class FeedbackService:
    def __init__(self) -> None:
        self.store = FeedbackStore()

    # ------------------------------------------------------------------ the person

    def file(self, principal: Principal | None, request, now: datetime) -> tuple[Feedback, str | None]:
        """A new item (and, for someone not signed in, the key that opens it again: shown once, kept hashed)."""
        from ..store.counters import next_sequence

        citizen = principal if principal is not None and principal.has(Role.CITIZEN) else None
        if principal is not None and citizen is None:
            raise Forbidden("feedback_staff")  # staff answer feedback; they file it as people, signed out
        agency_code, procedure_code, dossier = self._subject(citizen, request, now)
        contact = {k: v for k, v in {"name": request.contact.name, "email": request.contact.email,
                                     "phone": request.contact.phone}.items() if v}
        if citizen is None and not (request.contact.email or request.contact.phone):
            raise ValidationFailed([FieldError("contact.email", "feedback_contact_required"),
                                    FieldError("contact.phone", "feedback_contact_required")])
        key = None if citizen else secrets.token_urlsafe(24)
        day = local_day(now)
        code = f"PAKN-{agency_code}-{day:%y%m%d}-{next_sequence(f'PAKN#{agency_code}', day):04d}"
        item = rules.receive(code, agency_code, FeedbackKind(request.kind), request.title, request.content, contact,
                             now, working_calendar(), procedure_code=procedure_code,
                             dossier_id=dossier.id if dossier else "", dossier_code=dossier.code if dossier else "",
                             owner_id=citizen.id if citizen else "", key_hash=key_hash(key) if key else "",
                             locale=getattr(request, "locale", None) or (citizen.locale if citizen else "vi"))
        self.store.create(item, _event(item, FeedbackEvent.FILED, _actor(citizen, request.contact.name), now))
        return item, key

    def _subject(self, citizen: Principal | None, request, now: datetime):
        """The agency (and procedure) the item is about; a dossier named must be the person's own, and decides both."""
        from ..store.dossiers import DossierStore
        from ..store.procedures import ProcedureStore

        if request.dossier_code:
            dossier = DossierStore().find_by_code(request.dossier_code) if citizen else None
            if dossier is None or dossier.owner_id != citizen.id:
                # Not signed in, or not theirs: the same answer as no such dossier.
                raise ValidationFailed([FieldError("dossier_code", "feedback_dossier_not_yours")])
            return dossier.agency_code, dossier.procedure_code, dossier
        if find_agency(request.agency_code) is None:
            raise ValidationFailed([FieldError("agency_code", "agency.unknown", {"agency_code": request.agency_code})])
        if request.procedure_code:
            procedure = ProcedureStore().effective(request.procedure_code, local_day(now))
            if procedure is None or procedure.agency_code != request.agency_code:
                raise ValidationFailed([FieldError("procedure_code", "feedback_procedure_not_of_agency")])
        return request.agency_code, request.procedure_code or "", None

    def read(self, principal: Principal | None, code: str, key: str | None) -> tuple[Feedback, str]:
        """The item and how the caller sees it: `full` (its person or its agency's staff) or `public`."""
        item = self.store.get(code)
        if item is None:
            raise NotFound("feedback_not_found")
        if self._is_filer(item, principal, key) or self._handles(item, principal):
            return item, "full"
        if item.status is FeedbackStatus.PUBLISHED:
            return item, "public"
        raise NotFound("feedback_not_found")

    def provide_info(self, principal: Principal | None, code: str, key: str | None, text: str,
                     now: datetime) -> Feedback:
        item = self._filers(principal, code, key)
        changed = self._step(lambda: rules.provide_info(item, text, now, working_calendar()))
        self.store.save(changed, item.version, _event(changed, FeedbackEvent.INFO_PROVIDED, _actor(principal), now))
        return changed

    def rate(self, principal: Principal | None, code: str, key: str | None, satisfied: bool, comment: str,
             now: datetime) -> Feedback:
        item = self._filers(principal, code, key)
        changed = self._step(lambda: rules.rate(item, satisfied, comment, now))
        self.store.save(changed, item.version, _event(changed, FeedbackEvent.RATED, _actor(principal), now))
        return changed

    def _filers(self, principal: Principal | None, code: str, key: str | None) -> Feedback:
        item = self.store.get(code)
        if item is None or not self._is_filer(item, principal, key):
            raise NotFound("feedback_not_found")  # someone else's item does not exist for them
        return item

    @staticmethod
    def _is_filer(item: Feedback, principal: Principal | None, key: str | None) -> bool:
        if principal is not None and item.owner_id and principal.id == item.owner_id:
            return True
        return bool(key and item.key_hash and hmac.compare_digest(key_hash(key), item.key_hash))

    @staticmethod
    def _handles(item: Feedback, principal: Principal | None) -> bool:
        return principal is not None and principal.has(*HANDLERS) and principal.agency_code == item.agency_code

    def mine(self, principal: Principal, limit: int, cursor: str | None) -> tuple[list[dict], str | None]:
        return self.store.of_owner(principal.id, limit, cursor)

    # ------------------------------------------------------------------ the agency

    def queue(self, principal: Principal, limit: int, cursor: str | None) -> tuple[list[dict], str | None]:
        self._require_handler(principal)
        return self.store.queue(principal.agency_code, limit, cursor)

    def handle(self, principal: Principal, code: str, step: str, body, now: datetime) -> Feedback:
        """One of the agency's steps: refuse, request_info, answer, publish."""
        self._require_handler(principal)
        item = self.store.get(code)
        if item is None or item.agency_code != principal.agency_code:
            raise NotFound("feedback_not_found")
        calendar, by = working_calendar(), _actor(principal)
        takes = {
            "refuse": (FeedbackEvent.REFUSED, lambda: rules.refuse(item, body.reason, by, now, calendar)),
            "request_info": (FeedbackEvent.INFO_REQUESTED,
                             lambda: rules.request_info(item, body.question, by, now, calendar)),
            "answer": (FeedbackEvent.ANSWERED, lambda: rules.answer(item, body.text, by, now, calendar)),
            "publish": (FeedbackEvent.PUBLISHED,
                        lambda: rules.publish(item, now, calendar, title=body.title, question=body.question,
                                              answer_text=body.answer)),
        }
        event_type, take = takes[step]
        changed = self._step(take)
        self.store.save(changed, item.version, _event(changed, event_type, by, now))
        return changed

    @staticmethod
    def _require_handler(principal: Principal) -> None:
        if not principal.has(*HANDLERS) or not principal.agency_code:
            raise Forbidden("forbidden")

    @staticmethod
    def _step(take):
        from ..domain.errors import TransitionNotAllowed

        try:
            return take()
        except StepNotAllowed as refused:
            raise TransitionNotAllowed(refused.status.value, refused.step, []) from refused

    # ------------------------------------------------------------------ everyone

    def published(self, agency_code: str, limit: int, cursor: str | None) -> tuple[list[dict], str | None]:
        """An agency's published answers (the query model has checked the agency exists)."""
        return self.store.published(agency_code, limit, cursor)

    # ------------------------------------------------------------------ the platform

    def flag_overdue(self, now: datetime) -> int:
        """Every agency step past its limit gets its `feedback.overdue` event once (the scheduled check)."""
        from ..domain.errors import Conflict

        today = local_day(now)
        flagged = 0
        for code in self.store.due_before(today.isoformat()):
            item = self.store.get(code)
            steps = rules.newly_overdue(item, today) if item else []
            if not steps:
                continue
            changed = rules.flag_overdue(item, steps, now)
            try:
                self.store.save(changed, item.version, _event(changed, FeedbackEvent.OVERDUE, SYSTEM_ACTOR, now, steps))
            except Conflict:
                continue  # changed meanwhile: the next run looks again
            flagged += 1
        return flagged


SYSTEM_ACTOR = {"id": "system", "username": "system", "role": "system", "name": None, "agency_code": None}


def days_left(due_on: str | None, today: date) -> int | None:
    """Working days from today to the due day (negative: overdue by that many)."""
    if not due_on:
        return None
    due = date.fromisoformat(due_on)
    calendar = working_calendar()
    if due >= today:
        return calendar.count_working_days(today, due)
    return -calendar.count_working_days(due, today)
