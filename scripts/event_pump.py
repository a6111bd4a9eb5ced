"""The local stand-in for Lambda's event source mappings (moto never invokes Lambdas).

It reads the moto DynamoDB stream and SQS queues and calls the SAME handler objects Lambda calls
(`app.event_sources` -> their handler strings), with the same event shapes and the same
partial-failure semantics:

- stream: records in order per shard, in batches; a `batchItemFailures` answer (or an exception)
  makes the pump retry from the first failed record; after `max_stream_attempts` the batch is
  described to the on-failure destination (the relay DLQ) and the shard moves on, as Lambda does;
- queues: a batch of up to `batch_size` messages; messages the handler reports as failed (or all,
  on an exception) stay in the queue and come back, so SQS's redrive policy moves a message that
  keeps failing to its DLQ; the others are deleted.

One deliberate difference: a failed message becomes visible again after `retry_delay` seconds
instead of the queue's visibility timeout (minutes in AWS), so failures play out in seconds locally.
A consumer can be paused by creating `<control_dir>/pause-<consumer>` (and resumed by deleting it).
"""

from __future__ import annotations

import importlib
import json
import logging
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import boto3

log = logging.getLogger("motcua.event_pump")


@dataclass
class LambdaContext:
    """What handlers may read of Lambda's context object."""

    function_name: str
    aws_request_id: str
    invoked_function_arn: str
    memory_limit_in_mb: int = 512
    timeout_seconds: int = 60

    def __post_init__(self) -> None:
        self._deadline = time.monotonic() + self.timeout_seconds

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def load_handler(handler_string: str) -> Any:
    module_name, _, attribute = handler_string.rpartition(".")
    return getattr(importlib.import_module(module_name), attribute)


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.timestamp()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value


def _failed_ids(response: Any) -> list[str] | None:
    if not isinstance(response, dict):
        return []
    return [item["itemIdentifier"] for item in response.get("batchItemFailures") or []]


class EventPump:
    def __init__(self, app: Any, resources: dict[str, Any], region: str, endpoint_url: str | None,
                 retry_delay: float = 1.0, control_dir: Path | None = None, max_stream_attempts: int = 10,
                 account_id: str = "123456789012", queue_concurrency: int = 4,
                 schedule_interval: float = 60.0, schedule_intervals: dict[str, float] | None = None) -> None:
        """`resources` maps logical ids of infra/resources.yaml to what the provisioner created."""
        from chalicelib.consumers.sources import logical_id

        self._logical_id = logical_id
        self.app = app
        self.resources = resources
        self.retry_delay = retry_delay
        self.control_dir = control_dir
        self.max_stream_attempts = max_stream_attempts
        self.queue_concurrency = queue_concurrency
        self.schedule_interval = schedule_interval
        # A schedule whose work a person waits for locally (a payment's reconciliation) runs more often.
        self.schedule_intervals = dict(schedule_intervals or {})
        self.account_id = account_id
        self.region = region
        session = boto3.session.Session(region_name=region)
        self.sqs = session.client("sqs", endpoint_url=endpoint_url)
        self.streams = session.client("dynamodbstreams", endpoint_url=endpoint_url)
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self.invocations = 0

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> EventPump:
        for source in self.app.event_sources:
            kind = type(source).__name__
            # Lambda reads a stream shard by shard, in order, but runs several SQS batches at once.
            if kind == "DynamoDBEventConfig":
                target, workers = self._run_stream, 1
            elif kind == "SQSEventConfig":
                target, workers = self._run_queue, self.queue_concurrency
            elif kind == "ScheduledEventConfig":
                target, workers = self._run_schedule, 1
            else:
                continue
            for worker in range(workers):
                thread = threading.Thread(target=self._guard, args=(target, source), daemon=True,
                                          name=f"pump-{source.name}-{worker}")
                thread.start()
                self._threads.append(thread)
        return self

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=5)

    def _guard(self, target, source) -> None:
        while not self._stop.is_set():
            try:
                target(source)
            except Exception:  # noqa: BLE001 - the pump must outlive a moto hiccup
                log.exception("pump loop for %s failed; restarting", source.name)
                self._stop.wait(1)

    def paused(self, consumer: str) -> bool:
        return bool(self.control_dir and (self.control_dir / f"pause-{consumer}").exists())

    def _invoke(self, source, event: dict) -> Any:
        handler = load_handler(source.handler_string)
        context = LambdaContext(function_name=f"motcua-local-{source.name}", aws_request_id=str(uuid.uuid4()),
                                invoked_function_arn=f"arn:aws:lambda:{self.region}:{self.account_id}:function:"
                                                     f"motcua-local-{source.name}")
        self.invocations += 1
        return handler(event, context)

    # -- DynamoDB stream -----------------------------------------------------------------------

    def _run_stream(self, source) -> None:
        created = self.resources[self._logical_id(source.stream_arn)]
        stream_arn = created.attributes["StreamArn"]
        iterators: dict[str, str | None] = {}
        while not self._stop.is_set():
            shards = self.streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"]
            for shard in shards:
                if shard["ShardId"] not in iterators:
                    iterators[shard["ShardId"]] = self.streams.get_shard_iterator(
                        StreamArn=stream_arn, ShardId=shard["ShardId"],
                        ShardIteratorType=source.starting_position)["ShardIterator"]
            busy = False
            for shard_id, iterator in list(iterators.items()):
                if iterator is None or self.paused(source.name):
                    continue
                page = self.streams.get_records(ShardIterator=iterator, Limit=source.batch_size)
                records = page.get("Records", [])
                if records:
                    busy = True
                    self._deliver_stream_batch(source, stream_arn, shard_id, records)
                iterators[shard_id] = page.get("NextShardIterator")
            if not busy:
                self._stop.wait(0.2)

    def _deliver_stream_batch(self, source, stream_arn: str, shard_id: str, records: list[dict]) -> None:
        pending = [{**_jsonable(r), "eventSourceARN": stream_arn} for r in records]
        for attempt in range(1, self.max_stream_attempts + 1):
            try:
                failed = _failed_ids(self._invoke(source, {"Records": pending}))
            except Exception:  # noqa: BLE001 - Lambda treats an exception as the whole batch failing
                log.exception("%s failed on a stream batch", source.name)
                failed = [pending[0]["dynamodb"]["SequenceNumber"]]
            if not failed:
                return
            # Lambda resumes from the lowest failed sequence number: that record and all after it.
            first = min(failed, key=int)
            pending = [r for r in pending if int(r["dynamodb"]["SequenceNumber"]) >= int(first)]
            log.warning("%s: retrying %d stream records (attempt %d)", source.name, len(pending), attempt)
            self._stop.wait(self.retry_delay)
        self._stream_failure(source, stream_arn, shard_id, pending)

    def _stream_failure(self, source, stream_arn: str, shard_id: str, records: list[dict]) -> None:
        """Lambda's on-failure destination record for a stream batch that exhausted its retries."""
        destination = self.resources.get("RelayDLQ")
        info = {"requestContext": {"condition": "RetryAttemptsExhausted",
                                   "functionArn": f"motcua-local-{source.name}"},
                "DDBStreamBatchInfo": {"shardId": shard_id, "streamArn": stream_arn, "batchSize": len(records),
                                       "startSequenceNumber": records[0]["dynamodb"]["SequenceNumber"],
                                       "endSequenceNumber": records[-1]["dynamodb"]["SequenceNumber"]}}
        log.error("%s: %d stream records exhausted their retries", source.name, len(records))
        if destination is not None:
            self.sqs.send_message(QueueUrl=destination.ref, MessageBody=json.dumps(info))

    # -- schedules --------------------------------------------------------------------------------

    def _run_schedule(self, source) -> None:
        """EventBridge's scheduled event, every `schedule_interval` seconds locally (the rule's own
        rate in AWS), first right after start-up."""
        while not self._stop.is_set():
            if not self.paused(source.name):
                event = {"version": "0", "id": str(uuid.uuid4()), "detail-type": "Scheduled Event",
                         "source": "aws.events", "account": self.account_id,
                         "time": datetime.utcnow().strftime("%Y-%m-%dT%H:%M:%SZ"), "region": self.region,
                         "resources": [f"arn:aws:events:{self.region}:{self.account_id}:rule/{source.name}"],
                         "detail": {}}
                try:
                    self._invoke(source, event)
                except Exception:  # noqa: BLE001 - a failed run is retried at the next tick, as in AWS
                    log.exception("%s failed", source.name)
            self._stop.wait(self.schedule_intervals.get(source.name, self.schedule_interval))

    # -- SQS -------------------------------------------------------------------------------------

    def _run_queue(self, source) -> None:
        created = self.resources[self._logical_id(source.queue_arn)]
        queue_url, queue_arn = created.ref, created.attributes["Arn"]
        while not self._stop.is_set():
            if self.paused(source.name):
                self._stop.wait(0.2)
                continue
            messages = self.sqs.receive_message(
                QueueUrl=queue_url, MaxNumberOfMessages=min(source.batch_size, 10), WaitTimeSeconds=1,
                AttributeNames=["All"], MessageAttributeNames=["All"]).get("Messages", [])
            if messages:
                self._deliver_queue_batch(source, queue_url, queue_arn, messages)

    def _deliver_queue_batch(self, source, queue_url: str, queue_arn: str, messages: list[dict]) -> None:
        records = [{"messageId": m["MessageId"], "receiptHandle": m["ReceiptHandle"], "body": m["Body"],
                    "attributes": m.get("Attributes", {}), "messageAttributes": m.get("MessageAttributes", {}),
                    "md5OfBody": m["MD5OfBody"], "eventSource": "aws:sqs", "eventSourceARN": queue_arn,
                    "awsRegion": self.region} for m in messages]
        try:
            failed = set(_failed_ids(self._invoke(source, {"Records": records})))
        except Exception:  # noqa: BLE001 - an exception fails every message of the batch
            log.exception("%s failed on a batch", source.name)
            failed = {r["messageId"] for r in records}
        done = [r for r in records if r["messageId"] not in failed]
        if done:
            self.sqs.delete_message_batch(QueueUrl=queue_url, Entries=[
                {"Id": str(i), "ReceiptHandle": r["receiptHandle"]} for i, r in enumerate(done)])
        for record in records:
            if record["messageId"] in failed:
                self.sqs.change_message_visibility(QueueUrl=queue_url, ReceiptHandle=record["receiptHandle"],
                                                   VisibilityTimeout=max(0, int(self.retry_delay)))
