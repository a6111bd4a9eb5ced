"""The stack's API driven directly, for the steps a browser test is not about: a dossier already submitted, so a
test of the desk or of the public pages starts where its subject starts."""

from __future__ import annotations

import json
import uuid
from typing import Any

import boto3
import requests

from scripts.pool_sign_in import id_token as pool_id_token
from tests.e2e.conftest import PASSWORD, REPO_ROOT, Api

PROCEDURE = "1.001978"
EXAMPLES = REPO_ROOT / "examples"
FILES = EXAMPLES / "files"


def id_token(stack: dict[str, str], username: str) -> str:
    """An ID token from the stack's pools, as the client's sign-in page gets one (USER_PASSWORD_AUTH, and the
    TOTP code for staff)."""
    idp = boto3.client("cognito-idp", endpoint_url=stack["MOTO_ENDPOINT"], region_name="ap-southeast-1",
                       aws_access_key_id="local", aws_secret_access_key="local")
    return pool_id_token(idp, stack, username, PASSWORD)


def submitted_dossier(stack: dict[str, str], username: str = "citizen.an") -> dict[str, Any]:
    """examples/submission-person.json submitted with examples/files/application-form.pdf for every component:
    uploads (presigned POST, verified), then POST /dossiers with an Idempotency-Key. Returns the dossier."""
    api = Api(stack["API_URL"], id_token(stack, username))
    body = json.loads((EXAMPLES / "submission-person.json").read_text())
    pdf = (FILES / "application-form.pdf").read_bytes()
    for component in body["components"]:
        component["upload_ids"] = [api.uploaded(PROCEDURE, component["component_id"], content=pdf)]
    created = api.post("/dossiers", body, headers={"Idempotency-Key": str(uuid.uuid4())})
    assert created.status_code == 201, created.text
    return created.json()


def act(stack: dict[str, str], username: str, dossier: dict[str, Any], action: str,
        body: dict[str, Any] | None = None) -> dict[str, Any]:
    """`username` takes `action` (the path segment, e.g. "issue-result") on the dossier; returns the dossier after."""
    done = Api(stack["API_URL"], id_token(stack, username)).post(f"/dossiers/{dossier['id']}/{action}", body or {})
    assert done.status_code == 200, f"{action}: {done.status_code} {done.text}"
    return done.json()


def uploaded_result(stack: dict[str, str], dossier: dict[str, Any], username: str = "specialist.hanoi") -> str:
    """examples/files/result.pdf uploaded as the dossier's result by staff (presigned POST, verified); its id."""
    api = Api(stack["API_URL"], id_token(stack, username))
    pdf = (FILES / "result.pdf").read_bytes()
    ticket = api.post(f"/dossiers/{dossier['id']}/results/uploads",
                      {"file_name": "result.pdf", "content_type": "application/pdf", "size": len(pdf)})
    assert ticket.status_code == 201, ticket.text
    target = ticket.json()["upload"]
    stored = requests.post(target["url"], data=target["fields"], files={"file": ("result.pdf", pdf, "application/pdf")},
                           timeout=30)
    assert stored.status_code in (200, 201, 204), stored.text
    verified = api.post(f"/uploads/{ticket.json()['id']}/complete")
    assert verified.status_code == 200, verified.text
    return ticket.json()["id"]


def returned_dossier(stack: dict[str, str], username: str = "citizen.an") -> dict[str, Any]:
    """A dossier walked through the API from submission to its result returned online: received, sent to the unit,
    assigned, proposed, approved, the result issued (signed by the platform) and returned. Returns the dossier."""
    dossier = submitted_dossier(stack, username)
    act(stack, "officer.hanoi", dossier, "receive")
    act(stack, "officer.hanoi", dossier, "transfer", {"unit": "viec-lam"})
    act(stack, "leader.hanoi", dossier, "assign", {"specialist": "specialist.hanoi"})
    act(stack, "specialist.hanoi", dossier, "propose", {"assessment": "Hồ sơ hợp lệ", "proposal": "approve"})
    act(stack, "leader.hanoi", dossier, "approve", {"note": "Đồng ý"})
    result = uploaded_result(stack, dossier)
    act(stack, "specialist.hanoi", dossier, "issue-result", {"upload_ids": [result]})
    return act(stack, "officer.hanoi", dossier, "return-online")
