"""Service-quality counters in DynamoDB (layout in docs/metrics.md).

- Counters: `pk = G<generation>#<agency>#<bucket>` (bucket `D#2026-11-21` or `M#2026-11`),
  `sk = <dimension>#<value>#<shard>` with dimension `all`, `procedure`, `unit` or `officer`; one number
  attribute per counter, moved only by atomic `ADD`.
- Deduplication: `pk = G<generation>#APPLIED#<dossier id>`, `sk = -`, a number set of the event sequence
  numbers already counted; it moves in the same transaction as the counters, on the condition that the
  event's number is not in it yet.
- `pk = META, sk = generation`: which generation the readers and the consumer use (a rebuild writes the
  next one, then switches).
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from ..settings import get_settings
from .aws import client

META_KEY = {"pk": {"S": "META"}, "sk": {"S": "generation"}}
_MAX_TRANSACTION = 100  # DynamoDB's limit on items per transaction


class Duplicate(Exception):
    """The event was already counted in this generation."""


def counter_key(generation: int, agency: str, period: str) -> str:
    return f"G{generation}#{agency}#{period}"


def row_key(dimension: str, value: str, shard: int) -> str:
    return f"{dimension}#{value}#{shard:02d}"


def _number(value: float | int) -> str:
    return str(Decimal(str(value)))


def _table() -> str:
    return get_settings().metrics_table


def active_generation() -> int:
    item = client("dynamodb").get_item(TableName=_table(), Key=META_KEY, ConsistentRead=True).get("Item")
    return int(item["active"]["N"]) if item else 1


def set_active_generation(generation: int) -> None:
    client("dynamodb").put_item(TableName=_table(), Item={**META_KEY, "active": {"N": str(generation)}})


def apply(generation: int, dossier_id: str, seq: int, rows: dict[tuple[str, str], dict[str, float]]) -> None:
    """Add `rows` ({(pk, sk): {counter: delta}}) and mark event `seq` of the dossier counted, atomically.
    Raises Duplicate if it was counted before."""
    marker = {"Update": {
        "TableName": _table(), "Key": {"pk": {"S": f"G{generation}#APPLIED#{dossier_id}"}, "sk": {"S": "-"}},
        "UpdateExpression": "ADD seqs :seq",
        "ConditionExpression": "attribute_not_exists(seqs) OR NOT contains(seqs, :n)",
        "ExpressionAttributeValues": {":seq": {"NS": [str(seq)]}, ":n": {"N": str(seq)}}}}
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
            raise Duplicate(f"{dossier_id}#{seq}") from error
        raise


def event_history(dossier_id: str, up_to_seq: int, fields: tuple[str, ...],
                  payload_fields: tuple[str, ...]) -> list[dict]:
    """A dossier's events up to `up_to_seq`, in order, with only the attributes asked for (less to read
    and to ship than whole events, whose payloads carry receipts and forms)."""
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
                         KeyConditionExpression="dossier_id = :d AND seq <= :s",
                         ExpressionAttributeValues={":d": {"S": dossier_id}, ":s": {"N": str(up_to_seq)}},
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


def read(generation: int, agency: str, period: str, prefix: str) -> list[dict]:
    """The counter rows of one agency-period whose key starts with `prefix` (e.g. `all#`, `procedure#`)."""
    ddb = client("dynamodb")
    rows, start = [], None
    while True:
        kwargs = {"ExclusiveStartKey": start} if start else {}
        page = ddb.query(TableName=_table(), KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
                         ExpressionAttributeValues={":pk": {"S": counter_key(generation, agency, period)},
                                                    ":prefix": {"S": prefix}}, **kwargs)
        rows += [_row(item) for item in page.get("Items", [])]
        start = page.get("LastEvaluatedKey")
        if not start:
            return rows


def _row(item: dict) -> dict:
    dimension, rest = item["sk"]["S"].split("#", 1)
    value, shard = rest.rsplit("#", 1)
    counters = {k: _plain(v["N"]) for k, v in item.items() if "N" in v}
    return {"dimension": dimension, "value": value, "shard": int(shard), "counters": counters}


def _plain(raw: str) -> int | float:
    number = Decimal(raw)
    return int(number) if number == number.to_integral_value() else float(number)


def write_generation(generation: int, rows: dict[tuple[str, str], dict[str, float]],
                     applied: dict[str, Iterable[int]]) -> int:
    """A rebuild's result, written whole: every counter row and every dossier's set of counted events.
    Returns the number of items written."""
    items = [{"pk": {"S": pk}, "sk": {"S": sk}, **{name: {"N": _number(v)} for name, v in counters.items()}}
             for (pk, sk), counters in rows.items()]
    items += [{"pk": {"S": f"G{generation}#APPLIED#{dossier_id}"}, "sk": {"S": "-"},
               "seqs": {"NS": sorted({str(s) for s in seqs})}} for dossier_id, seqs in applied.items() if seqs]
    ddb = client("dynamodb")
    for i in range(0, len(items), 25):
        pending = [{"PutRequest": {"Item": item}} for item in items[i:i + 25]]
        while pending:
            result = ddb.batch_write_item(RequestItems={_table(): pending})
            pending = result.get("UnprocessedItems", {}).get(_table(), [])
    return len(items)
