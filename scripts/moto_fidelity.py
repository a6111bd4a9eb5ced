"""Make moto's DynamoDB as strict about concurrency and transactions as DynamoDB itself.

1. DynamoDB evaluates a condition and applies the write atomically, and transactions are
   serializable. moto serves requests on threads and checks conditions, then writes, without a
   lock, so two concurrent conditional writes can both succeed. The platform's guarantees (one
   dossier per idempotency key, one winner among concurrent officers) rest on DynamoDB's
   behaviour, so moto's writes go behind one lock, and so do stream reads (below).
2. moto applies a transaction's writes one by one (each appending a stream record) and, when the
   transaction is cancelled, puts back deep copies of the tables taken before it. The copies carry
   copies of the stream shards, so a reader's shard iterator keeps pointing at the detached shard
   and sees nothing more: a single cancelled transaction (a lost race) would stop the local relay.
   After a cancellation the live shard is kept, minus the records the cancelled writes added, so a
   cancelled transaction leaves no trace in the stream — as in DynamoDB.
"""

from __future__ import annotations

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


def _transaction_keeping_streams(original):
    @functools.wraps(original)
    def transact_write_items(self, *args, **kwargs):
        with _lock:
            shards = {name: (table.stream_shard, len(table.stream_shard.items))
                      for name, table in self.tables.items() if getattr(table, "stream_shard", None) is not None}
            try:
                return original(self, *args, **kwargs)
            except Exception:
                for name, (shard, length) in shards.items():
                    table = self.tables.get(name)
                    if table is not None and table.stream_shard is not shard:
                        del shard.items[length:]
                        shard.table = table
                        table.stream_shard = shard
                raise

    return transact_write_items


def serialise_dynamodb_writes() -> None:
    global _applied
    if _applied:
        return
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodbstreams.models import DynamoDBStreamsBackend

    for name in _WRITES:
        setattr(DynamoDBBackend, name, _locked(getattr(DynamoDBBackend, name)))
    DynamoDBBackend.transact_write_items = _transaction_keeping_streams(DynamoDBBackend.transact_write_items)
    # A reader must not see a record that a transaction still in flight may take back.
    DynamoDBStreamsBackend.get_records = _locked(DynamoDBStreamsBackend.get_records)
    _applied = True
