"""Inter-agency steps (liên thông), the applicant's evaluation and the officers' search, over HTTP on the
local stack: a dossier sent by its specialist to a partner agency and handed back, through fee, decision,
result and return by each channel; who may touch it on the way (nobody outside its agency and unit, the
partner only for its own step); the rating once the result is back, its amendments and the desk's email
on "not satisfied"; and GET /desk/dossiers with every filter, their combinations, pages and scopes.

The agency's data is shared with the other modules on the same stack, so search assertions are made on
dossiers created here, picked out by applicant names and ID numbers no other test uses."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from chalicelib.api.present import without_staff_ids
from chalicelib.domain.agencies import agency
from chalicelib.domain.calendar import LOCAL_TZ
from chalicelib.domain.identity import normalise_text_for_search, tax_code_check_digit
from chalicelib.domain.states import TRANSITIONS, Action, Role, Status, find_transition
from chalicelib.domain.times import iso, parse_iso
from chalicelib.services.dossiers import working_calendar

from .conftest import edit_stored_dossier
from .test_deadlines import move_due_date
from .test_dossier_flow import BUSINESS, PERSON, submission
from .test_events import notifications, wait_for
from .test_processing import ASSESSING, HANOI, UNIT, act, email, emails_to, fetch, local_today, problem, sub_of
from .test_results import (
    ADDRESS,
    FEE,
    FEE_PURPOSE,
    FULL_ONLINE,
    approve,
    assigned_for,
    events_of,
    field_errors,
    issue,
    issued_copy,
    result_upload,
    submit_for,
    with_fee_paid,
)

pytestmark = pytest.mark.e2e

BHXH = "000.00.31.H26"  # Bảo hiểm xã hội thành phố Hà Nội: the demo partner agency (officer.bhxh)
POLICE = "000.00.32.H26"  # Công an thành phố Hà Nội: another partner, no demo account
SMALL_PERMIT = "1.014200"  # Hà Nội, business applicants, two required components: quick to submit
TRAINING = "1.000121"  # Hà Nội, business applicants, another procedure
SPECIALIST_NAME, SPECIALIST_EMAIL = "Phạm Thị Chuyên", "chuyen.pham@example.vn"  # specialist.hanoi (scripts/demo.py)
SENT_SUBJECT = "Hồ sơ liên thông đề nghị phối hợp giải quyết"
RETURNED_SUBJECT = "Cơ quan phối hợp đã trả hồ sơ liên thông"
NOT_SATISFIED_SUBJECT = "Người nộp hồ sơ không hài lòng"
CHANNELS = {  # result channel -> (procedure, delivery); only a "full" online procedure may return online
    "online": (FULL_ONLINE, {"method": "online"}),
    "desk": (SMALL_PERMIT, {"method": "desk"}),
    "post": (SMALL_PERMIT, {"method": "post", "address": ADDRESS}),
}


# --------------------------------------------------------------------------- helpers


def working_day(n: int) -> str:
    """The n-th working day after today (local), as an ISO date."""
    return working_calendar().add_working_days(local_today(), n).isoformat()


def next_day_off() -> str:
    day = local_today() + timedelta(days=1)
    while working_calendar().is_working_day(day):
        day += timedelta(days=1)
    return day.isoformat()


def parse_day(iso_date: str) -> str:
    """How the emails print a date: DD/MM/YYYY."""
    return "/".join(reversed(iso_date.split("-")))


def desk_email(code: str) -> str:
    return agency(code).desk_email


def wait_email(stack, address: str, dossier: dict, subject_part: str) -> dict:
    """The one email to `address` about `dossier` whose subject has `subject_part`."""
    found = wait_for(lambda: emails_to(stack, address, dossier["code"], subject_part),
                     what=f"'{subject_part}' email to {address} for {dossier['code']}")
    assert len(found) == 1, found
    return found[0]


def evaluate(client, dossier: dict, body: dict, expect: int = 200) -> dict:
    response = client.request("PUT", f"/dossiers/{dossier['id']}/evaluation", json=body)
    assert response.status_code == expect, f"{response.status_code} {response.text}"
    return response.json()


def send_to(api, dossier: dict, to_agency: str = BHXH, **extra) -> dict:
    body = {"to_agency": to_agency, "request": "Đề nghị xác nhận quá trình đóng bảo hiểm xã hội", **extra}
    got = act(api("specialist.hanoi"), dossier, "send-to-agency", body)
    assert (got["status"], got["national_status"]) == ("at_other_agency", 4)
    return got


def new_tax_code() -> str:
    """A 10-digit enterprise tax code with a valid check digit that no other test uses."""
    while True:
        first_nine = f"0{uuid.uuid4().int % 10**8:08d}"
        check = tax_code_check_digit(first_nine)
        if check is not None:
            return first_nine + str(check)


def new_citizen_id() -> str:
    return f"001090{uuid.uuid4().int % 10**6:06d}"  # Hà Nội, male, born 1990 (PERSON's date of birth)


def submit_as(api, code: str, applicant: dict, citizen: str = "citizen.an") -> dict:
    body = submission(api, citizen, code)
    body["applicant"] = applicant
    response = api(citizen).post("/dossiers", body, headers={"Idempotency-Key": str(uuid.uuid4())})
    assert response.status_code == 201, response.text
    return response.json()


def company(name: str, tax_code: str) -> dict:
    return {**BUSINESS, "name": name, "tax_code": tax_code}


def received_as(api, code: str, applicant: dict) -> dict:
    return act(api("officer.hanoi"), submit_as(api, code, applicant), "receive", {"note": "Đủ thành phần"})


def transferred_as(api, code: str, applicant: dict, unit: str = UNIT) -> dict:
    return act(api("officer.hanoi"), received_as(api, code, applicant), "transfer", {"unit": unit})


def assigned_as(api, code: str, applicant: dict) -> dict:
    return act(api("leader.hanoi"), transferred_as(api, code, applicant), "assign", {"specialist": "specialist.hanoi"})


# Every route that acts on a dossier, with a body its schema accepts (a body is read before the dossier is,
# so a refusal below is about who and when, never about the body). `upload_id`: a real applicant's file for
# the resubmission (an unknown one is refused for who and when too).
def probes(upload_id: str = "no-such-upload") -> list[tuple[Action, str, str, dict]]:
    return [
        (Action.RECEIVE, "POST", "receive", {"note": "Tiếp nhận"}),
        (Action.REQUEST_SUPPLEMENT, "POST", "request-supplement",
         {"items": [{"component_id": "application-form", "reason": "Thiếu chữ ký"}]}),
        (Action.REFUSE, "POST", "refuse", {"reason": "Không thuộc thẩm quyền"}),
        (Action.RESUBMIT, "POST", "resubmit",
         {"components": [{"component_id": "application-form", "upload_ids": [upload_id]}]}),
        (Action.TRANSFER, "POST", "transfer", {"unit": UNIT}),
        (Action.ASSIGN, "POST", "assign", {"specialist": "specialist.hanoi"}),
        (Action.PROPOSE, "POST", "propose", {"assessment": "Đủ điều kiện", "proposal": "approve"}),
        (Action.SEND_TO_AGENCY, "POST", "send-to-agency", {"to_agency": BHXH, "request": "Xác nhận thời gian đóng"}),
        (Action.RETURN_FROM_AGENCY, "POST", "return-from-agency", {"reply": "Đã xác nhận"}),
        (Action.SEND_BACK, "POST", "send-back", {"reason": "Bổ sung đánh giá"}),
        (Action.APPROVE, "POST", "approve", {}),
        (Action.REJECT, "POST", "reject", {"reason": "Không đủ điều kiện"}),
        (Action.STOP, "POST", "stop", {"reason": "Dừng xử lý"}),
        (Action.WITHDRAW, "POST", "withdraw", {"reason": "Rút hồ sơ"}),
        (Action.REQUEST_FEE, "POST", "request-fee", {"amount_vnd": FEE, "purpose": FEE_PURPOSE}),
        (Action.RECORD_PAYMENT, "POST", "record-payment", {"amount_vnd": FEE, "method": "cash"}),
        (Action.START_PAYMENT, "POST", "payments", {"locale": "vi"}),
        (Action.ISSUE_RESULT, "POST", "results/uploads",
         {"file_name": "ket-qua.pdf", "content_type": "application/pdf", "size": 1000}),
        (Action.ISSUE_RESULT, "POST", "issue-result", {"upload_ids": ["no-such-upload"]}),
        (Action.RETURN_ONLINE, "POST", "return-online", {}),
        (Action.RETURN_AT_DESK, "POST", "return-at-desk", {"received_by": "Người lạ"}),
        (Action.SEND_BY_POST, "POST", "send-by-post", {"tracking_number": "EE000000000VN"}),
        (Action.RECORD_DELIVERY, "POST", "record-delivery", {"delivered_on": local_today().isoformat()}),
        (Action.APOLOGISE, "POST", "apologise", {"new_due_date": working_day(30), "reason": "Xin lỗi"}),
        (Action.ALLOW_APOLOGY, "POST", "allow-apology", {"reason": "Cho phép thêm"}),
        (Action.EVALUATE, "PUT", "evaluation", {"satisfied": False, "comment": "Không phải hồ sơ của tôi"}),
    ]


def stage_probes(status: str) -> list[tuple[Action, str, str, dict]]:
    """The routes of every step someone may take from `status` (the platform's own work aside)."""
    steps = {t.action for t in TRANSITIONS if t.source == Status(status) and t.roles - {Role.SYSTEM}}
    return [p for p in probes() if p[0] in steps]


def attempt(client, dossier: dict, probe: tuple[Action, str, str, dict]):
    _, method, suffix, body = probe
    return client.request(method, f"/dossiers/{dossier['id']}/{suffix}", json=body)


def partner_refusal(status: str, action: Action) -> tuple[int, str]:
    """What a desk officer of another agency who can see the dossier is told: 403 for a step an officer
    never takes, 409 for one an officer takes but not from this status, 403 wrong_agency otherwise."""
    if not any(Role.OFFICER in t.roles for t in TRANSITIONS if t.action == action):
        return 403, "role_not_allowed"
    transition = find_transition(Status(status), action)
    if transition is None or Role.OFFICER not in transition.roles:
        return 409, "transition_not_allowed"
    return 403, "wrong_agency"


# --------------------------------------------------------------------------- one happy path per channel


@pytest.mark.parametrize("channel", list(CHANNELS))
def test_each_result_channel_with_a_fee_and_an_inter_agency_step_ends_returned(api, aws, stack, channel):
    citizen, officer, leader = api("citizen.an"), api("officer.hanoi"), api("leader.hanoi")
    specialist, partner = api("specialist.hanoi"), api("officer.bhxh")
    code, delivery = CHANNELS[channel]
    dossier = assigned_for(api, code, delivery)
    assignee = dossier["assignee"]
    assert assignee["id"] == sub_of(aws, stack, "specialist.hanoi")
    problem(partner.get(f"/dossiers/{dossier['id']}"), 404, "dossier_not_found")  # not sent there yet
    assert fetch(specialist, dossier)["allowed_actions"] == ASSESSING

    with_fee_paid(api, dossier)

    step_due = working_day(3)
    request = f"Đề nghị xác nhận quá trình đóng bảo hiểm xã hội của người lao động ({channel})"
    sent = act(specialist, dossier, "send-to-agency", {"to_agency": BHXH, "request": request, "step_due": step_due,
                                                       "note": "Liên thông với BHXH"})
    assert (sent["status"], sent["national_status"], sent["assignee"]) == ("at_other_agency", 4, assignee)
    (step,) = sent["inter_agency"]
    assert (step["step"], step["agency_code"], step["agency_name"]) == (1, BHXH, agency(BHXH).name_vi)
    assert (step["request"], step["step_due"], step["sent_at"]) == (request, step_due, sent["updated_at"])
    assert (step["sent_by"]["role"], step["sent_by"]["id"]) == ("specialist", assignee["id"])
    assert (step["reply"], step["returned_at"], step["returned_by"], step["on_time"]) == (None, None, None, None)
    assert sent["allowed_actions"] == []  # the specialist waits for the partner
    assert fetch(citizen, dossier)["allowed_actions"] == ["withdraw"]
    assert fetch(leader, dossier)["allowed_actions"] == ["stop"]
    assert fetch(officer, dossier)["allowed_actions"] == []

    seen = fetch(partner, dossier)
    assert (seen["status"], seen["allowed_actions"]) == ("at_other_agency", ["return_from_agency"])
    incoming = partner.get("/desk/dossiers", params={"incoming": "true", "id_number": dossier["applicant"].get(
        "citizen_id") or dossier["applicant"]["tax_code"]})
    assert incoming.status_code == 200, incoming.text
    assert dossier["id"] in [d["id"] for d in incoming.json()["items"]]

    reply = "BHXH xác nhận: đã đóng bảo hiểm xã hội đủ 24 tháng"
    back = act(partner, dossier, "return-from-agency", {"reply": reply, "note": "Trả kết quả phối hợp"})
    assert (back["status"], back["national_status"], back["assignee"]) == ("assigned", 4, assignee)
    (step,) = back["inter_agency"]
    assert (step["reply"], step["returned_at"], step["on_time"]) == (reply, back["updated_at"], True)
    assert (step["returned_by"]["role"], step["returned_by"]["agency_code"]) == ("officer", BHXH)
    assert step["returned_by"]["id"] == sub_of(aws, stack, "officer.bhxh")
    assert fetch(specialist, dossier)["allowed_actions"] == ASSESSING
    problem(partner.get(f"/dossiers/{dossier['id']}"), 404, "dossier_not_found")  # its step is over: out of sight

    approve(api, dossier)
    upload_id, _ = result_upload(specialist, dossier)
    issue(api, dossier, upload_id)
    if channel == "online":
        final = act(officer, dossier, "return-online", {"note": "Đã trả trên Cổng"})
    elif channel == "desk":
        final = act(officer, dossier, "return-at-desk", {"received_by": "Lê Văn Cường", "id_number": "001090012345"})
    else:
        posted = act(officer, dossier, "send-by-post", {"tracking_number": f"EE{uuid.uuid4().int % 10**9:09d}VN"})
        assert (posted["status"], posted["national_status"]) == ("in_post", 9)
        final = act(officer, dossier, "record-delivery", {"delivered_on": local_today().isoformat()})
    assert (final["status"], final["national_status"], final["allowed_actions"]) == ("returned", 10, [])
    assert final["returned"]["method"] == channel
    assert final["inter_agency"] == back["inter_agency"]
    assert final["fee"]["payment"]["amount_vnd"] == FEE
    issued_copy(citizen, dossier, upload_id)  # the agency's signed version of what was uploaded

    slip = fetch(officer, dossier, "/control-slip")
    steps = slip["steps"]
    assert [s["action"] for s in steps] == ["receive", "transfer", "assign", "send_to_agency", "return_from_agency",
                                            "propose", "issue_result"]
    assert [s["step"] for s in steps] == list(range(1, 8))
    assert all(s["completed_at"] and s["on_time"] is True for s in steps), steps
    assert [s["handed_at"] for s in steps[1:6]] == [s["completed_at"] for s in steps[:5]]  # hand to hand
    to_partner, from_partner = steps[3], steps[4]
    assert (to_partner["from"]["role"], to_partner["from"]["id"]) == ("specialist", assignee["id"])
    assert to_partner["to"] == {"kind": "agency", "agency_code": BHXH, "name": agency(BHXH).name_vi}
    assert (to_partner["handed_at"], to_partner["due_date"]) == (sent["updated_at"], step_due)
    assert to_partner["completed_at"] == back["updated_at"]
    assert (from_partner["from"]["role"], from_partner["from"]["agency_code"]) == ("officer", BHXH)
    assert from_partner["from"]["name"] == "Ngô Thị Bảo"
    assert (from_partner["to"]["kind"], from_partner["to"]["id"]) == ("specialist", assignee["id"])
    assert (from_partner["to"]["username"], from_partner["to"]["agency_code"]) == ("specialist.hanoi", HANOI)
    assert from_partner["handed_at"] == back["updated_at"]
    # The applicant reads the same slip, staff by name and role without their accounts (Decree 13/2023).
    assert fetch(citizen, dossier, "/control-slip")["steps"] == without_staff_ids(steps, sub_of(aws, stack,
                                                                                                "citizen.an"))

    events = events_of(officer, dossier)
    assert [e["type"] for e in events] == [
        "dossier.submitted", "dossier.received", "dossier.transferred", "dossier.assigned", "dossier.fee_requested",
        "dossier.fee_paid", "dossier.sent_to_agency", "dossier.returned_from_agency", "dossier.proposed",
        "dossier.approved", "dossier.result_issued", *(["dossier.sent_by_post"] if channel == "post" else []),
        "dossier.returned"]
    sent_event, back_event = events[6], events[7]
    assert (sent_event["payload"]["to_agency"], sent_event["payload"]["request"]) == (BHXH, request)
    assert sent_event["payload"]["step_due"] == step_due and sent_event["actor"]["username"] == "specialist.hanoi"
    assert (back_event["payload"]["reply"], back_event["payload"]["status"]) == (reply, "assigned")
    assert (back_event["actor"]["username"], back_event["actor"]["agency_code"]) == ("officer.bhxh", BHXH)

    # The partner's desk is asked to do its part; the specialist hears it is back; the applicant gets the result.
    asked = wait_email(stack, desk_email(BHXH), dossier, SENT_SUBJECT)
    assert asked["destinations"]["ToAddresses"] == [desk_email(BHXH)]
    assert request in asked["body"] and f"Kính gửi {agency(BHXH).name_vi}" in asked["body"]
    assert parse_day(step_due) in asked["body"]
    answered = wait_email(stack, SPECIALIST_EMAIL, dossier, RETURNED_SUBJECT)
    assert reply in answered["body"] and f"Kính gửi {SPECIALIST_NAME}" in answered["body"]
    assert agency(BHXH).name_vi in answered["body"]
    assert email(stack, dossier, "Đã trả kết quả")["destinations"]["ToAddresses"] == [dossier["applicant"]["email"]]

    staff_mail = {(n["event_type"], n["recipient"]) for n in notifications(api, "officer.hanoi", dossier["id"])
                  if n["channel"] == "staff_email"}
    assert staff_mail == {("dossier.sent_to_agency", desk_email(BHXH)),
                          ("dossier.returned_from_agency", SPECIALIST_EMAIL)}
    mine = notifications(api, "citizen.an", dossier["id"])
    assert mine and all(n["channel"] != "staff_email" for n in mine)
    # The partner saw the dossier only while its step was open: nothing of it since.
    for suffix in ("", "/notifications", f"/results/{upload_id}"):
        problem(partner.get(f"/dossiers/{dossier['id']}{suffix}"), 404, "dossier_not_found")


# --------------------------------------------------------------------------- inter-agency rules


def test_send_to_agency_checks_the_partner_and_the_steps_due_date(api, make_user):
    specialist, leader = api("specialist.hanoi"), api("leader.hanoi")
    dossier = assigned_for(api, FULL_ONLINE, {"method": "desk"})
    path = f"/dossiers/{dossier['id']}/send-to-agency"
    request = "Xác nhận thời gian tham gia bảo hiểm"
    for to_agency in ("000.00.99.H99", HANOI):  # unknown, and the dossier's own agency
        body = problem(specialist.post(path, {"to_agency": to_agency, "request": request}), 422, "validation_detail")
        assert [(e["field"], e["code"]) for e in body["errors"]] == [("to_agency", "agency.not_a_partner")]
        assert body["errors"][0]["params"] == {"agency_code": to_agency}
    yesterday = (local_today() - timedelta(days=1)).isoformat()
    for step_due in (yesterday, next_day_off()):
        response = specialist.post(path, {"to_agency": BHXH, "request": request, "step_due": step_due})
        assert field_errors(response) == [("step_due", "step_due.not_a_future_working_day")], step_due
    both = specialist.post(path, {"to_agency": "nowhere", "request": request, "step_due": yesterday})
    assert field_errors(both) == [("to_agency", "agency.not_a_partner"),
                                  ("step_due", "step_due.not_a_future_working_day")]
    assert field_errors(specialist.post(path, {"to_agency": BHXH})) == [("request", "field.required")]
    assert field_errors(specialist.post(path, {"to_agency": BHXH, "request": request, "step_due": "31/12/2099"})) \
        == [("step_due", "field.date")]

    # Only the assigned specialist sends, and who may act is settled before the body's agency is looked at.
    colleague = api(make_user("specialist", HANOI, UNIT))
    problem(colleague.post(path, {"to_agency": "nowhere", "request": request}), 403, "not_assignee")
    for who in ("leader.hanoi", "officer.hanoi", "citizen.an"):
        problem(api(who).post(path, {"to_agency": BHXH, "request": request}), 403, "role_not_allowed")
    seen = fetch(leader, dossier)
    assert (seen["status"], seen["version"], seen["inter_agency"]) == ("assigned", dossier["version"], [])

    # Without a step due date the step is due with the dossier.
    got = send_to(api, dossier)
    assert got["inter_agency"][0]["step_due"] is None
    assert fetch(leader, dossier, "/control-slip")["steps"][-1]["due_date"] == dossier["due_date"]
    conflict = problem(specialist.post(path, {"to_agency": POLICE, "request": request}), 409,
                       "transition_not_allowed")
    assert conflict["allowed_actions"] == []  # nothing the home specialist could do


def test_a_dossier_goes_to_two_partners_in_turn_and_each_answers_only_its_own_step(api, make_user):
    specialist, partner = api("specialist.hanoi"), api("officer.bhxh")
    police = api(make_user("officer", POLICE))
    police_specialist = api(make_user("specialist", POLICE, "xuat-nhap-canh"))  # any staff of the partner may answer
    dossier = assigned_for(api, FULL_ONLINE, {"method": "desk"})

    send_to(api, dossier, POLICE, request="Xác minh lý lịch tư pháp")
    problem(partner.get(f"/dossiers/{dossier['id']}"), 404, "dossier_not_found")  # sent elsewhere
    problem(partner.post(f"/dossiers/{dossier['id']}/return-from-agency", {"reply": "x"}), 404, "dossier_not_found")
    listed = partner.get("/desk/dossiers", params={"incoming": "true", "limit": "100"}).json()["items"]
    assert dossier["id"] not in [d["id"] for d in listed]
    assert fetch(police, dossier)["allowed_actions"] == ["return_from_agency"]
    got = act(police_specialist, dossier, "return-from-agency", {"reply": "Không có tiền án"})
    assert got["status"] == "assigned" and got["inter_agency"][0]["returned_by"]["role"] == "specialist"

    send_to(api, dossier, BHXH, step_due=working_day(1))
    # The first partner's step is over: the dossier is out of its sight (a 404 like any other).
    problem(police.post(f"/dossiers/{dossier['id']}/return-from-agency", {"reply": "x"}), 404, "dossier_not_found")
    problem(police.get(f"/dossiers/{dossier['id']}"), 404, "dossier_not_found")
    got = act(partner, dossier, "return-from-agency", {"reply": "Đã đóng đủ"})
    assert [(s["step"], s["agency_code"], s["reply"]) for s in got["inter_agency"]] == [
        (1, POLICE, "Không có tiền án"), (2, BHXH, "Đã đóng đủ")]
    assert all(s["on_time"] is True for s in got["inter_agency"])
    steps = fetch(specialist, dossier, "/control-slip")["steps"]
    assert [s["action"] for s in steps] == ["receive", "transfer", "assign", "send_to_agency", "return_from_agency",
                                            "send_to_agency", "return_from_agency"]
    assert [s["to"].get("agency_code") for s in steps[3::2]] == [POLICE, BHXH]
    assert [s["from"]["agency_code"] for s in steps[4::2]] == [POLICE, BHXH]
    assert steps[-1]["completed_at"] is None  # back with the specialist


# --------------------------------------------------------------------------- who may act, step by step


def test_another_agency_and_another_unit_are_refused_at_every_step_and_the_partner_only_acts_on_its_step(
        api, make_user):
    citizen, officer, leader, specialist = (api(u) for u in ("citizen.an", "officer.hanoi", "leader.hanoi",
                                                                "specialist.hanoi"))
    partner, police = api("officer.bhxh"), api(make_user("officer", POLICE))
    strangers = {"officer.hcm": api("officer.hcm"), "specialist.laodong": api("specialist.laodong")}
    dossier = submit_for(api, FULL_ONLINE, {"method": "post", "address": ADDRESS})
    spare_upload = citizen.uploaded(FULL_ONLINE, "application-form")
    tried: set[Action] = set()

    def refused(status: str, partner_sees: bool = False) -> None:
        """Everyone outside tries every step of `status`: told the dossier does not exist, nothing changes."""
        before = fetch(officer, dossier)
        assert before["status"] == status
        outsiders = {**strangers, **({} if partner_sees else {"officer.bhxh": partner})}
        for name, client in outsiders.items():
            problem(client.get(f"/dossiers/{dossier['id']}"), 404, "dossier_not_found")
            for probe in stage_probes(status):
                tried.add(probe[0])
                response = attempt(client, dossier, probe)
                assert (response.status_code, response.json()["code"]) == (404, "dossier_not_found"), (
                    name, status, probe[2], response.text)
        after = fetch(officer, dossier)
        assert (after["status"], after["version"], after["updated_at"]) == (status, before["version"],
                                                                            before["updated_at"])

    def partner_refused(status: str, except_return: bool = False) -> None:
        """The partner sees the dossier and tries every route: refused on each, nothing changes."""
        before = fetch(officer, dossier)
        assert (before["status"], fetch(partner, dossier)["status"]) == (status, status)
        for probe in probes(spare_upload):
            if except_return and probe[0] == Action.RETURN_FROM_AGENCY:
                continue
            response = attempt(partner, dossier, probe)
            expected = partner_refusal(status, probe[0])
            assert (response.status_code, response.json()["code"]) == expected, (status, probe[2], response.text)
        assert fetch(officer, dossier)["version"] == before["version"]

    refused("submitted")
    act(officer, dossier, "receive", {"note": "Đủ thành phần"})
    refused("received")
    act(officer, dossier, "transfer", {"unit": UNIT})
    refused("transferred")
    act(leader, dossier, "assign", {"specialist": "specialist.hanoi"})
    refused("assigned")
    act(specialist, dossier, "request-fee", {"amount_vnd": FEE, "purpose": FEE_PURPOSE})
    refused("fee_requested")
    act(officer, dossier, "record-payment", {"amount_vnd": FEE, "method": "cash"})
    refused("assigned")
    send_to(api, dossier, BHXH)
    refused("at_other_agency", partner_sees=True)
    partner_refused("at_other_agency", except_return=True)
    problem(police.post(f"/dossiers/{dossier['id']}/return-from-agency", {"reply": "x"}), 404, "dossier_not_found")
    for client in (officer, leader, specialist):  # the home agency cannot answer for the partner
        problem(client.post(f"/dossiers/{dossier['id']}/return-from-agency", {"reply": "x"}), 403, "wrong_agency")
    problem(citizen.post(f"/dossiers/{dossier['id']}/return-from-agency", {"reply": "x"}), 403, "role_not_allowed")
    act(partner, dossier, "return-from-agency", {"reply": "Đã xác nhận"})
    refused("assigned")  # the partner's step is over: it is an outsider again
    act(specialist, dossier, "propose", {"assessment": "Đủ điều kiện", "proposal": "approve"})
    refused("proposed")
    act(leader, dossier, "approve", {})
    refused("approved")
    upload_id, _ = result_upload(specialist, dossier)
    issue(api, dossier, upload_id)
    refused("result_issued")
    for client in (*strangers.values(), partner):
        problem(client.get(f"/dossiers/{dossier['id']}/results/{upload_id}"), 404, "dossier_not_found")
    act(officer, dossier, "send-by-post", {"tracking_number": "EE123456789VN"})
    refused("in_post")
    act(officer, dossier, "record-delivery", {"delivered_on": local_today().isoformat()})
    refused("returned")
    evaluate(citizen, dossier, {"satisfied": True})
    refused("returned")
    assert fetch(citizen, dossier)["evaluation"]["amendments"] == 0

    assert {Action.RECEIVE, Action.TRANSFER, Action.ASSIGN, Action.PROPOSE, Action.SEND_TO_AGENCY,
            Action.RETURN_FROM_AGENCY, Action.REQUEST_FEE, Action.RECORD_PAYMENT, Action.APPROVE, Action.REJECT,
            Action.ISSUE_RESULT, Action.RETURN_ONLINE, Action.RETURN_AT_DESK, Action.SEND_BY_POST,
            Action.RECORD_DELIVERY, Action.EVALUATE, Action.WITHDRAW, Action.STOP, Action.APOLOGISE,
            Action.SEND_BACK, Action.REQUEST_SUPPLEMENT, Action.REFUSE, Action.START_PAYMENT} <= tried
    actors = {e["actor"]["username"] for e in events_of(officer, dossier) if e["actor"]["role"] != "system"}
    assert actors == {"citizen.an", "officer.hanoi", "leader.hanoi", "specialist.hanoi", "officer.bhxh"}
    for client in strangers.values():
        for suffix in ("/history", "/control-slip", "/notifications"):
            problem(client.get(f"/dossiers/{dossier['id']}{suffix}"), 404, "dossier_not_found")


def test_a_partner_agency_never_sees_a_dossier_never_sent_to_it(api):
    partner = api("officer.bhxh")
    dossier = assigned_for(api, FULL_ONLINE, {"method": "desk"})
    for suffix in ("", "/history", "/control-slip", "/notifications"):
        problem(partner.get(f"/dossiers/{dossier['id']}{suffix}"), 404, "dossier_not_found")
    for probe in probes():
        response = attempt(partner, dossier, probe)
        assert (response.status_code, response.json()["code"]) == (404, "dossier_not_found"), probe[2]
    for params in ({"incoming": "true", "limit": "100"}, {"id_number": dossier["applicant"]["citizen_id"]}):
        body = partner.get("/desk/dossiers", params=params).json()
        assert body["agency_code"] == BHXH
        assert dossier["id"] not in [d["id"] for d in body["items"]]
    assert fetch(api("officer.hanoi"), dossier)["version"] == dossier["version"]


def test_withdrawn_or_stopped_while_at_the_partner_it_leaves_the_partners_list_and_cannot_be_answered(api):
    partner = api("officer.bhxh")
    withdrawn = assigned_for(api, FULL_ONLINE, {"method": "desk"})
    stopped = assigned_for(api, FULL_ONLINE, {"method": "desk"})
    for dossier in (withdrawn, stopped):
        send_to(api, dossier)
    listed = ids(partner, incoming="true")
    assert {withdrawn["id"], stopped["id"]} <= set(listed)

    got = act(api("citizen.an"), withdrawn, "withdraw", {"reason": "Không còn nhu cầu"})
    assert (got["status"], got["national_status"], got["ended"]["action"]) == ("withdrawn", 7, "withdraw")
    got = act(api("leader.hanoi"), stopped, "stop", {"reason": "Cơ quan có thẩm quyền yêu cầu dừng"})
    assert (got["status"], got["national_status"], got["ended"]["action"]) == ("stopped", 8, "stop")

    listed = ids(partner, incoming="true")
    for dossier, status in ((withdrawn, "withdrawn"), (stopped, "stopped")):
        assert dossier["id"] not in listed
        # Its step closed with the dossier: out of the partner's sight, and nothing left to answer.
        problem(partner.get(f"/dossiers/{dossier['id']}"), 404, "dossier_not_found")
        problem(partner.post(f"/dossiers/{dossier['id']}/return-from-agency", {"reply": "Đã xác nhận"}), 404,
                "dossier_not_found")
        seen = fetch(api("officer.hanoi"), dossier)
        assert (seen["status"], seen["inter_agency"][0]["reply"]) == (status, None)
        steps = seen["control_slip"]
        assert steps[-1]["action"] == "send_to_agency" and steps[-1]["completed_at"] == seen["updated_at"]


def test_a_partner_answering_after_its_steps_due_date_is_recorded_late_on_the_step_and_the_slip(api, aws, stack):
    """The step cannot be sent already late: its due date is moved back in the store, as time would."""
    dossier = assigned_for(api, FULL_ONLINE, {"method": "desk"})
    sent = send_to(api, dossier, step_due=working_day(1))
    slip_index = len(sent["control_slip"]) - 1
    assert sent["control_slip"][slip_index]["action"] == "send_to_agency"
    yesterday = (local_today() - timedelta(days=1)).isoformat()

    def due_yesterday(record: dict) -> None:
        record["inter_agency"][0]["step_due"] = yesterday
        record["control_slip"][slip_index]["due_date"] = yesterday

    edit_stored_dossier(aws, stack, dossier["id"], due_yesterday)

    got = act(api("officer.bhxh"), dossier, "return-from-agency", {"reply": "Trả muộn do thiếu dữ liệu"})
    step = got["inter_agency"][0]
    assert (step["step_due"], step["returned_at"], step["on_time"]) == (yesterday, got["updated_at"], False)
    slip = fetch(api("officer.hanoi"), dossier, "/control-slip")["steps"]
    assert (slip[slip_index]["due_date"], slip[slip_index]["on_time"]) == (yesterday, False)
    assert slip[slip_index]["completed_at"] == got["updated_at"]
    assert [s["on_time"] for s in slip[:slip_index]] == [True] * slip_index
    assert (slip[-1]["action"], slip[-1]["due_date"], slip[-1]["on_time"]) == ("return_from_agency",
                                                                              dossier["due_date"], None)


def test_a_409_on_a_dossier_at_another_agency_offers_the_home_staff_nothing_they_cannot_do(api):
    dossier = assigned_for(api, FULL_ONLINE, {"method": "desk"})
    send_to(api, dossier)
    for who, action, body in (("officer.hanoi", "transfer", {"unit": UNIT}),
                              ("specialist.hanoi", "propose", {"assessment": "Đủ điều kiện", "proposal": "approve"})):
        client = api(who)
        conflict = problem(client.post(f"/dossiers/{dossier['id']}/{action}", body), 409, "transition_not_allowed")
        assert fetch(client, dossier)["allowed_actions"] == []
        assert conflict["allowed_actions"] == [], (who, action)


def test_a_resubmission_by_someone_who_may_not_resubmit_is_refused_whatever_its_files(api):
    dossier = assigned_for(api, FULL_ONLINE, {"method": "desk"})
    send_to(api, dossier)
    body = {"components": [{"component_id": "application-form", "upload_ids": ["no-such-upload"]}]}
    path = f"/dossiers/{dossier['id']}/resubmit"
    responses = {who: api(who).post(path, body) for who in ("officer.hanoi", "officer.bhxh", "citizen.an")}
    assert fetch(api("officer.hanoi"), dossier)["status"] == "at_other_agency"
    assert {who: r.status_code for who, r in responses.items()} == {"officer.hanoi": 403, "officer.bhxh": 403,
                                                                    "citizen.an": 409}
    assert responses["officer.hanoi"].json()["code"] == "role_not_allowed"


# --------------------------------------------------------------------------- evaluation


def test_the_applicant_rates_once_returned_then_amends_to_not_satisfied_and_the_desk_is_told(api, aws, stack):
    citizen, officer = api("citizen.an"), api("officer.hanoi")
    good = {"satisfied": True, "comment": "Cán bộ hướng dẫn tận tình",
            "criteria": {"timeliness": "satisfied", "attitude": "satisfied", "guidance": "satisfied",
                         "transparency": "neutral", "visits": 1}}
    dossier = assigned_for(api, FULL_ONLINE, {"method": "online"})
    body = evaluate(citizen, dossier, good, 409)
    assert (body["code"], body["allowed_actions"]) == ("transition_not_allowed", ["withdraw"])
    approve(api, dossier)
    upload_id, _ = result_upload(api("specialist.hanoi"), dossier)
    issue(api, dossier, upload_id)
    body = evaluate(citizen, dossier, good, 409)
    assert (body["code"], body["allowed_actions"]) == ("transition_not_allowed", [])
    returned = act(officer, dossier, "return-online", {})
    assert returned["evaluation"] is None
    assert fetch(citizen, dossier)["allowed_actions"] == ["evaluate"]

    # Nobody else may rate it.
    problem(api("citizen.binh").request("PUT", f"/dossiers/{dossier['id']}/evaluation", json=good), 404,
            "dossier_not_found")
    for who in ("officer.hanoi", "leader.hanoi", "specialist.hanoi", "admin"):
        problem(api(who).request("PUT", f"/dossiers/{dossier['id']}/evaluation", json=good), 403, "role_not_allowed")
    problem(api("officer.hcm").request("PUT", f"/dossiers/{dossier['id']}/evaluation", json=good), 404,
            "dossier_not_found")
    assert api().request("PUT", f"/dossiers/{dossier['id']}/evaluation", json=good).status_code == 401

    first = evaluate(citizen, dossier, good)
    assert (first["status"], first["national_status"], first["version"]) == ("returned", 10, returned["version"] + 1)
    rating = first["evaluation"]
    assert (rating["satisfied"], rating["criteria"], rating["comment"]) == (True, good["criteria"], good["comment"])
    assert (rating["amendments"], rating["evaluated_at"], rating["updated_at"]) == (0, first["updated_at"],
                                                                                     first["updated_at"])
    assert parse_iso(rating["amend_until"]) - parse_iso(rating["evaluated_at"]) == timedelta(days=7)
    assert first["allowed_actions"] == ["evaluate"]  # may still amend
    event = events_of(citizen, dossier)[-1]
    assert (event["type"], event["actor"]["role"], event["actor"]["username"]) == ("dossier.evaluated", "citizen",
                                                                                   "citizen.an")
    assert event["payload"]["evaluation"] == rating and event["payload"]["previous_evaluation"] is None

    bad = {"satisfied": False, "comment": "Phải đi lại nhiều lần, cán bộ thiếu nhiệt tình",
           "criteria": {"timeliness": "not_satisfied", "attitude": "not_satisfied", "visits": 4}}
    second = evaluate(citizen, dossier, bad)
    amended = second["evaluation"]
    assert (amended["satisfied"], amended["criteria"], amended["comment"]) == (False, bad["criteria"], bad["comment"])
    assert (amended["amendments"], amended["evaluated_at"]) == (1, rating["evaluated_at"])
    assert amended["amend_until"] == rating["amend_until"] and amended["updated_at"] == second["updated_at"]
    assert amended["updated_at"] > rating["updated_at"]
    event = events_of(citizen, dossier)[-1]
    assert (event["type"], event["payload"]["evaluation"]["satisfied"]) == ("dossier.rated_not_satisfied", False)
    assert event["payload"]["previous_evaluation"] == rating
    assert fetch(officer, dossier)["evaluation"] == amended

    message = wait_email(stack, desk_email(HANOI), dossier, NOT_SATISFIED_SUBJECT)
    assert message["destinations"]["ToAddresses"] == [desk_email(HANOI)]
    assert "KHÔNG HÀI LÒNG" in message["body"] and bad["comment"] in message["body"]
    assert "attitude: not_satisfied" in message["body"] and "visits: 4" in message["body"]
    staff = [n for n in notifications(api, "officer.hanoi", dossier["id"]) if n["channel"] == "staff_email"]
    assert [(n["event_type"], n["recipient"]) for n in staff] == [("dossier.rated_not_satisfied", desk_email(HANOI))]
    assert all(n["channel"] != "staff_email" for n in notifications(api, "citizen.an", dossier["id"]))

    third = evaluate(citizen, dossier, {"satisfied": True})
    assert (third["evaluation"]["amendments"], third["evaluation"]["criteria"]) == (2, {})
    assert third["evaluation"]["evaluated_at"] == rating["evaluated_at"]
    assert [e["type"] for e in events_of(citizen, dossier)][-4:] == [
        "dossier.returned", "dossier.evaluated", "dossier.rated_not_satisfied", "dossier.evaluated"]

    # Once the window closes (moved back in the store, as time would), the rating stands.
    past = iso(parse_iso(third["updated_at"]) - timedelta(days=1))
    edit_stored_dossier(aws, stack, dossier["id"], lambda record: record["evaluation"].update(amend_until=past))
    body = evaluate(citizen, dossier, bad, 409)
    assert (body["code"], body["allowed_actions"]) == ("transition_not_allowed", [])
    seen = fetch(citizen, dossier)
    assert (seen["allowed_actions"], seen["evaluation"]["satisfied"], seen["version"]) == ([], True, third["version"])
    assert len(emails_to(stack, desk_email(HANOI), dossier["code"], NOT_SATISFIED_SUBJECT)) == 1


def test_an_evaluation_with_a_bad_body_is_refused_field_by_field(api):
    citizen = api("citizen.an")
    dossier = assigned_for(api, FULL_ONLINE, {"method": "online"})
    approve(api, dossier)
    upload_id, _ = result_upload(api("specialist.hanoi"), dossier)
    issue(api, dossier, upload_id)
    act(api("officer.hanoi"), dossier, "return-online", {})
    path = f"/dossiers/{dossier['id']}/evaluation"

    cases = [
        ({}, [("satisfied", "field.required")]),
        ({"satisfied": "yes"}, [("satisfied", "field.type")]),
        ({"satisfied": 1}, [("satisfied", "field.type")]),
        ({"satisfied": True, "criteria": {"timeliness": "great"}}, [("criteria.timeliness", "field.choice")]),
        ({"satisfied": True, "criteria": {"visits": 51}}, [("criteria.visits", "field.range")]),
        ({"satisfied": True, "criteria": {"visits": -1}}, [("criteria.visits", "field.range")]),
        ({"satisfied": True, "criteria": {"speed": "satisfied"}}, [("criteria.speed", "field.unknown")]),
        ({"satisfied": True, "criteria": "satisfied"}, [("criteria", "field.type")]),
        ({"satisfied": True, "stars": 5}, [("stars", "field.unknown")]),
        ({"satisfied": True, "comment": "x" * 2001}, [("comment", "field.too_long")]),
        ({"satisfied": None, "criteria": {"attitude": "bad", "visits": 100}},
         [("satisfied", "field.type"), ("criteria.attitude", "field.choice"), ("criteria.visits", "field.range")]),
    ]
    for body, expected in cases:
        response = citizen.request("PUT", path, json=body)
        assert sorted(field_errors(response)) == sorted(expected), (body, response.text)
    seen = fetch(citizen, dossier)
    assert (seen["evaluation"], seen["allowed_actions"]) == (None, ["evaluate"])
    got = evaluate(citizen, dossier, {"satisfied": True, "criteria": {"visits": 0, "guidance": "neutral"}})
    assert got["evaluation"]["criteria"] == {"visits": 0, "guidance": "neutral"}


# --------------------------------------------------------------------------- officers' search


@pytest.fixture(scope="module")
def search_set(api, aws, stack):
    """Five dossiers only this module has: four companies whose names share a prefix nobody else uses, in
    different procedures, statuses and units (one overdue), and one person."""
    tag = f"kt{uuid.uuid4().hex[:6]}"
    prefix = f"Công ty TNHH Đức Thịnh {tag}"
    taxes = {key: new_tax_code() for key in "ABCD"}
    a = assigned_as(api, SMALL_PERMIT, company(f"{prefix} Một", taxes["A"]))
    b = transferred_as(api, TRAINING, company(f"{prefix} Hai", taxes["B"]))
    c = submit_as(api, SMALL_PERMIT, company(f"{prefix} Ba", taxes["C"]))
    d = transferred_as(api, SMALL_PERMIT, company(f"{prefix} Bốn", taxes["D"]), unit="lao-dong")
    move_due_date(aws, stack, d["id"], local_today() - timedelta(days=3))
    citizen_id = new_citizen_id()
    e = received_as(api, FULL_ONLINE, {**PERSON, "full_name": f"Đặng Thị Hồng {tag}", "citizen_id": citizen_id})
    officer = api("officer.hanoi")
    return {"prefix": prefix, "key": normalise_text_for_search(prefix), "tag": tag, "taxes": taxes,
            "citizen_id": citizen_id, **{k: fetch(officer, v) for k, v in zip("ABCDE", (a, b, c, d, e), strict=True)}}


def search(client, **params) -> dict:
    response = client.get("/desk/dossiers", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def every_page(client, limit: int = 100, **params) -> tuple[list[dict], int]:
    """Every item of every page, in order, and how many pages it took."""
    items, cursor, pages = [], None, 0
    while True:
        body = search(client, limit=str(limit), **params, **({"cursor": cursor} if cursor else {}))
        assert len(body["items"]) <= limit
        items += body["items"]
        pages += 1
        cursor = body["next_cursor"]
        if not cursor:
            return items, pages
        assert pages < 200, "pagination does not end"


def ids(client, **params) -> list[str]:
    found = [d["id"] for d in every_page(client, **params)[0]]
    assert len(found) == len(set(found)), "an item listed twice"
    return found


def letters(search_set: dict, found: list[str]) -> list[str]:
    """Which of this module's dossiers (A..E) `found` lists, in its order; others' are left out."""
    by_id = {search_set[k]["id"]: k for k in "ABCDE"}
    return [by_id[i] for i in found if i in by_id]


def test_search_by_name_prefix_ignores_case_and_diacritics(api, search_set):
    officer, key, prefix = api("officer.hanoi"), search_set["key"], search_set["prefix"]
    assert key.startswith("cong ty tnhh duc thinh kt")
    body = search(officer, name=key)
    assert body["agency_code"] == HANOI and body["filters"] == {"name": key}
    assert [d["id"] for d in body["items"]] == [search_set[k]["id"] for k in "CDBA"]  # by name: ba, bon, hai, mot
    assert letters(search_set, ids(officer, name=prefix.upper())) == ["C", "D", "B", "A"]
    assert letters(search_set, ids(officer, name=f"  {key}   hai ")) == ["B"]
    assert letters(search_set, ids(officer, name=f"{key} b")) == ["C", "D"]
    assert letters(search_set, ids(officer, name=f"{prefix} bốn")) == ["D"]
    assert letters(search_set, ids(officer, name=f"{key} bon")) == ["D"]
    assert ids(officer, name=f"{key} bonx") == []
    assert letters(search_set, ids(officer, name=f"dang thi hong {search_set['tag']}")) == ["E"]

    # A prefix shared with other modules' companies: ours are among them, and nothing that does not match.
    items, _ = every_page(officer, name="CONG TY TNHH")
    assert set("ABCD") <= set(letters(search_set, [d["id"] for d in items]))
    assert all(normalise_text_for_search(d["applicant"]["name"]).startswith("cong ty tnhh") for d in items)
    assert all(d["agency_code"] == HANOI for d in items)


def test_search_by_id_number_is_exact(api, search_set):
    officer, taxes, citizen_id = api("officer.hanoi"), search_set["taxes"], search_set["citizen_id"]
    assert ids(officer, id_number=taxes["A"]) == [search_set["A"]["id"]]
    assert ids(officer, id_number=f" {taxes['C']} ") == [search_set["C"]["id"]]
    assert ids(officer, id_number=citizen_id) == [search_set["E"]["id"]]
    assert ids(officer, id_number=citizen_id[:-1]) == []  # a prefix is not the number
    assert ids(officer, id_number=taxes["A"] + "-001") == []
    assert ids(api("officer.hcm"), id_number=taxes["A"]) == []  # another agency's


def test_search_by_status_procedure_assignee_and_their_combinations(api, search_set):
    officer, key = api("officer.hanoi"), search_set["key"]
    assert letters(search_set, ids(officer, name=key, status="transferred")) == ["D", "B"]
    assert letters(search_set, ids(officer, name=key, status="submitted")) == ["C"]
    assert letters(search_set, ids(officer, name=key, status="assigned")) == ["A"]
    assert ids(officer, name=key, status="returned") == []
    assert letters(search_set, ids(officer, name=key, procedure=TRAINING)) == ["B"]
    assert letters(search_set, ids(officer, name=key, procedure=SMALL_PERMIT)) == ["C", "D", "A"]
    assert letters(search_set, ids(officer, name=key, procedure=SMALL_PERMIT, status="transferred")) == ["D"]
    assert letters(search_set, ids(officer, name=key, assignee="specialist.hanoi")) == ["A"]
    assert ids(officer, name=key, assignee="specialist.laodong") == []
    assert ids(officer, id_number=search_set["taxes"]["B"], status="submitted") == []
    assert ids(officer, id_number=search_set["taxes"]["B"], procedure=TRAINING) == [search_set["B"]["id"]]
    assert ids(officer, id_number=search_set["citizen_id"], procedure=FULL_ONLINE, status="received") == [
        search_set["E"]["id"]]

    # Each filter alone, on its own index, across the whole agency: ours are where they belong.
    for status, expected in (("transferred", {"B", "D"}), ("submitted", {"C"}), ("received", {"E"})):
        items, _ = every_page(officer, status=status)
        assert expected <= set(letters(search_set, [d["id"] for d in items])) <= expected, status
        assert {d["status"] for d in items} == {status}
    items, _ = every_page(officer, procedure=TRAINING)
    assert letters(search_set, [d["id"] for d in items]) == ["B"]
    assert {d["procedure_code"] for d in items} == {TRAINING}
    items, _ = every_page(officer, assignee="specialist.hanoi")
    assert "A" in letters(search_set, [d["id"] for d in items])
    assert {d["assignee"]["username"] for d in items} == {"specialist.hanoi"}


def test_search_by_reception_and_due_dates_and_overdue(api, search_set):
    officer, key = api("officer.hanoi"), search_set["key"]
    today, yesterday = local_today(), local_today() - timedelta(days=1)
    tomorrow = today + timedelta(days=1)
    assert letters(search_set, ids(officer, name=key, received_from=today.isoformat(),
                                   received_to=today.isoformat())) == ["D", "B", "A"]
    assert ids(officer, name=key, received_from=tomorrow.isoformat()) == []
    assert ids(officer, name=key, received_to=yesterday.isoformat()) == []
    items, _ = every_page(officer, received_from=today.isoformat(), received_to=today.isoformat())
    assert {"A", "B", "D", "E"} == set(letters(search_set, [d["id"] for d in items]))
    assert {parse_iso(d["received_at"]).astimezone(LOCAL_TZ).date() for d in items} == {today}

    due_a = search_set["A"]["due_date"]
    same_day = sorted(k for k in "ABD" if search_set[k]["due_date"] == due_a)
    assert sorted(letters(search_set, ids(officer, name=key, due_after=due_a, due_before=due_a))) == same_day
    assert letters(search_set, ids(officer, name=key, due_after=today.isoformat())) == ["B", "A"]
    assert letters(search_set, ids(officer, name=key, due_before=yesterday.isoformat())) == ["D"]
    assert letters(search_set, ids(officer, name=key, overdue="true")) == ["D"]
    assert letters(search_set, ids(officer, name=key, overdue="false")) == ["C", "D", "B", "A"]
    assert letters(search_set, ids(officer, name=key, overdue="true", status="transferred",
                                   procedure=SMALL_PERMIT, received_from=today.isoformat())) == ["D"]
    items, _ = every_page(officer, overdue="true")
    assert "D" in letters(search_set, [d["id"] for d in items])
    assert all(d["due_date"] < today.isoformat() for d in items)
    assert [d["due_date"] for d in items] == sorted(d["due_date"] for d in items)  # most overdue first
    # Overdue and due from today on: nothing can be both, and that is an answer, not an error.
    for params in ({"overdue": "true", "due_after": today.isoformat()},
                   {"overdue": "true", "due_after": tomorrow.isoformat(), "name": key}):
        response = officer.get("/desk/dossiers", params=params)
        assert response.status_code == 200, response.text
        assert (response.json()["items"], response.json()["next_cursor"]) == ([], None)


def test_search_pages_return_every_match_exactly_once(api, search_set):
    officer, leader, key = api("officer.hanoi"), api("leader.hanoi"), search_set["key"]
    items, pages = every_page(officer, limit=1, name=key)
    assert [d["id"] for d in items] == [search_set[k]["id"] for k in "CDBA"]
    assert pages >= 4
    items, _ = every_page(officer, limit=1, name=key, status="transferred")  # a filter on top of the key
    assert letters(search_set, [d["id"] for d in items]) == ["D", "B"] and len(items) == 2
    items, _ = every_page(leader, limit=1, name=key)  # the unit's scope on top of the key
    assert letters(search_set, [d["id"] for d in items]) == ["B", "A"] and len(items) == 2
    items, _ = every_page(officer, limit=2, name=key, procedure=SMALL_PERMIT)
    assert letters(search_set, [d["id"] for d in items]) == ["C", "D", "A"] and len(items) == 3
    full = ids(officer, limit=100, status="transferred")
    assert ids(officer, limit=1, status="transferred") == full  # the same list, one at a time
    assert ids(officer, limit=3, status="transferred") == full


def test_leaders_and_specialists_search_only_their_units_dossiers(api, make_user, search_set):
    key = search_set["key"]
    assert letters(search_set, ids(api("leader.hanoi"), name=key)) == ["B", "A"]
    assert letters(search_set, ids(api("specialist.hanoi"), name=key)) == ["B", "A"]
    assert letters(search_set, ids(api("specialist.laodong"), name=key)) == ["D"]
    assert letters(search_set, ids(api(make_user("leader", HANOI, "lao-dong")), name=key)) == ["D"]
    assert ids(api(make_user("leader", HANOI, "nguoi-co-cong")), name=key) == []
    assert ids(api("officer.hcm"), name=key) == []
    assert ids(api("officer.bhxh"), name=key) == []
    assert ids(api("leader.hanoi"), id_number=search_set["taxes"]["D"]) == []
    assert ids(api("leader.hanoi"), id_number=search_set["citizen_id"]) == []  # still at the desk
    assert ids(api("leader.hanoi"), name=key, status="submitted") == []
    assert ids(api("leader.hanoi"), name=key, overdue="true") == []
    assert letters(search_set, ids(api("specialist.laodong"), overdue="true")) == ["D"]
    items, _ = every_page(api("leader.hanoi"), status="transferred")
    assert {d["unit"] for d in items} == {UNIT} and "B" in letters(search_set, [d["id"] for d in items])
    problem(api("citizen.an").get("/desk/dossiers", params={"name": key}), 403)
    problem(api("admin").get("/desk/dossiers", params={"name": key}), 403)


def test_incoming_lists_what_other_agencies_sent_here_while_it_is_here(api, make_user):
    partner, officer = api("officer.bhxh"), api("officer.hanoi")
    tag = f"lt{uuid.uuid4().hex[:6]}"
    tax = new_tax_code()
    key = f"cong ty tnhh lien thong {tag}"
    dossier = assigned_as(api, SMALL_PERMIT, company(f"Công ty TNHH Liên Thông {tag}", tax))
    assert ids(partner, incoming="true", name=key) == []
    send_to(api, dossier, BHXH)

    items, _ = every_page(partner, incoming="true")
    assert dossier["id"] in [d["id"] for d in items]
    assert all(d["status"] == "at_other_agency" and d["inter_agency"][-1]["agency_code"] == BHXH for d in items)
    assert {d["agency_code"] for d in items} == {HANOI}  # none of them is the partner's own
    body = search(partner, incoming="true", name=key)
    assert ([d["id"] for d in body["items"]], body["filters"]) == ([dossier["id"]], {"incoming": True, "name": key})
    assert body["items"][0]["allowed_actions"] == ["return_from_agency"]
    assert ids(partner, incoming="true", id_number=tax) == [dossier["id"]]
    assert ids(partner, incoming="true", procedure=SMALL_PERMIT, name=key) == [dossier["id"]]
    assert ids(partner, incoming="true", procedure=TRAINING, name=key) == []
    assert ids(partner, incoming="true", name=key, received_from=local_today().isoformat()) == [dossier["id"]]
    assert ids(partner, incoming="true", name=key, due_after=local_today().isoformat()) == [dossier["id"]]
    assert ids(partner, incoming="true", name=key, overdue="true") == []
    assert ids(partner, name=key) == [] and ids(partner, id_number=tax) == []  # not the partner's own dossier
    assert ids(officer, incoming="true", name=key) == []  # nothing was sent to the home agency
    assert ids(officer, name=key) == [dossier["id"]]
    assert ids(api(make_user("officer", POLICE)), incoming="true", name=key) == []
    for name in ("status", "assignee"):
        response = partner.get("/desk/dossiers", params={"incoming": "true", name: "assigned"})
        body = problem(response, 400, "bad_query")
        assert [(e["field"], e["code"]) for e in body["errors"]] == [(name, "search.not_with_incoming")]

    act(partner, dossier, "return-from-agency", {"reply": "Đã xác nhận"})
    assert ids(partner, incoming="true", name=key) == []  # handed back: no longer incoming
    problem(partner.get(f"/dossiers/{dossier['id']}"), 404, "dossier_not_found")  # nor in sight


def test_bad_search_parameters_answer_400_with_every_field_at_once(api, search_set):
    officer = api("officer.hanoi")

    def errors(params: dict) -> list[tuple[str, str]]:
        response = officer.get("/desk/dossiers", params=params)
        body = problem(response, 400, "bad_query")
        assert response.headers["Content-Type"].startswith("application/problem+json")
        assert body["status"] == 400 and body["type"].endswith("malformed_request")
        return sorted((e["field"], e["code"]) for e in body["errors"])

    assert errors({"sort": "name"}) == [("sort", "field.unknown")]
    assert errors({"due_after": "2025-02-30"}) == [("due_after", "field.date")]
    assert errors({"received_from": "01/03/2025"}) == [("received_from", "field.date")]
    assert errors({"status": "lost"}) == [("status", "field.choice")]
    assert errors({"received_from": "2025-03-10", "received_to": "2025-03-01"}) == [
        ("received_to", "search.range_reversed")]
    assert errors({"due_after": "2025-03-10", "due_before": "2025-03-09"}) == [("due_before", "search.range_reversed")]
    assert errors({"overdue": "yes"}) == [("overdue", "field.choice")]
    assert errors({"incoming": "1"}) == [("incoming", "field.choice")]
    assert errors({"name": "   "}) == [("name", "field.blank")]
    assert errors({"id_number": "1" * 21}) == [("id_number", "field.too_long")]
    for limit in ("0", "101"):
        assert errors({"limit": limit}) == [("limit", "field.range")]
    assert errors({"limit": "ten"}) == [("limit", "field.number")]
    assert errors({"foo": "1", "status": "lost", "due_before": "tomorrow", "received_from": "2025-03-10",
                   "received_to": "2025-03-01", "overdue": "maybe"}) == sorted([
                       ("foo", "field.unknown"), ("status", "field.choice"), ("due_before", "field.date"),
                       ("received_to", "search.range_reversed"), ("overdue", "field.choice")])
    # Same-day ranges are fine (the bounds are inclusive).
    assert search(officer, received_from="2025-03-01", received_to="2025-03-01", name=search_set["key"])["items"] == []

    problem(officer.get("/desk/dossiers", params={"cursor": "not-a-cursor!"}), 400, "bad_cursor")
    page = search(officer, name=search_set["key"], limit="1")
    assert page["next_cursor"]
    other_list = officer.get("/desk/dossiers", params={"id_number": search_set["taxes"]["A"],
                                                        "cursor": page["next_cursor"]})
    problem(other_list, 400, "bad_cursor")  # a cursor belongs to the list it came from
    theirs = api("officer.hcm").get("/desk/dossiers", params={"name": search_set["key"], "cursor": page["next_cursor"]})
    problem(theirs, 400, "bad_cursor")
