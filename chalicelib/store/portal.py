"""What the national portal link keeps in the control table (docs/national-portal.md, docs/data-model.md).

- `PORTALSIG#<sha256 of a signature>`: an inbound signature already accepted, for 10 minutes (replays refused);
  the table's TTL removes it.
- `PORTALSYNC#<dossier id>`: the dossier's sync state — the version the portal acknowledged (record and progress
  entries apart, since they are two calls), the portal's status, whether the portal knows the dossier, attempts,
  the last error, and a short lease so that only one delivery pushes a dossier at a time.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from ..settings import get_settings
from .aws import client

SIGNATURE_MEMORY_SECONDS = 600
_SYNC = "PORTALSYNC#"


class LeaseHeld(Exception):
    """Another delivery is pushing this dossier now: retry later (the queue does)."""

    retry_later = True  # expected when a dossier's events come in a burst: not an error to alarm on


@dataclass(frozen=True)
class SyncState:
    dossier_id: str
    record_version: int = 0  # the dossier version whose record the portal acknowledged
    progress_version: int = 0  # the last event whose progress entry the portal acknowledged
    created: bool = False  # the portal knows the dossier (a create was acknowledged)
    portal_code: str | None = None
    portal_status: int | None = None
    attempts: int = 0  # failed pushes since the last success
    last_error: str | None = None
    last_attempt_at: str | None = None
    synced_at: str | None = None
    first_synced_at: str | None = None
    agency_code: str | None = None
    procedure_code: str | None = None
    submitted_day: str | None = None  # local day of submission: the day the "synced" fact belongs to

    def to_dict(self) -> dict:
        return {"portal_code": self.portal_code, "record_version": self.record_version,
                "progress_version": self.progress_version, "portal_status": self.portal_status,
                "attempts": self.attempts, "last_error": self.last_error, "last_attempt_at": self.last_attempt_at,
                "synced_at": self.synced_at, "first_synced_at": self.first_synced_at}


def _table() -> str:
    return get_settings().control_table


def remember_signature(signature: str, now: float) -> bool:
    """True the first time `signature` is seen within the memory window, False for a replay."""
    ddb = client("dynamodb")
    key = "PORTALSIG#" + hashlib.sha256(signature.encode()).hexdigest()
    try:
        ddb.put_item(TableName=_table(),
                     Item={"pk": {"S": key}, "kind": {"S": "portal_signature"},
                           "expires_at": {"N": str(int(now) + SIGNATURE_MEMORY_SECONDS)}},
                     # TTL deletes lazily: an item past its time no longer counts.
                     ConditionExpression="attribute_not_exists(pk) OR expires_at < :now",
                     ExpressionAttributeValues={":now": {"N": str(int(now))}})
    except ddb.exceptions.ConditionalCheckFailedException:
        return False
    return True


def _state(item: dict | None, dossier_id: str) -> SyncState | None:
    if not item:
        return None

    def text(name: str) -> str | None:
        return item[name]["S"] if name in item else None

    def number(name: str, default: int | None = 0) -> int | None:
        return int(item[name]["N"]) if name in item else default

    return SyncState(dossier_id=dossier_id, record_version=number("record_version"),
                     progress_version=number("progress_version"), created=item.get("created", {}).get("BOOL", False),
                     portal_code=text("portal_code"), portal_status=number("portal_status", None),
                     attempts=number("attempts"), last_error=text("last_error"),
                     last_attempt_at=text("last_attempt_at"), synced_at=text("synced_at"),
                     first_synced_at=text("first_synced_at"), agency_code=text("agency_code"),
                     procedure_code=text("procedure_code"), submitted_day=text("submitted_day"))


def get_state(dossier_id: str) -> SyncState | None:
    item = client("dynamodb").get_item(TableName=_table(), Key={"pk": {"S": _SYNC + dossier_id}},
                                       ConsistentRead=True).get("Item")
    return _state(item, dossier_id)


def get_states(dossier_ids: list[str]) -> dict[str, SyncState]:
    """Sync states by dossier id (dossiers never pushed are absent), in batches of 100."""
    ddb, found = client("dynamodb"), {}
    ids = sorted(set(dossier_ids))
    for start in range(0, len(ids), 100):
        pending = {_table(): {"Keys": [{"pk": {"S": _SYNC + d}} for d in ids[start:start + 100]]}}
        while pending:
            page = ddb.batch_get_item(RequestItems=pending)
            for item in page["Responses"].get(_table(), []):
                dossier_id = item["pk"]["S"].removeprefix(_SYNC)
                found[dossier_id] = _state(item, dossier_id)
            pending = page.get("UnprocessedKeys") or None
    return found


def take_lease(dossier_id: str, now: float, seconds: int) -> SyncState:
    """Hold the dossier's push for `seconds` (one write, which also returns the state as it was)."""
    ddb = client("dynamodb")
    try:
        old = ddb.update_item(
            TableName=_table(), Key={"pk": {"S": _SYNC + dossier_id}},
            UpdateExpression="SET lease_until = :until, kind = :kind, #ref = :id",
            ConditionExpression="attribute_not_exists(lease_until) OR lease_until < :now",
            ExpressionAttributeNames={"#ref": "ref"},
            ExpressionAttributeValues={":until": {"N": str(int(now) + seconds)}, ":now": {"N": str(int(now))},
                                       ":kind": {"S": "portal_sync"}, ":id": {"S": dossier_id}},
            ReturnValues="ALL_OLD").get("Attributes")
    except ddb.exceptions.ConditionalCheckFailedException:
        raise LeaseHeld(dossier_id) from None
    return _state(old, dossier_id) or SyncState(dossier_id=dossier_id)


def finish(dossier_id: str, fields: dict, at: datetime, error: str | None = None) -> None:
    """Record the push's outcome and release the lease: `fields` (attribute -> python value) on success or
    for what did go through; with `error`, the failure counts as an attempt."""
    from ..domain.times import iso

    names, values, sets = {}, {":at": {"S": iso(at)}}, ["last_attempt_at = :at"]
    for i, (name, value) in enumerate(sorted(fields.items())):
        names[f"#f{i}"] = name
        values[f":f{i}"] = _wire(value)
        sets.append(f"#f{i} = :f{i}")
    if error is None:
        values[":zero"] = {"N": "0"}
        update = "SET " + ", ".join([*sets, "attempts = :zero"]) + " REMOVE lease_until, last_error"
    else:
        values[":error"], values[":one"] = {"S": error[:1000]}, {"N": "1"}
        update = "SET " + ", ".join([*sets, "last_error = :error"]) + " ADD attempts :one REMOVE lease_until"
    kwargs = {"ExpressionAttributeNames": names} if names else {}
    client("dynamodb").update_item(TableName=_table(), Key={"pk": {"S": _SYNC + dossier_id}},
                                   UpdateExpression=update, ExpressionAttributeValues=values, **kwargs)


def _wire(value) -> dict:
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, int):
        return {"N": str(value)}
    if value is None:
        return {"NULL": True}
    return {"S": str(value)}


def all_states() -> list[SyncState]:
    """Every dossier's sync state: an operator's listing (a scan of the sync items, never a request path)."""
    ddb, states, start = client("dynamodb"), [], None
    while True:
        kwargs = {"ExclusiveStartKey": start} if start else {}
        page = ddb.scan(TableName=_table(), FilterExpression="kind = :kind",
                        ExpressionAttributeValues={":kind": {"S": "portal_sync"}}, **kwargs)
        states += [_state(item, item["pk"]["S"].removeprefix(_SYNC)) for item in page.get("Items", [])]
        start = page.get("LastEvaluatedKey")
        if not start:
            return states


def changed_dossiers(since: datetime, until: datetime) -> set[str]:
    """Ids of the dossiers with an event between `since` and `until` (the events' day index, every shard of
    every UTC day in between: the number of queries depends on the window, not on the number of dossiers)."""
    from datetime import timedelta

    from ..domain.times import iso
    from .models import day_partitions

    ddb, found = client("dynamodb"), set()
    low, high = iso(since), iso(until)
    day = since.date()
    while day <= until.date():
        for partition in day_partitions(day.isoformat()):
            start = None
            while True:
                kwargs = {"ExclusiveStartKey": start} if start else {}
                page = ddb.query(TableName=get_settings().events_table, IndexName="day-index",
                                 KeyConditionExpression="#day = :day AND #at BETWEEN :low AND :high",
                                 ExpressionAttributeNames={"#day": "day", "#at": "at"},
                                 ExpressionAttributeValues={":day": {"S": partition}, ":low": {"S": low},
                                                            ":high": {"S": high}},
                                 ProjectionExpression="dossier_id", **kwargs)
                found |= {item["dossier_id"]["S"] for item in page.get("Items", [])}
                start = page.get("LastEvaluatedKey")
                if not start:
                    break
        day += timedelta(days=1)
    return found
