"""What the stores of the platform's smaller records share: an item written with its event in one transaction (the
same outbox as a dossier's), and DynamoDB's numbers brought back as the integers they were."""

from __future__ import annotations

from decimal import Decimal

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from ..domain.errors import Conflict
from ..domain.events import Event
from .dossiers import event_model
from .models import EventModel, connection


def write_with_event(item, condition, event: Event) -> None:
    """`item` on `condition` and `event` in the events table, together or not at all (Conflict: the condition
    failed, someone changed the item since it was read)."""
    try:
        with TransactWrite(connection=connection()) as tx:
            tx.save(item, condition=condition)
            tx.save(event_model(event), condition=EventModel.dossier_id.does_not_exist())
    except TransactWriteError as error:
        raise Conflict("concurrent_update") from error


def plain(value):
    """DynamoDB numbers come back as Decimal: these records hold only whole numbers and texts."""
    if isinstance(value, Decimal):
        return int(value)
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value
