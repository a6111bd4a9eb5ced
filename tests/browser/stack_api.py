"""The stack's API driven directly, for the steps a browser test is not about: a dossier already submitted, so a
test of the desk or of the public pages starts where its subject starts."""

from __future__ import annotations

import json
import uuid
from typing import Any

import boto3

from tests.e2e.conftest import PASSWORD, REPO_ROOT, Api

PROCEDURE = "1.001978"
EXAMPLES = REPO_ROOT / "examples"
FILES = EXAMPLES / "files"


def id_token(stack: dict[str, str], username: str) -> str:
    """An ID token from the stack's user pool, as the client's sign-in page gets one (USER_PASSWORD_AUTH)."""
    idp = boto3.client("cognito-idp", endpoint_url=stack["MOTO_ENDPOINT"], region_name="ap-southeast-1",
                       aws_access_key_id="local", aws_secret_access_key="local")
    result = idp.initiate_auth(ClientId=stack["USER_POOL_CLIENT_ID"], AuthFlow="USER_PASSWORD_AUTH",
                               AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD})
    return result["AuthenticationResult"]["IdToken"]


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
