"""Events through the whole local pipeline: API -> DynamoDB (dossier + event) -> stream -> relay ->
EventBridge -> SQS -> notifications consumer -> SES, on the local stack (moto server + event pump).

    python bench/pipeline.py [--dossiers 100] [--latency-samples 30]

Prints:
- throughput: N "receive" actions are fired over HTTP while the relay is paused, so their events
  wait in the stream; then the relay resumes and the clock runs until the consumer has recorded the
  last of the N receipt emails as sent: events per second through stream -> bus -> queue -> consumer;
- latency: for sequential actions, the median (and p90) time from the API's 200 to the consumer's
  completion (the notification record turning "sent").
"""

from __future__ import annotations

import argparse
import socket
import statistics
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from scripts.pool_sign_in import id_token  # noqa: E402 - after the repository is on the path

PROCEDURE = "1.014200"  # two required components: cheap to set up
PDF = b"%PDF-1.4\n%bench\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dossiers", type=int, default=100)
    parser.add_argument("--latency-samples", type=int, default=30)
    args = parser.parse_args()

    import logging
    import os

    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "ERROR")
    logging.disable(logging.WARNING)
    import boto3

    from scripts.local_stack import start
    from tests.e2e.conftest import Api
    from tests.e2e.test_dossier_flow import submission

    control = REPO_ROOT / "build" / "bench-control"
    state = start(moto_port=_port(), api_port=_port(), state_file=None, control_dir=control)
    aws = {"endpoint_url": state["MOTO_ENDPOINT"], "region_name": "ap-southeast-1"}
    idp = boto3.client("cognito-idp", **aws)
    dynamodb = boto3.client("dynamodb", **aws)

    def token(user: str) -> str:
        return id_token(idp, state, user, "Demo-Passw0rd!")

    citizen = Api(state["API_URL"], token("citizen.an"))
    officer = Api(state["API_URL"], token("officer.hanoi"))

    def new_dossier() -> str:
        body = submission(lambda _user=None: citizen, None, PROCEDURE)
        response = citizen.post("/dossiers", body, headers={"Idempotency-Key": str(uuid.uuid4())})
        assert response.status_code == 201, response.text
        return response.json()["id"]

    def receipt_sent(dossier_id: str) -> bool:
        items = dynamodb.query(TableName=state["NOTIFICATIONS_TABLE"], KeyConditionExpression="dossier_id = :d",
                               ExpressionAttributeValues={":d": {"S": dossier_id}}, ConsistentRead=True)["Items"]
        return any(i.get("event_type", {}).get("S") == "dossier.received" and i.get("status", {}).get("S") == "sent"
                   for i in items)

    print(f"setting up {args.dossiers + args.latency_samples} dossiers ...", flush=True)
    with ThreadPoolExecutor(max_workers=4) as pool:
        batch = list(pool.map(lambda _: new_dossier(), range(args.dossiers)))
    singles = [new_dossier() for _ in range(args.latency_samples)]
    time.sleep(3)  # let the submission notifications drain so they do not share the measurement

    # Throughput: the events pile up in the stream while the relay is paused, then drain.
    pause = control / "pause-relay"
    pause.touch()
    api_started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=8) as pool:
        codes = list(pool.map(lambda d: officer.post(f"/dossiers/{d}/receive", {}).status_code, batch))
    assert set(codes) == {200}, codes
    api_seconds = time.perf_counter() - api_started
    started = time.perf_counter()
    pause.unlink()
    pending = set(batch)
    while pending and time.perf_counter() - started < 300:
        pending = {d for d in pending if not receipt_sent(d)}
        time.sleep(0.05)
    finished = time.perf_counter()
    assert not pending, f"{len(pending)} receipts never sent"
    rate = len(batch) / (finished - started)

    # Latency
    delays = []
    for dossier_id in singles:
        response = officer.post(f"/dossiers/{dossier_id}/receive", {})
        assert response.status_code == 200
        answered = time.perf_counter()
        while not receipt_sent(dossier_id):
            time.sleep(0.01)
        delays.append(time.perf_counter() - answered)

    print(f"throughput: {len(batch)} events drained from the stream to sent emails in {finished - started:.2f} s "
          f"= {rate:.1f} events/s (the {len(batch)} API calls themselves took {api_seconds:.2f} s)")
    print(f"latency 200 -> consumer done: median {statistics.median(delays) * 1000:.0f} ms, "
          f"p90 {statistics.quantiles(delays, n=10)[-1] * 1000:.0f} ms over {len(delays)} actions")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
