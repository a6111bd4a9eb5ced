"""The deadline watch and the apology letter (form 04) over HTTP on the local stack.

A dossier is made late by moving its appointment date back in moto's DynamoDB (the `due_date` attribute
the index reads and `doc.due_date`, as the store writes them). The deadline scan is then run the way the
scheduled handler runs it (`chalicelib.services.deadlines.scan`), in a process of its own pointed at the
stack: the stack's own pump also runs it every minute, so the tests assert on the dossier's state, never
on which run flagged it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import date, timedelta

import pytest

from chalicelib.services.dossiers import working_calendar
from scripts.ops.emails import moto_data

from .conftest import REPO_ROOT, edit_stored_dossier
from .test_dossier_flow import submit
from .test_processing import HANOI, act, fetch, local_today, problem

pytestmark = pytest.mark.e2e

EMAIL_WAIT = 30  # seconds
REASON = "Hồ sơ cần xác minh thêm với cơ quan quản lý xuất nhập cảnh"
FEE = {"amount_vnd": 450_000, "purpose": "Lệ phí cấp giấy phép"}  # the officer may ask for it, but not yet


def received(api) -> dict:
    return act(api("officer.hanoi"), submit(api), "receive", {"note": "Đủ thành phần"})


def move_due_date(aws, stack, dossier_id: str, due: date) -> None:
    """What the passing of time would do: the appointment date is now `due`."""
    edit_stored_dossier(aws, stack, dossier_id, lambda record: record.update(due_date=due.isoformat()),
                        due_date=due.isoformat())


def run_scan(stack, agencies: list[str] | None = (HANOI,)) -> dict:
    """The scheduled handler's function, in a process configured like the stack's own."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update({k: v for k, v in stack.items() if isinstance(v, str)})
    code = ("import json, sys; from datetime import UTC, datetime; "
            "from chalicelib.services.deadlines import scan; "
            f"print('SCAN ' + json.dumps(scan(datetime.now(UTC), {list(agencies) if agencies else None!r})))")
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    (line,) = [line for line in result.stdout.splitlines() if line.startswith("SCAN ")]
    return json.loads(line.removeprefix("SCAN "))


def made_late(api, aws, stack, dossier: dict, days_late: int = 3) -> dict:
    """Move the date back, run the watch, and return the dossier as the officer sees it."""
    move_due_date(aws, stack, dossier["id"], local_today() - timedelta(days=days_late))
    result = run_scan(stack)
    assert result["read"] >= 1 and result["as_of"] == local_today().isoformat()
    got = fetch(api("officer.hanoi"), dossier)
    assert got["deadline_alert"] == "overdue", got
    return got


def overdue_queue(client) -> list[dict]:
    items, cursor = [], None
    while True:
        response = client.get("/desk/dossiers?overdue=true&limit=50" + (f"&cursor={cursor}" if cursor else ""))
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["filters"] == {"overdue": True} and body["agency_code"] == HANOI
        items += body["items"]
        cursor = body["next_cursor"]
        if not cursor:
            return items


def apology_emails(stack, dossier: dict, shown_date: str) -> list[dict]:
    data = moto_data(stack["MOTO_ENDPOINT"])
    return [m for m in data.get("ses", {}).get("Message", [])
            if dossier["applicant"]["email"] in m["destinations"]["ToAddresses"] and dossier["code"] in m["subject"]
            and "xin lỗi" in m["subject"] and shown_date in m["body"]]


def wait_for_apology_email(stack, dossier: dict, new_due: date) -> dict:
    shown, deadline = new_due.strftime("%d/%m/%Y"), time.monotonic() + EMAIL_WAIT
    while not (found := apology_emails(stack, dossier, shown)):
        if time.monotonic() > deadline:
            pytest.fail(f"no apology email for {dossier['code']} with {shown} within {EMAIL_WAIT}s")
        time.sleep(0.5)
    assert len(found) == 1, found
    return found[0]


# --------------------------------------------------------------------------- tests


def test_a_late_dossier_is_flagged_listed_and_apologised_for_once_unless_an_admin_allows_more(api, aws, stack):
    officer, admin = api("officer.hanoi"), api("admin")
    dossier = received(api)
    assert dossier["deadline_alert"] is None and dossier["apologies"] == []
    assert "apologise" not in dossier["allowed_actions"], "not late: nothing to apologise for"
    problem(officer.post(f"/dossiers/{dossier['id']}/apologise",
                         {"new_due_date": (local_today() + timedelta(days=30)).isoformat(), "reason": REASON}),
            409, "transition_not_allowed")
    assert dossier["id"] not in {d["id"] for d in overdue_queue(officer)}

    late = made_late(api, aws, stack, dossier)
    old_due = late["due_date"]
    assert late["status"] == "received" and late["version"] == dossier["version"] + 1
    assert "apologise" in late["allowed_actions"]
    listed = {d["id"]: d for d in overdue_queue(officer)}
    assert dossier["id"] in listed and listed[dossier["id"]]["due_date"] == old_due
    events = fetch(officer, dossier, "/history")["events"]
    assert [e["type"] for e in events] == ["dossier.submitted", "dossier.received", "dossier.overdue"]
    assert events[-1]["actor"]["role"] == "system" and events[-1]["payload"]["due_date"] == old_due

    new_due = working_calendar().add_working_days(local_today(), 5)
    got = act(officer, dossier, "apologise", {"new_due_date": new_due.isoformat(), "reason": REASON})
    assert (got["status"], got["due_date"], got["deadline_alert"]) == ("received", new_due.isoformat(), None)
    (letter,) = got["apologies"]
    assert (letter["form"], letter["reason"]) == ("04", REASON)
    assert (letter["previous_due_date"], letter["new_due_date"]) == (old_due, new_due.isoformat())
    assert letter["by"]["role"] == "officer"
    assert "apologise" not in got["allowed_actions"]
    assert dossier["id"] not in {d["id"] for d in overdue_queue(officer)}, "no longer late"
    issued = fetch(officer, dossier, "/history")["events"][-1]
    assert issued["type"] == "dossier.apology_issued"
    assert (issued["payload"]["previous_due_date"], issued["payload"]["due_date"]) == (old_due, new_due.isoformat())

    email = wait_for_apology_email(stack, dossier, new_due)
    assert REASON in email["body"] and "Mẫu 04" in email["body"]
    assert new_due.strftime("%d/%m/%Y") in email["body"]

    # A second letter: refused (the dossier is on time again, and the one letter allowed is written).
    later = (new_due + timedelta(days=7)).isoformat()
    problem(officer.post(f"/dossiers/{dossier['id']}/apologise", {"new_due_date": later, "reason": REASON}),
            409, "transition_not_allowed")
    # Late again: still refused, the allowance is used up.
    late_again = made_late(api, aws, stack, dossier, days_late=1)
    assert late_again["apology_allowance"] == 1 and "apologise" not in late_again["allowed_actions"]
    problem(officer.post(f"/dossiers/{dossier['id']}/apologise", {"new_due_date": later, "reason": REASON}),
            409, "transition_not_allowed")

    # Only an administrator may allow another letter, with a reason.
    problem(officer.post(f"/dossiers/{dossier['id']}/allow-apology", {"reason": "Xin thêm"}), 403)
    problem(admin.post(f"/dossiers/{dossier['id']}/allow-apology", {}), 422)
    allowed = act(admin, dossier, "allow-apology", {"reason": "Lãnh đạo UBND đồng ý gia hạn lần hai"})
    assert (allowed["apology_allowance"], allowed["status"]) == (2, "received")
    assert fetch(admin, dossier, "/history")["events"][-1]["type"] == "dossier.apology_allowed"
    assert "apologise" in fetch(officer, dossier)["allowed_actions"], "still flagged: one more letter"
    second_due = working_calendar().add_working_days(local_today(), 10)
    got = act(officer, dossier, "apologise", {"new_due_date": second_due.isoformat(), "reason": REASON})
    assert [a["new_due_date"] for a in got["apologies"]] == [new_due.isoformat(), second_due.isoformat()]
    assert got["due_date"] == second_due.isoformat()
    wait_for_apology_email(stack, dossier, second_due)


def test_allowing_another_letter_does_not_by_itself_permit_one_on_a_dossier_not_late(api, aws, stack):
    officer, admin = api("officer.hanoi"), api("admin")
    dossier = received(api)
    made_late(api, aws, stack, dossier)
    first_due = working_calendar().add_working_days(local_today(), 5)
    act(officer, dossier, "apologise", {"new_due_date": first_due.isoformat(), "reason": REASON})
    act(admin, dossier, "allow-apology", {"reason": "Cho phép thêm"})
    problem(officer.post(f"/dossiers/{dossier['id']}/apologise",
                         {"new_due_date": (first_due + timedelta(days=7)).isoformat(), "reason": REASON}),
            409, "transition_not_allowed")


def test_the_new_date_must_be_later_and_the_body_complete(api, aws, stack):
    officer = api("officer.hanoi")
    dossier = received(api)
    late = made_late(api, aws, stack, dossier)
    old_due = date.fromisoformat(late["due_date"])
    for new_due in (old_due, old_due - timedelta(days=1)):
        body = problem(officer.post(f"/dossiers/{dossier['id']}/apologise",
                                    {"new_due_date": new_due.isoformat(), "reason": REASON}), 422)
        assert [e["field"] for e in body["errors"]] == ["new_due_date"], body
    for bad in ({"reason": REASON}, {"new_due_date": "2099-01-01"}, {"new_due_date": "01/01/2099", "reason": "x"}):
        problem(officer.post(f"/dossiers/{dossier['id']}/apologise", bad), 422)
    assert fetch(officer, dossier)["apologies"] == []


def test_who_may_see_the_late_queue_and_write_the_letter(api, aws, stack):
    dossier = received(api)
    made_late(api, aws, stack, dossier)
    body = {"new_due_date": working_calendar().add_working_days(local_today(), 5).isoformat(), "reason": REASON}
    # Another agency's officer is told the dossier does not exist, and does not see it in their queue.
    stranger = api("officer.hcm")
    problem(stranger.post(f"/dossiers/{dossier['id']}/apologise", body), 404)
    assert dossier["id"] not in {d["id"] for d in stranger.get("/desk/dossiers?overdue=true").json()["items"]}
    # The applicant sees the dossier but may not write the letter, nor read the desk's queue.
    citizen = api("citizen.an")
    problem(citizen.post(f"/dossiers/{dossier['id']}/apologise", body), 403)
    problem(citizen.get("/desk/dossiers?overdue=true"), 403)
    problem(api("citizen.binh").post(f"/dossiers/{dossier['id']}/apologise", body), 404)
    problem(api("admin").post(f"/dossiers/{dossier['id']}/apologise", body), 403)
    problem(api("officer.hanoi").get("/desk/dossiers?overdue=yes"), 400)
    assert fetch(api("officer.hanoi"), dossier)["apologies"] == []


def test_a_specialist_lists_only_the_late_dossiers_they_may_see(api, aws, stack):
    dossier = received(api)  # still at the desk: no unit, no assignee
    made_late(api, aws, stack, dossier)
    specialist = api("specialist.laodong")
    problem(specialist.get(f"/dossiers/{dossier['id']}"), 404)
    assert dossier["id"] not in {d["id"] for d in overdue_queue(specialist)}
    assert dossier["id"] in {d["id"] for d in overdue_queue(api("officer.hanoi"))}, "the desk's, all the same"


def test_a_409_does_not_offer_an_apology_on_a_dossier_that_is_not_late(api):
    officer = api("officer.hanoi")
    dossier = received(api)
    assert fetch(officer, dossier)["allowed_actions"] == ["transfer"]
    body = problem(officer.post(f"/dossiers/{dossier['id']}/request-fee", FEE), 409, "transition_not_allowed")
    assert body["allowed_actions"] == ["transfer"]


def test_the_result_upload_409_offers_no_apology_on_a_dossier_not_late(api):
    officer = api("officer.hanoi")
    dossier = received(api)
    body = problem(officer.post(f"/dossiers/{dossier['id']}/results/uploads",
                                {"file_name": "ket-qua.pdf", "content_type": "application/pdf", "size": 100}),
                   409, "transition_not_allowed")
    assert body["allowed_actions"] == ["transfer"]


def test_a_409_on_a_late_dossier_offers_the_apology(api, aws, stack):
    officer = api("officer.hanoi")
    dossier = received(api)
    made_late(api, aws, stack, dossier)
    body = problem(officer.post(f"/dossiers/{dossier['id']}/request-fee", FEE), 409, "transition_not_allowed")
    assert body["allowed_actions"] == ["transfer", "apologise"]
