"""A citizen submits online and a desk officer receives, asks for a supplement or refuses — over HTTP."""

from __future__ import annotations

import re
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime

import pytest

from chalicelib.domain.calendar import LOCAL_TZ
from chalicelib.services.dossiers import working_calendar

from .conftest import JPEG, PNG

pytestmark = pytest.mark.e2e

WORK_PERMIT = "1.014199"  # Hà Nội Department of Labour (000.00.20.H26)
PERSON = {"type": "person", "full_name": "Nguyễn Văn An", "citizen_id": "001090012345",
          "date_of_birth": "1990-05-12", "phone": "0912345678", "email": "an.nguyen@example.vn",
          "address": "12 Phố Huế, Hai Bà Trưng, Hà Nội"}
BUSINESS = {"type": "business", "name": "Công ty TNHH Ví Dụ", "tax_code": "0100109106",
            "address": "1 Trần Hưng Đạo, Hoàn Kiếm, Hà Nội", "phone": "02438253000",
            "email": "hr@example.vn", "representative": {"full_name": "Lê Văn Cường", "position": "Giám đốc"}}


def applicant_for(procedure: dict) -> dict:
    return BUSINESS if "business" in procedure["applicant_types"] else PERSON


def upload_for(client, procedure: dict, component_id: str) -> str:
    """A verified upload of a file type the component accepts."""
    spec = next(c for c in procedure["components"] if c["id"] == component_id)
    if "application/pdf" in spec["accepted_types"]:
        return client.uploaded(procedure["code"], component_id)
    if "image/png" in spec["accepted_types"]:
        return client.uploaded(procedure["code"], component_id, content=PNG, content_type="image/png")
    return client.uploaded(procedure["code"], component_id, content=JPEG, content_type="image/jpeg")


def submission(api, citizen: str, code: str = WORK_PERMIT, skip: tuple[str, ...] = ()) -> dict:
    """A complete submission body for `code`, with every required component uploaded and verified."""
    client = api(citizen)
    procedure = client.get(f"/procedures/{code}").json()
    components = [{"component_id": c["id"], "upload_ids": [upload_for(client, procedure, c["id"])]}
                  for c in procedure["components"] if c["required"] and c["id"] not in skip]
    delivery = {"method": "online"} if procedure["online_level"] == "full" else {"method": "desk"}
    return {"procedure_code": code, "applicant": applicant_for(procedure), "summary": "Hồ sơ thử nghiệm",
            "components": components, "delivery": delivery}


def submit(api, citizen: str = "citizen.an", code: str = WORK_PERMIT, **kwargs) -> dict:
    response = api(citizen).post("/dossiers", submission(api, citizen, code, **kwargs),
                                 headers={"Idempotency-Key": str(uuid.uuid4())})
    assert response.status_code == 201, response.text
    return response.json()


def test_citizen_submits_with_uploads_and_officer_receives_with_appointment_date(api):
    citizen, officer = api("citizen.an"), api("officer.hanoi")
    catalogue = api().get("/procedures?field=foreign-workers").json()["items"]
    assert WORK_PERMIT in {p["code"] for p in catalogue}

    dossier = submit(api)
    today = datetime.now(UTC).astimezone(LOCAL_TZ).strftime("%y%m%d")
    assert re.fullmatch(rf"000\.00\.20\.H26-{today}-\d{{4}}", dossier["code"])
    assert (dossier["status"], dossier["national_status"], dossier["channel"]) == ("submitted", 1, 2)
    assert dossier["procedure_code"] == WORK_PERMIT and dossier["submitted_at"]
    assert all(f["sha256"] and len(f["sha256"]) == 64 for c in dossier["components"] for f in c["files"])

    mine = citizen.get("/dossiers").json()["items"]
    assert mine[0]["id"] == dossier["id"], "newest first"
    queue = officer.get("/desk/dossiers?status=submitted&limit=100").json()["items"]
    assert dossier["id"] in {d["id"] for d in queue}

    received_at = datetime.now(UTC)
    response = officer.post(f"/dossiers/{dossier['id']}/receive", {"note": "Đủ thành phần"})
    assert response.status_code == 200, response.text
    received = response.json()
    assert (received["status"], received["national_status"]) == ("received", 2)
    expected_due = working_calendar().due_date(received_at, 10, "working_days")
    assert date.fromisoformat(received["due_date"]) == expected_due
    assert received["receipt"]["form"] == "01"
    assert received["receipt"]["appointment_date"] == received["due_date"]
    assert received["receipt"]["dossier_code"] == dossier["code"]

    history = citizen.get(f"/dossiers/{dossier['id']}/history").json()["events"]
    assert [e["type"] for e in history] == ["dossier.submitted", "dossier.received"]
    assert [e["seq"] for e in history] == [1, 2]
    assert history[1]["actor"]["role"] == "officer" and history[1]["actor"]["agency_code"] == "000.00.20.H26"
    assert history[0]["at"] <= history[1]["at"]
    assert citizen.get(f"/dossiers/{dossier['id']}").json()["due_date"] == received["due_date"]


def test_supplement_round_trip_lists_everything_at_once_and_accepts_the_completed_dossier(api):
    citizen, officer = api("citizen.an"), api("officer.hanoi")
    dossier = submit(api)
    required = [c["component_id"] for c in dossier["components"]][:2]
    asked = officer.post(f"/dossiers/{dossier['id']}/request-supplement", {
        "items": [{"component_id": cid, "reason": "Bản chụp không rõ nét"} for cid in required],
        "note": "Vui lòng bổ sung trong 10 ngày"})
    assert asked.status_code == 200, asked.text
    assert (asked.json()["status"], asked.json()["national_status"]) == ("supplement_requested", 5)
    assert [i["component_id"] for i in asked.json()["supplement_requests"][0]["items"]] == required

    assert officer.post(f"/dossiers/{dossier['id']}/receive", {}).status_code == 409

    procedure = citizen.get(f"/procedures/{WORK_PERMIT}").json()
    partial = citizen.post(f"/dossiers/{dossier['id']}/resubmit", {
        "components": [{"component_id": required[0], "upload_ids": [upload_for(citizen, procedure, required[0])]}]})
    assert partial.status_code == 422
    assert any(e["code"] == "supplement.component_missing" for e in partial.json()["errors"])

    complete = citizen.post(f"/dossiers/{dossier['id']}/resubmit", {
        "components": [{"component_id": cid, "upload_ids": [upload_for(citizen, procedure, cid)]}
                       for cid in required],
        "note": "Đã bổ sung"})
    assert complete.status_code == 200, complete.text
    assert complete.json()["status"] == "submitted"
    files = {c["component_id"]: len(c["files"]) for c in complete.json()["components"]}
    assert all(files[cid] == 2 for cid in required), "earlier files stay on record"

    received = officer.post(f"/dossiers/{dossier['id']}/receive", {})
    assert received.status_code == 200, received.text
    types = [e["type"] for e in citizen.get(f"/dossiers/{dossier['id']}/history").json()["events"]]
    assert types == ["dossier.submitted", "dossier.supplement_requested", "dossier.resubmitted",
                     "dossier.received"]


def test_refusal_needs_a_reason_and_ends_the_dossier(api):
    officer = api("officer.hanoi")
    dossier = submit(api)
    no_reason = officer.post(f"/dossiers/{dossier['id']}/refuse", {"reason": "  "})
    assert no_reason.status_code == 422
    assert no_reason.json()["errors"][0]["field"] == "reason"
    refused = officer.post(f"/dossiers/{dossier['id']}/refuse", {"reason": "Không thuộc thẩm quyền giải quyết"})
    assert refused.status_code == 200, refused.text
    assert (refused.json()["status"], refused.json()["national_status"]) == ("refused", 3)
    assert refused.json()["refusal"]["form"] == "03"
    again = officer.post(f"/dossiers/{dossier['id']}/receive", {})
    assert again.status_code == 409
    assert again.headers["Content-Type"].startswith("application/problem+json")
    assert again.json()["allowed_actions"] == []


def test_a_second_citizen_cannot_see_or_touch_the_first_ones_dossier(api):
    dossier = submit(api, "citizen.an")
    other = api("citizen.binh")
    for response in (other.get(f"/dossiers/{dossier['id']}"), other.get(f"/dossiers/{dossier['id']}/history"),
                     other.post(f"/dossiers/{dossier['id']}/resubmit",
                                {"components": [{"component_id": "x", "upload_ids": ["y"]}]})):
        assert response.status_code == 404, response.text
        assert response.json()["type"].endswith("not_found")
    assert dossier["id"] not in {d["id"] for d in other.get("/dossiers?limit=100").json()["items"]}


def test_an_officer_of_another_agency_cannot_see_or_act_on_the_dossier(api):
    dossier = submit(api)
    stranger = api("officer.hcm")
    assert stranger.get(f"/dossiers/{dossier['id']}").status_code == 404
    for action, body in (("receive", {}), ("refuse", {"reason": "x"}),
                         ("request-supplement", {"items": [{"component_id": "a", "reason": "b"}]})):
        assert stranger.post(f"/dossiers/{dossier['id']}/{action}", body).status_code == 404
    queue = stranger.get("/desk/dossiers?limit=100").json()
    assert queue["agency_code"] == "000.00.20.H29"
    assert dossier["id"] not in {d["id"] for d in queue["items"]}
    assert api("officer.hanoi").get(f"/dossiers/{dossier['id']}").status_code == 200


def test_a_citizen_may_not_act_as_an_officer(api):
    dossier = submit(api)
    response = api("citizen.an").post(f"/dossiers/{dossier['id']}/receive", {})
    assert response.status_code == 403
    assert api("citizen.an").get("/desk/dossiers").status_code == 403


def test_retries_with_the_same_idempotency_key_return_the_same_dossier(api):
    citizen = api("citizen.an")
    body = submission(api, "citizen.an")
    key = str(uuid.uuid4())
    first = citizen.post("/dossiers", body, headers={"Idempotency-Key": key})
    second = citizen.post("/dossiers", body, headers={"Idempotency-Key": key})
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] == second.json()["id"] and first.json()["code"] == second.json()["code"]
    assert second.headers.get("Idempotent-Replayed") == "true"
    changed = citizen.post("/dossiers", {**body, "summary": "khác"}, headers={"Idempotency-Key": key})
    assert changed.status_code == 422 and changed.json()["code"] == "idempotency_key_reused"


def test_concurrent_retries_create_exactly_one_dossier(api, make_user):
    citizen = api(make_user("citizen"))
    body = submission(lambda _user=None: citizen, None)
    key = str(uuid.uuid4())
    with ThreadPoolExecutor(max_workers=8) as pool:
        responses = list(pool.map(lambda _: citizen.post("/dossiers", body, headers={"Idempotency-Key": key}),
                                  range(8)))
    assert {r.status_code for r in responses} == {201}, [r.text for r in responses if r.status_code != 201]
    assert len({r.json()["id"] for r in responses}) == 1
    assert len(citizen.get("/dossiers").json()["items"]) == 1


def test_concurrent_submissions_get_unique_consecutive_codes(api, make_user):
    citizens = [api(make_user("citizen")) for _ in range(6)]
    bodies = [submission(lambda _user=None, c=c: c, None) for c in citizens]

    def go(i: int):
        return citizens[i].post("/dossiers", bodies[i], headers={"Idempotency-Key": str(uuid.uuid4())})

    with ThreadPoolExecutor(max_workers=6) as pool:
        responses = list(pool.map(go, range(6)))
    assert {r.status_code for r in responses} == {201}
    sequences = sorted(int(r.json()["code"].rsplit("-", 1)[1]) for r in responses)
    assert len(set(sequences)) == 6
    assert sequences == list(range(sequences[0], sequences[0] + 6))


def test_two_officers_acting_at_once_one_wins_the_other_gets_409(api, make_user):
    dossier = submit(api)
    first, second = api("officer.hanoi"), api(make_user("officer", "000.00.20.H26"))
    with ThreadPoolExecutor(max_workers=2) as pool:
        receive = pool.submit(first.post, f"/dossiers/{dossier['id']}/receive", {})
        refuse = pool.submit(second.post, f"/dossiers/{dossier['id']}/refuse", {"reason": "Trùng hồ sơ"})
        statuses = sorted([receive.result().status_code, refuse.result().status_code])
    assert statuses == [200, 409]
    history = first.get(f"/dossiers/{dossier['id']}/history").json()["events"]
    assert len(history) == 2, "exactly one of the two actions was recorded"


def test_stale_if_match_is_refused_with_409(api):
    dossier = submit(api)
    response = api("officer.hanoi").post(f"/dossiers/{dossier['id']}/receive", {}, headers={"If-Match": '"7"'})
    assert response.status_code == 409
