"""Processing after reception, over HTTP: transfer to a unit, assignment, proposal, the leader's
decision, send-back, stop and withdrawal, with the control slip (form 05), the history, who may see
and do what, and the applicant's emails as moto's SES received them."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import requests

from chalicelib.api.present import without_staff_ids
from chalicelib.domain.calendar import LOCAL_TZ
from scripts.ops.emails import moto_data

from .conftest import add_user
from .test_dossier_flow import submit

pytestmark = pytest.mark.e2e

HANOI = "000.00.20.H26"
UNIT = "viec-lam"
# What the assigned specialist may do while assessing.
ASSESSING = ["propose", "send_to_agency", "request_fee", "request_supplement"]
WAIT = 15  # seconds: the bound on how long a notification may take to go out
ACTIONS = {  # every processing route with a body its schema accepts
    "transfer": {"unit": UNIT},
    "assign": {"specialist": "specialist.hanoi"},
    "propose": {"assessment": "Đủ điều kiện", "proposal": "approve"},
    "send-back": {"reason": "Bổ sung đánh giá"},
    "approve": {},
    "reject": {"reason": "Không đủ điều kiện"},
    "stop": {"reason": "Dừng xử lý"},
    "withdraw": {"reason": "Rút hồ sơ"},
}


# --------------------------------------------------------------------------- helpers


def act(client, dossier: dict, action: str, body: dict | None = None, expect: int = 200, **kwargs) -> dict:
    response = client.post(f"/dossiers/{dossier['id']}/{action}", ACTIONS[action] if body is None else body,
                           **kwargs)
    assert response.status_code == expect, f"{action}: {response.status_code} {response.text}"
    return response.json()


def fetch(client, dossier: dict, suffix: str = "", expect: int = 200) -> dict:
    response = client.get(f"/dossiers/{dossier['id']}{suffix}")
    assert response.status_code == expect, response.text
    return response.json()


def received(api, citizen: str = "citizen.an") -> dict:
    return act(api("officer.hanoi"), submit(api, citizen), "receive", {"note": "Đủ thành phần"})


def transferred(api, citizen: str = "citizen.an", **extra) -> dict:
    return act(api("officer.hanoi"), received(api, citizen), "transfer", {"unit": UNIT, **extra})


def assigned(api, citizen: str = "citizen.an") -> dict:
    return act(api("leader.hanoi"), transferred(api, citizen), "assign")


def local_today():
    return datetime.now(UTC).astimezone(LOCAL_TZ).date()


def sub_of(aws, stack, username: str) -> str:
    """The account id of a staff member (staff pool) or a citizen (citizens' pool)."""
    idp = aws("cognito-idp")
    try:
        user = idp.admin_get_user(UserPoolId=stack["STAFF_POOL_ID"], Username=username)
    except idp.exceptions.UserNotFoundException:
        user = idp.admin_get_user(UserPoolId=stack["USER_POOL_ID"], Username=username)
    return next(a["Value"] for a in user["UserAttributes"] if a["Name"] == "sub")


def staff(aws, stack, group: str, agency: str, unit: str) -> str:
    """A fresh staff account of `unit`, invited through the staff directory."""
    return add_user(stack, aws, group, agency, unit)


def emails_to(stack, address: str, code: str, subject_part: str) -> list[dict]:
    data = moto_data(stack["MOTO_ENDPOINT"])
    return [m for m in data.get("ses", {}).get("Message", [])
            if address in m["destinations"]["ToAddresses"] and code in m["subject"] and subject_part in m["subject"]]


def email(stack, dossier: dict, subject_part: str) -> dict:
    """The one email about `dossier` whose subject has `subject_part`, waited for up to WAIT seconds."""
    address, deadline = dossier["applicant"]["email"], time.monotonic() + WAIT
    while not (found := emails_to(stack, address, dossier["code"], subject_part)):
        if time.monotonic() > deadline:
            pytest.fail(f"no '{subject_part}' email for {dossier['code']} within {WAIT}s")
        time.sleep(0.3)
    assert len(found) == 1, found
    return found[0]


def problem(response: requests.Response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, f"{response.status_code} {response.text}"
    body = response.json()
    if code is not None:
        assert body["code"] == code, body
    return body


def everywhere(client, dossier: dict, status: int, code: str | None = None) -> None:
    """GET, history, control slip and every action answer `status`."""
    for suffix in ("", "/history", "/control-slip"):
        problem(client.get(f"/dossiers/{dossier['id']}{suffix}"), status, code)
    for action, body in ACTIONS.items():
        problem(client.post(f"/dossiers/{dossier['id']}/{action}", body), status, code)


# --------------------------------------------------------------------------- the happy path


def test_happy_path_from_reception_to_approval_with_control_slip_history_and_email(api, aws, stack):
    citizen, officer = api("citizen.an"), api("officer.hanoi")
    leader, specialist = api("leader.hanoi"), api("specialist.hanoi")
    dossier = submit(api)
    assert fetch(citizen, dossier)["allowed_actions"] == ["withdraw"]
    assert fetch(officer, dossier)["allowed_actions"] == ["receive", "request_supplement", "refuse"]

    got = act(officer, dossier, "receive", {"note": "Đủ thành phần"})
    assert (got["status"], got["national_status"], got["allowed_actions"]) == ("received", 2, ["transfer"])
    due, received_at = got["due_date"], got["updated_at"]
    assert fetch(citizen, dossier)["allowed_actions"] == ["withdraw"]

    got = act(officer, dossier, "transfer", {"unit": UNIT, "note": "Chuyển phòng Việc làm"})
    assert (got["status"], got["national_status"], got["unit"], got["assignee"]) == ("transferred", 4, UNIT, None)
    assert got["allowed_actions"] == []  # the desk's part is done
    transferred_at = got["updated_at"]
    assert fetch(leader, dossier)["allowed_actions"] == ["assign", "stop"]

    got = act(leader, dossier, "assign", {"specialist": "specialist.hanoi", "note": "Xử lý trong tuần"})
    assert (got["status"], got["national_status"]) == ("assigned", 4)
    assert got["assignee"] == {"id": sub_of(aws, stack, "specialist.hanoi"), "name": "Phạm Thị Chuyên",
                               "username": "specialist.hanoi"}
    assert got["allowed_actions"] == ["request_supplement", "stop"]
    assigned_at = got["updated_at"]
    assert fetch(specialist, dossier)["allowed_actions"] == ASSESSING
    assert fetch(citizen, dossier)["allowed_actions"] == ["withdraw"]

    got = act(specialist, dossier, "propose", {"assessment": "Hồ sơ hợp lệ, đủ điều kiện cấp phép",
                                                "proposal": "approve", "note": "Đề nghị phê duyệt"})
    assert (got["status"], got["national_status"], got["allowed_actions"]) == ("proposed", 4, [])
    assert got["proposal"]["assessment"] == "Hồ sơ hợp lệ, đủ điều kiện cấp phép"
    assert got["proposal"]["proposal"] == "approve" and got["proposal"]["by"]["role"] == "specialist"
    proposed_at = got["updated_at"]
    assert fetch(leader, dossier)["allowed_actions"] == ["send_back", "approve", "reject", "stop"]

    got = act(leader, dossier, "approve", {"note": "Đồng ý"})
    assert (got["status"], got["national_status"], got["allowed_actions"]) == ("approved", 9, ["issue_result"])
    assert got["decision"]["outcome"] == "approve" and got["decision"]["by"]["role"] == "leader"
    approved_at = got["updated_at"]
    for who, actions in ((citizen, []), (officer, ["issue_result"]), (leader, ["issue_result"]),
                         (specialist, ["issue_result"])):
        seen = fetch(who, dossier)
        assert (seen["status"], seen["national_status"], seen["allowed_actions"]) == ("approved", 9, actions)

    events = fetch(officer, dossier, "/history")["events"]
    assert [e["type"] for e in events] == ["dossier.submitted", "dossier.received", "dossier.transferred",
                                           "dossier.assigned", "dossier.proposed", "dossier.approved"]
    assert [e["seq"] for e in events] == [1, 2, 3, 4, 5, 6]
    assert [e["actor"]["role"] for e in events] == ["citizen", "officer", "officer", "leader", "specialist",
                                                    "leader"]
    assert [e["actor"]["username"] for e in events] == ["citizen.an", "officer.hanoi", "officer.hanoi",
                                                        "leader.hanoi", "specialist.hanoi", "leader.hanoi"]
    assert [e["at"] for e in events] == sorted(e["at"] for e in events)
    assert [e["payload"]["status"] for e in events[2:]] == ["transferred", "assigned", "proposed", "approved"]
    assert events[2]["payload"]["unit"] == UNIT and events[3]["payload"]["specialist"] == "specialist.hanoi"
    assert events[4]["payload"]["proposal"] == "approve"
    # The applicant reads the same history, staff by name and role without their accounts (Decree 13/2023).
    citizen_id = sub_of(aws, stack, "citizen.an")
    assert fetch(citizen, dossier, "/history")["events"] == without_staff_ids(events, citizen_id)

    slip = fetch(officer, dossier, "/control-slip")
    assert (slip["form"], slip["dossier_id"], slip["code"], slip["due_date"]) == ("06", dossier["id"],
                                                                                 dossier["code"], due)
    steps = slip["steps"]
    assert [s["step"] for s in steps] == [1, 2, 3, 4]
    assert [s["action"] for s in steps] == ["receive", "transfer", "assign", "propose"]
    assert [s["handed_at"] for s in steps] == [received_at, transferred_at, assigned_at, proposed_at]
    assert [s["completed_at"] for s in steps] == [transferred_at, assigned_at, proposed_at, approved_at]
    assert all(s["due_date"] == due and s["on_time"] is True for s in steps)
    assert steps[0]["from"]["kind"] == "applicant" and steps[0]["to"]["kind"] == "desk"
    assert steps[0]["to"]["role"] == "officer" and steps[0]["to"]["agency_code"] == HANOI
    assert (steps[1]["from"]["role"], steps[1]["from"]["id"]) == ("officer", sub_of(aws, stack, "officer.hanoi"))
    assert steps[1]["to"] == {"kind": "unit", "unit": UNIT, "name": "Phòng Việc làm - An toàn lao động",
                             "agency_code": HANOI}
    assert (steps[2]["from"]["role"], steps[2]["from"]["unit"]) == ("leader", UNIT)
    assert (steps[2]["to"]["kind"], steps[2]["to"]["username"]) == ("specialist", "specialist.hanoi")
    assert steps[2]["to"]["id"] == got["assignee"]["id"]
    assert (steps[3]["from"]["role"], steps[3]["from"]["id"]) == ("specialist", got["assignee"]["id"])
    assert steps[3]["to"] == {"kind": "leader", "unit": UNIT, "agency_code": HANOI}
    assert fetch(citizen, dossier, "/control-slip")["steps"] == without_staff_ids(steps, citizen_id)

    message = email(stack, dossier, "Hồ sơ đã được giải quyết")
    assert message["destinations"]["ToAddresses"] == [dossier["applicant"]["email"]]
    assert dossier["code"] in message["body"] and "CHẤP THUẬN" in message["body"]


def test_send_back_returns_the_dossier_to_the_specialist_then_the_leader_rejects_with_a_reason(api, stack):
    leader, specialist = api("leader.hanoi"), api("specialist.hanoi")
    dossier = assigned(api)
    act(specialist, dossier, "propose", {"assessment": "Thiếu hợp đồng lao động", "proposal": "reject"})

    got = act(leader, dossier, "send-back", {"reason": "Cần xác minh thêm với doanh nghiệp"})
    assert (got["status"], got["national_status"], got["allowed_actions"]) == ("assigned", 4,
                                                                              ["request_supplement", "stop"])
    assert fetch(specialist, dossier)["allowed_actions"] == ASSESSING

    act(specialist, dossier, "propose", {"assessment": "Đã xác minh: không có hợp đồng", "proposal": "reject"})
    reason = "Người lao động chưa có hợp đồng lao động hợp lệ"
    got = act(leader, dossier, "reject", {"reason": reason})
    assert (got["status"], got["national_status"], got["allowed_actions"]) == ("rejected", 9, ["issue_result"])
    assert (got["decision"]["outcome"], got["decision"]["reason"]) == ("reject", reason)
    assert got["proposal"]["assessment"] == "Đã xác minh: không có hợp đồng"

    events = fetch(leader, dossier, "/history")["events"]
    assert [e["type"] for e in events][3:] == ["dossier.assigned", "dossier.proposed", "dossier.sent_back",
                                               "dossier.proposed", "dossier.rejected"]
    assert events[5]["payload"]["reason"] == "Cần xác minh thêm với doanh nghiệp"
    assert events[5]["actor"]["role"] == "leader"

    steps = fetch(leader, dossier, "/control-slip")["steps"]
    assert [s["action"] for s in steps] == ["receive", "transfer", "assign", "propose", "send_back", "propose"]
    assert steps[4]["to"]["kind"] == "specialist" and steps[4]["to"]["id"] == got["assignee"]["id"]
    assert steps[4]["from"]["role"] == "leader"
    assert all(s["completed_at"] and s["on_time"] is True for s in steps)

    message = email(stack, dossier, "không được chấp thuận")
    assert f"Lý do: {reason}" in message["body"]


# --------------------------------------------------------------------------- who may do what


def test_assignee_must_be_a_specialist_of_the_dossiers_unit(api):
    leader = api("leader.hanoi")
    dossier = transferred(api)
    for username in ("specialist.laodong", "officer.hanoi", f"nobody-{uuid.uuid4().hex[:8]}"):
        body = problem(leader.post(f"/dossiers/{dossier['id']}/assign", {"specialist": username}), 422,
                       "validation_detail")
        assert [(e["field"], e["code"]) for e in body["errors"]] == [("specialist", "specialist.not_in_unit")]
        assert body["errors"][0]["params"] == {"specialist": username, "unit": UNIT}
    seen = fetch(leader, dossier)
    assert (seen["status"], seen["assignee"], seen["version"]) == ("transferred", None, dossier["version"])


def test_leaders_and_specialists_see_only_their_units_dossiers_and_act_within_their_scope(api, aws, stack):
    citizen, officer, leader = api("citizen.an"), api("officer.hanoi"), api("leader.hanoi")
    dossier = received(api)
    everywhere(api("leader.hanoi"), dossier, 404, "dossier_not_found")  # nothing reached the unit yet
    everywhere(api("specialist.hanoi"), dossier, 404, "dossier_not_found")
    problem(citizen.post(f"/dossiers/{dossier['id']}/transfer", {"unit": UNIT}), 403, "role_not_allowed")

    act(officer, dossier, "transfer")
    assert fetch(leader, dossier)["status"] == "transferred"
    assert fetch(api("specialist.hanoi"), dossier)["status"] == "transferred"  # unit-mates see it
    problem(officer.post(f"/dossiers/{dossier['id']}/assign", {"specialist": "specialist.hanoi"}), 403,
            "role_not_allowed")
    problem(officer.post(f"/dossiers/{dossier['id']}/stop", {"reason": "x"}), 403, "role_not_allowed")
    everywhere(api("specialist.laodong"), dossier, 404, "dossier_not_found")  # another unit
    everywhere(api("officer.hcm"), dossier, 404, "dossier_not_found")  # another agency
    everywhere(api("citizen.binh"), dossier, 404, "dossier_not_found")  # not the applicant

    act(leader, dossier, "assign")
    colleague = api(staff(aws, stack, "specialist", HANOI, UNIT))
    assert fetch(colleague, dossier)["status"] == "assigned"
    problem(colleague.post(f"/dossiers/{dossier['id']}/propose", ACTIONS["propose"]), 403, "not_assignee")
    everywhere(api("specialist.laodong"), dossier, 404, "dossier_not_found")
    everywhere(api("officer.hcm"), dossier, 404, "dossier_not_found")
    assert fetch(officer, dossier)["version"] == 4  # nothing above changed it

    got = act(api("specialist.hanoi"), dossier, "propose")
    assert got["status"] == "proposed"


def test_a_specialist_who_is_not_the_assignee_is_not_offered_propose(api, aws, stack):
    dossier = assigned(api)
    colleague = api(staff(aws, stack, "specialist", HANOI, UNIT))
    assert fetch(colleague, dossier)["allowed_actions"] == []


def test_a_role_that_may_never_assign_gets_403_whatever_the_specialist(api):
    dossier = transferred(api)
    for who in ("officer.hanoi", "citizen.an"):
        response = api(who).post(f"/dossiers/{dossier['id']}/assign", {"specialist": "no-such-user"})
        problem(response, 403, "role_not_allowed")


def test_forms_and_history_name_the_staff_who_acted(api):
    dossier = received(api)
    assert dossier["receipt"]["officer"]["name"] == "Lê Thị Hoa"
    assert fetch(api("officer.hanoi"), dossier, "/control-slip")["steps"][0]["to"]["name"] == "Lê Thị Hoa"
    assert fetch(api("officer.hanoi"), dossier, "/history")["events"][1]["actor"]["name"] == "Lê Thị Hoa"


def test_a_step_due_date_in_the_past_closes_that_step_late(api):
    yesterday = (local_today() - timedelta(days=1)).isoformat()
    dossier = transferred(api, step_due=yesterday)
    steps = fetch(api("leader.hanoi"), dossier, "/control-slip")["steps"]
    assert (steps[-1]["action"], steps[-1]["due_date"], steps[-1]["completed_at"]) == ("transfer", yesterday, None)

    act(api("leader.hanoi"), dossier, "assign")
    steps = fetch(api("leader.hanoi"), dossier, "/control-slip")["steps"]
    assert [s["action"] for s in steps] == ["receive", "transfer", "assign"]
    assert steps[0]["on_time"] is True
    assert steps[1]["completed_at"] and steps[1]["on_time"] is False
    assert steps[2]["due_date"] == dossier["due_date"] and steps[2]["completed_at"] is None
    assert steps[2]["on_time"] is None


# --------------------------------------------------------------------------- ending early


def test_the_applicant_withdraws_an_assigned_dossier_and_nobody_can_act_afterwards(api, stack):
    citizen = api("citizen.an")
    dossier = assigned(api)
    problem(api("citizen.binh").post(f"/dossiers/{dossier['id']}/withdraw", {"reason": "x"}), 404,
            "dossier_not_found")

    reason = "Doanh nghiệp không còn nhu cầu tuyển dụng"
    got = act(citizen, dossier, "withdraw", {"reason": reason})
    assert (got["status"], got["national_status"], got["allowed_actions"]) == ("withdrawn", 7, [])
    assert (got["ended"]["action"], got["ended"]["reason"], got["ended"]["by"]["role"]) == ("withdraw", reason,
                                                                                          "citizen")
    steps = fetch(citizen, dossier, "/control-slip")["steps"]
    assert steps[-1]["action"] == "assign" and steps[-1]["completed_at"] == got["updated_at"]

    for who in ("citizen.an", "officer.hanoi", "leader.hanoi", "specialist.hanoi"):
        client = api(who)
        assert fetch(client, dossier)["allowed_actions"] == []
        for action, body in ACTIONS.items():
            response = client.post(f"/dossiers/{dossier['id']}/{action}", body)
            if response.status_code == 403:  # a role that may never take this action
                assert response.json()["code"] == "role_not_allowed", (who, action, response.text)
                continue
            assert problem(response, 409, "transition_not_allowed")["allowed_actions"] == [], (who, action)
    assert fetch(citizen, dossier)["version"] == got["version"]

    message = email(stack, dossier, "Xác nhận rút hồ sơ")
    assert reason in message["body"]


def test_the_leader_stops_a_transferred_dossier_with_a_reason(api, stack):
    dossier = transferred(api)
    problem(api("officer.hanoi").post(f"/dossiers/{dossier['id']}/stop", {"reason": "x"}), 403, "role_not_allowed")

    reason = "Cơ quan có thẩm quyền yêu cầu tạm dừng"
    got = act(api("leader.hanoi"), dossier, "stop", {"reason": reason})
    assert (got["status"], got["national_status"], got["allowed_actions"]) == ("stopped", 8, [])
    assert (got["ended"]["action"], got["ended"]["reason"], got["ended"]["by"]["role"]) == ("stop", reason,
                                                                                          "leader")
    assert fetch(api("citizen.an"), dossier)["allowed_actions"] == []
    problem(api("citizen.an").post(f"/dossiers/{dossier['id']}/withdraw", {"reason": "x"}), 409)

    message = email(stack, dossier, "Dừng xử lý hồ sơ")
    assert f"Lý do: {reason}" in message["body"]


# --------------------------------------------------------------------------- conflicts


def test_forbidden_transitions_answer_409_with_the_callers_allowed_actions(api):
    leader, specialist = api("leader.hanoi"), api("specialist.hanoi")
    dossier = assigned(api)
    for action in ("approve", "reject", "send-back", "assign"):
        body = problem(leader.post(f"/dossiers/{dossier['id']}/{action}", ACTIONS[action]), 409,
                       "transition_not_allowed")
        assert body["allowed_actions"] == ["request_supplement", "stop"], action
    body = problem(api("officer.hanoi").post(f"/dossiers/{dossier['id']}/transfer", ACTIONS["transfer"]), 409)
    assert body["allowed_actions"] == ["request_fee"]

    act(specialist, dossier, "propose")
    body = problem(specialist.post(f"/dossiers/{dossier['id']}/propose", ACTIONS["propose"]), 409)
    assert body["allowed_actions"] == []
    body = problem(leader.post(f"/dossiers/{dossier['id']}/assign", ACTIONS["assign"]), 409)
    assert body["allowed_actions"] == ["send_back", "approve", "reject", "stop"]
    assert fetch(leader, dossier)["status"] == "proposed"


def test_assign_with_a_stale_if_match_conflicts(api):
    leader = api("leader.hanoi")
    dossier = transferred(api)
    response = leader.get(f"/dossiers/{dossier['id']}")
    assert response.headers["ETag"] == f'"{dossier["version"]}"'

    stale = f'"{dossier["version"] - 1}"'
    problem(leader.post(f"/dossiers/{dossier['id']}/assign", ACTIONS["assign"], headers={"If-Match": stale}), 409,
            "concurrent_update")
    assert fetch(leader, dossier)["status"] == "transferred"

    got = act(leader, dossier, "assign", headers={"If-Match": response.headers["ETag"]})
    assert (got["status"], got["version"]) == ("assigned", dossier["version"] + 1)
