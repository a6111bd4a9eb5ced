"""Load on the local stack: concurrent citizens submit with uploads and officers receive, then every dossier,
event, email and metric count is checked (`make load`).

    python bench/load_test.py [--clients 20] [--duration 120]

The stack runs in its own process, started as the end-to-end tests start it (moto server + chalice local + the
event pump, loopback ports of its own). Each client signs in once (a citizen and an officer of Hà Nội, new
accounts in moto's Cognito) and then, until the duration is up: uploads the procedure's required components
(presigned POST to moto's S3, then `complete`), submits with an Idempotency-Key (every fifth submission is sent
twice with the same key, as a client retrying after a lost answer would), and its officer receives the dossier.

Afterwards, once the event pump has drained (bounded by --drain-timeout):
- no 5xx, no connection reset or refused, every answer the status the flow expects;
- every dossier a client got back exists exactly once: in its owner's list and in the desk search, and nothing
  else is there (no duplicate from the replayed keys, none lost);
- the events table holds each dossier's `submitted` and `received` event exactly once, and nothing else;
- moto's SES sent exactly one email per event (two per dossier);
- the public scorecard's counters for the agency (rolling 30 days) equal the number of dossiers submitted,
  received and received online.

Prints a table of throughput and p50/p95 per route, then one JSON line; exits 1 when a check fails.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
import uuid
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from scripts.pool_sign_in import id_token  # noqa: E402 - after the repository is on the path

PROCEDURE = "1.014200"  # Hà Nội, two required components (a PDF and an image): a typical small dossier
AGENCY = "000.00.20.H26"
PASSWORD = "Demo-Passw0rd!"
REPLAY_EVERY = 5  # every n-th submission is sent again with its key: the answer must be the same dossier
TIMEOUT = 30  # seconds per request: a stuck request fails the run instead of hanging it
EXPECTED_EVENTS = ("dossier.submitted", "dossier.received")
QUEUES = ("NotificationsQueue", "MetricsQueue")
DEAD_LETTER_QUEUES = ("RelayDLQ", "NotificationsDLQ", "MetricsDLQ")


# --------------------------------------------------------------------------- what the clients saw


@dataclass
class Recorder:
    """Latencies per route and every unexpected outcome, shared by the client threads."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    problems: Counter = field(default_factory=Counter)
    examples: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def timed(self, route: str, expect: tuple[int, ...], call):
        """`call()`'s response when its status is one of `expect`; otherwise None, with the outcome counted."""
        import requests

        started = time.perf_counter()
        try:
            response = call()
        except requests.RequestException as error:
            self.problem(route, _failure_kind(error), f"{type(error).__name__}: {error}")
            return None
        elapsed = time.perf_counter() - started
        with self.lock:
            self.latencies[route].append(elapsed)
        if response.status_code not in expect:
            kind = "5xx" if response.status_code >= 500 else f"unexpected {response.status_code}"
            self.problem(route, kind, response.text[:300])
            return None
        return response

    def problem(self, route: str, kind: str, detail: str) -> None:
        with self.lock:
            self.problems[f"{route}: {kind}"] += 1
            if len(self.examples) < 20:
                self.examples.append(f"{route}: {kind}: {detail}")


def _failure_kind(error: Exception) -> str:
    import requests

    text = str(error).lower()
    if "reset" in text or "broken pipe" in text or "remotedisconnected" in text or "aborted" in text:
        return "connection reset"
    if "refused" in text:
        return "connection refused"
    if isinstance(error, requests.Timeout):
        return "timeout"
    return "connection error"


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(fraction * len(ordered) + 0.5) - 1))]


# --------------------------------------------------------------------------- the clients


@dataclass
class Submitted:
    id: str
    code: str
    citizen: str


class Client:
    """One citizen and one desk officer, each signed in once, going round the submit/receive loop."""

    def __init__(self, state: dict, citizen: str, officer: str, recorder: Recorder) -> None:
        import requests

        self.state, self.recorder = state, recorder
        self.citizen_name = citizen
        self.citizen, self.officer, self.s3 = requests.Session(), requests.Session(), requests.Session()
        self.citizen.headers["Authorization"] = f"Bearer {self._sign_in(citizen)}"
        self.officer.headers["Authorization"] = f"Bearer {self._sign_in(officer)}"
        self.submitted: list[Submitted] = []

    def _sign_in(self, username: str) -> str:
        idp = _aws(self.state, "cognito-idp")
        started = time.perf_counter()
        token = id_token(idp, self.state, username, PASSWORD)
        with self.recorder.lock:
            self.recorder.latencies["sign-in (Cognito InitiateAuth)"].append(time.perf_counter() - started)
        return token

    def url(self, path: str) -> str:
        return self.state["API_URL"] + path

    def run(self, deadline: float, budget: Budget) -> None:
        procedure = self.recorder.timed("GET /procedures/{code}", (200,),
                                        lambda: self.citizen.get(self.url(f"/procedures/{PROCEDURE}"),
                                                                 timeout=TIMEOUT))
        if procedure is None:
            return
        from tests.e2e.conftest import PDF, PNG  # real files: verification parses PDFs and decodes images

        files = [(c["id"], *((PDF, "application/pdf") if "application/pdf" in c["accepted_types"]
                             else (PNG, "image/png")))
                 for c in procedure.json()["components"] if c["required"]]
        while time.monotonic() < deadline and budget.take():
            self.one_dossier(files)

    def one_dossier(self, files: list[tuple[str, bytes, str]]) -> None:
        """(component id, content, content type) of each required component -> one dossier, received."""
        uploads = []
        for component_id, content, content_type in files:
            upload_id = self.upload(component_id, content, content_type)
            if upload_id is None:
                return
            uploads.append({"component_id": component_id, "upload_ids": [upload_id]})
        body = {"procedure_code": PROCEDURE, "applicant": APPLICANT, "summary": "Hồ sơ thử tải",
                "components": uploads, "delivery": {"method": "desk"}}
        key = {"Idempotency-Key": str(uuid.uuid4())}
        created = self.recorder.timed("POST /dossiers", (201,), lambda: self.citizen.post(
            self.url("/dossiers"), json=body, headers=key, timeout=TIMEOUT))
        if created is None:
            return
        dossier = created.json()
        self.submitted.append(Submitted(dossier["id"], dossier["code"], self.citizen_name))
        if len(self.submitted) % REPLAY_EVERY == 0:
            again = self.recorder.timed("POST /dossiers (same Idempotency-Key)", (201,), lambda: self.citizen.post(
                self.url("/dossiers"), json=body, headers=key, timeout=TIMEOUT))
            if again is not None and (again.json()["id"] != dossier["id"]
                                      or again.headers.get("Idempotent-Replayed") != "true"):
                self.recorder.problem("POST /dossiers (same Idempotency-Key)", "not the same dossier",
                                      f"{dossier['id']} then {again.json()['id']}")
        self.recorder.timed("POST /dossiers/{id}/receive", (200,), lambda: self.officer.post(
            self.url(f"/dossiers/{dossier['id']}/receive"), json={"note": "Đủ thành phần"}, timeout=TIMEOUT))

    def upload(self, component_id: str, content: bytes, content_type: str) -> str | None:
        created = self.recorder.timed("POST /uploads", (201,), lambda: self.citizen.post(self.url("/uploads"), json={
            "procedure_code": PROCEDURE, "component_id": component_id, "file_name": f"{component_id}.bin",
            "content_type": content_type, "size": len(content)}, timeout=TIMEOUT))
        if created is None:
            return None
        target = created.json()["upload"]
        stored = self.recorder.timed("S3 presigned POST (moto)", (200, 201, 204), lambda: self.s3.post(
            target["url"], data=target["fields"], files={"file": (f"{component_id}.bin", content, content_type)},
            timeout=TIMEOUT))
        if stored is None:
            return None
        upload_id = created.json()["id"]
        verified = self.recorder.timed("POST /uploads/{id}/complete", (200,), lambda: self.citizen.post(
            self.url(f"/uploads/{upload_id}/complete"), timeout=TIMEOUT))
        return upload_id if verified is not None else None


APPLICANT = {"type": "business", "name": "Công ty TNHH Thử Tải", "tax_code": "0100109106",
             "address": "1 Trần Hưng Đạo, Hoàn Kiếm, Hà Nội", "phone": "02438253000", "email": "load@example.vn",
             "representative": {"full_name": "Lê Văn Cường", "position": "Giám đốc"}}


class Budget:
    """At most `limit` dossiers in all: the run is bounded in count as well as in time."""

    def __init__(self, limit: int) -> None:
        self.left, self.lock = limit, threading.Lock()

    def take(self) -> bool:
        with self.lock:
            self.left -= 1
            return self.left >= 0


def _aws(state: dict, service: str):
    import boto3

    return boto3.client(service, endpoint_url=state["MOTO_ENDPOINT"], region_name="ap-southeast-1",
                        aws_access_key_id="local", aws_secret_access_key="local")


def create_accounts(state: dict, clients: int) -> list[tuple[str, str]]:
    """(citizen, officer) usernames, fresh, one pair per client: citizens sign up in the pool, officers are
    invited by the demo administrator through /admin/staff (the staff directory holds their authority)."""
    import requests

    idp, pool, run = _aws(state, "cognito-idp"), state["USER_POOL_ID"], uuid.uuid4().hex[:6]
    admin_token = id_token(idp, state, "admin", PASSWORD)
    pairs = []
    for index in range(clients):
        citizen, officer = f"load-{run}-citizen-{index}", f"load-{run}-officer-{index}"
        idp.admin_create_user(UserPoolId=pool, Username=citizen, TemporaryPassword=PASSWORD, MessageAction="SUPPRESS",
                              UserAttributes=[{"Name": "email", "Value": f"{citizen}@example.vn"},
                                              {"Name": "name", "Value": citizen}])
        invited = requests.post(state["API_URL"] + "/admin/staff", timeout=TIMEOUT,
                                headers={"Authorization": f"Bearer {admin_token}"},
                                json={"username": officer, "name": officer, "email": f"{officer}@example.vn",
                                      "roles": ["officer"], "agency_code": AGENCY})
        if invited.status_code != 201:
            raise RuntimeError(f"could not invite {officer}: {invited.status_code} {invited.text}")
        idp.admin_set_user_password(UserPoolId=pool, Username=citizen, Password=PASSWORD, Permanent=True)
        idp.admin_set_user_password(UserPoolId=state["STAFF_POOL_ID"], Username=officer, Password=PASSWORD,
                                    Permanent=True)
        pairs.append((citizen, officer))
    return pairs


@dataclass
class LoadRun:
    clients: list[Client]
    recorder: Recorder
    seconds: float

    @property
    def dossiers(self) -> list[Submitted]:
        return [d for client in self.clients for d in client.submitted]


def run_load(state: dict, clients: int, duration: float, max_dossiers: int = 5000) -> LoadRun:
    """`clients` concurrent clients going round for `duration` seconds (after signing in)."""
    recorder = Recorder()
    accounts = create_accounts(state, clients)
    with ThreadPoolExecutor(max_workers=clients) as pool:
        signed_in = list(pool.map(lambda pair: Client(state, *pair, recorder), accounts))
    budget = Budget(max_dossiers)
    started = time.monotonic()
    deadline = started + duration
    with ThreadPoolExecutor(max_workers=clients) as pool:
        for future in [pool.submit(client.run, deadline, budget) for client in signed_in]:
            future.result()
    return LoadRun(signed_in, recorder, time.monotonic() - started)


def burst(api_url: str, connections: int, path: str = "/procedures") -> dict:
    """`connections` clients connect at once, each on a fresh TCP connection, and send one GET.
    Returns the answers' statuses, the failures and the slowest connect: a SYN dropped at a full listen
    backlog costs the kernel's initial retransmission timeout (1 s) before the connection is made."""
    import socket
    from urllib.parse import urlparse

    parsed = urlparse(api_url)
    barrier = threading.Barrier(connections)

    def one(_: int) -> tuple[str, float]:
        barrier.wait()
        started = time.perf_counter()
        try:
            with socket.create_connection((parsed.hostname, parsed.port), timeout=TIMEOUT) as sock:
                connected = time.perf_counter() - started
                sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {parsed.netloc}\r\nConnection: close\r\n\r\n".encode())
                answer = b""
                while chunk := sock.recv(65536):
                    answer += chunk
        except OSError as error:
            return f"{type(error).__name__}: {error}", time.perf_counter() - started
        status = answer.split(b" ", 2)[1].decode() if answer.startswith(b"HTTP/") else "no answer"
        return status, connected

    with ThreadPoolExecutor(max_workers=connections) as pool:
        outcomes = list(pool.map(one, range(connections)))
    return {"statuses": dict(Counter(status for status, _ in outcomes)),
            "slowest_connect_s": round(max(seconds for _, seconds in outcomes), 3)}


# --------------------------------------------------------------------------- the checks afterwards


def _pages(session, url: str) -> list[dict]:
    items, cursor = [], None
    while True:
        response = session.get(url + (f"&cursor={cursor}" if cursor else ""), timeout=TIMEOUT)
        response.raise_for_status()
        body = response.json()
        items += body["items"]
        cursor = body.get("next_cursor")
        if not cursor:
            return items


def _duplicates(values) -> list:
    return [value for value, count in Counter(values).items() if count > 1]


def check_dossiers(run: LoadRun) -> list[str]:
    """Each dossier a client got back is in its owner's list and the desk search exactly once; nothing else is."""
    failures = []
    expected = {d.id for d in run.dossiers}
    if len(expected) != len(run.dossiers):
        failures.append(f"the API handed out the same dossier twice: {_duplicates(d.id for d in run.dossiers)[:5]}")
    for client in run.clients:
        listed = [d["id"] for d in _pages(client.citizen, client.url("/dossiers?limit=100"))]
        mine = {d.id for d in client.submitted}
        if sorted(listed) != sorted(mine):
            failures.append(f"{client.citizen_name}'s list: {len(listed)} item(s), {len(mine)} submitted; "
                            f"missing {sorted(mine - set(listed))[:3]}, extra or twice "
                            f"{sorted(set(listed) - mine)[:3] + _duplicates(listed)[:3]}")
    if run.clients:
        client = run.clients[0]
        desk = _pages(client.officer, client.url(f"/desk/dossiers?procedure={PROCEDURE}&limit=100"))
        ids = [d["id"] for d in desk]
        if sorted(ids) != sorted(expected):
            failures.append(f"desk search: {len(ids)} item(s) for {len(expected)} submitted; missing "
                            f"{sorted(expected - set(ids))[:3]}, extra or twice "
                            f"{sorted(set(ids) - expected)[:3] + _duplicates(ids)[:3]}")
        not_received = [d["id"] for d in desk if d["id"] in expected and d.get("status") != "received"]
        if not_received:
            failures.append(f"{len(not_received)} dossier(s) not received: {not_received[:3]}")
    return failures


def _event_counts(state: dict) -> dict[str, list[str]]:
    """dossier id -> the types of its events, in order, from the events table."""
    by_dossier: dict[str, list[tuple[int, str, str]]] = defaultdict(list)
    for page in _aws(state, "dynamodb").get_paginator("scan").paginate(
            TableName=state["EVENTS_TABLE"], ProjectionExpression="dossier_id, seq, #t, event_id",
            ExpressionAttributeNames={"#t": "type"}):
        for item in page["Items"]:
            by_dossier[item["dossier_id"]["S"]].append(
                (int(item["seq"]["N"]), item["type"]["S"], item.get("event_id", {}).get("S", "")))
    duplicated_ids = _duplicates(e[2] for events in by_dossier.values() for e in events)
    result = {dossier: [t for _, t, _ in sorted(events)] for dossier, events in by_dossier.items()}
    if duplicated_ids:
        result["<event ids stored twice>"] = duplicated_ids
    return result


def _emails_by_code(state: dict) -> Counter:
    from scripts.ops.emails import sent_messages

    emails, _ = sent_messages(state["MOTO_ENDPOINT"])
    return Counter(m["subject"].split("]", 1)[0].lstrip("[") for m in emails)


def _counters(state: dict) -> dict:
    import requests

    response = requests.get(state["API_URL"] + "/metrics/scorecard",
                            params={"agency": AGENCY, "period": "rolling-30d"}, timeout=TIMEOUT)
    response.raise_for_status()
    counters = response.json()["counters"]
    return {k: counters.get(k, 0) for k in ("submitted", "received", "received_online")}


def _waiting(state: dict) -> dict[str, int]:
    from scripts.provision import physical_name

    sqs, waiting = _aws(state, "sqs"), {}
    for logical_id in QUEUES + DEAD_LETTER_QUEUES:
        url = sqs.get_queue_url(QueueName=physical_name(state["MOTCUA_STAGE"], logical_id))["QueueUrl"]
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        waiting[logical_id] = sum(int(attributes[k]) for k in (
            "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
            "ApproximateNumberOfMessagesDelayed"))
    return waiting


def check_pipeline(state: dict, run: LoadRun, drain_timeout: float = 300, settle: float = 3) -> tuple[list[str], float]:
    """After the pump drains: events, emails and metric counts, each exactly once. Returns (failures, drain
    seconds). Drained means every count has reached its expected value and the queues are empty; the counts
    are then read again after `settle` seconds, so that a late duplicate still fails the run."""
    dossiers = {d.id: d for d in run.dossiers}
    n = len(dossiers)
    expected_counters = {"submitted": n, "received": n, "received_online": n}

    def observe() -> tuple[dict, Counter, dict, dict]:
        return _event_counts(state), _emails_by_code(state), _counters(state), _waiting(state)

    started = time.monotonic()
    while True:
        events, emails, counters, waiting = observe()
        done = (sum(map(len, events.values())) >= 2 * n and sum(emails.values()) >= 2 * n
                and counters == expected_counters and not any(waiting[q] for q in QUEUES))
        if done or time.monotonic() - started > drain_timeout:
            break
        time.sleep(1)
    drained = time.monotonic() - started
    time.sleep(settle)
    events, emails, counters, waiting = observe()

    failures = []
    wrong_events = {d: types for d, types in events.items() if d not in dossiers or types != list(EXPECTED_EVENTS)}
    missing_events = [d for d in dossiers if d not in events]
    if wrong_events or missing_events:
        failures.append(f"events table: {len(wrong_events)} dossier(s) with other events than {EXPECTED_EVENTS} "
                        f"({dict(list(wrong_events.items())[:3])}), {len(missing_events)} without any")
    codes = {d.code for d in dossiers.values()}
    wrong_emails = {code: count for code, count in emails.items() if code not in codes or count != 2}
    unmailed = [code for code in codes if code not in emails]
    if wrong_emails or unmailed:
        failures.append(f"emails: {len(wrong_emails)} dossier code(s) with other than 2 emails "
                        f"({dict(list(wrong_emails.items())[:3])}), {len(unmailed)} with none")
    if counters != expected_counters:
        failures.append(f"scorecard counters {counters}, expected {expected_counters}")
    if any(waiting.values()):
        failures.append(f"messages still waiting or dead-lettered: { {q: c for q, c in waiting.items() if c} }")
    return failures, drained


# --------------------------------------------------------------------------- the report


def route_table(run: LoadRun) -> dict[str, dict]:
    return {route: {"count": len(values), "p50_ms": round(percentile(values, 0.5) * 1000, 1),
                    "p95_ms": round(percentile(values, 0.95) * 1000, 1),
                    "max_ms": round(max(values) * 1000, 1)}
            for route, values in sorted(run.recorder.latencies.items()) if values}


def summary(run: LoadRun, failures: list[str], drained: float, clients: int, duration: float,
            burst_result: dict | None = None) -> dict:
    routes = route_table(run)
    api_requests = sum(stats["count"] for route, stats in routes.items() if route.startswith(("GET", "POST")))
    return {"clients": clients, "duration_s": duration, "seconds": round(run.seconds, 1),
            "dossiers": len(run.dossiers), "dossiers_per_s": round(len(run.dossiers) / run.seconds, 2),
            "api_requests": api_requests, "api_requests_per_s": round(api_requests / run.seconds, 1),
            "routes": routes, "problems": dict(run.recorder.problems),
            "burst": burst_result, "drain_s": round(drained, 1), "failures": failures, "ok": not failures}


def print_report(result: dict) -> None:
    print(f"\n{result['clients']} clients for {result['seconds']} s: {result['dossiers']} dossiers "
          f"({result['dossiers_per_s']}/s), {result['api_requests']} API requests ({result['api_requests_per_s']}/s); "
          f"the pump drained {result['drain_s']} s after the last request")
    print(f"\n{'route':<42} {'count':>6} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for route, stats in result["routes"].items():
        print(f"{route:<42} {stats['count']:>6} {stats['p50_ms']:>8} {stats['p95_ms']:>8} {stats['max_ms']:>8}")
    if result["burst"]:
        print(f"\nburst: {result['burst']}")
    for problem, count in result["problems"].items():
        print(f"PROBLEM {problem} x{count}")
    for failure in result["failures"]:
        print(f"FAILED {failure}")
    print("all checks passed" if result["ok"] else "CHECKS FAILED")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--duration", type=float, default=120, help="seconds of load after signing in")
    parser.add_argument("--max-dossiers", type=int, default=5000, help="stop early after this many in all")
    parser.add_argument("--burst", type=int, default=100, help="connections opened at once before the load")
    parser.add_argument("--drain-timeout", type=float, default=300)
    parser.add_argument("--workdir", default=str(REPO_ROOT / "build" / "load-test"),
                        help="the stack's state file and log (stack.log) go here")
    args = parser.parse_args(argv)

    from tests.e2e.conftest import running_stack

    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    print(f"starting the local stack (log: {workdir / 'stack.log'}) ...", flush=True)
    with running_stack(workdir) as state:
        burst_result = burst(state["API_URL"], args.burst) if args.burst else None
        print(f"{args.clients} clients for {args.duration:.0f} s ...", flush=True)
        run = run_load(state, args.clients, args.duration, args.max_dossiers)
        print(f"{len(run.dossiers)} dossiers; waiting for the event pump to drain ...", flush=True)
        failures = [f"{problem} x{count}" for problem, count in run.recorder.problems.items()]
        if burst_result and set(burst_result["statuses"]) != {"200"}:
            failures.append(f"burst of {args.burst} connections: {burst_result['statuses']}")
        failures += check_dossiers(run)
        pipeline_failures, drained = check_pipeline(state, run, args.drain_timeout)
        failures += pipeline_failures
    result = summary(run, failures, drained, args.clients, args.duration, burst_result)
    print_report(result)
    print(json.dumps(result, ensure_ascii=False))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
