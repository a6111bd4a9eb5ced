"""Dossiers and their events, written together in one DynamoDB transaction (transactional outbox)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date

from botocore.exceptions import ClientError
from pynamodb.exceptions import DoesNotExist, TransactWriteError
from pynamodb.transactions import TransactWrite

from ..domain.dossier import Dossier
from ..domain.errors import Conflict
from ..domain.events import Event
from ..domain.search import Condition as SearchCondition
from ..domain.search import Plan, applicant_id_number, applicant_name, name_key
from ..domain.states import STATUSES
from ..domain.submission import UPLOAD_VERIFIED
from . import cursors
from .models import DOSSIER_INDEX as _DOSSIER_INDEX
from .models import ControlModel, DossierModel, EventModel, bind, connection, day_key
from .packing import pack_doc, unpack_doc

ATTACHED = "attached"
# Items one search request may read from an index before it answers with what it found and a cursor.
SEARCH_READ_BUDGET = 500


def _page_size(needed: int, filtered: bool) -> int:
    """Read exactly what is needed when the key range alone decides; read ahead when a filter may drop items."""
    return max(needed * 2, 50) if filtered else needed


def _condition(condition: SearchCondition):
    attribute = getattr(DossierModel, condition.attribute)
    if condition.op == "eq":
        return attribute == condition.values[0]
    if condition.op == "between":
        return attribute.between(*condition.values)
    if condition.op == "le":
        return attribute <= condition.values[0]
    if condition.op == "ge":
        return attribute >= condition.values[0]
    if condition.op == "begins_with":
        return attribute.startswith(condition.values[0])
    raise ValueError(condition.op)


# BatchGetItem takes at most 100 keys; keys it leaves unprocessed (throttling) are asked again after
# a growing pause, and a read still incomplete after that fails as throttled (503, Retry-After).
BATCH_GET_KEYS = 100
BATCH_GET_RETRIES = 6


def read_items(ids: list[str]) -> dict[str, dict]:
    """The dossiers with these ids, as raw items by id (ids without a dossier are absent): a list page's
    full items in one BatchGetItem per 100 ids. Eventually consistent, as the index the ids came from."""
    table = DossierModel._get_connection()
    found: dict[str, dict] = {}
    unique = list(dict.fromkeys(ids))
    for first in range(0, len(unique), BATCH_GET_KEYS):
        pending = unique[first:first + BATCH_GET_KEYS]
        for attempt in range(BATCH_GET_RETRIES + 1):
            response = table.batch_get_item([{"id": dossier_id} for dossier_id in pending])
            for item in response.get("Responses", {}).get(table.table_name, []):
                found[item["id"]["S"]] = item
            unprocessed = response.get("UnprocessedKeys", {}).get(table.table_name, {}).get("Keys", [])
            pending = [key["id"]["S"] for key in unprocessed]
            if not pending:
                break
            if attempt == BATCH_GET_RETRIES:
                raise ClientError({"Error": {"Code": "ProvisionedThroughputExceededException",
                                             "Message": f"{len(pending)} keys left unprocessed"}}, "BatchGetItem")
            time.sleep(min(0.05 * 2 ** attempt, 1.0))
    return found


class IdempotentReplay(Exception):
    """The idempotency key was claimed by an earlier (or concurrent) request."""

    def __init__(self, dossier_id: str, request_hash: str) -> None:
        super().__init__(dossier_id)
        self.dossier_id = dossier_id
        self.request_hash = request_hash


@dataclass(frozen=True)
class IdempotencyClaim:
    owner_id: str
    key: str
    request_hash: str

    @property
    def pk(self) -> str:
        return f"IDEM#{self.owner_id}#{self.key}"


def _to_model(dossier: Dossier) -> DossierModel:
    doc = dossier.to_dict()
    is_open = dossier.due_date is not None and STATUSES[dossier.status].clock in ("running", "paused")
    # The agency's lists are those of the agency holding the dossier: a dossier taken in at another agency's desk is
    # in that desk's queue until it forwards it, then in the competent agency's.
    agency = dossier.holding_agency
    id_number = applicant_id_number(dossier.applicant)
    username = (dossier.assignee or {}).get("username")
    return DossierModel(
        id=dossier.id, code=dossier.code, owner_id=dossier.owner_id, agency_code=agency,
        agency_status=f"{agency}#{dossier.status.value}", status=dossier.status.value,
        submitted_at=doc["submitted_at"], version=dossier.version, doc_z=pack_doc(doc),
        agency_open=agency if is_open else None, due_date=doc["due_date"] if is_open else None,
        procedure_code=dossier.procedure_code, agency_procedure=f"{agency}#{dossier.procedure_code}",
        agency_unit=f"{agency}#{dossier.unit}" if dossier.unit else None,
        assignee_key=f"{agency}#{username}" if username else None,
        received_at=doc["received_at"],
        # The id keeps keys unique and orders namesakes by submission.
        applicant_key=f"{name_key(applicant_name(dossier.applicant))}#{dossier.id}",
        applicant_id=id_number, agency_identity=f"{agency}#{id_number}" if id_number else None,
        partner_agency=dossier.partner_agency)


def _from_model(model: DossierModel) -> Dossier:
    return Dossier.from_dict(unpack_doc(model.doc_z) if model.doc_z else model.doc.as_dict())


def event_model(event: Event) -> EventModel:
    data = event.to_dict()
    return EventModel(dossier_id=event.dossier_id, seq=event.seq, event_id=event.id, type=event.type,
                      at=data["at"], day=day_key(data["at"], event.dossier_id), actor=event.actor,
                      payload=event.payload, schema_version=event.schema_version, correlation_id=event.correlation_id)


def _attach_uploads(tx: TransactWrite, upload_ids: list[str], owner_id: str, dossier_id: str,
                    updates: dict[str, dict] | None = None) -> None:
    for upload_id in upload_ids:
        changes = [ControlModel.doc[k].set(v) for k, v in ((updates or {}).get(upload_id) or {}).items()
                   if v is not None]
        tx.update(ControlModel(pk=f"UPLOAD#{upload_id}"),
                  actions=[ControlModel.ref.set(dossier_id), ControlModel.status.set(ATTACHED), *changes],
                  condition=(ControlModel.status == UPLOAD_VERIFIED) & (ControlModel.owner_id == owner_id)
                  & ControlModel.ref.does_not_exist())


def _cancellation_codes(error: TransactWriteError) -> list[str | None]:
    reasons = getattr(error, "cancellation_reasons", None) or []
    return [getattr(r, "code", None) if r is not None else None for r in reasons]


class DossierStore:
    def __init__(self) -> None:
        bind()

    def create(self, dossier: Dossier, event: Event, claim: IdempotencyClaim | None,
               upload_ids: list[str], upload_owner: str | None = None, extra_items: list = ()) -> None:
        """Dossier, first event, idempotency key and upload attachments: all or nothing. The uploads are the
        applicant's, or `upload_owner`'s (the desk officer who scanned a walk-in applicant's papers); `extra_items`
        are written with them, unconditioned (the papers the submission puts in the applicant's store)."""
        try:
            with TransactWrite(connection=connection()) as tx:
                tx.save(_to_model(dossier), condition=DossierModel.id.does_not_exist())
                tx.save(event_model(event), condition=EventModel.dossier_id.does_not_exist())
                if claim:
                    tx.save(ControlModel(pk=claim.pk, kind="idempotency", owner_id=claim.owner_id,
                                         ref=dossier.id, request_hash=claim.request_hash,
                                         created_at=event.to_dict()["at"]),
                            condition=ControlModel.pk.does_not_exist())
                _attach_uploads(tx, upload_ids, upload_owner or dossier.owner_id, dossier.id)
                for item in extra_items:
                    tx.save(item)
        except TransactWriteError as error:
            codes = _cancellation_codes(error)
            if claim and len(codes) > 2 and codes[2] == "ConditionalCheckFailed":
                existing = self.find_claim(claim)
                if existing:
                    raise IdempotentReplay(existing.ref, existing.request_hash) from error
            raise Conflict("concurrent_update") from error

    def apply(self, expected_version: int, dossier: Dossier, event: Event, upload_ids: list[str] = (),
              upload_owner: str | None = None, upload_updates: dict[str, dict] | None = None,
              extra_items: list = ()) -> None:
        """Write a transition if nobody changed the dossier since `expected_version` was read.
        Uploads are the applicant's unless `upload_owner` says otherwise (an officer's result files);
        `upload_updates` change attached uploads' records, `extra_items` are items written with it (a model, or a
        model and the condition it is written on)."""
        try:
            with TransactWrite(connection=connection()) as tx:
                tx.save(_to_model(dossier), condition=DossierModel.version == expected_version)
                tx.save(event_model(event), condition=EventModel.dossier_id.does_not_exist())
                _attach_uploads(tx, list(upload_ids), upload_owner or dossier.owner_id, dossier.id, upload_updates)
                for item in extra_items:
                    if isinstance(item, tuple):
                        tx.save(item[0], condition=item[1])
                    else:
                        tx.save(item)
        except TransactWriteError as error:
            raise Conflict("concurrent_update") from error

    def find_claim(self, claim: IdempotencyClaim) -> ControlModel | None:
        try:
            return ControlModel.get(claim.pk, consistent_read=True)
        except DoesNotExist:
            return None

    def get(self, dossier_id: str) -> Dossier | None:
        try:
            return _from_model(DossierModel.get(dossier_id, consistent_read=True))
        except DoesNotExist:
            return None

    def get_many(self, dossier_ids: list[str]) -> dict[str, Dossier]:
        """Dossiers by id, read in batches (ids not found are absent)."""
        items = read_items(list(dict.fromkeys(dossier_ids)))
        return {i: _from_model(DossierModel.from_raw_data(item)) for i, item in items.items() if item is not None}

    def find_by_code(self, code: str, within: tuple[SearchCondition, ...] = ()) -> Dossier | None:
        """The dossier with this national code, or None. The code index projects keys only: it gives the
        id, then the item is read by its key. `within` (a search plan's filters) keeps the answer to the
        caller's scope: the item is then read with a Query on its key and those filters, so a dossier
        outside them never leaves DynamoDB."""
        # Codes are unique (a daily counter per agency); one index item is all there can be.
        page = DossierModel._get_connection().query(code, index_name=DossierModel.code_index.Meta.index_name,
                                                    limit=1)
        items = page.get("Items", [])
        if not items:
            return None
        dossier_id = items[0]["id"]["S"]
        if not within:
            return self.get(dossier_id)
        filters = None
        for condition in within:
            filters = _condition(condition) if filters is None else filters & _condition(condition)
        found = DossierModel.query(dossier_id, filter_condition=filters, consistent_read=True)
        return next((_from_model(model) for model in found), None)

    def list_by_owner(self, owner_id: str, limit: int, cursor: str | None) -> tuple[list[Dossier], str | None]:
        """A citizen's dossiers, newest first."""
        return self._list("owner-index", owner_id, None, limit, cursor, newest_first=True)

    def open_due_by(self, agency_code: str, last_day: date, limit: int | None = None,
                    cursor: str | None = None) -> tuple[list[Dossier], str | None]:
        """Open dossiers of an agency due on or before `last_day`, earliest first: one index range."""
        return self._list("agency-due-index", agency_code, DossierModel.due_date <= last_day.isoformat(), limit,
                          cursor, newest_first=False)

    def _list(self, index: str, partition: str, key_range, limit: int | None, cursor: str | None,
              newest_first: bool) -> tuple[list[Dossier], str | None]:
        """One key range of an index, `limit` entries from `cursor` on (all of it without a limit), as
        dossiers in index order; the cursor is the index's own key to resume from, as before projections
        were cut to keys: the index gives the page's ids, one BatchGetItem the dossiers."""
        pk_attribute = _DOSSIER_INDEX[index].hash_key
        start = cursors.decode(cursor, {pk_attribute: partition})
        entries: list[dict] = []
        while True:
            page = DossierModel._get_connection().query(
                partition, range_key_condition=key_range, index_name=index, exclusive_start_key=start,
                limit=limit - len(entries) if limit else None, scan_index_forward=not newest_first)
            entries.extend(page.get("Items", []))
            start = page.get("LastEvaluatedKey")
            if start is None or (limit and len(entries) >= limit):
                break
        next_cursor = cursors.encode(start) if limit and len(entries) >= limit else None
        return self._dossiers(entries, pk_attribute, partition), next_cursor

    @staticmethod
    def _dossiers(entries: list[dict], pk_attribute: str, partition: str) -> list[Dossier]:
        """The dossiers of these index entries, in their order. An index is eventually consistent: an
        entry whose dossier has left the partition meanwhile (another status, closed, returned by the
        partner agency) is dropped rather than shown in a list it no longer belongs to."""
        items = read_items([entry["id"]["S"] for entry in entries])
        found = (items.get(entry["id"]["S"]) for entry in entries)
        return [_from_model(DossierModel.from_raw_data(item)) for item in found
                if item is not None and item.get(pk_attribute) == {"S": partition}]

    def search(self, plan: Plan, limit: int, cursor: str | None,
               read_budget: int = SEARCH_READ_BUDGET) -> tuple[list[Dossier], str | None, int]:
        """Run a search plan as one Query on its index, page by page, until `limit` matches or
        `read_budget` items were read; returns the matches, a cursor if more may follow, and the
        number of index items read. The cursor is the key of the last item returned (or the last read,
        when none of a page's items matched), so the next page starts right after it. The index holds
        the keys and what the plan filters on; the matches are then read with one BatchGetItem."""
        pk_attribute, sk_attribute = plan.key_attributes
        start = cursors.decode(cursor, {pk_attribute: plan.partition})
        key_range = _condition(plan.key_range) if plan.key_range else None
        filters = None
        for condition in plan.filters:
            filters = _condition(condition) if filters is None else filters & _condition(condition)
        found: list[dict] = []
        read = 0
        while True:
            # One raw page per call (the model's result iterator would keep reading until `limit`
            # matches, however many items that takes): the budget stays ours to enforce.
            page = DossierModel._get_connection().query(
                plan.partition, range_key_condition=key_range,
                filter_condition=filters, index_name=plan.index, exclusive_start_key=start,
                limit=min(read_budget - read, _page_size(limit - len(found), filters is not None)),
                scan_index_forward=not plan.newest_first)
            read += page.get("ScannedCount", 0)
            items = page.get("Items", [])
            need = limit - len(found)
            if len(items) >= need:
                found.extend(items[:need])
                # Matches left on this page: resume right after the last one returned.
                next_key = ({k: found[-1][k] for k in ("id", pk_attribute, sk_attribute)} if len(items) > need
                            else page.get("LastEvaluatedKey"))
                break
            found.extend(items)
            start = page.get("LastEvaluatedKey")
            if start is None or read >= read_budget:
                next_key = start
                break
        return self._dossiers(found, pk_attribute, plan.partition), cursors.encode(next_key), read

    def history(self, dossier_id: str) -> list[dict]:
        return [{"id": e.event_id, "seq": e.seq, "type": e.type, "at": e.at, "actor": e.actor.as_dict(),
                 "payload": e.payload.as_dict(), "schema_version": e.schema_version,
                 "correlation_id": e.correlation_id}
                for e in EventModel.query(dossier_id, scan_index_forward=True, consistent_read=True)]
