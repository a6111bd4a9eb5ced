"""The web client (web/) served locally the way CloudFront serves it in AWS: `make run` starts it.

    python -m scripts.web_server [--port 8080] [--state-file build/local-stack.json]

Static files only, with the security headers CloudFront's response headers policy sends (infra/resources.yaml
WebHeadersPolicy; tests/infra checks that both say the same), gzip where the browser takes it (CloudFront
compresses too, so page weights measured here are the deployed ones), and `/config.js` written from the stack's
settings rather than read from disk. No directory listings, nothing outside web/, no dotfiles.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import threading
from collections.abc import Iterable, Mapping
from email.utils import formatdate, parsedate_to_datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

REPO_ROOT = Path(__file__).resolve().parents[1]
WEB_ROOT = REPO_ROOT / "web"
CONFIG_NAME = "config.js"

# By file suffix; the deploy uploads with the same types (scripts/deploy.py), and refuses a file not listed here.
CONTENT_TYPES: dict[str, str] = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".webmanifest": "application/manifest+json",
    ".txt": "text/plain; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
}
# Worth compressing (as CloudFront does for these types); images and fonts are compressed already.
_COMPRESSIBLE = (".html", ".js", ".mjs", ".css", ".json", ".webmanifest", ".txt", ".svg")

# Features the client never uses, refused to any script that might find its way in.
PERMISSIONS_POLICY = ("accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), "
                      "payment=(), usb=()")
REFERRER_POLICY = "no-referrer"


def content_type(name: str) -> str | None:
    """The Content-Type of a client file by its suffix; None when the client has no business shipping it."""
    return CONTENT_TYPES.get(Path(name).suffix.lower())


def content_security_policy(connect: Iterable[str]) -> str:
    """The client's CSP: its own files only (no inline script or style), and calls to `connect` (the API, the user
    pool's sign-in API, the documents bucket and, when configured, the national identity provider's discovery and
    token endpoints) besides its own origin. Going to the provider's sign-in page is a top-level navigation, which
    no directive here governs."""
    return "; ".join([
        "default-src 'self'",
        " ".join(["connect-src 'self'", *connect]),
        "img-src 'self' data: blob:",
        "style-src 'self'",
        "script-src 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "form-action 'self'",
    ])


def security_headers(connect: Iterable[str]) -> dict[str, str]:
    """Every response's headers, as WebHeadersPolicy sends them (less HSTS, which browsers ignore over http)."""
    return {
        "Content-Security-Policy": content_security_policy(connect),
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": REFERRER_POLICY,
        "Permissions-Policy": PERMISSIONS_POLICY,
    }


def client_config(api_url: str, cognito_url: str, user_pool_client_id: str, region: str,
                  citizen_idp_url: str | None = None, citizen_idp_client_id: str | None = None,
                  staff_pool_client_id: str | None = None) -> dict[str, str]:
    """What the client reads from window.MOTCUA_CONFIG (docs/web-client.md): the citizens' pool client and the
    staff pool's (staff sign in there, with a TOTP code). The national identity provider (its issuer URL and this
    client's id there) is optional: without both, the client offers no national sign-in."""
    config = {"apiUrl": api_url.rstrip("/"), "cognitoUrl": cognito_url.rstrip("/"),
              "userPoolClientId": user_pool_client_id, "region": region}
    if staff_pool_client_id:
        config["staffPoolClientId"] = staff_pool_client_id
    if citizen_idp_url and citizen_idp_client_id:
        config.update(citizenIdpUrl=citizen_idp_url.rstrip("/"), citizenIdpClientId=citizen_idp_client_id)
    return config


def origin(url: str) -> str:
    """scheme://host[:port] of a URL: what a CSP source names (a path would narrow it to that path alone)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def connect_sources(config: Mapping[str, str]) -> list[str]:
    """Where the client configured by `config` sends requests: the API, the user pool's API and the national
    identity provider when there is one."""
    sources = [config["apiUrl"], config["cognitoUrl"]]
    if config.get("citizenIdpUrl"):
        sources.append(origin(config["citizenIdpUrl"]))
    return sources


def citizen_idp(state: Mapping[str, str]) -> tuple[str | None, str | None]:
    """The national identity provider a stack's settings name for the client: CITIZEN_IDP_URL with
    CITIZEN_IDP_CLIENT_ID, or else the client id CITIZEN_ISSUERS pairs with that issuer (`<issuer>|<client id>`,
    comma-separated, as the API reads it)."""
    url = (state.get("CITIZEN_IDP_URL") or "").rstrip("/")
    if not url:
        return None, None
    client_id = state.get("CITIZEN_IDP_CLIENT_ID")
    if not client_id:
        pairs = (entry.split("|", 1) for entry in (state.get("CITIZEN_ISSUERS") or "").split(",") if "|" in entry)
        client_id = next((cid.strip() for issuer, cid in pairs if issuer.strip().rstrip("/") == url), None)
    return (url, client_id) if client_id else (None, None)


def config_script(config: Mapping[str, str]) -> str:
    # JSON is a JavaScript expression; sorted so that an unchanged config is byte-for-byte the same file.
    return f"window.MOTCUA_CONFIG = {json.dumps(dict(config), sort_keys=True)};\n"


class _Handler(BaseHTTPRequestHandler):
    server: WebServer
    protocol_version = "HTTP/1.1"  # keep-alive: a page's dozen modules over one or two connections
    server_version = "MotCuaWeb"
    sys_version = ""

    def do_GET(self) -> None:  # noqa: N802 - the http.server interface
        self._respond(head=False)

    def do_HEAD(self) -> None:  # noqa: N802
        self._respond(head=True)

    def _refuse_method(self) -> None:
        self.send_response(HTTPStatus.METHOD_NOT_ALLOWED)
        self.send_header("Allow", "GET, HEAD")
        self._finish(b"method not allowed\n", "text/plain; charset=utf-8", head=False)

    do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _refuse_method  # noqa: N815

    def end_headers(self) -> None:
        for name, value in self.server.response_headers.items():
            self.send_header(name, value)
        super().end_headers()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - one line per file drowns the banner
        pass

    def _finish(self, body: bytes, kind: str, head: bool, cache: str = "no-cache") -> None:
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", cache)
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _not_found(self, head: bool) -> None:
        self.send_response(HTTPStatus.NOT_FOUND)
        self._finish(b"not found\n", "text/plain; charset=utf-8", head)

    def _respond(self, head: bool) -> None:
        path = unquote(urlsplit(self.path).path)
        if path == "/" + CONFIG_NAME:
            self.send_response(HTTPStatus.OK)
            # Never cached: it changes with every stack, on the same address.
            self._finish(self.server.config_body, CONTENT_TYPES[".js"], head, cache="no-store")
            return
        file = self.server.resolve(path)
        if file is None:
            self._not_found(head)
            return
        stat = file.stat()
        etag = f'"{stat.st_mtime_ns:x}-{stat.st_size:x}"'
        if self._unchanged(etag, stat.st_mtime):
            self.send_response(HTTPStatus.NOT_MODIFIED)
            self.send_header("ETag", etag)
            self.send_header("Cache-Control", "no-cache")
            self.end_headers()
            return
        body = file.read_bytes()
        self.send_response(HTTPStatus.OK)
        if file.suffix.lower() in _COMPRESSIBLE and "gzip" in self.headers.get("Accept-Encoding", ""):
            body = self.server.gzipped(file, etag, body)
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Vary", "Accept-Encoding")
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", formatdate(stat.st_mtime, usegmt=True))
        self._finish(body, content_type(file.name) or "application/octet-stream", head)

    def _unchanged(self, etag: str, mtime: float) -> bool:
        if "If-None-Match" in self.headers:
            return etag in self.headers["If-None-Match"]
        since = self.headers.get("If-Modified-Since")
        if not since:
            return False
        try:
            return int(mtime) <= parsedate_to_datetime(since).timestamp()
        except (TypeError, ValueError):
            return False


class WebServer(ThreadingHTTPServer):
    """The client's files under `root`, with `config` as /config.js and the CSP allowing calls to `connect`."""

    daemon_threads = True  # a request being answered never holds up the stack's exit
    request_queue_size = 128

    def __init__(self, root: Path, config: Mapping[str, str], connect: Iterable[str], host: str = "127.0.0.1",
                 port: int = 8080) -> None:
        self.root = Path(root).resolve()
        self.config_body = config_script(config).encode()
        self.response_headers = security_headers(list(connect))
        self._gzip_cache: dict[tuple[Path, str], bytes] = {}
        self._gzip_lock = threading.Lock()
        super().__init__((host, port), _Handler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    def resolve(self, url_path: str) -> Path | None:
        """The file a URL path names: `/` is index.html; a directory, a dotfile, a path leaving the root, a type
        the client does not ship, or a config.js left on disk is not found."""
        parts = [p for p in url_path.split("/") if p]
        if any(p.startswith(".") or "\\" in p or "\0" in p for p in parts):
            return None
        if parts == [CONFIG_NAME]:
            return None
        candidate = (self.root.joinpath(*parts) if parts else self.root / "index.html").resolve()
        if not candidate.is_relative_to(self.root) or not candidate.is_file() or not content_type(candidate.name):
            return None
        return candidate

    def gzipped(self, file: Path, etag: str, body: bytes) -> bytes:
        key = (file, etag)
        with self._gzip_lock:
            found = self._gzip_cache.get(key)
        if found is None:
            found = gzip.compress(body, compresslevel=9, mtime=0)
            with self._gzip_lock:
                self._gzip_cache[key] = found
        return found

    def start(self) -> WebServer:
        threading.Thread(target=self.serve_forever, name="web-client", daemon=True).start()
        return self


def serve_stack(state: Mapping[str, str], host: str = "127.0.0.1", port: int = 8080,
                root: Path = WEB_ROOT) -> WebServer:
    """Bind the client's server for a local stack (API_URL, MOTO_ENDPOINT, USER_POOL_CLIENT_ID, and the national
    identity stand-in when CITIZEN_IDP_URL is given: see citizen_idp); not started yet, so that its address is known
    (for the API's CORS) before it serves. The moto endpoint plays the user pool's sign-in API and the documents
    bucket."""
    config = client_config(state["API_URL"], state["MOTO_ENDPOINT"], state["USER_POOL_CLIENT_ID"],
                           state.get("AWS_DEFAULT_REGION", "ap-southeast-1"), *citizen_idp(state),
                           staff_pool_client_id=state.get("STAFF_POOL_CLIENT_ID"))
    return WebServer(root, config, connect_sources(config), host, port)


def web_origins(server: WebServer) -> list[str]:
    """The origins a browser on this server sends: the address it is bound to, and localhost for 127.0.0.1."""
    host, port = server.server_address[:2]
    origins = [f"http://{host}:{port}"]
    if host == "127.0.0.1":
        origins.append(f"http://localhost:{port}")
    return origins


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("WEB_PORT", "8080")), help="0: any free one")
    parser.add_argument("--state-file", default=str(REPO_ROOT / "build" / "local-stack.json"),
                        help="the running local stack's settings (make run writes them)")
    parser.add_argument("--root", default=str(WEB_ROOT))
    args = parser.parse_args(argv)
    state = json.loads(Path(args.state_file).read_text())
    server = serve_stack(state, args.host, args.port, Path(args.root))
    # The stack's API allows the origins make run serves the client on; another port needs CORS_ALLOWED_ORIGINS.
    print(f"web client on {server.url} (API {state['API_URL']}); Ctrl-C to stop", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
