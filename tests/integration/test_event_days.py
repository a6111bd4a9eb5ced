"""The events table's day index is sharded (`<UTC date>#<shard>`, docs/data-model.md "Hot keys"): the store
writes the shard, and a replay by time range reads every shard of each day, and the bare-date partition of
events written before the shards, in time order."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import boto3

from chalicelib.domain.ids import new_id
from chalicelib.settings import get_settings
from chalicelib.store.models import DAY_SHARDS, EventModel, bind, day_key, day_partitions
from scripts.ops.replay import stored_events

from .conftest import REGION, submitted


def _event(dossier_id: str, seq: int, at: datetime, day: str | None = None) -> EventModel:
    stamp = at.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return EventModel(dossier_id=dossier_id, seq=seq, event_id=new_id(), type="dossier.received", at=stamp,
                      day=day or day_key(stamp, dossier_id), actor={"id": "x"}, payload={}, schema_version=1)


def test_a_dossiers_events_carry_its_day_shard(stack):
    dossier = submitted()
    bind()
    event = EventModel.get(dossier.id, 1, consistent_read=True)
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}#\d{2}", event.day)
    assert event.day == day_key(event.at, dossier.id) and event.day[:10] == event.at[:10]


def test_the_shard_comes_from_the_dossier_and_spreads_dossiers_over_every_shard():
    ids = [new_id() for _ in range(800)]
    shards = {day_key("2026-03-02T01:00:00.000Z", i)[-2:] for i in ids}
    assert shards == {f"{n:02d}" for n in range(DAY_SHARDS)}
    assert day_key("2026-03-02T01:00:00.000Z", ids[0])[-2:] == day_key("2026-03-03T23:59:59.999Z", ids[0])[-2:]
    assert day_partitions("2026-03-02")[:2] == ["2026-03-02", "2026-03-02#00"]


def test_a_time_range_replay_reads_every_shard_and_the_unsharded_past_in_time_order(stack):
    bind()
    start = datetime(2026, 3, 1, 22, 0, tzinfo=UTC)
    written = []
    for n in range(120):  # two UTC days, dossiers spread over the shards
        written.append(_event(new_id(), 1, start + timedelta(minutes=3 * n + n % 7)))
    # Events written before the shards keep the bare date.
    written.append(_event(new_id(), 1, datetime(2026, 3, 2, 0, 30, 0, 500_000, tzinfo=UTC), day="2026-03-02"))
    with EventModel.batch_write() as batch:
        for item in written:
            batch.save(item)
    since, until = datetime(2026, 3, 1, 23, 0, tzinfo=UTC), datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
    ddb = boto3.client("dynamodb", region_name=REGION)

    read = [item["at"]["S"] for item in stored_events(ddb, get_settings().events_table, since=since, until=until)]

    stamps = sorted(e.at for e in written)
    wanted = [s for s in stamps if "2026-03-01T23:00:00.000Z" <= s <= "2026-03-02T02:00:00.000Z"]
    assert read == wanted
    assert "2026-03-02T00:30:00.500Z" in read
    assert len({e.day for e in written if e.at in read}) > DAY_SHARDS // 2
