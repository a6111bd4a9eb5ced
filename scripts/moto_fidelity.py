"""Make moto's DynamoDB as strict about concurrency and transactions as DynamoDB itself.

1. DynamoDB evaluates a condition and applies the write atomically, and transactions are
   serializable. moto serves requests on threads and checks conditions, then writes, without a
   lock, so two concurrent conditional writes can both succeed. The platform's guarantees (one
   dossier per idempotency key, one winner among concurrent officers) rest on DynamoDB's
   behaviour, so moto's writes go behind one lock, and so do stream reads (below).
2. moto applies a transaction's writes one by one (each appending a stream record) and, to undo them
   when the transaction is cancelled, deep-copies every table it touches before it starts. That copy
   grows with the table (most of a transaction's time once a table holds a few hundred items, so
   local throughput fell as data piled up), and putting it back detaches the live stream shard, so a
   reader's iterator would see nothing more after one lost race. Here the undo keeps what DynamoDB
   promises and nothing more: the items at the transaction's keys are saved before it runs and put
   back if it is cancelled, the tables stay the same objects, and the stream loses exactly the records
   the cancelled writes added — a cancelled transaction leaves no trace.
"""

from __future__ import annotations

import copy
import functools
import threading

_WRITES = ("put_item", "update_item", "delete_item", "batch_write_item")
_lock = threading.RLock()
_applied = False


def _locked(original):
    @functools.wraps(original)
    def locked(self, *args, **kwargs):
        with _lock:
            return original(self, *args, **kwargs)

    return locked


def _touched(backend, transact_items: list[dict]) -> list[tuple]:
    """(table, hash key, range key, a copy of the item there now or None) for each write of the transaction."""
    from moto.dynamodb.models.dynamo_type import DynamoType

    touched = []
    for entry in transact_items:
        if len(entry) != 1:
            continue  # moto rejects it before writing anything
        _, op = next(iter(entry.items()))
        table = backend.tables.get(op.get("TableName"))
        if table is None:
            continue
        source = op.get("Key") or op.get("Item") or {}
        if table.hash_key_attr not in source or (table.range_key_attr and table.range_key_attr not in source):
            continue
        hash_key = DynamoType(source[table.hash_key_attr])
        range_key = DynamoType(source[table.range_key_attr]) if table.range_key_attr else None
        current = table.get_item(hash_key, range_key)
        touched.append((table, hash_key, range_key, copy.deepcopy(current) if current is not None else None))
    return touched


def _undo(touched: list[tuple]) -> None:
    for table, hash_key, range_key, before in reversed(touched):
        if range_key is None:
            if before is None:
                table.items.pop(hash_key, None)
            else:
                table.items[hash_key] = before
        elif before is None:
            table.items.get(hash_key, {}).pop(range_key, None)
        else:
            table.items[hash_key][range_key] = before


def _transaction_undone_by_item(original):
    @functools.wraps(original)
    def transact_write_items(self, transact_items, *args, **kwargs):
        from moto.dynamodb.models.table import Table

        with _lock:
            tables = dict(self.tables)
            shards = {name: (table.stream_shard, len(table.stream_shard.items))
                      for name, table in tables.items() if getattr(table, "stream_shard", None) is not None}
            touched = _touched(self, transact_items)
            # moto's own undo deep-copies every table and, on failure, swaps the copies in; handing it the live
            # tables instead keeps what readers outside the lock can see valid at every moment (a placeholder
            # here once reached a concurrent request), and the undo below restores the touched items.
            Table.__deepcopy__ = lambda table, memo: table
            try:
                return original(self, transact_items, *args, **kwargs)
            except Exception:
                self.tables.update(tables)  # the table objects as they were before, whatever moto swapped in
                _undo(touched)
                for shard, length in shards.values():
                    del shard.items[length:]
                raise
            finally:
                del Table.__deepcopy__

    return transact_write_items


def serialise_dynamodb_writes() -> None:
    global _applied
    if _applied:
        return
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodbstreams.models import DynamoDBStreamsBackend

    for name in _WRITES:
        setattr(DynamoDBBackend, name, _locked(getattr(DynamoDBBackend, name)))
    DynamoDBBackend.transact_write_items = _transaction_undone_by_item(DynamoDBBackend.transact_write_items)
    # A reader must not see a record that a transaction still in flight may take back.
    DynamoDBStreamsBackend.get_records = _locked(DynamoDBStreamsBackend.get_records)
    _applied = True
