"""Publish new event records from the events table's stream to the EventBridge bus.

Lambda's stream semantics: returning the sequence number of the first record that could not be
published makes Lambda retry from that record (so nothing after it is skipped either); after the
configured retries the batch goes to the relay's on-failure destination. Publishing the same event
twice is harmless: consumers deduplicate by event id.
"""

from __future__ import annotations

import json
import time
from decimal import Decimal
from typing import Any

from ..observability import count, get_logger
from ..settings import get_settings
from ..store.aws import client

SOURCE = "motcua.dossiers"
PUT_EVENTS_BATCH = 10  # EventBridge's limit per PutEvents call
ATTEMPTS = 3


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | set | tuple):
        return [_plain(v) for v in value]
    return value


def event_from_record(record: dict) -> dict | None:
    """The event an INSERT stream record carries, in the shape consumers receive as `detail`."""
    if record.get("eventName") != "INSERT":
        return None  # events are immutable; anything else is not an event being born
    from boto3.dynamodb.types import TypeDeserializer

    deserializer = TypeDeserializer()
    image = record["dynamodb"]["NewImage"]
    item = _plain({key: deserializer.deserialize(value) for key, value in image.items()})
    return {"id": item["event_id"], "type": item["type"], "dossier_id": item["dossier_id"], "seq": item["seq"],
            "at": item["at"], "actor": item.get("actor") or {}, "payload": item.get("payload") or {},
            "schema_version": item.get("schema_version", 1), "correlation_id": item.get("correlation_id")}


def entry_for(event: dict, bus_name: str) -> dict:
    return {"Source": SOURCE, "DetailType": event["type"], "Detail": json.dumps(event, ensure_ascii=False),
            "EventBusName": bus_name, "Resources": [f"dossier/{event['dossier_id']}"]}


def _publish(entries: list[dict]) -> list[bool]:
    """Which entries made it onto the bus, retrying only the ones that did not."""
    events = client("events")
    done = [False] * len(entries)
    pending = list(range(len(entries)))
    for attempt in range(ATTEMPTS):
        try:
            result = events.put_events(Entries=[entries[i] for i in pending])
        except Exception:  # noqa: BLE001 - throttling or outage: retried, then left to Lambda's retry
            get_logger().exception("put_events failed", extra={"attempt": attempt + 1})
        else:
            still = []
            for index, outcome in zip(pending, result["Entries"], strict=True):
                if outcome.get("EventId"):
                    done[index] = True
                else:
                    still.append(index)
                    get_logger().warning("event not accepted", extra={"error": outcome.get("ErrorCode")})
            pending = still
        if not pending:
            break
        time.sleep(0.2 * 2**attempt)
    return done


def relay_records(records: list[dict]) -> dict:
    bus = get_settings().event_bus_name
    work = []
    for record in records:
        event = event_from_record(record)
        if event is not None:
            work.append((record["dynamodb"]["SequenceNumber"], event))
    for start in range(0, len(work), PUT_EVENTS_BATCH):
        chunk = work[start:start + PUT_EVENTS_BATCH]
        outcomes = _publish([entry_for(event, bus) for _, event in chunk])
        for (sequence, event), ok in zip(chunk, outcomes, strict=True):
            if not ok:
                count("EventsRelayFailed", event_type=event["type"])
                get_logger().error("relay stopped at an unpublished event",
                                   extra={"event_id": event["id"], "sequence_number": sequence,
                                          "correlation_id": event.get("correlation_id")})
                return {"batchItemFailures": [{"itemIdentifier": sequence}]}
            count("EventsRelayed", event_type=event["type"])
    return {"batchItemFailures": []}
