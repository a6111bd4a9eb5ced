"""The national portal's exchange gateway, as the platform calls it (docs/national-portal.md §2).

Log in for a session (kept per container until it expires or the gateway says it did), then POST
`{session, madonvi, service, ...}`. The answers' `error_code` is turned into one of three outcomes: done,
`PortalRefused` (the gateway judged the data and said no: retrying the same data will not help, though the
queue still retries it a few times before the DLQ), or `PortalUnavailable` (it failed or did not answer in
time: retry with backoff). The standard library's HTTP client keeps the cold start free of extra imports.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field

from ..settings import get_settings
from .secrets import secret_value

OK = "00"
INVALID, SESSION, BACKWARDS, UNKNOWN, EXISTS, FAILED = "01", "02", "03", "04", "05", "99"


class PortalError(Exception):
    code = FAILED

    def __init__(self, message: str, code: str | None = None, errors: list | None = None) -> None:
        super().__init__(message)
        self.code = code or self.code
        self.errors = errors or []


class PortalUnavailable(PortalError):
    """No usable answer: a timeout, a refused connection, a 5xx or `99`."""


class PortalRefused(PortalError):
    """The gateway answered and refused (`01`, `03`, `04`, `05`, bad credentials)."""


class PortalNotConfigured(PortalError):
    """This stage has no gateway address: nothing is sent."""


@dataclass
class _Session:
    token: str | None = None
    expires: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)


_session = _Session()


def _credentials() -> tuple[str, str]:
    settings = get_settings()
    if not settings.national_portal_secret_id:
        raise PortalNotConfigured("NATIONAL_PORTAL_SECRET_ID is not set")
    return settings.national_portal_username, secret_value(settings.national_portal_secret_id, "password")


def _post(path: str, body: dict, what: str) -> tuple[int, dict]:
    settings = get_settings()
    if not settings.national_portal_url:
        raise PortalNotConfigured("NATIONAL_PORTAL_URL is not set")
    data = json.dumps(body, ensure_ascii=False).encode()
    request = urllib.request.Request(settings.national_portal_url + path, data=data, method="POST",
                                     headers={"Content-Type": "application/json; charset=utf-8",
                                              "Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=settings.national_portal_timeout_seconds) as answer:
            status, raw = answer.status, answer.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
    except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as error:
        raise PortalUnavailable(f"{what}: {error}") from error
    try:
        answer_body = json.loads(raw or b"{}")
    except ValueError:
        answer_body = {}
    if not isinstance(answer_body, dict):
        answer_body = {}
    if status >= 500 or str(answer_body.get("error_code", "")) == FAILED:
        raise PortalUnavailable(f"{what}: HTTP {status} {answer_body.get('message', '')}".strip())
    return status, answer_body


def _login() -> str:
    username, password = _credentials()
    status, body = _post("/api/auth/login", {"username": username, "password": password}, "login")
    if str(body.get("error_code")) not in ("0", OK) or not body.get("session"):
        raise PortalRefused(f"login refused: HTTP {status} {body.get('message', '')}".strip(),
                            str(body.get("error_code") or INVALID))
    _session.token = str(body["session"])
    _session.expires = time.monotonic() + max(60, int(body.get("expires_in") or 1800)) - 30
    return _session.token


def _token(renew: bool = False) -> str:
    with _session.lock:
        if renew or not _session.token or time.monotonic() >= _session.expires:
            return _login()
        return _session.token


def call(service: str, **fields) -> dict:
    """Call one service; returns the answer when `error_code` is `00`. A session the gateway no longer knows
    is renewed once."""
    settings = get_settings()
    renew = False
    for _ in range(2):
        body = {"session": _token(renew), "madonvi": settings.national_portal_unit, "service": service, **fields}
        _, answer = _post("/api/integration", body, service)
        code = str(answer.get("error_code", ""))
        if code == OK:
            return answer
        if code == SESSION:
            renew = True
            continue
        raise PortalRefused(f"{service}: {code} {answer.get('message', '')}".strip(), code or INVALID,
                            answer.get("errors"))
    raise PortalUnavailable(f"{service}: the gateway refused two fresh sessions")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # a redirect could lead anywhere: it is an error here
        return None


_files = urllib.request.build_opener(_NoRedirect)


def download(url: str, max_bytes: int) -> bytes:
    """A forwarded file, at most `max_bytes` (+1, so that an oversized file is recognised without reading it
    all). Only addresses under the portal's file prefix are fetched (the caller checks), and no redirect is
    followed, so a forward cannot point the platform at another host."""
    timeout = get_settings().national_portal_timeout_seconds
    request = urllib.request.Request(url, method="GET")
    try:
        with _files.open(request, timeout=timeout) as answer:
            return answer.read(max_bytes + 1)
    except urllib.error.HTTPError as error:
        raise PortalRefused(f"file: HTTP {error.code}", "file") from error
    except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as error:
        raise PortalUnavailable(f"file: {error}") from error


def reset_session() -> None:
    """Forget the session (tests; a rotated password)."""
    with _session.lock:
        _session.token, _session.expires = None, 0.0
