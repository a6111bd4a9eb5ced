"""Bearer-token verification in the app itself, and the caller's authority.

Three kinds of ID token are accepted, told apart by their issuer: the citizens' user pool (anyone may sign up),
the staff pool (accounts made by administrators, TOTP at every sign-in, 15-minute tokens) and the national identity
providers of CITIZEN_ISSUERS. Checked: RS256 signature by a key of the issuer, issuer, audience (the app client),
expiry, issued-at and `token_use == "id"`. Only a staff-pool token can carry staff authority, and what it may do is
the staff directory's (chalicelib/services/staff.py), read on each request and cached for at most 60 seconds.
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


def verify_token(token: str, *, staff: bool = False) -> dict[str, Any]:
    """The claims of a token of the citizens' pool (or, with `staff`, of the staff pool), or 401."""
    import jwt

    settings = get_settings()
    if staff:
        jwks_url, audience, issuer = (settings.staff_jwks_url, settings.staff_pool_client_id,
                                      settings.staff_token_issuer)
    else:
        jwks_url, audience, issuer = settings.jwks_url, settings.user_pool_client_id, settings.token_issuer
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as error:
        raise _unauthorized() from error
    if header.get("alg") != "RS256" or not isinstance(header.get("kid"), str):
        raise _unauthorized()
    try:
        key = _signing_key(jwks_url, header["kid"])
    except (OSError, ValueError) as error:
        raise Problem(503, "service_unavailable", "service_unavailable_detail") from error
    if key is None:
        raise _unauthorized()
    try:
        claims = jwt.decode(token, key=key.key, algorithms=["RS256"], audience=audience, issuer=issuer, leeway=30,
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
    issuer, issuers, settings = _issuer_of(token), _citizen_issuers(), get_settings()
    if issuers and issuer in {i.issuer for i in issuers}:
        return _national_citizen(token, issuers)
    if settings.staff_pool_id and issuer == settings.staff_token_issuer:
        return staff_principal(verify_token(token, staff=True))
    return citizen_principal(verify_token(token))


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


def _locale(claims: dict[str, Any]) -> str:
    # `locale` is a standard Cognito attribute, so it arrives without the `custom:` prefix.
    return claims["locale"] if claims.get("locale") in ("vi", "en") else "vi"


def citizen_principal(claims: dict[str, Any]) -> Principal:
    """A token of the citizens' pool names a citizen, whatever its groups and attributes say and whoever the staff
    directory knows: staff authority comes only with a staff-pool token, where MFA is required."""
    return Principal(id=claims["sub"], username=claims.get("cognito:username") or claims["sub"],
                     roles=frozenset({Role.CITIZEN}), name=claims.get("name"), email=claims.get("email"),
                     locale=_locale(claims))


def staff_principal(claims: dict[str, Any]) -> Principal:
    """Who the staff-pool token names, and what the staff directory lets them do. The token's own groups and
    attributes grant nothing: a user who edits them in the pool gains nothing. An account the directory does not
    know (or no longer lists as enabled) is refused."""
    from ..services.staff import authority

    member = authority(claims["sub"])
    if member is None or not member.enabled:
        raise Problem(403, "forbidden", "account_disabled")
    known = {r.value for r in Role if r not in (Role.SYSTEM, Role.CITIZEN)}
    return Principal(id=member.id, username=member.username, roles=frozenset(Role(r) for r in member.roles
                                                                             if r in known),
                     agency_code=member.agency_code, unit=member.unit, name=member.name, email=member.email,
                     locale=_locale(claims))


def require(principal: Principal, *roles: Role) -> None:
    if not principal.has(*roles):
        raise Problem(403, "forbidden", "role_not_allowed")
