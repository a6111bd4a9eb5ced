"""Citizens make their own accounts, over HTTP: sign up in the user pool, verify, sign in, and they are citizens —
no administrator involved; their profile is kept to pre-fill the next submission, and theirs to correct."""

from __future__ import annotations

import uuid

import pytest

from .conftest import Api
from .test_dossier_flow import submission
from .test_processing import problem

pytestmark = pytest.mark.e2e

PASSWORD = "Mat-khau-2026!"
PROFILE = {"full_name": "Hoàng Thị Lan Anh", "citizen_id": "001195012345", "date_of_birth": "1995-04-12",
           "phone": "0912345678", "email": "lananh@example.vn", "address": "5 Hàng Bài, Hoàn Kiếm, Hà Nội",
           "language": "vi"}


def sign_up(aws, stack) -> Api:
    """What the web client does against the user pool's public API: SignUp, ConfirmSignUp with the code the
    pool sent, then InitiateAuth."""
    idp = aws("cognito-idp")
    email = f"lan.anh.{uuid.uuid4().hex[:6]}@example.vn"
    idp.sign_up(ClientId=stack["USER_POOL_CLIENT_ID"], Username=email, Password=PASSWORD,
                UserAttributes=[{"Name": "email", "Value": email}, {"Name": "name", "Value": PROFILE["full_name"]}])
    idp.confirm_sign_up(ClientId=stack["USER_POOL_CLIENT_ID"], Username=email, ConfirmationCode="123456")
    tokens = idp.initiate_auth(ClientId=stack["USER_POOL_CLIENT_ID"], AuthFlow="USER_PASSWORD_AUTH",
                               AuthParameters={"USERNAME": email, "PASSWORD": PASSWORD})["AuthenticationResult"]
    return Api(stack["API_URL"], tokens["IdToken"])


def test_sign_up_verify_and_submit_a_dossier_with_no_administrator_involved(aws, stack):
    citizen = sign_up(aws, stack)
    assert citizen.get("/dossiers").json()["items"] == []
    fresh = citizen.get("/me/profile").json()
    assert (fresh["full_name"], fresh["citizen_id"], fresh["national_identity"]) == (PROFILE["full_name"], None,
                                                                                     False)

    saved = citizen.request("PUT", "/me/profile", json=PROFILE)
    assert saved.status_code == 200, saved.text
    body = submission(lambda _name: citizen, "self-signed-up", "1.010833")
    person = citizen.get("/me/profile").json()  # what the form is pre-filled with
    body["applicant"] = {"type": "person", **{k: person[k] for k in ("full_name", "citizen_id", "date_of_birth",
                                                                      "phone", "email", "address")}}
    created = citizen.post("/dossiers", body, headers={"Idempotency-Key": str(uuid.uuid4())})
    assert created.status_code == 201, created.text
    assert created.json()["applicant"]["full_name"] == "Hoàng Thị Lan Anh"
    assert [d["id"] for d in citizen.get("/dossiers").json()["items"]] == [created.json()["id"]]
    problem(citizen.get("/desk/dossiers"), 403, "role_not_allowed")


def test_a_profile_is_checked_field_by_field_and_only_citizens_have_one(aws, stack, api):
    citizen = sign_up(aws, stack)
    wrong = citizen.request("PUT", "/me/profile", json={**PROFILE, "citizen_id": "001199012345",
                                                         "phone": "12345", "email": "not-an-email"})
    assert sorted(e["field"] for e in problem(wrong, 422)["errors"]) == ["citizen_id", "email", "phone"]
    problem(api("officer.hanoi").get("/me/profile"), 403, "role_not_allowed")
