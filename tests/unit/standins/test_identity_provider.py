"""The national identity provider stand-in speaks OpenID Connect over real HTTP: discovery, code flow with PKCE,
RS256 ID tokens verifiable against its JWKS, userinfo, key rotation and one-shot faults."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
import subprocess
import sys
import time
import urllib.parse
from datetime import date
from pathlib import Path

import jwt
import pytest
import requests
from authlib.oidc.discovery import OpenIDProviderMetadata

from chalicelib.domain.identity import check_citizen_id
from scripts.standins.identity_provider import (
    CITIZEN_ID_CLAIM,
    CITIZENS,
    FAULTS,
    WRONG_AUDIENCE,
    Config,
    sign_in,
    start_server,
)

CLIENT = "motcua-web"
REDIRECT = "http://127.0.0.1:8080/dang-nhap/callback"
NGOC = "001190012345"
ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def server():
    httpd, thread = start_server("127.0.0.1", 0, Config(client_id=CLIENT, redirect_uris=(REDIRECT,)))
    yield httpd
    httpd.shutdown()
    httpd.server_close()
    thread.join(timeout=5)


@pytest.fixture
def url(server) -> str:
    requests.post(f"{server.url}/_sim/reset", timeout=5).raise_for_status()
    requests.delete(f"{server.url}/_sim/faults", timeout=5).raise_for_status()
    return server.url


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def authorize(url: str, **changes: str | None) -> requests.Response:
    params = {"response_type": "code", "client_id": CLIENT, "redirect_uri": REDIRECT, "scope": "openid profile",
              "state": "s-1", "nonce": secrets.token_urlsafe(12), "login_hint": NGOC,
              "code_challenge": pkce()[1], "code_challenge_method": "S256", **changes}
    return requests.get(f"{url}/authorize", params={k: v for k, v in params.items() if v is not None},
                        allow_redirects=False, timeout=10)


def redirected_query(response: requests.Response) -> dict[str, str]:
    assert response.status_code == 302, response.text[:300]
    location = response.headers["Location"]
    assert location.startswith(REDIRECT)
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query))


def exchange(url: str, code: str, verifier: str) -> requests.Response:
    return requests.post(f"{url}/token", timeout=10, data={
        "grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT, "client_id": CLIENT,
        "code_verifier": verifier})


def verified(url: str, id_token: str) -> dict:
    """The claims, checked against the key the provider publishes now (PyJWT, not the provider's library)."""
    kid = jwt.get_unverified_header(id_token)["kid"]
    keys = {k["kid"]: jwt.PyJWK(k) for k in requests.get(f"{url}/jwks", timeout=5).json()["keys"]}
    return jwt.decode(id_token, keys[kid].key, algorithms=["RS256"], audience=CLIENT, issuer=url)


def claims_of(id_token: str) -> dict:
    return jwt.decode(id_token, options={"verify_signature": False})


# --- discovery and keys -----------------------------------------------------------------------------------------

def test_discovery_names_its_own_url_as_issuer_and_is_valid_provider_metadata(url):
    document = requests.get(f"{url}/.well-known/openid-configuration", timeout=5).json()
    OpenIDProviderMetadata(document).validate()
    assert document["issuer"] == url
    assert {document[name] for name in ("authorization_endpoint", "token_endpoint", "jwks_uri",
                                        "userinfo_endpoint")} == {f"{url}/authorize", f"{url}/token",
                                                                  f"{url}/jwks", f"{url}/userinfo"}
    assert document["code_challenge_methods_supported"] == ["S256"]
    assert document["id_token_signing_alg_values_supported"] == ["RS256"]
    assert document["token_endpoint_auth_methods_supported"] == ["none"]
    assert CITIZEN_ID_CLAIM in document["claims_supported"]


def test_the_jwks_publishes_one_public_rsa_signing_key(url):
    [key] = requests.get(f"{url}/jwks", timeout=5).json()["keys"]
    assert (key["kty"], key["use"], key["alg"]) == ("RSA", "sig", "RS256") and key["kid"]
    assert not {"d", "p", "q", "dp", "dq", "qi"} & key.keys()


# --- the code flow ----------------------------------------------------------------------------------------------

def test_the_code_flow_with_pkce_gives_an_id_token_signed_by_the_published_key(url):
    verifier, challenge = pkce()
    query = redirected_query(authorize(url, code_challenge=challenge, nonce="n-0001", scope="openid profile email "
                                                                                             "phone"))
    assert query["state"] == "s-1"
    answer = exchange(url, query["code"], verifier)
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"
    tokens = answer.json()
    claims = verified(url, tokens["id_token"])
    assert claims["nonce"] == "n-0001" and claims["aud"] == CLIENT and claims["iss"] == url
    assert claims["exp"] - claims["iat"] == 3600 and abs(claims["iat"] - time.time()) < 5
    assert {name: claims[name] for name in (CITIZEN_ID_CLAIM, "name", "birthdate", "email", "phone_number")} == {
        CITIZEN_ID_CLAIM: NGOC, "name": "Trần Thị Bích Ngọc", "birthdate": "1990-11-02",
        "email": "ngoc.tran@example.vn", "phone_number": "+84987654321"}
    assert tokens["token_type"].lower() == "bearer" and tokens["access_token"]


def test_a_wrong_code_verifier_is_refused(url):
    query = redirected_query(authorize(url))
    answer = exchange(url, query["code"], secrets.token_urlsafe(48))
    assert answer.status_code == 400 and answer.json()["error"] == "invalid_grant"
    assert "id_token" not in answer.json()


def test_a_missing_code_verifier_is_refused(url):
    query = redirected_query(authorize(url))
    answer = requests.post(f"{url}/token", timeout=10, data={
        "grant_type": "authorization_code", "code": query["code"], "redirect_uri": REDIRECT, "client_id": CLIENT})
    assert answer.status_code == 400 and answer.json()["error"] == "invalid_request"


def test_a_code_is_good_for_one_exchange_only(url):
    verifier, challenge = pkce()
    code = redirected_query(authorize(url, code_challenge=challenge))["code"]
    assert exchange(url, code, verifier).status_code == 200
    second = exchange(url, code, verifier)
    assert second.status_code == 400 and second.json()["error"] == "invalid_grant"


@pytest.mark.parametrize("changes", [
    {"code_challenge": None, "code_challenge_method": None},
    {"code_challenge_method": None},
    {"code_challenge_method": "plain"},
])
def test_an_authorization_request_without_an_s256_challenge_is_sent_back_with_an_error(url, changes):
    query = redirected_query(authorize(url, **changes))
    assert query["error"] == "invalid_request" and query["state"] == "s-1" and "code" not in query


def test_an_unregistered_redirect_uri_gets_an_error_page_not_a_redirect(url):
    answer = authorize(url, redirect_uri="http://127.0.0.1:9999/elsewhere")
    assert answer.status_code == 400 and "Location" not in answer.headers
    assert answer.json()["error"] == "invalid_request"


def test_an_unknown_client_is_refused(url):
    answer = authorize(url, client_id="someone")
    assert answer.status_code == 400 and answer.json()["error"] == "invalid_client"


def test_a_nonce_already_used_in_an_authorization_is_refused(url):
    redirected_query(authorize(url, nonce="same-nonce"))
    query = redirected_query(authorize(url, nonce="same-nonce"))
    assert query["error"] == "invalid_request" and "code" not in query


def test_without_configured_redirect_uris_any_loopback_one_is_accepted():
    httpd, thread = start_server("127.0.0.1", 0, Config(client_id=CLIENT))
    try:
        for redirect in ("http://127.0.0.1:5173/callback", "http://localhost:8080/"):
            tokens = sign_in(httpd.url, NGOC, client_id=CLIENT, redirect_uri=redirect)
            assert claims_of(tokens["id_token"])[CITIZEN_ID_CLAIM] == NGOC
        assert authorize(httpd.url, redirect_uri="http://203.0.113.5:8080/callback").status_code == 400
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


# --- the sign-in page -------------------------------------------------------------------------------------------

def test_without_a_login_hint_the_page_lists_every_test_citizen_with_a_sign_in_button(url):
    page = authorize(url, login_hint=None)
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    for citizen in CITIZENS:
        assert citizen.name in page.text and citizen.citizen_id in page.text
    assert page.text.count("Đăng nhập / Sign in</button>") == len(CITIZENS)


def test_choosing_a_citizen_on_the_page_signs_them_in(url):
    verifier, challenge = pkce()
    params = {"response_type": "code", "client_id": CLIENT, "redirect_uri": REDIRECT, "scope": "openid profile",
              "state": "s-2", "nonce": "n-page", "code_challenge": challenge, "code_challenge_method": "S256"}
    answer = requests.post(f"{url}/authorize", data={**params, "citizen": "079203001234"}, allow_redirects=False,
                           timeout=10)
    query = redirected_query(answer)
    claims = verified(url, exchange(url, query["code"], verifier).json()["id_token"])
    assert (claims[CITIZEN_ID_CLAIM], claims["name"], claims["nonce"]) == ("079203001234", "Lê Hoàng Minh", "n-page")


def test_cancelling_on_the_page_sends_access_denied(url):
    params = {"response_type": "code", "client_id": CLIENT, "redirect_uri": REDIRECT, "scope": "openid",
              "state": "s-3", "code_challenge": pkce()[1], "code_challenge_method": "S256", "cancel": "1"}
    query = redirected_query(requests.post(f"{url}/authorize", data=params, allow_redirects=False, timeout=10))
    assert (query["error"], query["state"]) == ("access_denied", "s-3") and "code" not in query


def test_an_unknown_login_hint_shows_the_page_instead_of_signing_anyone_in(url):
    page = authorize(url, login_hint="001090099999")
    assert page.status_code == 200 and "001090099999" in page.text and "Location" not in page.headers


# --- claims and userinfo ----------------------------------------------------------------------------------------

def test_test_citizens_have_valid_citizen_ids_matching_their_birth_dates():
    for citizen in CITIZENS:
        assert check_citizen_id(citizen.citizen_id, date.fromisoformat(citizen.birthdate)) is None


def test_sub_is_stable_per_citizen_and_distinct_between_citizens(url):
    first = claims_of(sign_in(url, NGOC, redirect_uri=REDIRECT)["id_token"])["sub"]
    again = claims_of(sign_in(url, NGOC, redirect_uri=REDIRECT)["id_token"])["sub"]
    other = claims_of(sign_in(url, "048185006789", redirect_uri=REDIRECT)["id_token"])["sub"]
    assert first == again != other
    assert {c.sub for c in CITIZENS} == {c["sub"] for c in requests.get(f"{url}/_sim/citizens", timeout=5)
                                                                   .json()["citizens"]}


def test_userinfo_answers_the_claims_of_the_granted_scopes(url):
    tokens = sign_in(url, NGOC, redirect_uri=REDIRECT, scope="openid email")
    answer = requests.get(f"{url}/userinfo", headers={"Authorization": f"Bearer {tokens['access_token']}"},
                          timeout=5)
    assert answer.status_code == 200
    assert answer.json() == {"sub": claims_of(tokens["id_token"])["sub"], CITIZEN_ID_CLAIM: NGOC,
                             "email": "ngoc.tran@example.vn", "email_verified": True}


def test_userinfo_without_a_valid_access_token_is_401(url):
    assert requests.get(f"{url}/userinfo", headers={"Authorization": "Bearer nope"}, timeout=5).status_code == 401


# --- inspection and faults --------------------------------------------------------------------------------------

def test_rotating_keys_drops_the_old_key_so_earlier_tokens_cannot_be_verified(url):
    before = sign_in(url, NGOC, redirect_uri=REDIRECT)["id_token"]
    old_kid = jwt.get_unverified_header(before)["kid"]
    rotated = requests.post(f"{url}/_sim/rotate-keys", timeout=5).json()
    assert rotated["dropped"] == old_kid and rotated["kid"] != old_kid
    assert [k["kid"] for k in requests.get(f"{url}/jwks", timeout=5).json()["keys"]] == [rotated["kid"]]
    with pytest.raises(KeyError):
        verified(url, before)
    after = sign_in(url, NGOC, redirect_uri=REDIRECT)["id_token"]
    assert jwt.get_unverified_header(after)["kid"] == rotated["kid"] and verified(url, after)


@pytest.mark.parametrize("fault", FAULTS)
def test_a_fault_spoils_the_next_id_token_only(url, fault):
    assert requests.post(f"{url}/_sim/faults", json={"fault": fault}, timeout=5).json() == {"pending": [fault]}
    spoiled = claims_of(sign_in(url, NGOC, redirect_uri=REDIRECT)["id_token"])
    expected = {
        "wrong_audience": lambda c: c["aud"] == WRONG_AUDIENCE,
        "expired": lambda c: c["exp"] < time.time() - 60,
        "wrong_issuer": lambda c: c["iss"] != url and c["iss"].startswith(url),
        "missing_nonce": lambda c: "nonce" not in c,
    }[fault]
    assert expected(spoiled)
    assert requests.get(f"{url}/_sim/faults", timeout=5).json() == {"pending": []}
    assert verified(url, sign_in(url, NGOC, redirect_uri=REDIRECT)["id_token"])["nonce"]


def test_an_unknown_fault_is_refused(url):
    answer = requests.post(f"{url}/_sim/faults", json={"fault": "explode"}, timeout=5)
    assert answer.status_code == 400 and requests.get(f"{url}/_sim/faults", timeout=5).json()["pending"] == []


def test_issued_id_tokens_are_listed_with_their_faults(url):
    requests.post(f"{url}/_sim/faults", json={"fault": "expired"}, timeout=5)
    first = sign_in(url, NGOC, redirect_uri=REDIRECT)["id_token"]
    second = sign_in(url, "038078004321", redirect_uri=REDIRECT)["id_token"]
    tokens = requests.get(f"{url}/_sim/tokens", timeout=5).json()["tokens"]
    assert [(t["id_token"], t[CITIZEN_ID_CLAIM], t["faults"]) for t in tokens] == [
        (first, NGOC, ["expired"]), (second, "038078004321", [])]


# --- the command line -------------------------------------------------------------------------------------------

def test_the_command_prints_a_ready_line_and_stops_when_its_parent_is_gone():
    # A shell stands between: it is the parent named by --parent-pid, and killing it orphans the provider.
    command = (f"{sys.executable} -m scripts.standins.identity_provider --port 0 --client-id {CLIENT} "
               f"--redirect-uri {REDIRECT} --parent-pid $$ & wait")
    shell = subprocess.Popen(["sh", "-c", command], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                             env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        ready = json.loads(shell.stdout.readline())
        assert ready == {"ready": True, "url": ready["url"], "issuer": ready["url"], "client_id": CLIENT}
        assert requests.get(f"{ready['url']}/.well-known/openid-configuration", timeout=5).status_code == 200
    finally:
        shell.kill()
        shell.wait(timeout=5)
        shell.stdout.close()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            requests.get(f"{ready['url']}/jwks", timeout=1)
        except requests.ConnectionError:
            return
        time.sleep(0.1)
    pytest.fail("the provider outlived its parent")
