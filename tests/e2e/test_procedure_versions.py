"""Publishing procedure versions over real HTTP: an administrator publishes, the server numbers the
version, the version in effect today (Asia/Ho_Chi_Minh) is what new dossiers and uploads meet, a
future version waits for its date, and a dossier keeps the version it was submitted under."""

from __future__ import annotations

import copy
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from chalicelib.domain.calendar import LOCAL_TZ, WorkingCalendar

from .test_dossier_flow import BUSINESS, submission
from .test_uploads import errors_of

pytestmark = pytest.mark.e2e

# Hồ Chí Minh City, exemption from a work permit: no other end-to-end module publishes or submits it.
CODE = "1.014196"
HCM_OFFICER = "officer.hcm"


def local_today() -> date:
    return datetime.now(UTC).astimezone(LOCAL_TZ).date()


def publishable(procedure: dict, **changes) -> dict:
    """GET's shape without what the server sets itself (version, code_source), plus `changes`."""
    definition = {k: copy.deepcopy(v) for k, v in procedure.items() if k not in ("version", "code_source")}
    return {**definition, **changes}


def component(component_id: str, required: bool = True) -> dict:
    return {"id": component_id, "name_vi": f"Tài liệu {component_id}", "name_en": f"Document {component_id}",
            "required": required, "accepted_types": ["application/pdf"], "max_size_bytes": 1024 * 1024}


def stored_versions(aws, stack) -> list[int]:
    items = aws("dynamodb").query(TableName=stack["PROCEDURES_TABLE"], KeyConditionExpression="code = :c",
                        ExpressionAttributeValues={":c": {"S": CODE}}, ConsistentRead=True)["Items"]
    return sorted(int(item["version"]["N"]) for item in items)


def catalogue_entry(api) -> dict:
    items = api().get("/procedures?agency=000.00.20.H29&field=foreign-workers&limit=100").json()["items"]
    return next(p for p in items if p["code"] == CODE)


def test_a_new_version_takes_effect_today_and_earlier_dossiers_keep_theirs(api, make_user):
    admin, citizen_name = api("admin"), make_user("citizen")
    citizen = api(citizen_name)
    before = api().get(f"/procedures/{CODE}").json()
    previous = before["version"]

    response = citizen.post("/dossiers", submission(api, citizen_name, CODE),
                            headers={"Idempotency-Key": str(uuid.uuid4())})
    assert response.status_code == 201, response.text
    dossier = response.json()
    assert dossier["procedure_version"] == previous

    today = local_today()
    new = publishable(before, effective_date=today.isoformat(), name_en=before["name_en"] + " (amended)",
                      processing_time={"value": before["processing_time"]["value"] + 10, "unit": "working_days"},
                      components=[*before["components"], component("sworn-statement")])
    published = admin.post("/procedures", new)
    assert published.status_code == 201, published.text
    assert published.json()["version"] == previous + 1
    assert published.headers["Location"] == f"/procedures/{CODE}?version={previous + 1}"
    assert publishable(published.json()) == new

    current = api().get(f"/procedures/{CODE}").json()
    assert (current["version"], current["effective_date"]) == (previous + 1, today.isoformat())
    assert "sworn-statement" in {c["id"] for c in current["components"]}
    assert api().get(f"/procedures/{CODE}?version={previous}").json() == before
    assert catalogue_entry(api)["version"] == previous + 1

    # New work meets the new version: its extra component is required and may be uploaded.
    attempt = citizen.post("/dossiers", {**submission_stub(), "procedure_code": CODE},
                           headers={"Idempotency-Key": str(uuid.uuid4())})
    missing = [e["params"]["component_id"] for e in attempt.json()["errors"] if e["code"] == "component.missing"]
    assert "sworn-statement" in missing, attempt.text
    assert citizen.post("/uploads", {"procedure_code": CODE, "component_id": "sworn-statement",
                                     "file_name": "cam-ket.pdf", "content_type": "application/pdf",
                                     "size": 1000}).status_code == 201

    # The dossier submitted before keeps its version, and is received under it.
    assert citizen.get(f"/dossiers/{dossier['id']}").json()["procedure_version"] == previous
    received_at = datetime.now(UTC)
    received = api(HCM_OFFICER).post(f"/dossiers/{dossier['id']}/receive", {})
    assert received.status_code == 200, received.text
    receipt = received.json()["receipt"]
    assert receipt["procedure"]["version"] == previous
    assert receipt["processing_time"] == before["processing_time"]
    expected_due = WorkingCalendar().due_date(received_at, before["processing_time"]["value"],
                                              before["processing_time"]["unit"])
    assert date.fromisoformat(received.json()["due_date"]) == expected_due

    # A version effective in the future is stored and readable, but not in effect yet.
    later = today + timedelta(days=30)
    future = publishable(current, effective_date=later.isoformat(),
                         components=[*current["components"], component("future-annex")])
    scheduled = admin.post("/procedures", future)
    assert scheduled.status_code == 201, scheduled.text
    assert scheduled.json()["version"] == previous + 2
    assert api().get(f"/procedures/{CODE}").json()["version"] == previous + 1
    assert api().get(f"/procedures/{CODE}?version={previous + 2}").json()["effective_date"] == later.isoformat()
    assert catalogue_entry(api)["version"] == previous + 1
    not_yet = citizen.post("/uploads", {"procedure_code": CODE, "component_id": "future-annex",
                                        "file_name": "phu-luc.pdf", "content_type": "application/pdf", "size": 1000})
    assert errors_of(not_yet) == [("component_id", "component.unknown")]


def submission_stub() -> dict:
    """A structurally valid body whose only upload does not exist: enough to see the rules of the version."""
    return {"applicant": BUSINESS, "summary": "Kiểm tra phiên bản", "delivery": {"method": "desk"},
            "components": [{"component_id": "application-form", "upload_ids": ["01NOSUCHUPLOAD0000000000000"]}]}


@pytest.mark.parametrize(("who", "status"), [("citizen.an", 403), (HCM_OFFICER, 403), ("officer.hanoi", 403),
                                             (None, 401)])
def test_only_administrators_publish(api, aws, stack, who, status):
    current = api().get(f"/procedures/{CODE}").json()
    versions = stored_versions(aws, stack)
    response = api(who).post("/procedures", publishable(current, effective_date=local_today().isoformat()))
    assert errors_of(response, status) == []
    assert response.json()["code"] == ("role_not_allowed" if status == 403 else "token_missing")
    assert stored_versions(aws, stack) == versions


def _first_component(definition: dict, **changes) -> dict:
    changed = copy.deepcopy(definition)
    changed["components"][0].update(changes)
    return changed


INVALID_DEFINITIONS = [
    pytest.param(lambda d: {**d, "components": [{**c, "required": False} for c in d["components"]]},
                 ("components", "procedure.no_required_component"), id="no-required-component"),
    pytest.param(lambda d: {**d, "legal_basis": []}, ("legal_basis", "field.too_short"), id="no-legal-basis"),
    pytest.param(lambda d: {**d, "components": [d["components"][0], *d["components"]]},
                 ("components[1].id", "component.duplicate"), id="duplicate-component-id"),
    pytest.param(lambda d: _first_component(d, id="Bad_Id"), ("components[0].id", "field.invalid"),
                 id="component-id-not-slug"),
    pytest.param(lambda d: _first_component(d, accepted_types=["image/gif"]),
                 ("components[0].accepted_types[0]", "field.choice"), id="unaccepted-mime-type"),
    pytest.param(lambda d: _first_component(d, max_size_bytes=0), ("components[0].max_size_bytes", "field.range"),
                 id="zero-max-size"),
    pytest.param(lambda d: {**d, "components": []}, ("components", "field.too_short"), id="no-components"),
    pytest.param(lambda d: {**d, "code": "1.0141960"}, ("code", "field.invalid"), id="malformed-code"),
    pytest.param(lambda d: {k: v for k, v in d.items() if k != "name_vi"}, ("name_vi", "field.required"),
                 id="missing-name"),
    pytest.param(lambda d: {**d, "version": 99}, ("version", "field.unknown"), id="client-chosen-version"),
    pytest.param(lambda d: {**d, "effective_date": "2026-02-30"}, ("effective_date", "field.date"),
                 id="impossible-date"),
    pytest.param(lambda d: {**d, "processing_time": {"value": 0, "unit": "working_days"}},
                 ("processing_time.value", "field.range"), id="zero-processing-time"),
    pytest.param(lambda d: {**d, "processing_time": {"value": 5, "unit": "fortnights"}},
                 ("processing_time.unit", "field.choice"), id="unknown-time-unit"),
    pytest.param(lambda d: {**d, "applicant_types": ["robot"]}, ("applicant_types[0]", "field.choice"),
                 id="unknown-applicant-type"),
    pytest.param(lambda d: {**d, "online_level": "mostly"}, ("online_level", "field.choice"), id="online-level"),
    pytest.param(lambda d: {**d, "agency_code": "../H29"}, ("agency_code", "field.invalid"), id="agency-code"),
]


@pytest.mark.parametrize(("mutate", "expected"), INVALID_DEFINITIONS)
def test_an_invalid_definition_is_422_and_publishes_nothing(api, aws, stack, mutate, expected):
    current = api().get(f"/procedures/{CODE}").json()
    versions = stored_versions(aws, stack)
    response = api("admin").post("/procedures", mutate(publishable(current, effective_date=local_today().isoformat())))
    assert expected in errors_of(response)
    assert stored_versions(aws, stack) == versions


def test_a_new_version_keeps_the_verified_national_code(api):
    current = api().get(f"/procedures/{CODE}").json()
    assert current["code_source"] == "verified"
    published = api("admin").post("/procedures", publishable(current, effective_date=local_today().isoformat()))
    assert published.status_code == 201, published.text
    assert published.json()["code_source"] == "verified"
