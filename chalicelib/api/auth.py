"""Bearer-token verification against the Cognito user pool's JWKS, in the app itself.

Checked: RS256 signature by a key of the pool, issuer, audience (the app client), expiry,
issued-at and `token_use == "id"` (ID tokens carry the groups and the agency attribute).
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
    claims = verify_token(token.strip())
    known = {r.value for r in Role if r != Role.SYSTEM}
    groups = claims.get("cognito:groups") or []
    roles = frozenset(Role(g) for g in groups if isinstance(g, str) and g in known)
    # `locale` is a standard Cognito attribute, so it arrives without the `custom:` prefix.
    locale = claims.get("locale") if claims.get("locale") in ("vi", "en") else "vi"
    return Principal(id=claims["sub"], username=claims.get("cognito:username") or claims["sub"], roles=roles,
                     agency_code=claims.get("custom:agency") or None, unit=claims.get("custom:unit") or None,
                     name=claims.get("name"), email=claims.get("email"), locale=locale)


def require(principal: Principal, *roles: Role) -> None:
    if not principal.has(*roles):
        raise Problem(403, "forbidden", "role_not_allowed")
