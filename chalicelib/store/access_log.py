"""The access log's table: one PutItem per recorded read; a dossier's entries and a staff member's, newest first,
a page at a time."""

from __future__ import annotations

from . import cursors
from .models import AccessLogModel, bind

STAFF_INDEX = "staff-index"
_FIELDS = ("dossier_id", "at_id", "at", "dossier_code", "staff_id", "username", "name", "title", "roles",
           "agency_code", "route", "file_id")


class AccessLogStore:
    def __init__(self) -> None:
        bind()

    def put(self, entry: dict) -> None:
        """One PutItem; the key's random part makes it a new item, so no condition is needed."""
        AccessLogModel(**{k: v for k, v in entry.items() if v is not None}).save()

    def for_dossier(self, dossier_id: str, limit: int, cursor: str | None) -> tuple[list[dict], str | None]:
        """A dossier's entries, newest first."""
        return self._page(dossier_id, "dossier_id", None, None, limit, cursor)

    def for_staff(self, staff_id: str, low: str | None, high: str | None, limit: int,
                  cursor: str | None) -> tuple[list[dict], str | None]:
        """One staff member's entries across dossiers, newest first, read from the staff index; `low` and `high`
        bound `at_id` (UTC ISO times: from `low` on, before `high`)."""
        key = AccessLogModel.at_id
        if low and high:
            condition = key.between(low, high)  # `<high>#<random>` sorts after `high`: the end stays exclusive
        elif low:
            condition = key >= low
        elif high:
            condition = key < high
        else:
            condition = None
        return self._page(staff_id, "staff_id", STAFF_INDEX, condition, limit, cursor)

    @staticmethod
    def _page(partition: str, pk_attribute: str, index: str | None, key_range, limit: int,
              cursor: str | None) -> tuple[list[dict], str | None]:
        start = cursors.decode(cursor, {pk_attribute: partition})
        items: list[dict] = []
        while True:
            page = AccessLogModel._get_connection().query(
                partition, range_key_condition=key_range, index_name=index, exclusive_start_key=start,
                limit=limit - len(items), scan_index_forward=False)
            items.extend(page.get("Items", []))
            start = page.get("LastEvaluatedKey")
            if start is None or len(items) >= limit:
                break
        next_cursor = cursors.encode(start) if len(items) >= limit else None
        return [_entry(item) for item in items], next_cursor


def _entry(item: dict) -> dict:
    model = AccessLogModel.from_raw_data(item)
    return {name: getattr(model, name) for name in _FIELDS}
