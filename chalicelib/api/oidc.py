"""Verification of ID tokens from the national identity providers that citizens sign in with (single sign-on).

Pure of the app: the trusted issuers, the clock and the nonce register come in as arguments. Each issuer's
discovery document and JWKS are fetched over HTTP and cached (a TTL, and a bounded refetch when a token names a
key the cache does not hold, as auth.py does for the user pool).

Checked: the issuer is one of those configured (exactly, no prefix or trailing-slash leniency), RS256 signature by
a key of that issuer's JWKS, ``aud`` holds the configured client id (and ``azp`` is it when there are several
audiences, or when present), ``exp``/``iat`` (and ``nbf``) with 30 s leeway, a ``nonce`` that was never used
before. The caller still maps the claims to an account.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

LEEWAY_SECONDS = 30
# The claim that carries the citizen's identification number (VNeID's own name for it is not public: one
# constant to change when it is).
CITIZEN_ID_CLAIM = "citizen_id"
DISCOVERY_TTL_SECONDS = 3600.0
# Shorter than the user pool's hour: an issuer drops a key from its JWKS when the key is compromised, and a
# dropped key stays trusted here until the cached set expires.
JWKS_TTL_SECONDS = 600.0
JWKS_MIN_REFRESH_SECONDS = 30.0  # an unknown kid triggers a refetch, but not a refetch storm
FETCH_TIMEOUT_SECONDS = 5
MAX_DOCUMENT_BYTES = 1024 * 1024
REQUIRED_CLAIMS = ("iss", "sub", "aud", "exp", "iat")

_discovery: dict[str, tuple[float, dict[str, Any]]] = {}
_jwks: dict[str, tuple[float, dict[str, Any]]] = {}
_lock = threading.Lock()


@dataclass(frozen=True)
class CitizenIssuer:
    """An identity provider the platform trusts for citizens, and the client id the platform has there."""

    issuer: str
    audience: str


class TokenRefused(Exception):
    """The token is not acceptable; ``reason`` says why, in a word the caller can log and count.

    Reasons: ``malformed``, ``algorithm``, ``issuer_unknown``, ``key_unknown``, ``signature``, ``issuer``,
    ``audience``, ``azp``, ``claims_missing``, ``expired``, ``not_yet_valid``, ``issued_in_future``,
    ``nonce_missing``, ``nonce_replayed``.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class IssuerUnavailable(Exception):
    """The issuer's discovery document or JWKS could not be fetched or made no sense: the token is not judged."""


def clear_cache() -> None:
    with _lock:
        _discovery.clear()
        _jwks.clear()


def _fetch_json(url: str) -> dict[str, Any]:
    try:
        with urllib.request.urlopen(url, timeout=FETCH_TIMEOUT_SECONDS) as response:  # noqa: S310 - configured
            raw = response.read(MAX_DOCUMENT_BYTES + 1)
    except (OSError, ValueError) as error:  # URLError, HTTPError, timeouts and a malformed URL
        raise IssuerUnavailable(f"{url}: {error}") from error
    if len(raw) > MAX_DOCUMENT_BYTES:
        raise IssuerUnavailable(f"{url}: document too large")
    try:
        data = json.loads(raw)
    except ValueError as error:
        raise IssuerUnavailable(f"{url}: not JSON") from error
    if not isinstance(data, dict):
        raise IssuerUnavailable(f"{url}: not a JSON object")
    return data


def _jwks_uri(issuer: str) -> str:
    now = time.monotonic()
    with _lock:
        cached = _discovery.get(issuer)
    if cached is not None and now - cached[0] <= DISCOVERY_TTL_SECONDS:
        return cached[1]["jwks_uri"]
    document = _fetch_json(issuer.rstrip("/") + "/.well-known/openid-configuration")
    # OpenID Connect Discovery §4.3: the document must name the very issuer it was fetched for.
    if document.get("issuer") != issuer or not isinstance(document.get("jwks_uri"), str):
        raise IssuerUnavailable(f"{issuer}: discovery document names another issuer or no jwks_uri")
    with _lock:
        _discovery[issuer] = (now, document)
    return document["jwks_uri"]


def _parse_jwks(data: dict[str, Any]) -> dict[str, Any]:
    from jwt import PyJWK, PyJWKError

    keys: dict[str, Any] = {}
    for entry in data.get("keys") or []:
        if not isinstance(entry, dict) or entry.get("kty") != "RSA" or entry.get("use", "sig") != "sig":
            continue
        if entry.get("alg", "RS256") != "RS256" or not isinstance(entry.get("kid", ""), str):
            continue
        try:
            keys[entry.get("kid", "")] = PyJWK(entry, algorithm="RS256")
        except PyJWKError:
            continue  # one unusable key must not hide the others
    return keys


def _signing_key(issuer: str, kid: str | None) -> Any:
    uri = _jwks_uri(issuer)
    now = time.monotonic()
    with _lock:
        fetched_at, keys = _jwks.get(uri, (None, {}))
    # monotonic() counts from boot, so "never fetched" must not be encoded as time zero.
    stale = fetched_at is None or now - fetched_at > JWKS_TTL_SECONDS
    if stale or (_pick(keys, kid) is None and now - fetched_at > JWKS_MIN_REFRESH_SECONDS):
        keys = _parse_jwks(_fetch_json(uri))
        with _lock:
            _jwks[uri] = (now, keys)
    return _pick(keys, kid)


def _pick(keys: dict[str, Any], kid: str | None) -> Any:
    if kid is not None:
        return keys.get(kid)
    # RFC 7517 §4.5: without a kid the token can only be meant for a set holding a single key.
    return next(iter(keys.values())) if len(keys) == 1 else None


def _number(claims: dict[str, Any], name: str) -> float:
    value = claims.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TokenRefused("claims_missing")
    return float(value)


def verify_id_token(token: str, issuers: Sequence[CitizenIssuer], *, now: float,
                    nonce_seen: Callable[[str, str, int], bool]) -> dict[str, Any]:
    """The claims of an ID token from one of ``issuers``, or :class:`TokenRefused`.

    ``now`` is the wall clock in epoch seconds. ``nonce_seen(issuer, nonce, exp)`` records the nonce and answers
    True if it was recorded before; it is called last, so a token refused for another reason uses up no nonce.
    Raises :class:`IssuerUnavailable` when the issuer's documents cannot be had.
    """
    import jwt

    try:
        header = jwt.get_unverified_header(token)
        unverified = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError as error:
        raise TokenRefused("malformed") from error
    if header.get("alg") != "RS256":
        raise TokenRefused("algorithm")
    kid = header.get("kid")
    if kid is not None and not isinstance(kid, str):
        raise TokenRefused("malformed")
    trusted = next((i for i in issuers if isinstance(unverified.get("iss"), str)
                    and i.issuer == unverified["iss"]), None)
    if trusted is None:
        raise TokenRefused("issuer_unknown")

    key = _signing_key(trusted.issuer, kid)
    if key is None:
        raise TokenRefused("key_unknown")
    try:
        # Times are checked below against the caller's clock, not PyJWT's.
        claims = jwt.decode(token, key=key.key, algorithms=["RS256"], audience=trusted.audience,
                            issuer=trusted.issuer, options={"require": list(REQUIRED_CLAIMS), "verify_exp": False,
                                                             "verify_iat": False, "verify_nbf": False})
    except jwt.InvalidSignatureError as error:
        raise TokenRefused("signature") from error
    except jwt.InvalidAudienceError as error:
        raise TokenRefused("audience") from error
    except jwt.InvalidIssuerError as error:
        raise TokenRefused("issuer") from error
    except jwt.MissingRequiredClaimError as error:
        raise TokenRefused("claims_missing") from error
    except jwt.PyJWTError as error:
        raise TokenRefused("malformed") from error

    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    if (len(audiences) > 1 or "azp" in claims) and claims.get("azp") != trusted.audience:
        raise TokenRefused("azp")
    exp, iat = _number(claims, "exp"), _number(claims, "iat")
    if now > exp + LEEWAY_SECONDS:
        raise TokenRefused("expired")
    if iat > now + LEEWAY_SECONDS:
        raise TokenRefused("issued_in_future")
    if "nbf" in claims and _number(claims, "nbf") > now + LEEWAY_SECONDS:
        raise TokenRefused("not_yet_valid")
    nonce = claims.get("nonce")
    if not isinstance(nonce, str) or not nonce:
        raise TokenRefused("nonce_missing")
    if nonce_seen(trusted.issuer, nonce, int(exp)):
        raise TokenRefused("nonce_replayed")
    return claims
