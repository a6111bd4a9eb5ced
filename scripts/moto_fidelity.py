"""Make moto's DynamoDB as strict about concurrency as DynamoDB itself.

DynamoDB evaluates a condition and applies the write atomically, and transactions are
serializable. moto serves requests on threads and checks conditions, then writes, without a
lock, so two concurrent conditional writes can both succeed. The platform's guarantees
(one dossier per idempotency key, one winner among concurrent officers) rest on DynamoDB's
behaviour, so the local stack and the tests put moto's writes behind one lock.
"""

from __future__ import annotations

import functools
import threading

_WRITES = ("put_item", "update_item", "delete_item", "transact_write_items", "batch_write_item")
_lock = threading.RLock()
_applied = False


def serialise_dynamodb_writes() -> None:
    global _applied
    if _applied:
        return
    from moto.dynamodb.models import DynamoDBBackend

    for name in _WRITES:
        original = getattr(DynamoDBBackend, name)

        @functools.wraps(original)
        def locked(self, *args, __original=original, **kwargs):
            with _lock:
                return __original(self, *args, **kwargs)

        setattr(DynamoDBBackend, name, locked)
    _applied = True
