"""The scorecard's cost against the number of dossiers, and the metrics consumer's counting rate.

    python bench/scorecard.py [--sizes 1000 100000] [--consumer-events 400]

In-process moto (mock_aws) with every table of infra/resources.yaml:
- for each size N: N generated dossiers (received, decided on time or late, some returned and rated)
  are written to the dossiers table, and their counters to the metrics table the way the rebuild
  writes them (the fact fold over each dossier's events, summed); then the public scorecard for the
  agency-quarter is read 20 times: median time and the DynamoDB items read (ScannedCount of every
  query). The ratio between the largest and the smallest size is the figure that matters: reads do not
  grow with the number of dossiers.
- the consumer: that many real events (dossiers submitted and received through the service) counted
  by `count_event`, as the queue consumer does (its marker read + one transaction each): events per second
  and counter-row updates per second. moto is far slower than DynamoDB per call, so this is a floor.
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import sys
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

AGENCY = "000.00.20.H26"
PROCEDURES = ("1.014199", "1.014200", "1.014201")
QUARTER_START = datetime(2026, 10, 1, 2, 0, tzinfo=UTC)


def _history(rng: random.Random, dossier_id: str) -> list[dict]:
    """One dossier's events as the fold reads them: submitted, received, decided, maybe returned and rated."""
    submitted = QUARTER_START + timedelta(days=rng.randint(0, 80), minutes=rng.randint(0, 600))
    received = submitted + timedelta(hours=rng.randint(1, 30))
    due = (received + timedelta(days=14)).date()
    decided = received + timedelta(days=rng.choice([5, 10, 13, 16, 20]))
    officer = {"id": f"o{rng.randint(1, 6)}", "username": f"officer.{rng.randint(1, 6)}", "role": "officer"}
    channel = rng.choice([1, 2, 2])

    def event(seq: int, kind: str, at: datetime, payload: dict, actor: dict = officer) -> dict:
        return {"seq": seq, "type": f"dossier.{kind}", "at": at.isoformat().replace("+00:00", "Z"),
                "actor": actor, "payload": payload}

    events = [event(1, "submitted", submitted, {"agency_code": AGENCY, "procedure_code": rng.choice(PROCEDURES),
                                                "channel": channel, "components": [{"files": [{}]}]}),
              event(2, "received", received, {"received_at": received.isoformat(), "due_date": due.isoformat()}),
              event(3, "transferred", received + timedelta(hours=2), {"unit": rng.choice(["viec-lam", "lao-dong"])}),
              event(4, "assigned", received + timedelta(hours=3), {"specialist": f"specialist.{rng.randint(1, 9)}"}),
              event(5, "approved", decided, {})]
    if rng.random() < 0.7:
        events.append(event(6, "result_issued", decided + timedelta(hours=1), {"results": [{"upload_id": "r"}]}))
        events.append(event(7, "returned", decided + timedelta(days=1), {}))
        if rng.random() < 0.5:
            rating = {"satisfied": rng.random() < 0.9, "evaluated_at": events[-1]["at"]}
            events.append(event(8, "evaluated", decided + timedelta(days=1), {"evaluation": rating,
                                                                                "previous_evaluation": None}))
    return events


def _load(size: int, seed: int = 7) -> None:
    """`size` dossiers in the dossiers table and their counters in the metrics table (generation 1)."""
    from chalicelib.domain.dossier import Dossier
    from chalicelib.domain.ids import new_id
    from chalicelib.domain.metric_facts import facts
    from chalicelib.domain.states import Status
    from chalicelib.services.metrics import rows_for
    from chalicelib.store import metrics as store
    from chalicelib.store.dossiers import _to_model
    from chalicelib.store.models import DossierModel

    rng = random.Random(seed)
    rows: dict = defaultdict(lambda: defaultdict(float))
    with DossierModel.batch_write() as batch:
        for _ in range(size):
            dossier_id = new_id()
            history = _history(rng, dossier_id)
            for i in range(len(history)):
                rows_for(facts(history[: i + 1]), dossier_id, 1, rows)
            batch.save(_to_model(Dossier(
                id=dossier_id, code=f"{AGENCY}-261001-{rng.randint(1, 9999):04d}", procedure_code=PROCEDURES[0],
                procedure_version=1, agency_code=AGENCY, owner_id="bench", applicant={"name": "Công ty Bench"},
                summary="", components=[], delivery={"method": "desk"}, channel=2, status=Status.APPROVED,
                submitted_at=QUARTER_START, version=len(history))))
    store.write_generation(1, rows, {})


def _scorecard_cost(repeats: int = 20) -> tuple[float, int, int]:
    """Median time of the public scorecard for the agency-quarter, the items it read (every query's items:
    the generation pointer and the counter rows; no dossier is read) and the DynamoDB requests it made (one
    query per month bucket and shard, counted on the client)."""
    from chalicelib.domain.periods import parse_period
    from chalicelib.services.metrics import read_scorecard
    from chalicelib.store.aws import client

    last_day = datetime(2026, 12, 31).date()
    period = parse_period("2026-Q4", last_day)
    calls: list[str] = []

    def count(event_name: str, **_) -> None:
        calls.append(event_name)

    events = client("dynamodb").meta.events
    events.register("before-call.dynamodb", count)
    times, items, requests = [], 0, 0
    try:
        for _ in range(repeats):
            calls.clear()
            started = time.perf_counter()
            card = read_scorecard(AGENCY, period, last_day)
            times.append(time.perf_counter() - started)
            items, requests = card["items_read"], len(calls)
    finally:
        events.unregister("before-call.dynamodb", count)
    return statistics.median(times), items, requests


def _consumer_rate(events: int) -> tuple[float, float]:
    from chalicelib.api import schemas, validation
    from chalicelib.services import metrics
    from chalicelib.services.dossiers import DossierService
    from chalicelib.store.dossiers import DossierStore
    from tests.integration.conftest import officer, submission_body, submit

    desk = officer()
    delivered = []
    while len(delivered) < events:
        owner_body = submission_body(desk, "1.014200")
        dossier = submit(desk, owner_body)[0]
        DossierService().receive(desk, dossier.id, validation.parse(schemas.Receive, {}), datetime.now(UTC))
        delivered += [{**e, "dossier_id": dossier.id} for e in DossierStore().history(dossier.id)]
    rows_before = _rows_updated_probe()
    started = time.perf_counter()
    for event in delivered[:events]:
        metrics.count_event(event)
    elapsed = time.perf_counter() - started
    rows = _rows_updated_probe() - rows_before
    return events / elapsed, rows / elapsed


def _rows_updated_probe() -> int:
    """Counter-row updates so far: every ADD the store sent (counted by wrapping its transaction call)."""
    from chalicelib.store import metrics as store

    return getattr(store, "_bench_rows", 0)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 100_000])
    parser.add_argument("--consumer-events", type=int, default=400)
    args = parser.parse_args()

    import os

    from moto import mock_aws

    for key in ("AWS_ENDPOINT_URL", "AWS_PROFILE"):
        os.environ.pop(key, None)
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench")
    results = []
    for size in args.sizes:
        with mock_aws():
            _stack()
            started = time.perf_counter()
            _load(size)
            loaded = time.perf_counter() - started
            # The generated store lives in this process (moto): keep the collector from re-walking it on
            # every read, which would time Python's heap, not the reads.
            gc.collect()
            gc.freeze()
            median, items, requests = _scorecard_cost()
            gc.unfreeze()
            results.append((size, median, items))
            print(f"{size:>7} dossiers (loaded in {loaded:.0f} s): scorecard 2026-Q4 median {median * 1000:.1f} ms, "
                  f"{items} DynamoDB items read in {requests} requests", flush=True)
    if len(results) > 1:
        (small, t_small, i_small), (big, t_big, i_big) = results[0], results[-1]
        print(f"ratio {big}/{small} dossiers: items read {i_big / i_small:.2f}x, time {t_big / t_small:.2f}x")
    with mock_aws():
        _stack()
        _instrument_rows()
        per_event, per_row = _consumer_rate(args.consumer_events)
        print(f"consumer: {per_event:.0f} events/s counted ({per_row:.0f} counter-row updates/s), "
              f"history read + one transaction per event, in-process moto")
    return 0


def _stack() -> None:
    import chalicelib.store.models as models
    from chalicelib.store import procedures
    from scripts.demo import seed_catalogue
    from scripts.moto_fidelity import serialise_dynamodb_writes
    from scripts.provision import provision

    serialise_dynamodb_writes()
    env = provision(None, "bench")
    import os

    for key, value in env.items():
        if key != "AWS_ENDPOINT_URL":
            os.environ[key] = value
    models._bound = None
    procedures._cache.clear()
    from chalicelib.store import aws

    aws._clients.clear()
    seed_catalogue()


def _instrument_rows() -> None:
    from chalicelib.store import metrics as store

    original = store.apply

    def counting(generation, dossier_id, seq, rows, *more, **named):
        original(generation, dossier_id, seq, rows, *more, **named)
        store._bench_rows = getattr(store, "_bench_rows", 0) + len(rows)

    store.apply = counting


if __name__ == "__main__":
    raise SystemExit(main())
