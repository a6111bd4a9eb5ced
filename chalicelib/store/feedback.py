"""Feedback items in DynamoDB (FeedbackTable, docs/feedback.md) and their events in the events table.

An item and the event of its change are written in one transaction, on the condition that the item is still at the
version it was read at: the same outbox as a dossier's, so the event reaches the bus exactly when the change lands.
The item's sparse index keys say where it is listed: with the agency while a step is due from it (`queue_agency`,
`watch_shard`, `due_on`), on the public list once published, under its owner when filed signed in.
"""

from __future__ import annotations

import dataclasses
import hashlib

from ..domain.feedback import Feedback, FeedbackKind, FeedbackStatus, next_check
from .aggregates import VersionedItems, plain
from .cursors import decode, encode
from .models import FeedbackModel

WATCH_SHARDS = 4
_COLUMNS = {"code", "agency_code", "status", "kind", "title", "filed_at", "version", "procedure_code", "dossier_code",
            "late_steps", "owner_id", "public"}


def watch_shard(code: str) -> str:
    return f"watch#{int(hashlib.sha256(code.encode()).hexdigest(), 16) % WATCH_SHARDS}"


def to_model(item: Feedback) -> FeedbackModel:
    data = dataclasses.asdict(item)
    doc = {k: list(v) if isinstance(v, tuple) else v for k, v in data.items()
           if k not in _COLUMNS and v not in (None, "", (), [], {})}
    due, check = item.due(), next_check(item)
    published = item.status is FeedbackStatus.PUBLISHED
    return FeedbackModel(
        item.code, agency_code=item.agency_code, status=item.status.value, kind=item.kind.value, title=item.title,
        filed_at=item.filed_at, version=item.version, procedure_code=item.procedure_code or None,
        dossier_code=item.dossier_code or None, late_steps=list(item.late_steps) or None,
        overdue_steps=list(item.overdue_steps) or None, owner_id=item.owner_id or None,
        queue_agency=item.agency_code if due else None, due_on=due,
        watch_shard=watch_shard(item.code) if check else None, check_on=check,
        public_agency=item.agency_code if published else None,
        published_at=item.public.get("published_at") if published else None, public=item.public or None, doc=doc)


def from_model(model: FeedbackModel) -> Feedback:
    doc = plain(model.doc.as_dict() if hasattr(model.doc, "as_dict") else dict(model.doc))
    doc["info_requests"] = tuple(doc.get("info_requests") or ())
    return Feedback(code=model.code, agency_code=model.agency_code, status=FeedbackStatus(model.status),
                    kind=FeedbackKind(model.kind), title=model.title, filed_at=model.filed_at,
                    version=int(model.version), procedure_code=model.procedure_code or "",
                    dossier_code=model.dossier_code or "", late_steps=tuple(model.late_steps or ()),
                    owner_id=model.owner_id or "",
                    public=plain(model.public.as_dict()) if model.public else {}, **doc)


class FeedbackStore(VersionedItems):
    model, key = FeedbackModel, "code"
    to_model, from_model = staticmethod(to_model), staticmethod(from_model)

    def queue(self, agency_code: str, limit: int, cursor: str | None) -> tuple[list[dict], str | None]:
        """The agency's items with a step due, soonest first: the queue's columns only (one query)."""
        return self._page(FeedbackModel.queue_index, "queue_agency", agency_code, limit, cursor, forward=True)

    def published(self, agency_code: str, limit: int, cursor: str | None) -> tuple[list[dict], str | None]:
        return self._page(FeedbackModel.public_index, "public_agency", agency_code, limit, cursor, forward=False)

    def of_owner(self, owner_id: str, limit: int, cursor: str | None) -> tuple[list[dict], str | None]:
        return self._page(FeedbackModel.owner_index, "owner_id", owner_id, limit, cursor, forward=False)

    @staticmethod
    def _page(index, key: str, partition: str, limit: int, cursor: str | None,
              forward: bool) -> tuple[list[dict], str | None]:
        """One page of an index's partition; a cursor from another list is refused (BadCursor)."""
        result = index.query(partition, scan_index_forward=forward, limit=limit,
                             last_evaluated_key=decode(cursor, {key: partition}))
        rows = [_row(m) for m in result]
        return rows, encode(result.last_evaluated_key)

    def due_before(self, day: str, limit: int = 200) -> list[str]:
        """Codes of items with a limit that ended before `day` (ISO date) and is not flagged yet (the check)."""
        found: list[str] = []
        for shard in range(WATCH_SHARDS):
            found += [m.code for m in FeedbackModel.watch_index.query(f"watch#{shard}", FeedbackModel.check_on < day,
                                                                        limit=limit)]
        return found


def _row(model: FeedbackModel) -> dict:
    row = {"code": model.code}
    for name in ("agency_code", "status", "kind", "title", "filed_at", "procedure_code", "dossier_code", "due_on",
                 "published_at"):
        value = getattr(model, name, None)
        if value:
            row[name] = value
    for name in ("late_steps", "overdue_steps"):
        row[name] = list(getattr(model, name, None) or [])
    if getattr(model, "public", None):
        row["public"] = plain(model.public.as_dict())
    return row
