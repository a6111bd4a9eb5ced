"""A realistic quarter of one agency's work, through the platform's own services: `make demo-quarter`.

`make run` does it for the Hà Nội department (000.00.20.H26) once the stack is up, so the public scorecard shows
data in every group of the index. Every step goes through the same services the API handlers call — verified
uploads, submission online, at the desk and by post, reception, processing to the result (signed), fees, supplement
requests, refusals, late dossiers with apology letters, evaluations, feedback handled on time and late, papers reused
from an applicant's store, queue tickets with their waits, a dossier received at another agency's desk and forwarded
— only with `now` set in the past, day after day over the last DAYS days. The events are the platform's own: the
event pump relays them, the consumers count them (the scorecard of each day they happened), notify and sync them.

Everything is seeded (--seed), so two runs on fresh stacks give the same quarter. Nothing is made up after the fact:
a dossier whose next step would fall after today simply stays open where it is.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
FILES = REPO_ROOT / "examples" / "files"
AGENCY = "000.00.20.H26"
UNIT = "viec-lam"  # the demo leader's and specialist's unit (scripts/demo.py)
DESK, LEADER, SPECIALIST = "officer.hanoi", "leader.hanoi", "specialist.hanoi"
OTHER_DESK = "officer.hcm"  # Hồ Chí Minh City's desk: takes in procedures received regardless of boundaries
SAMPLES = {"application/pdf": FILES / "application-form.pdf", "image/jpeg": FILES / "photo.jpg"}
RESULT_FILE = FILES / "result.pdf"
VIETNAM = 7  # hours ahead of UTC; Vietnam has no daylight saving

SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương")
MIDDLE = ("Văn", "Thị", "Minh", "Thu", "Quốc", "Thanh", "Đức", "Ngọc")
GIVEN = ("An", "Bình", "Chi", "Dũng", "Giang", "Hà", "Hải", "Hương", "Khánh", "Lan", "Long", "Mai", "Nam", "Phúc",
         "Quân", "Sơn", "Tâm", "Thảo", "Trung", "Vy")
STREETS = ("Phố Huế", "Kim Mã", "Láng Hạ", "Trần Duy Hưng", "Nguyễn Trãi", "Giải Phóng", "Xuân Thủy", "Lạc Long Quân")
COMPANIES = ("Công ty TNHH Phần mềm Sông Hồng", "Công ty CP Cơ khí Thăng Long", "Công ty TNHH Dệt may Hà Đông",
             "Công ty CP Xây dựng Long Biên", "Công ty TNHH Điện tử Bắc Ninh", "Trường Trung cấp nghề Tây Hồ")
FEEDBACK = (
    ("feedback", "Hẹn trả kết quả nhiều lần", "Tôi đã được hẹn ba lần mà chưa nhận được kết quả."),
    ("feedback", "Thái độ cán bộ tiếp nhận", "Cán bộ hướng dẫn chưa rõ ràng về thành phần hồ sơ."),
    ("petition", "Đề nghị bổ sung quầy tiếp nhận buổi chiều", "Buổi chiều thứ Hai thường rất đông người chờ."),
    ("petition", "Đề nghị cho nộp bản sao điện tử", "Xin cho phép nộp bản sao điện tử thay cho bản sao chứng thực."),
    ("feedback", "Không tra cứu được hồ sơ", "Tôi nhập mã hồ sơ nhưng trang tra cứu báo không tìm thấy."),
    ("feedback", "Thu phí chưa đúng", "Tôi được yêu cầu nộp thêm một khoản phí không có trong quy định."),
)


@dataclass
class Tally:
    dossiers: int = 0
    steps: int = 0
    feedback: int = 0
    visits: int = 0
    kinds: dict[str, int] = field(default_factory=dict)

    def add(self, kind: str) -> None:
        self.kinds[kind] = self.kinds.get(kind, 0) + 1


class Quarter:
    """One agency's last `days` days, made step by step through the services."""

    def __init__(self, agency: str = AGENCY, days: int = 91, seed: int = 20261130, dossiers: int = 120,
                 feedback: int = 18, now: datetime | None = None, say=print) -> None:
        from chalicelib.services.dossiers import working_calendar
        from chalicelib.store.procedures import ProcedureStore

        self.rng = random.Random(seed)
        self.agency, self.days, self.count, self.feedback_count = agency, days, dossiers, feedback
        self.now = now or datetime.now(UTC)
        self.today = (self.now + timedelta(hours=VIETNAM)).date()
        self.first_day = self.today - timedelta(days=days - 1)
        self.calendar = working_calendar()
        self.procedures = [p for p in ProcedureStore().catalogue(self.today) if p.agency_code == agency]
        self.staff = {u: _staff(u) for u in (DESK, LEADER, SPECIALIST)}
        # Some people come back: their second dossier can reuse what the first one verified.
        self.people = [_citizen(self.rng, n) for n in range(max(dossiers // 3, 4))]
        self.tally = Tally()
        self.ticket: str | None = None  # the desk's ticket being served
        self.say = say

    # ------------------------------------------------------------------ time

    def at(self, day: date, hour: float) -> datetime:
        """`hour` o'clock in Vietnam on `day`, as UTC."""
        minutes = int(hour * 60)
        return datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(minutes=minutes - VIETNAM * 60)

    def working_moment(self, day: date) -> datetime:
        while not self.calendar.is_working_day(day):
            day += timedelta(days=1)
        return self.at(day, self.rng.uniform(7.75, 16.5))

    def later(self, moment: datetime, working_days: float) -> datetime:
        """Some working days after `moment`, at a working hour."""
        local = (moment + timedelta(hours=VIETNAM)).date()
        day = self.calendar.add_working_days(local, int(working_days))
        hour = self.rng.uniform(7.75, 16.5)
        found = self.at(day, hour)
        return found if found > moment else moment + timedelta(minutes=self.rng.randint(10, 90))

    def past(self, moment: datetime) -> bool:
        return moment < self.now - timedelta(minutes=5)

    # ------------------------------------------------------------------ the quarter

    def run(self) -> Tally:
        started = time.monotonic()
        plans = sorted((self.first_day + timedelta(days=self.rng.randrange(self.days)), n) for n in range(self.count))
        for number, (day, _) in enumerate(plans):
            try:
                self.dossier(day)
            except Exception as error:  # noqa: BLE001 - one odd dossier must not stop the demo; say which
                self.say(f"demo quarter: dossier {number} stopped: {_explain(error)}")
            if number % 20 == 19:
                self.say(f"demo quarter: {number + 1} of {self.count} dossiers ({time.monotonic() - started:.0f} s)")
        for number in range(self.feedback_count):
            try:
                self.feedback(number)
            except Exception as error:  # noqa: BLE001
                self.say(f"demo quarter: feedback {number} stopped: {_explain(error)}")
        for name, work in (("visits", self.collections), ("received elsewhere", lambda: self.received_elsewhere(3))):
            try:
                work()
            except Exception as error:  # noqa: BLE001
                self.say(f"demo quarter: {name} stopped: {_explain(error)}")
        return self.tally

    # ------------------------------------------------------------------ one dossier

    def dossier(self, day: date) -> None:
        from chalicelib.domain.dossier import CHANNEL_ONLINE
        from chalicelib.domain.states import Action

        procedure = self.rng.choice(self.procedures)
        roll = self.rng.random()
        channel = "online" if roll < 0.5 else "post" if roll < 0.6 else "desk"
        person = self.rng.choice(self.people)
        desk = self.staff[DESK]
        t = self.working_moment(day) if channel != "online" else self.at(day, self.rng.uniform(6, 22.5))
        if not self.past(t):
            return
        submitter = person["principal"] if channel == "online" else desk
        if channel == "desk":
            t = self.visit(t, "lao-dong-viec-lam")  # a walk-in takes a ticket, waits, and is served at a counter
        dossier = self.submit(submitter, procedure, person, channel, t)
        if channel == "desk" and self.ticket:
            self.close_visit(dossier, t)
        self.tally.dossiers += 1
        self.tally.add(channel)
        pace = self.rng.choices((0.5, 0.8, 1.7), weights=(55, 30, 15))[0]  # the last: late
        t = self.later(t, self.rng.choice((0, 0, 1)))
        if channel == "online" and self.rng.random() < 0.06:
            return self.step(dossier, Action.REFUSE, desk, t, {"reason": "Thủ tục không thuộc thẩm quyền của Sở"})
        if channel == "online" and self.rng.random() < 0.1:
            dossier = self.supplement(dossier, procedure, person, t)
            if dossier is None:
                return None
            t = self.later(dossier.updated_at, 0)
        dossier = self.step(dossier, Action.RECEIVE, desk, t, {"note": "Đủ thành phần hồ sơ"})
        if dossier is None:
            return None
        budget = max(procedure.processing_time.value, 1) * pace
        t = self.later(t, 0)
        dossier = self.step(dossier, Action.TRANSFER, desk, t, {"unit": UNIT, "note": "Chuyển phòng chuyên môn"})
        t = self.later(t, min(1, budget * 0.1))
        dossier = self.step(dossier, Action.ASSIGN, self.staff[LEADER], t,
                            {"specialist": SPECIALIST, "note": "Đề nghị xử lý đúng hạn"})
        if dossier is None:
            return None
        if any(f.amount_vnd > 0 for f in procedure.fees or ()):
            fee = next(f for f in procedure.fees if f.amount_vnd > 0)
            t = self.later(t, 0)
            dossier = self.step(dossier, Action.REQUEST_FEE, self.staff[SPECIALIST], t,
                                {"amount_vnd": fee.amount_vnd, "purpose": "Lệ phí theo quy định"})
            t = self.later(t, self.rng.choice((0, 1, 1, 2)))
            dossier = self.step(dossier, Action.RECORD_PAYMENT, desk, t, {
                "amount_vnd": fee.amount_vnd, "method": self.rng.choice(("cash", "bank_transfer")),
                "receipt_number": f"BL-{t:%y%m%d}-{self.rng.randrange(10_000):04d}"})
            if dossier is None:
                return None
        t = self.later(t, budget * 0.7)
        if pace > 1 and dossier.due_date and (t + timedelta(hours=VIETNAM)).date() > dossier.due_date:
            # Late: the desk writes the apology letter (form 04) before the appointment day passes.
            letter = self.at(dossier.due_date, 9)
            if letter < t and self.past(letter):
                from chalicelib.services.deadlines import flag
                from chalicelib.store.dossiers import DossierStore

                store = DossierStore()
                flag(store, dossier, letter - timedelta(minutes=30))  # the deadline watch's morning run
                dossier = store.get(dossier.id)
                new_due = self.calendar.add_working_days(dossier.due_date, 5)
                dossier = self.step(dossier, Action.APOLOGISE, desk, letter,
                                    {"reason": "Cần xác minh thêm thông tin", "new_due_date": new_due.isoformat()})
                if dossier is None:
                    return None
        rejected = self.rng.random() < 0.07
        dossier = self.step(dossier, Action.PROPOSE, self.staff[SPECIALIST], t, {
            "assessment": "Hồ sơ không đủ điều kiện" if rejected else "Hồ sơ hợp lệ, đủ điều kiện",
            "proposal": "reject" if rejected else "approve"})
        t = self.later(t, min(1, budget * 0.1))
        if rejected:
            return self.step(dossier, Action.REJECT, self.staff[LEADER], t, {"reason": "Không đủ điều kiện"})
        dossier = self.step(dossier, Action.APPROVE, self.staff[LEADER], t, {"note": "Đồng ý"})
        if dossier is None:
            return None
        t = t + timedelta(minutes=self.rng.randint(20, 120))
        dossier = self.issue(dossier, t)
        if dossier is None:
            return None
        t = self.later(t, self.rng.choice((0, 1, 2)))
        online = dossier.delivery.get("method") == "online"
        dossier = self.step(dossier, Action.RETURN_ONLINE if online else Action.RETURN_AT_DESK, desk, t,
                            {"note": "Đã trả kết quả"} if online else {
                                "received_by": _name(dossier.applicant), "note": "Đã trả kết quả"})
        if dossier is None or dossier.channel != CHANNEL_ONLINE or self.rng.random() > 0.7:
            return None
        t = self.later(t, self.rng.choice((0, 1, 2)))
        satisfied = self.rng.random() < 0.92
        return self.evaluate(dossier, person, satisfied, t)

    def submit(self, submitter, procedure, person: dict, channel: str, t: datetime):
        from chalicelib.api import schemas, validation
        from chalicelib.services.dossiers import DossierService

        business = "business" in procedure.applicant_types and ("person" not in procedure.applicant_types
                                                                  or self.rng.random() < 0.5)
        applicant = _business(self.rng) if business else person["applicant"]
        stored = self.stored_papers(submitter, procedure, applicant, channel, t)
        components = [{"component_id": c.id, "papers": [stored[c.id]]} if c.id in stored else
                      {"component_id": c.id, "upload_ids": [self.upload(submitter, procedure, c, t)]}
                      for c in procedure.components if c.required]
        delivery = {"method": "online" if procedure.online_level.value == "full" and channel == "online" else "desk"}
        body = {"procedure_code": procedure.code, "applicant": applicant, "components": components,
                "summary": f"Đề nghị giải quyết thủ tục {procedure.name_vi[:120]}", "delivery": delivery}
        if channel == "post":
            local = (t + timedelta(hours=VIETNAM)).date()
            body["postal"] = {"tracking_number": f"EB{self.rng.randrange(10**8, 10**9)}VN",
                              "received_on": local.isoformat()}
        request = validation.parse(schemas.SubmitDossier, body)
        dossier, _ = DossierService().submit(submitter, request, body, uuid.uuid4().hex, t)
        self.tally.steps += 1
        return dossier

    def stored_papers(self, submitter, procedure, applicant: dict, channel: str, t: datetime) -> dict[str, str]:
        """Papers the applicant's store holds for the procedure's components (their own account's online, their ID
        number's at the desk): most people reuse what fits rather than upload it again."""
        from chalicelib.services import papers

        owner = papers.submitter_store(submitter, channel != "online", applicant)
        if owner is None or self.rng.random() > 0.85:
            return {}
        _, views, _ = papers.listing(owner, (t + timedelta(hours=VIETNAM)).date(), 50, None, procedure=procedure)
        return {component: view["id"] for view in views for component in view.get("fits", ())}

    def upload(self, owner, procedure, component, t: datetime) -> str:
        from chalicelib.api import schemas, validation
        from chalicelib.services import uploads
        from chalicelib.settings import get_settings
        from chalicelib.store.aws import client
        from chalicelib.store.uploads import UploadStore

        content_type = next((ct for ct in SAMPLES if ct in component.accepted_types), component.accepted_types[0])
        content = SAMPLES.get(content_type, SAMPLES["application/pdf"]).read_bytes()
        request = validation.parse(schemas.CreateUpload, {
            "procedure_code": procedure.code, "component_id": component.id, "file_name": f"{component.id}.pdf",
            "content_type": content_type, "size": len(content)})
        upload_id = uploads.create_upload(owner, request, t)["id"]
        key = UploadStore().raw(upload_id).doc.as_dict()["s3_key"]
        client("s3").put_object(Bucket=get_settings().documents_bucket, Key=key, Body=content,
                                ContentType=content_type)
        uploads.verify(owner, upload_id)
        return upload_id

    def step(self, dossier, action, who, t: datetime, body: dict):
        """One action through the service, as the API takes it; None (the dossier stays) when `t` is not past."""
        from chalicelib.api import validation
        from chalicelib.domain.actions import ACTIONS
        from chalicelib.services.dossiers import DossierService

        if dossier is None or not self.past(t):
            return None
        spec = next(s for s in ACTIONS if s.action == action)
        request = validation.parse(spec.request.resolve(), body) if spec.request else None
        try:
            changed = DossierService().take(who, dossier.id, action, request, t)
        except Exception as error:
            error.add_note(f"{action.value} by {who.username} on {dossier.code}")
            raise
        self.tally.steps += 1
        return changed

    def supplement(self, dossier, procedure, person, t: datetime):
        from chalicelib.domain.states import Action

        component = next(c for c in procedure.components if c.required)
        asked = self.step(dossier, Action.REQUEST_SUPPLEMENT, self.staff[DESK], t, {
            "items": [{"component_id": component.id, "reason": "Bản khai chưa có chữ ký"}],
            "note": "Đề nghị bổ sung trong 05 ngày làm việc"})
        t = self.later(t, self.rng.choice((1, 2, 3)))
        if asked is None or not self.past(t):
            return None
        citizen = person["principal"]
        return self.step(asked, Action.RESUBMIT, citizen, t, {
            "components": [{"component_id": component.id,
                            "upload_ids": [self.upload(citizen, procedure, component, t)]}],
            "note": "Đã bổ sung"})

    def issue(self, dossier, t: datetime):
        from chalicelib.api import schemas, validation
        from chalicelib.domain.states import Action
        from chalicelib.services import uploads
        from chalicelib.settings import get_settings
        from chalicelib.store.aws import client
        from chalicelib.store.uploads import UploadStore

        if not self.past(t):
            return None
        specialist = self.staff[SPECIALIST]
        content = RESULT_FILE.read_bytes()
        request = validation.parse(schemas.ResultUpload, {"file_name": "ket-qua.pdf", "content_type": "application/pdf",
                                                          "size": len(content)})
        upload_id = uploads.create_result_upload(specialist, dossier, request, t)["id"]
        key = UploadStore().raw(upload_id).doc.as_dict()["s3_key"]
        client("s3").put_object(Bucket=get_settings().documents_bucket, Key=key, Body=content,
                                ContentType="application/pdf")
        uploads.verify(specialist, upload_id)
        return self.step(dossier, Action.ISSUE_RESULT, specialist, t, {"upload_ids": [upload_id],
                                                                         "note": "Ban hành kết quả điện tử"})

    def evaluate(self, dossier, person, satisfied: bool, t: datetime):
        from chalicelib.domain.states import Action

        mark = "satisfied" if satisfied else "not_satisfied"
        return self.step(dossier, Action.EVALUATE, person["principal"], t, {
            "satisfied": satisfied, "criteria": {"timeliness": mark, "attitude": "satisfied", "guidance": mark,
                                                 "transparency": "satisfied", "visits": 0 if satisfied else 2},
            "comment": "" if satisfied else "Phải đi lại nhiều lần"})

    # ------------------------------------------------------------------ the desk's queue

    def visit(self, arrival: datetime, service: str) -> datetime:
        """A ticket taken on arrival, called after a wait (longer on Monday mornings), served: the moment the officer
        starts on the person's papers. `self.ticket` is the ticket being served."""
        from chalicelib.services.tickets import TicketService

        self.ticket = None
        if not self.past(arrival + timedelta(hours=1)):
            return arrival
        tickets = TicketService()
        ticket, _ = tickets.take(self.agency, service, arrival)
        local = arrival + timedelta(hours=VIETNAM)
        busy = 1.8 if local.weekday() == 0 and local.hour < 11 else 1.0
        called = arrival + timedelta(minutes=max(1.0, self.rng.gammavariate(2.0, 5.0) * busy))
        desk = self.staff[DESK]
        counter = str(self.rng.randint(1, 3))
        ticket = tickets.call_next(desk, counter, service, called)
        if self.rng.random() < 0.04:
            tickets.step(desk, ticket.id, "no_show", called + timedelta(minutes=3))
            return self.visit(called + timedelta(minutes=4), service)  # … and came back for another ticket
        tickets.step(desk, ticket.id, "serve", called + timedelta(minutes=1))
        self.ticket = ticket.id
        return called + timedelta(minutes=2)

    def close_visit(self, dossier, t: datetime) -> None:
        from chalicelib.services.tickets import TicketService

        TicketService().step(self.staff[DESK], self.ticket, "done", t + timedelta(minutes=self.rng.randint(6, 20)),
                             dossier.code)
        self.ticket = None

    def collections(self) -> None:
        """People who come to collect a result or ask: tickets without a dossier, a few a day."""
        from chalicelib.services.tickets import TicketService

        day = self.first_day
        while day < self.today:
            if self.calendar.is_working_day(day):
                for _ in range(self.rng.randint(0, 3)):
                    start = self.visit(self.working_moment(day), self.rng.choice(("tra-ket-qua", "nguoi-co-cong")))
                    if self.ticket:
                        TicketService().step(self.staff[DESK], self.ticket, "done",
                                             start + timedelta(minutes=self.rng.randint(3, 12)))
                        self.ticket = None
                        self.tally.visits += 1
            day += timedelta(days=1)

    # ------------------------------------------------------------------ received elsewhere

    def received_elsewhere(self, count: int) -> None:
        """Work permits re-issued (1.014200: received regardless of boundaries) taken in at the Hồ Chí Minh City
        desk for a Hà Nội firm's worker, received there and forwarded here, then processed like the others."""
        from chalicelib.domain.states import Action

        procedure = next((p for p in self.procedures if p.reception_anywhere), None)
        if procedure is None:
            return
        elsewhere = _staff(OTHER_DESK)
        for _ in range(count):
            t = self.working_moment(self.first_day + timedelta(days=self.rng.randrange(self.days - 14)))
            dossier = self.submit(elsewhere, procedure, self.rng.choice(self.people), "desk", t)
            self.tally.dossiers += 1
            self.tally.add("received elsewhere")
            t += timedelta(minutes=15)
            dossier = self.step(dossier, Action.RECEIVE, elsewhere, t, {"note": "Tiếp nhận không phụ thuộc địa giới"})
            t = self.later(t, 0)
            dossier = self.step(dossier, Action.FORWARD, elsewhere, t, {
                "note": "Chuyển Sở Lao động - Thương binh và Xã hội Hà Nội",
                "paper_tracking_number": f"EB{self.rng.randrange(10**8, 10**9)}VN"})
            t = self.later(t, 1)
            dossier = self.step(dossier, Action.TRANSFER, self.staff[DESK], t,
                                {"unit": UNIT, "note": "Nhận hồ sơ chuyển đến, chuyển phòng chuyên môn"})
            t = self.later(t, 1)
            dossier = self.step(dossier, Action.ASSIGN, self.staff[LEADER], t, {"specialist": SPECIALIST})

    # ------------------------------------------------------------------ feedback

    def feedback(self, number: int) -> None:
        from types import SimpleNamespace

        from chalicelib.services.feedback import FeedbackService

        service = FeedbackService()
        day = self.first_day + timedelta(days=self.rng.randrange(max(self.days - 3, 1)))
        t = self.working_moment(day)
        if not self.past(t):
            return
        kind, title, content = FEEDBACK[number % len(FEEDBACK)]
        person = self.rng.choice(self.people)
        contact = SimpleNamespace(name=person["applicant"]["full_name"], email=person["applicant"].get("email"),
                                  phone=None)
        item, key = service.file(None, SimpleNamespace(kind=kind, agency_code=self.agency, procedure_code=None,
                                                     dossier_code=None, title=title, content=content,
                                                     contact=contact), t)
        self.tally.feedback += 1
        desk = self.staff[DESK]
        late = self.rng.random() < 0.2
        if self.rng.random() < 0.15:
            t = self.later(t, 3 if late else 1)
            if self.past(t):
                service.handle(desk, item.code, "refuse", SimpleNamespace(reason="Nội dung đã được trả lời trước đây"),
                               t)
            return
        t = self.later(t, 17 if late else self.rng.randint(2, 12))
        if not self.past(t):
            return
        service.handle(desk, item.code, "answer", SimpleNamespace(
            text=f"Sở đã kiểm tra và chấn chỉnh; xin cảm ơn {contact.name} đã phản ánh."), t)
        t = self.later(t, 1)
        if not self.past(t):
            return
        service.handle(desk, item.code, "publish", SimpleNamespace(title=None, question=None, answer=None), t)
        t = self.later(t, self.rng.choice((0, 1, 3)))
        if self.rng.random() < 0.7 and self.past(t):
            service.rate(None, item.code, key, self.rng.random() < 0.8, "", t)  # with the key they were given


# --------------------------------------------------------------------------- people


def _staff(username: str):
    """A demo staff member as a token would name them: their authority read from the staff directory."""
    from chalicelib.domain.principal import Principal
    from chalicelib.domain.states import Role
    from chalicelib.services.staff import get_member

    member, _ = get_member(username)
    return Principal(id=member.id, username=member.username, roles=frozenset(Role(r) for r in member.roles),
                     agency_code=member.agency_code, unit=member.unit, name=member.name, email=member.email)


def _citizen(rng: random.Random, number: int) -> dict:
    from chalicelib.domain.principal import Principal
    from chalicelib.domain.states import Role

    name = f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
    born = date(rng.randint(1960, 2002), rng.randint(1, 12), rng.randint(1, 28))
    # 001 (Hà Nội), then the century and sex digit, the year of birth, six digits (chalicelib/domain/identity.py).
    century = (0 if born.year < 2000 else 2) + rng.randint(0, 1)
    citizen_id = f"001{century}{born.year % 100:02d}{rng.randrange(10**6):06d}"
    applicant = {"type": "person", "full_name": name, "citizen_id": citizen_id,
                 "date_of_birth": born.isoformat(), "phone": f"09{rng.randrange(10**7, 10**8)}",
                 "email": f"demo{number:03d}@example.vn",
                 "address": f"{rng.randint(1, 200)} {rng.choice(STREETS)}, Hà Nội"}
    principal = Principal(id=f"demo-citizen-{number:03d}", username=f"demo.citizen.{number:03d}",
                          roles=frozenset({Role.CITIZEN}), name=name, email=applicant["email"])
    return {"principal": principal, "applicant": applicant}


def _business(rng: random.Random) -> dict:
    from chalicelib.domain.identity import tax_code_check_digit

    while (check := tax_code_check_digit(first := f"010{rng.randrange(10**6):06d}")) is None:
        pass
    return {"type": "business", "name": rng.choice(COMPANIES), "tax_code": f"{first}{check}",
            "address": f"{rng.randint(1, 300)} {rng.choice(STREETS)}, Hà Nội", "phone": "02438253000",
            "email": "hr@example.vn", "representative": {"full_name": "Lê Văn Cường", "position": "Giám đốc"}}


def _explain(error: Exception) -> str:
    fields = [f"{e.field}: {e.code}" for e in getattr(error, "errors", None) or ()]
    notes = "; ".join(getattr(error, "__notes__", ()))
    return (f"{type(error).__name__} {getattr(error, 'detail_code', '') or error} {'; '.join(fields)} "
            f"({notes})").strip()


def _name(applicant: dict) -> str:
    return applicant.get("full_name") or (applicant.get("representative") or {}).get("full_name") or "Người nhận"


# --------------------------------------------------------------------------- running it


def fill(say=print, **options: Any) -> Tally:
    """In the process of a running local stack (its environment is this process's): the quarter, then a line."""
    started = time.monotonic()
    tally = Quarter(say=say, **options).run()
    say(f"demo quarter: {tally.dossiers} dossiers ({', '.join(f'{k} {v}' for k, v in sorted(tally.kinds.items()))}), "
        f"{tally.feedback} feedback items, {tally.visits} visits to collect or ask, {tally.steps} steps through the "
        f"services in "
        f"{time.monotonic() - started:.0f} s; the consumers count them as the event pump delivers them")
    return tally


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--state-file", type=Path, default=REPO_ROOT / "build" / "local-stack.json",
                        help="the running local stack's state (make run writes it)")
    parser.add_argument("--agency", default=AGENCY)
    parser.add_argument("--days", type=int, default=91)
    parser.add_argument("--dossiers", type=int, default=120)
    parser.add_argument("--feedback", type=int, default=18)
    parser.add_argument("--seed", type=int, default=20261130)
    args = parser.parse_args(argv)
    if not args.state_file.is_file():
        print(f"no local stack at {args.state_file}: start one with `make run`", file=sys.stderr)
        return 2
    state = json.loads(args.state_file.read_text())
    # The services read their settings from the environment: the stack's own, with moto as AWS.
    os.environ.update({k: v for k, v in state.items() if k.isupper() and isinstance(v, str)})
    os.environ["AWS_ENDPOINT_URL"] = state["MOTO_ENDPOINT"]
    fill(agency=args.agency, days=args.days, dossiers=args.dossiers, feedback=args.feedback, seed=args.seed)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
