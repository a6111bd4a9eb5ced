"""Bearer-token checks with real RS256 signatures, the pool's JWKS served over real HTTP on localhost."""

from __future__ import annotations

import base64
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from chalicelib.api import auth
from chalicelib.api.auth import authenticate, verify_token
from chalicelib.api.http import Problem
from chalicelib.domain.states import Role

POOL = "ap-southeast-1_TestPool1"
CLIENT = "test-client-id-123"
ISSUER = f"https://cognito-idp.ap-southeast-1.amazonaws.com/{POOL}"
STAFF_POOL = "ap-southeast-1_StaffPool1"
STAFF_CLIENT = "staff-client-id-456"
STAFF_ISSUER = f"https://cognito-idp.ap-southeast-1.amazonaws.com/{STAFF_POOL}"
KID = "test-key-1"

POOL_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _jwk(key: rsa.RSAPrivateKey, kid: str) -> dict:
    data = RSAAlgorithm.to_jwk(key.public_key(), as_dict=True)
    return {**data, "kid": kid, "alg": "RS256", "use": "sig"}


class _Jwks:
    """What the fake pool serves, and how often it was asked."""

    def __init__(self) -> None:
        self.keys = [_jwk(POOL_KEY, KID)]
        self.requests = 0


@pytest.fixture(scope="module")
def jwks_server():
    state = _Jwks()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the name http.server calls
            state.requests += 1
            body = json.dumps({"keys": state.keys}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):  # keep test output quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/{POOL}/.well-known/jwks.json"
    yield state
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


class _Clock:
    """Stands in for `time` in the auth module: a monotonic clock the test can move."""

    def __init__(self, start: float) -> None:
        self.now = start

    def monotonic(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch):
    # Well past boot, so the result does not depend on how long the test machine has been up.
    fake = _Clock(1_000_000.0)
    monkeypatch.setattr(auth, "time", fake)
    return fake


@pytest.fixture(autouse=True)
def pool(jwks_server, clock, monkeypatch):
    monkeypatch.setenv("AWS_REGION", "ap-southeast-1")
    monkeypatch.setenv("USER_POOL_ID", POOL)
    monkeypatch.setenv("USER_POOL_CLIENT_ID", CLIENT)
    monkeypatch.setenv("JWKS_URL", jwks_server.url)
    monkeypatch.setenv("STAFF_POOL_ID", STAFF_POOL)
    monkeypatch.setenv("STAFF_POOL_CLIENT_ID", STAFF_CLIENT)
    monkeypatch.setenv("STAFF_JWKS_URL", jwks_server.url.replace(POOL, STAFF_POOL))
    monkeypatch.delenv("TOKEN_ISSUER", raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    jwks_server.keys = [_jwk(POOL_KEY, KID)]
    jwks_server.requests = 0
    auth._jwks.clear()
    yield jwks_server
    auth._jwks.clear()


def _claims(**overrides) -> dict:
    now = int(time.time())
    claims = {
        "iss": ISSUER, "aud": CLIENT, "token_use": "id", "sub": "8f3c2a10-0000-4000-8000-000000000001",
        "cognito:username": "desk.officer", "cognito:groups": ["officer"], "custom:agency": "000.00.04.G18",
        "email": "officer@example.vn", "name": "Lê Thị Cúc", "iat": now, "exp": now + 3600, "auth_time": now,
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


def _staff(**overrides) -> dict:
    """Claims of a staff-pool ID token (the only kind that can carry staff authority)."""
    return _claims(**{"iss": STAFF_ISSUER, "aud": STAFF_CLIENT, **overrides})


def _token(claims: dict | None = None, key: rsa.RSAPrivateKey = POOL_KEY, kid: str | None = KID,
           algorithm: str = "RS256") -> str:
    headers = {"kid": kid} if kid is not None else {}
    return jwt.encode(claims if claims is not None else _claims(), key, algorithm=algorithm, headers=headers)


def _request(authorization: str | None) -> SimpleNamespace:
    return SimpleNamespace(headers={"authorization": authorization} if authorization is not None else {})


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _assert_unauthorized(token: str) -> Problem:
    with pytest.raises(Problem) as caught:
        verify_token(token)
    assert caught.value.status == 401
    assert caught.value.slug == "unauthorized"
    assert caught.value.detail_code == "token_invalid"
    assert caught.value.headers["WWW-Authenticate"].startswith("Bearer")
    with pytest.raises(Problem) as through_authenticate:
        authenticate(_request(f"Bearer {token}"))
    assert through_authenticate.value.status == 401
    return caught.value


# --- valid tokens: who the token names, what the directory lets them do -----------------------

OFFICER_ID = "8f3c2a10-0000-4000-8000-000000000001"


@pytest.fixture(autouse=True)
def directory(monkeypatch):
    """The staff directory as `authority` reads it: one desk officer of the Ministry of Home Affairs' agency."""
    from chalicelib.services import staff
    from chalicelib.store.staff import StaffMember

    members = {OFFICER_ID: StaffMember(id=OFFICER_ID, username="desk.officer", name="Lê Thị Cúc",
                                       email="cuc.le@example.vn", roles=("officer",), agency_code="000.00.04.G18",
                                       title="Cán bộ một cửa")}
    monkeypatch.setattr(staff, "authority", members.get)
    return members


def test_a_valid_id_token_of_a_staff_member_gives_the_directory_s_roles_and_agency():
    principal = authenticate(_request(f"Bearer {_token(_staff())}"))
    assert principal.id == OFFICER_ID
    assert principal.username == "desk.officer"
    assert principal.roles == frozenset({Role.OFFICER})
    assert principal.agency_code == "000.00.04.G18"
    assert principal.email == "cuc.le@example.vn"
    assert principal.name == "Lê Thị Cúc"
    assert principal.locale == "vi"


def test_verify_token_returns_the_claims():
    claims = verify_token(_token())
    assert claims["iss"] == ISSUER
    assert claims["aud"] == CLIENT
    assert claims["cognito:groups"] == ["officer"]


def test_a_token_of_the_citizens_pool_names_a_citizen_even_for_someone_the_directory_lists():
    # Staff authority needs a staff-pool token (MFA at sign-in): the same sub from the citizens' pool is a citizen.
    principal = authenticate(_request(f"Bearer {_token()}"))
    assert principal.roles == frozenset({Role.CITIZEN})
    assert principal.agency_code is None


def test_a_staff_pool_account_the_directory_does_not_list_is_refused():
    token = _token(_staff(sub="c1a2b3c4-0000-4000-8000-00000000000c"))
    with pytest.raises(Problem) as refused:
        authenticate(_request(f"Bearer {token}"))
    assert (refused.value.status, refused.value.detail_code) == (403, "account_disabled")


def test_a_staff_pool_token_for_the_citizens_client_is_rejected():
    with pytest.raises(Problem) as refused:
        authenticate(_request(f"Bearer {_token(_staff(aud=CLIENT))}"))
    assert refused.value.status == 401


def test_a_citizen_is_a_citizen_whatever_the_token_claims():
    # Groups and an agency attribute a user set on their own account grant nothing.
    token = _token(_claims(sub="c1a2b3c4-0000-4000-8000-00000000000c", **{
        "cognito:groups": ["admin", "officer"], "custom:agency": "000.00.20.H26", "cognito:username": None,
        "locale": "en"}))
    principal = authenticate(_request(f"Bearer {token}"))
    assert principal.roles == frozenset({Role.CITIZEN})
    assert principal.agency_code is None and principal.unit is None
    assert principal.username == principal.id  # falls back to sub
    assert principal.locale == "en"


def test_the_directory_wins_over_the_token_s_groups_and_attributes():
    token = _token(_staff(**{"cognito:groups": ["admin", "leader"], "custom:agency": "000.00.20.H26",
                             "custom:unit": "viec-lam"}))
    principal = authenticate(_request(f"Bearer {token}"))
    assert (principal.roles, principal.agency_code, principal.unit) == (frozenset({Role.OFFICER}), "000.00.04.G18",
                                                                        None)


def test_a_disabled_staff_member_is_refused_with_the_token_they_hold(directory):
    from dataclasses import replace

    directory[OFFICER_ID] = replace(directory[OFFICER_ID], enabled=False)
    with pytest.raises(Problem) as refused:
        authenticate(_request(f"Bearer {_token(_staff())}"))
    assert (refused.value.status, refused.value.detail_code) == (403, "account_disabled")


@pytest.mark.parametrize("roles", [("system",), ("system", "officer"), ("citizen", "officer"), ("superuser",)])
def test_the_directory_grants_no_role_the_platform_does_not_give_staff(directory, roles):
    """The system role is the platform's own scheduled work: nobody's entry may carry it."""
    from dataclasses import replace

    directory[OFFICER_ID] = replace(directory[OFFICER_ID], roles=roles)
    principal = authenticate(_request(f"Bearer {_token(_staff())}"))
    assert principal.roles == (frozenset({Role.OFFICER}) if "officer" in roles else frozenset())


def test_the_scheme_is_case_insensitive_and_surrounding_spaces_are_tolerated():
    assert authenticate(_request(f"bearer  {_token(_staff())} ")).roles == frozenset({Role.OFFICER})


def test_a_token_just_inside_the_leeway_is_accepted():
    now = int(time.time())
    assert verify_token(_token(_claims(iat=now - 7200, exp=now - 10)))["sub"]


def test_the_jwks_is_fetched_once_and_then_cached(pool, clock):
    verify_token(_token())
    clock.now += auth.JWKS_TTL_SECONDS - 1
    verify_token(_token(_claims(sub="someone-else")))
    assert pool.requests == 1


def test_the_jwks_is_fetched_again_after_its_ttl(pool, clock):
    verify_token(_token())
    clock.now += auth.JWKS_TTL_SECONDS + 1
    verify_token(_token())
    assert pool.requests == 2


def test_a_rotated_key_is_picked_up_by_refetching_on_an_unknown_kid(pool, clock):
    verify_token(_token())
    pool.keys = [_jwk(POOL_KEY, KID), _jwk(OTHER_KEY, "rotated-2")]
    clock.now += auth.JWKS_MIN_REFRESH_SECONDS + 1
    assert verify_token(_token(key=OTHER_KEY, kid="rotated-2"))["sub"]
    assert pool.requests == 2


def test_unknown_kids_do_not_cause_a_refetch_storm(pool, clock):
    verify_token(_token())
    for _ in range(3):
        clock.now += 1
        _assert_unauthorized(_token(kid="unknown-kid"))
    assert pool.requests == 1


def test_a_valid_token_is_accepted_right_after_the_host_boots(clock):
    clock.now = 5.0  # time.monotonic() counts from boot on Linux
    assert verify_token(_token())["sub"]


# --- invalid tokens: each is a 401 --------------------------------------------------------------

def test_an_expired_token_is_rejected():
    now = int(time.time())
    _assert_unauthorized(_token(_claims(iat=now - 7200, exp=now - 3600)))


def test_a_token_for_another_app_client_is_rejected():
    _assert_unauthorized(_token(_claims(aud="another-client")))


def test_a_token_from_another_pool_is_rejected():
    _assert_unauthorized(_token(_claims(iss="https://cognito-idp.ap-southeast-1.amazonaws.com/ap-southeast-1_Other")))


def test_a_token_from_the_same_pool_id_in_another_region_is_rejected():
    _assert_unauthorized(_token(_claims(iss=f"https://cognito-idp.us-east-1.amazonaws.com/{POOL}")))


def test_an_access_token_is_rejected():
    _assert_unauthorized(_token(_claims(token_use="access")))


@pytest.mark.parametrize("claim", ["exp", "iat", "sub", "aud", "iss", "token_use"])
def test_a_token_missing_a_required_claim_is_rejected(claim):
    _assert_unauthorized(_token(_claims(**{claim: None})))


def test_a_token_issued_in_the_future_is_rejected():
    now = int(time.time())
    _assert_unauthorized(_token(_claims(iat=now + 3600, exp=now + 7200)))


def test_a_token_signed_by_another_key_with_the_pools_kid_is_rejected():
    _assert_unauthorized(_token(key=OTHER_KEY, kid=KID))


def test_a_token_with_an_unknown_kid_is_rejected():
    _assert_unauthorized(_token(key=OTHER_KEY, kid="not-in-the-pool"))


def test_a_token_without_a_kid_is_rejected():
    _assert_unauthorized(_token(kid=None))


def test_an_unsigned_alg_none_token_is_rejected():
    header = _b64(json.dumps({"alg": "none", "typ": "JWT", "kid": KID}).encode())
    payload = _b64(json.dumps(_claims()).encode())
    _assert_unauthorized(f"{header}.{payload}.")


def test_an_hs256_token_using_the_public_key_as_secret_is_rejected():
    public_pem = POOL_KEY.public_key().public_bytes(serialization.Encoding.PEM,
                                                    serialization.PublicFormat.SubjectPublicKeyInfo)
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": KID}).encode())
    payload = _b64(json.dumps(_claims()).encode())
    import hashlib
    import hmac

    signature = _b64(hmac.new(public_pem, f"{header}.{payload}".encode(), hashlib.sha256).digest())
    _assert_unauthorized(f"{header}.{payload}.{signature}")


def test_a_token_with_a_tampered_payload_is_rejected():
    header, _, signature = _token().split(".")
    payload = _b64(json.dumps(_claims(**{"cognito:groups": ["admin"]})).encode())
    _assert_unauthorized(f"{header}.{payload}.{signature}")


@pytest.mark.parametrize("token", ["garbage", "a.b.c", "....", "eyJhbGciOiJSUzI1NiJ9.e30.", "Bearer x"])
def test_garbage_is_rejected(token):
    _assert_unauthorized(token)


@pytest.mark.parametrize("authorization",
                         [None, "", "Bearer", "Bearer   ", "Basic dXNlcjpwYXNz", "Token abc"])
def test_a_request_without_a_bearer_token_is_rejected(authorization):
    with pytest.raises(Problem) as caught:
        authenticate(_request(authorization))
    assert caught.value.status == 401
    assert caught.value.detail_code == "token_missing"
    assert caught.value.headers == {"WWW-Authenticate": "Bearer"}


def test_a_bare_token_without_the_scheme_is_rejected():
    with pytest.raises(Problem) as caught:
        authenticate(_request(_token()))
    assert caught.value.status == 401


def test_a_request_with_no_headers_at_all_is_rejected():
    with pytest.raises(Problem) as caught:
        authenticate(SimpleNamespace(headers=None))
    assert caught.value.status == 401


def test_an_unreachable_jwks_is_a_503_not_a_401(monkeypatch):
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("JWKS_URL", f"http://127.0.0.1:{port}/jwks.json")
    with pytest.raises(Problem) as caught:
        verify_token(_token())
    assert caught.value.status == 503
