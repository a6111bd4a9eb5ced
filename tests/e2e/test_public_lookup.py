"""Anyone holding a dossier code follows its progress without signing in, and learns nothing about the
applicant; desk officers find a dossier by its code, inside their own agency only — over HTTP."""

from __future__ import annotations

import json
import uuid

import pytest

from .test_dossier_flow import PERSON, submission
from .test_processing import act, email, problem
from .test_results import FULL_ONLINE

pytestmark = pytest.mark.e2e

APPLICANT = {**PERSON, "full_name": "Nguyễn Văn An", "citizen_id": "001090054321", "phone": "0987654321",
             "email": "an.lookup@example.vn", "address": "48 Hàng Bài, Hoàn Kiếm, Hà Nội"}


def submit_person(api) -> dict:
    body = submission(api, "citizen.an", FULL_ONLINE)
    body["applicant"] = dict(APPLICANT)
    response = api("citizen.an").post("/dossiers", body, headers={"Idempotency-Key": str(uuid.uuid4())})
    assert response.status_code == 201, response.text
    return response.json()


def look_up(api, code: str, language: str | None = None):
    return api(None, language).get(f"/public/dossiers/{code}")


def test_anyone_follows_a_dossier_by_its_code_without_signing_in(api):
    dossier = submit_person(api)
    response = look_up(api, dossier["code"])
    assert response.status_code == 200, response.text
    assert "public" in response.headers["Cache-Control"] and "max-age=60" in response.headers["Cache-Control"]
    body = response.json()
    assert (body["code"], body["national_status"], body["status_name"]) == (dossier["code"], 1, "Mới đăng ký")
    assert body["procedure"]["code"] == FULL_ONLINE and body["procedure"]["name_vi"]
    assert body["agency"]["code"] == dossier["agency_code"] and body["agency"]["name_vi"]
    assert body["applicant_name"] == "Nguyễn V** A*"
    assert (body["submitted_at"], body["received_at"], body["appointment_date"], body["returned_at"]) == (
        dossier["submitted_at"], None, None, None)

    received = act(api("officer.hanoi"), dossier, "receive", {"note": "Đủ thành phần"})
    english = look_up(api, dossier["code"].lower(), "en").json()
    assert (english["national_status"], english["status_name"]) == (2, "Received")
    assert (english["received_at"], english["appointment_date"]) == (received["received_at"], received["due_date"])
    assert received["receipt"]["lookup_url"].endswith(f"/public/dossiers/{dossier['code']}")


def test_the_answer_carries_none_of_the_applicants_personal_data(api):
    dossier = submit_person(api)
    act(api("officer.hanoi"), dossier, "receive", {"note": "Đủ thành phần"})
    text = look_up(api, dossier["code"]).text
    for personal in (APPLICANT["full_name"], "Văn", APPLICANT["citizen_id"], APPLICANT["date_of_birth"],
                     APPLICANT["phone"], APPLICANT["email"], "Hàng Bài", dossier["id"], dossier["owner_id"],
                     dossier["summary"], "Lê Thị Hoa", "upload_id", "sha256", "officer"):
        assert personal not in text, personal
    assert set(json.loads(text)) == {"code", "procedure", "agency", "national_status", "status_name", "submitted_at",
                                     "received_at", "appointment_date", "returned_at", "applicant_name"}


@pytest.mark.parametrize("code", ["000.00.20.H26-000101-0001", "000.00.20.H99-250101-9999"])
def test_an_unknown_code_is_not_found(api, code):
    problem(look_up(api, code), 404, "dossier_not_found")


@pytest.mark.parametrize("code", ["not-a-code", "000.00.20.H26-251399-0001", "000.00.20.H26-250101-0000",
                                  "%27%20OR%201%3D1", "x" * 300])
def test_a_malformed_code_is_not_found_either(api, code):
    body = problem(look_up(api, code), 404, "dossier_not_found")
    assert body["type"].endswith("not_found")


def test_a_withdrawn_dossier_shows_national_status_7(api):
    dossier = submit_person(api)
    act(api("citizen.an"), dossier, "withdraw", {"reason": "Không còn nhu cầu"})
    body = look_up(api, dossier["code"], "en").json()
    assert (body["national_status"], body["status_name"]) == (7, "Withdrawn by the applicant")


def test_the_submission_email_points_to_the_lookup(api, stack):
    dossier = submit_person(api)
    message = email(stack, dossier, "")
    assert f"/public/dossiers/{dossier['code']}" in message["body"]


def test_desk_search_by_code_finds_exactly_it_and_only_in_the_officers_agency(api):
    dossier, other = submit_person(api), submit_person(api)
    found = api("officer.hanoi").get("/desk/dossiers", params={"code": dossier["code"].lower()})
    assert found.status_code == 200, found.text
    assert [d["id"] for d in found.json()["items"]] == [dossier["id"]]
    assert found.json()["filters"] == {"code": dossier["code"]} and found.json()["next_cursor"] is None
    assert other["id"] not in [d["id"] for d in found.json()["items"]]

    elsewhere = api("officer.hcm").get("/desk/dossiers", params={"code": dossier["code"]})
    assert elsewhere.status_code == 200, elsewhere.text
    assert elsewhere.json()["items"] == []

    narrowed = api("officer.hanoi").get("/desk/dossiers", params={"code": dossier["code"], "status": "received"})
    assert narrowed.json()["items"] == []


def test_a_malformed_desk_code_is_a_field_error(api):
    body = problem(api("officer.hanoi").get("/desk/dossiers", params={"code": "HS-2025-1"}), 400, "bad_query")
    assert [(e["field"], e["code"]) for e in body["errors"]] == [("code", "field.dossier_code")]
