"""`replay`: re-deliver stored events to one consumer's queue, as its EventBridge rule would."""

from __future__ import annotations

import heapq
import json
import re
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

from scripts.ops.consumers import Consumer, find_consumer
from scripts.ops.errors import OperatorError
from scripts.ops.patterns import PatternMatcher
from scripts.ops.stack import Stack


def parse_moment(text: str) -> datetime:
    """ISO 8601 date or date-time; without a zone it is UTC."""
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            moment = datetime.combine(date.fromisoformat(text), datetime.min.time())
        else:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError as error:
        raise OperatorError(f"not an ISO 8601 date or time: {text!r}") from error
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _stored(moment: datetime) -> str:
    """The events table's `at` format (chalicelib.domain.times.iso): milliseconds, Z."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def stored_events(ddb: Any, table: str, dossier_id: str | None = None, since: datetime | None = None,
                  until: datetime | None = None) -> Iterator[dict]:
    """Event items (DynamoDB JSON) of one dossier, or between two instants (inclusive) through the
    `day-index` GSI, one UTC day at a time, every shard of it merged in time order (never a scan)."""
    paginator = ddb.get_paginator("query")
    if dossier_id is not None:
        pages = paginator.paginate(TableName=table, KeyConditionExpression="dossier_id = :d",
                                   ExpressionAttributeValues={":d": {"S": dossier_id}}, ConsistentRead=True)
        for page in pages:
            yield from page["Items"]
        return
    assert since is not None and until is not None
    from chalicelib.store.models import day_partitions

    def partition(key: str) -> Iterator[dict]:
        pages = paginator.paginate(
            TableName=table, IndexName="day-index",
            KeyConditionExpression="#day = :day AND #at BETWEEN :since AND :until",
            ExpressionAttributeNames={"#day": "day", "#at": "at"},
            ExpressionAttributeValues={":day": {"S": key}, ":since": {"S": _stored(since)},
                                       ":until": {"S": _stored(until)}})
        for page in pages:
            yield from page["Items"]

    day = since.date()
    while day <= until.date():
        # Each shard is in `at` order: merged, the day comes out in time order, one page per shard in memory.
        yield from heapq.merge(*(partition(key) for key in day_partitions(day.isoformat())),
                               key=lambda item: item["at"]["S"])
        day += timedelta(days=1)


def envelope_for(item: dict, account: str, region: str, now: datetime | None = None) -> dict:
    """What the EventBridge rule delivers to a queue for this stored event: the relay's entry
    (chalicelib.services.relay.entry_for) on the bus, in EventBridge's envelope."""
    from chalicelib.services.relay import entry_for, event_from_record

    # A stored item in DynamoDB JSON is exactly a stream record's NewImage: the detail is built the way
    # the relay builds it.
    event = event_from_record({"eventName": "INSERT", "dynamodb": {"NewImage": item}})
    entry = entry_for(event, "replay")
    moment = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    return {"version": "0", "id": str(uuid.uuid4()), "detail-type": entry["DetailType"], "source": entry["Source"],
            "account": account, "time": moment.isoformat().replace("+00:00", "Z"), "region": region,
            "resources": entry["Resources"], "detail": json.loads(entry["Detail"])}


def replay(stack: Stack, consumers: dict[str, Consumer], name: str, dossier_id: str | None,
           since: datetime | None, until: datetime | None, dry_run: bool, verbose: bool) -> int:
    consumer = find_consumer(consumers, name, need_queue=True)
    table = stack.physical_id("EventsTable")
    queue_url = None if dry_run else stack.physical_id(consumer.queue)
    sqs = stack.client("sqs")
    rules = PatternMatcher(stack.client("events"), local=stack.is_local)
    account, region, now = stack.account, stack.region, datetime.now(UTC)
    read = delivered = 0
    pending: list[dict] = []

    def flush() -> None:
        if not pending or dry_run:
            pending.clear()
            return
        result = sqs.send_message_batch(QueueUrl=queue_url, Entries=[
            {"Id": str(i), "MessageBody": json.dumps(e, ensure_ascii=False)} for i, e in enumerate(pending)])
        if result.get("Failed"):
            raise OperatorError(f"the queue refused {len(result['Failed'])} message(s): {result['Failed'][:3]} "
                                f"({delivered - len(pending)} delivered before this batch)")
        pending.clear()

    for item in stored_events(stack.client("dynamodb"), table, dossier_id, since, until):
        read += 1
        envelope = envelope_for(item, account, region, now)
        if consumer.patterns and not any(rules.matches(p, envelope) for p in consumer.patterns):
            continue
        delivered += 1
        detail = envelope["detail"]
        if verbose:
            print(f"  {detail['at']}  {detail['type']:<32} {detail['dossier_id']}  seq {detail['seq']}  {detail['id']}")
        pending.append(envelope)
        if len(pending) == 10:
            flush()
    flush()
    skipped = f", {read - delivered} not matched by its rule" if read != delivered else ""
    verb = "Would replay" if dry_run else "Replayed"
    print(f"{verb} {delivered} event(s) to {consumer.name} ({consumer.queue}); {read} read{skipped}")
    return 0
