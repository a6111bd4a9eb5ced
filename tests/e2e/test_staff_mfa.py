"""Staff sign in to their own pool with a TOTP code (docs/identity.md "Staff sign-in"): an invited member chooses a
password and sets up an authenticator at the first sign-in, every later sign-in asks for the code, and only a
staff-pool token carries staff authority."""

from __future__ import annotations

import uuid

import pytest

from scripts.pool_sign_in import fresh_totp_code, totp_code

from .conftest import PASSWORD, Api
from .test_processing import HANOI, problem

pytestmark = pytest.mark.e2e

NEW_PASSWORD = "Another-Passw0rd!"


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


@pytest.fixture(scope="module")
def invited(api, aws, stack) -> str:
    """A desk officer the administrator invites; Cognito's invitation carries a temporary password."""
    username = f"mfa-{uuid.uuid4().hex[:8]}"
    created = api("admin").post("/admin/staff", {"username": username, "name": "Bùi Thị Thu",
                                                 "email": f"{username}@example.vn", "roles": ["officer"],
                                                 "agency_code": HANOI})
    assert created.status_code == 201, created.text
    aws("cognito-idp").admin_set_user_password(UserPoolId=stack["STAFF_POOL_ID"], Username=username,
                                               Password=PASSWORD, Permanent=False)
    return username


def test_an_invited_member_sets_a_password_and_an_authenticator_then_every_sign_in_needs_the_code(
        api, aws, stack, invited):
    idp, client = aws("cognito-idp"), stack["STAFF_POOL_CLIENT_ID"]
    first = idp.initiate_auth(ClientId=client, AuthFlow="USER_PASSWORD_AUTH",
                              AuthParameters={"USERNAME": invited, "PASSWORD": PASSWORD})
    assert first["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    setup = idp.respond_to_auth_challenge(ClientId=client, ChallengeName="NEW_PASSWORD_REQUIRED",
                                          Session=first["Session"],
                                          ChallengeResponses={"USERNAME": invited, "NEW_PASSWORD": NEW_PASSWORD})
    assert setup["ChallengeName"] == "MFA_SETUP"  # no tokens before an authenticator is set up
    assert "SOFTWARE_TOKEN_MFA" in setup["ChallengeParameters"]["MFAS_CAN_SETUP"]
    secret = idp.associate_software_token(Session=setup["Session"])["SecretCode"]
    with pytest.raises(idp.exceptions.CodeMismatchException):
        idp.verify_software_token(Session=setup["Session"], UserCode=_wrong(totp_code(secret)))
    verified = idp.verify_software_token(Session=setup["Session"], UserCode=fresh_totp_code(secret))
    assert verified["Status"] == "SUCCESS"
    tokens = idp.respond_to_auth_challenge(ClientId=client, ChallengeName="MFA_SETUP", Session=verified["Session"],
                                           ChallengeResponses={"USERNAME": invited})["AuthenticationResult"]
    me = Api(stack["API_URL"], tokens["IdToken"]).get("/me")
    assert me.status_code == 200, me.text
    assert me.json()["roles"] == ["officer"] and me.json()["agency_code"] == HANOI

    again = idp.initiate_auth(ClientId=client, AuthFlow="USER_PASSWORD_AUTH",
                              AuthParameters={"USERNAME": invited, "PASSWORD": NEW_PASSWORD})
    assert again["ChallengeName"] == "SOFTWARE_TOKEN_MFA" and "AuthenticationResult" not in again
    with pytest.raises(idp.exceptions.CodeMismatchException):
        idp.respond_to_auth_challenge(ClientId=client, ChallengeName="SOFTWARE_TOKEN_MFA", Session=again["Session"],
                                      ChallengeResponses={"USERNAME": invited,
                                                          "SOFTWARE_TOKEN_MFA_CODE": _wrong(totp_code(secret))})
    again = idp.initiate_auth(ClientId=client, AuthFlow="USER_PASSWORD_AUTH",
                              AuthParameters={"USERNAME": invited, "PASSWORD": NEW_PASSWORD})
    signed_in = idp.respond_to_auth_challenge(
        ClientId=client, ChallengeName="SOFTWARE_TOKEN_MFA", Session=again["Session"],
        ChallengeResponses={"USERNAME": invited, "SOFTWARE_TOKEN_MFA_CODE": fresh_totp_code(secret)})
    officer = Api(stack["API_URL"], signed_in["AuthenticationResult"]["IdToken"])
    assert officer.get("/desk/dossiers").status_code == 200


def test_a_citizens_pool_account_of_the_same_name_is_only_a_citizen(api, aws, stack, invited):
    """Staff authority comes with a staff-pool token only: the citizens' pool (open sign-up, no MFA) cannot give it,
    whatever name or attributes the account has there."""
    idp = aws("cognito-idp")
    idp.admin_create_user(UserPoolId=stack["USER_POOL_ID"], Username=invited, TemporaryPassword=PASSWORD,
                          MessageAction="SUPPRESS", UserAttributes=[{"Name": "email", "Value": f"{invited}@example.vn"},
                                                                    {"Name": "custom:agency", "Value": HANOI}])
    idp.admin_set_user_password(UserPoolId=stack["USER_POOL_ID"], Username=invited, Password=PASSWORD, Permanent=True)
    token = idp.initiate_auth(ClientId=stack["USER_POOL_CLIENT_ID"], AuthFlow="USER_PASSWORD_AUTH",
                              AuthParameters={"USERNAME": invited, "PASSWORD": PASSWORD})["AuthenticationResult"]
    lookalike = Api(stack["API_URL"], token["IdToken"])
    assert lookalike.get("/me").json()["roles"] == ["citizen"]
    problem(lookalike.get("/desk/dossiers"), 403, "role_not_allowed")


def test_the_staff_pool_s_tokens_are_short_lived(aws, stack):
    client = aws("cognito-idp").describe_user_pool_client(UserPoolId=stack["STAFF_POOL_ID"],
                                                          ClientId=stack["STAFF_POOL_CLIENT_ID"])["UserPoolClient"]
    assert (client["IdTokenValidity"], client["TokenValidityUnits"]["IdToken"]) == (15, "minutes")
    pool = aws("cognito-idp").describe_user_pool(UserPoolId=stack["STAFF_POOL_ID"])["UserPool"]
    assert pool["MfaConfiguration"] == "ON"
