"""`dlq list` and `dlq redrive`: what waits in the dead-letter queues, and moving it back."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from typing import Any

from scripts.ops.consumers import Consumer, find_consumer
from scripts.ops.errors import OperatorError
from scripts.ops.stack import Stack

# How long `dlq list` hides the messages it has seen, so that the next receive returns others; they are
# made visible again as soon as the listing ends (or after this long if the command is killed).
PEEK_HIDE_SECONDS = 30
# How long `dlq redrive` holds a message between sending its copy and deleting it.
REDRIVE_HOLD_SECONDS = 60


def peek(sqs: Any, queue_url: str, limit: int = 1000, hide_seconds: int = PEEK_HIDE_SECONDS) -> list[dict]:
    """Up to `limit` messages of the queue, all left in it.

    Receiving with VisibilityTimeout=0 over and over would return the same first ten messages each time
    on moto (and a random sample in AWS), so each receive hides what it returned for `hide_seconds` and
    the next one gets others; at the end (error or not) every received message is made visible again.
    Each look counts as a receive (ApproximateReceiveCount goes up by one).
    """
    seen: dict[str, dict] = {}
    handles: list[str] = []
    try:
        while len(seen) < limit:
            batch = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, VisibilityTimeout=hide_seconds,
                                        WaitTimeSeconds=1, AttributeNames=["All"],
                                        MessageAttributeNames=["All"]).get("Messages", [])
            if not batch:
                break
            for message in batch:
                handles.append(message["ReceiptHandle"])
                seen.setdefault(message["MessageId"], message)
    finally:
        for start in range(0, len(handles), 10):
            sqs.change_message_visibility_batch(QueueUrl=queue_url, Entries=[
                {"Id": str(i), "ReceiptHandle": handle, "VisibilityTimeout": 0}
                for i, handle in enumerate(handles[start:start + 10])])
    return list(seen.values())


def describe(message: dict) -> dict:
    """What an operator needs to know about a dead letter, whatever its body is."""
    row = {"message_id": message["MessageId"],
           "receive_count": int(message.get("Attributes", {}).get("ApproximateReceiveCount", 0)),
           "sent_at": _epoch_ms(message.get("Attributes", {}).get("SentTimestamp")),
           "event_type": None, "dossier_id": None, "event_id": None, "note": None}
    body = message.get("Body", "")
    try:
        parsed = json.loads(body)
    except ValueError:
        parsed = None
    if not isinstance(parsed, dict):
        row["note"] = "not JSON: " + _clip(body, 60) if parsed is None else "JSON, not an object"
        return row
    detail = parsed.get("detail")
    if isinstance(detail, dict):  # an EventBridge envelope
        row.update(event_type=detail.get("type") or parsed.get("detail-type"), dossier_id=detail.get("dossier_id"),
                   event_id=detail.get("id"))
        if not (row["event_id"] and row["dossier_id"]):
            row["note"] = "envelope without a complete event"
    elif isinstance(parsed.get("DDBStreamBatchInfo"), dict):  # a Lambda on-failure record of a stream batch
        info = parsed["DDBStreamBatchInfo"]
        row.update(event_type="(stream batch)",
                   note=f"{info.get('batchSize')} record(s), shard {info.get('shardId')}, sequence "
                        f"{info.get('startSequenceNumber')}..{info.get('endSequenceNumber')}, "
                        f"{parsed.get('requestContext', {}).get('condition', '')}".rstrip(", "))
    else:
        row["note"] = "JSON of unknown shape: " + _clip(body, 60)
    return row


def _epoch_ms(value: str | None) -> str | None:
    if not value:
        return None
    return datetime.fromtimestamp(int(value) / 1000, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _clip(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[:width - 1] + "…"


def dlq_list(stack: Stack, consumers: dict[str, Consumer], name: str | None, limit: int, as_json: bool) -> int:
    chosen = [find_consumer(consumers, name)] if name else list(consumers.values())
    report = []
    for consumer in chosen:
        if consumer.dlq is None:
            if name:
                raise OperatorError(f"{consumer.name} has no dead-letter queue in the template")
            continue
        url = stack.physical_id(consumer.dlq)
        rows = [describe(m) for m in peek(stack.client("sqs"), url, limit)]
        report.append({"consumer": consumer.name, "dlq": consumer.dlq, "queue_url": url, "messages": rows})
    if as_json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
        return 0
    for entry in report:
        rows = entry["messages"]
        more = f" (listing stopped at {limit})" if len(rows) >= limit else ""
        print(f"{entry['consumer']}: {len(rows)} message(s) in {entry['dlq']} ({entry['queue_url']}){more}")
        if rows:
            print(_table(["MESSAGE ID", "RECEIVES", "EVENT TYPE", "DOSSIER", "EVENT ID", "NOTE"],
                         [[r["message_id"], str(r["receive_count"]), r["event_type"] or "-", r["dossier_id"] or "-",
                           r["event_id"] or "-", r["note"] or ""] for r in rows]))
    return 0


def _table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    return "\n".join("  " + "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
                     for row in [header, *rows])


def redrive(stack: Stack, consumers: dict[str, Consumer], name: str, limit: int) -> int:
    """Send a copy of every DLQ message to the consumer's queue, then delete the dead letter.

    A message is deleted only after its copy is accepted, so a crash in between leaves a duplicate,
    never a loss (the consumer deduplicates by event id). A copy that fails again and comes back to
    the DLQ while this runs is left there: the cause is not fixed yet.
    """
    consumer = find_consumer(consumers, name, need_queue=True)
    if consumer.dlq is None:
        raise OperatorError(f"{name} has no dead-letter queue in the template")
    sqs = stack.client("sqs")
    dlq_url, queue_url = stack.physical_id(consumer.dlq), stack.physical_id(consumer.queue)
    sent: set[str] = set()
    moved = bounced = 0
    while moved < limit:
        batch = sqs.receive_message(QueueUrl=dlq_url, MaxNumberOfMessages=min(10, limit - moved),
                                    VisibilityTimeout=REDRIVE_HOLD_SECONDS, WaitTimeSeconds=1,
                                    MessageAttributeNames=["All"]).get("Messages", [])
        fresh = [m for m in batch if m["MessageId"] not in sent]
        back = [m for m in batch if m["MessageId"] in sent]
        if back:  # released at once for the next operator look, and ends the run
            bounced += len(back)
            sqs.change_message_visibility_batch(QueueUrl=dlq_url, Entries=[
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"], "VisibilityTimeout": 0}
                for i, m in enumerate(back)])
        for message in fresh:
            copy = {"QueueUrl": queue_url, "MessageBody": message["Body"]}
            if message.get("MessageAttributes"):
                copy["MessageAttributes"] = message["MessageAttributes"]
            sent.add(sqs.send_message(**copy)["MessageId"])
            sqs.delete_message(QueueUrl=dlq_url, ReceiptHandle=message["ReceiptHandle"])
            moved += 1
        if not fresh:
            break
    print(f"Redrove {moved} message(s) from {consumer.dlq} to {consumer.queue} ({queue_url})")
    if bounced:
        print(f"{bounced} of them failed again and are back in {consumer.dlq}: the cause is not fixed",
              file=sys.stderr)
        return 1
    return 0
