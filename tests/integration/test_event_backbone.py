"""The event backbone in moto, in process: the events table's stream -> the relay handler -> the
EventBridge bus -> the notifications rule -> NotificationsQueue -> the notifications handler -> SES/SNS.

Everything AWS is moto's own behaviour (stream records, PutEvents, rule matching, SQS, SES identities,
SNS SMS); Lambda is played by calling the real Chalice handlers with the event shapes Lambda builds.
"""

from __future__ import annotations

import json
import uuid
from collections import Counter
from datetime import datetime
from typing import Any

import boto3
import pytest
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends
from moto.sns.models import sns_backends

from chalicelib.api import schemas, validation
from chalicelib.consumers.metrics import metrics as metrics_handler
from chalicelib.consumers.notifications import notifications as notifications_handler
from chalicelib.consumers.relay import relay as relay_handler
from chalicelib.domain.calendar import LOCAL_TZ
from chalicelib.domain.dossier import Dossier
from chalicelib.domain.ids import new_id
from chalicelib.domain.principal import Principal
from chalicelib.domain.states import Action
from chalicelib.observability import set_correlation_id
from chalicelib.services import metrics as metrics_service
from chalicelib.services.dossiers import DossierService
from chalicelib.settings import get_settings
from chalicelib.store import metrics as metrics_store
from chalicelib.store.dossiers import DossierStore
from chalicelib.store.models import EventModel
from chalicelib.store.notifications import NotificationStore
from scripts.event_pump import LambdaContext
from scripts.provision import physical_name

from .conftest import REGION, STAGE, citizen, now, officer, submission_body, submit

SOURCE = "motcua.dossiers"
SHORT_WORK_PERMIT = "1.014200"  # two required components: cheap to submit


# --------------------------------------------------------------------------- Lambda's side


def lambda_context(name: str) -> LambdaContext:
    return LambdaContext(function_name=f"motcua-{STAGE}-{name}", aws_request_id=str(uuid.uuid4()),
                         invoked_function_arn=f"arn:aws:lambda:{REGION}:{DEFAULT_ACCOUNT_ID}:function:"
                                              f"motcua-{STAGE}-{name}")


def _epoch(value: Any) -> Any:
    """The stream API's datetimes are epoch seconds in the event Lambda hands to the function."""
    if isinstance(value, datetime):
        return value.timestamp()
    if isinstance(value, dict):
        return {k: _epoch(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_epoch(v) for v in value]
    return value


class StreamReader:
    """Reads moto's events-table stream like a Lambda event source mapping: from TRIM_HORIZON on,
    each record once. Records of other dossiers (and of the per-test table emptying) are dropped."""

    def __init__(self) -> None:
        ddb = boto3.client("dynamodb", region_name=REGION)
        self.arn = ddb.describe_table(TableName=get_settings().events_table)["Table"]["LatestStreamArn"]
        self.streams = boto3.client("dynamodbstreams", region_name=REGION)
        self.iterators: dict[str, str | None] = {}

    def new_records(self) -> list[dict]:
        shards = self.streams.describe_stream(StreamArn=self.arn)["StreamDescription"]["Shards"]
        records = []
        for shard in shards:
            if shard["ShardId"] not in self.iterators:
                self.iterators[shard["ShardId"]] = self.streams.get_shard_iterator(
                    StreamArn=self.arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
            iterator = self.iterators[shard["ShardId"]]
            while iterator:
                page = self.streams.get_records(ShardIterator=iterator)
                records += page["Records"]
                iterator = page.get("NextShardIterator")
                self.iterators[shard["ShardId"]] = iterator
                if not page["Records"]:
                    break
        return [{**_epoch(r), "eventSourceARN": self.arn} for r in records]

    def records_for(self, *dossier_ids: str) -> list[dict]:
        """New stream records of these dossiers, in stream order, shaped as in a Lambda event."""
        wanted = set(dossier_ids)
        return [r for r in self.new_records() if r["dynamodb"]["Keys"]["dossier_id"]["S"] in wanted]


def relay(records: list[dict]) -> dict:
    """One invocation of the relay Lambda on a stream batch."""
    return relay_handler({"Records": records}, lambda_context("relay"))


class Queue:
    """An SQS queue of the stack, read the way Lambda's SQS event source reads it."""

    def __init__(self, logical_id: str) -> None:
        self.sqs = boto3.client("sqs", region_name=REGION)
        self.url = self.sqs.get_queue_url(QueueName=physical_name(STAGE, logical_id))["QueueUrl"]
        self.arn = self.sqs.get_queue_attributes(QueueUrl=self.url, AttributeNames=["QueueArn"])[
            "Attributes"]["QueueArn"]

    def send(self, body: str) -> str:
        return self.sqs.send_message(QueueUrl=self.url, MessageBody=body)["MessageId"]

    def receive(self, expected: int | None = None, attempts: int = 5) -> list[dict]:
        """Every visible message (at least `expected` if given); they stay in flight until settled."""
        messages: list[dict] = []
        for _ in range(attempts):
            page = self.sqs.receive_message(QueueUrl=self.url, MaxNumberOfMessages=10, WaitTimeSeconds=0,
                                            AttributeNames=["All"], MessageAttributeNames=["All"]).get(
                "Messages", [])
            messages += page
            if not page and (expected is None or len(messages) >= expected):
                break
        if expected is not None:
            assert len(messages) == expected, f"expected {expected} messages, got {len(messages)}"
        return messages

    def bodies(self, expected: int | None = None) -> list[dict]:
        """Receive, delete and parse every visible message."""
        messages = self.receive(expected)
        self.settle(messages, failed=set())
        return [json.loads(m["Body"]) for m in messages]

    def event(self, messages: list[dict]) -> dict:
        return {"Records": [{
            "messageId": m["MessageId"], "receiptHandle": m["ReceiptHandle"], "body": m["Body"],
            "attributes": m.get("Attributes", {}), "messageAttributes": {}, "md5OfBody": m["MD5OfBody"],
            "eventSource": "aws:sqs", "eventSourceARN": self.arn, "awsRegion": REGION} for m in messages]}

    def settle(self, messages: list[dict], failed: set[str]) -> None:
        """What Lambda does after the function answers: delete the successes, return the failures."""
        for message in messages:
            if message["MessageId"] in failed:
                self.sqs.change_message_visibility(QueueUrl=self.url, ReceiptHandle=message["ReceiptHandle"],
                                                   VisibilityTimeout=0)
            else:
                self.sqs.delete_message(QueueUrl=self.url, ReceiptHandle=message["ReceiptHandle"])

    def drain(self) -> None:
        """Delete every visible message (PurgeQueue is allowed once a minute only)."""
        self.settle(self.receive(), failed=set())


def consume(queue: Queue, messages: list[dict]) -> dict:
    """One invocation of the notifications Lambda on these messages, then Lambda's bookkeeping."""
    answer = notifications_handler(queue.event(messages), lambda_context("notifications"))
    queue.settle(messages, failed={f["itemIdentifier"] for f in answer["batchItemFailures"]})
    return answer


def failed_ids(answer: dict) -> list[str]:
    return [f["itemIdentifier"] for f in answer["batchItemFailures"]]


# --------------------------------------------------------------------------- what went out


class Outbox:
    """What moto's SES and SNS accepted since this outbox was opened. Dossier codes restart with each
    test (the `stack` fixture empties the daily counters), so only messages sent since then count."""

    def __init__(self) -> None:
        self.ses = ses_backends[DEFAULT_ACCOUNT_ID][REGION]
        self.sns = sns_backends[DEFAULT_ACCOUNT_ID][REGION]
        self.emails_before = len(self.ses.sent_messages)
        self.sms_before = set(self.sns.sms_messages)

    def emails(self, dossier: Dossier) -> list:
        """Emails about this dossier (every subject starts with `[<code>]`)."""
        return [m for m in self.ses.sent_messages[self.emails_before:] if m.subject.startswith(f"[{dossier.code}]")]

    def sms(self, dossier: Dossier) -> list[tuple[str, str]]:
        """(phone, text) of the SMS about this dossier (every text names its code)."""
        return [(phone, text) for message_id, (phone, text) in self.sns.sms_messages.items()
                if message_id not in self.sms_before and dossier.code in text]


# --------------------------------------------------------------------------- dossiers


def make_dossier(owner: Principal | None = None, **changes: Any) -> Dossier:
    owner = owner or citizen()
    body = submission_body(owner, SHORT_WORK_PERMIT)
    applicant = changes.pop("applicant", None)
    if applicant:
        body["applicant"] = {**body["applicant"], **applicant}
    body.update(changes)
    return submit(owner, body)[0]


def receive_dossier(dossier: Dossier, desk: Principal | None = None) -> Dossier:
    return DossierService().receive(desk or officer(), dossier.id, validation.parse(schemas.Receive, {}), now())


def envelopes_of(queue: Queue, reader: StreamReader, *dossiers: Dossier) -> list[str]:
    """Relay the dossiers' new stream records and take the envelopes off the queue (message bodies)."""
    records = reader.records_for(*(d.id for d in dossiers))
    assert failed_ids(relay(records)) == []
    messages = queue.receive(len(records))
    queue.settle(messages, failed=set())
    return [m["Body"] for m in messages]


def deliver(queue: Queue, bodies: list[str]) -> tuple[dict, list[str]]:
    """Put these envelopes on the queue (as EventBridge would), then one Lambda invocation on them.
    Returns the answer and the message ids in body order."""
    ids = [queue.send(body) for body in bodies]
    messages = queue.receive(len(bodies))
    order = {message_id: i for i, message_id in enumerate(ids)}
    messages.sort(key=lambda m: order[m["MessageId"]])
    return consume(queue, messages), ids


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def reader(provisioned) -> StreamReader:
    return StreamReader()


@pytest.fixture
def queue(stack) -> Queue:
    notifications = Queue("NotificationsQueue")
    notifications.drain()
    return notifications


@pytest.fixture
def outbox(queue) -> Outbox:
    return Outbox()


@pytest.fixture
def sender() -> str:
    return get_settings().notification_sender


# --------------------------------------------------------------------------- relay


def test_relay_publishes_exactly_what_the_stream_holds(queue, reader):
    set_correlation_id("itest-backbone-0001")
    try:
        dossier = make_dossier()
        receive_dossier(dossier)
    finally:
        set_correlation_id(None)
    records = reader.records_for(dossier.id)
    assert [r["eventName"] for r in records] == ["INSERT", "INSERT"]

    answer = relay(records)

    assert answer == {"batchItemFailures": []}
    envelopes = sorted(queue.bodies(expected=2), key=lambda e: e["detail"]["seq"])
    stored = DossierStore().history(dossier.id)
    assert [e["type"] for e in stored] == ["dossier.submitted", "dossier.received"]
    for envelope, event in zip(envelopes, stored, strict=True):
        assert envelope["source"] == SOURCE
        assert envelope["detail-type"] == event["type"]
        assert envelope["resources"] == [f"dossier/{dossier.id}"]
        assert envelope["detail"] == {**event, "dossier_id": dossier.id}
        assert set(envelope["detail"]) == {"id", "type", "dossier_id", "seq", "at", "actor", "payload",
                                           "schema_version", "correlation_id"}
        assert envelope["detail"]["schema_version"] == 1
        assert envelope["detail"]["correlation_id"] == "itest-backbone-0001"
    assert queue.receive() == [], "one envelope per event, nothing more"


def test_relay_skips_records_that_are_not_new_events(queue, reader):
    """Events are immutable: a REMOVE (or MODIFY) on the events table is not an event being born."""
    dossier = make_dossier()
    item = EventModel.get(dossier.id, 1, consistent_read=True)
    item.delete()
    records = reader.records_for(dossier.id)
    assert [r["eventName"] for r in records] == ["INSERT", "REMOVE"]

    assert relay(records) == {"batchItemFailures": []}
    assert [e["detail"]["type"] for e in queue.bodies(expected=1)] == ["dossier.submitted"]


def test_relay_reports_the_first_record_put_events_rejected(queue, reader):
    """EventBridge rejects the 2nd entry (a blank detail-type, refused by PutEvents itself): the relay
    answers that record's sequence number, so Lambda retries from it and skips nothing after it."""
    first = make_dossier()
    EventModel(dossier_id=first.id, seq=2, event_id=new_id(), type="", at="2026-03-02T02:00:00.000Z",
               day="2026-03-02", actor={"id": "x"}, payload={"status": "received"}, schema_version=1).save()
    later = receive_dossier(make_dossier())
    batch = reader.records_for(first.id, later.id)
    assert [(r["dynamodb"]["Keys"]["dossier_id"]["S"], r["dynamodb"]["Keys"]["seq"]["N"]) for r in batch] == [
        (first.id, "1"), (first.id, "2"), (later.id, "1"), (later.id, "2")]
    bad_sequence = batch[1]["dynamodb"]["SequenceNumber"]

    answer = relay(batch)

    assert answer == {"batchItemFailures": [{"itemIdentifier": bad_sequence}]}
    published = {(e["detail"]["dossier_id"], e["detail"]["seq"]) for e in queue.bodies()}
    assert (first.id, 1) in published
    assert (first.id, 2) not in published
    # Lambda retries from the reported record: it fails again (it never becomes publishable), and after
    # the retry limit the batch goes to the relay's failure destination.
    assert failed_ids(relay(batch[1:])) == [bad_sequence]


def test_relay_with_the_bus_unreachable_fails_from_the_first_record_and_the_retry_publishes_all(
        queue, reader, monkeypatch):
    dossiers = [make_dossier(), make_dossier()]
    records = reader.records_for(*(d.id for d in dossiers))
    assert len(records) == 2

    # The stage's bus does not exist for this invocation: moto answers PutEvents with ResourceNotFound.
    monkeypatch.setenv("EVENT_BUS_NAME", f"motcua-{STAGE}-no-such-bus")
    answer = relay(records)
    monkeypatch.undo()

    assert failed_ids(answer) == [records[0]["dynamodb"]["SequenceNumber"]]
    assert queue.receive() == []
    assert relay(records) == {"batchItemFailures": []}  # Lambda's retry, from the reported record on
    assert sorted(e["detail"]["dossier_id"] for e in queue.bodies(expected=2)) == sorted(d.id for d in dossiers)


# --------------------------------------------------------------------------- rule


def test_the_rule_routes_dossier_events_to_the_notifications_queue_only(queue):
    events = boto3.client("events", region_name=REGION)
    bus = get_settings().event_bus_name
    mark = uuid.uuid4().hex
    result = events.put_events(Entries=[
        {"Source": SOURCE, "DetailType": "dossier.submitted", "Detail": json.dumps({"mark": mark, "n": 1}),
         "EventBusName": bus},
        {"Source": "motcua.other", "DetailType": "dossier.submitted", "Detail": json.dumps({"mark": mark, "n": 2}),
         "EventBusName": bus},
        {"Source": SOURCE, "DetailType": "dossier.refused", "Detail": json.dumps({"mark": mark, "n": 3})},
    ])
    assert result["FailedEntryCount"] == 0

    delivered = queue.bodies()
    assert [(e["source"], e["detail-type"], e["detail"]) for e in delivered] == [
        (SOURCE, "dossier.submitted", {"mark": mark, "n": 1})], "other sources and other buses stay out"
    dlq = Queue("NotificationsDLQ")
    redrive = json.loads(queue.sqs.get_queue_attributes(QueueUrl=queue.url, AttributeNames=["RedrivePolicy"])[
        "Attributes"]["RedrivePolicy"])
    assert redrive == {"deadLetterTargetArn": dlq.arn, "maxReceiveCount": 5}
    assert dlq.receive() == []


def test_each_consumer_rule_delivers_only_the_event_types_its_consumer_acts_on(queue):
    """The `detail-type` lists the provisioner writes into the rules from the code, as moto's bus applies them:
    a step that tells nobody reaches the metrics queue only, one the metrics fold never reads neither."""
    metrics_queue = Queue("MetricsQueue")
    metrics_queue.drain()
    events = boto3.client("events", region_name=REGION)
    mark = uuid.uuid4().hex
    kinds = ("dossier.received", "dossier.transferred", "dossier.apology_allowed", "dossier.due_soon")
    result = events.put_events(Entries=[
        {"Source": SOURCE, "DetailType": kind, "Detail": json.dumps({"mark": mark}),
         "EventBusName": get_settings().event_bus_name} for kind in kinds])
    assert result["FailedEntryCount"] == 0
    assert sorted(e["detail-type"] for e in queue.bodies()) == ["dossier.due_soon", "dossier.received"]
    assert sorted(e["detail-type"] for e in metrics_queue.bodies()) == ["dossier.received", "dossier.transferred"]


def test_relayed_events_reach_the_queue_through_the_rule(queue, reader):
    dossier = make_dossier()
    bodies = envelopes_of(queue, reader, dossier)
    assert [json.loads(b)["detail"]["dossier_id"] for b in bodies] == [dossier.id]


# --------------------------------------------------------------------------- notifications consumer


def test_poison_messages_fail_alone_and_the_rest_are_processed(queue, reader, outbox):
    dossiers = [make_dossier(), make_dossier()]
    good = envelopes_of(queue, reader, *dossiers)
    envelope = json.loads(good[0])
    no_id = json.dumps({**envelope, "detail": {k: v for k, v in envelope["detail"].items() if k != "id"}})
    no_dossier = json.dumps({**envelope, "detail": {**envelope["detail"], "id": new_id(), "dossier_id": new_id()}})
    bodies = [good[0], "{not json", no_id, good[1], "[]", no_dossier]

    answer, ids = deliver(queue, bodies)

    assert sorted(failed_ids(answer)) == sorted([ids[1], ids[2], ids[4], ids[5]])
    for dossier in dossiers:
        assert len(outbox.emails(dossier)) == 1
        (record,) = NotificationStore().for_dossier(dossier.id)
        assert (record["status"], record["channel"], record["attempts"]) == ("sent", "email", 1)
    # The poison ones come back (and after five receives rest in the DLQ); the good ones are gone.
    assert sorted(m["Body"] for m in queue.receive(4)) == sorted(bodies[i] for i in (1, 2, 4, 5))


def test_the_same_event_twice_sends_one_email(queue, reader, outbox):
    dossier = make_dossier()
    (body,) = envelopes_of(queue, reader, dossier)

    first, _ = deliver(queue, [body, body])  # twice inside one batch
    second, _ = deliver(queue, [body])  # and again in a later batch

    assert failed_ids(first) == failed_ids(second) == []
    (email,) = outbox.emails(dossier)
    assert email.destinations["ToAddresses"] == ["hr@example.vn"]
    assert email.source == get_settings().notification_sender
    (record,) = NotificationStore().for_dossier(dossier.id)
    assert (record["status"], record["attempts"], record["event_type"]) == ("sent", 1, "dossier.submitted")
    assert record["body"] == email.body and record["subject"] == email.subject
    assert record["event_id"] == json.loads(body)["detail"]["id"]


def test_a_ses_failure_is_retried_and_the_redelivery_sends_once(queue, reader, outbox, sender):
    dossier = make_dossier()
    (body,) = envelopes_of(queue, reader, dossier)
    ses = boto3.client("ses", region_name=REGION)
    ses.delete_identity(Identity=sender)
    try:
        answer, (message_id,) = deliver(queue, [body])
        assert failed_ids(answer) == [message_id]
        assert outbox.emails(dossier) == []
        (record,) = NotificationStore().for_dossier(dossier.id)
        assert record["status"] == "retrying"
        assert "MessageRejected" in record["reason"]
    finally:
        ses.verify_email_identity(EmailAddress=sender)

    (again,) = queue.receive(1)  # the failed message is back, as after its visibility timeout
    assert again["MessageId"] == message_id and again["Attributes"]["ApproximateReceiveCount"] == "2"
    assert failed_ids(consume(queue, [again])) == []
    assert failed_ids(deliver(queue, [body])[0]) == []  # a late duplicate changes nothing

    assert len(outbox.emails(dossier)) == 1
    (record,) = NotificationStore().for_dossier(dossier.id)
    assert (record["status"], record["attempts"]) == ("sent", 2)
    assert record["sent_at"]
    assert queue.receive() == []


def test_an_applicant_who_opted_in_gets_sms_too(queue, reader, outbox):
    texting = make_dossier(applicant={"phone": "0912 345 678"}, sms_opt_in=True)
    silent = make_dossier(applicant={"phone": "0987654321"})
    texting, silent = receive_dossier(texting), receive_dossier(silent)
    bodies = envelopes_of(queue, reader, texting, silent)

    answer, _ = deliver(queue, bodies)

    assert failed_ids(answer) == []
    assert outbox.sms(silent) == []
    assert len(outbox.emails(silent)) == 2
    submitted_at = texting.submitted_at.astimezone(LOCAL_TZ).strftime("%H:%M %d/%m/%Y")
    received_at = texting.received_at.astimezone(LOCAL_TZ).strftime("%H:%M %d/%m/%Y")
    due = texting.due_date.strftime("%d/%m/%Y")
    assert sorted(outbox.sms(texting)) == sorted([
        ("+84912345678", f"Ho so {texting.code} da duoc dang ky luc {submitted_at}. Bo phan Mot cua se kiem tra "
                         "va thong bao ket qua tiep nhan."),
        ("+84912345678", f"Ho so {texting.code} da duoc tiep nhan luc {received_at}. "
                         f"Ngay hen tra ket qua: {due}."),
    ])
    assert all(text.isascii() for _phone, text in outbox.sms(texting))
    records = NotificationStore().for_dossier(texting.id)
    assert Counter((r["event_type"], r["channel"], r["status"]) for r in records) == Counter({
        ("dossier.submitted", "email", "sent"): 1, ("dossier.submitted", "sms", "sent"): 1,
        ("dossier.received", "email", "sent"): 1, ("dossier.received", "sms", "sent"): 1})
    assert {r["recipient"] for r in records if r["channel"] == "sms"} == {"+84912345678"}
    assert {r["channel"] for r in NotificationStore().for_dossier(silent.id)} == {"email"}


def _emf(captured: str) -> list[dict]:
    """The CloudWatch embedded-metric blobs Powertools printed."""
    return [json.loads(line) for line in captured.splitlines() if line.startswith('{"_aws"')]


def test_consumer_outcomes_are_counted_per_event_type_as_emf_metrics(queue, reader, capsys):
    dossier = make_dossier()
    (body,) = envelopes_of(queue, reader, dossier)
    capsys.readouterr()

    deliver(queue, [body])
    deliver(queue, [body])
    deliver(queue, ["not json"])

    outcomes = [(b.get("event_type"), b["outcome"]) for b in _emf(capsys.readouterr().out)
                if "EventsConsumed" in b]
    assert outcomes == [("dossier.submitted", "sent"), ("dossier.submitted", "duplicate"), (None, "poison")]


def test_the_relay_counts_each_published_event_type(queue, reader, capsys):
    dossier = receive_dossier(make_dossier())
    capsys.readouterr()
    relay(reader.records_for(dossier.id))
    relayed = [b["event_type"] for b in _emf(capsys.readouterr().out) if "EventsRelayed" in b]
    assert relayed == ["dossier.submitted", "dossier.received"]


# --------------------------------------------------------------------------- metrics consumer


class Requests:
    """Every AWS request made while it is open, as (service, operation)."""

    def __init__(self, monkeypatch) -> None:
        from botocore.client import BaseClient

        self.made: list[tuple[str, str]] = []
        real = BaseClient._make_api_call

        def counted(client, operation, params):
            self.made.append((client.meta.service_model.service_name, operation))
            return real(client, operation, params)

        monkeypatch.setattr(BaseClient, "_make_api_call", counted)

    def take(self) -> list[tuple[str, str]]:
        made, self.made = self.made, []
        return made


def test_the_metrics_consumer_counts_from_one_batch_read_and_one_transaction_per_event(queue, reader,
                                                                                      monkeypatch, capsys):
    """No history query: the generation pointer and the batch's markers (with the fold state) in one
    BatchGetItem, then one transaction per event; a redelivered batch is recognised from that read alone."""
    metrics_queue = Queue("MetricsQueue")
    metrics_queue.drain()
    monkeypatch.setattr(metrics_service, "_generation_seen", metrics_store.active_generation())  # a warm container
    dossier = receive_dossier(make_dossier())
    relay(reader.records_for(dossier.id))
    messages = metrics_queue.receive(expected=2)
    capsys.readouterr()

    requests = Requests(monkeypatch)
    metrics_handler(metrics_queue.event(messages), lambda_context("metrics"))
    assert requests.take() == [("dynamodb", "BatchGetItem")] + [("dynamodb", "TransactWriteItems")] * 2
    metrics_handler(metrics_queue.event(messages), lambda_context("metrics"))  # the same batch again
    assert requests.take() == [("dynamodb", "BatchGetItem")]
    outcomes = [b["outcome"] for b in _emf(capsys.readouterr().out) if "EventsConsumed" in b]
    assert outcomes == ["counted", "counted", "duplicate", "duplicate"]
    mark = metrics_store.read_mark(metrics_store.active_generation(), dossier.id)
    assert (mark.seqs, mark.folded_to) == ({1, 2}, 2)
    assert mark.fold["agency"] == dossier.agency_code and mark.fold["received_at"]
    metrics_queue.settle(messages, failed=set())

    # The next step is counted from the kept state: still no query of the events table.
    desk = officer()
    transfer = validation.parse(schemas.Transfer, {"unit": "viec-lam"})
    DossierService().process(desk, dossier.id, Action.TRANSFER, transfer, now())
    relay(reader.records_for(dossier.id))
    messages = metrics_queue.receive(expected=1)
    requests.take()
    metrics_handler(metrics_queue.event(messages), lambda_context("metrics"))
    assert requests.take() == [("dynamodb", "BatchGetItem"), ("dynamodb", "TransactWriteItems")]
    assert metrics_store.read_mark(metrics_store.active_generation(), dossier.id).fold["unit"] == "viec-lam"
    metrics_queue.settle(messages, failed=set())


def test_a_delivery_that_read_the_fold_state_before_another_counted_retries_and_counts_once(stack, monkeypatch):
    """Two deliveries of one dossier at once (two batches): the one whose read is stale loses the condition
    on the kept state, reads again and counts from the new state; a stale duplicate is still a duplicate."""
    dossier = receive_dossier(make_dossier())
    transfer = validation.parse(schemas.Transfer, {"unit": "viec-lam"})
    DossierService().process(officer(), dossier.id, Action.TRANSFER, transfer, now())
    events = [{**e, "dossier_id": dossier.id} for e in DossierStore().history(dossier.id)]
    generation = metrics_store.active_generation()
    stale = {dossier.id: metrics_store.read_mark(generation, dossier.id)}  # read before anything was counted

    def unit_handovers() -> float:  # the metrics table is not emptied between tests: compare before and after
        items = boto3.client("dynamodb", region_name=REGION).scan(TableName=get_settings().metrics_table)["Items"]
        return sum(float(i.get("handovers", {}).get("N", 0)) for i in items
                   if i["sk"]["S"].startswith("unit#viec-lam#") and i["pk"]["S"].startswith(f"G{generation}#"))

    handovers_before = unit_handovers()
    refused: list[str] = []
    real_apply = metrics_store.apply

    def apply(*args, **kwargs):
        try:
            return real_apply(*args, **kwargs)
        except (metrics_store.FoldMoved, metrics_store.Duplicate) as error:
            refused.append(type(error).__name__)
            raise

    monkeypatch.setattr(metrics_store, "apply", apply)

    assert [metrics_service.count_event(e, generation) for e in events[:2]] == ["counted", "counted"]
    assert metrics_service.count_event(events[2], generation, dict(stale)) == "counted"
    assert metrics_service.count_event(events[1], generation, dict(stale)) == "duplicate"
    assert refused == ["FoldMoved", "Duplicate"]  # the stale read of event 3 retried once, then counted
    mark = metrics_store.read_mark(generation, dossier.id)
    assert (mark.seqs, mark.folded_to, mark.fold["unit"]) == ({1, 2, 3}, 3, "viec-lam")
    assert metrics_service.count_event(events[2], generation) == "duplicate"
    # Counted once, for the unit it went to (the state the stale delivery read had no unit yet).
    assert unit_handovers() == handovers_before + 1
