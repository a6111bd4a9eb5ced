"""Counts the AWS requests the platform makes and the DynamoDB capacity units they consume.

Works in the process that runs the local stack (scripts/local_stack.py `start`): moto's server, the
chalice local API and the event pump all live there, so one patch of botocore's
`BaseClient._make_api_call` sees every client, boto3's and PynamoDB's own botocore session alike, and
moto's in-memory tables can be read for the item sizes DynamoDB would bill.

Who made a call decides whether it counts:
- the API handler and the consumers (code run by the pump's `_invoke`): every call counts;
- the pump outside a handler plays Lambda's event source mapping. Its polls that deliver something
  count (a ReceiveMessage that returned messages, the DeleteMessageBatch/ChangeMessageVisibility that
  settle them, a GetRecords that returned records): AWS bills the SQS ones to the queue's owner.
  Polls that return nothing and the stream poller's housekeeping (DescribeStream, GetShardIterator)
  are idle polling, not the lifecycle's cost, and are left out;
- EventBridge delivering to an SQS target happens inside moto; each delivery is counted as the SQS
  SendMessage AWS bills for it;
- the benchmark's own calls (signing in, watching for the pump to drain) run inside `excluded()`;
- a scheduled handler (the deadline scan) runs on a timer, not per dossier: kept apart as `schedule`.

DynamoDB units follow DynamoDB's billing rules (docs/performance.md, "Cost of one dossier lifecycle"):
writes 1 unit per started KB of the larger of the item before and after, x2 in a transaction, plus one
write per secondary index whose projected item changes (a delete and a put when its key changes);
reads 1 unit per started 4 KB strongly consistent, half that eventually consistent, x2 in a
transaction, Query/Scan summing the evaluated items (the index's projection on an index) first.
"""

from __future__ import annotations

import contextlib
import copy
import math
import re
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

KB = 1024
READ_BLOCK = 4 * KB
# What AWS bills DynamoDB Streams reads by a Lambda trigger: nothing.
FREE = {("dynamodbstreams", "GetRecords")}
_SKIPPED_POLLER_OPERATIONS = {"DescribeStream", "GetShardIterator", "ListStreams"}


# ---------------------------------------------------------------- item sizes (DynamoDB's rules)

def _number_size(text: str) -> int:
    digits = str(Decimal(text)).lstrip("-").replace(".", "")
    digits = digits.split("E")[0].split("e")[0].strip("0") or "0"
    return math.ceil(len(digits) / 2) + 1


def value_size(value: dict[str, Any]) -> int:
    """Bytes of one attribute value in DynamoDB's wire format ({"S": ...}, {"M": {...}}, ...)."""
    (kind, inner), = value.items()
    if kind == "S":
        return len(inner.encode())
    if kind == "N":
        return _number_size(inner)
    if kind == "B":
        return len(inner) if isinstance(inner, bytes | bytearray) else len(inner.encode())
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "SS":
        return sum(len(v.encode()) for v in inner)
    if kind == "NS":
        return sum(_number_size(v) for v in inner)
    if kind == "BS":
        return sum(len(v) for v in inner)
    if kind == "L":
        return 3 + sum(1 + value_size(v) for v in inner)
    if kind == "M":
        return 3 + sum(1 + len(k.encode()) + value_size(v) for k, v in inner.items())
    raise ValueError(f"unknown DynamoDB type {kind}")


def item_size(item: dict[str, Any] | None) -> int:
    """Bytes DynamoDB bills for an item: every attribute's name plus its value."""
    if not item:
        return 0
    return sum(len(name.encode()) + value_size(value) for name, value in item.items())


def write_units(size: int) -> int:
    return max(1, math.ceil(size / KB))


# ---------------------------------------------------------------- the tables' schemas, read from moto

@dataclass(frozen=True)
class Index:
    name: str
    keys: tuple[str, ...]
    projection: str  # ALL, KEYS_ONLY or INCLUDE
    included: tuple[str, ...] = ()

    def holds(self, item: dict | None) -> bool:
        return bool(item) and all(k in item for k in self.keys)

    def project(self, item: dict, table_keys: tuple[str, ...]) -> dict:
        if self.projection == "ALL":
            return item
        wanted = set(table_keys) | set(self.keys) | (set(self.included) if self.projection == "INCLUDE" else set())
        return {k: v for k, v in item.items() if k in wanted}


@dataclass(frozen=True)
class TableSchema:
    name: str
    keys: tuple[str, ...]
    indexes: tuple[Index, ...]

    def key_of(self, item: dict) -> dict:
        return {k: item[k] for k in self.keys if k in item}


def index_write_units(schema: TableSchema, before: dict | None, after: dict | None) -> dict[str, int]:
    """Write units each secondary index costs when an item goes from `before` to `after`."""
    units = {}
    for index in schema.indexes:
        was, now = index.holds(before), index.holds(after)
        old = index.project(before, schema.keys) if was else None
        new = index.project(after, schema.keys) if now else None
        if not was and not now or old == new:
            continue
        if was and now and all(before[k] == after[k] for k in index.keys):
            cost = write_units(max(item_size(old), item_size(new)))  # updated in place
        else:
            cost = (write_units(item_size(old)) if was else 0) + (write_units(item_size(new)) if now else 0)
        units[index.name] = cost
    return units


class MotoTables:
    """Schemas and current items of the in-process moto DynamoDB backend."""

    def __init__(self) -> None:
        self._schemas: dict[str, TableSchema] = {}

    def _table(self, name: str) -> Any:
        from moto.dynamodb.models import dynamodb_backends

        for regions in list(dynamodb_backends.values()):
            for backend in list(regions.values()):
                table = backend.tables.get(name)
                if table is not None:
                    return table
        return None

    def schema(self, name: str) -> TableSchema | None:
        if name not in self._schemas:
            table = self._table(name)
            if table is None:
                return None
            keys = tuple(k for k in (table.hash_key_attr, table.range_key_attr) if k)
            indexes = tuple(Index(i.name, tuple(i.schema_key_attrs), (i.projection or {}).get("ProjectionType", "ALL"),
                                  tuple((i.projection or {}).get("NonKeyAttributes", [])))
                            for i in list(table.global_indexes) + list(table.indexes))
            self._schemas[name] = TableSchema(name, keys, indexes)
        return self._schemas[name]

    def items_mentioning(self, text: str) -> dict[str, list[dict]]:
        """Every stored item with `text` in one of its key attributes, by table (for reports of item sizes)."""
        from moto.dynamodb.models import dynamodb_backends

        found: dict[str, list[dict]] = defaultdict(list)
        for regions in list(dynamodb_backends.values()):
            for backend in list(regions.values()):
                for name, table in list(backend.tables.items()):
                    schema = self.schema(name)
                    for item in list(table.all_items()):
                        attributes = item.to_json()["Attributes"]
                        if any(text in str(attributes.get(k)) for k in schema.keys):
                            found[name].append(attributes)
        return found

    def item(self, name: str, key: dict) -> dict | None:
        """The stored item at `key` (wire format), or None."""
        from moto.dynamodb.models.dynamo_type import DynamoType

        table, schema = self._table(name), self.schema(name)
        if table is None or schema is None or any(k not in key for k in schema.keys):
            return None
        hash_key = DynamoType(key[schema.keys[0]])
        range_key = DynamoType(key[schema.keys[1]]) if len(schema.keys) > 1 else None
        for _ in range(3):  # a writer on the server thread may be changing it right now
            try:
                found = table.get_item(hash_key, range_key)
                return copy.deepcopy(found.to_json()["Attributes"]) if found is not None else None
            except RuntimeError:
                continue
        return None


# ---------------------------------------------------------------- the record

@dataclass
class Call:
    service: str
    operation: str
    origin: str  # "api", "consumer:<name>", "poller", "eventbridge", "client", "schedule:<name>"
    rcu: float = 0.0
    wcu: float = 0.0
    gsi_wcu: float = 0.0
    billed: bool = True
    error: str | None = None
    tables: str = ""  # the DynamoDB tables (and indexes) it touched
    sizes: list[tuple[str, int, int]] = field(default_factory=list)  # each write: (table, bytes before, after)


@dataclass
class Invocation:
    function: str  # "api_handler" or the consumer's name
    seconds: float


@dataclass
class Meter:
    calls: list[Call] = field(default_factory=list)
    invocations: list[Invocation] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def __post_init__(self) -> None:
        self._local = threading.local()
        self._lock = threading.Lock()
        self._tables = MotoTables()
        self._undo: list[tuple[Any, str, Any]] = []
        self.in_flight = 0  # handlers running now
        self.last_activity = time.monotonic()  # of the last counted call or handler

    # -- attribution -------------------------------------------------------------------------

    @contextlib.contextmanager
    def origin(self, name: str):
        previous = getattr(self._local, "origin", None)
        self._local.origin = name
        try:
            yield
        finally:
            self._local.origin = previous

    def excluded(self):
        """The caller's own calls (signing in, watching the pump) are not the platform's."""
        return self.origin("excluded")

    def _current_origin(self) -> str:
        origin = getattr(self._local, "origin", None)
        if origin:
            return origin
        return "poller" if threading.current_thread().name.startswith("pump-") else "unattributed"

    def reset(self) -> None:
        with self._lock:
            self.calls.clear()
            self.invocations.clear()
            self.skipped.clear()

    def add(self, call: Call) -> None:
        with self._lock:
            self.calls.append(call)
            self.last_activity = time.monotonic()

    @contextlib.contextmanager
    def _running(self):
        with self._lock:
            self.in_flight += 1
        try:
            yield
        finally:
            with self._lock:
                self.in_flight -= 1
                self.last_activity = time.monotonic()

    def client_request(self, service: str, operation: str) -> None:
        """A request a browser or app sends straight to AWS (a presigned S3 POST): billed to the platform."""
        self.add(Call(service, operation, "client"))

    # -- patches -----------------------------------------------------------------------------

    def install(self) -> Meter:
        from botocore.client import BaseClient
        from chalice.local import LocalGateway
        from moto.events.models import Rule

        from scripts.event_pump import EventPump

        meter = self
        make_api_call = BaseClient._make_api_call
        invoke = EventPump._invoke
        handle_request = LocalGateway.handle_request
        send_to_sqs = Rule._send_to_sqs_queue

        def metered_call(client, operation_name, api_params):
            return meter._metered(make_api_call, client, operation_name, api_params)

        def metered_invoke(pump, source, event):
            kind = "schedule" if type(source).__name__ == "ScheduledEventConfig" else "consumer"
            started = time.perf_counter()
            try:
                with meter._running(), meter.origin(f"{kind}:{source.name}"):
                    return invoke(pump, source, event)
            finally:
                if kind == "consumer":
                    meter._invocation(source.name, time.perf_counter() - started)

        def metered_request(gateway, *args, **kwargs):
            started = time.perf_counter()
            try:
                with meter._running(), meter.origin("api"):
                    return handle_request(gateway, *args, **kwargs)
            finally:
                meter._invocation("api_handler", time.perf_counter() - started)

        def metered_delivery(rule, *args, **kwargs):
            meter.add(Call("sqs", "SendMessage", "eventbridge"))
            return send_to_sqs(rule, *args, **kwargs)

        for owner, name, replacement in ((BaseClient, "_make_api_call", metered_call),
                                         (EventPump, "_invoke", metered_invoke),
                                         (LocalGateway, "handle_request", metered_request),
                                         (Rule, "_send_to_sqs_queue", metered_delivery)):
            self._undo.append((owner, name, getattr(owner, name)))
            setattr(owner, name, replacement)
        return self

    def uninstall(self) -> None:
        while self._undo:
            owner, name, original = self._undo.pop()
            setattr(owner, name, original)

    def _invocation(self, function: str, seconds: float) -> None:
        if getattr(self._local, "origin", None) == "excluded":
            return
        with self._lock:
            self.invocations.append(Invocation(function, seconds))

    # -- one call ----------------------------------------------------------------------------

    def _metered(self, original, client, operation: str, params: dict) -> Any:
        origin = self._current_origin()
        if origin == "excluded":
            return original(client, operation, params)
        service = client.meta.service_model.service_name
        if origin == "poller" and operation in _SKIPPED_POLLER_OPERATIONS:
            self.skipped[f"{service}.{operation}"] += 1
            return original(client, operation, params)
        call = Call(service, operation, origin, billed=(service, operation) not in FREE,
                    tables=_tables_of(params) if service == "dynamodb" else "")
        before = self._before(operation, params) if service == "dynamodb" else None
        try:
            response = original(client, operation, params)
        except Exception as error:  # noqa: BLE001 - recorded, then raised as it was
            call.error = type(error).__name__
            if service == "dynamodb":
                self._charge_failed_write(call, operation, params, before)
            self.add(call)
            raise
        if origin == "poller" and not (response.get("Messages") or response.get("Records")) \
                and operation in ("ReceiveMessage", "GetRecords"):
            self.skipped[f"{service}.{operation} (empty)"] += 1
            return response
        if service == "dynamodb":
            with self.excluded():
                self._charge(call, client, original, operation, params, response, before)
        self.add(call)
        return response

    # -- DynamoDB capacity -------------------------------------------------------------------

    def _writes(self, operation: str, params: dict) -> list[tuple[str, str, dict]]:
        """(table, kind, key) of each item a write touches; kind is put/update/delete/check."""
        def key_of(table: str, item: dict) -> dict:
            schema = self._tables.schema(table)
            return schema.key_of(item) if schema else {}

        if operation == "PutItem":
            return [(params["TableName"], "put", key_of(params["TableName"], params["Item"]))]
        if operation == "UpdateItem":
            return [(params["TableName"], "update", params["Key"])]
        if operation == "DeleteItem":
            return [(params["TableName"], "delete", params["Key"])]
        if operation == "BatchWriteItem":
            return [(table, "put", key_of(table, r["PutRequest"]["Item"])) if "PutRequest" in r
                    else (table, "delete", r["DeleteRequest"]["Key"])
                    for table, requests in params["RequestItems"].items() for r in requests]
        if operation == "TransactWriteItems":
            kinds = {"Put": "put", "Update": "update", "Delete": "delete", "ConditionCheck": "check"}
            found = []
            for entry in params["TransactItems"]:
                (name, body), = entry.items()
                key = body.get("Key") or key_of(body["TableName"], body.get("Item", {}))
                found.append((body["TableName"], kinds[name], key))
            return found
        return []

    def _before(self, operation: str, params: dict) -> list[tuple[str, str, dict, dict | None]]:
        return [(table, kind, key, self._tables.item(table, key))
                for table, kind, key in self._writes(operation, params)]

    def _charge_failed_write(self, call: Call, operation: str, params: dict, before) -> None:
        """A refused condition still costs the write units of the item it was checked against."""
        factor = 2 if operation == "TransactWriteItems" else 1
        for _table, _kind, _key, item in before or []:
            call.wcu += factor * write_units(item_size(item))

    def _charge(self, call: Call, client, original, operation: str, params: dict, response: dict, before) -> None:
        if before:
            factor = 2 if operation == "TransactWriteItems" else 1
            for table, kind, key, old in before:
                schema = self._tables.schema(table)
                if kind == "check":
                    call.wcu += factor * write_units(item_size(old))
                    continue
                new = None if kind == "delete" else self._tables.item(table, key)
                call.sizes.append((table, item_size(old), item_size(new)))
                call.wcu += factor * write_units(max(item_size(old), item_size(new)))
                if schema is not None:
                    call.gsi_wcu += sum(index_write_units(schema, old, new).values())
            call.wcu += call.gsi_wcu
            return
        if operation == "GetItem":
            call.rcu = _read_units([self._tables.item(params["TableName"], params["Key"])],
                                   params.get("ConsistentRead", False), each=True)
        elif operation == "BatchGetItem":
            for table, request in params["RequestItems"].items():
                items = [self._tables.item(table, key) for key in request["Keys"]]
                call.rcu += _read_units(items, request.get("ConsistentRead", False), each=True)
        elif operation == "TransactGetItems":
            for entry in params["TransactItems"]:
                body = entry["Get"]
                call.rcu += 2 * _read_units([self._tables.item(body["TableName"], body["Key"])], True, each=True)
        elif operation in ("Query", "Scan"):
            evaluated = response.get("Items")
            if evaluated is None or any(k in params for k in ("FilterExpression", "ProjectionExpression", "Select")):
                evaluated = original(client, operation, _unfiltered(params)).get("Items", [])
            call.rcu = _read_units(evaluated, params.get("ConsistentRead", False), each=False)

    # -- summaries ---------------------------------------------------------------------------

    def counted(self) -> list[Call]:
        return [c for c in self.calls if not c.origin.startswith(("schedule:", "unattributed"))]


def _tables_of(params: dict) -> str:
    names = [params["TableName"]] if "TableName" in params else list(params.get("RequestItems") or {})
    for entry in params.get("TransactItems") or []:
        names += [body["TableName"] for body in entry.values()]
    index = f"/{params['IndexName']}" if "IndexName" in params else ""
    return ",".join(dict.fromkeys(names)) + index


def _read_units(items: list[dict | None], consistent: bool, each: bool) -> float:
    rate = 1.0 if consistent else 0.5
    if each:
        return sum(rate * max(1, math.ceil(item_size(i) / READ_BLOCK)) for i in items)
    return rate * max(1, math.ceil(sum(item_size(i) for i in items) / READ_BLOCK))


def _unfiltered(params: dict) -> dict:
    """The same Query/Scan page without filter or projection: the items DynamoDB reads (and bills) for it."""
    kept = {k: v for k, v in params.items()
            if k not in ("FilterExpression", "ProjectionExpression", "Select", "AttributesToGet",
                         "ExpressionAttributeNames", "ExpressionAttributeValues", "ReturnConsumedCapacity")}
    used = set(re.findall(r"[#:][A-Za-z0-9_]+", params.get("KeyConditionExpression", "")))
    names = {k: v for k, v in (params.get("ExpressionAttributeNames") or {}).items() if k in used}
    values = {k: v for k, v in (params.get("ExpressionAttributeValues") or {}).items() if k in used}
    if names:
        kept["ExpressionAttributeNames"] = names
    if values:
        kept["ExpressionAttributeValues"] = values
    return kept
