"""Citizens signing in with the national identity, over HTTP: the stand-in identity provider `make run` starts
(OpenID Connect, authorization code with PKCE) issues the ID token, and the platform accepts it as a citizen's —
one account per citizen ID — while refusing a token from an issuer it does not trust, for another audience,
expired, or carrying a nonce another token already came with."""

from __future__ import annotations

import uuid

import pytest
import requests

from scripts.standins.identity_provider import CITIZENS, Config, sign_in, start_server

from .conftest import Api
from .test_dossier_flow import submission
from .test_processing import problem

pytestmark = pytest.mark.e2e

CITIZEN = CITIZENS[1]  # Trần Thị Bích Ngọc: no demo account of her own


def signed_in(stack, citizen=CITIZEN, nonce: str | None = None) -> Api:
    return Api(stack["API_URL"], sign_in(stack["CITIZEN_IDP_URL"], citizen.citizen_id, nonce=nonce)["id_token"])


def fault(stack, name: str) -> None:
    assert requests.post(f"{stack['CITIZEN_IDP_URL']}/_sim/faults", json={"fault": name}, timeout=10).ok


def test_a_national_sign_in_is_a_citizen_with_one_account_per_citizen_id(stack):
    first = signed_in(stack)
    assert first.get("/dossiers").status_code == 200
    body = submission(lambda _name: first, "national", "1.010833")
    created = first.post("/dossiers", body, headers={"Idempotency-Key": str(uuid.uuid4())})
    assert created.status_code == 201, created.text
    problem(first.get("/desk/dossiers"), 403, "role_not_allowed")
    assert first.get("/me").json()["roles"] == ["citizen"]
    # The first profile starts from what the identity said; its name and citizen ID stay the identity's.
    profile = first.get("/me/profile").json()
    assert (profile["full_name"], profile["citizen_id"], profile["date_of_birth"], profile["national_identity"]) == (
        CITIZEN.name, CITIZEN.citizen_id, CITIZEN.birthdate, True)
    changed = first.request("PUT", "/me/profile", json={**{k: profile[k] for k in ("full_name", "date_of_birth",
                                                                                    "address", "language")},
                                                        "citizen_id": "001090012345"})
    assert [e["code"] for e in problem(changed, 422)["errors"]] == ["profile.fixed_by_national_identity"]

    again = signed_in(stack)  # another sign-in, another token: the same account
    assert created.json()["id"] in [d["id"] for d in again.get("/dossiers").json()["items"]]
    other = signed_in(stack, CITIZENS[2])
    assert created.json()["id"] not in [d["id"] for d in other.get("/dossiers").json()["items"]]


def test_a_token_from_an_issuer_the_platform_does_not_trust_is_refused(stack):
    server, _ = start_server("127.0.0.1", 0, Config())
    try:
        stranger = Api(stack["API_URL"], sign_in(server.url, CITIZEN.citizen_id)["id_token"])
        problem(stranger.get("/dossiers"), 401, "token_invalid")
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("name", ["wrong_audience", "expired", "wrong_issuer", "missing_nonce"])
def test_a_token_for_another_audience_expired_or_misissued_is_refused(stack, name):
    fault(stack, name)
    problem(signed_in(stack).get("/dossiers"), 401, "token_invalid")


def test_a_second_token_with_a_nonce_already_used_is_refused(stack):
    nonce = f"nonce-{uuid.uuid4().hex}"
    first = signed_in(stack, nonce=nonce)
    assert first.get("/dossiers").status_code == 200
    assert first.get("/dossiers").status_code == 200  # the same sign-in's token, presented again
    # The provider forgets its nonces (a restart, say) and issues a second token with the same nonce.
    assert requests.post(f"{stack['CITIZEN_IDP_URL']}/_sim/reset", timeout=10).ok
    replay = signed_in(stack, nonce=nonce)
    problem(replay.get("/dossiers"), 401, "token_invalid")
