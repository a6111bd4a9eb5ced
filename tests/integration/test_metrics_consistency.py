"""The service-quality counters against moto's DynamoDB: rebuildable and provably consistent.

A seeded workload of dossiers (two agencies, several procedures, online and desk) is moved through random
valid paths by the pure domain functions, with timestamps spread over several months and across month,
quarter and year ends (some events at 23:30 in Hà Nội on a quarter's last day). Every final dossier and every
event the domain produced is written with the store's own item layout. Then:

- incremental: every event is delivered to the counters in a shuffled order, some two or three times (at once
  or long after), each delivery doing what the metrics consumer does;
- rebuilt: `services.metrics.rebuild()` recomputes every counter from the event log into the next generation,
  twice;
- oracle: a straightforward recomputation written here from the final dossiers themselves (received and
  ended dates, the receipt's appointment date, the fee, the control slip, the evaluation), not from the
  event fold.

The three must agree for every agency and every day, month, quarter and year bucket.

Size: moto spends about 8 ms on each counter transaction (8 counter rows plus the dedupe marker, every update
expression parsed and validated) and its queries sort the whole table, so `make test` generates 180 dossiers
(about 1,750 events, 2,000 deliveries, about a minute). `METRICS_CONSISTENCY_DOSSIERS=2000` runs the same checks
on thousands: 2,000 dossiers, 19,004 events, 21,468 deliveries (2,464 redeliveries), all 12 tests passed in
7 min 36 s on the development machine (incremental 178 s, each rebuild 43–45 s).
"""

from __future__ import annotations

import os
import random
import time as clock
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from functools import cache

import boto3
import pytest

from chalicelib.domain import feedback as fb
from chalicelib.domain import tickets as tq
from chalicelib.domain import transitions as rules
from chalicelib.domain.calendar import LOCAL_TZ
from chalicelib.domain.codes import format_dossier_code
from chalicelib.domain.deadlines import deadline_state
from chalicelib.domain.dossier import CHANNEL_DESK, CHANNEL_ONLINE, Dossier, statutory_due
from chalicelib.domain.events import Event
from chalicelib.domain.ids import is_id, new_id
from chalicelib.domain.metric_facts import facts
from chalicelib.domain.periods import parse_period
from chalicelib.domain.principal import Principal
from chalicelib.domain.procedures import load_seed_catalogue
from chalicelib.domain.states import STATUSES, Action, Role, Status
from chalicelib.domain.times import parse_iso
from chalicelib.services import metrics
from chalicelib.services.deadlines import SCANNER
from chalicelib.services.dossiers import DossierService, working_calendar
from chalicelib.settings import get_settings
from chalicelib.store import metrics as store
from chalicelib.store.dossiers import _to_model, event_model
from chalicelib.store.models import DossierModel, EventModel, bind

from .conftest import AGENCY, OTHER_AGENCY, REGION

# --------------------------------------------------------------------------- the workload

# As many as fit in about a minute of `make test` on moto (see the module docstring);
# METRICS_CONSISTENCY_DOSSIERS=2000 runs the same checks on thousands (docs/metrics.md has such a run).
DOSSIERS = int(os.environ.get("METRICS_CONSISTENCY_DOSSIERS", "180"))
SEED = 20261121
SOCIAL_SECURITY = "000.00.31.H26"
PROCEDURES = {AGENCY: ("1.014199", "1.014200", "1.001978", "1.010833"),
              OTHER_AGENCY: ("1.014201", "1.014196", "1.001973", "1.009899")}
UNITS = ("viec-lam", "lao-dong")
FIRST_SUBMISSION = datetime(2025, 11, 3, 1, 0, tzinfo=UTC)
SUBMISSION_SPAN_DAYS = 240
# 23:30 and 00:30 in Hà Nội around the end of each quarter: every eighth dossier is submitted a few days before
# one of these moments, and the first of its events that would cross it is put exactly on it.
QUARTER_ENDS = (date(2025, 12, 31), date(2026, 3, 31), date(2026, 6, 30), date(2026, 9, 30))
EDGES = {"before": tuple(datetime.combine(d, time(16, 30), UTC) for d in QUARTER_ENDS),
         "after": tuple(datetime.combine(d, time(17, 30), UTC) for d in QUARTER_ENDS)}
AMEND_WINDOW = timedelta(days=7)
TODAY = date(2026, 11, 21)  # when the scorecards are read: every period of the workload is over
RESULT_FILE = {"upload_id": "result", "file_name": "ket-qua.pdf", "content_type": "application/pdf", "size": 2048,
               "sha256": "cd" * 32}
OPEN = {s for s, info in STATUSES.items() if info.clock in ("running", "paused")} - {Status.SUPPLEMENT_REQUESTED}
ID_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32, as chalicelib.domain.ids
ENDING_OF_ACTION = {"withdraw": "withdrawn", "stop": "stopped", "approve": "approved", "reject": "rejected"}


@cache
def _calendar():
    return working_calendar()


@cache
def _procedure(code: str):
    return next(p for p in load_seed_catalogue() if p.code == code)


def _local(moment: datetime) -> date:
    return moment.astimezone(LOCAL_TZ).date()


def _seeded_id(rng: random.Random, at: datetime) -> str:
    """A ULID as `new_id` makes them, its random part from the seed: a failure reproduces shard for shard."""
    value = (int(at.timestamp() * 1000) << 80) | rng.getrandbits(80)
    return "".join(ID_ALPHABET[(value >> 5 * i) & 31] for i in reversed(range(26)))


def _staff(agency: str, role: Role, name: str, unit: str | None = None) -> Principal:
    username = f"{role.value}.{name}.{agency.split('.', 2)[2].lower()}"  # e.g. officer.an.20.h26
    return Principal(id=f"sub-{username}", username=username, roles=frozenset({role}), agency_code=agency,
                     unit=unit, name=f"Cán bộ {name}")


DESK = {a: tuple(_staff(a, Role.OFFICER, n) for n in ("an", "binh", "chi")) for a in PROCEDURES}
LEADERS = {(a, u): _staff(a, Role.LEADER, u, u) for a in PROCEDURES for u in UNITS}
SPECIALISTS = {(a, u): tuple(_staff(a, Role.SPECIALIST, f"{u}-{i}", u) for i in (1, 2)) for a in PROCEDURES
               for u in UNITS}
PARTNERS = {AGENCY: (OTHER_AGENCY, SOCIAL_SECURITY), OTHER_AGENCY: (AGENCY, SOCIAL_SECURITY)}
PARTNER_STAFF = {code: _staff(code, Role.OFFICER, "lien-thong") for code in (AGENCY, OTHER_AGENCY, SOCIAL_SECURITY)}
STAFF_USERNAMES = {a: {p.username for p in DESK[a]} | {LEADERS[(a, u)].username for u in UNITS}
                   | {s.username for u in UNITS for s in SPECIALISTS[(a, u)]} for a in PROCEDURES}


@dataclass
class Life:
    """One dossier's walk: its final state, every event the domain produced, and what the walk went through."""

    dossier: Dossier
    events: list[Event] = field(default_factory=list)
    tags: set[str] = field(default_factory=set)
    histories: list[dict] = field(default_factory=list)  # the events as stored (type, at, actor, payload)

    @property
    def key(self) -> str:
        return self.dossier.id


class _Walk:
    """Moves one dossier through a random valid path with the domain functions, time always moving on."""

    def __init__(self, rng: random.Random, number: int) -> None:
        self.rng = rng
        self.number = number
        self.agency = rng.choice(list(PROCEDURES))
        self.procedure = _procedure(rng.choice(PROCEDURES[self.agency]))
        self.online = rng.random() < 0.7
        self.pace = rng.choice((1, 1, 1, 2, 4))  # slow dossiers end late
        self.t = FIRST_SUBMISSION + timedelta(minutes=rng.randrange(SUBMISSION_SPAN_DAYS * 24 * 60))
        self.edges: tuple[datetime, ...] = ()
        if number % 8 == 0:  # submitted a few days before a quarter's end, its first event across it put on it
            edge = EDGES["before" if number // 32 % 2 == 0 else "after"][number // 8 % len(QUARTER_ENDS)]
            self.edges, self.t = (edge,), edge - timedelta(minutes=rng.randrange(60, 6 * 24 * 60))
        self.desk = rng.choice(DESK[self.agency])
        self.citizen = (Principal(id=f"citizen-{number:05d}", username=f"citizen.{number:05d}",
                                  roles=frozenset({Role.CITIZEN}), name="Nguyễn Văn An") if self.online else None)
        # Reception regardless of administrative boundaries: a walk-in's dossier of a procedure on that list is taken
        # in at the other agency's desk, which forwards it here (chosen without the random stream: the other walks
        # stay as they were).
        self.receiving: Principal | None = None
        if not self.online and self.procedure.reception_anywhere:
            other = next(a for a in PROCEDURES if a != self.agency)
            self.receiving = DESK[other][number % len(DESK[other])]
        self.life: Life | None = None

    # -- plumbing

    @property
    def d(self) -> Dossier:
        return self.life.dossier

    def advance(self, low_minutes: int, high_minutes: int) -> None:
        before = self.t
        after = before + timedelta(minutes=self.rng.randint(low_minutes, high_minutes))
        for edge in self.edges:
            if before < edge <= after:
                after = edge
                self.life.tags.add(f"edge_{_local(edge).isoformat()}_{edge.hour}")
                break
        self.t = after

    def wait(self, scale: float = 1.0) -> None:
        """Time until the next action, then the deadline watch at that moment."""
        self.advance(20, int(36 * 60 * self.pace * scale))
        self.watch()
        self.t += timedelta(minutes=1)

    def record(self, changed: Dossier, event: Event, tag: str | None = None) -> None:
        self.life.dossier = changed
        self.life.events.append(event)
        self.life.tags.add(tag or event.type)

    def act(self, who: Principal, action: Action, details: dict, to: dict | None = None, tag: str | None = None,
            **kwargs) -> None:
        self.record(*rules.act(self.d, who, action, self.t, _local(self.t), details, to, **kwargs), tag=tag)

    def watch(self) -> None:
        """What the hourly deadline scan would have flagged by now; sometimes an apology letter follows."""
        d = self.d
        if d.status not in OPEN or d.due_date is None:
            return
        today = _local(self.t)
        state = deadline_state(d.due_date, today, _calendar(), 1)
        if state and state != d.deadline_alert and d.deadline_alert != "overdue":
            self.record(*rules.act(d, SCANNER, Action.FLAG_DUE_SOON if state == "due_soon" else Action.FLAG_OVERDUE,
                                   self.t, today, {"due_date": d.due_date.isoformat(), "as_of": today.isoformat()}))
        # Not while a fee is awaited: a payment after an apology is test_a_fee_paid_after_an_apology_...'s case.
        waiting_for_fee = self.d.fee is not None and self.d.fee.get("payment") is None
        if self.d.deadline_alert and not self.d.apologies and not waiting_for_fee and self.rng.random() < 0.4:
            self.t += timedelta(minutes=5)
            new_due = _calendar().add_working_days(max(self.d.due_date, today), self.rng.randint(2, 6))
            self.act(self.rng.choice([self.desk, *self.unit_staff()]), Action.APOLOGISE,
                     {"reason": "Cần thêm thời gian xác minh"}, due_date=new_due)

    def unit_staff(self) -> list[Principal]:
        if self.d.unit is None:
            return []
        staff = [LEADERS[(self.agency, self.d.unit)]]
        if self.d.assignee:
            staff += [s for s in SPECIALISTS[(self.agency, self.d.unit)] if s.id == self.d.assignee["id"]]
        return staff

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    @property
    def reception_desk(self) -> Principal:
        """The desk that takes the dossier in: another agency's when it is received there."""
        return self.receiving or self.desk

    def withdraw(self) -> None:
        before_assignment = self.d.assignee is None
        self.act(self.citizen, Action.WITHDRAW, {"reason": "Không còn nhu cầu"})
        if before_assignment:
            self.life.tags.add("withdrawn_before_assignment")

    # -- the path

    def run(self) -> Life:
        self.t = self.t.replace(second=0, microsecond=0)
        self.submit()
        if self.before_reception() and self.processing():
            self.after_decision()
        life = self.life
        life.histories = [{"seq": e.seq, "type": e.type, "at": e.to_dict()["at"], "actor": e.actor,
                           "payload": e.payload} for e in life.events]
        return life

    def submit(self) -> None:
        dossier_id = _seeded_id(self.rng, self.t)
        files = [{"component_id": c.id, "files": [{"upload_id": f"{dossier_id}-{c.id}", "file_name": f"{c.id}.pdf",
                                                   "content_type": "application/pdf", "size": 1000,
                                                   "sha256": "ab" * 32}]}
                 for c in self.procedure.components if c.required]
        # Papers given once: some applicants reuse a stored paper for the first component, some held one for the
        # last and uploaded it again (chosen by the dossier's number: the walk's random draws stay as they were).
        reused = {files[0]["component_id"]} if self.number % 5 == 1 else set()
        if reused:
            files[0]["files"][0]["paper_id"] = files[0]["files"][0]["upload_id"]
        reusable = [*reused, *([files[-1]["component_id"]] if self.number % 7 == 2 else [])]
        methods = ["desk", "post"] + (["online"] if self.procedure.online_level.value == "full" else [])
        method = self.rng.choice(methods)
        desk_agency = self.receiving.agency_code if self.receiving else self.agency
        draft = Dossier(
            id=dossier_id, code=format_dossier_code(desk_agency, _local(self.t), self.number + 1),
            receiving_agency=self.receiving.agency_code if self.receiving else None,
            procedure_code=self.procedure.code, procedure_version=self.procedure.version, agency_code=self.agency,
            owner_id=self.citizen.id if self.online else f"walk-in:{dossier_id}",
            applicant={"type": "person", "full_name": "Nguyễn Văn An", "citizen_id": f"0010950{self.number:05d}"},
            summary="Hồ sơ sinh ngẫu nhiên", components=files, reusable_components=list(dict.fromkeys(reusable)),
            delivery={"method": method, "address": "1 Tràng Tiền, Hà Nội" if method == "post" else None},
            channel=CHANNEL_ONLINE if self.online else CHANNEL_DESK, status=Status.SUBMITTED, submitted_at=self.t)
        self.life = Life(draft)
        self.record(*rules.submit(draft, self.citizen or self.reception_desk, self.t))
        self.life.tags.add("online" if self.online else "desk")
        if reused:
            self.life.tags.add("reused_paper")
        if set(reusable) - reused:
            self.life.tags.add("asked_again")

    def before_reception(self) -> bool:
        """Supplement requests (0, 1 or 2), refusal, withdrawal or reception; True once received."""
        requests = self.rng.choices((0, 1, 2), (60, 25, 15))[0] if self.online else 0
        for number in range(requests):
            self.advance(30, 2 * 24 * 60)
            component = self.d.components[0]["component_id"]
            self.record(*rules.request_supplement(self.d, self.desk, self.t,
                                                  [{"component_id": component, "reason": "Bản chụp bị mờ"}],
                                                  "Đề nghị bổ sung"), tag=f"supplement_{number + 1}")
            self.advance(60, 3 * 24 * 60)
            if self.chance(0.06):
                self.withdraw()
                return False
            added = [{"component_id": component, "files": [{"upload_id": f"{self.d.id}-s{number}",
                                                            "sha256": "ef" * 32, "file_name": "bo-sung.pdf"}]}]
            self.record(*rules.resubmit(self.d, self.citizen, self.t, added, "Đã bổ sung"))
        self.advance(10, 24 * 60)
        if self.chance(0.07):
            self.record(*rules.refuse(self.d, self.reception_desk, self.t, "Không thuộc thẩm quyền"))
            return False
        if self.online and self.chance(0.03):
            self.withdraw()
            return False
        spec = self.procedure.processing_time
        due = _calendar().due_date(self.t, spec.value, spec.unit)
        receipt = {"form": "01", "dossier_code": self.d.code, "applicant_name": "Nguyễn Văn An",
                   "appointment_date": due.isoformat()}
        self.record(*rules.receive(self.d, self.reception_desk, self.t, due, receipt))
        if self.receiving:
            self.t += timedelta(minutes=45)
            self.act(self.receiving, Action.FORWARD, {"note": "", "from_agency": self.receiving.agency_code,
                                                      "to_agency": self.agency},
                     {"kind": "desk", "agency_code": self.agency, "name": self.agency}, tag="received_elsewhere")
        return True

    def processing(self) -> bool:
        """Transfer, assignment, inter-agency steps, fee, proposal and decision; True once decided."""
        self.wait()
        if self.online and self.chance(0.03):
            self.withdraw()
            return False
        unit = self.rng.choice(UNITS)
        self.act(self.desk, Action.TRANSFER, {"unit": unit},
                 {"kind": "unit", "unit": unit, "name": unit, "agency_code": self.agency})
        leader = LEADERS[(self.agency, unit)]
        self.wait(0.5)
        if self.chance(0.03):
            self.act(leader, Action.STOP, {"reason": "Trùng hồ sơ"}, tag="stopped_before_assignment")
            return False
        specialist = self.rng.choice(SPECIALISTS[(self.agency, unit)])
        self.act(leader, Action.ASSIGN, {"specialist": specialist.username},
                 {"kind": "specialist", "id": specialist.id, "name": specialist.name, "username": specialist.username})
        sends = 0
        while True:
            self.wait()
            if self.online and self.chance(0.02):
                self.withdraw()
                return False
            if sends < 2 and self.chance(0.12):
                sends += 1
                if not self.inter_agency(specialist, leader):
                    return False
                continue
            if self.d.fee is None and not self.d.apologies and self.chance(0.3):
                if not self.fee(specialist, leader):
                    return False
                continue
            self.act(specialist, Action.PROPOSE,
                     {"assessment": "Đủ điều kiện", "proposal": self.rng.choice(["approve", "reject"]), "note": ""},
                     {"kind": "leader", "unit": unit, "agency_code": self.agency})
            self.wait(0.5)
            roll = self.rng.random()
            if roll < 0.12:
                self.act(leader, Action.SEND_BACK, {"reason": "Bổ sung đánh giá"},
                         {"kind": "specialist", **self.d.assignee})
                continue
            if roll < 0.15:
                self.act(leader, Action.STOP, {"reason": "Dừng theo đề nghị"})
                return False
            if roll < 0.18 and self.online:
                self.withdraw()
                return False
            if roll < 0.78:
                self.act(leader, Action.APPROVE, {"note": ""})
            else:
                self.act(leader, Action.REJECT, {"reason": "Không đủ điều kiện"})
            return True

    def inter_agency(self, specialist: Principal, leader: Principal) -> bool:
        partner = self.rng.choice(PARTNERS[self.agency])
        details = {"to_agency": partner, "request": "Xác minh thông tin", "note": ""}
        if self.chance(0.5):
            details["step_due"] = _calendar().add_working_days(_local(self.t), 3).isoformat()
        self.act(specialist, Action.SEND_TO_AGENCY, details, {"kind": "agency", "agency_code": partner,
                                                             "name": partner})
        self.wait()
        if self.chance(0.03):
            self.act(leader, Action.STOP, {"reason": "Cơ quan phối hợp không trả lời"})
            return False
        self.act(PARTNER_STAFF[partner], Action.RETURN_FROM_AGENCY, {"reply": "Đã xác minh", "note": ""},
                 {"kind": "specialist", **self.d.assignee, "agency_code": self.agency})
        return True

    def fee(self, specialist: Principal, leader: Principal) -> bool:
        amount = self.rng.choice((100000, 450000, 600000))
        self.act(self.rng.choice((specialist, self.desk)), Action.REQUEST_FEE,
                 {"amount_vnd": amount, "purpose": "Lệ phí", "note": ""})
        self.advance(30, int(5 * 24 * 60 * self.pace))
        self.watch()
        self.t += timedelta(minutes=1)
        roll = self.rng.random()
        if roll < 0.06 and self.online:
            self.withdraw()
            return False
        if roll < 0.1:
            self.act(leader, Action.STOP, {"reason": "Không nộp phí"})
            return False
        payment = {"amount_vnd": amount, "method": self.rng.choice(("cash", "bank_transfer", "online")),
                   "receipt_number": f"BL-{self.number:05d}", "note": ""}
        self.act(self.desk, Action.RECORD_PAYMENT, payment,
                 due_date=DossierService._due_after_payment(self.d, payment, self.t),
                 statutory_due=DossierService._due_after_payment(self.d, payment, self.t, statutory_due(self.d)),
                 tag=f"paid_{payment['method']}")
        return True

    def after_decision(self) -> None:
        """The result, its return by the applicant's chosen method, and the applicant's rating."""
        self.advance(30, 24 * 60)
        if self.chance(0.08):
            return
        issuer = self.rng.choice([self.desk, *self.unit_staff()])
        self.act(issuer, Action.ISSUE_RESULT, {"note": ""}, {"kind": "desk", "agency_code": self.agency},
                 results=[dict(RESULT_FILE, upload_id=f"{self.d.id}-result")])
        self.advance(30, 3 * 24 * 60)
        if self.chance(0.1):
            return
        method = self.d.delivery["method"]
        if method == "online":
            self.act(self.desk, Action.RETURN_ONLINE, {"note": ""}, tag="return_online")
        elif method == "desk":
            self.act(self.desk, Action.RETURN_AT_DESK, {"received_by": "Nguyễn Văn An", "note": ""},
                     tag="return_at_desk")
        else:
            self.act(self.desk, Action.SEND_BY_POST, {"tracking_number": f"EB{self.number:09d}VN",
                                                      "carrier": "VNPost", "note": ""})
            self.advance(12 * 60, 4 * 24 * 60)
            if self.chance(0.15):
                return
            self.act(self.desk, Action.RECORD_DELIVERY, {"delivered_on": _local(self.t).isoformat(), "note": ""},
                     tag="return_by_post")
        if self.citizen is None or not self.chance(0.65):
            return
        self.advance(10, 5 * 24 * 60)
        for amendment in range(self.rng.choices((0, 1, 2), (70, 20, 10))[0] + 1):
            satisfied = self.chance(0.8)
            rating = {"satisfied": satisfied, "criteria": {"timeliness": "satisfied" if satisfied else "not_satisfied"},
                      "comment": ""}
            self.record(*rules.evaluate(self.d, self.citizen, self.t, rating, AMEND_WINDOW),
                        tag="amended" if amendment else None)
            self.advance(60, 3 * 24 * 60)
            if self.t > parse_iso(self.d.evaluation["amend_until"]):
                return


def generate(count: int, seed: int = SEED) -> list[Life]:
    rng = random.Random(seed)
    return [_Walk(rng, number).run() for number in range(count)]


# --------------------------------------------------------------------------- feedback items (docs/feedback.md)

FEEDBACK_ITEMS = max(DOSSIERS // 3, 10)


@dataclass
class FeedbackLife:
    """One feedback item's handling: its final state and its events, as the service writes them."""

    item: fb.Feedback
    events: list[Event] = field(default_factory=list)
    histories: list[dict] = field(default_factory=list)

    @property
    def key(self) -> str:
        return self.item.aggregate_id


def _feedback_life(rng: random.Random, number: int) -> FeedbackLife:
    """Filed, maybe checked overdue, then refused, or asked for more and answered, published and rated — each step
    after a random wait, some past their limit; a fifth of them filed a few hours either side of a quarter's end."""
    calendar = _calendar()
    agency = rng.choice(list(PROCEDURES))
    t = FIRST_SUBMISSION + timedelta(minutes=rng.randrange(SUBMISSION_SPAN_DAYS * 24 * 60))
    if number % 5 == 0:
        t = rng.choice(EDGES["before"] + EDGES["after"]) - timedelta(minutes=rng.randrange(0, 120))
    item = fb.receive(f"PAKN-{agency}-{_local(t):%y%m%d}-{number:04d}", agency,
                      rng.choice(list(fb.FeedbackKind)), "Phản ánh", "Nội dung", {"name": "Người dân"}, t, calendar,
                      procedure_code=rng.choice(PROCEDURES[agency] + ("",)),
                      dossier_id=f"D{number}" if rng.random() < 0.25 else "")
    life = FeedbackLife(item)
    officer = rng.choice(DESK[agency])
    by = {"id": officer.id, "username": officer.username, "role": "officer", "name": officer.name}

    def record(changed: fb.Feedback, event_type: fb.FeedbackEvent, steps: list[str] = ()) -> None:
        life.item = changed
        life.events.append(Event(id=_seeded_id(rng, t), type=event_type.value, dossier_id=changed.aggregate_id,
                                 seq=changed.seq, actor=by, at=t, payload=fb.event_payload(changed, event_type, steps)))

    def wait(days: float) -> None:
        nonlocal t
        t += timedelta(minutes=rng.randrange(30, max(31, int(days * 24 * 60))))
        overdue = fb.newly_overdue(life.item, _local(t))
        if overdue:  # what the hourly check would have flagged by now
            record(fb.flag_overdue(life.item, overdue, t), fb.FeedbackEvent.OVERDUE, overdue)
            t += timedelta(minutes=1)

    record(item, fb.FeedbackEvent.FILED)
    pace = rng.choice((1, 1, 2, 4))
    wait(2 * pace)
    if rng.random() < 0.2:
        record(fb.refuse(life.item, "Không thuộc thẩm quyền", by, t, calendar), fb.FeedbackEvent.REFUSED)
        return _with_histories(life)
    if rng.random() < 0.3:
        record(fb.request_info(life.item, "Xin thêm thông tin", by, t, calendar), fb.FeedbackEvent.INFO_REQUESTED)
        t += timedelta(minutes=rng.randrange(60, 8 * 24 * 60))
        record(fb.provide_info(life.item, "Thông tin thêm", t, calendar), fb.FeedbackEvent.INFO_PROVIDED)
    wait(6 * pace)
    record(fb.answer(life.item, "Trả lời", by, t, calendar), fb.FeedbackEvent.ANSWERED)
    if rng.random() < 0.1:
        return _with_histories(life)  # its publication still due when the scorecards are read
    wait(1.5 * pace)
    record(fb.publish(life.item, t, calendar), fb.FeedbackEvent.PUBLISHED)
    if rng.random() < 0.7:
        t += timedelta(minutes=rng.randrange(60, 10 * 24 * 60))
        record(fb.rate(life.item, rng.random() < 0.75, "", t), fb.FeedbackEvent.RATED)
    return _with_histories(life)


def _with_histories(life):
    life.histories = [{"seq": e.seq, "type": e.type, "at": e.to_dict()["at"], "actor": e.actor,
                       "payload": e.payload} for e in life.events]
    return life


def generate_feedback(count: int, seed: int = SEED) -> list[FeedbackLife]:
    rng = random.Random(seed + 7)
    return [_feedback_life(rng, number) for number in range(count)]


def feedback_oracle(items: list[fb.Feedback]) -> dict[tuple[str, str, str, str], Counter]:
    """Straight off the final items: filed on its day, closed (refused or published) on time or not on its day,
    rated on its day, every flagged step on the day it was flagged."""
    found: dict[tuple[str, str, str, str], Counter] = defaultdict(Counter)
    for item in items:
        def add(counter: str, moment: str, item=item) -> None:
            dims = [("all", "-")] + ([("procedure", item.procedure_code)] if item.procedure_code else [])
            for bucket in _buckets(_local(parse_iso(moment))):
                for dimension, value in dims:
                    found[(item.agency_code, dimension, value, bucket)][counter] += 1

        add("feedback_filed", item.filed_at)
        if item.dossier_id:
            add("complained", item.filed_at)
        closed = item.refusal.get("at") or item.public.get("published_at")
        if closed:
            add("feedback_closed", closed)
            add("feedback_on_time" if not item.late_steps else "feedback_late", closed)
            add("feedback_refused" if item.refusal else "feedback_published", closed)
        if item.rating:
            add("feedback_rated", item.rating["at"])
            if item.rating["satisfied"]:
                add("feedback_satisfied", item.rating["at"])
        for flagged_at in item.overdue.values():
            add("feedback_overdue", flagged_at)
    return found


# --------------------------------------------------------------------------- desk queue tickets (docs/queue.md)

TICKETS = max(DOSSIERS // 3, 10)
COUNTERS = ("1", "2", "3")


@dataclass
class TicketLife:
    """One visit at the desk: the ticket's final state and its events, as the service writes them."""

    ticket: tq.Ticket
    events: list[Event] = field(default_factory=list)
    histories: list[dict] = field(default_factory=list)

    @property
    def key(self) -> str:
        return self.ticket.aggregate_id


def _ticket_life(rng: random.Random, number: int) -> TicketLife:
    """Taken, then (mostly) called after a wait — sometimes at once, sometimes past midnight — maybe called again,
    then served (straight from the call or after starting) with or without a dossier, or a no-show; a few never
    called. A fifth of them are taken a little before a quarter's end in Hà Nội."""
    agency = rng.choice(list(PROCEDURES))
    t = FIRST_SUBMISSION + timedelta(minutes=rng.randrange(SUBMISSION_SPAN_DAYS * 24 * 60))
    if number % 5 == 0:
        t = rng.choice(EDGES["before"]) - timedelta(minutes=rng.randrange(0, 40))
    desk_service = rng.choice(tq.services(agency))
    ticket = tq.take(_seeded_id(rng, t), agency, desk_service, number + 1, t, _local(t).isoformat())
    life = TicketLife(ticket)
    officer = rng.choice(DESK[agency])
    by = {"id": officer.id, "username": officer.username, "role": "officer", "name": officer.name}
    officer_ref = {"id": officer.id, "username": officer.username, "name": officer.name}

    def record(changed: tq.Ticket, event_type: tq.TicketEvent, actor: dict = by) -> None:
        life.ticket = changed
        life.events.append(Event(id=_seeded_id(rng, t), type=event_type.value, dossier_id=changed.aggregate_id,
                                 seq=changed.seq, actor=actor, at=t,
                                 payload=tq.event_payload(changed, event_type)))

    def wait(low_seconds: int, high_seconds: int) -> None:
        nonlocal t
        t += timedelta(seconds=rng.randint(low_seconds, high_seconds))

    record(ticket, tq.TicketEvent.TAKEN, {"id": None, "username": None, "role": None, "name": None})
    if rng.random() < 0.08:
        return _with_histories(life)  # still waiting when the desk closed
    wait(*rng.choice(((0, 20), (60, 45 * 60), (60, 45 * 60), (30 * 60, 70 * 60))))
    record(tq.call(life.ticket, rng.choice(COUNTERS), officer_ref, t), tq.TicketEvent.CALLED)
    if rng.random() < 0.2:
        wait(30, 180)
        record(tq.recall(life.ticket, officer_ref, t), tq.TicketEvent.RECALLED)
    wait(20, 120)
    if rng.random() < 0.12:
        record(tq.no_show(life.ticket, officer_ref, t), tq.TicketEvent.NO_SHOW)
        return _with_histories(life)
    if rng.random() < 0.7:
        record(tq.serve(life.ticket, officer_ref, t), tq.TicketEvent.STARTED)
    wait(2 * 60, 30 * 60)
    dossier_code = f"{agency}-{_local(t):%y%m%d}-{9000 + number:04d}" if rng.random() < 0.4 else ""
    record(tq.done(life.ticket, officer_ref, t, dossier_code), tq.TicketEvent.SERVED)
    return _with_histories(life)


def generate_tickets(count: int, seed: int = SEED) -> list[TicketLife]:
    rng = random.Random(seed + 11)
    return [_ticket_life(rng, number) for number in range(count)]


def ticket_oracle(tickets: list[tq.Ticket]) -> dict[tuple[str, str, str, str], Counter]:
    """Straight off the final tickets: a visit on the day it was taken, the wait (taken → first call, whole minutes)
    on the day of the call, the service time and the close on the day it closed."""
    found: dict[tuple[str, str, str, str], Counter] = defaultdict(Counter)
    for ticket in tickets:
        def add(counter: str, moment: str, delta: int = 1, ticket=ticket) -> None:
            if delta:
                for bucket in _buckets(_local(parse_iso(moment))):
                    found[(ticket.agency_code, "all", "-", bucket)][counter] += delta

        add("visits", ticket.taken_at)
        if ticket.called_at:
            add("visits_called", ticket.called_at)
            waited = parse_iso(ticket.called_at) - parse_iso(ticket.taken_at)
            add("waiting_minutes", ticket.called_at, int(waited.total_seconds() + 30) // 60)
        if ticket.status is tq.TicketStatus.DONE:
            served = parse_iso(ticket.closed_at) - parse_iso(ticket.started_at or ticket.called_at)
            add("visits_served", ticket.closed_at)
            add("service_minutes", ticket.closed_at, int(served.total_seconds() + 30) // 60)
            add("visits_with_dossier", ticket.closed_at, 1 if ticket.dossier_code else 0)
        elif ticket.status is tq.TicketStatus.NO_SHOW:
            add("visits_no_show", ticket.closed_at)
    return found


# --------------------------------------------------------------------------- the oracle


def _buckets(day: date) -> list[str]:
    return [f"D#{day.isoformat()}", f"M#{day.year}-{day.month:02d}", f"Q#{day.year}-Q{(day.month + 2) // 3}",
            f"Y#{day.year}"]


def _step_time(dossier: Dossier, action: str) -> datetime | None:
    return next((parse_iso(s["handed_at"]) for s in dossier.control_slip if s["action"] == action), None)


def _ending(d: Dossier) -> tuple[str, datetime, date | None, bool] | None:
    """How the dossier's handling ended (refused, withdrawn, stopped, approved or rejected), when, the
    appointment date it was held to, and whether it was late."""
    endings = [(kind, parse_iso(at)) for kind, at in (
        ("refused", (d.refusal or {}).get("refused_at")),
        (ENDING_OF_ACTION.get((d.ended or {}).get("action")), (d.ended or {}).get("at")),
        (ENDING_OF_ACTION.get((d.decision or {}).get("outcome")), (d.decision or {}).get("at"))) if at]
    assert len(endings) <= 1, d.id
    if not endings:
        return None
    ((kind, ended_at),) = endings
    # The appointment date the rules set: the receipt's, moved by a paid fee, never by an apology letter, as
    # the dossier keeps it (statutory_due_date); where no fee followed an apology it is also the date before
    # the first apology.
    statutory = date.fromisoformat(d.statutory_due_date) if d.statutory_due_date else None
    if d.apologies and (d.fee or {}).get("payment") is None:
        assert statutory == date.fromisoformat(d.apologies[0]["previous_due_date"]), d.id
    late = len(d.supplement_requests) > 1 or (statutory is not None and _local(ended_at) > statutory)
    return kind, ended_at, statutory, late


def oracle(dossiers: list[Dossier]) -> dict[tuple[str, str, str, str], Counter]:
    """{(agency, dimension, value, bucket): counters}, read straight off the final dossiers, for the `all`,
    `procedure` and `unit` dimensions."""
    found: dict[tuple[str, str, str, str], Counter] = defaultdict(Counter)

    for d in dossiers:
        def add(counter: str, moment: datetime, delta: int = 1, after_transfer: bool = False, d=d) -> None:
            dims = [("all", "-"), ("procedure", d.procedure_code)]
            if after_transfer and d.unit:
                dims.append(("unit", d.unit))
            for bucket in _buckets(_local(moment)):
                for dimension, value in dims:
                    found[(d.agency_code, dimension, value, bucket)][counter] += delta

        add("submitted", d.submitted_at)
        for request in d.supplement_requests:
            add("supplement_requests", parse_iso(request["requested_at"]))
        if d.received_at:
            add("received", d.received_at)
            add("received_online" if d.channel == CHANNEL_ONLINE else "received_desk", d.received_at)
            if d.receiving_agency:  # and the receiving desk's own count, at its agency
                for bucket in _buckets(_local(d.received_at)):
                    for dimension, value in (("all", "-"), ("procedure", d.procedure_code)):
                        found[(d.receiving_agency, dimension, value, bucket)]["received_elsewhere"] += 1
            if all(c["files"] for c in d.components):
                add("digitised", d.received_at)
            # Papers given once: a file reused from the store names its paper; the dossier lists what its
            # applicant's store could have filled.
            reused = {c["component_id"] for c in d.components if any(f.get("paper_id") for f in c["files"])}
            held = set(d.reusable_components) | reused
            if reused:
                add("reused", d.received_at)
            if held:
                add("reusable", d.received_at)
                if held <= reused:
                    add("not_asked_again", d.received_at)
        ending = _ending(d)
        if ending:
            kind, ended_at, _, late = ending
            for counter in ("ended", kind, "ended_late" if late else "ended_on_time"):
                add(counter, ended_at, after_transfer=True)
            if kind in ("approved", "rejected") and d.received_at:
                add("decided", ended_at, after_transfer=True)
                add("processing_minutes", ended_at, round((ended_at - d.received_at).total_seconds() / 60),
                    after_transfer=True)
        payment = (d.fee or {}).get("payment")
        if payment:
            add("fee_paid", parse_iso(payment["at"]), after_transfer=True)
            if payment["method"] == "online":
                add("fee_paid_online", parse_iso(payment["at"]), after_transfer=True)
        issued = _step_time(d, "issue_result")
        if issued:
            add("results_issued", issued, after_transfer=True)
            if any(r.get("signature") for r in d.results):  # electronic = carries a digital signature
                add("results_electronic", issued, after_transfer=True)
        if d.returned:
            returned_at = (d.returned.get("delivered") or {}).get("at") if d.returned["method"] == "post" \
                else d.returned["at"]
            if returned_at:
                add("returned", parse_iso(returned_at), after_transfer=True)
        if d.evaluation:
            rated_at = parse_iso(d.evaluation["evaluated_at"])
            add("evaluated", rated_at, after_transfer=True)
            if not d.evaluation["satisfied"]:
                add("not_satisfied", rated_at, after_transfer=True)
        for step in d.control_slip[1:]:  # every hand-over after the reception
            for counter in ("handovers", "handovers_electronic"):
                # The forward to the competent agency comes before any unit has the dossier.
                add(counter, parse_iso(step["handed_at"]), after_transfer=step["action"] != "forward")
    return {key: counters for key, counters in found.items()}


# --------------------------------------------------------------------------- the counters as stored


def _tidy(counters: dict) -> dict:
    return {name: value for name, value in counters.items() if value}


def _whole(number: str) -> int:
    value = Decimal(number)
    assert value == value.to_integral_value(), number  # every counter moves by whole numbers
    return int(value)


def stored_items() -> dict[int, dict[tuple[str, str, str], dict]]:
    """Every counter item of the metrics table: {generation: {(agency, period, row key#shard): counters}}."""
    ddb = boto3.client("dynamodb", region_name=REGION)
    items: dict[int, dict] = defaultdict(dict)
    for page in ddb.get_paginator("scan").paginate(TableName=get_settings().metrics_table):
        for item in page["Items"]:
            pk, sk = item["pk"]["S"], item["sk"]["S"]
            if pk == "META" or "#APPLIED#" in pk:
                continue
            generation, agency, period, row = _counter_item(pk, sk)
            counters = {k: _whole(v["N"]) for k, v in item.items() if "N" in v}
            items[generation][(agency, period, row)] = counters
    return items


def _counter_item(pk: str, sk: str) -> tuple[int, str, str, str]:
    """(generation, agency, day bucket, `<dimension>#<value>#<shard>`) of a counter item: the day is the last part
    of its sort key, the shard the last part of its partition key (`G<gen>#<agency>#M#<month>#<shard>`)."""
    generation, agency, sharded = pk.split("#", 2)
    shard = sharded.rsplit("#", 1)[1]
    row, day = sk.rsplit("#", 1)
    return int(generation[1:]), agency, f"D#{day}", f"{row}#{shard}"


def totals(items: dict[tuple[str, str, str], dict]) -> dict[tuple[str, str, str, str], dict]:
    """Summed over shards: {(agency, dimension, value, bucket): counters} for each day and the month, quarter and
    year it is in (the readers sum a period's days), zeros left out. The agency's total (`all`, `-`) is its `all`
    rows and its procedures' rows, as the readers add them."""
    summed: dict[tuple, Counter] = defaultdict(Counter)
    for (agency, period, sk), counters in items.items():
        dimension, rest = sk.split("#", 1)
        value, _shard = rest.rsplit("#", 1)
        year, month = int(period[2:6]), int(period[7:9])
        rows = [(dimension, value)] + ([("all", "-")] if dimension == "procedure" else [])
        for bucket in (period, f"M#{year}-{month:02d}", f"Q#{year}-Q{(month + 2) // 3}", f"Y#{year}"):
            for row in rows:
                summed[(agency, *row, bucket)].update(counters)
    return {key: _tidy(c) for key, c in summed.items() if _tidy(c)}


def _only(found: dict, dimensions: set[str]) -> dict:
    return {key: _tidy(c) for key, c in found.items() if key[1] in dimensions and _tidy(c)}


def _differences(left: dict, right: dict, limit: int = 8) -> list:
    keys = sorted(set(left) | set(right))
    return [(k, left.get(k), right.get(k)) for k in keys if left.get(k) != right.get(k)][:limit]


# --------------------------------------------------------------------------- fixtures


def deliver(lives: list[Life | FeedbackLife | TicketLife], generation: int, rng: random.Random,
            redelivered_share: float = 0.1) -> Counter:
    """Every event of `lives` to the counters of `generation` as the consumer counts it (the fold over the
    dossier's history up to the event, then one store transaction), in a shuffled order, a share of the events
    two or three times: right after the first delivery, later, or after everything else."""
    events = [(i, e.seq) for i, life in enumerate(lives) for e in life.events]
    plan = [(float(position), index, seq) for position, (index, seq) in enumerate(rng.sample(events, len(events)))]
    extra = []
    for position, index, seq in plan:
        if rng.random() < redelivered_share:
            for _ in range(rng.choice((1, 1, 2))):
                later = rng.choice((0.5, rng.uniform(0.5, len(plan)), len(plan) + rng.random()))
                extra.append((position + later, index, seq))
    outcomes: Counter = Counter(deliveries=len(plan) + len(extra), redeliveries=len(extra))
    counted: set[tuple[int, int]] = set()
    for _, index, seq in sorted(plan + extra):
        life = lives[index]
        found = facts(life.histories[:seq])
        if not found:
            outcomes["nothing"] += 1
            continue
        try:
            store.apply(generation, life.key, seq, metrics.rows_for(found, life.key, generation))
        except store.Duplicate:
            outcomes["duplicate" if (index, seq) in counted else "refused_before_counted"] += 1
            continue
        outcomes["counted_again" if (index, seq) in counted else "counted"] += 1
        counted.add((index, seq))
    outcomes["redeliveries_that_count"] = sum(1 for _, i, s in extra if facts(lives[i].histories[:s]))
    return outcomes


def _write_events(lives: list[Life | FeedbackLife | TicketLife]) -> None:
    bind()
    with EventModel.batch_write() as batch:
        for life in lives:
            for event in life.events:
                batch.save(event_model(event))


TIMINGS: dict[str, float] = {}


@contextmanager
def _timed(label: str) -> Iterator[None]:
    started = clock.perf_counter()
    yield
    TIMINGS[label] = round(TIMINGS.get(label, 0) + clock.perf_counter() - started, 1)


@pytest.fixture(scope="module")
def lives() -> list[Life]:
    with _timed("generate"):
        return generate(DOSSIERS)


@pytest.fixture(scope="module")
def feedback_lives() -> list[FeedbackLife]:
    return generate_feedback(FEEDBACK_ITEMS)


@pytest.fixture(scope="module")
def ticket_lives() -> list[TicketLife]:
    return generate_tickets(TICKETS)


@pytest.fixture(scope="module")
def workload(provisioned, lives: list[Life], feedback_lives: list[FeedbackLife],
             ticket_lives: list[TicketLife]) -> list[Life]:
    """Every final dossier and every event the domain produced, in the dossiers and events tables, with the
    feedback items' and the queue tickets' events."""
    with _timed("write"):
        bind()
        with DossierModel.batch_write() as batch:
            for life in lives:
                batch.save(_to_model(life.dossier))
        _write_events([*lives, *feedback_lives, *ticket_lives])
    return lives


@dataclass
class Generations:
    incremental: int
    rebuilt: int
    rebuilt_again: int
    outcomes: Counter
    rebuild_summary: dict
    items: dict[int, dict]  # {generation: {(agency, period, row key): counters}}


@pytest.fixture(scope="module")
def generations(workload: list[Life], feedback_lives: list[FeedbackLife],
                ticket_lives: list[TicketLife]) -> Generations:
    incremental = store.active_generation()
    with _timed("incremental"):
        outcomes = deliver([*workload, *feedback_lives, *ticket_lives], incremental, random.Random(SEED + 1))
    with _timed("rebuild"):
        summary = metrics.rebuild()
    with _timed("rebuild_again"):
        again = metrics.rebuild()
    with _timed("read"):
        items = stored_items()
    events = sum(len(life.events) for life in workload)
    print(f"\n{len(workload)} dossiers, {events} events, {outcomes['deliveries']} deliveries "
          f"({outcomes['redeliveries']} redeliveries), {len(items[incremental])} counter items per generation; "
          f"seconds {TIMINGS}")
    return Generations(incremental, summary["generation"], again["generation"], outcomes, summary, items)


@pytest.fixture(scope="module")
def expected(lives: list[Life], feedback_lives: list[FeedbackLife], ticket_lives: list[TicketLife]) -> dict:
    found = defaultdict(Counter, oracle([life.dossier for life in lives]))
    for key, counters in feedback_oracle([life.item for life in feedback_lives]).items():
        found[key].update(counters)
    for key, counters in ticket_oracle([life.ticket for life in ticket_lives]).items():
        found[key].update(counters)
    return dict(found)


def _events(lives: list[Life]) -> int:
    return sum(len(life.events) for life in lives)


# --------------------------------------------------------------------------- the workload itself


def test_the_workload_walks_every_valid_path_across_month_quarter_and_year_ends(lives: list[Life], expected: dict):
    tags = Counter(tag for life in lives for tag in life.tags)
    types = {e.type for life in lives for e in life.events}
    assert types >= {f"dossier.{t}" for t in (
        "submitted", "supplement_requested", "resubmitted", "refused", "received", "transferred", "assigned",
        "sent_to_agency", "returned_from_agency", "fee_requested", "fee_paid", "proposed", "sent_back", "approved",
        "rejected", "stopped", "withdrawn", "result_issued", "sent_by_post", "returned", "due_soon", "overdue",
        "apology_issued", "evaluated", "rated_not_satisfied", "forwarded")}
    for tag in ("online", "desk", "supplement_2", "paid_cash", "paid_online", "return_online", "return_at_desk",
                "return_by_post", "amended", "stopped_before_assignment", "withdrawn_before_assignment",
                "received_elsewhere", "reused_paper", "asked_again"):
        assert tags[tag] > 0, tag
    assert {life.dossier.agency_code for life in lives} == set(PROCEDURES)
    assert {life.dossier.procedure_code for life in lives} == {p for ps in PROCEDURES.values() for p in ps}
    assert tags["edge_2026-03-31_16"] > 0, "events at 23:30 in Hà Nội on the last day of Q1"
    edges = {t for t in tags if t.startswith("edge_")}
    assert len(edges) >= 5 and any(t.endswith("_17") for t in edges), edges
    days = sorted(_local(e.at) for life in lives for e in life.events)
    assert days[0].year == 2025 and days[-1].year == 2026 and (days[-1] - days[0]).days > 200
    # Late and on-time endings both occur, late ones for each reason: the date missed, two supplement requests.
    endings = [ending for life in lives if (ending := _ending(life.dossier))]
    assert sum(late for *_, late in endings) >= 15 and sum(not late for *_, late in endings) >= 50
    assert any(ended_at and statutory and _local(ended_at) > statutory for _, ended_at, statutory, _ in endings)
    assert any(late and (statutory is None or _local(ended_at) <= statutory) for _, ended_at, statutory, late
               in endings), "late only because of a second supplement request"
    assert any(life.dossier.apologies and _ending(life.dossier) for life in lives)
    # The events are the domain's own: one per version of the dossier, in time order.
    for life in lives:
        assert is_id(life.dossier.id)
        assert [e.seq for e in life.events] == list(range(1, life.dossier.version + 1))
        assert all(a.at < b.at for a, b in zip(life.events, life.events[1:], strict=False))


def test_the_feedback_items_go_through_every_step_on_time_and_late(feedback_lives: list[FeedbackLife]):
    types = Counter(e.type for life in feedback_lives for e in life.events)
    assert set(types) == {t.value for t in fb.FeedbackEvent}, types
    closed = [life.item for life in feedback_lives if life.item.status in fb.CLOSED]
    assert any(i.on_time for i in closed) and any(not i.on_time for i in closed)
    assert any(i.dossier_id for i in closed) and any(i.rating and not i.rating["satisfied"] for i in closed)


def test_the_queue_tickets_are_served_no_shows_left_waiting_and_some_called_across_midnight(
        ticket_lives: list[TicketLife], expected: dict):
    types = Counter(e.type for life in ticket_lives for e in life.events)
    assert set(types) == {t.value for t in tq.TicketEvent}, types
    tickets = [life.ticket for life in ticket_lives]
    assert {t.status for t in tickets} == {tq.TicketStatus.WAITING, tq.TicketStatus.DONE, tq.TicketStatus.NO_SHOW}
    assert any(t.waiting_minutes == 0 for t in tickets) and any((t.waiting_minutes or 0) > 15 for t in tickets)
    assert any(t.dossier_code for t in tickets) and any(t.status is tq.TicketStatus.DONE and not t.started_at
                                                         for t in tickets)
    assert any(t.called_at and _local(parse_iso(t.called_at)) != _local(parse_iso(t.taken_at)) for t in tickets)
    assert {t.agency_code for t in tickets} == set(PROCEDURES)
    assert sum(c.get("visits_called", 0) for (_, dim, _, b), c in expected.items() if dim == "all" and b[0] == "Y") \
        == sum(1 for t in tickets if t.called_at)


# --------------------------------------------------------------------------- the consumer's own path


CONSUMER_GENERATION = 1000


def test_the_consumer_counting_from_its_kept_fold_state_counts_as_the_in_memory_deliveries_do(
        provisioned, lives: list[Life], monkeypatch):
    """`count_event(event)` counts from the fold state kept with the dossier's marker, reading the events
    table only for the events it was not given (or counted nothing for) since that state, or for an event
    older than it; for 30 varied dossiers, half delivered in order, half shuffled, redeliveries included,
    it moves the counters exactly as the in-memory deliveries would. Run before the whole workload is
    written: moto's queries read the whole table."""
    by_status: dict[Status, list[Life]] = defaultdict(list)
    for life in lives:
        by_status[life.dossier.status].append(life)
    chosen = [life for group in by_status.values() for life in group[:2]]  # every way a dossier ends
    for tag in ("dossier.sent_back", "dossier.returned_from_agency", "paid_online", "paid_cash", "amended",
                "dossier.apology_issued", "dossier.rated_not_satisfied", "supplement_2", "stopped_before_assignment",
                "withdrawn_before_assignment"):
        chosen += [life for life in lives if tag in life.tags and life not in chosen][:1]
    chosen += [life for life in lives if life not in chosen][: 30 - len(chosen)]
    chosen = chosen[:30]
    assert len(chosen) == 30 and len({life.dossier.status for life in chosen}) >= 8
    _write_events(chosen)

    rng = random.Random(SEED + 3)
    in_order, shuffled = chosen[::2], chosen[1::2]
    # In order: each dossier's events one after the other, the dossiers interleaved as a queue would.
    queues = [[(life, e.seq) for e in life.events] for life in in_order]
    plan = []
    while any(queues):
        plan.append(rng.choice([q for q in queues if q]).pop(0))
    mixed = [(life, e.seq) for life in shuffled for e in life.events]
    mixed += [rng.choice(mixed) for _ in range(len(mixed) // 4)]
    rng.shuffle(mixed)
    plan = [item for pair in zip(plan, mixed, strict=False) for item in pair] + plan[len(mixed):] + mixed[len(plan):]
    history_reads: Counter = Counter()
    real_history = store.event_history

    def event_history(dossier_id, *args, **kwargs):
        history_reads[dossier_id] += 1
        return real_history(dossier_id, *args, **kwargs)

    monkeypatch.setattr(store, "event_history", event_history)
    want: dict[tuple[str, str], Counter] = defaultdict(Counter)  # what the in-memory deliveries add
    said: Counter = Counter()
    seen: set[tuple[str, int]] = set()
    with _timed("consumer"):
        for life, seq in plan:
            outcome = metrics.count_event(life.events[seq - 1].to_dict(), generation=CONSUMER_GENERATION)
            said[outcome] += 1
            found = facts(life.histories[:seq])
            if not found:
                assert outcome == "nothing"
                continue
            assert outcome == ("duplicate" if (life.dossier.id, seq) in seen else "counted")
            if outcome == "counted":
                seen.add((life.dossier.id, seq))
                for key, counters in metrics.rows_for(found, life.dossier.id, CONSUMER_GENERATION).items():
                    want[key].update(counters)
    counting = sum(1 for life in chosen for e in life.events if facts(life.histories[: e.seq]))
    assert said["counted"] == counting and said["duplicate"] > 0 and said["nothing"] > 0
    # In order, the history is read only after an event that counted nothing (its successor reads it).
    for life in in_order:
        silent = sum(1 for e in life.events[:-1] if not facts(life.histories[: e.seq]))
        assert history_reads[life.dossier.id] <= silent, life.tags
    assert sum(history_reads[life.dossier.id] for life in shuffled) > 0
    stored = {(agency, period, sk): _tidy(c) for (agency, period, sk), c in stored_items()[CONSUMER_GENERATION].items()}
    memory = {}
    for (pk, sk), counters in want.items():
        _, agency, period, row = _counter_item(pk, sk)
        memory[(agency, period, row)] = _tidy(counters)
    assert stored and _differences(stored, memory) == []


# --------------------------------------------------------------------------- consistency


def test_incremental_counters_delivered_out_of_order_with_duplicates_equal_a_recomputation_from_the_dossiers(
        generations: Generations, expected: dict):
    incremental = totals(generations.items[generations.incremental])
    for dimensions in ({"all"}, {"procedure"}, {"unit"}):
        assert _differences(_only(incremental, dimensions), _only(expected, dimensions)) == [], dimensions
    assert {key[3][0] for key in incremental} == {"D", "M", "Q", "Y"}
    assert len({key[3] for key in incremental if key[3].startswith("M#")}) >= 9


def test_duplicates_and_redeliveries_do_not_double_count(generations: Generations, workload: list[Life],
                                                         feedback_lives: list[FeedbackLife],
                                                         ticket_lives: list[TicketLife]):
    outcomes = generations.outcomes
    assert (outcomes["counted_again"], outcomes["refused_before_counted"]) == (0, 0), outcomes
    assert outcomes["redeliveries"] > _events(workload) * 0.1
    assert outcomes["duplicate"] == outcomes["redeliveries_that_count"] > 0, outcomes
    counting = sum(1 for life in [*workload, *feedback_lives, *ticket_lives] for e in life.events
                   if facts(life.histories[: e.seq]))
    assert outcomes["counted"] == counting
    # Straight off the dossiers: each received dossier once in its year, however often its events came.
    incremental = totals(generations.items[generations.incremental])
    for agency in PROCEDURES:
        received = sum(1 for life in workload if life.dossier.agency_code == agency and life.dossier.received_at)
        years = [c.get("received", 0) for (a, dim, _, bucket), c in incremental.items()
                 if a == agency and dim == "all" and bucket.startswith("Y#")]
        assert sum(years) == received > 0


def test_the_rebuild_from_the_event_log_equals_the_incremental_counters_item_for_item(
        generations: Generations, workload: list[Life], feedback_lives: list[FeedbackLife],
        ticket_lives: list[TicketLife], expected: dict):
    summary = generations.rebuild_summary
    assert summary["generation"] == generations.incremental + 1
    everything = [*workload, *feedback_lives, *ticket_lives]
    assert (summary["dossiers"], summary["events"]) == (len(everything), _events(everything))
    incremental = {k: _tidy(c) for k, c in generations.items[generations.incremental].items() if _tidy(c)}
    rebuilt = {k: _tidy(c) for k, c in generations.items[generations.rebuilt].items() if _tidy(c)}
    assert _differences(rebuilt, incremental) == []  # every shard of every dimension, day, month, quarter, year
    for dimensions in ({"all"}, {"procedure"}, {"unit"}):
        assert _differences(_only(totals(generations.items[generations.rebuilt]), dimensions),
                            _only(expected, dimensions)) == [], dimensions


def test_a_second_rebuild_gives_the_same_counters_and_becomes_the_one_read(generations: Generations):
    assert generations.rebuilt_again == generations.rebuilt + 1 == store.active_generation()
    assert generations.items[generations.rebuilt_again] == generations.items[generations.rebuilt]


def test_quarter_totals_read_per_agency_equal_the_oracle(generations: Generations, expected: dict):
    """Through the API's reads: store.read of each agency's quarter rows, summed over shards by Reader.totals
    (days, months, quarters and years are all compared above, from every stored item)."""
    for agency in PROCEDURES:
        labels = sorted({key[3][2:] for key in expected if key[0] == agency and key[3][0] == "Q"})
        assert len(labels) >= 4
        # The first and the last quarter through the reader (each read costs moto a pass over the whole table;
        # every quarter's stored items are compared above).
        for label in (labels[0], labels[-1]):
            reader = metrics.Reader(agency, parse_period(label, TODAY))
            assert _tidy(reader.totals(reader.total())) == _tidy(expected[(agency, "all", "-", f"Q#{label}")])
        # Per procedure, for the first quarter of one agency (each read costs moto a pass over the whole table, and
        # the per-dimension rows of every agency are compared item by item above).
        if agency != next(iter(PROCEDURES)):
            continue
        reader = metrics.Reader(agency, parse_period("2026-Q1", TODAY))
        by_procedure = reader.totals(reader.rows("procedure#"), key=lambda r: r["value"])
        assert len(by_procedure) == len(PROCEDURES[agency])
        assert {p: _tidy(c) for p, c in by_procedure.items()} == {
            value: _tidy(c) for (a, dim, value, b), c in expected.items()
            if a == agency and dim == "procedure" and b == "Q#2026-Q1"}


def _items(keys: list[tuple[str, str]]) -> dict[tuple[str, str], dict]:
    ddb = boto3.client("dynamodb", region_name=REGION)
    table, found = get_settings().metrics_table, {}
    for i in range(0, len(keys), 100):
        request = {table: {"Keys": [{"pk": {"S": pk}, "sk": {"S": sk}} for pk, sk in keys[i:i + 100]],
                           "ConsistentRead": True}}
        while request:
            page = ddb.batch_get_item(RequestItems=request)
            for item in page["Responses"][table]:
                found[(item["pk"]["S"], item["sk"]["S"])] = {k: v["N"] for k, v in item.items() if "N" in v}
            request = page.get("UnprocessedKeys") or None
    return found


def test_a_redelivery_after_the_rebuild_is_recognised_as_already_counted(generations: Generations,
                                                                         workload: list[Life]):
    active = store.active_generation()
    sample = random.Random(SEED + 2).sample([(life, e.seq) for life in workload for e in life.events
                                             if facts(life.histories[: e.seq])], 40)
    deliveries = [(life, seq, metrics.rows_for(facts(life.histories[:seq]), life.dossier.id, active))
                  for life, seq in sample]
    keys = sorted({key for _, _, rows in deliveries for key in rows})
    before = _items(keys)
    assert len(before) == len(keys)
    for life, seq, rows in deliveries:
        with pytest.raises(store.Duplicate):
            store.apply(active, life.dossier.id, seq, rows)
    assert _items(keys) == before


# --------------------------------------------------------------------------- the scorecard



def _scorecard_items(generations: Generations, agency: str, quarter: str) -> dict[str, set[str]]:
    """The counter items the scorecard of an agency-quarter (`Q#2026-Q1`) reads, per dimension:
    {dimension: {day#value#shard}}: the day rows of its three months."""
    months = {bucket[2:] for bucket in parse_period(quarter[2:], TODAY).buckets}
    found: dict[str, set[str]] = defaultdict(set)
    for (a, period, sk) in generations.items[store.active_generation()]:
        dimension, rest = sk.split("#", 1)
        if a == agency and period[2:9] in months and dimension in ("all", "procedure", "officer"):
            found[dimension].add(f"{period}#{rest}")
    return found


@pytest.mark.parametrize("agency", sorted(PROCEDURES))
def test_the_scorecards_on_time_rate_and_counters_equal_the_oracle(generations: Generations, expected: dict,
                                                                  agency: str):
    quarters = {b: c["ended"] for (a, dim, _, b), c in expected.items() if a == agency and dim == "all"
                and b.startswith("Q#")}
    bucket = max(quarters, key=quarters.get)
    card = metrics.read_scorecard(agency, parse_period(bucket[2:], TODAY), TODAY)
    want = _tidy(expected[(agency, "all", "-", bucket)])
    assert _tidy(card["counters"]) == want
    on_time = next(i for g in card["groups"] for i in g["indicators"] if i["id"] == "progress.on_time")
    assert want["ended"] >= 10
    assert (on_time["numerator"], on_time["denominator"]) == (want.get("ended_on_time", 0), want["ended"])
    assert on_time["rate"] == pytest.approx(want.get("ended_on_time", 0) / want["ended"])
    # It reads the generation pointer and the agency-quarter's rows of three dimensions, nothing else.
    read = _scorecard_items(generations, agency, bucket)
    assert card["items_read"] == 1 + sum(len(rows) for rows in read.values())
    shards, days = get_settings().metrics_shards, parse_period(bucket[2:], TODAY).days
    assert len(read["all"]) <= days * shards and len(read["procedure"]) <= days * shards * len(PROCEDURES[agency])


def test_the_scorecard_reads_a_bounded_number_of_items_whatever_the_number_of_dossiers(generations: Generations,
                                                                                      expected: dict):
    shards = get_settings().metrics_shards
    for agency in sorted(PROCEDURES):
        quarters = sorted({b for (a, _, _, b) in expected if a == agency and b.startswith("Q#")})
        officer_rows = {b: _scorecard_items(generations, agency, b)["officer"] for b in quarters}
        busiest = max(quarters, key=lambda b: len(officer_rows[b]))
        period = parse_period(busiest[2:], TODAY)
        card = metrics.read_scorecard(agency, period, TODAY)
        # The generation pointer, then per day of the quarter: per shard the agency's row and one per procedure,
        # and one row per staff member (an officer's rows live in one shard). Days, not dossiers.
        assert card["items_read"] <= 1 + period.days * (shards * (1 + len(PROCEDURES[agency]))
                                                        + len(STAFF_USERNAMES[agency]))
        for bucket in quarters:
            officers = {row.split("#")[2] for row in officer_rows[bucket]}
            assert officers <= STAFF_USERNAMES[agency], (agency, bucket, sorted(officers - STAFF_USERNAMES[agency]))


# --------------------------------------------------------------------------- an apology before a fee


def test_a_fee_paid_after_an_apology_does_not_turn_the_apology_date_into_the_statutory_date():
    calendar = _calendar()
    agency, unit = AGENCY, "viec-lam"
    desk, leader, specialist = DESK[agency][0], LEADERS[(agency, unit)], SPECIALISTS[(agency, unit)][0]
    procedure = _procedure("1.014200")  # 3 working days
    submitted_at = datetime(2026, 10, 5, 2, 0, tzinfo=UTC)  # Monday 09:00 in Hà Nội
    draft = Dossier(id=new_id(), code=format_dossier_code(agency, _local(submitted_at), 9999),
                    procedure_code=procedure.code, procedure_version=procedure.version, agency_code=agency,
                    owner_id=f"walk-in:{agency}", applicant={"type": "person", "full_name": "Trần Văn Bình"},
                    summary="", components=[{"component_id": "application-form",
                                             "files": [{"upload_id": "u", "sha256": "ab" * 32}]}],
                    delivery={"method": "desk", "address": None}, channel=CHANNEL_DESK, status=Status.SUBMITTED,
                    submitted_at=submitted_at)
    events = []

    def step(result):
        events.append(result[1])
        return result[0]

    def at(day: date, hour: int = 10) -> datetime:
        return datetime.combine(day, time(hour), tzinfo=LOCAL_TZ).astimezone(UTC)

    d = step(rules.submit(draft, desk, submitted_at))
    receipt_due = calendar.due_date(submitted_at, 3, "working_days")
    d = step(rules.receive(d, desk, submitted_at, receipt_due, {"appointment_date": receipt_due.isoformat()}))
    d = step(rules.act(d, desk, Action.TRANSFER, at(date(2026, 10, 5), 11), date(2026, 10, 5), {"unit": unit},
                       {"kind": "unit", "unit": unit}))
    d = step(rules.act(d, leader, Action.ASSIGN, at(date(2026, 10, 5), 14), date(2026, 10, 5),
                       {"specialist": specialist.username},
                       {"kind": "specialist", "id": specialist.id, "username": specialist.username}))
    flagged_on = receipt_due + timedelta(days=1)
    d = step(rules.act(d, SCANNER, Action.FLAG_OVERDUE, at(flagged_on, 8), flagged_on,
                       {"due_date": receipt_due.isoformat(), "as_of": flagged_on.isoformat()}))
    apology_due = calendar.add_working_days(flagged_on, 10)
    d = step(rules.act(d, desk, Action.APOLOGISE, at(flagged_on, 9), flagged_on, {"reason": "Chậm"},
                       due_date=apology_due))
    d = step(rules.act(d, specialist, Action.REQUEST_FEE, at(flagged_on, 10), flagged_on,
                       {"amount_vnd": 450000, "purpose": "Lệ phí"}))
    paid_on = calendar.add_working_days(flagged_on, 2)
    payment = {"amount_vnd": 450000, "method": "cash", "receipt_number": "BL-1", "note": ""}
    d = step(rules.act(d, desk, Action.RECORD_PAYMENT, at(paid_on), paid_on, payment,
                       due_date=DossierService._due_after_payment(d, payment, at(paid_on)),
                       statutory_due=DossierService._due_after_payment(d, payment, at(paid_on),
                                                                      statutory_due(d))))
    statutory = calendar.extend_for_pause(receipt_due, at(flagged_on, 10), at(paid_on))
    ended_on = calendar.add_working_days(statutory, 2)
    assert statutory < ended_on < d.due_date, "after the statutory date, before the apology's"
    d = step(rules.act(d, specialist, Action.PROPOSE, at(ended_on, 9), ended_on,
                       {"assessment": "Đủ", "proposal": "approve"}, {"kind": "leader", "unit": unit}))
    d = step(rules.act(d, leader, Action.APPROVE, at(ended_on, 15), ended_on, {"note": ""}))

    histories = [{"seq": e.seq, "type": e.type, "at": e.to_dict()["at"], "actor": e.actor, "payload": e.payload}
                 for e in events]
    expected_counts = oracle([d])[(agency, "all", "-", f"D#{ended_on.isoformat()}")]
    assert expected_counts["ended_late"] == 1, "the oracle reads the rule as written"
    counted = Counter()
    for found in facts(histories):
        counted[found.counter] += found.delta
    assert counted["ended_late"] == 1 and counted["ended_on_time"] == 0
