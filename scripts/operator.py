"""Operator commands for the event backbone: dead letters, replays and (locally) what was sent.

    python -m scripts.operator dlq list [CONSUMER|relay]     what waits in the DLQs (nothing is consumed)
    python -m scripts.operator dlq redrive CONSUMER          move a consumer's DLQ back to its queue
    python -m scripts.operator replay CONSUMER --dossier ID  re-deliver one dossier's stored events
    python -m scripts.operator replay CONSUMER --since 2025-03-01T00:00Z --until 2025-03-02T00:00Z
    python -m scripts.operator emails [--to ADDRESS]         local stack only: what moto's SES and SNS sent
    python -m scripts.operator metrics-rebuild               recount every metric from the event log

Against the local stack by default (its state file, build/local-stack.json, or --state-file); against a
deployed stack with --stage <stage>: physical ids come from CloudFormation stack motcua-<stage> and
credentials from the environment, as for any AWS tool.

Nothing here is hard-coded per consumer. Consumers are the app's event handlers (`app.event_sources`):
a queue consumer's dead-letter queue is the RedrivePolicy target of its queue in infra/resources.yaml,
the relay's is the on-failure destination of its stream mapping, and a replay only re-delivers events
matching the event pattern of the rule that targets the consumer's queue.

Replays and redrives are safe to repeat: consumers deduplicate by event id (see docs/operations.md).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_STATE_FILE = REPO_ROOT / "build" / "local-stack.json"
TEMPLATE = REPO_ROOT / "infra" / "resources.yaml"
APP_NAME = "motcua"
RELAY = "relay"
# How long `dlq list` hides the messages it has seen, so that the next receive returns others; they are
# made visible again as soon as the listing ends (or after this long if the command is killed).
PEEK_HIDE_SECONDS = 30
# How long `dlq redrive` holds a message between sending its copy and deleting it.
REDRIVE_HOLD_SECONDS = 60


class OperatorError(Exception):
    """Something the operator must fix or decide (printed without a traceback)."""


# --------------------------------------------------------------------------- consumers


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
                                    "not send what the rule sends; teach scripts/operator.py first")
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
        from scripts.cfn_yaml import load_template

        template = load_template(TEMPLATE)
    from chalice.utils import to_cfn_resource_name

    from chalicelib.consumers.sources import logical_id

    resources = template.get("Resources", {})
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


def _consumer(consumers: dict[str, Consumer], name: str, need_queue: bool = False) -> Consumer:
    if name not in consumers:
        raise OperatorError(f"no consumer {name!r}; the app has: {', '.join(sorted(consumers))}")
    consumer = consumers[name]
    if need_queue and consumer.queue is None:
        raise OperatorError(
            f"{name} reads the events stream, not a queue: its DLQ holds descriptions of stream batches "
            "(shard and sequence numbers), not events. Replay the batch's time range to each consumer "
            "instead: `replay CONSUMER --since ... --until ...`")
    return consumer


# --------------------------------------------------------------------------- where the stack is


class Stack:
    """Clients and physical ids for one stack, local (moto, from a state file) or deployed (CloudFormation)."""

    def __init__(self, session: Any, endpoint_url: str | None, stage: str, template: dict,
                 state: dict[str, str] | None = None) -> None:
        self.session = session
        self.endpoint_url = endpoint_url
        self.stage = stage
        self.template = template
        self.state = state
        self._clients: dict[str, Any] = {}
        self._physical: dict[str, str] = {}
        self._account: str | None = None

    @classmethod
    def local(cls, state_file: Path, template: dict) -> Stack:
        import boto3

        if not state_file.is_file():
            raise OperatorError(f"no local stack state at {state_file}: start one with `make run` "
                                "(or pass --state-file, or --stage for a deployed stack)")
        state = json.loads(state_file.read_text())
        session = boto3.session.Session(aws_access_key_id=state.get("AWS_ACCESS_KEY_ID", "local"),
                                        aws_secret_access_key=state.get("AWS_SECRET_ACCESS_KEY", "local"),
                                        aws_session_token=state.get("AWS_SESSION_TOKEN"),
                                        region_name=state.get("AWS_DEFAULT_REGION", "ap-southeast-1"))
        return cls(session, state["MOTO_ENDPOINT"], state.get("MOTCUA_STAGE", "local"), template, state)

    @classmethod
    def deployed(cls, stage: str, template: dict, region: str | None = None) -> Stack:
        import boto3

        region = region or os.environ.get("AWS_REGION")  # botocore itself reads only AWS_DEFAULT_REGION
        session = boto3.session.Session(region_name=region) if region else boto3.session.Session()
        if not session.region_name:
            raise OperatorError("no AWS region: set AWS_REGION (or AWS_DEFAULT_REGION) or pass --region")
        return cls(session, None, stage, template)

    @property
    def is_local(self) -> bool:
        return self.state is not None

    @property
    def stack_name(self) -> str:
        return f"{APP_NAME}-{self.stage}"

    @property
    def region(self) -> str:
        return self.session.region_name

    @property
    def account(self) -> str:
        if self._account is None:
            self._account = self.client("sts").get_caller_identity()["Account"]
        return self._account

    def client(self, service: str) -> Any:
        if service not in self._clients:
            from botocore.config import Config

            config = Config(retries={"mode": "standard", "max_attempts": 4},
                            account_id_endpoint_mode="disabled" if service == "dynamodb" else None)
            self._clients[service] = self.session.client(service, endpoint_url=self.endpoint_url, config=config)
        return self._clients[service]

    def physical_id(self, logical_id: str) -> str:
        """What CloudFormation's Ref gives: a queue's URL, a table's name."""
        if logical_id not in self._physical:
            self._physical[logical_id] = self._local_id(logical_id) if self.is_local else self._deployed_id(logical_id)
        return self._physical[logical_id]

    def _deployed_id(self, logical_id: str) -> str:
        from botocore.exceptions import ClientError

        try:
            detail = self.client("cloudformation").describe_stack_resource(
                StackName=self.stack_name, LogicalResourceId=logical_id)["StackResourceDetail"]
        except ClientError as error:
            raise OperatorError(f"{self.stack_name}: {logical_id}: {error}") from error
        return detail["PhysicalResourceId"]

    def _local_id(self, logical_id: str) -> str:
        """The name scripts/provision.py gave the resource (explicit name property, else physical_name)."""
        from scripts.provision import physical_name

        resource = self.template.get("Resources", {}).get(logical_id)
        if resource is None:
            raise OperatorError(f"{logical_id} is not in {TEMPLATE.relative_to(REPO_ROOT)}")
        properties = resource.get("Properties", {})
        kind = resource.get("Type")
        if kind == "AWS::SQS::Queue":
            name = properties.get("QueueName") or physical_name(self.stage, logical_id)
            if properties.get("FifoQueue") and not name.endswith(".fifo"):
                name += ".fifo"
            return self.client("sqs").get_queue_url(QueueName=name)["QueueUrl"]
        if kind == "AWS::DynamoDB::Table":
            return properties.get("TableName") or physical_name(self.stage, logical_id)
        raise OperatorError(f"{logical_id}: {kind} is not something the operator commands use")


# --------------------------------------------------------------------------- dead-letter queues


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
    chosen = [_consumer(consumers, name)] if name else list(consumers.values())
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
    consumer = _consumer(consumers, name, need_queue=True)
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


# --------------------------------------------------------------------------- replays


def _parse_moment(text: str) -> datetime:
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
    """The events table's `at` format (chalicelib.domain.dossier.iso): milliseconds, Z."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def stored_events(ddb: Any, table: str, dossier_id: str | None = None, since: datetime | None = None,
                  until: datetime | None = None) -> Iterator[dict]:
    """Event items (DynamoDB JSON) of one dossier, or between two instants (inclusive) through the
    `day-index` GSI, one UTC day partition at a time (never a scan)."""
    paginator = ddb.get_paginator("query")
    if dossier_id is not None:
        pages = paginator.paginate(TableName=table, KeyConditionExpression="dossier_id = :d",
                                   ExpressionAttributeValues={":d": {"S": dossier_id}}, ConsistentRead=True)
        for page in pages:
            yield from page["Items"]
        return
    assert since is not None and until is not None
    day = since.date()
    while day <= until.date():
        pages = paginator.paginate(
            TableName=table, IndexName="day-index",
            KeyConditionExpression="#day = :day AND #at BETWEEN :since AND :until",
            ExpressionAttributeNames={"#day": "day", "#at": "at"},
            ExpressionAttributeValues={":day": {"S": day.isoformat()}, ":since": {"S": _stored(since)},
                                       ":until": {"S": _stored(until)}})
        for page in pages:
            yield from page["Items"]
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


_MISSING = object()


def matches(pattern: dict, event: dict) -> bool:
    """EventBridge event-pattern matching for what rules here use: exact values, prefix, exists,
    anything-but and numeric-free nesting. Anything else raises rather than guessing."""
    for key, expected in pattern.items():
        value = event.get(key, _MISSING) if isinstance(event, dict) else _MISSING
        if isinstance(expected, dict):
            if not isinstance(value, dict) or not matches(expected, value):
                return False
        elif isinstance(expected, list):
            values = value if isinstance(value, list) else [value]
            if not any(_matches_one(rule, v) for rule in expected for v in values):
                return False
        else:
            raise OperatorError(f"event pattern field {key!r}: expected a list or an object, got {expected!r}")
    return True


def _matches_one(rule: Any, value: Any) -> bool:
    if not isinstance(rule, dict):
        return value is not _MISSING and rule == value
    if set(rule) == {"exists"}:
        return (value is not _MISSING) == bool(rule["exists"])
    if value is _MISSING:
        return False
    if set(rule) == {"prefix"}:
        return isinstance(value, str) and value.startswith(rule["prefix"])
    if set(rule) == {"anything-but"} and not isinstance(rule["anything-but"], dict):
        excluded = rule["anything-but"]
        return value not in (excluded if isinstance(excluded, list) else [excluded])
    raise OperatorError(f"event pattern {rule!r} is not supported by scripts/operator.py")


def replay(stack: Stack, consumers: dict[str, Consumer], name: str, dossier_id: str | None,
           since: datetime | None, until: datetime | None, dry_run: bool, verbose: bool) -> int:
    consumer = _consumer(consumers, name, need_queue=True)
    table = stack.physical_id("EventsTable")
    queue_url = None if dry_run else stack.physical_id(consumer.queue)
    sqs = stack.client("sqs")
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
        if consumer.patterns and not any(matches(p, envelope) for p in consumer.patterns):
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


# --------------------------------------------------------------------------- sent messages (local)


def sent_messages(moto_endpoint: str) -> tuple[list[dict], list[dict]]:
    """(emails, SMS) moto's SES and SNS have accepted, oldest first, from moto's model dump."""
    from urllib.request import urlopen

    with urlopen(f"{moto_endpoint.rstrip('/')}/moto-api/data.json", timeout=30) as response:  # noqa: S310 - local
        data = json.loads(response.read())
    emails = [{"id": m.get("id"), "from": m.get("source"),
               "to": [a for kind in ("ToAddresses", "CcAddresses", "BccAddresses")
                      for a in (m.get("destinations") or {}).get(kind, [])],
               "subject": m.get("subject") or "", "body": m.get("body") or ""}
              for m in data.get("ses", {}).get("Message", [])]
    sms = [{"id": s.get("message_id"), "to": [s.get("phone_number")], "body": s.get("message") or ""}
           for s in data.get("sns", {}).get("SMS", [])]
    return emails, sms


def _digits(text: str) -> str:
    digits = re.sub(r"\D", "", text)
    return "84" + digits[1:] if digits.startswith("0") else digits  # 09xx... and +849xx... are one number


def _addressed_to(message: dict, address: str) -> bool:
    if "@" in address:
        return any(a.lower() == address.lower() for a in message["to"])
    return any(a and _digits(a) == _digits(address) for a in message["to"])


def emails(stack: Stack, to: str | None, lines: int, as_json: bool) -> int:
    if not stack.is_local:
        raise OperatorError("emails reads what moto's SES and SNS kept: local stack only. In AWS, look at the "
                            "dossier's notifications (GET /dossiers/{id}/notifications) and SES's sending metrics")
    mails, texts = sent_messages(stack.state["MOTO_ENDPOINT"])
    if to:
        mails = [m for m in mails if _addressed_to(m, to)]
        texts = [s for s in texts if _addressed_to(s, to)]
    if as_json:
        print(json.dumps({"emails": mails, "sms": texts}, indent=2, ensure_ascii=False))
        return 0
    print(f"{len(mails)} email(s){' to ' + to if to else ''}")
    for mail in mails:
        print(f"\n  To:      {', '.join(mail['to'])}\n  From:    {mail['from']}\n  Subject: {mail['subject']}")
        body = [line for line in mail["body"].splitlines() if line.strip()]
        for line in body[:lines]:
            print(f"    | {line}")
        if len(body) > lines:
            print(f"    | ... ({len(body) - lines} more line(s))")
    print(f"\n{len(texts)} SMS{' to ' + to if to else ''}")
    for text in texts:
        print(f"  {', '.join(text['to'])}: {text['body']}")
    return 0


# --------------------------------------------------------------------------- metrics


def metrics_rebuild(stack: Stack, settle_seconds: float) -> int:
    """Recount the service-quality metrics from the event log into a new generation and switch to it.

    The metrics consumer is paused meanwhile (locally: the pump's pause file; deployed: its event source
    mapping is disabled), so nothing it counts can fall between the old generation and the new one; what
    it queued meanwhile is counted into the new generation when it resumes, and what the rebuild already
    counted is recognised as a duplicate there."""
    import time

    env = {"METRICS_TABLE": stack.physical_id("MetricsTable"), "EVENTS_TABLE": stack.physical_id("EventsTable"),
           "AWS_DEFAULT_REGION": stack.region, "AWS_REGION": stack.region}
    if stack.is_local:
        env["AWS_ENDPOINT_URL"] = stack.endpoint_url
        for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
            env[key] = stack.state.get(key, "local")
    resume = _pause_metrics(stack)
    try:
        time.sleep(settle_seconds)  # let a batch already running finish
        os.environ.update(env)
        from chalicelib.services.metrics import rebuild

        result = rebuild()
    finally:
        resume()
    print(f"Metrics rebuilt from {result['events']} events of {result['dossiers']} dossiers: generation "
          f"{result['generation']} ({result['items_written']} items) is now the one read and counted into.")
    return 0


def _pause_metrics(stack: Stack):
    if stack.is_local:
        control = Path(stack.state.get("PUMP_CONTROL_DIR") or REPO_ROOT / "build" / "pump-control")
        control.mkdir(parents=True, exist_ok=True)
        flag = control / "pause-metrics"
        flag.touch()
        return lambda: flag.unlink(missing_ok=True)
    client = stack.client("lambda")
    mappings = client.list_event_source_mappings(FunctionName=stack.physical_id("Metrics"))["EventSourceMappings"]
    for mapping in mappings:
        client.update_event_source_mapping(UUID=mapping["UUID"], Enabled=False)

    def resume() -> None:
        for mapping in mappings:
            client.update_event_source_mapping(UUID=mapping["UUID"], Enabled=True)

    return resume


# --------------------------------------------------------------------------- command line


def _parser() -> argparse.ArgumentParser:
    where = argparse.ArgumentParser(add_help=False)
    target = where.add_argument_group("which stack")
    target.add_argument("--state-file", type=Path, default=None,
                        help=f"local stack state (default {DEFAULT_STATE_FILE.relative_to(REPO_ROOT)})")
    target.add_argument("--stage", help="a deployed stack, motcua-<STAGE>, with the AWS credentials of the environment")
    target.add_argument("--region", help="region of the deployed stack (default: the environment's)")

    parser = argparse.ArgumentParser(prog="python -m scripts.operator", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)

    dlq = commands.add_parser("dlq", help="dead-letter queues").add_subparsers(dest="action", required=True)
    listing = dlq.add_parser("list", parents=[where], help="messages waiting in the DLQs, left in place")
    listing.add_argument("consumer", nargs="?", help="one consumer (or relay); default every DLQ")
    listing.add_argument("--limit", type=int, default=1000, help="stop listing after this many per DLQ")
    listing.add_argument("--json", action="store_true")
    moving = dlq.add_parser("redrive", parents=[where], help="move a consumer's DLQ back to its queue")
    moving.add_argument("consumer")
    moving.add_argument("--limit", type=int, default=100_000)

    again = commands.add_parser("replay", parents=[where],
                                help="re-deliver stored events to one consumer's queue")
    again.add_argument("consumer")
    which = again.add_mutually_exclusive_group(required=True)
    which.add_argument("--dossier", help="every event of this dossier (its id)")
    which.add_argument("--since", help="events at or after this ISO 8601 instant (UTC unless a zone is given)")
    again.add_argument("--until", help="events at or before this instant (default now); with --since")
    again.add_argument("--dry-run", action="store_true", help="count what would be re-delivered, send nothing")
    again.add_argument("-v", "--verbose", action="store_true", help="one line per re-delivered event")

    sent = commands.add_parser("emails", parents=[where], help="local stack: emails and SMS moto accepted")
    sent.add_argument("--to", help="only those to this email address or phone number")
    sent.add_argument("--lines", type=int, default=8, help="body lines shown per email")
    sent.add_argument("--json", action="store_true")
    rebuilt = commands.add_parser("metrics-rebuild", parents=[where],
                                  help="recount every service-quality metric from the event log")
    rebuilt.add_argument("--settle-seconds", type=float, default=None,
                         help="wait after pausing the consumer (default 2 locally, 65 deployed)")
    return parser


def main(argv: Iterable[str] | None = None) -> int:
    from botocore.exceptions import BotoCoreError, ClientError

    args = _parser().parse_args(list(argv) if argv is not None else None)
    try:
        from scripts.cfn_yaml import load_template

        if args.stage and args.state_file:
            raise OperatorError("--stage (a deployed stack) and --state-file (a local one) exclude each other")
        template = load_template(TEMPLATE)
        stack = (Stack.deployed(args.stage, template, args.region) if args.stage
                 else Stack.local(args.state_file or DEFAULT_STATE_FILE, template))
        if args.command == "emails":
            return emails(stack, args.to, args.lines, args.json)
        if args.command == "metrics-rebuild":
            settle = args.settle_seconds if args.settle_seconds is not None else (2 if stack.is_local else 65)
            return metrics_rebuild(stack, settle)
        consumers = discover_consumers(template=template)
        if args.command == "dlq" and args.action == "list":
            return dlq_list(stack, consumers, args.consumer, args.limit, args.json)
        if args.command == "dlq":
            return redrive(stack, consumers, args.consumer, args.limit)
        if args.until and not args.since:
            raise OperatorError("--until goes with --since")
        since = _parse_moment(args.since) if args.since else None
        until = (_parse_moment(args.until) if args.until else datetime.now(UTC)) if since else None
        if since and until < since:
            raise OperatorError("--until is before --since")
        return replay(stack, consumers, args.consumer, args.dossier, since, until, args.dry_run, args.verbose)
    except OperatorError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except (BotoCoreError, ClientError) as error:  # no credentials, stack down, access denied...
        print(f"error: AWS: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
