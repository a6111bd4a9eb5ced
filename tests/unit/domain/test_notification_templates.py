"""Notification wording (chalicelib/templates/notifications): both languages for every event type, only
placeholders the consumer fills, SMS texts a phone shows as typed, and the facts each form must carry."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta
from string import Template

import pytest

from chalicelib.domain import transitions as rules
from chalicelib.domain.agencies import agency
from chalicelib.domain.dossier import CHANNEL_DESK, CHANNEL_ONLINE, Dossier
from chalicelib.domain.events import Event
from chalicelib.domain.principal import Principal
from chalicelib.domain.procedures import load_seed_catalogue
from chalicelib.domain.states import Action, Role, Status
from chalicelib.domain.templates import LANGUAGES, TEMPLATE_DIR, MessageTemplate, event_types, parse, template_for
from chalicelib.services import notifications
from chalicelib.services.dossiers import _receipt, working_calendar
from chalicelib.services.notifications import message_context

EVENT_TYPES = ["dossier.submitted", "dossier.received", "dossier.supplement_requested", "dossier.resubmitted",
               "dossier.refused", "dossier.approved", "dossier.rejected", "dossier.stopped", "dossier.withdrawn",
               "dossier.fee_requested", "dossier.sent_by_post", "dossier.returned", "dossier.apology_issued",
               "dossier.fee_paid", "dossier.payment_updated", "dossier.forwarded"]
PROCEDURE = next(p for p in load_seed_catalogue() if p.code == "1.014199")
T0 = datetime(2026, 3, 2, 2, 15, 30, 123000, tzinfo=UTC)  # Monday 09:15 in Hà Nội
SMS_LIMIT = 320  # two concatenated GSM-7 segments (153 characters each) and a little slack
CITIZEN = Principal(id="citizen-1", username="an.nguyen", roles=frozenset({Role.CITIZEN}), name="Nguyễn Văn An")
OFFICER = Principal(id="officer-1", username="desk.1", roles=frozenset({Role.OFFICER}),
                    agency_code=PROCEDURE.agency_code, name="Lê Thị Cúc")
LEADER = Principal(id="leader-1", username="leader.1", roles=frozenset({Role.LEADER}),
                   agency_code=PROCEDURE.agency_code, unit="viec-lam", name="Trần Văn Lãnh")
SYSTEM = Principal(id="system:deadlines", username="deadline-scan", roles=frozenset({Role.SYSTEM}))
SPECIALIST = Principal(id="specialist-1", username="sp", roles=frozenset({Role.SPECIALIST}),
                       agency_code=PROCEDURE.agency_code, unit="viec-lam", name="Phạm Thị Chuyên")
# Another agency's desk, which takes in PROCEDURE's dossiers: it is received regardless of administrative boundaries.
ELSEWHERE = "000.00.20.H29"
ELSEWHERE_OFFICER = Principal(id="officer-2", username="desk.hcm", roles=frozenset({Role.OFFICER}),
                              agency_code=ELSEWHERE, name="Phạm Minh Tuấn")
REFUSAL_REASON = ("Hồ sơ không thuộc thẩm quyền giải quyết của Sở; đề nghị nộp tại Ủy ban nhân dân cấp huyện "
                  "nơi doanh nghiệp đặt trụ sở.")
FEE = {"amount_vnd": 450000, "purpose": "Lệ phí cấp giấy phép lao động", "note": ""}
TRACKING_NUMBER = "EB123456789VN"
RESULT = {"upload_id": "res-1", "file_name": "giay-phep.pdf", "content_type": "application/pdf", "size": 2048,
          "sha256": "cd" * 32}
APOLOGY_REASON = "Hồ sơ cần xác minh thêm với cơ quan quản lý xuất nhập cảnh."
ITEMS = [
    {"component_id": "health-certificate", "reason": "Giấy khám sức khỏe đã quá 12 tháng"},
    {"component_id": "photos", "reason": "Ảnh không đúng kích thước 4x6"},
]


class _Catalogue:
    """The procedure store message_context reads, holding the seed catalogue's work permit procedure."""

    def version(self, code: str, version: int):
        return PROCEDURE if (code, version) == (PROCEDURE.code, PROCEDURE.version) else None


@pytest.fixture(autouse=True)
def catalogue(monkeypatch):
    monkeypatch.setattr(notifications, "ProcedureStore", _Catalogue)


def _draft(locale: str) -> Dossier:
    return Dossier(
        id="01JNSR0000000000000000000A", code=f"{PROCEDURE.agency_code}-260302-0001",
        procedure_code=PROCEDURE.code, procedure_version=PROCEDURE.version, agency_code=PROCEDURE.agency_code,
        owner_id=CITIZEN.id,
        applicant={"type": "business", "name": "Công ty TNHH Thương mại và Dịch vụ Kỹ thuật Hà Nội",
                   "tax_code": "0100109106", "address": "1 Trần Hưng Đạo, Hoàn Kiếm, Hà Nội",
                   "phone": "0912345678", "email": "hr@example.vn",
                   "representative": {"full_name": "Lê Văn Cường"}},
        summary="Cấp giấy phép lao động cho chuyên gia", components=[
            {"component_id": c.id, "files": [{"upload_id": f"up-{c.id}", "sha256": "ab" * 32}]}
            for c in PROCEDURE.components if c.required],
        delivery={"method": "post", "address": "25 Lý Thường Kiệt, Hoàn Kiếm, Hà Nội"}, channel=CHANNEL_ONLINE,
        status=Status.SUBMITTED, submitted_at=T0, locale=locale, sms_opt_in=True)


def _named(items: list[dict]) -> list[dict]:
    """Supplement items as the service stores them: with the component's names in both languages."""
    return [{**i, "name_vi": PROCEDURE.component(i["component_id"]).name_vi,
             "name_en": PROCEDURE.component(i["component_id"]).name_en} for i in items]


def _history(locale: str) -> dict[str, tuple[Dossier, Event]]:
    """Each event type as the domain produces it, with the dossier as it stands after that event."""
    submitted, first = rules.submit(_draft(locale), CITIZEN, T0)
    asked, supplement = rules.request_supplement(submitted, OFFICER, T0 + timedelta(hours=1), _named(ITEMS),
                                                 "Bổ sung trong 10 ngày")
    back, resubmitted = rules.resubmit(asked, CITIZEN, T0 + timedelta(days=1), [], "Đã bổ sung")
    when = T0 + timedelta(days=1, hours=2)
    due = working_calendar().due_date(when, PROCEDURE.processing_time.value, PROCEDURE.processing_time.unit)
    received, receipt = rules.receive(back, OFFICER, when, due, _receipt(back, PROCEDURE, OFFICER, when, due, ""))
    refused, refusal = rules.refuse(back, OFFICER, when, REFUSAL_REASON)
    day = when.date()
    transferred, _ = rules.act(received, OFFICER, Action.TRANSFER, when, day, {"unit": "viec-lam"},
                               {"kind": "unit", "unit": "viec-lam"})
    assigned, _ = rules.act(transferred, LEADER, Action.ASSIGN, when, day, {"specialist": "sp"},
                            {"kind": "specialist", "id": SPECIALIST.id, "name": SPECIALIST.name})
    proposed, _ = rules.act(assigned, SPECIALIST, Action.PROPOSE, when, day,
                            {"assessment": "Đủ điều kiện", "proposal": "approve"}, {"kind": "leader"})
    approved, approval = rules.act(proposed, LEADER, Action.APPROVE, when, day, {"note": ""})
    rejected, rejection = rules.act(proposed, LEADER, Action.REJECT, when, day, {"reason": REFUSAL_REASON})
    stopped, stop = rules.act(assigned, LEADER, Action.STOP, when, day, {"reason": REFUSAL_REASON})
    withdrawn, withdrawal = rules.act(assigned, CITIZEN, Action.WITHDRAW, when, day, {"reason": "Không còn nhu cầu"})
    waiting, fee = rules.act(assigned, SPECIALIST, Action.REQUEST_FEE, when, day, FEE)
    started, _ = rules.act(waiting, CITIZEN, Action.START_PAYMENT, when, day, {"payment_id": "PAY01"})
    paid, payment = rules.act(started, SYSTEM, Action.RECORD_PAYMENT, when, day,
                              {"amount_vnd": FEE["amount_vnd"], "method": "online", "receipt_number": "14226112",
                               "payment_id": "PAY01"}, due_date=due + timedelta(days=2))
    refunding, refund = rules.act(withdrawn, SYSTEM, Action.UPDATE_PAYMENT, when, day,
                                  {"payment_id": "PAY01", "state": "refunding", "amount_vnd": FEE["amount_vnd"]})
    issued, _ = rules.act(approved, OFFICER, Action.ISSUE_RESULT, when, day, {"note": ""},
                          {"kind": "desk", "agency_code": PROCEDURE.agency_code}, results=[RESULT])
    # The draft's delivery method is post: the result goes by post, then its delivery is recorded.
    posted, post = rules.act(issued, OFFICER, Action.SEND_BY_POST, when + timedelta(hours=1), day,
                             {"tracking_number": TRACKING_NUMBER, "carrier": "VNPost", "note": ""})
    returned, delivery = rules.act(posted, OFFICER, Action.RECORD_DELIVERY, when + timedelta(days=1), day,
                                   {"delivered_on": "2026-03-04", "note": ""})
    # The deadline watch flags it late; the desk then writes the apology letter with a new date.
    late = due + timedelta(days=1)
    flagged, _ = rules.act(received, SYSTEM, Action.FLAG_OVERDUE, when, late,
                           {"due_date": due.isoformat(), "as_of": late.isoformat()})
    apologised, apology = rules.act(flagged, OFFICER, Action.APOLOGISE, when, late, {"reason": APOLOGY_REASON},
                                    due_date=due + timedelta(days=7))
    # Taken in at another agency's desk, received there (its receipt names both agencies) and forwarded here.
    walk_in = dataclasses.replace(_draft(locale), code=f"{ELSEWHERE}-260302-0002", receiving_agency=ELSEWHERE,
                                  channel=CHANNEL_DESK, owner_id="walk-in:1")
    taken, _ = rules.submit(walk_in, ELSEWHERE_OFFICER, T0)
    there, _ = rules.receive(taken, ELSEWHERE_OFFICER, when, due, _receipt(taken, PROCEDURE, ELSEWHERE_OFFICER, when,
                                                                           due, ""))
    forwarded, forwarding = rules.act(there, ELSEWHERE_OFFICER, Action.FORWARD, when + timedelta(hours=1), day,
                                      {"note": "", "paper_tracking_number": TRACKING_NUMBER,
                                       "from_agency": ELSEWHERE, "to_agency": PROCEDURE.agency_code},
                                      {"kind": "desk", "agency_code": PROCEDURE.agency_code,
                                       "name": PROCEDURE.agency_name_vi})
    return {"dossier.submitted": (submitted, first), "dossier.supplement_requested": (asked, supplement),
            "dossier.resubmitted": (back, resubmitted), "dossier.received": (received, receipt),
            "dossier.refused": (refused, refusal), "dossier.approved": (approved, approval),
            "dossier.rejected": (rejected, rejection), "dossier.stopped": (stopped, stop),
            "dossier.withdrawn": (withdrawn, withdrawal), "dossier.fee_requested": (waiting, fee),
            "dossier.sent_by_post": (posted, post), "dossier.returned": (returned, delivery),
            "dossier.apology_issued": (apologised, apology), "dossier.fee_paid": (paid, payment),
            "dossier.payment_updated": (refunding, refund), "dossier.forwarded": (forwarded, forwarding),
            "received_elsewhere": (there, None)}


def _rendered(event_type: str, locale: str):
    dossier, event = _history(locale)[event_type]
    context = message_context(event.to_dict(), dossier)
    return template_for(event_type, locale).render(context), dossier, context


def _parts(template: MessageTemplate) -> dict[str, Template]:
    return {"subject": template.subject, "sms": template.sms, "body": template.body}


CASES = [(t, lang) for t in EVENT_TYPES for lang in LANGUAGES]


# --------------------------------------------------------------------------- the set of templates


def test_every_event_type_has_a_template_in_both_languages():
    assert event_types() == set(EVENT_TYPES)
    for event_type in EVENT_TYPES:
        for language in LANGUAGES:
            assert (TEMPLATE_DIR / f"{event_type}.{language}.txt").is_file()
            assert template_for(event_type, language) is not None
    files = {p.name for p in TEMPLATE_DIR.glob("*.txt")}
    assert files == {f"{t}.{lang}.txt" for t in EVENT_TYPES for lang in LANGUAGES}, "no stray template files"


def test_an_event_type_without_a_template_is_ignored_and_an_unknown_language_falls_back_to_vietnamese():
    assert template_for("dossier.archived", "vi") is None
    french, vietnamese = template_for("dossier.received", "fr"), template_for("dossier.received", "vi")
    assert [t.template for t in _parts(french).values()] == [t.template for t in _parts(vietnamese).values()]


@pytest.mark.parametrize(("event_type", "language"), CASES)
def test_placeholders_are_keys_message_context_provides(event_type, language):
    dossier, event = _history(language)[event_type]
    keys = set(message_context(event.to_dict(), dossier))
    for part, template in _parts(template_for(event_type, language)).items():
        assert template.is_valid(), f"{event_type}.{language} {part}: a stray $"
        unknown = set(template.get_identifiers()) - keys
        assert not unknown, f"{event_type}.{language} {part} uses {sorted(unknown)}"


@pytest.mark.parametrize(("event_type", "language"), CASES)
def test_every_template_renders_completely(event_type, language):
    rendered, dossier, context = _rendered(event_type, language)
    for text in (rendered.subject, rendered.sms, rendered.body):
        assert "${" not in text and dossier.code in text
    assert rendered.subject.startswith(f"[{dossier.code}] ")
    assert "\n" not in rendered.subject
    assert context["applicant_name"] in rendered.body
    assert context["procedure_name"] in rendered.body


@pytest.mark.parametrize(("event_type", "language"), CASES)
def test_the_sms_template_line_is_plain_ascii(event_type, language):
    """Unaccented Vietnamese: GSM-7 fits 160 characters a segment, UCS-2 (any accent) only 70."""
    template = template_for(event_type, language).sms.template
    assert template.isascii() and "\n" not in template


@pytest.mark.parametrize(("event_type", "language"), CASES)
def test_the_rendered_sms_is_ascii_and_short(event_type, language):
    rendered, _dossier, _context = _rendered(event_type, language)
    assert rendered.sms.isascii(), rendered.sms
    assert "\n" not in rendered.sms
    assert len(rendered.sms) <= SMS_LIMIT


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_refusal_sms_carries_the_reason_unaccented(language):
    rendered, _dossier, _context = _rendered("dossier.refused", language)
    assert rendered.sms.endswith("Ho so khong thuoc tham quyen giai quyet cua So; de nghi nop tai Uy ban nhan dan "
                                 "cap huyen noi doanh nghiep dat tru so.")


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_longest_refusal_reason_still_makes_a_short_single_line_sms(language):
    """Officers may type 2000 characters over several lines (schemas.Refuse); the email keeps them all."""
    dossier, event = _history(language)["dossier.refused"]
    reason = ("Thiếu giấy chứng nhận đủ điều kiện sức khỏe.\n" * 50)[:2000]
    context = {**message_context(event.to_dict(), dossier), "reason": reason}
    rendered = template_for("dossier.refused", language).render(context)
    assert rendered.sms.isascii() and "\n" not in rendered.sms
    assert len(rendered.sms) <= SMS_LIMIT
    assert dossier.code in rendered.sms and "Thieu giay chung nhan du dieu kien suc khoe." in rendered.sms
    assert reason.strip() in rendered.body


# --------------------------------------------------------------------------- what each form carries


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_receipt_shows_the_code_and_the_appointment_date(language):
    rendered, dossier, context = _rendered("dossier.received", language)
    appointment = dossier.due_date.strftime("%d/%m/%Y")
    assert context["appointment_date"] == appointment
    assert context["received_at"] == "11:15 03/03/2026"  # T0 + 1 day 2 hours, in Hà Nội time
    for text in (rendered.body, rendered.sms):
        assert dossier.code in text and appointment in text
    assert "25 Lý Thường Kiệt, Hoàn Kiếm, Hà Nội" in rendered.body  # delivery by post, to this address
    assert (PROCEDURE.agency_name_vi if language == "vi" else PROCEDURE.agency_name_en) in rendered.body


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_dossier_received_at_another_agencys_desk_is_told_where_it_was_received_then_where_it_went(language):
    dossier, _ = _history(language)["received_elsewhere"]
    receipt_event = {"type": "dossier.received", "at": "2026-03-03T04:15:30.123Z", "payload": {}}
    receipt = template_for("dossier.received", language).render(message_context(receipt_event, dossier))
    desk, competent = agency(ELSEWHERE).name(language), agency(PROCEDURE.agency_code).name(language)
    assert desk in receipt.body and competent not in receipt.body
    rendered, forwarded, context = _rendered("dossier.forwarded", language)
    assert (context["receiving_agency_name"], context["agency_name"]) == (desk, competent)
    assert desk in rendered.body and competent in rendered.body
    appointment = forwarded.due_date.strftime("%d/%m/%Y")
    assert context["appointment_date"] == appointment and appointment in rendered.body and appointment in rendered.sms


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_supplement_request_lists_each_item_with_its_reason(language):
    rendered, _dossier, _context = _rendered("dossier.supplement_requested", language)
    for item in _named(ITEMS):
        name = item["name_vi"] if language == "vi" else item["name_en"]
        assert f"  - {name}: {item['reason']}" in rendered.body.splitlines()
    assert "Bổ sung trong 10 ngày" in rendered.body


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_refusal_carries_the_reason(language):
    rendered, _dossier, context = _rendered("dossier.refused", language)
    assert context["reason"] == REFUSAL_REASON
    assert REFUSAL_REASON in rendered.body


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_fee_request_shows_the_amount_and_what_it_is_for(language):
    rendered, _dossier, context = _rendered("dossier.fee_requested", language)
    assert (context["fee_amount"], context["fee_purpose"]) == ("450.000", FEE["purpose"])
    assert "450.000" in rendered.body and FEE["purpose"] in rendered.body
    assert "450.000" in rendered.sms and "Le phi cap giay phep lao dong" in rendered.sms
    assert "450000" not in rendered.body + rendered.sms


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_posted_result_carries_the_tracking_number(language):
    rendered, _dossier, context = _rendered("dossier.sent_by_post", language)
    assert context["tracking_number"] == TRACKING_NUMBER
    assert TRACKING_NUMBER in rendered.body and TRACKING_NUMBER in rendered.sms
    assert "25 Lý Thường Kiệt, Hoàn Kiếm, Hà Nội" in rendered.body


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_return_of_a_posted_result_names_the_post(language):
    rendered, _dossier, context = _rendered("dossier.returned", language)
    assert context["tracking_number"] == TRACKING_NUMBER, "kept on the dossier from the posting"
    assert "25 Lý Thường Kiệt, Hoàn Kiếm, Hà Nội" in rendered.body


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_apology_letter_shows_the_new_appointment_date_and_the_reason(language):
    rendered, dossier, context = _rendered("dossier.apology_issued", language)
    receipt_day = date.fromisoformat(dossier.receipt["appointment_date"])
    assert dossier.due_date == receipt_day + timedelta(days=7)
    new_date, old_date = dossier.due_date.strftime("%d/%m/%Y"), receipt_day.strftime("%d/%m/%Y")
    assert context["appointment_date"] == new_date, "the letter's date, not the receipt's"
    assert context["reason"] == APOLOGY_REASON
    assert new_date in rendered.body and new_date in rendered.sms
    assert old_date not in rendered.body
    assert APOLOGY_REASON in rendered.body
    assert "04" in rendered.body  # the form number
    assert dossier.apologies[-1]["form"] == "04" and dossier.deadline_alert is None


RETURNED_BY = {"online": (Action.RETURN_ONLINE, {"note": ""}, {"vi": "trực tuyến", "en": "online"}),
               "desk": (Action.RETURN_AT_DESK, {"received_by": "Lê Văn Cường", "note": ""},
                        {"vi": "tại Bộ phận Một cửa", "en": "at the one-stop desk"})}


@pytest.mark.parametrize(("method", "language"), [(m, lang) for m in RETURNED_BY for lang in LANGUAGES])
def test_a_result_returned_online_or_at_the_desk_says_how(method, language):
    action, details, wording = RETURNED_BY[method]
    approved = _history(language)["dossier.approved"][0]
    chosen = dataclasses.replace(approved, delivery={"method": method, "address": None})
    issued, _ = rules.act(chosen, OFFICER, Action.ISSUE_RESULT, T0 + timedelta(days=2), T0.date(), {"note": ""},
                          {"kind": "desk"}, results=[RESULT])
    returned, event = rules.act(issued, OFFICER, action, T0 + timedelta(days=3), T0.date(), details)
    assert event.type == "dossier.returned"
    context = message_context(event.to_dict(), returned)
    rendered = template_for("dossier.returned", language).render(context)
    assert wording[language] in rendered.body
    assert context["event_at"] == "09:15 05/03/2026" and context["event_at"] in rendered.body
    assert context["tracking_number"] == ""
    for text in (rendered.subject, rendered.sms, rendered.body):
        assert "${" not in text and returned.code in text
    assert rendered.sms.isascii() and len(rendered.sms) <= SMS_LIMIT


def test_a_placeholder_the_context_lacks_is_an_error_not_a_blank():
    rendered, _dossier, context = _rendered("dossier.received", "vi")
    template = template_for("dossier.received", "vi")
    with pytest.raises(KeyError):
        template.render({k: v for k, v in context.items() if k != "appointment_date"})


# --------------------------------------------------------------------------- the file format


def test_parse_reads_subject_sms_and_body():
    parsed = parse("Subject: [${code}] Hello\nSMS: Ho so ${code}\n\nLine 1 ${code}\n\nLine 2\n")
    rendered = parsed.render({"code": "X-1"})
    assert (rendered.subject, rendered.sms, rendered.body) == ("[X-1] Hello", "Ho so X-1", "Line 1 X-1\n\nLine 2\n")


@pytest.mark.parametrize("text", [
    "",
    "SMS: only sms\n\nBody",  # no Subject:
    "Subject: only subject\n\nBody",  # no SMS:
    "Subject: s\nSMS: m\n",  # no blank line, no body
    "Subject: s\nSMS: m\n\n   \n",  # a blank body
    "Subject: s\n\nSMS: m\nBody",  # SMS: below the blank line belongs to the body
], ids=["empty", "no-subject", "no-sms", "no-body", "blank-body", "sms-in-body"])
def test_parse_rejects_a_malformed_template(text):
    with pytest.raises(ValueError):
        parse(text)
