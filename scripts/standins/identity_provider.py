"""Local stand-in for the national identity provider (VNeID) that citizens sign in with (Decree 69/2024).

An OpenID Connect provider built on Authlib's authorization server: the authorization-code grant with PKCE
(S256 only) and OpenID Connect's code flow, ID tokens signed RS256 with a key made at start and published at
``/jwks``. Nothing here signs or checks a token by hand: Authlib does the protocol, this module keeps its state.

Endpoints: ``/.well-known/openid-configuration`` (the issuer is the server's base URL), ``/authorize`` (a page
listing the test citizens, or straight to the client with ``login_hint=<citizen ID>``), ``/token``, ``/jwks``,
``/userinfo``. For tests, ``/_sim/*``: ``GET citizens``, ``POST rotate-keys`` (a new signing key; the old one
leaves the JWKS, so tokens it signed can no longer be verified), ``POST faults`` ``{"fault": NAME}`` to spoil the
next ID token (one-shot; NAME in ``FAULTS``), ``GET``/``DELETE faults``, ``GET tokens`` (ID tokens issued) and
``POST reset``.

Claims, by scope: ``openid`` gives ``sub`` (stable per citizen) and ``citizen_id`` (the 12-digit personal
identification number; VNeID's own claim name is not public, so the platform reads it from ``CITIZEN_ID_CLAIM``);
``profile`` gives ``name`` and ``birthdate``; ``email`` gives ``email`` and ``email_verified``; ``phone`` gives
``phone_number`` (E.164) and ``phone_number_verified``. The ID token echoes the request's ``nonce``.

One public client (no secret, PKCE): ``--client-id``, redirect URIs from ``--redirect-uri`` (exact match), or,
when none is given, any ``http://127.0.0.1:<port>/...`` or ``http://localhost:<port>/...``.

    python -m scripts.standins.identity_provider --port 8702 --client-id motcua-web \\
        --redirect-uri http://127.0.0.1:8080/ --parent-pid $$
"""

from __future__ import annotations

import argparse
import html
import os
import secrets
import sys
import threading
import time
import urllib.parse
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from authlib.integrations.flask_oauth2 import AuthorizationServer, ResourceProtector
from authlib.oauth2 import OAuth2Error
from authlib.oauth2.rfc6749 import ClientMixin, InvalidRequestError, TokenMixin
from authlib.oauth2.rfc6749.grants import AuthorizationCodeGrant
from authlib.oauth2.rfc6750 import BearerTokenValidator
from authlib.oauth2.rfc7636 import CodeChallenge, create_s256_code_challenge
from authlib.oidc.core import AuthorizationCodeMixin, OpenIDCode, UserInfo, UserInfoEndpoint
from flask import Flask, Response, jsonify, request
from joserfc.jwk import RSAKey
from werkzeug.serving import ThreadedWSGIServer, WSGIRequestHandler

from scripts.standins import LocalServer, serve_in_thread, serve_until_stopped

CITIZEN_ID_CLAIM = "citizen_id"
DEFAULT_CLIENT_ID = "motcua-web"
SCOPE_CLAIMS: dict[str, tuple[str, ...]] = {
    "openid": ("sub", CITIZEN_ID_CLAIM),
    "profile": ("name", "birthdate"),
    "email": ("email", "email_verified"),
    "phone": ("phone_number", "phone_number_verified"),
}
CODE_TTL_SECONDS = 600  # RFC 6749 §4.1.2 recommends at most 10 minutes
ID_TOKEN_TTL_SECONDS = 3600
FAULTS = ("wrong_audience", "expired", "wrong_issuer", "missing_nonce")
WRONG_AUDIENCE = "another-relying-party"
EXPIRED_BY_SECONDS = 300  # well past any verifier's clock-skew leeway
_SUBJECT_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:motcua:standin:national-identity")


@dataclass(frozen=True)
class Citizen:
    citizen_id: str
    name: str
    birthdate: str
    email: str
    phone_number: str

    @property
    def sub(self) -> str:
        # Derived, not random: the same citizen keeps the same subject across restarts, as with the real provider.
        return str(uuid.uuid5(_SUBJECT_NAMESPACE, self.citizen_id))

    def claims(self) -> dict[str, Any]:
        return {"sub": self.sub, CITIZEN_ID_CLAIM: self.citizen_id, "name": self.name, "birthdate": self.birthdate,
                "email": self.email, "email_verified": True, "phone_number": self.phone_number,
                "phone_number_verified": True}


# Valid personal identification numbers (chalicelib/domain/identity.py): province of birth registration,
# gender-and-century digit and birth year agree with the birth date. The first is the demo account citizen.an.
CITIZENS: tuple[Citizen, ...] = (
    Citizen("001090012345", "Nguyễn Văn An", "1990-05-17", "an.nguyen@example.vn", "+84912345678"),
    Citizen("001190012345", "Trần Thị Bích Ngọc", "1990-11-02", "ngoc.tran@example.vn", "+84987654321"),
    Citizen("079203001234", "Lê Hoàng Minh", "2003-02-28", "minh.le@example.vn", "+84356789012"),
    Citizen("048185006789", "Phạm Thị Thu Hà", "1985-08-19", "ha.pham@example.vn", "+84905112233"),
    Citizen("038078004321", "Đặng Quốc Việt", "1978-12-01", "viet.dang@example.vn", "+84243825678"),
)


@dataclass
class Config:
    client_id: str = DEFAULT_CLIENT_ID
    redirect_uris: tuple[str, ...] = ()
    log_requests: bool = False


# --- what Authlib asks the application to keep ------------------------------------------------------------------

@dataclass
class Client(ClientMixin):
    client_id: str
    redirect_uris: tuple[str, ...]
    client_metadata: dict = field(default_factory=dict)

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str | None:
        return self.redirect_uris[0] if self.redirect_uris else None

    def get_allowed_scope(self, scope: str) -> str:
        return " ".join(s for s in (scope or "").split() if s in SCOPE_CLAIMS)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        if self.redirect_uris:
            return redirect_uri in self.redirect_uris
        # A loopback address on any port (RFC 8252 §7.3), for a web client started locally on a free port.
        parts = urllib.parse.urlsplit(redirect_uri)
        return parts.scheme == "http" and parts.hostname in ("127.0.0.1", "localhost") and not parts.fragment

    def check_client_secret(self, client_secret: str) -> bool:
        return False  # a public client has no secret

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method == "none"

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "authorization_code"


@dataclass
class AuthorizationCode(AuthorizationCodeMixin):
    code: str
    client_id: str
    redirect_uri: str
    scope: str
    citizen_id: str
    nonce: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    auth_time: int
    expires_at: float

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def get_nonce(self) -> str | None:
        return self.nonce

    def get_auth_time(self) -> int:
        return self.auth_time


@dataclass
class AccessToken(TokenMixin):
    access_token: str
    client: Client
    citizen: Citizen
    scope: str
    issued_at: float
    expires_in: int

    def check_client(self, client: ClientMixin) -> bool:
        return client.get_client_id() == self.client.client_id

    def get_scope(self) -> str:
        return self.scope

    def get_expires_in(self) -> int:
        return self.expires_in

    def is_expired(self) -> bool:
        return time.time() > self.issued_at + self.expires_in

    def is_revoked(self) -> bool:
        return False

    def get_user(self) -> Citizen:
        return self.citizen

    def get_client(self) -> Client:
        return self.client


def user_info(citizen: Citizen, scope: str) -> UserInfo:
    wanted = {claim for part in (scope or "").split() for claim in SCOPE_CLAIMS.get(part, ())}
    return UserInfo({name: value for name, value in citizen.claims().items() if name in wanted})


# --- the provider's state ---------------------------------------------------------------------------------------

def _new_key() -> RSAKey:
    return RSAKey.generate_key(2048, {"use": "sig", "alg": "RS256"}, auto_kid=True)


class Provider:
    """Clients, codes, tokens, the signing key and pending faults; every request thread goes through the lock."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.issuer = ""  # the base URL, known once the server has bound its port
        self.client = Client(config.client_id, tuple(config.redirect_uris))
        self.citizens = {citizen.citizen_id: citizen for citizen in CITIZENS}
        self._lock = threading.Lock()
        self._key = _new_key()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self._codes: dict[str, AuthorizationCode] = {}
            self._tokens: dict[str, AccessToken] = {}
            self._nonces: set[tuple[str, str]] = set()
            self._faults: list[str] = []
            self._issued: list[dict] = []

    # keys
    def signing_key(self) -> RSAKey:
        with self._lock:
            return self._key

    def rotate_keys(self) -> dict:
        key = _new_key()
        with self._lock:
            old, self._key = self._key, key
        return {"kid": key.kid, "dropped": old.kid}

    def jwks(self) -> dict:
        return {"keys": [self.signing_key().as_dict(private=False)]}

    # clients and citizens
    def query_client(self, client_id: str) -> Client | None:
        return self.client if client_id == self.client.client_id else None

    def citizen(self, citizen_id: Any) -> Citizen | None:
        return self.citizens.get(citizen_id) if isinstance(citizen_id, str) else None

    # codes, nonces and access tokens
    def save_code(self, code: AuthorizationCode) -> None:
        with self._lock:
            self._codes[code.code] = code
            if code.nonce:
                self._nonces.add((code.client_id, code.nonce))

    def code(self, code: str, client_id: str) -> AuthorizationCode | None:
        with self._lock:
            found = self._codes.get(code)
        if found is None or found.client_id != client_id or time.time() > found.expires_at:
            return None
        return found

    def delete_code(self, code: str) -> None:
        with self._lock:
            self._codes.pop(code, None)

    def nonce_used(self, client_id: str, nonce: str) -> bool:
        with self._lock:
            return (client_id, nonce) in self._nonces

    def save_access_token(self, token: AccessToken) -> None:
        with self._lock:
            self._tokens[token.access_token] = token

    def access_token(self, value: str) -> AccessToken | None:
        with self._lock:
            return self._tokens.get(value)

    # faults and the record of issued ID tokens
    def add_fault(self, name: Any) -> None:
        if name not in FAULTS:
            raise ValueError(f"fault must be one of {', '.join(FAULTS)}")
        with self._lock:
            if name not in self._faults:
                self._faults.append(name)

    def pending_faults(self) -> list[str]:
        with self._lock:
            return list(self._faults)

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def take_faults(self) -> list[str]:
        with self._lock:
            taken, self._faults = self._faults, []
        return taken

    def record_id_token(self, entry: dict) -> None:
        with self._lock:
            self._issued.append(entry)

    def issued(self) -> list[dict]:
        with self._lock:
            return list(self._issued)

    def discovery(self) -> dict:
        base = self.issuer
        return {
            "issuer": base,
            "authorization_endpoint": f"{base}/authorize",
            "token_endpoint": f"{base}/token",
            "userinfo_endpoint": f"{base}/userinfo",
            "jwks_uri": f"{base}/jwks",
            "scopes_supported": list(SCOPE_CLAIMS),
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "grant_types_supported": ["authorization_code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["none"],
            "code_challenge_methods_supported": ["S256"],
            "claims_supported": ["iss", "aud", "exp", "iat", "auth_time", "nonce", "at_hash",
                                 *dict.fromkeys(c for claims in SCOPE_CLAIMS.values() for c in claims)],
            "claims_parameter_supported": False,
            "request_parameter_supported": False,
        }


# --- Authlib's grant, its extensions and the userinfo endpoint --------------------------------------------------

class _CodeGrant(AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["none"]

    @property
    def provider(self) -> Provider:
        return self.server.provider

    def save_authorization_code(self, code: str, request: Any) -> None:
        data = request.payload.data
        self.provider.save_code(AuthorizationCode(
            code=code, client_id=request.client.client_id, redirect_uri=request.payload.redirect_uri or "",
            scope=request.scope, citizen_id=request.user.citizen_id, nonce=data.get("nonce"),
            code_challenge=data.get("code_challenge"), code_challenge_method=data.get("code_challenge_method"),
            auth_time=int(time.time()), expires_at=time.time() + CODE_TTL_SECONDS))

    def query_authorization_code(self, code: str, client: Client) -> AuthorizationCode | None:
        return self.provider.code(code, client.client_id)

    def delete_authorization_code(self, authorization_code: AuthorizationCode) -> None:
        self.provider.delete_code(authorization_code.code)

    def authenticate_user(self, authorization_code: AuthorizationCode) -> Citizen | None:
        return self.provider.citizen(authorization_code.citizen_id)


class _S256Required(CodeChallenge):
    """PKCE for every authorization request, and only S256: a plain challenge protects nothing from an observer."""

    DEFAULT_CODE_CHALLENGE_METHOD = "S256"
    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]

    def validate_code_challenge(self, grant: Any, redirect_uri: str) -> None:
        data = grant.request.payload.data
        if not data.get("code_challenge"):
            raise InvalidRequestError("Missing 'code_challenge': PKCE is required.")
        if data.get("code_challenge_method") != "S256":
            raise InvalidRequestError("'code_challenge_method' must be S256.")
        super().validate_code_challenge(grant, redirect_uri)


class _OpenIDCode(OpenIDCode):
    """Authlib mints the ID token; this supplies key, issuer, audience and lifetime, and spoils it on request."""

    def __init__(self, provider: Provider) -> None:
        super().__init__(require_nonce=False)
        self.provider = provider
        self._current = threading.local()  # the key and faults of the token being made, for the hooks below

    def exists_nonce(self, nonce: str, request: Any) -> bool:
        return self.provider.nonce_used(request.payload.client_id, nonce)

    def generate_user_info(self, user: Citizen, scope: str) -> UserInfo:
        return user_info(user, scope)

    def resolve_client_private_key(self, client: Client) -> RSAKey:
        return self._current.key

    def get_client_algorithm(self, client: Client) -> str:
        return "RS256"

    def get_encode_header(self, client: Client) -> dict:
        return {"alg": "RS256", "typ": "JWT", "kid": self._current.key.kid}

    def get_client_claims(self, client: Client) -> dict:
        now = int(time.time())
        return {"iss": self.provider.issuer, "aud": client.client_id, "iat": now, "exp": now + ID_TOKEN_TTL_SECONDS}

    def get_compatible_claims(self, request: Any) -> dict:
        claims = super().get_compatible_claims(request)
        faults = self._current.faults
        if "wrong_audience" in faults:
            claims["aud"] = WRONG_AUDIENCE
        if "wrong_issuer" in faults:
            # Close to the real one on purpose: a verifier must compare the issuer exactly, not by prefix.
            claims["iss"] = f"{self.provider.issuer}/elsewhere"
        if "expired" in faults:
            claims["iat"] = claims["auth_time"] = int(time.time()) - ID_TOKEN_TTL_SECONDS - EXPIRED_BY_SECONDS
            claims["exp"] = int(time.time()) - EXPIRED_BY_SECONDS
        return claims

    def get_authorization_code_claims(self, authorization_code: AuthorizationCode) -> dict:
        claims = super().get_authorization_code_claims(authorization_code)
        if "missing_nonce" in self._current.faults:
            claims.pop("nonce", None)
        return claims

    def encode_id_token(self, token: dict, request: Any) -> str:
        self._current.key = self.provider.signing_key()
        self._current.faults = self.provider.take_faults()
        id_token = super().encode_id_token(token, request)
        self.provider.record_id_token({
            "id_token": id_token, "kid": self._current.key.kid, "faults": self._current.faults,
            "client_id": request.client.client_id, CITIZEN_ID_CLAIM: request.user.citizen_id,
            "issued_at": int(time.time())})
        return id_token


class _UserInfo(UserInfoEndpoint):
    def generate_user_info(self, user: Citizen, scope: str) -> UserInfo:
        return user_info(user, scope)

    def get_issuer(self) -> str:
        return self.server.provider.issuer


class _BearerValidator(BearerTokenValidator):
    def __init__(self, provider: Provider) -> None:
        super().__init__()
        self.provider = provider

    def authenticate_token(self, token_string: str) -> AccessToken | None:
        return self.provider.access_token(token_string)


# --- the web application ----------------------------------------------------------------------------------------

_PAGE = """<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Định danh quốc gia (thử nghiệm) / National identity (test)</title>
<style>body{{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem}}
li{{display:flex;justify-content:space-between;align-items:center;gap:1rem;padding:.5rem 0;
border-bottom:1px solid #ddd}} ul{{list-style:none;padding:0}}</style></head>
<body><main><h1>Định danh quốc gia — môi trường thử nghiệm</h1>
<p>National identity — test environment. Chọn công dân để đăng nhập / Choose a citizen to sign in as.</p>
{notice}<ul>{rows}</ul>
<form method="post" action="/authorize">{hidden}<button type="submit" name="cancel" value="1">Hủy / Cancel</button>
</form></main></body></html>
"""
_ROW = """<li><span><strong>{name}</strong><br><small>{citizen_id} · {birthdate}</small></span>
<form method="post" action="/authorize">{hidden}<input type="hidden" name="citizen" value="{citizen_id}">
<button type="submit" aria-label="Đăng nhập / Sign in: {name}">Đăng nhập / Sign in</button></form></li>"""


def _login_page(provider: Provider, params: dict[str, str], notice: str = "") -> Response:
    hidden = "".join(f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
                     for k, v in params.items() if k not in ("citizen", "cancel", "login_hint"))
    rows = "".join(_ROW.format(name=html.escape(c.name), citizen_id=c.citizen_id, birthdate=c.birthdate,
                               hidden=hidden) for c in provider.citizens.values())
    body = _PAGE.format(rows=rows, hidden=hidden, notice=f"<p role=\"alert\">{html.escape(notice)}</p>" if notice
                        else "")
    return Response(body, status=200, content_type="text/html; charset=utf-8",
                    headers={"Cache-Control": "no-store"})


def create_app(provider: Provider) -> Flask:
    app = Flask("identity_provider")
    server = AuthorizationServer(app, query_client=provider.query_client, save_token=_saver(provider))
    server.provider = provider
    server.register_grant(_CodeGrant, [_S256Required(required=True), _OpenIDCode(provider)])
    protector = ResourceProtector()
    protector.register_token_validator(_BearerValidator(provider))
    server.register_endpoint(_UserInfo(resource_protector=protector))

    @app.after_request
    def cors(response: Response) -> Response:
        # The web client runs in a browser on another origin and calls /token, /jwks and /userinfo itself.
        if not request.path.startswith(("/authorize", "/_sim")):
            response.headers["Access-Control-Allow-Origin"] = "*"
            response.headers["Access-Control-Allow-Headers"] = "Authorization, Content-Type"
            response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
        return response

    @app.get("/.well-known/openid-configuration")
    def discovery() -> Response:
        return jsonify(provider.discovery())

    @app.get("/jwks")
    def jwks() -> Response:
        return jsonify(provider.jwks())

    @app.route("/authorize", methods=["GET", "POST"])
    def authorize() -> Response:
        params = request.values.to_dict()
        cancelled = request.method == "POST" and "cancel" in request.form
        chosen = request.form.get("citizen") if request.method == "POST" else params.get("login_hint")
        citizen = provider.citizen(chosen)
        try:
            grant = server.get_consent_grant(end_user=citizen)
        except OAuth2Error as error:
            return server.handle_error_response(None, error)
        if citizen is None and not cancelled:
            notice = f"Không có công dân {chosen} / No citizen {chosen}" if chosen else ""
            return _login_page(provider, params, notice)
        return server.create_authorization_response(grant=grant, grant_user=None if cancelled else citizen)

    @app.post("/token")
    def token() -> Response:
        return server.create_token_response()

    @app.route("/userinfo", methods=["GET", "POST"])
    def userinfo() -> Response:
        return server.create_endpoint_response("userinfo")

    @app.route("/token", methods=["OPTIONS"])
    @app.route("/userinfo", methods=["OPTIONS"])
    def preflight() -> Response:
        return Response(status=204)

    @app.get("/_sim/citizens")
    def sim_citizens() -> Response:
        return jsonify({"citizens": [c.claims() for c in provider.citizens.values()]})

    @app.post("/_sim/rotate-keys")
    def sim_rotate() -> Response:
        return jsonify(provider.rotate_keys())

    @app.post("/_sim/faults")
    def sim_add_fault() -> tuple[Response, int] | Response:
        body = request.get_json(silent=True)
        try:
            provider.add_fault(body.get("fault") if isinstance(body, dict) else None)
        except ValueError as error:
            return jsonify({"error": str(error)}), 400
        return jsonify({"pending": provider.pending_faults()})

    @app.get("/_sim/faults")
    def sim_faults() -> Response:
        return jsonify({"pending": provider.pending_faults()})

    @app.delete("/_sim/faults")
    def sim_clear_faults() -> Response:
        provider.clear_faults()
        return jsonify({"pending": []})

    @app.get("/_sim/tokens")
    def sim_tokens() -> Response:
        return jsonify({"tokens": provider.issued()})

    @app.post("/_sim/reset")
    def sim_reset() -> Response:
        provider.reset()
        return jsonify({"reset": True})

    return app


def _saver(provider: Provider) -> Callable[[dict, Any], None]:
    """Authlib's save_token callback: access tokens are kept for /userinfo."""

    def save_token(token: dict, req: Any) -> None:
        provider.save_access_token(AccessToken(
            access_token=token["access_token"], client=req.client, citizen=req.user, scope=token.get("scope", ""),
            issued_at=time.time(), expires_in=int(token.get("expires_in", ID_TOKEN_TTL_SECONDS))))
    return save_token


# --- the server -------------------------------------------------------------------------------------------------

class _RequestHandler(WSGIRequestHandler):
    server: IdentityProviderServer

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        if self.server.config.log_requests:
            sys.stderr.write(f'identity-provider: {self.address_string()} "{self.requestline}" {code} {size}\n')

    def log(self, type: str, message: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        sys.stderr.write(f"identity-provider: {self.address_string()} {type}: {message % args}\n")


class IdentityProviderServer(LocalServer, ThreadedWSGIServer):

    def __init__(self, host: str, port: int, config: Config) -> None:
        self.config = config
        self.provider = Provider(config)
        super().__init__(host, port, create_app(self.provider), handler=_RequestHandler)
        self.provider.issuer = self.url


def start_server(host: str, port: int, config: Config) -> tuple[IdentityProviderServer, threading.Thread]:
    """Listens (port 0 picks a free one) and serves on a daemon thread; stop with shutdown() + server_close()."""
    return serve_in_thread(IdentityProviderServer(host, port, config), "identity-provider")


# --- a relying party's side of the flow, for tests --------------------------------------------------------------

def sign_in(url: str, citizen_id: str, *, client_id: str = DEFAULT_CLIENT_ID,
            redirect_uri: str = "http://127.0.0.1/callback", scope: str = "openid profile email phone",
            nonce: str | None = None) -> dict:
    """Runs the code flow with PKCE as the web client would, the citizen chosen by ``login_hint``; returns the
    token response (``id_token``, ``access_token``, ...) with the ``nonce`` that was sent."""
    import requests

    verifier = secrets.token_urlsafe(48)
    nonce = nonce or secrets.token_urlsafe(16)
    state = secrets.token_urlsafe(16)
    answer = requests.get(f"{url}/authorize", allow_redirects=False, timeout=10, params={
        "response_type": "code", "client_id": client_id, "redirect_uri": redirect_uri, "scope": scope,
        "state": state, "nonce": nonce, "login_hint": citizen_id,
        "code_challenge": create_s256_code_challenge(verifier), "code_challenge_method": "S256"})
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(answer.headers.get("Location", "")).query))
    if answer.status_code != 302 or "code" not in query or query.get("state") != state:
        raise RuntimeError(f"authorization failed: {answer.status_code} {query or answer.text[:200]}")
    tokens = requests.post(f"{url}/token", timeout=10, data={
        "grant_type": "authorization_code", "code": query["code"], "redirect_uri": redirect_uri,
        "client_id": client_id, "code_verifier": verifier})
    tokens.raise_for_status()
    return {**tokens.json(), "nonce": nonce}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Local stand-in for the national identity provider (OIDC).")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--client-id", default=DEFAULT_CLIENT_ID, help="the web client's (public) client id")
    parser.add_argument("--redirect-uri", action="append", default=[],
                        help="an allowed redirect URI, exact (repeatable); none: any loopback http URI")
    parser.add_argument("--parent-pid", type=int, default=None,
                        help="stop when this process is gone (the local stack that started it)")
    args = parser.parse_args(argv)
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        # Authlib refuses plain http except on loopback; this stand-in has no TLS wherever it listens.
        os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"
    config = Config(client_id=args.client_id, redirect_uris=tuple(args.redirect_uri), log_requests=True)
    server, _thread = start_server(args.host, args.port, config)
    ready = {"url": server.url, "issuer": server.provider.issuer, "client_id": config.client_id}
    return serve_until_stopped(server, ready, args.parent_pid)


if __name__ == "__main__":
    sys.exit(main())
