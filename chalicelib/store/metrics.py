"""Service-quality counters in DynamoDB (layout in docs/metrics.md).

- Counters: `pk = G<generation>#<agency>#M#<month>#<shard>` (month `2026-11`, shard `00`…),
  `sk = <dimension>#<value>#<day>` with dimension `all`, `procedure`, `unit` or `officer` and the local day
  `2026-11-21`; one number attribute per counter, moved only by atomic `ADD`. An event writes one row per
  dimension, its day's: a month, quarter or year is the sum of its days' rows, read from the month's partitions
  (a query returns the whole month, so there is no separate month row to keep in step). The shard is in the
  partition key so that a big agency's writes spread over `METRICS_SHARDS` partition keys (docs/data-model.md,
  hot keys); a reader gathers the shards of each month. Rows written before days moved into the sort key have
  `sk = <dimension>#<value>` in the month's partition: they are read as the whole month's (docs/operations.md).
- Deduplication: `pk = G<generation>#APPLIED#<dossier id>`, `sk = -`, a number set of the event sequence
  numbers already counted; it moves in the same transaction as the counters, on the condition that the
  event's number is not in it yet. The same item keeps the metric fold's state after the dossier's event
  `folded_to` (`fold`, JSON), so the consumer counts the next event from one small read instead of a
  query of the dossier's history (chalicelib/domain/metric_facts.py).
- `pk = META, sk = generation`: which generation the readers and the consumer use (a rebuild writes the
  next one, then switches).
"""

from __future__ import annotations

import json
import re
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from ..settings import get_settings
from .aws import client

META_KEY = {"pk": {"S": "META"}, "sk": {"S": "generation"}}
_MAX_TRANSACTION = 100  # DynamoDB's limit on items per transaction


class Duplicate(Exception):
    """The event was already counted in this generation."""


class FoldMoved(Exception):
    """Another delivery moved the dossier's fold state since it was read: read it again and retry."""


@dataclass(frozen=True)
class Mark:
    """A dossier's dedupe marker: the events counted, and the fold state after event `folded_to`."""

    seqs: frozenset[int] = frozenset()
    folded_to: int | None = None  # None: no fold state kept (nothing counted yet, or a marker from before)
    fold: dict | None = None


def _mark_key(generation: int, dossier_id: str) -> dict:
    return {"pk": {"S": f"G{generation}#APPLIED#{dossier_id}"}, "sk": {"S": "-"}}


def _mark(item: dict | None) -> Mark:
    if not item:
        return Mark()
    return Mark(frozenset(int(n) for n in item.get("seqs", {}).get("NS", [])),
                int(item["folded_to"]["N"]) if "folded_to" in item else None,
                json.loads(item["fold"]["S"]) if "fold" in item else None)


def read_mark(generation: int, dossier_id: str) -> Mark:
    item = client("dynamodb").get_item(TableName=_table(), Key=_mark_key(generation, dossier_id),
                                       ConsistentRead=True).get("Item")
    return _mark(item)


def read_marks(dossier_ids: Iterable[str], generation_hint: int | None = None) -> tuple[int, dict[str, Mark]]:
    """The active generation and the markers of `dossier_ids` in it: one batch read when the hint (the
    generation the container saw last) is still the active one, two when a rebuild switched it."""
    ids = sorted(set(dossier_ids))
    guess = generation_hint or 1
    found = _batch_get([META_KEY, *(_mark_key(guess, d) for d in ids)])
    meta = found.get(("META", "generation"))
    generation = int(meta["active"]["N"]) if meta else 1
    if generation != guess and ids:
        found = _batch_get([_mark_key(generation, d) for d in ids])
    return generation, {d: _mark(found.get((f"G{generation}#APPLIED#{d}", "-"))) for d in ids}


def _batch_get(keys: list[dict]) -> dict[tuple[str, str], dict]:
    ddb, found = client("dynamodb"), {}
    for start in range(0, len(keys), 100):  # BatchGetItem's limit per call
        pending = {_table(): {"Keys": keys[start:start + 100], "ConsistentRead": True}}
        while pending:
            result = ddb.batch_get_item(RequestItems=pending)
            for item in result["Responses"].get(_table(), []):
                found[(item["pk"]["S"], item["sk"]["S"])] = item
            pending = result.get("UnprocessedKeys") or {}
    return found


def counter_key(generation: int, agency: str, month: str, shard: int) -> str:
    """The partition of an agency's month (`2026-11`) in one shard."""
    return f"G{generation}#{agency}#M#{month}#{shard:02d}"


def row_key(dimension: str, value: str, day: str) -> str:
    return f"{dimension}#{value}#{day}"


_DAY = re.compile(r"(.*)#(\d{4}-\d{2}-\d{2})")


def shards() -> int:
    return get_settings().metrics_shards


def shard_of(dossier_id: str, dimension: str, value: str) -> int:
    """The shard a dossier's row of a dimension goes to: the dossier's (CRC32 of its id), so an agency's
    dossiers spread evenly; an officer's rows take the officer's own shard instead, so each officer stays one
    item per bucket (one person moves it no faster than they work) and the agency's officers still spread."""
    source = value if dimension == "officer" else dossier_id
    return zlib.crc32(source.encode()) % shards()


def _number(value: float | int) -> str:
    return str(Decimal(str(value)))


def _table() -> str:
    return get_settings().metrics_table


def active_generation() -> int:
    item = client("dynamodb").get_item(TableName=_table(), Key=META_KEY, ConsistentRead=True).get("Item")
    return int(item["active"]["N"]) if item else 1


def set_active_generation(generation: int) -> None:
    client("dynamodb").put_item(TableName=_table(), Item={**META_KEY, "active": {"N": str(generation)}})


def apply(generation: int, dossier_id: str, seq: int, rows: dict[tuple[str, str], dict[str, float]],
          fold: dict | None = None, folded_from: int | None = None) -> None:
    """Add `rows` ({(pk, sk): {counter: delta}}) and mark event `seq` of the dossier counted, atomically;
    with `fold`, also keep it as the fold state after `seq`, provided the stored one is still the state
    after `folded_from` (None: none stored). Raises Duplicate if the event was counted before, FoldMoved if
    the fold state moved meanwhile."""
    marker = {"Update": {
        "TableName": _table(), "Key": _mark_key(generation, dossier_id),
        "UpdateExpression": "ADD seqs :seq",
        "ConditionExpression": "(attribute_not_exists(seqs) OR NOT contains(seqs, :n))",
        "ExpressionAttributeValues": {":seq": {"NS": [str(seq)]}, ":n": {"N": str(seq)}}}}
    if fold is not None:
        update = marker["Update"]
        update["UpdateExpression"] += " SET folded_to = :n, fold = :fold"
        update["ExpressionAttributeValues"][":fold"] = {"S": json.dumps(fold, separators=(",", ":"))}
        if folded_from is None:
            update["ConditionExpression"] += " AND attribute_not_exists(folded_to)"
        else:
            update["ConditionExpression"] += " AND folded_to = :from"
            update["ExpressionAttributeValues"][":from"] = {"N": str(folded_from)}
    updates = []
    for (pk, sk), counters in sorted(rows.items()):
        names = {f"#c{i}": name for i, name in enumerate(sorted(counters))}
        values = {f":c{i}": {"N": _number(counters[name])} for i, name in enumerate(sorted(counters))}
        updates.append({"Update": {
            "TableName": _table(), "Key": {"pk": {"S": pk}, "sk": {"S": sk}},
            "UpdateExpression": "ADD " + ", ".join(f"#c{i} :c{i}" for i in range(len(counters))),
            "ExpressionAttributeNames": names, "ExpressionAttributeValues": values}})
    if len(updates) + 1 > _MAX_TRANSACTION:  # a bug in the fact fold, not a load problem
        raise ValueError(f"{len(updates)} counter rows for one event")
    ddb = client("dynamodb")
    try:
        ddb.transact_write_items(TransactItems=[marker, *updates])
    except ddb.exceptions.TransactionCanceledException as error:
        reasons = error.response.get("CancellationReasons") or []
        if reasons and reasons[0].get("Code") == "ConditionalCheckFailed":
            if fold is not None and seq not in read_mark(generation, dossier_id).seqs:
                raise FoldMoved(f"{dossier_id}#{seq}") from error
            raise Duplicate(f"{dossier_id}#{seq}") from error
        raise


def event_history(dossier_id: str, up_to_seq: int, fields: tuple[str, ...],
                  payload_fields: tuple[str, ...], from_seq: int = 1) -> list[dict]:
    """A dossier's events `from_seq` to `up_to_seq`, in order, with only the attributes asked for (less to
    ship than whole events, whose payloads carry receipts and forms)."""
    from boto3.dynamodb.types import TypeDeserializer

    names, parts = {}, []
    for i, path in enumerate([*fields, *(f"payload.{f}" for f in payload_fields)]):
        aliases = []
        for j, part in enumerate(path.split(".")):
            names[f"#p{i}_{j}"] = part
            aliases.append(f"#p{i}_{j}")
        parts.append(".".join(aliases))
    ddb, deserialise = client("dynamodb"), TypeDeserializer()
    events, start = [], None
    while True:
        kwargs = {"ExclusiveStartKey": start} if start else {}
        page = ddb.query(TableName=get_settings().events_table, ConsistentRead=True,
                         KeyConditionExpression="dossier_id = :d AND seq BETWEEN :f AND :s",
                         ExpressionAttributeValues={":d": {"S": dossier_id}, ":f": {"N": str(from_seq)},
                                                    ":s": {"N": str(up_to_seq)}},
                         ProjectionExpression=", ".join(parts), ExpressionAttributeNames=names, **kwargs)
        events += [_plain_tree({k: deserialise.deserialize(v) for k, v in item.items()}) for item in page["Items"]]
        start = page.get("LastEvaluatedKey")
        if not start:
            return events


def _plain_tree(value):
    """DynamoDB numbers come back as Decimal: ints where whole, floats otherwise."""
    if isinstance(value, dict):
        return {k: _plain_tree(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain_tree(v) for v in value]
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def read(generation: int, agency: str, month: str, prefix: str = "", below: str | None = None) -> list[dict]:
    """The counter rows of one agency-month (`2026-11`), every day and every shard gathered (one query per
    shard): those whose key starts with `prefix` (e.g. `all#`, `procedure#1.0142`), or, with `below`, every
    row whose key sorts before it (`unit#` gives the `all`, `officer` and `procedure` rows in one query per
    shard). Each row says its `day` (None for a row from before days moved into the key: the whole month's)."""
    ddb = client("dynamodb")
    if below is not None:
        condition, values = "pk = :pk AND sk < :below", {":below": {"S": below}}
    else:
        condition, values = "pk = :pk AND begins_with(sk, :prefix)", {":prefix": {"S": prefix}}
    rows = []
    for shard in range(shards()):
        start = None
        while True:
            kwargs = {"ExclusiveStartKey": start} if start else {}
            page = ddb.query(TableName=_table(), KeyConditionExpression=condition,
                             ExpressionAttributeValues={
                                 ":pk": {"S": counter_key(generation, agency, month, shard)}, **values}, **kwargs)
            rows += [_row(item) for item in page.get("Items", [])]
            start = page.get("LastEvaluatedKey")
            if not start:
                break
    return rows


def _row(item: dict) -> dict:
    dimension, rest = item["sk"]["S"].split("#", 1)
    value, day = (dated[1], dated[2]) if (dated := _DAY.fullmatch(rest)) else (rest, None)
    shard = int(item["pk"]["S"].rsplit("#", 1)[1])
    counters = {k: _plain(v["N"]) for k, v in item.items() if "N" in v}
    return {"dimension": dimension, "value": value, "day": day, "shard": shard, "counters": counters}


def _plain(raw: str) -> int | float:
    number = Decimal(raw)
    return int(number) if number == number.to_integral_value() else float(number)


def write_generation(generation: int, rows: dict[tuple[str, str], dict[str, float]],
                     applied: dict[str, Iterable[int]], folds: dict[str, tuple[int, dict]] | None = None) -> int:
    """A rebuild's result, written whole: every counter row and every dossier's set of counted events, with
    the fold state after its last event (`folds`: {dossier id: (seq, state)}). Returns the number of items
    written."""
    items = [{"pk": {"S": pk}, "sk": {"S": sk}, **{name: {"N": _number(v)} for name, v in counters.items()}}
             for (pk, sk), counters in rows.items()]
    folds = folds or {}
    for dossier_id, seqs in applied.items():
        if not seqs:
            continue
        item = {**_mark_key(generation, dossier_id), "seqs": {"NS": sorted({str(s) for s in seqs})}}
        if dossier_id in folds:
            folded_to, state = folds[dossier_id]
            item["folded_to"] = {"N": str(folded_to)}
            item["fold"] = {"S": json.dumps(state, separators=(",", ":"))}
        items.append(item)
    ddb = client("dynamodb")
    for i in range(0, len(items), 25):
        pending = [{"PutRequest": {"Item": item}} for item in items[i:i + 25]]
        while pending:
            result = ddb.batch_write_item(RequestItems={_table(): pending})
            pending = result.get("UnprocessedItems", {}).get(_table(), [])
    return len(items)
