"""Signing in to the stack's user pools the way a client does, for scripts, benchmarks and tests: the staff pool
first (a TOTP code at every sign-in, enrolment at the first one), then the citizens' pool.

The TOTP secrets are the ones AssociateSoftwareToken gave at enrolment: `make run` enrols the demo staff and writes
theirs in build/local-stack.json (`STAFF_TOTP_SECRETS`, username → secret); accounts enrolled here are remembered
for the life of the process.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import Any

TOTP_STEP = 30
# A code is accepted only within its own 30-second step: too close to the end of one, wait for the next.
_MARGIN_SECONDS = 3
_enrolled: dict[str, str] = {}


def totp_code(secret: str, at: float | None = None) -> str:
    """The 6-digit RFC 6238 code (SHA-1, 30-second steps) of a base32 secret, as an authenticator app shows it."""
    import base64

    from cryptography.hazmat.primitives.hashes import SHA1
    from cryptography.hazmat.primitives.twofactor.totp import TOTP

    padded = secret + "=" * (-len(secret) % 8)
    totp = TOTP(base64.b32decode(padded, casefold=True), 6, SHA1(), TOTP_STEP, enforce_key_length=False)
    return totp.generate(int(at if at is not None else time.time())).decode()


def fresh_totp_code(secret: str) -> str:
    """A code that stays valid for at least a few seconds (the pool checks it against the current step only)."""
    left = TOTP_STEP - time.time() % TOTP_STEP
    if left < _MARGIN_SECONDS:
        time.sleep(left + 0.1)
    return totp_code(secret)


def totp_secrets(state: Mapping[str, str]) -> dict[str, str]:
    return {**json.loads(state.get("STAFF_TOTP_SECRETS") or "{}"), **_enrolled}


def enrol_totp(idp: Any, username: str, *, access_token: str | None = None, session: str | None = None) -> tuple[
        str, str | None]:
    """Associate and verify a TOTP authenticator for a signed-in account (access token) or one the pool asks to
    set one up (MFA_SETUP session). Returns the secret and the session to answer the challenge with."""
    where = {"AccessToken": access_token} if access_token else {"Session": session}
    associated = idp.associate_software_token(**where)
    secret = associated["SecretCode"]
    if "Session" in associated:
        where = {"Session": associated["Session"]}
    verified = idp.verify_software_token(**where, UserCode=fresh_totp_code(secret), FriendlyDeviceName="authenticator")
    _enrolled[username] = secret
    return secret, verified.get("Session")


def staff_sign_in(idp: Any, client_id: str, username: str, password: str, secrets: Mapping[str, str]) -> dict:
    """The AuthenticationResult of a staff account, answering the MFA challenges as the web client does."""
    answer = idp.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                               AuthParameters={"USERNAME": username, "PASSWORD": password})
    for _ in range(3):
        challenge = answer.get("ChallengeName")
        if challenge is None:
            return answer["AuthenticationResult"]
        if challenge == "MFA_SETUP":
            _, session = enrol_totp(idp, username, session=answer["Session"])
            answer = idp.respond_to_auth_challenge(ClientId=client_id, ChallengeName="MFA_SETUP",
                                                   Session=session or answer["Session"],
                                                   ChallengeResponses={"USERNAME": username})
        elif challenge == "SOFTWARE_TOKEN_MFA":
            secret = secrets.get(username) or _enrolled.get(username)
            if secret is None:
                raise RuntimeError(f"{username} has a TOTP authenticator whose secret is not known here")
            answer = idp.respond_to_auth_challenge(
                ClientId=client_id, ChallengeName="SOFTWARE_TOKEN_MFA", Session=answer["Session"],
                ChallengeResponses={"USERNAME": username, "SOFTWARE_TOKEN_MFA_CODE": fresh_totp_code(secret)})
        else:
            raise RuntimeError(f"{username}: the pool asks for {challenge}, which this helper does not answer")
    raise RuntimeError(f"{username}: too many challenges")


def sign_in_tokens(idp: Any, state: Mapping[str, str], username: str, password: str) -> dict:
    """The AuthenticationResult of any account of the stack: staff pool first, then the citizens' pool."""
    staff_client = state.get("STAFF_POOL_CLIENT_ID")
    refused = None
    if staff_client:
        try:
            return staff_sign_in(idp, staff_client, username, password, totp_secrets(state))
        except (idp.exceptions.NotAuthorizedException, idp.exceptions.UserNotFoundException) as error:
            refused = error  # not a staff account, or one refused (the pool does not always say which)
    try:
        answer = idp.initiate_auth(ClientId=state["USER_POOL_CLIENT_ID"], AuthFlow="USER_PASSWORD_AUTH",
                                   AuthParameters={"USERNAME": username, "PASSWORD": password})
    except (idp.exceptions.NotAuthorizedException, idp.exceptions.UserNotFoundException):
        if isinstance(refused, idp.exceptions.NotAuthorizedException):
            raise refused from None  # a staff account the pool refused (a wrong password, a disabled account)
        raise
    return answer["AuthenticationResult"]


def id_token(idp: Any, state: Mapping[str, str], username: str, password: str) -> str:
    return sign_in_tokens(idp, state, username, password)["IdToken"]
