"""Feedback and petitions over HTTP (docs/feedback.md): filed without an account, triaged, answered, published with
personal data taken out, rated — and counted in the satisfaction indicators; a complaint about one's own dossier."""

from __future__ import annotations

import time

import pytest

from .test_dossier_flow import WORK_PERMIT, submit
from .test_events import sent_emails
from .test_processing import HANOI, problem

pytestmark = pytest.mark.e2e

NAME, PHONE, EMAIL = "Phạm Quốc Hưng", "0987 654 321", "hung.pham@example.vn"
COUNT_WAIT = 45


def counters(api) -> dict:
    card = api().get("/metrics/scorecard", params={"agency": HANOI, "period": "rolling-30d"})
    assert card.status_code == 200, card.text
    return card.json()["counters"]


def wait_for_counts(api, before: dict, moved: dict) -> dict:
    """The scorecard's counters once each of `moved` has grown by its amount (counting is asynchronous)."""
    deadline = time.monotonic() + COUNT_WAIT
    while True:
        now = counters(api)
        if all(now.get(k, 0) - before.get(k, 0) >= v for k, v in moved.items()):
            return now
        if time.monotonic() > deadline:
            pytest.fail(f"counters never moved by {moved}: before {before}, now {now}")
        time.sleep(0.3)


def file(api, **changes) -> dict:
    body = {"kind": "feedback", "agency_code": HANOI, "procedure_code": WORK_PERMIT,
            "title": "Hẹn trả kết quả nhiều lần",
            "content": f"Tôi là {NAME}, điện thoại {PHONE}. Cán bộ hẹn tôi ba lần mà chưa có giấy phép.",
            "contact": {"name": NAME, "email": EMAIL}, **changes}
    response = api().post("/feedback", body)
    assert response.status_code == 201, response.text
    return response.json()


def emails_to(stack, code: str, count: int) -> list[dict]:
    """The emails about feedback `code` once there are `count` of them (the notifications consumer is asynchronous)."""
    deadline = time.monotonic() + COUNT_WAIT
    while len(found := [m for m in sent_emails(stack) if code in m["subject"]]) < count:
        if time.monotonic() > deadline:
            pytest.fail(f"{len(found)} emails about {code}, not {count}: {[m['subject'] for m in found]}")
        time.sleep(0.3)
    return found


def test_feedback_goes_from_filing_to_a_published_answer_and_a_rating_and_counts_in_the_index(api, stack):
    before = counters(api)
    filed = file(api)
    code, key = filed["code"], filed["key"]
    assert code.startswith(f"PAKN-{HANOI}-") and key and filed["status"] == "received"
    assert set(filed["due"]) == {"refuse", "request_info", "answer"}
    person = {"Feedback-Key": key}
    # The code alone opens nothing before publication; with its key, the person sees the whole item.
    problem(api().get(f"/feedback/{code}"), 404, "feedback_not_found")
    problem(api().get(f"/feedback/{code}", headers={"Feedback-Key": "x" * 32}), 404, "feedback_not_found")
    assert api().get(f"/feedback/{code}", headers=person).json()["contact"]["email"] == EMAIL

    officer = api("officer.hanoi")
    queue = officer.get("/desk/feedback", params={"limit": 100}).json()["items"]
    row = next(r for r in queue if r["code"] == code)
    assert row["due_on"] == filed["due"]["answer"] and row["days_left"] >= 14
    problem(api("officer.hcm").get(f"/feedback/{code}"), 404)  # another agency's staff: not theirs

    asked = officer.post(f"/desk/feedback/{code}/request-info", {"question": "Xin cho biết số biên nhận hồ sơ."})
    assert asked.status_code == 200, asked.text
    assert asked.json()["status"] == "info_requested"
    assert code not in {r["code"] for r in officer.get("/desk/feedback", params={"limit": 100}).json()["items"]}
    problem(officer.post(f"/desk/feedback/{code}/answer", {"text": "Trả lời"}), 409, "transition_not_allowed")

    replied = api().post(f"/feedback/{code}/info", {"text": "Biên nhận 000.00.20.H26-261120-0007."}, headers=person)
    assert replied.status_code == 200, replied.text
    assert replied.json()["status"] == "received" and replied.json()["allowed_steps"] == []

    answered = officer.post(f"/desk/feedback/{code}/answer",
                            {"text": f"Kính gửi ông {NAME}: giấy phép đã ký ngày 27/11, mời ông nhận tại bộ phận một "
                                     "cửa."})
    assert answered.json()["status"] == "answered" and set(answered.json()["due"]) == {"publish"}
    published = officer.post(f"/desk/feedback/{code}/publish", {})
    assert published.status_code == 200, published.text
    public = published.json()["public"]
    for secret in ("Hưng", "0987", "654 321", "261120"):
        assert secret not in public["question"] + public["answer"] + public["title"], public

    # Everyone sees the published answer, and only it.
    seen = api().get(f"/feedback/{code}").json()
    assert seen["view"] == "public" and "contact" not in seen and seen["public"] == public
    listed = api().get("/public/feedback", params={"agency": HANOI, "limit": 50}).json()["items"]
    assert next(r for r in listed if r["code"] == code)["public"]["answer"] == public["answer"]

    # The person was told by email of its reception, the question and the published answer.
    told = {m["subject"].split("] ", 1)[1]: m for m in emails_to(stack, code, 3)}
    assert {tuple(m["destinations"]["ToAddresses"]) for m in told.values()} == {(EMAIL,)}
    assert set(told) == {"Đã nhận phản ánh, kiến nghị của Quý vị", "Cơ quan đề nghị bổ sung thông tin",
                         "Cơ quan đã trả lời phản ánh, kiến nghị của Quý vị"}
    assert "Xin cho biết số biên nhận hồ sơ." in told["Cơ quan đề nghị bổ sung thông tin"]["body"]
    assert public["answer"] in told["Cơ quan đã trả lời phản ánh, kiến nghị của Quý vị"]["body"]

    rated = api().post(f"/feedback/{code}/rating", {"satisfied": True, "comment": "Cảm ơn"}, headers=person)
    assert rated.status_code == 200 and rated.json()["rating"]["satisfied"] is True
    problem(api().post(f"/feedback/{code}/rating", {"satisfied": False}, headers=person), 409)
    problem(api().post(f"/feedback/{code}/rating", {"satisfied": False}), 404)  # without the key: not theirs

    after = wait_for_counts(api, before, {"feedback_filed": 1, "feedback_closed": 1, "feedback_on_time": 1,
                                          "feedback_published": 1, "feedback_rated": 1, "feedback_satisfied": 1})
    card = api().get("/metrics/scorecard", params={"agency": HANOI, "period": "rolling-30d"}).json()
    found = {i["id"]: i for g in card["groups"] for i in g["indicators"]}
    on_time = found["satisfaction.feedback_on_time"]
    assert (on_time["numerator"], on_time["denominator"]) == (after["feedback_on_time"], after["feedback_closed"])
    handling = found["satisfaction.feedback_handling"]
    assert handling["rate"] == after["feedback_satisfied"] / after["feedback_rated"]


def test_a_refusal_says_why_and_closes_the_item(api):
    filed = file(api, kind="petition", procedure_code=None, title="Đề nghị mở thêm quầy")
    refused = api("officer.hanoi").post(f"/desk/feedback/{filed['code']}/refuse",
                                        {"reason": "Đã được trả lời tại phản ánh trước."})
    assert refused.status_code == 200, refused.text
    seen = api().get(f"/feedback/{filed['code']}", headers={"Feedback-Key": filed["key"]}).json()
    assert seen["status"] == "refused" and seen["refusal"]["text"] == "Đã được trả lời tại phản ánh trước."
    assert seen["allowed_steps"] == [] and seen["late_steps"] == []


def test_a_complaint_about_ones_own_dossier_is_tied_to_it_and_no_one_else_can_name_it(api):
    dossier = submit(api, "citizen.an")
    before = counters(api)
    mine = api("citizen.an").post("/feedback", {
        "kind": "feedback", "agency_code": HANOI, "dossier_code": dossier["code"], "title": "Hồ sơ chậm",
        "content": "Quá hạn mà chưa có kết quả.", "contact": {"name": "Nguyễn Văn An"}})
    assert mine.status_code == 201, mine.text
    assert mine.json()["dossier_code"] == dossier["code"] and mine.json()["key"] is None
    assert mine.json()["code"] in {r["code"] for r in api("citizen.an").get("/me/feedback").json()["items"]}
    wait_for_counts(api, before, {"complained": 1})

    for client in (api("citizen.binh"), api()):
        body = {"kind": "feedback", "agency_code": HANOI, "dossier_code": dossier["code"], "title": "Hồ sơ chậm",
                "content": "?", "contact": {"name": "Ai đó", "email": "ai@example.vn"}}
        refused = problem(client.post("/feedback", body), 422, "validation_detail")
        assert [(e["field"], e["code"]) for e in refused["errors"]] == [("dossier_code", "feedback_dossier_not_yours")]


def test_bad_feedback_gets_a_problem_for_each_field(api):
    missing = problem(api().post("/feedback", {"kind": "feedback", "agency_code": HANOI, "title": "Tiêu đề",
                                                "content": "Nội dung", "contact": {"name": "Lê Văn Tám"}}),
                      422, "validation_detail")
    assert {e["field"] for e in missing["errors"]} == {"contact.email", "contact.phone"}
    unknown = problem(api().post("/feedback", {"kind": "feedback", "agency_code": "000.00.99.X99", "title": "T",
                                                "content": "N", "contact": {"name": "Lê Văn Tám",
                                                                            "phone": "0912345678"}}),
                      422, "validation_detail")
    assert [e["field"] for e in unknown["errors"]] == ["agency_code"]
    problem(api("officer.hanoi").post("/feedback", {"kind": "feedback", "agency_code": HANOI, "title": "T",
                                                    "content": "N", "contact": {"name": "Cán bộ"}}),
            403, "feedback_staff")
