"""Citizen ID tokens are verified against the issuers configured, over real HTTP with the identity provider
stand-in (discovery, JWKS, key rotation, faults); a few shapes it never issues are signed here by hand."""

from __future__ import annotations

import base64
import json
import time

import jwt
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from chalicelib.api import oidc
from chalicelib.api.oidc import CitizenIssuer, IssuerUnavailable, TokenRefused, verify_id_token
from scripts.standins.identity_provider import CITIZEN_ID_CLAIM, Config, sign_in, start_server

CLIENT = "motcua-web"
AN = "001090012345"


class Nonces:
    """The nonce register the platform backs with a conditional put: True when the nonce was recorded before."""

    def __init__(self) -> None:
        self.recorded: dict[tuple[str, str], int] = {}

    def __call__(self, issuer: str, nonce: str, exp: int) -> bool:
        if (issuer, nonce) in self.recorded:
            return True
        self.recorded[(issuer, nonce)] = exp
        return False


class _Clock:
    """Stands in for `time` in the oidc module: a monotonic clock the test can move."""

    def __init__(self) -> None:
        self.now = 1_000_000.0

    def monotonic(self) -> float:
        return self.now


def _serve():
    return start_server("127.0.0.1", 0, Config(client_id=CLIENT))


@pytest.fixture(scope="module")
def servers():
    started = [_serve(), _serve()]
    yield [httpd for httpd, _ in started]
    for httpd, thread in started:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


@pytest.fixture
def idp(servers) -> str:
    """The trusted provider's URL, its state reset; the verifier's cache is emptied too."""
    url = servers[0].url
    requests.post(f"{url}/_sim/reset", timeout=5).raise_for_status()
    oidc.clear_cache()
    yield url
    oidc.clear_cache()


@pytest.fixture
def stranger(servers) -> str:
    """A second provider, real and working, that the platform does not trust."""
    return servers[1].url


@pytest.fixture
def clock(monkeypatch) -> _Clock:
    fake = _Clock()
    monkeypatch.setattr(oidc, "time", fake)
    return fake


@pytest.fixture
def fetches(monkeypatch) -> list[str]:
    seen: list[str] = []
    real = oidc._fetch_json

    def spy(url: str) -> dict:
        seen.append(url)
        return real(url)

    monkeypatch.setattr(oidc, "_fetch_json", spy)
    return seen


def verify(token: str, url: str, *, nonces: Nonces | None = None, now: float | None = None,
           audience: str = CLIENT) -> dict:
    return verify_id_token(token, [CitizenIssuer(url, audience)], now=time.time() if now is None else now,
                           nonce_seen=nonces if nonces is not None else Nonces())


def refused(token: str, url: str, **kwargs: object) -> str:
    with pytest.raises(TokenRefused) as caught:
        verify(token, url, **kwargs)
    return caught.value.reason


def id_token(url: str, citizen_id: str = AN, **kwargs: str) -> str:
    return sign_in(url, citizen_id, **kwargs)["id_token"]


def spoiled(url: str, fault: str) -> str:
    requests.post(f"{url}/_sim/faults", json={"fault": fault}, timeout=5).raise_for_status()
    return id_token(url)


# --- through the stand-in ---------------------------------------------------------------------------------------

def test_a_token_from_a_configured_issuer_is_accepted_and_its_nonce_recorded(idp):
    nonces = Nonces()
    tokens = sign_in(idp, AN)
    claims = verify(tokens["id_token"], idp, nonces=nonces)
    assert (claims["iss"], claims["aud"], claims[CITIZEN_ID_CLAIM], claims["name"]) == (
        idp, CLIENT, AN, "Nguyễn Văn An")
    assert nonces.recorded == {(idp, tokens["nonce"]): claims["exp"]}


def test_the_right_issuer_is_picked_from_several(idp, stranger):
    issuers = [CitizenIssuer(stranger, "platform-at-other-idp"), CitizenIssuer(idp, CLIENT)]
    claims = verify_id_token(id_token(idp), issuers, now=time.time(), nonce_seen=Nonces())
    assert claims["iss"] == idp


def test_an_issuer_not_in_the_list_is_refused_without_fetching_anything(idp, stranger, fetches):
    assert refused(id_token(stranger), idp) == "issuer_unknown"
    assert fetches == []
    with pytest.raises(TokenRefused, match="issuer_unknown"):
        verify_id_token(id_token(idp), [], now=time.time(), nonce_seen=Nonces())


def test_an_issuer_that_only_starts_like_a_configured_one_is_refused(idp):
    assert refused(spoiled(idp, "wrong_issuer"), idp) == "issuer_unknown"


def test_a_token_for_another_audience_is_refused_and_uses_up_no_nonce(idp):
    nonces = Nonces()
    assert refused(spoiled(idp, "wrong_audience"), idp, nonces=nonces) == "audience"
    assert nonces.recorded == {}


def test_a_token_for_the_platform_at_another_client_id_is_refused(idp):
    assert refused(id_token(idp), idp, audience="motcua-officers") == "audience"


def test_a_replayed_nonce_is_refused(idp):
    nonces = Nonces()
    token = id_token(idp)
    verify(token, idp, nonces=nonces)
    assert refused(token, idp, nonces=nonces) == "nonce_replayed"


def test_a_token_without_a_nonce_is_refused(idp):
    assert refused(spoiled(idp, "missing_nonce"), idp) == "nonce_missing"


def test_an_expired_token_is_refused(idp):
    assert refused(spoiled(idp, "expired"), idp) == "expired"


def test_expiry_allows_30_seconds_of_clock_skew_and_no_more(idp):
    token = id_token(idp)
    exp = jwt.decode(token, options={"verify_signature": False})["exp"]
    assert verify(token, idp, now=exp + 29)
    assert refused(token, idp, now=exp + 31) == "expired"


def test_a_token_signed_by_a_rotated_away_key_is_refused(idp):
    before = id_token(idp)
    requests.post(f"{idp}/_sim/rotate-keys", timeout=5).raise_for_status()
    assert refused(before, idp) == "key_unknown"
    assert verify(id_token(idp), idp)


def test_a_rotated_away_key_is_dropped_when_the_cached_jwks_expires(idp, clock):
    before = id_token(idp)
    assert verify(before, idp)
    requests.post(f"{idp}/_sim/rotate-keys", timeout=5).raise_for_status()
    clock.now += oidc.JWKS_TTL_SECONDS + 1
    assert refused(before, idp) == "key_unknown"


def test_a_new_key_is_fetched_when_a_token_names_it_but_not_more_than_every_30_seconds(idp, clock, fetches):
    assert verify(id_token(idp), idp)
    requests.post(f"{idp}/_sim/rotate-keys", timeout=5).raise_for_status()
    after = id_token(idp)
    assert refused(after, idp) == "key_unknown"  # the set was fetched a moment ago
    clock.now += oidc.JWKS_MIN_REFRESH_SECONDS + 1
    assert verify(after, idp)
    assert fetches == [f"{idp}/.well-known/openid-configuration", f"{idp}/jwks", f"{idp}/jwks"]


def test_discovery_and_keys_are_fetched_once_for_many_tokens(idp, clock, fetches):
    for _ in range(3):
        assert verify(id_token(idp), idp)
    assert fetches == [f"{idp}/.well-known/openid-configuration", f"{idp}/jwks"]


def test_a_tampered_token_fails_its_signature(idp):
    header, payload, signature = id_token(idp).split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims[CITIZEN_ID_CLAIM] = "001190012345"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    assert refused(f"{header}.{forged}.{signature}", idp) == "signature"


def test_a_discovery_document_naming_another_issuer_makes_the_issuer_unavailable(idp):
    # The trailing slash makes a different issuer string; the provider's document names the one without it.
    other = f"{idp}/"
    with pytest.raises(IssuerUnavailable):
        verify_id_token(_signed({"iss": other}), [CitizenIssuer(other, CLIENT)], now=time.time(),
                        nonce_seen=Nonces())


def test_an_unreachable_issuer_is_unavailable_not_refused():
    silent = "http://127.0.0.1:9"
    oidc.clear_cache()
    with pytest.raises(IssuerUnavailable):
        verify_id_token(_signed({"iss": silent}), [CitizenIssuer(silent, CLIENT)], now=time.time(),
                        nonce_seen=Nonces())


# --- shapes the stand-in does not issue, signed here against a JWKS served by a stub ------------------------------

ISSUER = "https://dinh-danh.example.vn"
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _signed(changes: dict, *, kid: str | None = "k1", key: rsa.RSAPrivateKey = KEY, alg: str = "RS256") -> str:
    now = int(time.time())
    claims = {"iss": ISSUER, "sub": "s-1", "aud": CLIENT, "iat": now, "exp": now + 600, "nonce": "n-1", **changes}
    headers = {"kid": kid} if kid else {}
    return jwt.encode({k: v for k, v in claims.items() if v is not None}, key, algorithm=alg, headers=headers)


@pytest.fixture
def stub(monkeypatch) -> dict:
    jwks = {"keys": [{**RSAAlgorithm.to_jwk(KEY.public_key(), as_dict=True), "kid": "k1", "alg": "RS256",
                      "use": "sig"}]}
    documents = {f"{ISSUER}/.well-known/openid-configuration": {"issuer": ISSUER, "jwks_uri": f"{ISSUER}/jwks"},
                 f"{ISSUER}/jwks": jwks}
    oidc.clear_cache()
    monkeypatch.setattr(oidc, "_fetch_json", lambda url: documents[url])
    yield jwks
    oidc.clear_cache()


def test_several_audiences_need_the_platform_as_authorised_party(stub):
    assert verify(_signed({"aud": [CLIENT, "other"], "azp": CLIENT}), ISSUER)
    assert refused(_signed({"aud": [CLIENT, "other"]}), ISSUER) == "azp"
    assert refused(_signed({"aud": [CLIENT, "other"], "azp": "other"}), ISSUER) == "azp"


def test_an_authorised_party_other_than_the_platform_is_refused(stub):
    assert refused(_signed({"azp": "other"}), ISSUER) == "azp"


def test_a_token_issued_in_the_future_or_not_yet_valid_is_refused(stub):
    assert refused(_signed({"iat": int(time.time()) + 120}), ISSUER) == "issued_in_future"
    assert refused(_signed({"nbf": int(time.time()) + 120}), ISSUER) == "not_yet_valid"


@pytest.mark.parametrize("claim", ["sub", "exp", "iat", "aud"])
def test_a_token_without_a_required_claim_is_refused(stub, claim):
    assert refused(_signed({claim: None}), ISSUER) == "claims_missing"


def test_only_rs256_is_accepted(stub):
    assert refused(_signed({}, alg="HS256", key=b"k" * 32), ISSUER) == "algorithm"
    assert refused(_signed({}, alg="none", key=None), ISSUER) == "algorithm"


def test_garbage_is_malformed(stub):
    assert refused("not.a.token", ISSUER) == "malformed"


def test_a_token_without_a_kid_is_verified_by_the_only_key(stub):
    assert verify(_signed({}, kid=None), ISSUER)
    stub["keys"].append({**stub["keys"][0], "kid": "k2"})
    oidc.clear_cache()
    assert refused(_signed({}, kid=None), ISSUER) == "key_unknown"


def test_a_token_signed_by_a_key_outside_the_jwks_fails_its_signature(stub):
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    assert refused(_signed({}, key=other), ISSUER) == "signature"
