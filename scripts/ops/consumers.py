"""The app's event consumers and what infra/resources.yaml gives each: its queue, its DLQ, its rules' patterns."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from typing import Any

from scripts.ops.errors import OperatorError
from scripts.ops.stack import REPO_ROOT, TEMPLATE


@dataclass(frozen=True)
class Consumer:
    name: str
    queue: str | None  # logical id of the queue it reads; None for the relay (it reads the events stream)
    dlq: str | None  # logical id of its dead-letter queue
    patterns: tuple[dict, ...] = ()  # event patterns of the rules that deliver to its queue


def _target(value: Any) -> str | None:
    """The logical id behind `!GetAtt X.Arn` or `!Ref X`."""
    if isinstance(value, dict) and len(value) == 1:
        (key, arg), = value.items()
        if key == "Fn::GetAtt":
            return arg[0] if isinstance(arg, list) else str(arg).split(".", 1)[0]
        if key == "Ref":
            return str(arg)
    return None


def _rule_patterns(resources: dict, queue: str) -> tuple[dict, ...]:
    patterns = []
    for logical_id, resource in resources.items():
        if resource.get("Type") != "AWS::Events::Rule":
            continue
        properties = resource.get("Properties", {})
        for target in properties.get("Targets", []):
            if _target(target.get("Arn")) != queue:
                continue
            if {"Input", "InputPath", "InputTransformer"} & set(target):
                raise OperatorError(f"rule {logical_id} transforms what it delivers to {queue}: replay would "
                                    "not send what the rule sends; teach scripts/ops/replay.py first")
            pattern = properties.get("EventPattern") or {}
            patterns.append(json.loads(pattern) if isinstance(pattern, str) else pattern)
    return tuple(patterns)


def _stream_failure_destination(resources: dict, function_logical_id: str) -> str | None:
    events = resources.get(function_logical_id, {}).get("Properties", {}).get("Events", {})
    for event in events.values():
        destination = (event.get("Properties", {}).get("DestinationConfig", {}).get("OnFailure", {})
                       .get("Destination"))
        if destination is not None:
            return _target(destination)
    return None


def discover_consumers(app: Any = None, template: dict | None = None) -> dict[str, Consumer]:
    """Every event handler of the app with the queues the template gives it."""
    if app is None:
        if str(REPO_ROOT) not in sys.path:
            sys.path.insert(0, str(REPO_ROOT))
        from app import app
    if template is None:
        from scripts.template import load_template

        template = load_template(TEMPLATE)
    from chalice.utils import to_cfn_resource_name

    from chalicelib.consumers.sources import logical_id, route_event_types

    resources = template.get("Resources", {})
    route_event_types(resources)  # the rules' event types, as the packaged and the local stacks have them
    consumers: dict[str, Consumer] = {}
    for source in app.event_sources:
        kind = type(source).__name__
        if kind == "SQSEventConfig":
            if not getattr(source, "queue_arn", None):
                raise OperatorError(f"consumer {source.name}: its queue is not a placeholder ARN "
                                    "(chalicelib/consumers/sources.py)")
            queue = logical_id(source.queue_arn)
            redrive = resources.get(queue, {}).get("Properties", {}).get("RedrivePolicy") or {}
            if isinstance(redrive, str):
                redrive = json.loads(redrive)
            consumers[source.name] = Consumer(source.name, queue, _target(redrive.get("deadLetterTargetArn")),
                                              _rule_patterns(resources, queue))
        elif kind in ("DynamoDBEventConfig", "KinesisEventConfig"):
            dlq = _stream_failure_destination(resources, to_cfn_resource_name(source.name))
            consumers[source.name] = Consumer(source.name, None, dlq)
    return consumers


def find_consumer(consumers: dict[str, Consumer], name: str, need_queue: bool = False) -> Consumer:
    """The consumer called `name`; with `need_queue`, one that reads a queue (not the events stream)."""
    if name not in consumers:
        raise OperatorError(f"no consumer {name!r}; the app has: {', '.join(sorted(consumers))}")
    consumer = consumers[name]
    if need_queue and consumer.queue is None:
        raise OperatorError(
            f"{name} reads the events stream, not a queue: its DLQ holds descriptions of stream batches "
            "(shard and sequence numbers), not events. Replay the batch's time range to each consumer "
            "instead: `replay CONSUMER --since ... --until ...`")
    return consumer
