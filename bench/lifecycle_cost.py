"""What one typical dossier lifecycle costs in AWS requests, DynamoDB units and dollars.

    python bench/lifecycle_cost.py [--json-only]

Starts the local stack in this process (moto server, chalice local, the event pump), meters every AWS
call with bench/aws_meter.py and walks one dossier through the lifecycle of issue 10: the six uploads of
examples/submission-business.json, submit, receive, transfer, assign, propose, approve, the result's
upload, issue the result, return it (at the desk, as that example asks), evaluate; then waits until the
pump has drained (every consumer done). It walks two such lifecycles and reports the second: the steady state
of warm Lambda containers, whose per-container caches (the procedure version, the gateway's secret, the signing
certificate, the trust roots) and first imports the first lifecycle paid, as one container's first request
pays them for the thousands after it; the first lifecycle's figures follow on one line ("cold"). Prints
requests by service and operation, DynamoDB read and write units (and the share of index writes), the price
at bench/aws_prices.json, the ratio to the paper minimum of docs/performance.md ("Cost of one dossier
lifecycle"), and a last line of JSON for scripts.
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
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from bench.aws_meter import Meter, MotoTables, item_size  # noqa: E402
from chalicelib.store.packing import unpack_doc  # noqa: E402

PRICES = REPO_ROOT / "bench" / "aws_prices.json"
BUDGETS = REPO_ROOT / "bench" / "budgets.json"
EXAMPLE = "business"  # six components: with the result document, the seven uploads
# Services priced under the target (email/SMS and identity left out); the others are listed only.
UNPRICED = {"sesv2": "email", "ses": "email", "sns": "SMS", "cognito-idp": "identity"}
TABLE_PREFIX = "motcua-local-"
MEMORY_MB = {"api_handler": 1024}  # .chalice/config.json; every other function has the default
DEFAULT_MEMORY_MB = 256


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _queue_depth(sqs, urls: list[str]) -> int:
    depth = 0
    for url in urls:
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=[
            "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])["Attributes"]
        depth += sum(int(v) for v in attributes.values())
    return depth


def wait_until_drained(meter: Meter, state: dict[str, str], quiet: float = 1.2, limit: float = 120) -> None:
    """Until the queues are empty and no counted call has happened for `quiet` seconds: the stream has been
    relayed (the relay's PutEvents would be a call), and every consumer has finished."""
    import boto3

    with meter.excluded():
        sqs = boto3.client("sqs", endpoint_url=state["MOTO_ENDPOINT"], region_name="ap-southeast-1")
        urls = [u for u in sqs.list_queues().get("QueueUrls", []) if "dlq" not in u.lower()]
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            idle_for = time.monotonic() - meter.last_activity
            if idle_for >= quiet and meter.in_flight == 0 and _queue_depth(sqs, urls) == 0:
                return
            time.sleep(0.25)
    raise RuntimeError(f"the event pump did not drain within {limit:.0f} s")


def run_lifecycle(meter: Meter, state: dict[str, str]) -> dict[str, Any]:
    """One dossier from its uploads to its evaluation, over HTTP as a client does; the meter counts the rest."""
    import requests

    from scripts.walkthrough import RESULT, RESULT_FILE, Walkthrough, fill, load_example, placeholders, sample_for

    walk = Walkthrough(state, out=lambda _line: None)
    submission = load_example(f"submission-{EXAMPLE}")
    procedures = json.loads((REPO_ROOT / "chalicelib" / "data" / "procedures.json").read_text(encoding="utf-8"))
    procedure = next(p for p in (procedures if isinstance(procedures, list) else procedures["procedures"])
                     if p["code"] == submission["procedure_code"])
    components = {c["id"]: c for c in procedure["components"]}
    specialist = load_example("assign")["specialist"]
    for user in ("citizen.an", "officer.hanoi", "leader.hanoi", specialist):
        walk.token(user)  # plain HTTP to Cognito: identity, not part of the lifecycle's cost

    post = requests.post

    def metered_post(url, *args, **kwargs):
        if url.startswith(state["MOTO_ENDPOINT"]):
            meter.client_request("s3", "PostObject")  # the presigned upload, straight from the browser to S3
        return post(url, *args, **kwargs)

    requests.post = metered_post
    try:
        meter.reset()
        for name in placeholders(submission):
            path, content_type = sample_for(components[name]["accepted_types"])
            walk.upload_ids[name] = walk.upload("citizen.an", "/uploads", {
                "procedure_code": submission["procedure_code"], "component_id": name}, path, content_type)
        dossier = walk.call("citizen.an", "POST", "/dossiers", fill(submission, walk.upload_ids), expect=201,
                            headers={"Idempotency-Key": str(uuid.uuid4())}).json()
        # Days pass between the steps of a real lifecycle, so each event travels the pipeline on its own
        # (its own stream batch, PutEvents and queue receive): drain after every step, which also makes the
        # counts independent of how the pump happens to batch.
        wait_until_drained(meter, state)
        for who, action, example in (("officer.hanoi", "receive", "receive"),
                                     ("officer.hanoi", "transfer", "transfer"),
                                     ("leader.hanoi", "assign", "assign"),
                                     (specialist, "propose", "propose"),
                                     ("leader.hanoi", "approve", "approve")):
            walk.act(who, dossier, action, example)
            wait_until_drained(meter, state)
        walk.upload_ids[RESULT] = walk.upload(specialist, f"/dossiers/{dossier['id']}/results/uploads", {},
                                              RESULT_FILE, "application/pdf")
        walk.act(specialist, dossier, "issue-result", "issue-result")
        wait_until_drained(meter, state)
        method = "online" if submission["delivery"]["method"] == "online" else "at-desk"
        walk.act("officer.hanoi", dossier, f"return-{method}", f"return-{method}")
        wait_until_drained(meter, state)
        walk.act("citizen.an", dossier, "evaluation", "evaluation", method="PUT")
        wait_until_drained(meter, state)
    finally:
        requests.post = post
    return dossier


# ---------------------------------------------------------------- figures

def summarise(meter: Meter) -> dict[str, Any]:
    calls = meter.counted()
    by_operation: dict[str, dict[str, float]] = defaultdict(lambda: {"requests": 0, "rcu": 0.0, "wcu": 0.0,
                                                                     "gsi_wcu": 0.0})
    by_origin: Counter[str] = Counter()
    wcu_by_origin: Counter[str] = Counter()
    for call in calls:
        row = by_operation[f"{call.service} {call.operation}"]
        row["requests"] += 1
        row["rcu"] += call.rcu
        row["wcu"] += call.wcu
        row["gsi_wcu"] += call.gsi_wcu
        by_origin[call.origin] += 1
        wcu_by_origin[call.origin] += call.wcu
    invocations = Counter(i.function for i in meter.invocations)
    gb_seconds = sum(max(0.001, round(i.seconds, 3)) * MEMORY_MB.get(i.function, DEFAULT_MEMORY_MB) / 1024
                     for i in meter.invocations)
    return {
        "requests": len(calls),
        "rcu": sum(c.rcu for c in calls),
        "wcu": sum(c.wcu for c in calls),
        "gsi_wcu": sum(c.gsi_wcu for c in calls),
        "by_operation": dict(sorted(by_operation.items())),
        "by_origin": dict(by_origin.most_common()),
        "wcu_by_origin": dict(wcu_by_origin.most_common()),
        "lambda_invocations": dict(invocations),
        "lambda_gb_seconds": gb_seconds,
        "unbilled": sorted({f"{c.service} {c.operation}" for c in calls if not c.billed}),
        "errors": Counter(f"{c.service} {c.operation} {c.error}" for c in calls if c.error),
        "left_out": dict(meter.skipped),
        "unattributed": len([c for c in meter.calls if c.origin == "unattributed"]),
    }


def price(figures: dict[str, Any], prices: dict[str, Any]) -> dict[str, float]:
    """Dollars per lifecycle, per service, at the list prices of bench/aws_prices.json."""
    per = prices["prices"]
    cost: Counter[str] = Counter()
    cost["dynamodb"] = (figures["wcu"] * per["dynamodb_write_request_unit"]
                        + figures["rcu"] * per["dynamodb_read_request_unit"])
    for name, row in figures["by_operation"].items():
        service, operation = name.split(" ", 1)
        if service == "s3":
            tier = "s3_get_request" if operation in ("GetObject", "HeadObject") else "s3_put_request"
            cost["s3"] += row["requests"] * per[tier]
        elif service == "sqs":
            cost["sqs"] += row["requests"] * per["sqs_request"]
        elif service == "events":
            cost["eventbridge"] += row["requests"] * per["eventbridge_custom_event"]
        elif service == "kms":
            # Signing a result is an asymmetric request, dearer than the symmetric ones S3 makes for its key.
            tier = "kms_asymmetric_request" if operation in ("Sign", "GetPublicKey") else "kms_request"
            cost["kms"] += row["requests"] * per[tier]
    invocations = sum(figures["lambda_invocations"].values())
    cost["lambda"] = invocations * per["lambda_request"] + figures["lambda_gb_seconds"] * per["lambda_gb_second"]
    return dict(cost)


def _line(name: str, row: dict[str, float]) -> str:
    gsi = f"{row['gsi_wcu']:.0f}" if row["gsi_wcu"] else ""
    rcu = f"{row['rcu']:.1f}" if row["rcu"] else ""
    wcu = f"{row['wcu']:.0f}" if row["wcu"] else ""
    return f"  {name:<40} {row['requests']:>5.0f} {rcu:>8} {wcu:>6} {gsi:>6}"


def report(figures: dict[str, Any], cost: dict[str, float], prices: dict[str, Any], minimum: dict[str, float]) -> str:
    lines = [f"One dossier lifecycle ({EXAMPLE} example): AWS requests and DynamoDB units",
             f"  {'service operation':<40} {'req':>5} {'RCU':>8} {'WCU':>6} {'of GSI':>6}"]
    lines += [_line(name, row) for name, row in figures["by_operation"].items()]
    lines.append(_line("total", {"requests": figures["requests"], "rcu": figures["rcu"], "wcu": figures["wcu"],
                                 "gsi_wcu": figures["gsi_wcu"]}))
    lines.append(f"  requests by origin: {figures['by_origin']}")
    lines.append(f"  WCU by origin: {({k: round(v) for k, v in figures['wcu_by_origin'].items()})}")
    lines.append(f"  Lambda: {figures['lambda_invocations']} invocations, {figures['lambda_gb_seconds']:.3f} GB-s "
                 f"(local durations)")
    lines.append(f"  bytes of the dossier's items at the end, by table: {figures['item_sizes']}")
    lines.append(f"  left out (idle polling, the poller's housekeeping): {figures['left_out']}")
    if figures["unattributed"]:
        lines.append(f"  calls from no known caller (not counted): {figures['unattributed']}")
    if figures["errors"]:
        lines.append(f"  refused calls (counted): {dict(figures['errors'])}")
    total = sum(cost.values())
    lines.append(f"Price at {prices['region']} list prices of {prices['read_on']} "
                 f"(email/SMS and identity excluded):")
    lines += [f"  {service:<12} ${amount * 1000:.4f} per 1,000 lifecycles" for service, amount in
              sorted(cost.items(), key=lambda kv: -kv[1])]
    lines.append(f"  {'total':<12} ${total * 1000:.4f} per 1,000 lifecycles")
    if "cold" in figures:
        cold = figures["cold"]
        lines.append(f"The first lifecycle of the fresh stack (cold: first imports, per-container caches filled): "
                     f"{cold['requests']} requests, {cold['wcu']:.0f} WCU, {cold['lambda_gb_seconds']:.3f} GB-s, "
                     f"${cold['cost_per_1000']:.4f} per 1,000")
    limit = budgets()
    lines.append(f"Against the paper minimum ({minimum['requests']} requests, {minimum['wcu']} WCU): "
                 f"requests x{figures['requests'] / minimum['requests']:.2f}, "
                 f"WCU x{figures['wcu'] / minimum['wcu']:.2f}; budgets {limit['requests']} requests, "
                 f"{limit['wcu']} WCU, ${limit['cost_per_1000']:.2f} per 1,000")
    return "\n".join(lines)


def budgets() -> dict[str, float]:
    """The most one lifecycle may cost: the targets of bench/budgets.json applied to the paper minimum."""
    data = json.loads(BUDGETS.read_text())
    minimum, targets = data["minimum"], data["targets"]
    return {"requests": int(minimum["requests"] * targets["requests_ratio"]),
            "wcu": int(minimum["wcu"] * targets["wcu_ratio"]), "cost_per_1000": targets["cost_per_1000_usd"]}


def measure() -> dict[str, Any]:
    """Start the stack here, run two lifecycles under the meter; the second's figures (with price and minimum),
    and the first's under "cold"."""
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "ERROR")
    logging.disable(logging.WARNING)
    from scripts.local_stack import start

    meter = Meter().install()
    control = Path(tempfile.mkdtemp(prefix="lifecycle-cost-"))  # the pump's pause switches: none used here
    state = start(moto_port=_port(), api_port=_port(), state_file=None, control_dir=control)
    wait_until_drained(meter, state)  # seeding's own events, the first deadline scan
    run_lifecycle(meter, state)
    cold = summarise(meter)
    dossier = run_lifecycle(meter, state)  # the meter starts again: the steady state
    figures = summarise(meter)
    prices = json.loads(PRICES.read_text())
    figures["cold"] = {key: cold[key] for key in ("requests", "rcu", "wcu", "gsi_wcu", "lambda_gb_seconds")}
    figures["cold"]["cost_per_1000"] = sum(price(cold, prices).values()) * 1000
    items = MotoTables().items_mentioning(dossier["id"])
    figures["item_sizes"] = {table.removeprefix(TABLE_PREFIX): sorted(item_size(i) for i in found)
                             for table, found in items.items()}
    figures["record"] = next((unpack_doc(i["doc_z"]["B"]) for i in items.get(
        f"{TABLE_PREFIX}dossiers-table", []) if "doc_z" in i), None)  # the dossier's stored record at the end
    cost = price(figures, prices)
    return {**figures, "calls": meter.counted(), "cost": cost, "cost_per_1000": sum(cost.values()) * 1000,
            "prices": prices, "minimum": json.loads(BUDGETS.read_text())["minimum"], "control_dir": control}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json-only", action="store_true", help="print only the JSON line")
    parser.add_argument("--calls", action="store_true", help="also list every counted call, in order")
    parser.add_argument("--dump-record", metavar="PATH", type=Path,
                        help="write the dossier's stored record at the end as JSON (scripts/doc_dictionary.py)")
    args = parser.parse_args(argv)
    # The handlers print their CloudWatch metric lines (EMF) to stdout, as Lambda wants; not here.
    with contextlib.redirect_stdout(io.StringIO()):
        result = measure()
    if args.calls:
        for call in result["calls"]:
            print(f"  {call.origin:<24} {call.service:<16} {call.operation:<20} {call.tables:<40} "
                  f"{call.rcu or '':>5} {call.wcu or '':>5} {call.gsi_wcu or '':>5} {call.error or ''} "
                  f"{' '.join(f'{t.removeprefix(TABLE_PREFIX)}:{a}->{b}' for t, a, b in call.sizes)}")
    if args.dump_record:
        args.dump_record.write_text(json.dumps(result["record"], ensure_ascii=False, indent=1))
    if not args.json_only:
        print(report(result, result["cost"], result["prices"], result["minimum"]))
    line = {key: result[key] for key in ("requests", "rcu", "wcu", "gsi_wcu", "cost_per_1000", "by_origin",
                                         "lambda_invocations", "minimum", "cold")}
    line["by_operation"] = {k: v["requests"] for k, v in result["by_operation"].items()}
    print(json.dumps(line, default=float))
    sys.stdout.flush()
    shutil.rmtree(result["control_dir"], ignore_errors=True)
    os._exit(0)  # the stack's server threads are not daemons; nothing to clean up in a throwaway process


if __name__ == "__main__":
    raise SystemExit(main())
