"""The deadline watch against moto's DynamoDB: the scan reads one `agency-due-index` range per agency (the
open dossiers due up to the warning horizon), never the table; it flags each dossier once per state, moves a
due-soon dossier to overdue on a later day, and never sees an ended dossier (the index is sparse).

Costs are asserted as items DynamoDB returned to the scan (the `ScannedCount` of its queries), not as time."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta

import boto3
from pynamodb.connection.base import Connection

from chalicelib.api import schemas, validation
from chalicelib.domain.agencies import all_agencies
from chalicelib.domain.calendar import LOCAL_TZ
from chalicelib.domain.dossier import Dossier
from chalicelib.domain.ids import new_id
from chalicelib.domain.procedures import load_seed_catalogue
from chalicelib.domain.states import Action, Status
from chalicelib.services.deadlines import scan
from chalicelib.services.dossiers import DossierService, working_calendar
from chalicelib.settings import get_settings
from chalicelib.store.dossiers import DossierStore, _to_model
from chalicelib.store.models import DossierModel
from chalicelib.store.packing import unpack_doc

from .conftest import AGENCY, OTHER_AGENCY, REGION, citizen, now, officer, submission_body, submit

CALENDAR = working_calendar()
DUE_INDEX = "agency-due-index"
FAR_AWAY = 3000  # open dossiers due well after the horizon: what the scan must not read


def _at(day: date, hour: int = 10) -> datetime:
    """A scan run at `hour` o'clock, Hà Nội time, on `day`."""
    return datetime.combine(day, time(hour), tzinfo=LOCAL_TZ).astimezone(UTC)


@contextmanager
def _dynamodb_calls() -> Iterator[list[dict]]:
    """Every DynamoDB call PynamoDB makes meanwhile: operation, table, index, how many items came back and,
    for a BatchGetItem, how many keys it asked for (its table is then the one of its request items)."""
    calls: list[dict] = []
    original = Connection._make_api_call

    def recording(self, operation_name, operation_kwargs):
        result = original(self, operation_name, operation_kwargs)
        requested = operation_kwargs.get("RequestItems", {}) if operation_name == "BatchGetItem" else {}
        table = operation_kwargs.get("TableName") or next(iter(requested), None)
        calls.append({"operation": operation_name, "table": table,
                      "index": operation_kwargs.get("IndexName"), "scanned": result.get("ScannedCount"),
                      "count": result.get("Count"), "keys": sum(len(r.get("Keys", [])) for r in requested.values())})
        return result

    Connection._make_api_call = recording
    try:
        yield calls
    finally:
        Connection._make_api_call = original


def _items_read(calls: list[dict]) -> int:
    """Index entries the scan's reads touched: only queries of the due index, then the dossiers they name by
    key (BatchGetItem, 100 at most a call, each once); no Scan, no table query."""
    dossiers = get_settings().dossiers_table
    reads = [c for c in calls if c["operation"] in ("Query", "Scan", "GetItem", "BatchGetItem")]
    queries = [c for c in reads if c["operation"] == "Query"]
    batches = [c for c in reads if c["operation"] == "BatchGetItem"]
    assert all(c["table"] == dossiers and c["index"] == DUE_INDEX for c in queries), reads
    assert len(queries) + len(batches) == len(reads), reads
    assert all(c["table"] == dossiers and 0 < c["keys"] <= 100 for c in batches), batches
    assert sum(c["keys"] for c in batches) == sum(c["count"] for c in queries), "each dossier read once"
    return sum(c["scanned"] for c in queries)


def _writes(calls: list[dict]) -> int:
    return sum(1 for c in calls if c["operation"] == "TransactWriteItems")


# Business procedures of each agency with few documents: a real dossier, small enough to clone by the thousand.
PROCEDURE_OF = {AGENCY: "1.014200", OTHER_AGENCY: "1.014201"}


def _received(agency: str = AGENCY) -> Dossier:
    """A dossier submitted and received through the service, as the desk does it."""
    owner = citizen()
    dossier = submit(owner, submission_body(owner, PROCEDURE_OF[agency]))[0]
    return DossierService().receive(officer(agency), dossier.id, validation.parse(schemas.Receive, {}), now())


def _raw(dossier_id: str) -> dict:
    table = get_settings().dossiers_table
    return boto3.client("dynamodb", region_name=REGION).get_item(TableName=table, Key={"id": {"S": dossier_id}},
                                                                 ConsistentRead=True)["Item"]


def _history_types(dossier_id: str) -> list[str]:
    return [e["type"] for e in DossierStore().history(dossier_id)]


# --------------------------------------------------------------------------- one real dossier


def test_a_received_dossier_goes_from_due_soon_to_overdue_and_an_apology_starts_the_watch_afresh(stack):
    received = _received()
    due = received.due_date
    assert _raw(received.id)["agency_open"] == {"S": AGENCY} and _raw(received.id)["due_date"] == {"S": due.isoformat()}

    assert scan(_at(due - timedelta(days=20)), [AGENCY])["read"] == 0, "far from its date: not even read"
    first = scan(_at(due), [AGENCY])
    assert (first["read"], first["flagged"], first["as_of"]) == (1, 1, due.isoformat())
    assert DossierStore().get(received.id).deadline_alert == "due_soon"
    assert scan(_at(due, 16), [AGENCY])["flagged"] == 0, "the hourly run later that day flags nothing new"

    late_day = due + timedelta(days=1)
    late = scan(_at(late_day), [AGENCY])
    assert (late["read"], late["flagged"]) == (1, 1)
    flagged = DossierStore().get(received.id)
    assert (flagged.status, flagged.deadline_alert, flagged.due_date) == (Status.RECEIVED, "overdue", due)
    assert scan(_at(late_day + timedelta(days=5)), [AGENCY])["flagged"] == 0, "overdue is flagged once"

    history = DossierStore().history(received.id)
    assert [e["type"] for e in history] == ["dossier.submitted", "dossier.received", "dossier.due_soon",
                                            "dossier.overdue"]
    overdue = history[-1]
    assert overdue["actor"]["role"] == "system" and overdue["actor"]["id"] == "system:deadlines"
    assert overdue["payload"]["due_date"] == due.isoformat() and overdue["payload"]["as_of"] == late_day.isoformat()
    assert overdue["seq"] == flagged.version

    new_due = CALENDAR.add_working_days(late_day, 5)
    request = validation.parse(schemas.Apologise, {"new_due_date": new_due.isoformat(), "reason": "Cần xác minh thêm"})
    apologised = DossierService().process(officer(), received.id, Action.APOLOGISE, request, _at(late_day, 11))
    assert apologised.due_date == new_due and apologised.deadline_alert is None
    assert _raw(received.id)["due_date"] == {"S": new_due.isoformat()}, "the index follows the new date"
    assert scan(_at(late_day, 12), [AGENCY])["read"] == 0
    again = scan(_at(new_due), [AGENCY])
    assert (again["read"], again["flagged"]) == (1, 1)
    assert _history_types(received.id)[-2:] == ["dossier.apology_issued", "dossier.due_soon"]


def test_an_ended_dossier_leaves_the_index(stack):
    received = _received()
    owner = received.owner_id
    assert "agency_open" in _raw(received.id)
    withdrawn = DossierService().process(
        citizen(owner.removeprefix("citizen-")), received.id, Action.WITHDRAW,
        validation.parse(schemas.WithReason, {"reason": "Không còn nhu cầu"}), now())
    assert withdrawn.status == Status.WITHDRAWN and withdrawn.due_date == received.due_date
    raw = _raw(received.id)
    assert "agency_open" not in raw and "due_date" not in raw, "removed, not left behind"
    assert unpack_doc(raw["doc_z"]["B"])["due_date"] == received.due_date.isoformat(), "the dossier keeps its date"
    with _dynamodb_calls() as calls:
        result = scan(_at(received.due_date + timedelta(days=30)), [AGENCY])
    assert (result["read"], result["flagged"]) == (0, 0)
    assert _items_read(calls) == 0 and _writes(calls) == 0


def test_a_dossier_not_yet_received_is_not_in_the_index(stack):
    owner = citizen()
    dossier = submit(owner, submission_body(owner))[0]
    assert dossier.due_date is None
    raw = _raw(dossier.id)
    assert "agency_open" not in raw and "due_date" not in raw
    assert scan(_at(date.today() + timedelta(days=400)), [AGENCY])["read"] == 0


def test_without_a_list_the_scan_covers_every_agency_of_the_catalogue_and_every_desk(stack):
    here, there = _received(AGENCY), _received(OTHER_AGENCY)
    late = max(here.due_date, there.due_date) + timedelta(days=1)
    result = scan(_at(late))
    # Every desk too: one holds another agency's dossier it received (regardless of boundaries) until it forwards it.
    assert result["agencies"] == len({p.agency_code for p in load_seed_catalogue()} | {a.code for a in all_agencies()})
    assert (result["read"], result["flagged"]) == (2, 2)
    assert scan(_at(late), [OTHER_AGENCY])["read"] == 1


def test_a_dossier_changed_after_the_scan_read_it_is_left_for_the_next_run(stack, monkeypatch):
    received = _received()
    store = DossierStore()
    original = DossierStore.open_due_by

    def read_then_someone_acts(self, agency_code, last_day, limit=None, cursor=None):
        found = original(self, agency_code, last_day, limit, cursor)
        # An officer transfers the dossier between the scan's read and its write.
        DossierService().process(officer(), received.id, Action.TRANSFER,
                                 validation.parse(schemas.Transfer, {"unit": "viec-lam"}), now())
        return found

    monkeypatch.setattr(DossierStore, "open_due_by", read_then_someone_acts)
    late_day = received.due_date + timedelta(days=1)
    result = scan(_at(late_day), [AGENCY])
    assert (result["read"], result["flagged"]) == (1, 0)
    assert store.get(received.id).status == Status.TRANSFERRED and store.get(received.id).deadline_alert is None
    monkeypatch.setattr(DossierStore, "open_due_by", original)
    assert scan(_at(late_day), [AGENCY])["flagged"] == 1
    assert store.get(received.id).deadline_alert == "overdue"


# --------------------------------------------------------------------------- thousands of dossiers

TODAY = date(2026, 3, 11)  # Wednesday
NEXT_DAY = date(2026, 3, 12)


def _batch_write(dossiers: list[Dossier]) -> None:
    with DossierModel.batch_write() as batch:
        for dossier in dossiers:
            batch.save(_to_model(dossier))


def test_the_scan_reads_the_dossiers_near_their_date_not_the_table(stack):
    """3000 open dossiers due after the horizon and a handful near or past it, plus ended ones with old
    dates: the scan reads exactly the handful. Kept last in the module: a later test's `stack` fixture would
    delete the 3000 items one by one."""
    assert get_settings().deadline_warning_days == 1
    horizon = CALENDAR.add_working_days(TODAY, 1)
    assert horizon == NEXT_DAY
    template = _received()  # a real received dossier: the clones have its shape
    store = DossierStore()
    store_rows: dict[str, list[Dossier]] = {}

    def clones(label: str, count: int, due: date | list[date], agency: str = AGENCY, **changes) -> list[Dossier]:
        dues = due if isinstance(due, list) else [due] * count
        made = [dataclasses.replace(template, id=new_id(), code=f"{agency}-260302-{len(store_rows)}{i:05d}",
                                    agency_code=agency, due_date=d, **changes) for i, d in enumerate(dues)]
        store_rows[label] = made
        return made

    far = [CALENDAR.add_working_days(horizon, 2 + i % 250) for i in range(FAR_AWAY)]  # from 2 days after
    population = [
        *clones("far", FAR_AWAY, far),
        *clones("overdue", 2, [date(2026, 3, 10), date(2026, 2, 27)]),
        *clones("due_today", 1, TODAY),
        *clones("due_next_day", 1, NEXT_DAY),
        *clones("waiting_for_fee", 1, NEXT_DAY, status=Status.FEE_REQUESTED),
        *clones("flagged_soon", 1, NEXT_DAY, deadline_alert="due_soon"),
        *clones("flagged_late", 1, date(2026, 3, 5), deadline_alert="overdue"),
        *clones("just_after", 1, CALENDAR.add_working_days(horizon, 1)),
        *clones("other_agency", 1, date(2026, 3, 10), agency=OTHER_AGENCY),
    ]
    ended = [Status.APPROVED, Status.REJECTED, Status.STOPPED, Status.WITHDRAWN, Status.RESULT_ISSUED,
             Status.IN_POST, Status.RETURNED]
    for status in ended:
        population += clones(f"ended_{status.value}", 2, [date(2026, 3, 2), TODAY], status=status)
    _batch_write(population)
    DossierModel(template.id).delete()  # its date follows the real clock: keep it out of the fixed days below
    ended_ids = {d.id for s in ended for d in store_rows[f"ended_{s.value}"]}
    table = boto3.client("dynamodb", region_name=REGION).describe_table(TableName=get_settings().dossiers_table)
    assert table["Table"]["ItemCount"] == len(population)
    for dossier_id in list(ended_ids)[:3]:
        assert "agency_open" not in _raw(dossier_id) and "due_date" not in _raw(dossier_id)

    near = ["overdue", "due_today", "due_next_day", "waiting_for_fee", "flagged_soon", "flagged_late"]
    in_range = sum(len(store_rows[label]) for label in near)
    to_flag = in_range - 2  # the two already flagged with their current state
    seen: list[str] = []
    original = DossierStore.open_due_by

    def watching(self, agency_code, last_day, limit=None, cursor=None):
        found = original(self, agency_code, last_day, limit, cursor)
        seen.extend(d.id for d in found[0])
        return found

    DossierStore.open_due_by = watching
    try:
        with _dynamodb_calls() as calls:
            first = scan(_at(TODAY), [AGENCY])
        assert (first["agencies"], first["read"], first["flagged"]) == (1, in_range, to_flag)
        assert _items_read(calls) == in_range, "one index range, not the 3000 dossiers due later"
        assert _writes(calls) == to_flag
        assert not ended_ids & set(seen), "ended dossiers are not in the index"
        assert set(seen) == {d.id for label in near for d in store_rows[label]}

        for label, alert in (("overdue", "overdue"), ("due_today", "due_soon"), ("due_next_day", "due_soon"),
                             ("waiting_for_fee", "due_soon"), ("flagged_soon", "due_soon"),
                             ("flagged_late", "overdue"), ("just_after", None), ("other_agency", None)):
            for dossier in store_rows[label]:
                assert store.get(dossier.id).deadline_alert == alert, label
        flagged_once = store.get(store_rows["overdue"][0].id)
        assert (flagged_once.status, flagged_once.version) == (Status.RECEIVED, template.version + 1)
        assert store.get(store_rows["waiting_for_fee"][0].id).status == Status.FEE_REQUESTED
        assert store.get(store_rows["far"][0].id).version == template.version, "far ones untouched"

        # The same hour again (Chalice runs it hourly): the same range, nothing new to flag.
        with _dynamodb_calls() as calls:
            second = scan(_at(TODAY, 11), [AGENCY])
        assert (second["read"], second["flagged"]) == (in_range, 0)
        assert _items_read(calls) == in_range and _writes(calls) == 0

        # The next working day: today's become overdue, the next ones enter the range and are due soon.
        with _dynamodb_calls() as calls:
            later = scan(_at(NEXT_DAY), [AGENCY])
        entering = len(store_rows["just_after"])
        assert (later["read"], later["flagged"]) == (in_range + entering, len(store_rows["due_today"]) + entering)
        assert _items_read(calls) == in_range + entering
        for dossier in store_rows["due_today"]:
            assert store.get(dossier.id).deadline_alert == "overdue"
            assert _history_types(dossier.id) == ["dossier.due_soon", "dossier.overdue"]
        for dossier in store_rows["due_next_day"] + store_rows["just_after"]:
            assert store.get(dossier.id).deadline_alert == "due_soon"
        assert not ended_ids & set(seen)
        assert store.get(store_rows["other_agency"][0].id).deadline_alert is None, "another agency's range"
    finally:
        DossierStore.open_due_by = original
