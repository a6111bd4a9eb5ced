"""How long the national portal waits to see what the platform did, and how many portal calls a lifecycle costs.

    .venv/bin/python bench/portal_sync.py [--dossiers 10] [--json-only]

Starts the local stack in this process (moto server, chalice local, the event pump, and the national portal
stand-in as a subprocess), then runs N lifecycles one after another, as tests/e2e/test_national_portal.py does:
a citizen submits on the portal (the stand-in's POST /_sim/submit forwards the work permit 1.014199 of a business
with its six files, result at the desk), then the platform's staff receive, transfer, assign, propose, approve,
upload and issue the result, and return it at the desk.

Sync delay: for each of the eight status changes, the time from the platform's answer (for the forward: the
stand-in's answer to /_sim/submit, which comes right after the platform's) until the stand-in holds the matching
progress entry (GET /_sim/dossiers/{MaHoSo}, polled every 20 ms: the k-th status change is there when it holds k
entries). Each change is awaited before the next action, so delays never overlap. That is the whole outbound path
of docs/national-portal.md §5: stream -> relay -> EventBridge -> queue -> sync consumer -> gateway.

Portal calls: from GET /_sim/calls, the calls naming each dossier's MaHoSo, by service (mean per lifecycle), and
the logins of the whole run. Prints a table and a last line of JSON; --json-only prints only the JSON. The servers'
request log goes to portal-sync-bench.log in the temp directory.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import logging
import os
import shutil
import socket
import statistics
import sys
import tempfile
import time
import traceback
import uuid
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import requests

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

POLL_SECONDS = 0.02
WAIT_SECONDS = 60  # no fault is injected: a change that takes this long is a failure, not a slow sample
TIMEOUT = 30
STEPS = ("forward", "receive", "transfer", "assign", "propose", "approve", "issue-result", "return-at-desk")


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Lifecycles:
    """The stack's two ends over HTTP: the platform's API (as the demo accounts) and the stand-in's /_sim."""

    def __init__(self, state: dict[str, str]) -> None:
        from scripts.demo import sign_in

        self.api_url, self.portal_url = state["API_URL"], state["NATIONAL_PORTAL_URL"]
        self.http = requests.Session()
        self.tokens = {user: sign_in(user) for user in ("officer.hanoi", "leader.hanoi", "specialist.hanoi")}

    def call(self, who: str, path: str, body: dict | None = None, expect: int = 200) -> dict:
        response = self.http.post(self.api_url + path, json=body, timeout=TIMEOUT,
                                  headers={"Authorization": f"Bearer {self.tokens[who]}"})
        if response.status_code != expect:
            raise RuntimeError(f"POST {path} answered {response.status_code}: {response.text[:500]}")
        return response.json()

    def forward(self) -> tuple[str, str]:
        """A citizen submits on the portal, which forwards the dossier: (MaHoSo, the platform's dossier id)."""
        import base64

        from tests.e2e.test_national_portal import BUSINESS, COMPONENTS, WORK_PERMIT

        files = [{"component_id": c, "file_name": f"{c}.{'png' if t == 'image/png' else 'pdf'}", "content_type": t,
                  "content_base64": base64.b64encode(content).decode()} for c, content, t in COMPONENTS]
        body = {"procedure_code": WORK_PERMIT, "applicant": BUSINESS, "summary": "Cấp giấy phép lao động",
                "files": files, "delivery": {"method": "desk"}}
        answer = self.http.post(self.portal_url + "/_sim/submit", json=body, timeout=60)
        found = answer.json() if answer.status_code == 200 else {}
        if found.get("platform_status") != 201:
            raise RuntimeError(f"the forward failed: {answer.status_code} {answer.text[:500]}")
        return found["MaHoSo"], found["platform_body"]["dossier_id"]

    def issue_result(self, dossier_id: str) -> dict:
        """The result document: a presigned S3 POST, its verification, then the issue (test_results.issue)."""
        from tests.samples import PDF

        content = PDF + f"% result {uuid.uuid4()}\n".encode()
        created = self.call("specialist.hanoi", f"/dossiers/{dossier_id}/results/uploads",
                            {"file_name": "ket-qua.pdf", "content_type": "application/pdf", "size": len(content)},
                            expect=201)
        target = created["upload"]
        stored = requests.post(target["url"], data=target["fields"], timeout=TIMEOUT,
                               files={"file": ("ket-qua.pdf", content, "application/pdf")})
        if stored.status_code not in (200, 201, 204):
            raise RuntimeError(f"S3 refused the result: {stored.status_code} {stored.text[:300]}")
        self.call("specialist.hanoi", f"/uploads/{created['id']}/complete")
        return self.call("specialist.hanoi", f"/dossiers/{dossier_id}/issue-result",
                         {"upload_ids": [created["id"]], "note": "Ban hành kết quả"})

    def act(self, step: str, dossier_id: str) -> None:
        """One staff action with the body of tests/e2e/test_national_portal.process_to_the_end."""
        from tests.e2e.test_processing import UNIT

        if step == "issue-result":
            self.issue_result(dossier_id)
            return
        who, body = {"receive": ("officer.hanoi", {"note": "Đủ thành phần"}),
                     "transfer": ("officer.hanoi", {"unit": UNIT}),
                     "assign": ("leader.hanoi", {"specialist": "specialist.hanoi"}),
                     "propose": ("specialist.hanoi", {"assessment": "Đủ điều kiện", "proposal": "approve"}),
                     "approve": ("leader.hanoi", {"note": "Đồng ý"}),
                     "return-at-desk": ("officer.hanoi", {"received_by": "Trần Văn Bình"})}[step]
        self.call(who, f"/dossiers/{dossier_id}/{step}", body)

    def progress_entries(self, code: str) -> int:
        answer = self.http.get(f"{self.portal_url}/_sim/dossiers/{code}", timeout=TIMEOUT)
        return len(answer.json()["progress"]) if answer.status_code == 200 else 0

    def wait_for_entries(self, code: str, count: int, since: float) -> float:
        """Seconds from `since` until the stand-in holds `count` progress entries of the dossier."""
        while self.progress_entries(code) < count:
            if time.perf_counter() - since > WAIT_SECONDS:
                raise RuntimeError(f"{code}: the portal never held progress entry {count}")
            time.sleep(POLL_SECONDS)
        return time.perf_counter() - since

    def run(self) -> tuple[str, dict[str, float]]:
        """One lifecycle; its MaHoSo and the sync delay of each step, in seconds."""
        delays: dict[str, float] = {}
        code, dossier_id = self.forward()
        delays["forward"] = self.wait_for_entries(code, 1, time.perf_counter())
        for count, step in enumerate(STEPS[1:], start=2):
            self.act(step, dossier_id)
            delays[step] = self.wait_for_entries(code, count, time.perf_counter())
        return code, delays

    def calls(self) -> list[dict]:
        return self.http.get(self.portal_url + "/_sim/calls", timeout=TIMEOUT).json()["calls"]


# ---------------------------------------------------------------- figures

def spread(seconds: list[float]) -> dict[str, float]:
    """Median, p95 and max in milliseconds (p95 interpolated between samples: there are few)."""
    ms = sorted(s * 1000 for s in seconds)
    p95 = statistics.quantiles(ms, n=20, method="inclusive")[18] if len(ms) > 1 else ms[0]
    return {"median": round(statistics.median(ms), 1), "p95": round(p95, 1), "max": round(ms[-1], 1)}


def summarise(codes: list[str], delays: list[dict[str, float]], calls: list[dict]) -> dict[str, Any]:
    by_dossier: dict[str, Counter[str]] = defaultdict(Counter)
    refused: Counter[str] = Counter()  # answers other than "00" (a 04/05 flip, a retry), per dossier
    for call in calls:
        for code in set(call["MaHoSo"]) & set(codes):
            by_dossier[code][call["service"]] += 1
            refused[code] += call["error_code"] != "00"
    services = sorted({service for counts in by_dossier.values() for service in counts})
    return {
        "dossiers": len(codes),
        "status_changes": sum(len(d) for d in delays),
        "delay_ms": spread([s for d in delays for s in d.values()]),
        "delay_ms_by_step": {step: spread([d[step] for d in delays]) for step in STEPS},
        "portal_calls_per_lifecycle": {s: statistics.mean(by_dossier[c][s] for c in codes) for s in services},
        "portal_calls_not_ok_per_lifecycle": statistics.mean(refused[c] for c in codes),
        "logins": sum(call["service"] == "login" for call in calls),
    }


def report(figures: dict[str, Any]) -> str:
    lines = [f"Platform -> national portal stand-in: sync delay over {figures['dossiers']} lifecycles "
             f"({figures['status_changes']} status changes), ms from the platform's answer to the progress entry",
             f"  {'step':<16} {'median':>8} {'p95':>8} {'max':>8}"]
    rows = [*figures["delay_ms_by_step"].items(), ("all", figures["delay_ms"])]
    lines += [f"  {step:<16} {row['median']:>8.0f} {row['p95']:>8.0f} {row['max']:>8.0f}" for step, row in rows]
    lines.append("Portal calls per lifecycle (naming its MaHoSo), mean:")
    per = figures["portal_calls_per_lifecycle"]
    lines += [f"  {service:<22} {count:>6.1f}" for service, count in per.items()]
    lines.append(f"  {'total':<22} {sum(per.values()):>6.1f}   (answers other than 00: "
                 f"{figures['portal_calls_not_ok_per_lifecycle']:.1f})")
    lines.append(f"Logins over the whole run: {figures['logins']}")
    return "\n".join(lines)


def measure(dossiers: int) -> dict[str, Any]:
    """Start the stack here, run the lifecycles one after another; the figures."""
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "ERROR")
    logging.disable(logging.WARNING)
    from scripts.local_stack import start

    control = Path(tempfile.mkdtemp(prefix="portal-sync-"))  # the pump's pause switches: none used here
    try:
        state = start(moto_port=_port(), api_port=_port(), portal_port=0, state_file=None, control_dir=control)
        lifecycles = Lifecycles(state)
        codes, delays = [], []
        for _ in range(dossiers):
            code, steps = lifecycles.run()
            codes.append(code)
            delays.append(steps)
        time.sleep(1)  # a late duplicate delivery would still call the portal: count it too
        return summarise(codes, delays, lifecycles.calls())
    finally:
        shutil.rmtree(control, ignore_errors=True)


@contextlib.contextmanager
def stderr_into(path: Path):
    """File descriptor 2 into `path` (the stand-in subprocess inherits it): the servers log a line per request."""
    saved = os.dup(2)
    with path.open("w") as log:
        os.dup2(log.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dossiers", type=int, default=10, help="lifecycles to run, one after another")
    parser.add_argument("--json-only", action="store_true", help="print only the JSON line")
    args = parser.parse_args(argv)
    if args.dossiers < 1:
        parser.error("--dossiers must be at least 1")
    log = Path(tempfile.gettempdir()) / "portal-sync-bench.log"
    try:
        # The handlers print their CloudWatch metric lines (EMF) to stdout, as Lambda wants; not here.
        with stderr_into(log), contextlib.redirect_stdout(io.StringIO()):
            figures = measure(args.dossiers)
    except Exception:
        traceback.print_exc()
        print(f"the servers' log: {log}", file=sys.stderr)
        os._exit(1)  # as below: the stack's threads would keep a failed run alive
    if not args.json_only:
        print(report(figures))
    print(json.dumps(figures))
    sys.stdout.flush()
    os._exit(0)  # the stack's server threads are not daemons; nothing to clean up in a throwaway process


if __name__ == "__main__":
    raise SystemExit(main())
