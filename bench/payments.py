"""How long a payer waits: from the click on "pay" at the gateway to the dossier moving on (docs/performance.md).

    .venv/bin/python bench/payments.py [--runs 20] [--json-only]

The local stack is started as tests/e2e/conftest.py's `running_stack` does (its own process and ports, the payment
gateway stand-in beside it). For each run, citizen.an's dossier is brought to `fee_requested` through the API
(submit, receive, transfer, assign, request-fee), the applicant starts the order and opens the gateway's page, then
the payer's click is played with the stand-in's `POST /_sim/orders/{id}/pay` and the clock runs until
`GET /dossiers/{id}` answers `assigned`:

- **notified**: the gateway's notification (IPN) arrives; the click's request returns once the platform has answered
  it, so this is mostly the notification's own round trip and the write that applies it;
- **lost notification**: the stand-in drops the notification (`drop_ipn`): the reconciliation job settles the order
  by asking the gateway. Locally the job runs every 2 s and asks 3 s after the order is made
  (PAYMENT_CHECK_AFTER_SECONDS); in AWS every 5 minutes, 300 s after — so there the wait is minutes, by design.

Also timed: `POST /dossiers/{id}/payments` (the order and its signed URL). Medians and p90 in milliseconds; a table,
then one line of JSON (--json-only: only the JSON).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

import requests

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

FEE = {"amount_vnd": 450000, "purpose": "Lệ phí cấp giấy phép lao động"}
POLL_SECONDS = 0.02
GIVE_UP_SECONDS = 60


def spread(seconds: Iterable[float]) -> dict[str, float]:
    ms = sorted(s * 1000 for s in seconds)
    p90 = statistics.quantiles(ms, n=10, method="inclusive")[8] if len(ms) > 1 else ms[0]
    return {"median": round(statistics.median(ms), 1), "p90": round(p90, 1), "n": len(ms)}


class Stack:
    def __init__(self, state: dict[str, str]) -> None:
        import boto3

        from scripts.pool_sign_in import id_token
        from tests.e2e.conftest import PASSWORD, Api

        idp = boto3.client("cognito-idp", endpoint_url=state["MOTO_ENDPOINT"], region_name="ap-southeast-1",
                           aws_access_key_id="local", aws_secret_access_key="local")
        self.state = state
        self.clients = {user: Api(state["API_URL"], id_token(idp, state, user, PASSWORD))
                        for user in ("citizen.an", "officer.hanoi", "leader.hanoi", "specialist.hanoi")}

    def __call__(self, user: str):
        return self.clients[user]

    def fee_requested(self) -> dict:
        from tests.e2e.test_processing import act, assigned

        return act(self("specialist.hanoi"), assigned(self), "request-fee", FEE)

    def gateway(self, path: str, body: dict) -> dict:
        answer = requests.post(self.state["PAYMENT_GATEWAY_URL"] + path, json=body, timeout=30)
        answer.raise_for_status()
        return answer.json()

    def one(self, lose_notification: bool) -> tuple[float, float]:
        """(order request, click to `assigned`) in seconds."""
        dossier = self.fee_requested()
        citizen = self("citizen.an")
        start = time.perf_counter()
        order = citizen.post(f"/dossiers/{dossier['id']}/payments", {"locale": "vi"})
        ordered = time.perf_counter() - start
        if order.status_code != 201:
            raise RuntimeError(f"payments answered {order.status_code}: {order.text[:300]}")
        requests.get(order.json()["redirect_url"], timeout=30).raise_for_status()
        if lose_notification:
            self.gateway("/_sim/faults", {"mode": "drop_ipn", "count": 1})
        click = time.perf_counter()
        self.gateway(f"/_sim/orders/{order.json()['payment_id']}/pay", {"outcome": "success"})
        while citizen.get(f"/dossiers/{dossier['id']}").json()["status"] != "assigned":
            if time.perf_counter() - click > GIVE_UP_SECONDS:
                raise RuntimeError(f"{dossier['id']} did not move on within {GIVE_UP_SECONDS} s")
            time.sleep(POLL_SECONDS)
        return ordered, time.perf_counter() - click


def measure(runs: int) -> dict:
    from tests.e2e.conftest import running_stack

    with tempfile.TemporaryDirectory(prefix="motcua-bench-payments-") as workdir, \
            running_stack(Path(workdir)) as state:
        stack = Stack(state)
        stack.one(False)  # warm-up: the first order imports and caches what the others find ready
        notified = [stack.one(False) for _ in range(runs)]
        lost = [stack.one(True) for _ in range(max(3, runs // 4))]
    return {"order": spread(o for o, _ in notified + lost), "click_to_resumed_notified": spread(c for _, c in notified),
            "click_to_resumed_lost_notification": spread(c for _, c in lost)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--json-only", action="store_true")
    args = parser.parse_args(argv)
    figures = measure(args.runs)
    if not args.json_only:
        print("| what | median ms | p90 ms | n |\n|---|---:|---:|---:|")
        for name, value in figures.items():
            print(f"| {name} | {value['median']} | {value['p90']} | {value['n']} |")
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
