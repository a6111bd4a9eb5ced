"""What the stores of the platform's smaller records share: an item written with its event in one transaction (the
same outbox as a dossier's), a record kept as one item and moved over its version, and DynamoDB's numbers brought back
as the integers they were."""

from __future__ import annotations

from decimal import Decimal

from pynamodb.exceptions import DoesNotExist, TransactWriteError
from pynamodb.transactions import TransactWrite

from ..domain.errors import Conflict
from ..domain.events import Event
from .dossiers import event_model
from .models import EventModel, bind, connection


def write_with_event(item, condition, event: Event) -> None:
    """`item` on `condition` and `event` in the events table, together or not at all (Conflict: the condition
    failed, someone changed the item since it was read)."""
    try:
        with TransactWrite(connection=connection()) as tx:
            tx.save(item, condition=condition)
            tx.save(event_model(event), condition=EventModel.dossier_id.does_not_exist())
    except TransactWriteError as error:
        raise Conflict("concurrent_update") from error


class VersionedItems:
    """A record kept as one item under its key, created once and then moved only over the version it was read at,
    each write with its event (feedback items, desk queue tickets). A subclass names its model and the record's
    conversions."""

    model: type  # the PynamoDB model, with a `version` attribute
    key: str  # the name of the model's hash key
    to_model: staticmethod
    from_model: staticmethod

    def __init__(self) -> None:
        bind()

    def get(self, key: str):
        if not key or len(key) > 64:
            return None
        try:
            return self.from_model(self.model.get(key, consistent_read=True))
        except DoesNotExist:
            return None

    def create(self, record, event: Event) -> None:
        write_with_event(self.to_model(record), getattr(self.model, self.key).does_not_exist(), event)

    def save(self, record, read_version: int, event: Event) -> None:
        """The changed record and its event, only over the version it was read at (Conflict otherwise)."""
        write_with_event(self.to_model(record), self.model.version == read_version, event)


def plain(value):
    """DynamoDB numbers come back as Decimal: these records hold only whole numbers and texts."""
    if isinstance(value, Decimal):
        return int(value)
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value
