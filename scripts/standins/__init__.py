"""Local servers of the external systems the platform talks to (the national portal, the identity provider)."""

from __future__ import annotations

import socketserver


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

