"""Papers given once over HTTP (docs/papers.md): a citizen's first dossier puts its files in their store; a second
dossier reuses one instead of an upload, records it, and the scorecard counts the reuse; nobody else sees or reuses
it; a desk officer reuses a walk-in applicant's papers by ID number, every such read in the access log; an expired
paper is refused on its field."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime

import pytest

from chalicelib.domain.papers import add_months, local_day

from .test_dossier_flow import submission, upload_for
from .test_events import wait_for
from .test_processing import HANOI, UNIT, act, problem
from .test_results import approve, issue, result_upload, submit_for

pytestmark = pytest.mark.e2e

WORK_PERMIT = "1.014199"  # Hà Nội: health certificate, criminal record, photos... (business applicants)
REISSUE = "1.014200"  # Hà Nội: a form and photos (the current permit and the change optional)
RELATIVES = "1.010833"  # Hà Nội, person applicants: a form and the proof of the relationship
HCM = "000.00.20.H29"


def _submit(client, body: dict):
    return client.post("/dossiers", body, headers={"Idempotency-Key": str(uuid.uuid4())})


def _papers(client, path: str = "/me/papers", **query) -> dict:
    response = client.get(path, params=query)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.fixture(scope="module")
def first(api, make_user) -> dict:
    """A new citizen's first dossier, every required component uploaded."""
    citizen = make_user("citizen")
    response = _submit(api(citizen), submission(api, citizen, WORK_PERMIT))
    assert response.status_code == 201, response.text
    return {"citizen": citizen, "dossier": response.json()}


def _file_of(dossier: dict, component_id: str) -> dict:
    return next(c for c in dossier["components"] if c["component_id"] == component_id)["files"][0]


def _reused(client) -> float:
    return client.get("/metrics/scorecard", params={"agency": HANOI}).json()["counters"].get("reused", 0)


def test_a_second_dossier_reuses_a_stored_paper_and_the_scorecard_counts_it(api, first):
    client, dossier = api(first["citizen"]), first["dossier"]
    photo = _file_of(dossier, "photos")
    store = _papers(client)
    assert store["owner"] == "account" and store["next_cursor"] is None
    papers = {p["id"]: p for p in store["items"]}
    assert set(papers) == {f["upload_id"] for c in dossier["components"] for f in c["files"]}
    paper = papers[photo["upload_id"]]
    today = local_day(datetime.now(UTC))
    assert (paper["type"], paper["source"], paper["dossier_code"], paper["component_id"], paper["valid"]) == (
        "photos", "component", dossier["code"], "photos", True)
    assert paper["valid_until"] == add_months(today, 6).isoformat()  # photos: 6 months (data/paper_types.json)
    assert paper["file"]["sha256"] == photo["sha256"]
    assert _papers(client, type="1.014199:application-form")["items"][0]["component_id"] == "application-form"
    offered = _papers(client, procedure=REISSUE)["items"]
    assert [(p["id"], p["fits"]) for p in offered] == [(paper["id"], ["photos"])]  # a form is its dossier's own

    public = api()
    before = _reused(public)
    procedure = client.get(f"/procedures/{REISSUE}").json()
    body = {"procedure_code": REISSUE, "applicant": dossier["applicant"], "summary": "Cấp lại giấy phép lao động",
            "delivery": {"method": "desk"},
            "components": [{"component_id": "application-form",
                            "upload_ids": [upload_for(client, procedure, "application-form")]},
                           {"component_id": "photos", "papers": [paper["id"]]}]}
    response = _submit(client, body)
    assert response.status_code == 201, response.text
    second = response.json()
    reused = _file_of(second, "photos")
    # The same stored object, as if uploaded and verified again; the dossier records which paper it was.
    assert reused == {**photo, "paper_id": paper["id"]}
    assert second["reusable_components"] == ["photos"]
    link = client.get(f"/dossiers/{second['id']}/files/{reused['upload_id']}")
    assert link.status_code == 200 and link.json()["url"], link.text
    # One paper more, the new form's: the reused photo is the same paper, not a second one.
    assert [p["id"] for p in _papers(client)["items"]].count(photo["upload_id"]) == 1
    assert len(_papers(client)["items"]) == len(papers) + 1

    officer = api("officer.hanoi")
    assert officer.post(f"/dossiers/{second['id']}/receive", {"note": ""}).status_code == 200
    wait_for(lambda: _reused(public) >= before + 1, 45, "the reuse to be counted")
    card = public.get("/metrics/scorecard", params={"agency": HANOI}).json()
    reuse = next(i for g in card["groups"] for i in g["indicators"] if i["id"] == "digitisation.reuse")
    assert reuse["has_data"] and reuse["numerator"] >= 1
    assert next(t for t in card["targets"] if t["id"] == "target.reuse")["has_data"]


def test_another_citizen_can_neither_see_nor_reuse_the_paper(api, make_user, first):
    photo = _file_of(first["dossier"], "photos")
    other = api(make_user("citizen"))
    assert _papers(other)["items"] == []
    problem(other.get(f"/me/papers/{photo['upload_id']}/file"), 404, "paper_not_found")
    assert api(first["citizen"]).get(f"/me/papers/{photo['upload_id']}/file").status_code == 200
    procedure = other.get(f"/procedures/{REISSUE}").json()
    body = {"procedure_code": REISSUE, "applicant": first["dossier"]["applicant"], "summary": "Thử dùng giấy tờ",
            "delivery": {"method": "desk"},
            "components": [{"component_id": "application-form",
                            "upload_ids": [upload_for(other, procedure, "application-form")]},
                           {"component_id": "photos", "papers": [photo["upload_id"]]}]}
    refused = problem(_submit(other, body), 422)
    assert [(e["field"], e["code"]) for e in refused["errors"]] == [("components[1].papers[0]", "paper.not_found")]
    # Staff have no store of their own, and a citizen is not a desk officer.
    problem(api("officer.hanoi").get("/me/papers"), 403, "role_not_allowed")
    problem(other.get("/desk/applicants/001090012345/papers"), 403, "role_not_allowed")


def test_an_expired_paper_is_refused_on_its_field(api, aws, stack, first):
    client = api(first["citizen"])
    paper = next(p for p in _papers(client)["items"] if p["type"] == "health-certificate")
    # As the passing of a year would: the certificate's validity ended yesterday.
    aws("dynamodb").update_item(
        TableName=stack["PAPERS_TABLE"], Key={"owner": {"S": f"acct#{_sub(client)}"}, "paper_id": {"S": paper["id"]}},
        UpdateExpression="SET #d.valid_until = :v", ExpressionAttributeNames={"#d": "doc"},
        ExpressionAttributeValues={":v": {"S": "2026-01-01"}})
    assert next(p for p in _papers(client)["items"] if p["id"] == paper["id"])["valid"] is False
    body = submission(api, first["citizen"], WORK_PERMIT, skip=("health-certificate",))
    body["components"].append({"component_id": "health-certificate", "papers": [paper["id"]]})
    refused = problem(_submit(client, body), 422)
    field = f"components[{len(body['components']) - 1}].papers[0]"
    assert [(e["field"], e["code"], e["params"]["valid_until"]) for e in refused["errors"]] == [
        (field, "paper.expired", "2026-01-01")]


def test_a_returned_work_permit_enters_the_store_and_stands_in_for_the_current_permit(api, make_user):
    citizen = make_user("citizen")
    client, officer = api(citizen), api("officer.hanoi")
    dossier = submit_for(api, WORK_PERMIT, {"method": "desk"}, citizen)
    act(officer, dossier, "receive", {"note": ""})
    act(officer, dossier, "transfer", {"unit": UNIT})
    act(api("leader.hanoi"), dossier, "assign", {"specialist": "specialist.hanoi"})
    approve(api, dossier)
    result_id, _ = result_upload(api("specialist.hanoi"), dossier)
    issue(api, dossier, result_id)
    # Issued, not yet returned: the applicant may not have it yet, so neither has their store.
    assert result_id not in {p["id"] for p in _papers(client)["items"]}
    returned = act(officer, dossier, "return-at-desk", {"received_by": "Lê Văn Cường"})
    result = next(r for r in returned["results"] if r["upload_id"] == result_id)
    permit = next(p for p in _papers(client)["items"] if p["id"] == result_id)
    today = local_day(datetime.now(UTC))
    assert (permit["type"], permit["source"], permit["component_id"], permit["name_vi"]) == (
        "work-permit", "result", None, "Giấy phép lao động")
    assert permit["valid_until"] == add_months(today, 24).isoformat()  # a work permit: 24 months from its issue
    assert permit["file"]["sha256"] == result["sha256"]  # the signed document, as issued

    # The re-issuance asks for the current permit: the one the platform issued stands in for it.
    offered = {p["id"]: p["fits"] for p in _papers(client, procedure=REISSUE)["items"]}
    assert offered[result_id] == ["current-work-permit"]
    body = submission(api, citizen, REISSUE)
    body["components"].append({"component_id": "current-work-permit", "papers": [result_id]})
    response = _submit(client, body)
    assert response.status_code == 201, response.text
    assert _file_of(response.json(), "current-work-permit")["paper_id"] == result_id


def _sub(client) -> str:
    return client.get("/me").json()["id"]


def test_a_desk_officer_reuses_a_walk_in_applicants_papers_by_id_number_and_each_read_is_logged(api, make_user):
    citizen_id = f"00109{random.randrange(10**7):07d}"  # born in 1990 (gender/century 0, year 9x), Hà Nội
    person = {"type": "person", "full_name": "Phạm Văn Khách", "citizen_id": citizen_id,
              "date_of_birth": f"199{citizen_id[5]}-04-02", "address": "3 Lý Thái Tổ, Hà Nội"}
    desk = api("officer.hanoi")
    procedure = desk.get(f"/procedures/{RELATIVES}").json()
    body = {"procedure_code": RELATIVES, "applicant": person, "summary": "Xác nhận thân nhân",
            "delivery": {"method": "desk"},
            "components": [{"component_id": c, "upload_ids": [upload_for(desk, procedure, c)]}
                           for c in ("application-form", "relationship-proof")]}
    response = _submit(desk, body)
    assert response.status_code == 201, response.text
    walk_in = response.json()
    proof = _file_of(walk_in, "relationship-proof")

    # Another agency's desk officer, the person in front of them: the papers held for that ID number.
    elsewhere = api(make_user("officer", HCM))
    found = _papers(elsewhere, f"/desk/applicants/{citizen_id}/papers")
    assert found["owner"] == "id_number"
    assert {p["id"] for p in found["items"]} == {f["upload_id"] for c in walk_in["components"] for f in c["files"]}
    log = desk.get(f"/dossiers/{walk_in['id']}/access-log").json()["items"]
    assert any(e["route"] == "GET /desk/applicants/{id_number}/papers"
               and e["reader"]["agency_code"] == HCM for e in log), log

    body = {**body, "components": [body["components"][0],
                                   {"component_id": "relationship-proof", "papers": [proof["upload_id"]]}]}
    body["components"][0] = {"component_id": "application-form",
                             "upload_ids": [upload_for(desk, procedure, "application-form")]}
    again = _submit(desk, body)
    assert again.status_code == 201, again.text
    assert _file_of(again.json(), "relationship-proof")["paper_id"] == proof["upload_id"]
    assert again.json()["reusable_components"] == ["relationship-proof"]

    # An account that types the same citizen ID opens nothing of that ID number's store.
    claimant = api(make_user("citizen"))
    profile = {k: person[k] for k in ("full_name", "citizen_id", "date_of_birth", "address")}
    assert claimant.request("PUT", "/me/profile", json=profile).status_code == 200
    assert _papers(claimant)["items"] == []
    problem(desk.get("/desk/applicants/12345/papers"), 400, "bad_request_value")
