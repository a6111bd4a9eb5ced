"""Bearer-token verification against the Cognito user pool's JWKS, in the app itself, and the caller's
authority from the platform's staff directory.

Checked: RS256 signature by a key of the pool, issuer, audience (the app client), expiry,
issued-at and `token_use == "id"`. The token says who the caller is; what they may do is the directory's
(chalicelib/services/staff.py), read on each request and cached for at most 60 seconds.
"""

from __future__ import annotations

import json
import threading
import time
from typing import Any

from ..domain.principal import Principal
from ..domain.states import Role
from ..settings import get_settings
from .http import Problem

JWKS_TTL_SECONDS = 3600.0
JWKS_MIN_REFRESH_SECONDS = 30.0  # an unknown kid triggers a refetch, but not a refetch storm
_jwks: dict[str, tuple[float | None, dict[str, Any]]] = {}
_lock = threading.Lock()


def _fetch_jwks(url: str) -> dict[str, Any]:
    import urllib.request

    from jwt import PyJWK

    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - URL comes from settings
        data = json.loads(response.read())
    return {k["kid"]: PyJWK(k) for k in data.get("keys", []) if k.get("kid") and k.get("kty") == "RSA"}


def _signing_key(url: str, kid: str) -> Any:
    now = time.monotonic()
    with _lock:
        fetched_at, keys = _jwks.get(url, (None, {}))
    # monotonic() counts from boot, so "never fetched" must not be encoded as time zero.
    stale = fetched_at is None or now - fetched_at > JWKS_TTL_SECONDS
    if stale or (kid not in keys and now - fetched_at > JWKS_MIN_REFRESH_SECONDS):
        keys = _fetch_jwks(url)
        with _lock:
            _jwks[url] = (now, keys)
    return keys.get(kid)


def _unauthorized() -> Problem:
    return Problem(401, "unauthorized", "token_invalid", headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})


def verify_token(token: str) -> dict[str, Any]:
    import jwt

    settings = get_settings()
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as error:
        raise _unauthorized() from error
    if header.get("alg") != "RS256" or not isinstance(header.get("kid"), str):
        raise _unauthorized()
    try:
        key = _signing_key(settings.jwks_url, header["kid"])
    except (OSError, ValueError) as error:
        raise Problem(503, "service_unavailable", "service_unavailable_detail") from error
    if key is None:
        raise _unauthorized()
    try:
        claims = jwt.decode(token, key=key.key, algorithms=["RS256"], audience=settings.user_pool_client_id,
                            issuer=settings.token_issuer, leeway=30,
                            options={"require": ["exp", "iat", "iss", "sub", "aud", "token_use"]})
    except jwt.PyJWTError as error:
        raise _unauthorized() from error
    if claims.get("token_use") != "id":
        raise _unauthorized()
    return claims


def authenticate(request: Any) -> Principal:
    """The caller of this request, verified once per request (the contract authenticates before it parses)."""
    known = getattr(request, "_motcua_principal", None)
    if known is not None:
        return known
    principal = _principal(request)
    request._motcua_principal = principal
    return principal


def _principal(request: Any) -> Principal:
    header = (request.headers or {}).get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Problem(401, "unauthorized", "token_missing", headers={"WWW-Authenticate": "Bearer"})
    token = token.strip()
    issuers = _citizen_issuers()
    if issuers and _issuer_of(token) in {i.issuer for i in issuers}:
        return _national_citizen(token, issuers)
    claims = verify_token(token)
    return principal_of(claims)


def _issuer_of(token: str) -> str | None:
    import jwt

    try:
        issuer = jwt.decode(token, options={"verify_signature": False}).get("iss")
    except jwt.PyJWTError:
        return None
    return issuer if isinstance(issuer, str) else None


def _citizen_issuers() -> list:
    from .oidc import CitizenIssuer

    return [CitizenIssuer(*entry.split("|", 1)) for entry in get_settings().citizen_issuers]


def _national_citizen(token: str, issuers: list) -> Principal:
    """A citizen signed in with the national identity: the token checked against its issuer (docs/identity.md),
    then the one citizen account of that citizen ID — the same person always gets the same account."""
    import hashlib

    from ..store.citizens import account_for, nonce_seen
    from .oidc import CITIZEN_ID_CLAIM, IssuerUnavailable, TokenRefused, verify_id_token

    # A nonce belongs to one sign-in: the token it came with may be presented again, another token never.
    token_hash = hashlib.sha256(token.encode()).hexdigest()
    try:
        claims = verify_id_token(token, issuers, now=time.time(),
                                 nonce_seen=lambda issuer, nonce, exp: nonce_seen(issuer, nonce, exp, token_hash))
    except TokenRefused as refused:
        from ..observability import get_logger

        get_logger().info("national sign-in refused", extra={"reason": refused.reason})
        raise _unauthorized() from refused
    except IssuerUnavailable as error:
        raise Problem(503, "service_unavailable", "service_unavailable_detail") from error
    citizen_id = claims.get(CITIZEN_ID_CLAIM)
    if not isinstance(citizen_id, str) or not citizen_id:
        raise _unauthorized()
    account = account_for(citizen_id, claims)
    return Principal(id=account, username=f"vneid:{citizen_id}", roles=frozenset({Role.CITIZEN}),
                     name=claims.get("name"), email=claims.get("email"), locale="vi")


def principal_of(claims: dict[str, Any]) -> Principal:
    """Who the verified token names, and what the staff directory lets them do. The token's own groups and
    attributes grant nothing: a user who edits them in the pool gains nothing. Someone the directory does not
    know is a citizen (anyone may sign up); a disabled member is refused."""
    from ..services.staff import authority

    # `locale` is a standard Cognito attribute, so it arrives without the `custom:` prefix.
    locale = claims.get("locale") if claims.get("locale") in ("vi", "en") else "vi"
    username = claims.get("cognito:username") or claims["sub"]
    member = authority(claims["sub"])
    if member is None:
        return Principal(id=claims["sub"], username=username, roles=frozenset({Role.CITIZEN}),
                         name=claims.get("name"), email=claims.get("email"), locale=locale)
    if not member.enabled:
        raise Problem(403, "forbidden", "account_disabled")
    known = {r.value for r in Role if r not in (Role.SYSTEM, Role.CITIZEN)}
    return Principal(id=member.id, username=member.username, roles=frozenset(Role(r) for r in member.roles
                                                                             if r in known),
                     agency_code=member.agency_code, unit=member.unit, name=member.name, email=member.email,
                     locale=locale)


def require(principal: Principal, *roles: Role) -> None:
    if not principal.has(*roles):
        raise Problem(403, "forbidden", "role_not_allowed")
