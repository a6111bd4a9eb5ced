"""Feedback and petitions: the time limits on the working-day calendar, the steps, what is published."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from chalicelib.domain import feedback as rules
from chalicelib.domain.calendar import WorkingCalendar
from chalicelib.domain.feedback import FeedbackKind, FeedbackStatus, StepNotAllowed
from chalicelib.domain.metric_facts import facts

CAL = WorkingCalendar()
OFFICER = {"id": "u1", "username": "officer.hanoi", "role": "officer", "name": "Nguyễn Văn Bình"}


def at(day: str, hour: int = 10) -> datetime:
    """`hour` in Hà Nội (UTC+7)."""
    return datetime.fromisoformat(f"{day}T{hour - 7:02d}:00:00+00:00") if hour >= 7 else \
        datetime.fromisoformat(f"{day}T00:00:00+00:00")


def filed(when: datetime = None, **kw) -> rules.Feedback:
    return rules.receive("PAKN-000.00.20.H26-261127-0001", "000.00.20.H26", FeedbackKind.FEEDBACK, "Chậm trả kết quả",
                         "Hồ sơ của tôi quá hạn.", {"name": "Trần Thị Lan", "email": "lan@example.vn"},
                         when or at("2026-11-27"), CAL, **kw)


def test_the_limits_count_working_days_from_the_day_the_item_counts_as_received():
    # Friday 27 November 2026, 10:00: refuse by Tuesday 1 December (2 working days), ask for more by Friday 4
    # December (5), answer by Friday 18 December (15): weekends skipped.
    item = filed()
    assert (item.received_on, item.refuse_by, item.request_info_by, item.answer_by) == (
        "2026-11-27", "2026-12-01", "2026-12-04", "2026-12-18")
    assert item.due() == "2026-12-18"


def test_an_item_filed_after_hours_on_a_friday_counts_from_monday():
    item = filed(at("2026-11-27", 18))
    assert (item.received_on, item.refuse_by, item.answer_by) == ("2026-11-30", "2026-12-02", "2026-12-21")


def test_the_limits_skip_public_holidays():
    # Filed on Tuesday 10 February 2026: 11–13 February are working days 1–3, the Tết holiday (Monday 16 to Friday
    # 20 February) is not, 23 February is day 4 … Tuesday 10 March day 15.
    item = filed(at("2026-02-10"))
    assert not any(CAL.is_working_day(date(2026, 2, d)) for d in range(16, 21))
    assert item.answer_by == "2026-03-10"


def test_a_refusal_after_its_limit_is_late_and_the_item_closes_not_on_time():
    item = rules.refuse(filed(), "Không thuộc thẩm quyền", OFFICER, at("2026-12-02"), CAL)
    assert item.status is FeedbackStatus.REFUSED and item.late_steps == ("refuse",) and not item.on_time
    on_time = rules.refuse(filed(), "Không thuộc thẩm quyền", OFFICER, at("2026-12-01"), CAL)
    assert on_time.on_time


def test_waiting_for_the_persons_information_moves_the_answers_limit():
    asked = rules.request_info(filed(), "Xin gửi số biên nhận", OFFICER, at("2026-12-01"), CAL)
    assert asked.status is FeedbackStatus.INFO_REQUESTED and asked.due() is None  # the agency waits
    # Asked on Tuesday 1, answered on Tuesday 8 December: five working days waited (2, 3, 4, 7, 8).
    back = rules.provide_info(asked, "Số biên nhận 000.00.20.H26-261120-0007", at("2026-12-08"), CAL)
    assert back.status is FeedbackStatus.RECEIVED and back.answer_by == "2026-12-25"
    assert "request_info" not in rules.allowed_steps(back)  # once


def test_the_publication_is_due_two_working_days_after_the_answer_and_both_on_time_make_it_handled_on_time():
    answered = rules.answer(filed(), "Đã trả kết quả ngày 30/11.", OFFICER, at("2026-12-17"), CAL)
    assert answered.publish_by == "2026-12-21" and answered.due() == "2026-12-21"
    published = rules.publish(answered, at("2026-12-21"), CAL)
    assert published.status is FeedbackStatus.PUBLISHED and published.on_time
    late = rules.publish(answered, at("2026-12-22"), CAL)
    assert late.late_steps == ("publish",) and not late.on_time


def test_steps_out_of_turn_are_refused():
    item = filed()
    with pytest.raises(StepNotAllowed):
        rules.publish(item, at("2026-11-30"), CAL)
    with pytest.raises(StepNotAllowed):
        rules.rate(item, True, "", at("2026-11-30"))
    published = rules.publish(rules.answer(item, "Trả lời", OFFICER, at("2026-11-30"), CAL), at("2026-11-30"), CAL)
    rated = rules.rate(published, False, "Chưa thoả đáng", at("2026-12-01"))
    with pytest.raises(StepNotAllowed):
        rules.rate(rated, True, "", at("2026-12-02"))


def test_overdue_steps_are_flagged_once_each():
    item = filed()
    assert rules.newly_overdue(item, date(2026, 12, 4)) == []
    assert rules.newly_overdue(item, date(2026, 12, 7)) == ["request_info"]
    flagged = rules.flag_overdue(item, ["request_info"], at("2026-12-07"))
    assert rules.newly_overdue(flagged, date(2026, 12, 21)) == ["answer"]


def test_what_is_published_has_no_name_contact_id_number_or_dossier_code():
    text = ("Tôi là Trần Thị Lan, CCCD 001190012345, điện thoại 0912 345 678 hoặc +84 912345678, thư lan@example.vn; "
            "hồ sơ 000.00.20.H26-261120-0007 bị chậm. TRẦN THỊ LAN")
    cleaned = rules.redact(text, ["Trần Thị Lan"])
    for secret in ("Lan", "001190012345", "0912", "912345678", "example.vn", "261120"):
        assert secret not in cleaned, (secret, cleaned)
    assert cleaned.startswith("Tôi là […], CCCD […]") and "bị chậm" in cleaned


def test_each_feedback_event_counts_for_its_agency_and_procedure_on_its_local_day():
    def event(kind, when, **payload):
        return {"seq": 1, "type": kind, "at": when.isoformat(), "actor": {},
                "payload": {"agency_code": "000.00.20.H26", "procedure_code": "1.014199", **payload}}

    late_evening = datetime(2026, 12, 31, 16, 30, tzinfo=UTC)  # 23:30 in Hà Nội: still December
    found = facts([event("feedback.filed", late_evening, complaint=True)])
    assert {(f.counter, f.day, f.agency, f.procedure) for f in found} == {
        ("feedback_filed", date(2026, 12, 31), "000.00.20.H26", "1.014199"),
        ("complained", date(2026, 12, 31), "000.00.20.H26", "1.014199")}
    assert {f.counter for f in facts([event("feedback.published", late_evening, on_time=False)])} == {
        "feedback_closed", "feedback_late", "feedback_published"}
    assert {f.counter for f in facts([event("feedback.rated", late_evening, satisfied=True)])} == {
        "feedback_rated", "feedback_satisfied"}
    assert facts([event("feedback.info_provided", late_evening)]) == []


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_person_is_told_of_each_step_in_their_language_with_every_placeholder_filled(language):
    from chalicelib.domain.templates import template_for
    from chalicelib.services.notifications import feedback_context

    item = rules.answer(filed(locale=language), "Đã kiểm tra, giấy phép đã ký.", OFFICER, at("2026-11-30"), CAL)
    item = rules.publish(item, at("2026-11-30"), CAL)
    for kind in rules.TOLD:
        template = template_for(kind.value, language, "feedback")
        assert template is not None, (kind, language)
        event = {"type": kind.value, "payload": {"code": item.code, "agency_code": item.agency_code,
                                                 "answer_by": item.answer_by, "question": "Số biên nhận?",
                                                 "reason": "Trùng nội dung"}}
        message = template.render(feedback_context(event, item))
        assert item.code in message.subject and item.code in message.body
        assert "${" not in message.body and message.sms.isascii()
    assert template_for("feedback.answered", language, "feedback") is None  # the published answer is what is sent
