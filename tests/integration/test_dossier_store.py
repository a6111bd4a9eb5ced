"""The dossier store and services against moto's DynamoDB and S3: atomic transactions, idempotent
submission, optimistic locking under concurrency, daily code sequences, the event log and its stream,
owner/agency listings with cursors, and upload verification by the stored bytes."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import date, timedelta

import boto3
import pytest

from chalicelib.api import schemas, validation
from chalicelib.domain import transitions as rules
from chalicelib.domain.codes import format_dossier_code, parse_dossier_code
from chalicelib.domain.dossier import CHANNEL_ONLINE, Dossier
from chalicelib.domain.errors import Conflict, DomainError, IdempotencyKeyReused, ValidationFailed
from chalicelib.domain.events import Event
from chalicelib.domain.ids import new_id
from chalicelib.domain.principal import Principal
from chalicelib.domain.search import DeskFilters, plan
from chalicelib.domain.states import Role, Status
from chalicelib.domain.submission import UPLOAD_PENDING, UPLOAD_REJECTED, UPLOAD_VERIFIED
from chalicelib.observability import set_correlation_id
from chalicelib.services import uploads as upload_service
from chalicelib.services.dossiers import DossierService, local_day
from chalicelib.settings import get_settings
from chalicelib.store import models
from chalicelib.store.counters import next_sequence
from chalicelib.store.cursors import BadCursor
from chalicelib.store.dossiers import ATTACHED, DossierStore, IdempotencyClaim
from chalicelib.store.models import ControlModel, EventModel
from chalicelib.store.uploads import UploadStore

from .conftest import (
    AGENCY,
    BUSINESS,
    OTHER_AGENCY,
    PDF,
    PNG,
    WORK_PERMIT,
    citizen,
    create_upload,
    now,
    officer,
    put_object,
    submission_body,
    submit,
    submitted,
    upload,
)

REGION = "ap-southeast-1"
SHORT_WORK_PERMIT = "1.014200"  # also at AGENCY, two required components


# --------------------------------------------------------------------------- helpers


def _draft(owner: Principal, agency: str = AGENCY, upload_ids: tuple[str, ...] = ()) -> tuple[Dossier, Event]:
    """A new dossier and its first event, as DossierService.submit builds them, for store-level tests."""
    when = now()
    day = local_day(when)
    files = [UploadStore().get(u).as_file() for u in upload_ids]
    draft = Dossier(
        id=new_id(), code=format_dossier_code(agency, day, next_sequence(agency, day)),
        procedure_code=WORK_PERMIT, procedure_version=1, agency_code=agency, owner_id=owner.id,
        applicant=dict(BUSINESS), summary="Hồ sơ thử nghiệm",
        components=[{"component_id": "application-form", "files": files}] if files else [],
        delivery={"method": "desk", "address": None}, channel=CHANNEL_ONLINE, status=Status.SUBMITTED,
        submitted_at=when)
    return rules.submit(draft, owner, when, "corr-store-test")


def _stored(owner: Principal, agency: str = AGENCY) -> Dossier:
    dossier, event = _draft(owner, agency)
    DossierStore().create(dossier, event, None, [])
    return dossier


def _stored_in_order(owner: Principal, count: int) -> list[Dossier]:
    """`count` dossiers with strictly increasing submitted_at (millisecond resolution), oldest first."""
    created = []
    for _ in range(count):
        if created:
            time.sleep(0.003)
        created.append(_stored(owner))
    return created


def _claim(owner: Principal, key: str = "key-1") -> IdempotencyClaim:
    return IdempotencyClaim(owner.id, key, "hash-" + key)


def _upload_state(upload_id: str) -> tuple[str, str | None]:
    info = UploadStore().get(upload_id)
    return info.status, info.attached_to


def _raw_events(dossier_id: str) -> list[dict]:
    ddb = boto3.client("dynamodb", region_name=REGION)
    return ddb.query(TableName=get_settings().events_table, KeyConditionExpression="dossier_id = :d",
                     ExpressionAttributeValues={":d": {"S": dossier_id}}, ConsistentRead=True)["Items"]


def _stream_records(dossier_id: str) -> list[dict]:
    """This dossier's records in the events table's stream, oldest first (the stream outlives the
    per-test emptying of the tables, so other tests' records are there too)."""
    settings = get_settings()
    ddb = boto3.client("dynamodb", region_name=REGION)
    arn = ddb.describe_table(TableName=settings.events_table)["Table"]["LatestStreamArn"]
    streams = boto3.client("dynamodbstreams", region_name=REGION)
    records = []
    for shard in streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
        iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard["ShardId"],
                                              ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        while iterator:
            page = streams.get_records(ShardIterator=iterator)
            records += page["Records"]
            iterator = page.get("NextShardIterator") if page["Records"] else None
    return [r for r in records if r["dynamodb"]["Keys"]["dossier_id"] == {"S": dossier_id}]


def _all_dossier_ids() -> set[str]:
    ddb = boto3.client("dynamodb", region_name=REGION)
    return {i["id"]["S"] for i in ddb.scan(TableName=get_settings().dossiers_table)["Items"]}


@contextmanager
def _before_call(client, operation: str, handler) -> Iterator[None]:
    """Run `handler` in the calling thread before every `operation` call made through this botocore
    client: forces an interleaving of concurrent requests. A botocore event hook; none of our code is replaced."""
    event, unique_id = f"before-call.dynamodb.{operation}", f"itest-{operation}-{id(handler)}"
    client.meta.events.register(event, handler, unique_id=unique_id)
    try:
        yield
    finally:
        client.meta.events.unregister(event, unique_id=unique_id)


def _transactions_client():
    return models.connection().client


def _control_client():
    return ControlModel._get_connection().connection.client


def _hold_transactions_until(parties: int):
    """Every transaction waits until `parties` callers have reached theirs: all have read and validated
    before anyone writes, so the store's conditions alone decide who wins."""
    barrier = threading.Barrier(parties, timeout=20)

    def wait(**_kwargs) -> None:  # must return None: a value would stand in for the AWS response
        barrier.wait()

    return _before_call(_transactions_client(), "TransactWriteItems", wait)


def _in_threads(count: int, work) -> list[tuple[str, object]]:
    """Run `work(i)` in `count` threads started together; ("ok", result) or ("error", exception) each."""
    start = threading.Barrier(count, timeout=20)

    def run(i: int):
        start.wait()
        try:
            return "ok", work(i)
        except Exception as error:  # the outcome is what the test inspects
            return "error", error

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


# --------------------------------------------------------------------------- atomic create / apply


def test_create_with_an_existing_first_event_writes_nothing(stack):
    owner = citizen()
    upload_id = upload(owner, "application-form")
    dossier, event = _draft(owner, upload_ids=(upload_id,))
    planted = EventModel(dossier_id=dossier.id, seq=1, event_id="planted", type="dossier.planted",
                         at="2026-01-01T00:00:00.000Z", actor={"id": "x"}, payload={"x": 1}, schema_version=1)
    planted.save()
    store = DossierStore()
    claim = _claim(owner)

    with pytest.raises(Conflict):
        store.create(dossier, event, claim, [upload_id])

    assert store.get(dossier.id) is None
    assert dossier.id not in _all_dossier_ids()
    assert [e["id"] for e in store.history(dossier.id)] == ["planted"]
    assert store.find_claim(claim) is None
    assert _upload_state(upload_id) == (UPLOAD_VERIFIED, None)
    assert store.list_by_owner(owner.id, 10, None) == ([], None)
    # The rolled-back writes never reach the stream the event relay reads.
    assert [r["dynamodb"]["NewImage"]["event_id"]["S"] for r in _stream_records(dossier.id)] == ["planted"]


def test_create_with_an_unverified_upload_writes_nothing(stack):
    owner = citizen()
    verified = upload(owner, "application-form")
    pending = upload(owner, "qualification-proof", verify=False)
    dossier, event = _draft(owner, upload_ids=(verified,))
    store = DossierStore()
    claim = _claim(owner)

    with pytest.raises(Conflict):
        store.create(dossier, event, claim, [verified, pending])

    assert store.get(dossier.id) is None
    assert store.history(dossier.id) == []
    assert store.find_claim(claim) is None
    assert _upload_state(verified) == (UPLOAD_VERIFIED, None)
    assert _upload_state(pending) == (UPLOAD_PENDING, None)
    assert _all_dossier_ids() == set()
    assert _stream_records(dossier.id) == []


def test_create_with_an_upload_attached_elsewhere_writes_nothing(stack):
    owner = citizen()
    shared = upload(owner, "application-form")
    first, first_event = _draft(owner, upload_ids=(shared,))
    store = DossierStore()
    store.create(first, first_event, _claim(owner, "first"), [shared])
    assert _upload_state(shared) == (ATTACHED, first.id)

    fresh = upload(owner, "qualification-proof")
    second, second_event = _draft(owner, upload_ids=(shared,))
    claim = _claim(owner, "second")
    with pytest.raises(Conflict):
        store.create(second, second_event, claim, [fresh, shared])

    assert store.get(second.id) is None
    assert store.history(second.id) == []
    assert store.find_claim(claim) is None
    assert _upload_state(shared) == (ATTACHED, first.id)
    assert _upload_state(fresh) == (UPLOAD_VERIFIED, None)
    assert _all_dossier_ids() == {first.id}
    assert [d.id for d in store.list_by_owner(owner.id, 10, None)[0]] == [first.id]


def test_create_with_another_owners_upload_writes_nothing(stack):
    owner, stranger = citizen(), citizen()
    theirs = upload(stranger, "application-form")
    dossier, event = _draft(owner)
    store = DossierStore()
    with pytest.raises(Conflict):
        store.create(dossier, event, _claim(owner), [theirs])
    assert store.get(dossier.id) is None
    assert _upload_state(theirs) == (UPLOAD_VERIFIED, None)


def test_apply_with_a_stale_version_changes_nothing(stack):
    owner, desk = citizen(), officer()
    original = _stored(owner)
    service = DossierService()
    received = service.receive(desk, original.id, validation.parse(schemas.Receive, {}), now())
    assert received.version == 2
    store = DossierStore()
    before = store.history(original.id)

    # A decision taken on the version-1 snapshot, carrying a fresh upload, after someone else moved on.
    extra = upload(owner, "qualification-proof")
    stale, stale_event = rules.refuse(original, desk, now(), "Thiếu giấy tờ")
    with pytest.raises(Conflict):
        store.apply(1, stale, stale_event, [extra])

    kept = store.get(original.id)
    assert (kept.status, kept.version, kept.refusal) == (Status.RECEIVED, 2, None)
    assert kept.to_dict() == received.to_dict()
    assert store.history(original.id) == before
    assert [e["type"] for e in before] == ["dossier.submitted", "dossier.received"]
    assert _upload_state(extra) == (UPLOAD_VERIFIED, None)
    assert _queue(AGENCY, "refused", 10)[0] == []


def test_apply_with_an_existing_event_seq_changes_nothing(stack):
    """Version and event seq guard each other: a planted event at the next seq blocks the transition."""
    owner, desk = citizen(), officer()
    original = _stored(owner)
    EventModel(dossier_id=original.id, seq=2, event_id="planted", type="dossier.planted",
               at="2026-01-01T00:00:00.000Z", actor={"id": "x"}, payload={"x": 1}, schema_version=1).save()
    store = DossierStore()
    changed, event = rules.refuse(original, desk, now(), "Thiếu giấy tờ")
    with pytest.raises(Conflict):
        store.apply(1, changed, event)
    kept = store.get(original.id)
    assert (kept.status, kept.version) == (Status.SUBMITTED, 1)
    assert [e["id"] for e in store.history(original.id)] == [_raw_events(original.id)[0]["event_id"]["S"],
                                                               "planted"]


# --------------------------------------------------------------------------- idempotent submission


def test_same_key_same_body_replays_the_first_dossier(stack):
    owner = citizen()
    body = submission_body(owner)
    first, replayed_first = submit(owner, body, "key-1")
    second, replayed_second = submit(owner, body, "key-1")

    assert (replayed_first, replayed_second) == (False, True)
    assert second.id == first.id and second.code == first.code
    items, cursor = DossierStore().list_by_owner(owner.id, 10, None)
    assert [d.id for d in items] == [first.id] and cursor is None
    assert len(DossierStore().history(first.id)) == 1


def test_same_key_different_body_is_refused(stack):
    owner = citizen()
    body = submission_body(owner)
    first, _ = submit(owner, body, "key-1")
    with pytest.raises(IdempotencyKeyReused):
        submit(owner, {**body, "summary": "Một nội dung khác"}, "key-1")
    assert [d.id for d in DossierStore().list_by_owner(owner.id, 10, None)[0]] == [first.id]


def test_keys_are_scoped_to_their_owner(stack):
    one, other = citizen(), citizen()
    mine, _ = submit(one, submission_body(one), "shared-key")
    theirs, replayed = submit(other, submission_body(other), "shared-key")
    assert not replayed and theirs.id != mine.id


def test_concurrent_submissions_with_one_key_create_one_dossier(stack):
    owner = citizen()
    body = submission_body(owner)

    # All eight pass the claim lookup and validation before any of them writes: the transaction's
    # condition on the idempotency item is what has to pick the one winner.
    with _hold_transactions_until(8):
        outcomes = _in_threads(8, lambda _i: submit(owner, body, "same-key"))

    errors = [o for kind, o in outcomes if kind == "error"]
    assert errors == [], f"every same-key call must succeed (replay), got {errors!r}"
    ids = {dossier.id for _kind, (dossier, _replayed) in outcomes}
    assert len(ids) == 1
    assert sorted(replayed for _kind, (_d, replayed) in outcomes) == [False] + [True] * 7
    (dossier_id,) = ids
    assert _all_dossier_ids() == {dossier_id}
    assert [d.id for d in DossierStore().list_by_owner(owner.id, 10, None)[0]] == [dossier_id]
    assert [e["type"] for e in DossierStore().history(dossier_id)] == ["dossier.submitted"]
    assert [r["dynamodb"]["NewImage"]["type"]["S"] for r in _stream_records(dossier_id)] == ["dossier.submitted"]
    assert all(_upload_state(u) == (ATTACHED, dossier_id) for c in body["components"] for u in c["upload_ids"])


def test_same_key_request_overtaken_during_validation_replays(stack):
    """A same-key request that found no claim, then sees its uploads attached by its twin's commit,
    is a replay, not an invalid request (it used to fail with upload.already_attached)."""
    owner = citizen()
    body = submission_body(owner)
    late_thread: dict[str, int] = {}
    late_is_reading, overtaken = threading.Event(), threading.Event()

    def hold_late_upload_read(**_kwargs) -> None:
        if threading.get_ident() == late_thread.get("id"):
            late_is_reading.set()
            overtaken.wait(20)

    def late():
        late_thread["id"] = threading.get_ident()
        return submit(owner, body, "same-key")

    # The late request has looked the key up (nothing yet) and is about to read its uploads
    # (BatchGetItem) when the first request with the same key commits.
    with _before_call(_control_client(), "BatchGetItem", hold_late_upload_read), \
            ThreadPoolExecutor(max_workers=1) as pool:
        pending = pool.submit(late)
        try:
            assert late_is_reading.wait(20), "the late request never read its uploads"
            first, first_replayed = submit(owner, body, "same-key")
        finally:
            overtaken.set()
        second, second_replayed = pending.result(timeout=20)

    assert (first_replayed, second_replayed) == (False, True)
    assert second.id == first.id
    assert _all_dossier_ids() == {first.id}


# --------------------------------------------------------------------------- concurrent officers


def test_concurrent_receive_and_refuse_one_wins(stack):
    dossier = submitted()
    desk_a, desk_b = officer(), officer()
    service = DossierService()
    actions = [
        lambda: service.receive(desk_a, dossier.id, validation.parse(schemas.Receive, {"note": "Đủ"}), now()),
        lambda: service.refuse(desk_b, dossier.id, validation.parse(schemas.Refuse, {"reason": "Thiếu"}), now()),
    ]
    with _hold_transactions_until(2):  # both have read version 1 before either writes
        outcomes = _in_threads(2, lambda i: actions[i]())

    kinds = Counter(kind for kind, _ in outcomes)
    assert kinds == {"ok": 1, "error": 1}, outcomes
    (winner,) = [result for kind, result in outcomes if kind == "ok"]
    (loser,) = [result for kind, result in outcomes if kind == "error"]
    assert isinstance(loser, Conflict) and loser.detail_code == "concurrent_update"

    stored = DossierStore().get(dossier.id)
    assert stored.version == 2 and stored.status == winner.status
    history = DossierStore().history(dossier.id)
    assert len(history) == 2
    assert history[1]["type"] == {Status.RECEIVED: "dossier.received",
                                  Status.REFUSED: "dossier.refused"}[winner.status]


def test_officer_with_a_stale_expected_version_gets_conflict(stack):
    dossier = submitted()
    service = DossierService()
    service.receive(officer(), dossier.id, validation.parse(schemas.Receive, {}), now(), expected_version=1)
    with pytest.raises(Conflict):
        service.refuse(officer(), dossier.id, validation.parse(schemas.Refuse, {"reason": "Thiếu"}), now(),
                       expected_version=1)
    assert DossierStore().get(dossier.id).version == 2


def test_many_concurrent_officer_actions_leave_one_transition(stack):
    dossier = submitted()
    service = DossierService()

    def act(i: int):
        desk = officer()
        if i % 2:
            return service.receive(desk, dossier.id, validation.parse(schemas.Receive, {}), now())
        return service.refuse(desk, dossier.id, validation.parse(schemas.Refuse, {"reason": "Thiếu"}), now())

    outcomes = _in_threads(6, act)
    assert sum(kind == "ok" for kind, _ in outcomes) == 1
    # Losers either lost the write (Conflict) or read the winner's status (transition not allowed).
    assert all(isinstance(o, DomainError) for kind, o in outcomes if kind == "error")
    assert DossierStore().get(dossier.id).version == 2
    assert [e["seq"] for e in DossierStore().history(dossier.id)] == [1, 2]


# --------------------------------------------------------------------------- daily code sequence


def test_daily_sequence_is_gapless_under_concurrency(stack):
    day = date(2026, 3, 2)
    assert next_sequence("000.00.00.G07", day) == 1  # a warm connection, as in a running container
    outcomes = _in_threads(40, lambda _i: next_sequence(AGENCY, day))
    assert sorted(result for _kind, result in outcomes) == list(range(1, 41))
    assert next_sequence(AGENCY, day) == 41
    assert next_sequence(OTHER_AGENCY, day) == 1
    assert next_sequence(AGENCY, day + timedelta(days=1)) == 1
    assert next_sequence(AGENCY, day - timedelta(days=1)) == 1


def test_concurrent_submissions_get_unique_codes(stack):
    owners = [citizen() for _ in range(10)]
    # Two procedures of the same agency share its daily counter; the second needs only two files.
    bodies = [submission_body(o, WORK_PERMIT if i % 3 == 0 else SHORT_WORK_PERMIT) for i, o in enumerate(owners)]

    outcomes = _in_threads(10, lambda i: submit(owners[i], bodies[i]))

    assert [kind for kind, _ in outcomes] == ["ok"] * 10, outcomes
    codes = [dossier.code for _kind, (dossier, _replayed) in outcomes]
    assert len(set(codes)) == 10
    parsed = [parse_dossier_code(code) for code in codes]
    assert {agency for agency, _day, _seq in parsed} == {AGENCY}
    assert sorted(seq for _agency, _day, seq in parsed) == list(range(1, 11))


# --------------------------------------------------------------------------- events and their stream


def test_events_carry_the_outbox_fields_and_reach_the_stream(stack):
    owner, desk = citizen(), officer()
    body = submission_body(owner)
    set_correlation_id("itest-correlation-1")
    try:
        dossier, _ = submit(owner, body)
        received = DossierService().receive(desk, dossier.id, validation.parse(schemas.Receive, {}), now())
    finally:
        set_correlation_id(None)

    history = DossierStore().history(dossier.id)
    assert [(e["seq"], e["type"]) for e in history] == [(1, "dossier.submitted"), (2, "dossier.received")]
    assert history[-1]["seq"] == received.version == DossierStore().get(dossier.id).version
    assert history[0]["actor"]["id"] == owner.id and history[0]["actor"]["role"] == "citizen"
    assert history[1]["actor"] == {"id": desk.id, "username": desk.username, "role": "officer",
                                   "name": desk.name, "agency_code": AGENCY}
    assert history[0]["payload"]["code"] == dossier.code and history[0]["payload"]["status"] == "submitted"
    assert history[1]["payload"]["previous_status"] == "submitted"
    assert history[1]["payload"]["due_date"] == received.due_date.isoformat()
    assert all(e["schema_version"] == 1 and e["correlation_id"] == "itest-correlation-1" for e in history)
    assert all(e["at"].endswith("Z") for e in history)

    raw = _raw_events(dossier.id)
    for item, seq in zip(raw, (1, 2), strict=True):
        assert {"dossier_id", "seq", "event_id", "type", "at", "actor", "payload", "schema_version",
                "correlation_id"} <= set(item)
        assert item["dossier_id"] == {"S": dossier.id} and item["seq"] == {"N": str(seq)}

    table = boto3.client("dynamodb", region_name=REGION).describe_table(
        TableName=get_settings().events_table)["Table"]
    assert table["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"}
    records = _stream_records(dossier.id)
    assert [r["eventName"] for r in records] == ["INSERT", "INSERT"]
    images = [r["dynamodb"]["NewImage"] for r in records]
    assert [(i["dossier_id"]["S"], i["seq"]["N"], i["type"]["S"]) for i in images] == [
        (dossier.id, "1", "dossier.submitted"), (dossier.id, "2", "dossier.received")]
    assert images == raw


# --------------------------------------------------------------------------- listings and cursors


def _queue(agency: str, status: str | None, limit: int, cursor: str | None = None) -> tuple[list[str], str | None]:
    """A desk officer's queue, as GET /desk/dossiers reads it: the search plan run by the store."""
    desk = Principal(id="desk", username="desk", roles=frozenset({Role.OFFICER}), agency_code=agency)
    found, next_cursor, _ = DossierStore().search(plan(DeskFilters(status=status), desk, date.today()), limit, cursor)
    return [d.id for d in found], next_cursor


def test_the_desk_queue_by_status_is_scoped_to_agency_and_status(stack):
    owner = citizen()
    waiting = [_stored(owner) for _ in range(2)]
    handled = _stored(owner)
    DossierService().receive(officer(), handled.id, validation.parse(schemas.Receive, {}), now())
    elsewhere = _stored(owner, OTHER_AGENCY)
    store = DossierStore()

    def ids(agency: str, status: str | None) -> set[str]:
        return set(_queue(agency, status, 50)[0])

    assert ids(AGENCY, "submitted") == {d.id for d in waiting}
    assert ids(AGENCY, "received") == {handled.id}
    assert ids(AGENCY, "refused") == set()
    assert ids(OTHER_AGENCY, "submitted") == {elsewhere.id}
    assert ids(AGENCY, None) == {d.id for d in waiting} | {handled.id}
    assert all(store.get(i).status == Status.SUBMITTED and store.get(i).agency_code == AGENCY
               for i in _queue(AGENCY, "submitted", 50)[0])


def test_agency_queue_pages_oldest_first_and_pins_its_cursor(stack):
    owner = citizen()
    created = _stored_in_order(owner, 3)
    page, cursor = _queue(AGENCY, "submitted", 2)
    assert cursor
    rest, end = _queue(AGENCY, "submitted", 2, cursor)
    assert page + rest == [d.id for d in created] and end is None
    with pytest.raises(BadCursor):
        _queue(OTHER_AGENCY, "submitted", 2, cursor)
    with pytest.raises(BadCursor):
        _queue(AGENCY, "received", 2, cursor)


def test_owner_cursor_is_rejected_for_another_owner(stack):
    owner, other = citizen(), citizen()
    created = _stored_in_order(owner, 3)
    _stored(other)
    store = DossierStore()

    page, cursor = store.list_by_owner(owner.id, 2, None)
    assert cursor and len(page) == 2
    with pytest.raises(BadCursor):
        store.list_by_owner(other.id, 2, cursor)
    rest, end = store.list_by_owner(owner.id, 2, cursor)
    assert [d.id for d in page + rest] == [d.id for d in reversed(created)], "newest first"
    assert end is None


@contextmanager
def _throttled_batch_reads(answers: int) -> Iterator[list[int]]:
    """DynamoDB leaving keys unprocessed, as it does when throttled: the next `answers` BatchGetItem answers
    keep only their first item and hand the other keys back as UnprocessedKeys (a botocore after-call hook on
    the store's client; none of our code is replaced). Yields the number of keys asked for by each call."""
    from chalicelib.store.models import DossierModel

    models.bind()  # the store binds the model to this stack's table first; hook the client it will use
    client = DossierModel._get_connection().connection.client
    asked: list[int] = []
    unique_id = f"itest-throttle-{id(asked)}"

    def hold_back(parsed, **_):
        # moto processes every key: what came back is what was asked for.
        asked.append(sum(len(items) for items in parsed.get("Responses", {}).values()))
        if len(asked) > answers:
            return
        for table, items in parsed.get("Responses", {}).items():
            if len(items) > 1:
                parsed.setdefault("UnprocessedKeys", {})[table] = {"Keys": [{"id": i["id"]} for i in items[1:]]}
                del items[1:]

    client.meta.events.register("after-call.dynamodb.BatchGetItem", hold_back, unique_id=unique_id)
    try:
        yield asked
    finally:
        client.meta.events.unregister("after-call.dynamodb.BatchGetItem", unique_id=unique_id)


def test_a_list_page_asks_again_for_the_dossiers_dynamodb_left_unprocessed_and_keeps_its_order(stack):
    owner = citizen()
    created = _stored_in_order(owner, 4)
    with _throttled_batch_reads(2) as asked:
        page, cursor = DossierStore().list_by_owner(owner.id, 4, None)
    assert [d.id for d in page] == [d.id for d in reversed(created)], "every dossier, newest first"
    assert asked == [4, 3, 2], "the unprocessed keys, and only they, were asked for again"
    assert [d.version for d in page] == [1, 1, 1, 1] and all(d.owner_id == owner.id for d in page)


def test_a_list_read_dynamodb_keeps_throttling_fails_as_unavailable(stack, monkeypatch):
    from chalicelib.api.http import aws_problem
    from chalicelib.store import dossiers

    monkeypatch.setattr(dossiers, "BATCH_GET_RETRIES", 2)
    owner = citizen()
    _stored_in_order(owner, 4)
    with _throttled_batch_reads(100), pytest.raises(Exception) as raised:
        DossierStore().list_by_owner(owner.id, 4, None)
    problem = aws_problem(raised.value)
    assert problem is not None and problem.status == 503, "the client is told to retry, not given half a page"


# --------------------------------------------------------------------------- upload verification


def test_png_bytes_declared_as_pdf_are_rejected(stack):
    owner = citizen()
    upload_id = create_upload(owner, "application-form", "application/pdf", len(PNG))["id"]
    put_object(upload_id, PNG)

    with pytest.raises(ValidationFailed) as failed:
        upload_service.verify(owner, upload_id)

    assert [e.code for e in failed.value.errors] == ["file.type_mismatch"]
    assert failed.value.errors[0].params == {"detected": "image/png", "declared": "application/pdf"}
    info = UploadStore().get(upload_id)
    assert info.status == UPLOAD_REJECTED and info.content_type == "image/png"
    # Judged once: asking again repeats the verdict instead of re-reading the bytes.
    with pytest.raises(ValidationFailed) as again:
        upload_service.verify(owner, upload_id)
    assert [e.code for e in again.value.errors] == ["file.type_mismatch"]


def test_missing_object_is_reported_and_the_upload_stays_pending(stack):
    owner = citizen()
    upload_id = create_upload(owner, "application-form", "application/pdf", len(PDF))["id"]

    with pytest.raises(ValidationFailed) as failed:
        upload_service.verify(owner, upload_id)

    assert [e.code for e in failed.value.errors] == ["upload.missing_object"]
    assert UploadStore().get(upload_id).status == UPLOAD_PENDING
    put_object(upload_id, PDF)  # the client retries the upload: verification then passes
    assert upload_service.verify(owner, upload_id).status == UPLOAD_VERIFIED


def test_verifying_twice_is_harmless(stack):
    owner = citizen()
    upload_id = upload(owner, "photos")  # images only: PNG bytes
    first = UploadStore().get(upload_id)
    again = upload_service.verify(owner, upload_id)
    assert again == first
    assert (again.status, again.content_type, again.size) == (UPLOAD_VERIFIED, "image/png", len(PNG))
    assert len(again.sha256) == 64
    assert UploadStore().raw(upload_id).expires_at is None  # verified records outlive the pending TTL


def test_submission_verifies_pending_uploads_and_attaches_them(stack):
    owner = citizen()
    body = submission_body(owner)
    late = upload(owner, "application-form", verify=False)
    body["components"][0] = {"component_id": "application-form", "upload_ids": [late]}
    dossier, _ = submit(owner, body)
    assert _upload_state(late) == (ATTACHED, dossier.id)
    attached = [u for c in body["components"] for u in c["upload_ids"]]
    assert all(_upload_state(u) == (ATTACHED, dossier.id) for u in attached)
    files = {c["component_id"]: c["files"] for c in dossier.components}
    assert files["application-form"][0]["upload_id"] == late
    assert files["application-form"][0]["content_type"] == "application/pdf"


def test_a_rejected_upload_fails_the_submission_and_nothing_is_stored(stack):
    owner = citizen()
    body = submission_body(owner)
    bad = create_upload(owner, "application-form", "application/pdf", len(PNG))["id"]
    put_object(bad, PNG)
    body["components"][0] = {"component_id": "application-form", "upload_ids": [bad]}
    with pytest.raises(ValidationFailed) as failed:
        submit(owner, body, "key-bad")
    assert "upload.rejected" in [e.code for e in failed.value.errors]
    assert _all_dossier_ids() == set()
    assert DossierStore().find_claim(IdempotencyClaim(owner.id, "key-bad", "")) is None
    others = [u for c in body["components"][1:] for u in c["upload_ids"]]
    assert all(_upload_state(u) == (UPLOAD_VERIFIED, None) for u in others)

