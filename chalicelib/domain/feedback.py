"""Feedback and petitions (phản ánh, kiến nghị): the rules of one item's handling, pure.

A person files feedback about an agency, one of its procedures or one of their own dossiers; the agency refuses it
with a reason, asks the person for more information, or answers it, then publishes the answer with personal data
removed; the person rates the published answer. Every step has a time limit in working days counted from the day the
item counts as received (`chalicelib/data/feedback.json`); a step taken after its limit is recorded as late, and the
item is "handled on time" when it closes (refused, or its answer published) with no late step. docs/feedback.md.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import StrEnum
from functools import cache
from pathlib import Path

from .calendar import WorkingCalendar
from .times import iso

_LIMITS = Path(__file__).resolve().parent.parent / "data" / "feedback.json"


class FeedbackStatus(StrEnum):
    RECEIVED = "received"  # with the agency, to triage and answer
    INFO_REQUESTED = "info_requested"  # with the person: the agency's clock waits
    REFUSED = "refused"  # closed
    ANSWERED = "answered"  # answered, its publication due
    PUBLISHED = "published"  # closed: the answer is on the public list


class FeedbackKind(StrEnum):
    FEEDBACK = "feedback"  # phản ánh: something went wrong
    PETITION = "petition"  # kiến nghị: a proposal


class FeedbackEvent(StrEnum):
    """The events of a feedback item (in the events table under the item's own key, docs/events.md)."""

    FILED = "feedback.filed"
    REFUSED = "feedback.refused"
    INFO_REQUESTED = "feedback.info_requested"
    INFO_PROVIDED = "feedback.info_provided"
    ANSWERED = "feedback.answered"
    PUBLISHED = "feedback.published"
    RATED = "feedback.rated"
    OVERDUE = "feedback.overdue"


# What the person who filed the item is told of, by email to the contact they gave (chalicelib/templates/feedback).
TOLD = frozenset({FeedbackEvent.FILED, FeedbackEvent.INFO_REQUESTED, FeedbackEvent.REFUSED, FeedbackEvent.PUBLISHED})

# The agency's steps, each with its limit; `answer` is counted from reception and moved by the days the agency waited
# for the person, `publish` from the answer.
STEPS = ("refuse", "request_info", "answer", "publish")
OPEN = frozenset({FeedbackStatus.RECEIVED, FeedbackStatus.INFO_REQUESTED, FeedbackStatus.ANSWERED})
CLOSED = frozenset({FeedbackStatus.REFUSED, FeedbackStatus.PUBLISHED})
# The key events of the aggregate live under in the events table: never a dossier id (those are ULIDs).
AGGREGATE_PREFIX = "FB#"


@dataclass(frozen=True)
class Limits:
    refuse_days: int
    request_info_days: int
    answer_days: int
    publish_days: int


@cache
def limits() -> Limits:
    data = json.loads(_LIMITS.read_text(encoding="utf-8"))
    return Limits(**{k: int(v) for k, v in data.items() if not k.startswith("_")})


@dataclass(frozen=True)
class Feedback:
    code: str
    agency_code: str
    kind: FeedbackKind
    title: str
    content: str
    contact: dict  # name, email, phone: never published
    filed_at: str
    received_on: str  # the working day the limits count from
    status: FeedbackStatus = FeedbackStatus.RECEIVED
    version: int = 1
    seq: int = 1  # the last event's number
    procedure_code: str = ""
    dossier_id: str = ""  # a complaint about one of the person's dossiers
    dossier_code: str = ""
    owner_id: str = ""  # the signed-in person who filed it; else the holder of the key
    key_hash: str = ""
    locale: str = "vi"  # the language the person is written to in
    refuse_by: str = ""
    request_info_by: str = ""
    answer_by: str = ""
    publish_by: str = ""
    late_steps: tuple[str, ...] = ()
    overdue: dict = field(default_factory=dict)  # step -> when the check flagged it overdue
    info_requests: tuple[dict, ...] = ()  # {question, asked_at, answer?, answered_at?}
    refusal: dict = field(default_factory=dict)  # {reason, at, by}
    answer: dict = field(default_factory=dict)  # {text, at, by}
    public: dict = field(default_factory=dict)  # {title, question, answer, published_at}
    rating: dict = field(default_factory=dict)  # {satisfied, comment, at}

    @property
    def aggregate_id(self) -> str:
        return AGGREGATE_PREFIX + self.code

    @property
    def complaint(self) -> bool:
        """About one of the person's dossiers: counts against the reception and resolution of that dossier."""
        return bool(self.dossier_id)

    @property
    def on_time(self) -> bool:
        return not self.late_steps

    @property
    def overdue_steps(self) -> tuple[str, ...]:
        return tuple(self.overdue)

    def due(self) -> str | None:
        """The day the agency's next step is due: None while the person has the item or it is closed."""
        if self.status is FeedbackStatus.RECEIVED:
            return self.answer_by
        if self.status is FeedbackStatus.ANSWERED:
            return self.publish_by
        return None


def receive(code: str, agency_code: str, kind: FeedbackKind, title: str, content: str, contact: dict, at: datetime,
            calendar: WorkingCalendar, *, procedure_code: str = "", dossier_id: str = "", dossier_code: str = "",
            owner_id: str = "", key_hash: str = "", locale: str = "vi") -> Feedback:
    """A new item, its limits counted from the working day it counts as received (after hours or on a day off: the
    next working day, as for a dossier)."""
    day = calendar.effective_receipt_day(at)
    lim = limits()
    return Feedback(code=code, agency_code=agency_code, kind=kind, title=title, content=content, contact=contact,
                    filed_at=iso(at), received_on=day.isoformat(), procedure_code=procedure_code,
                    dossier_id=dossier_id, dossier_code=dossier_code, owner_id=owner_id, key_hash=key_hash,
                    locale=locale if locale in ("vi", "en") else "vi",
                    refuse_by=calendar.add_working_days(day, lim.refuse_days).isoformat(),
                    request_info_by=calendar.add_working_days(day, lim.request_info_days).isoformat(),
                    answer_by=calendar.add_working_days(day, lim.answer_days).isoformat())


class StepNotAllowed(Exception):
    def __init__(self, status: FeedbackStatus, step: str) -> None:
        super().__init__(f"{step} not allowed while {status}")
        self.status, self.step = status, step


ALLOWED = {
    "refuse": {FeedbackStatus.RECEIVED},
    "request_info": {FeedbackStatus.RECEIVED},
    "provide_info": {FeedbackStatus.INFO_REQUESTED},
    "answer": {FeedbackStatus.RECEIVED},
    "publish": {FeedbackStatus.ANSWERED},
    "rate": {FeedbackStatus.PUBLISHED},
}


def allowed_steps(item: Feedback) -> list[str]:
    steps = [s for s, statuses in ALLOWED.items() if item.status in statuses]
    if item.rating:
        steps = [s for s in steps if s != "rate"]
    if item.info_requests and item.status is FeedbackStatus.RECEIVED:
        steps = [s for s in steps if s != "request_info"]  # once: a second question would stretch the limits
    return steps


def _check(item: Feedback, step: str) -> None:
    if step not in allowed_steps(item):
        raise StepNotAllowed(item.status, step)


def _late(item: Feedback, step: str, limit: str, day: date) -> tuple[str, ...]:
    return item.late_steps + ((step,) if limit and day > date.fromisoformat(limit) else ())


def _moved(item: Feedback, status: FeedbackStatus, **changes) -> Feedback:
    return replace(item, status=status, version=item.version + 1, seq=item.seq + 1, **changes)


def refuse(item: Feedback, reason: str, by: dict, at: datetime, calendar: WorkingCalendar) -> Feedback:
    """Not taken up (outside the agency's remit, already answered, insulting …), with the reason the person reads."""
    _check(item, "refuse")
    day = calendar.effective_receipt_day(at)
    return _moved(item, FeedbackStatus.REFUSED, refusal={"reason": reason, "at": iso(at), "by": by},
                  late_steps=_late(item, "refuse", item.refuse_by, day))


def request_info(item: Feedback, question: str, by: dict, at: datetime, calendar: WorkingCalendar) -> Feedback:
    _check(item, "request_info")
    day = calendar.effective_receipt_day(at)
    asked = {"question": question, "asked_at": iso(at), "by": by}
    return _moved(item, FeedbackStatus.INFO_REQUESTED, info_requests=item.info_requests + (asked,),
                  late_steps=_late(item, "request_info", item.request_info_by, day))


def provide_info(item: Feedback, answer: str, at: datetime, calendar: WorkingCalendar) -> Feedback:
    """The person's reply: back with the agency, the answer's limit moved by the working days it waited."""
    _check(item, "provide_info")
    last = dict(item.info_requests[-1], answer=answer, answered_at=iso(at))
    asked_at = datetime.fromisoformat(last["asked_at"].replace("Z", "+00:00"))
    answer_by = calendar.extend_for_pause(date.fromisoformat(item.answer_by), asked_at, at)
    return _moved(item, FeedbackStatus.RECEIVED, info_requests=item.info_requests[:-1] + (last,),
                  answer_by=answer_by.isoformat())


def answer(item: Feedback, text: str, by: dict, at: datetime, calendar: WorkingCalendar) -> Feedback:
    _check(item, "answer")
    day = calendar.effective_receipt_day(at)
    publish_by = calendar.add_working_days(day, limits().publish_days)
    return _moved(item, FeedbackStatus.ANSWERED, answer={"text": text, "at": iso(at), "by": by},
                  publish_by=publish_by.isoformat(), late_steps=_late(item, "answer", item.answer_by, day))


def publish(item: Feedback, at: datetime, calendar: WorkingCalendar, *, title: str | None = None,
            question: str | None = None, answer_text: str | None = None) -> Feedback:
    """The answer on the public list. What is published is the officer's wording when given, else the item's own
    text; either way the person's name, contacts, ID numbers and dossier code are taken out (`redact`)."""
    _check(item, "publish")
    day = calendar.effective_receipt_day(at)
    names = [item.contact.get("name") or ""]
    public = {"title": redact(title or item.title, names), "question": redact(question or item.content, names),
              "answer": redact(answer_text or item.answer["text"], names), "published_at": iso(at)}
    return _moved(item, FeedbackStatus.PUBLISHED, public=public,
                  late_steps=_late(item, "publish", item.publish_by, day))


def rate(item: Feedback, satisfied: bool, comment: str, at: datetime) -> Feedback:
    _check(item, "rate")
    return replace(item, rating={"satisfied": satisfied, "comment": comment, "at": iso(at)}, version=item.version + 1,
                   seq=item.seq + 1)


def limits_ahead(item: Feedback) -> dict[str, str]:
    """The agency's steps it may still take, each with its last day."""
    if item.status is FeedbackStatus.RECEIVED:
        ahead = {"refuse": item.refuse_by, "request_info": item.request_info_by, "answer": item.answer_by}
        if item.info_requests:
            del ahead["request_info"]  # asked once already
        return ahead
    if item.status is FeedbackStatus.ANSWERED:
        return {"publish": item.publish_by}
    return {}


def pending_limits(item: Feedback) -> list[tuple[str, str]]:
    """The limits the overdue check watches, not yet flagged: (step, last day). A refusal's passing limit is not
    overdue work — the agency may still answer instead."""
    return [(step, limit) for step, limit in limits_ahead(item).items()
            if step != "refuse" and step not in item.overdue]


def next_check(item: Feedback) -> str | None:
    """The last day before the check has something to flag: the earliest pending limit."""
    return min((limit for _, limit in pending_limits(item)), default=None)


def newly_overdue(item: Feedback, today: date) -> list[str]:
    """The agency's steps past their limit today and not yet flagged: each is flagged (and its event raised) once."""
    return [step for step, limit in pending_limits(item) if today > date.fromisoformat(limit)]


def flag_overdue(item: Feedback, steps: list[str], at: datetime) -> Feedback:
    return replace(item, overdue={**item.overdue, **{step: iso(at) for step in steps}}, version=item.version + 1,
                   seq=item.seq + 1)


# --------------------------------------------------------------------------- what is published

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
# Phone numbers (0xx…, +84 …), citizen ID and tax numbers, dossier codes: runs of digits with optional separators.
_PHONE = re.compile(r"(?<![\w.])(\+?84|0)[\s.-]?\d{2,3}([\s.-]?\d{3}){2}(?!\w)")
_ID_NUMBER = re.compile(r"(?<!\w)\d{9,13}(?!\w)")
_DOSSIER_CODE = re.compile(r"(?<!\w)[0-9A-Z][0-9A-Z.]*[0-9A-Z]-\d{6}-\d{4,}(?!\w)")
HIDDEN = "[…]"


def redact(text: str, names: list[str] = ()) -> str:
    """`text` without what identifies a person: email addresses, phone numbers, ID and tax numbers, dossier codes
    and the given names (the filer's), case-insensitively."""
    for pattern in (_EMAIL, _DOSSIER_CODE, _PHONE, _ID_NUMBER):
        text = pattern.sub(HIDDEN, text)
    for name in sorted({n.strip() for n in names if n and len(n.strip()) > 2}, key=len, reverse=True):
        text = re.sub(re.escape(name), HIDDEN, text, flags=re.IGNORECASE)
    return text


# --------------------------------------------------------------------------- the events it records


def event_payload(item: Feedback, event_type: FeedbackEvent, steps: list[str] = ()) -> dict:
    """What the event of the change that made `item` records. Every feedback event names the agency and procedure it
    counts for, and a closing one whether the whole handling was on time, so the metric facts need no other read."""
    payload = {"code": item.code, "agency_code": item.agency_code, "procedure_code": item.procedure_code}
    if event_type is FeedbackEvent.FILED:
        payload.update(kind=item.kind.value, complaint=item.complaint, answer_by=item.answer_by)
    elif event_type is FeedbackEvent.REFUSED:
        payload.update(reason=item.refusal["reason"], on_time=item.on_time)
    elif event_type is FeedbackEvent.INFO_REQUESTED:
        payload.update(question=item.info_requests[-1]["question"], late="request_info" in item.late_steps)
    elif event_type is FeedbackEvent.INFO_PROVIDED:
        payload.update(answer_by=item.answer_by)
    elif event_type is FeedbackEvent.ANSWERED:
        payload.update(publish_by=item.publish_by, late="answer" in item.late_steps)
    elif event_type is FeedbackEvent.PUBLISHED:
        payload.update(on_time=item.on_time)
    elif event_type is FeedbackEvent.RATED:
        payload.update(satisfied=item.rating["satisfied"])
    elif event_type is FeedbackEvent.OVERDUE:
        payload.update(steps=list(steps))
    return payload

