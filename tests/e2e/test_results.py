"""Fees and results over HTTP: the fee the applicant owes (and the clock it pauses), the result
document staff upload and issue, and its return by each channel the applicant chose — at the desk,
online, by post — with who may download it when, the emails, the control slip and the history."""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
import requests

from chalicelib.domain.times import iso, parse_iso
from chalicelib.services.dossiers import working_calendar

from .conftest import PDF, edit_stored_dossier
from .test_dossier_flow import WORK_PERMIT, submission
from .test_processing import ASSESSING, HANOI, UNIT, act, email, fetch, local_today, problem

pytestmark = pytest.mark.e2e

FULL_ONLINE = "1.010833"  # Hà Nội (000.00.20.H26), online level "full": the only kind that may return online
FEE = 450_000
FEE_PURPOSE = "Lệ phí cấp giấy phép"
ADDRESS = "12 Phố Huế, Hai Bà Trưng, Hà Nội"


# --------------------------------------------------------------------------- helpers


def submit_for(api, code: str, delivery: dict, citizen: str = "citizen.an") -> dict:
    body = submission(api, citizen, code)
    body["delivery"] = delivery
    response = api(citizen).post("/dossiers", body, headers={"Idempotency-Key": str(uuid.uuid4())})
    assert response.status_code == 201, response.text
    assert response.json()["delivery"]["method"] == delivery["method"]
    return response.json()


def assigned_for(api, code: str, delivery: dict) -> dict:
    dossier = submit_for(api, code, delivery)
    act(api("officer.hanoi"), dossier, "receive", {"note": "Đủ thành phần"})
    act(api("officer.hanoi"), dossier, "transfer", {"unit": UNIT})
    return act(api("leader.hanoi"), dossier, "assign", {"specialist": "specialist.hanoi"})


def approve(api, dossier: dict) -> dict:
    act(api("specialist.hanoi"), dossier, "propose", {"assessment": "Đủ điều kiện", "proposal": "approve"})
    got = act(api("leader.hanoi"), dossier, "approve", {"note": "Đồng ý"})
    assert (got["status"], got["national_status"]) == ("approved", 9)
    return got


def approved_for(api, code: str = FULL_ONLINE, delivery: dict | None = None) -> dict:
    return approve(api, assigned_for(api, code, delivery or {"method": "desk"}))


def with_fee_paid(api, dossier: dict, requested_by: str = "specialist.hanoi", amount: int = FEE) -> dict:
    got = act(api(requested_by), dossier, "request-fee", {"amount_vnd": amount, "purpose": FEE_PURPOSE})
    assert (got["status"], got["national_status"]) == ("fee_requested", 6)
    got = act(api("officer.hanoi"), dossier, "record-payment", {"amount_vnd": amount, "method": "online"})
    assert (got["status"], got["fee"]["payment"]["method"]) == ("assigned", "online")
    return got


def unique_pdf() -> bytes:
    return PDF + f"% result {uuid.uuid4()}\n".encode()


def create_result_upload(client, dossier: dict, content: bytes, content_type: str = "application/pdf"):
    return client.post(f"/dossiers/{dossier['id']}/results/uploads",
                       {"file_name": "ket-qua.pdf", "content_type": content_type, "size": len(content)})


def result_upload(client, dossier: dict, content: bytes | None = None, complete: bool = True) -> tuple[str, bytes]:
    """Staff side of a result upload: presigned POST, the file to S3, then verification by the same person."""
    content = content or unique_pdf()
    created = create_result_upload(client, dossier, content)
    assert created.status_code == 201, created.text
    body = created.json()
    assert (body["dossier_id"], body["status"], body["upload"]["method"]) == (dossier["id"], "pending", "POST")
    if not complete:
        return body["id"], content
    target = body["upload"]
    stored = requests.post(target["url"], data=target["fields"],
                           files={"file": ("ket-qua.pdf", content, "application/pdf")}, timeout=30)
    assert stored.status_code in (200, 201, 204), stored.text
    verified = client.post(f"/uploads/{body['id']}/complete")
    assert verified.status_code == 200, verified.text
    info = verified.json()
    assert (info["status"], info["component_id"], info["content_type"]) == ("verified", "result", "application/pdf")
    assert info["sha256"] == hashlib.sha256(content).hexdigest()
    return body["id"], content


def issue(api, dossier: dict, upload_id: str, who: str = "specialist.hanoi") -> dict:
    got = act(api(who), dossier, "issue-result", {"upload_ids": [upload_id], "note": "Ban hành kết quả"})
    assert (got["status"], got["national_status"]) == ("result_issued", 9)
    return got


def download(client, dossier: dict, upload_id: str) -> bytes:
    response = client.get(f"/dossiers/{dossier['id']}/results/{upload_id}")
    assert response.status_code == 200, response.text
    link = response.json()
    assert link["expires_in"] > 0
    fetched = requests.get(link["url"], timeout=30)
    assert fetched.status_code == 200, fetched.text
    return fetched.content


def issued_copy(client, dossier: dict, upload_id: str) -> bytes:
    """The issued result as the caller downloads it, checked against the dossier's record of it: the agency's
    signed version of what was uploaded."""
    fetched = download(client, dossier, upload_id)
    record = next(r for r in fetch(client, dossier)["results"] if r["upload_id"] == upload_id)
    assert (hashlib.sha256(fetched).hexdigest(), len(fetched)) == (record["sha256"], record["size"])
    assert fetched.startswith(b"%PDF-") and b"/ByteRange" in fetched and record["signature"]["signed_here"]
    return fetched


def field_errors(response: requests.Response) -> list[tuple[str, str]]:
    body = problem(response, 422, "validation_detail")
    return [(e["field"], e["code"]) for e in body["errors"]]


def events_of(client, dossier: dict) -> list[dict]:
    return fetch(client, dossier, "/history")["events"]


def check_due_date_trail(events: list[dict], current_due: str) -> None:
    """Reception sets the due date; every later change of it is an event that says from what, to what and why."""
    assert events[1]["type"] == "dossier.received"
    due = events[1]["payload"]["due_date"]
    for event in events[2:]:
        payload = event["payload"]
        if "due_date" in payload or "previous_due_date" in payload:
            assert payload["previous_due_date"] == due, event
            assert payload["due_date"] != due and payload["due_date_reason"], event
            due = payload["due_date"]
    assert due == current_due


# --------------------------------------------------------------------------- one happy path per channel


def test_desk_channel_with_a_fee_from_submission_to_the_result_collected_at_the_desk(api, stack):
    citizen, officer = api("citizen.an"), api("officer.hanoi")
    leader, specialist = api("leader.hanoi"), api("specialist.hanoi")
    dossier = submit_for(api, WORK_PERMIT, {"method": "desk"})
    received = act(officer, dossier, "receive", {"note": "Đủ thành phần"})
    due = received["due_date"]
    act(officer, dossier, "transfer", {"unit": UNIT})
    act(leader, dossier, "assign", {"specialist": "specialist.hanoi"})
    assert fetch(specialist, dossier)["allowed_actions"] == ASSESSING
    assert fetch(officer, dossier)["allowed_actions"] == ["request_fee"]

    # The fee: the clock stops while the applicant owes it.
    got = act(specialist, dossier, "request-fee", {"amount_vnd": FEE, "purpose": FEE_PURPOSE,
                                                    "note": "Nộp tại quầy hoặc chuyển khoản"})
    assert (got["status"], got["national_status"], got["due_date"]) == ("fee_requested", 6, due)
    assert (got["fee"]["amount_vnd"], got["fee"]["purpose"], got["fee"]["payment"]) == (FEE, FEE_PURPOSE, None)
    assert got["fee"]["requested_by"]["role"] == "specialist" and got["paused_at"] == got["updated_at"]
    assert fetch(officer, dossier)["allowed_actions"] == ["record_payment"]
    assert fetch(specialist, dossier)["allowed_actions"] == []
    assert fetch(leader, dossier)["allowed_actions"] == ["stop"]
    assert fetch(citizen, dossier)["allowed_actions"] == ["start_payment", "withdraw"]

    message = email(stack, dossier, "Thông báo thực hiện nghĩa vụ tài chính")
    assert "Số tiền: 450.000 đồng" in message["body"] and FEE_PURPOSE in message["body"]

    payment = {"amount_vnd": FEE, "method": "bank_transfer", "receipt_number": "BL-2026-000123", "note": "Đã nộp"}
    problem(specialist.post(f"/dossiers/{dossier['id']}/record-payment", payment), 403, "role_not_allowed")
    wrong = officer.post(f"/dossiers/{dossier['id']}/record-payment", {**payment, "amount_vnd": FEE - 50_000})
    assert field_errors(wrong) == [("amount_vnd", "fee.amount_mismatch")]
    assert wrong.json()["errors"][0]["params"] == {"requested": FEE}
    assert fetch(officer, dossier)["status"] == "fee_requested"

    paid = act(officer, dossier, "record-payment", payment)
    assert (paid["status"], paid["national_status"], paid["paused_at"]) == ("assigned", 4, None)
    record = paid["fee"]["payment"]
    assert (record["amount_vnd"], record["method"], record["receipt_number"]) == (FEE, "bank_transfer",
                                                                                  "BL-2026-000123")
    assert record["by"]["role"] == "officer"
    events = events_of(officer, dossier)
    assert [e["type"] for e in events[-2:]] == ["dossier.fee_requested", "dossier.fee_paid"]
    requested_at, paid_at = parse_iso(events[-2]["at"]), parse_iso(events[-1]["at"])
    expected_due = working_calendar().extend_for_pause(date.fromisoformat(due), requested_at, paid_at)
    assert paid["due_date"] == expected_due.isoformat()  # unchanged when paid within the same working period
    check_due_date_trail(events, paid["due_date"])

    approve(api, dossier)
    upload_id, content = result_upload(specialist, dossier)
    got = issue(api, dossier, upload_id)
    # Issued signed by the agency: the stored result is the signed document, not the bytes uploaded.
    [result] = got["results"]
    assert (result["upload_id"], result["content_type"]) == (upload_id, "application/pdf")
    assert result["signature"]["signed_here"] and result["signature"]["signed_by"]["organisation"].startswith("Sở")
    assert result["sha256"] != hashlib.sha256(content).hexdigest()
    content = download(officer, dossier, upload_id)
    assert (hashlib.sha256(content).hexdigest(), len(content)) == (result["sha256"], result["size"])
    steps = fetch(officer, dossier, "/control-slip")["steps"]
    assert [s["action"] for s in steps] == ["receive", "transfer", "assign", "propose", "issue_result"]
    assert steps[-1]["to"] == {"kind": "desk", "agency_code": HANOI}
    assert (steps[-1]["from"]["role"], steps[-1]["completed_at"]) == ("specialist", None)
    assert fetch(officer, dossier)["allowed_actions"] == ["return_at_desk"]
    assert fetch(citizen, dossier)["allowed_actions"] == []

    problem(citizen.get(f"/dossiers/{dossier['id']}/results/{upload_id}"), 403, "result_not_available")
    assert download(officer, dossier, upload_id) == content  # staff who see the dossier may fetch it, as issued
    body = problem(officer.post(f"/dossiers/{dossier['id']}/return-online", {}), 409, "transition_not_allowed")
    assert body["allowed_actions"] == ["return_at_desk"]
    problem(specialist.post(f"/dossiers/{dossier['id']}/return-at-desk", {"received_by": "x"}), 403,
            "role_not_allowed")

    got = act(officer, dossier, "return-at-desk", {"received_by": "Nguyễn Văn An", "id_number": "001090012345"})
    assert (got["status"], got["national_status"], got["allowed_actions"]) == ("returned", 10, [])
    assert (got["returned"]["method"], got["returned"]["received_by"]) == ("desk", "Nguyễn Văn An")
    assert got["returned"]["by"]["role"] == "officer"
    steps = fetch(officer, dossier, "/control-slip")["steps"]
    assert steps[-1]["action"] == "issue_result" and steps[-1]["completed_at"] == got["updated_at"]

    fetched = issued_copy(citizen, dossier, upload_id)
    assert fetched == content
    assert fetch(citizen, dossier)["results"][0]["sha256"] == hashlib.sha256(fetched).hexdigest()
    assert [e["type"] for e in events_of(citizen, dossier)] == [
        "dossier.submitted", "dossier.received", "dossier.transferred", "dossier.assigned",
        "dossier.fee_requested", "dossier.fee_paid", "dossier.proposed", "dossier.approved",
        "dossier.result_issued", "dossier.returned"]
    assert "tại Bộ phận Một cửa" in email(stack, dossier, "Đã trả kết quả")["body"]


def test_online_channel_on_a_full_online_procedure_returns_the_result_for_download(api, stack):
    citizen, officer = api("citizen.an"), api("officer.hanoi")
    dossier = assigned_for(api, FULL_ONLINE, {"method": "online"})
    with_fee_paid(api, dossier, requested_by="officer.hanoi", amount=1_250_000)
    email_body = email(stack, dossier, "Thông báo thực hiện nghĩa vụ tài chính")["body"]
    assert "Số tiền: 1.250.000 đồng" in email_body
    approve(api, dossier)
    upload_id, content = result_upload(api("specialist.hanoi"), dossier)
    issue(api, dossier, upload_id)

    assert fetch(officer, dossier)["allowed_actions"] == ["return_online"]
    problem(citizen.get(f"/dossiers/{dossier['id']}/results/{upload_id}"), 403, "result_not_available")
    for action, body in (("return-at-desk", {"received_by": "Nguyễn Văn An"}),
                         ("send-by-post", {"tracking_number": "EE123456789VN"})):
        conflict = problem(officer.post(f"/dossiers/{dossier['id']}/{action}", body), 409, "transition_not_allowed")
        assert conflict["allowed_actions"] == ["return_online"], action
    assert fetch(officer, dossier)["status"] == "result_issued"

    got = act(officer, dossier, "return-online", {"note": "Đã trả trên Cổng"})
    assert (got["status"], got["national_status"], got["allowed_actions"]) == ("returned", 10, [])
    assert got["returned"]["method"] == "online"
    fetched = issued_copy(citizen, dossier, upload_id)
    assert got["results"][0]["sha256"] == hashlib.sha256(fetched).hexdigest() != hashlib.sha256(content).hexdigest()

    conflict = problem(officer.post(f"/dossiers/{dossier['id']}/return-at-desk", {"received_by": "x"}), 409,
                       "transition_not_allowed")
    assert conflict["allowed_actions"] == []  # already returned
    problem(officer.post(f"/dossiers/{dossier['id']}/return-online", {}), 409, "transition_not_allowed")
    assert "trực tuyến" in email(stack, dossier, "Đã trả kết quả")["body"]


def test_post_channel_sends_the_result_with_a_tracking_number_then_records_the_delivery(api, stack):
    citizen, officer = api("citizen.an"), api("officer.hanoi")
    dossier = assigned_for(api, WORK_PERMIT, {"method": "post", "address": ADDRESS})
    with_fee_paid(api, dossier)
    approve(api, dossier)
    upload_id, content = result_upload(api("specialist.hanoi"), dossier)
    issue(api, dossier, upload_id)
    assert fetch(officer, dossier)["allowed_actions"] == ["send_by_post"]
    conflict = problem(officer.post(f"/dossiers/{dossier['id']}/return-online", {}), 409)
    assert conflict["allowed_actions"] == ["send_by_post"]

    tracking = f"EE{uuid.uuid4().int % 10**9:09d}VN"
    got = act(officer, dossier, "send-by-post", {"tracking_number": tracking, "note": "Gửi bảo đảm"})
    assert (got["status"], got["national_status"], got["allowed_actions"]) == ("in_post", 9, ["record_delivery"])
    assert (got["returned"]["method"], got["returned"]["tracking_number"]) == ("post", tracking)
    assert got["returned"]["carrier"] == "VNPost"
    message = email(stack, dossier, "Kết quả đã được gửi qua bưu chính")
    assert f"Mã vận đơn: {tracking}" in message["body"] and ADDRESS in message["body"]
    problem(citizen.get(f"/dossiers/{dossier['id']}/results/{upload_id}"), 403, "result_not_available")

    delivered_on = local_today().isoformat()
    got = act(officer, dossier, "record-delivery", {"delivered_on": delivered_on})
    assert (got["status"], got["national_status"], got["allowed_actions"]) == ("returned", 10, [])
    assert got["returned"]["tracking_number"] == tracking  # the dispatch stays on record
    assert got["returned"]["delivered"]["delivered_on"] == delivered_on
    issued_copy(citizen, dossier, upload_id)
    assert [e["type"] for e in events_of(citizen, dossier)][-3:] == [
        "dossier.result_issued", "dossier.sent_by_post", "dossier.returned"]


# --------------------------------------------------------------------------- result uploads


def test_result_uploads_are_staff_only_pdf_only_and_attach_once(api):
    citizen, officer, specialist = api("citizen.an"), api("officer.hanoi"), api("specialist.hanoi")
    first = assigned_for(api, FULL_ONLINE, {"method": "desk"})
    conflict = problem(create_result_upload(specialist, first, unique_pdf()), 409, "transition_not_allowed")
    assert conflict["allowed_actions"] == ASSESSING  # nothing decided yet
    approve(api, first)

    problem(create_result_upload(citizen, first, unique_pdf()), 403, "role_not_allowed")
    problem(create_result_upload(api("officer.hcm"), first, unique_pdf()), 404, "dossier_not_found")
    problem(create_result_upload(api("specialist.laodong"), first, unique_pdf()), 404, "dossier_not_found")
    for content_type in ("image/png", "application/msword", "text/html"):
        wrong = create_result_upload(specialist, first, unique_pdf(), content_type)
        assert field_errors(wrong) == [("content_type", "file.type_not_accepted")], content_type
    too_big = specialist.post(f"/dossiers/{first['id']}/results/uploads",
                              {"file_name": "ket-qua.pdf", "content_type": "application/pdf", "size": 21 * 2**20})
    assert field_errors(too_big) == [("size", "file.too_large")]

    theirs, _ = result_upload(officer, first)  # verified, but the officer's
    pending, _ = result_upload(specialist, first, complete=False)  # nothing ever reached S3
    component = citizen.uploaded(FULL_ONLINE, "application-form")  # an applicant's file, not a result
    mine, content = result_upload(specialist, first)
    for ids, expected in (([theirs], [("upload_ids[0]", "upload.not_found")]),
                          ([component], [("upload_ids[0]", "upload.not_found")]),
                          (["no-such-upload"], [("upload_ids[0]", "upload.not_found")]),
                          ([pending], [("upload_ids[0]", "upload.not_verified")]),
                          ([mine, mine], [("upload_ids", "upload.duplicate")])):
        response = specialist.post(f"/dossiers/{first['id']}/issue-result", {"upload_ids": ids})
        assert field_errors(response) == expected, ids
    assert fetch(specialist, first)["status"] == "approved"
    problem(citizen.post(f"/dossiers/{first['id']}/issue-result", {"upload_ids": [mine]}), 403, "role_not_allowed")

    got = issue(api, first, mine)
    assert [r["upload_id"] for r in got["results"]] == [mine]
    problem(specialist.post(f"/dossiers/{first['id']}/issue-result", {"upload_ids": [mine]}), 409,
            "transition_not_allowed")

    second = approved_for(api)
    response = specialist.post(f"/dossiers/{second['id']}/issue-result", {"upload_ids": [mine]})
    # Attached to the first dossier: never again (whether told "attached" or "not this dossier's").
    assert field_errors(response) in ([("upload_ids[0]", "upload.already_attached")],
                                      [("upload_ids[0]", "upload.not_found")])
    seen = fetch(specialist, second)
    assert (seen["status"], seen["results"]) == ("approved", [])
    problem(specialist.get(f"/dossiers/{second['id']}/results/{mine}"), 404, "upload_not_found")
    assert issued_copy(specialist, first, mine) != content  # signed when issued


def test_a_result_uploaded_for_one_dossier_cannot_be_issued_on_another(api):
    specialist = api("specialist.hanoi")
    first, second = approved_for(api), approved_for(api)
    upload_id, _ = result_upload(specialist, first)  # verified, not attached, stored under results/<first>/
    response = specialist.post(f"/dossiers/{second['id']}/issue-result", {"upload_ids": [upload_id]})
    assert field_errors(response) == [("upload_ids[0]", "upload.not_found")]


# --------------------------------------------------------------------------- the due date's history


def test_a_payment_after_working_days_of_waiting_moves_the_due_date_and_the_history_says_so(api, aws, stack):
    """Waiting days cannot pass in a test: the fee request's pause start is moved back in the store
    (behind the API, as a clock would have), then the payment goes over HTTP."""
    officer = api("officer.hanoi")
    dossier = assigned_for(api, FULL_ONLINE, {"method": "desk"})
    due = dossier["due_date"]
    act(api("specialist.hanoi"), dossier, "request-fee", {"amount_vnd": FEE, "purpose": FEE_PURPOSE})
    paused_at = iso(datetime.now(UTC) - timedelta(days=15))  # 15 calendar days always hold working days

    def paused_since(record: dict) -> None:
        record["paused_at"] = paused_at
        record["fee"]["requested_at"] = paused_at

    edit_stored_dossier(aws, stack, dossier["id"], paused_since)
    assert fetch(officer, dossier)["paused_at"] == paused_at

    paid = act(officer, dossier, "record-payment", {"amount_vnd": FEE, "method": "cash"})
    event = events_of(officer, dossier)[-1]
    assert event["type"] == "dossier.fee_paid"
    expected = working_calendar().extend_for_pause(date.fromisoformat(due), parse_iso(paused_at),
                                                   parse_iso(event["at"]))
    assert expected > date.fromisoformat(due)
    assert paid["due_date"] == expected.isoformat()
    assert event["payload"]["previous_due_date"] == due
    assert event["payload"]["due_date"] == paid["due_date"]
    assert event["payload"]["due_date_reason"].startswith("record_payment")
    assert fetch(officer, dossier, "/control-slip")["due_date"] == paid["due_date"]

    act(api("specialist.hanoi"), dossier, "propose", {"assessment": "Đủ điều kiện", "proposal": "approve"})
    steps = fetch(officer, dossier, "/control-slip")["steps"]
    assert steps[-1]["action"] == "propose" and steps[-1]["due_date"] == paid["due_date"]
    check_due_date_trail(events_of(api("citizen.an"), dossier), paid["due_date"])


def test_a_supplement_asked_during_processing_stops_the_clock_and_the_answer_moves_the_due_date(api, aws, stack):
    """The specialist finds a paper missing after reception: status 5 while the applicant owes it, then back to
    the specialist with the appointment date moved by the working days waited (the wait is made by moving the
    pause's start back in the store, as in the fee test above)."""
    officer, citizen = api("officer.hanoi"), api("citizen.an")
    dossier = assigned_for(api, FULL_ONLINE, {"method": "desk"})
    due = dossier["due_date"]
    component = next(c["id"] for c in citizen.get(f"/procedures/{FULL_ONLINE}").json()["components"] if c["required"])
    asked = act(api("specialist.hanoi"), dossier, "request-supplement",
                {"items": [{"component_id": component, "reason": "Bản chụp không rõ"}]})
    assert (asked["status"], asked["national_status"]) == ("supplement_in_processing", 5)
    assert asked["paused_at"] and "resubmit" in fetch(citizen, dossier)["allowed_actions"]
    paused_at = iso(datetime.now(UTC) - timedelta(days=15))

    def paused_since(record: dict) -> None:
        record["paused_at"] = paused_at

    edit_stored_dossier(aws, stack, dossier["id"], paused_since)
    upload_id = citizen.uploaded(FULL_ONLINE, component)
    resumed = act(citizen, dossier, "resubmit", {"components": [{"component_id": component, "upload_ids": [upload_id]}],
                                                 "note": "Đã bổ sung"})
    event = events_of(officer, dossier)[-1]
    expected = working_calendar().extend_for_pause(date.fromisoformat(due), parse_iso(paused_at),
                                                   parse_iso(event["at"]))
    assert (resumed["status"], resumed["national_status"], resumed["paused_at"]) == ("assigned", 4, None)
    assert expected > date.fromisoformat(due) and resumed["due_date"] == expected.isoformat()
    assert (event["type"], event["payload"]["previous_due_date"]) == ("dossier.resubmitted", due)
    assert resumed["statutory_due_date"] == expected.isoformat()


def test_the_desk_opens_each_submitted_file_as_it_was_verified_and_no_other_agency_can(api):
    dossier = submit_for(api, FULL_ONLINE, {"method": "desk"})
    submitted = dossier["components"][0]["files"][0]
    path = f"/dossiers/{dossier['id']}/files/{submitted['upload_id']}"
    for reader in ("officer.hanoi", "citizen.an"):
        response = api(reader).get(path)
        assert response.status_code == 200, response.text
        fetched = requests.get(response.json()["url"], timeout=30)
        assert hashlib.sha256(fetched.content).hexdigest() == submitted["sha256"]  # the version that was judged
    assert api("officer.hcm").get(path).status_code in (403, 404)
    unknown = api("officer.hanoi").get(f"/dossiers/{dossier['id']}/files/01JNSR7Q4K8M2V5X9A3B6C1D0E")
    assert (unknown.status_code, unknown.json()["code"]) == (404, "upload_not_found")
