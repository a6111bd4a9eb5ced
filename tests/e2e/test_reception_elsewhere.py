"""Reception regardless of administrative boundaries, over HTTP: Hà Nội's desk takes in a dossier of a Hồ Chí Minh City
procedure on the list, gives the receipt, and forwards it; Hồ Chí Minh City's desk sees it in its queue and transfers
it to its unit, while Hà Nội keeps sight of it but can no longer act; the control slip shows the hand-over. A procedure
not on the list is refused at another agency's desk."""

from __future__ import annotations

import time
import uuid

import pytest

from chalicelib.domain.times import parse_iso
from chalicelib.services.dossiers import working_calendar

from .test_dossier_flow import submission
from .test_processing import WAIT, act, email, emails_to, fetch, problem

pytestmark = pytest.mark.e2e

HANOI, HCM = "000.00.20.H26", "000.00.20.H29"
ANYWHERE = "1.014196"  # Hồ Chí Minh City's certificate of exemption from a work permit: on the list
ONLY_AT_HOME = "1.014201"  # Hồ Chí Minh City's work permit extension: not on it
HCM_DESK_MAILBOX = "motcua@soldtbxh.hcm.example.vn"


def test_a_dossier_received_at_another_agencys_desk_and_forwarded(api, stack):
    hanoi, hcm = api("officer.hanoi"), api("officer.hcm")
    listed = hanoi.get("/procedures", params={"reception_anywhere": "true", "limit": 100}).json()["items"]
    assert ANYWHERE in {p["code"] for p in listed} and ONLY_AT_HOME not in {p["code"] for p in listed}

    taken = hanoi.post("/dossiers", submission(api, "officer.hanoi", ANYWHERE),
                       headers={"Idempotency-Key": str(uuid.uuid4())})
    assert taken.status_code == 201, taken.text
    dossier = taken.json()
    assert (dossier["agency_code"], dossier["receiving_agency"], dossier["channel"]) == (HCM, HANOI, 1)
    assert dossier["code"].startswith(f"{HANOI}-"), "numbered by the receiving desk"
    problem(hcm.get(f"/dossiers/{dossier['id']}"), 404, "dossier_not_found")  # not handed over yet

    received = act(hanoi, dossier, "receive", {"note": "Đủ thành phần"})
    # The appointment date by the competent agency's procedure, counted from the reception at Hà Nội's desk.
    period = api().get(f"/procedures/{ANYWHERE}").json()["processing_time"]
    due = working_calendar().due_date(parse_iso(received["received_at"]), period["value"], period["unit"])
    assert received["due_date"] == received["receipt"]["appointment_date"] == due.isoformat()
    assert received["receipt"]["agency"]["code"] == HCM and received["receipt"]["receiving_agency"]["code"] == HANOI
    assert received["allowed_actions"] == ["forward"]

    forwarded = act(hanoi, received, "forward", {"note": "Bản giấy gửi qua bưu điện",
                                                 "paper_tracking_number": "EB123456789VN"})
    assert (forwarded["status"], forwarded["national_status"]) == ("forwarded", 2)
    assert forwarded["due_date"] == received["due_date"] and forwarded["receipt"] == received["receipt"]
    assert {k: forwarded["forwarded"][k] for k in ("from_agency", "to_agency", "paper_tracking_number")} == {
        "from_agency": HANOI, "to_agency": HCM, "paper_tracking_number": "EB123456789VN"}
    assert forwarded["allowed_actions"] == []

    # Hà Nội keeps sight of what it did, and acts no more.
    assert fetch(hanoi, forwarded)["status"] == "forwarded"
    problem(hanoi.post(f"/dossiers/{dossier['id']}/transfer", {"unit": "viec-lam"}), 403, "wrong_agency")
    assert dossier["id"] not in {d["id"] for d in hanoi.get("/desk/dossiers", params={"limit": 100}).json()["items"]}

    # Hồ Chí Minh City's desk finds it in its queue, is told by email, and routes it on to its unit.
    queue = hcm.get("/desk/dossiers", params={"status": "forwarded", "limit": 100}).json()["items"]
    mine = next(d for d in queue if d["id"] == dossier["id"])
    assert mine["allowed_actions"] == ["transfer"]
    transferred = act(hcm, mine, "transfer", {"unit": "viec-lam"})
    assert (transferred["status"], transferred["unit"]) == ("transferred", "viec-lam")
    assert fetch(hanoi, transferred)["allowed_actions"] == []

    slip = fetch(hanoi, transferred, "/control-slip")
    assert [s["action"] for s in slip["steps"]] == ["receive", "forward", "transfer"]
    _, forward, transfer = slip["steps"]
    assert (forward["from"]["agency_code"], forward["from"]["name"]) == (HANOI, "Lê Thị Hoa")
    assert (forward["to"]["kind"], forward["to"]["agency_code"]) == ("desk", HCM)
    assert forward["completed_at"] == transfer["handed_at"] and forward["on_time"] is True
    assert transfer["from"]["agency_code"] == HCM
    history = fetch(hcm, transferred, "/history")["events"]
    assert [e["type"] for e in history] == ["dossier.submitted", "dossier.received", "dossier.forwarded",
                                            "dossier.transferred"]

    # The competent agency's desk and the applicant were told of the hand-over.
    deadline = time.monotonic() + WAIT
    while not emails_to(stack, HCM_DESK_MAILBOX, dossier["code"], "được chuyển đến"):
        assert time.monotonic() < deadline, "no email to the competent agency's desk"
        time.sleep(0.3)
    told = email(stack, dossier, "chuyển đến cơ quan có thẩm quyền")
    assert "Sở Lao động - Thương binh và Xã hội Thành phố Hồ Chí Minh" in told["body"]


def test_another_agencys_procedure_not_on_the_list_is_refused_at_the_desk(api):
    body = {"procedure_code": ONLY_AT_HOME, "summary": "Gia hạn giấy phép lao động",
            "applicant": {"type": "business", "name": "Công ty TNHH Ví Dụ", "tax_code": "0100109106",
                          "address": "1 Trần Hưng Đạo, Hoàn Kiếm, Hà Nội",
                          "representative": {"full_name": "Lê Văn Cường"}},
            "components": [{"component_id": "application-form", "upload_ids": ["01JNSR0000000000000000000Z"]}],
            "delivery": {"method": "desk"}}
    refused = problem(api("officer.hanoi").post("/dossiers", body, headers={"Idempotency-Key": str(uuid.uuid4())}),
                      422, "validation_detail")
    (error,) = refused["errors"]
    assert (error["field"], error["code"]) == ("procedure_code", "procedure.other_agency")
    assert HCM in error["message"] and "địa giới hành chính" in error["message"]
