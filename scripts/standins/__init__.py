"""Local servers of the external systems the platform talks to (the national portal, the identity provider)."""

from __future__ import annotations


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

