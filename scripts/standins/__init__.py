"""Local servers of the external systems the platform talks to (the national portal, the identity provider)."""

from __future__ import annotations

import json
import socketserver
import sys
from http.server import BaseHTTPRequestHandler
from typing import Any

JSON_TYPE = "application/json; charset=utf-8"


class BadRequest(Exception):
    """A request the stand-in refuses as malformed (its message says why)."""


class LocalHandler(BaseHTTPRequestHandler):
    """What the stand-ins' request handlers share: keep-alive HTTP/1.1, one `_dispatch(method)` per request, logging
    when the server's config asks for it, and reading and answering bodies. A subclass names `log_name` and
    `max_body_bytes` and writes `_dispatch`."""

    protocol_version = "HTTP/1.1"
    timeout = 120  # an idle keep-alive connection gives its thread back
    log_name = "stand-in"
    max_body_bytes = 1024 * 1024

    def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
        self._dispatch("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._dispatch("POST")

    def do_DELETE(self) -> None:  # noqa: N802
        self._dispatch("DELETE")

    def _dispatch(self, method: str) -> None:
        raise NotImplementedError

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        if self.server.config.log_requests:
            sys.stderr.write(f"{self.log_name}: {self.address_string()} {format % args}\n")

    def _send(self, status: int, payload: bytes, content_type: str, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    def _json(self, status: int, body: Any) -> None:
        self._send(status, json.dumps(body, ensure_ascii=False).encode("utf-8"), JSON_TYPE)

    def _read(self) -> bytes:
        """The request's body: a declared length within `max_body_bytes`, never chunked."""
        if self.headers.get("Transfer-Encoding"):
            self.close_connection = True
            raise BadRequest("chunked bodies are not accepted")
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError as error:
            self.close_connection = True
            raise BadRequest("bad Content-Length") from error
        if length < 0 or length > self.max_body_bytes:
            self.close_connection = True
            raise BadRequest("body too large")
        return self.rfile.read(length) if length else b""

    @staticmethod
    def _object(raw: bytes, empty_ok: bool = False) -> dict:
        """A JSON object body (an empty body is `{}` when `empty_ok`)."""
        if empty_ok and not raw.strip():
            return {}
        try:
            body = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as error:
            raise BadRequest("malformed JSON") from error
        if not isinstance(body, dict):
            raise BadRequest("the body must be a JSON object")
        return body


class LocalServer:
    """What the stand-ins' HTTP servers share (mixed in before the server class): a deep listen backlog, no
    reverse-DNS lookup at bind, and the URL clients reach them at."""

    request_queue_size = 128

    def server_bind(self) -> None:
        # HTTPServer.server_bind resolves the host's FQDN, which can stall for seconds without DNS.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = str(self.server_address[0]), int(self.server_address[1])

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{'127.0.0.1' if host in ('', '0.0.0.0') else host}:{port}"


def serve_in_thread(server, name: str):
    """Serve on a daemon thread (a short poll keeps shutdown() quick, for tests that start and stop servers often);
    stop with shutdown() + server_close(). Returns the server and its thread."""
    import threading

    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, name=name, daemon=True)
    thread.start()
    return server, thread


def serve_until_stopped(server, ready: dict, parent_pid: int | None) -> int:
    """A stand-in's life as a process: say it is ready (one JSON line), serve until SIGTERM or SIGINT, or until the
    local stack that started it (`parent_pid`) is gone without stopping it, then close."""
    import json
    import os
    import signal
    import threading

    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    print(json.dumps({"ready": True, **ready}), flush=True)
    while not stop.wait(0.2):
        if parent_pid and os.getppid() != parent_pid:  # orphaned: the stack ended without stopping us
            break
    server.shutdown()
    server.server_close()
    return 0

