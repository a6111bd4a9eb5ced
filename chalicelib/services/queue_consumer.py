"""What every queue consumer does with an SQS batch of bus events: partial batch failures, poison messages,
the correlation id in the logs, and one EMF count per event and outcome."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from ..observability import count, get_logger, set_correlation_id

REQUIRED_FIELDS = ("id", "type", "dossier_id", "seq")


class PoisonMessage(ValueError):
    """A message no retry can fix: it fails alone and goes to the DLQ after the receive limit."""


def event_of(body: str) -> dict:
    """The platform event inside an EventBridge envelope delivered by SQS."""
    try:
        envelope = json.loads(body)
        event = envelope["detail"]
    except (ValueError, KeyError, TypeError) as error:
        raise PoisonMessage(f"not an EventBridge envelope: {error}") from error
    if not isinstance(event, dict) or any(event.get(f) in (None, "") for f in REQUIRED_FIELDS):
        raise PoisonMessage("event lacks one of " + ", ".join(REQUIRED_FIELDS))
    return event


def run_batch(raw_event: dict, context: Any, consumer: str, handle: Callable[[dict], str]) -> dict:
    """`handle(event)` does the consumer's work and returns its outcome; a message whose handling raises
    fails alone (the queue redelivers it, then moves it to the DLQ)."""
    from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response

    def record_handler(record) -> None:
        try:
            event = event_of(record.body)
        except PoisonMessage:
            count("EventsConsumed", consumer=consumer, outcome="poison")
            get_logger().exception("poison message", extra={"message_id": record.message_id})
            raise
        set_correlation_id(event.get("correlation_id"))
        try:
            outcome = handle(event)
        except Exception as error:
            if getattr(error, "retry_later", False):
                # Expected contention (another delivery holds the dossier): the queue retries it; no alarm.
                count("EventsConsumed", consumer=consumer, event_type=event["type"], outcome="retry")
                get_logger().info(f"{consumer} retries later", extra={"event_id": event["id"], "reason": repr(error)})
                raise
            count("EventsConsumed", consumer=consumer, event_type=event["type"], outcome="error")
            get_logger().exception(f"{consumer} failed", extra={"event_id": event["id"]})
            raise
        count("EventsConsumed", consumer=consumer, event_type=event["type"], outcome=outcome)

    processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)
    try:
        return process_partial_response(event=raw_event, record_handler=record_handler, processor=processor,
                                        context=context)
    finally:
        set_correlation_id(None)
