"""Officers' search against moto's DynamoDB: every filter, alone and combined, answers exactly what a
straightforward reading of the dossiers says, page after page; each query reads one index range, never
the table (then the page's dossiers by key, in one BatchGetItem), and a filter that keys the query reads
only its matches. Every list page (search, desk queue, owner list, deadline range, incoming work) answers
the same items, in the same order, with the same cursors as on indexes projecting the whole item (the
layout before projections were cut to keys and filtered attributes).

The dossiers are generated (a few hundred, varied in agency, procedure, status, unit, assignee, dates,
names and ID numbers) and written with the store's own item layout, so the indexes hold what the
API would have written."""

from __future__ import annotations

import dataclasses
import random
from datetime import UTC, date, datetime, time, timedelta

import boto3
import pytest

from chalicelib.domain.access import can_see
from chalicelib.domain.calendar import LOCAL_TZ
from chalicelib.domain.dossier import Dossier
from chalicelib.domain.ids import new_id
from chalicelib.domain.principal import Principal
from chalicelib.domain.search import DeskFilters, applicant_id_number, name_key, plan
from chalicelib.domain.states import STATUSES, Role, Status
from chalicelib.store.cursors import decode
from chalicelib.store.dossiers import DossierStore, _to_model
from chalicelib.store.models import DOSSIER_INDEX, DossierModel

from .conftest import AGENCY, OTHER_AGENCY
from .test_deadline_scan import _dynamodb_calls

PARTNER = "000.00.31.H26"
TODAY = date(2026, 11, 20)
PROCEDURES = ("1.014199", "1.014200", "1.014201")
UNITS = ("viec-lam", "lao-dong")
SPECIALISTS = {"viec-lam": ("specialist.a", "specialist.b"), "lao-dong": ("specialist.c",)}
NAMES = ("Nguyễn Văn An", "Nguyễn Thị Bình", "Trần Văn Cường", "Lê Đức Dũng", "Công ty TNHH Ánh Dương",
         "Công ty Cổ phần Đông Á", "Phạm Thị Hoa", "nguyen van an")
_UNIT_STATUSES = {Status.TRANSFERRED, Status.ASSIGNED, Status.AT_OTHER_AGENCY, Status.PROPOSED, Status.APPROVED,
                  Status.REJECTED, Status.FEE_REQUESTED, Status.RESULT_ISSUED, Status.RETURNED, Status.STOPPED,
                  Status.SUPPLEMENT_IN_PROCESSING}
_ASSIGNED_STATUSES = _UNIT_STATUSES - {Status.TRANSFERRED}


def _dossier(rng: random.Random, agency: str) -> Dossier:
    status = rng.choice(list(Status))
    submitted = datetime.combine(TODAY - timedelta(days=rng.randint(0, 60)), time(rng.randint(0, 23)), UTC)
    received = status not in (Status.SUBMITTED, Status.SUPPLEMENT_REQUESTED, Status.REFUSED)
    person = rng.random() < 0.6
    number = f"{rng.randint(1, 60):03d}0{rng.randint(10, 99)}{rng.randint(100000, 100003)}"
    applicant = ({"type": "person", "full_name": rng.choice(NAMES[:4] + NAMES[6:]), "citizen_id": number}
                 if person else {"type": "business", "name": rng.choice(NAMES[4:6]), "tax_code": number[:10]})
    unit = rng.choice(UNITS) if status in _UNIT_STATUSES else None
    username = rng.choice(SPECIALISTS[unit]) if unit and status in _ASSIGNED_STATUSES else None
    inter_agency = []
    if status == Status.AT_OTHER_AGENCY or (username and rng.random() < 0.2):
        inter_agency = [{"step": 1, "agency_code": PARTNER, "request": "Xác minh quá trình đóng BHXH"}]
    received_at = submitted + timedelta(hours=rng.randint(1, 72)) if received else None
    return Dossier(
        id=new_id(), code=f"{agency}-261120-{rng.randint(1, 9999):04d}", procedure_code=rng.choice(PROCEDURES),
        procedure_version=1, agency_code=agency, owner_id=f"citizen-{rng.randint(1, 50)}", applicant=applicant,
        summary="", components=[], delivery={"method": "desk"}, channel=2, status=status, submitted_at=submitted,
        received_at=received_at, due_date=TODAY + timedelta(days=rng.randint(-10, 15)) if received else None,
        unit=unit, assignee={"id": f"sub-{username}", "name": username, "username": username} if username else None,
        inter_agency=inter_agency, version=1)


@pytest.fixture(scope="module")
def dossiers(provisioned) -> list[Dossier]:
    rng = random.Random(20261121)
    made = [_dossier(rng, AGENCY) for _ in range(160)] + [_dossier(rng, OTHER_AGENCY) for _ in range(40)]
    with DossierModel.batch_write() as batch:
        for dossier in made:
            batch.save(_to_model(dossier))
    return made


def _staff(role: Role, agency: str = AGENCY, unit: str | None = None, username: str = "staff") -> Principal:
    return Principal(id=f"sub-{username}", username=username, roles=frozenset({role}), agency_code=agency, unit=unit)


OFFICER = _staff(Role.OFFICER)
LEADER = _staff(Role.LEADER, unit="viec-lam", username="leader.a")
SPECIALIST = _staff(Role.SPECIALIST, unit="lao-dong", username="specialist.c")
PARTNER_OFFICER = _staff(Role.OFFICER, agency=PARTNER, username="officer.bhxh")


def _local(moment: datetime) -> date:
    return moment.astimezone(LOCAL_TZ).date()


def _expected(all_dossiers: list[Dossier], filters: DeskFilters, principal: Principal) -> set[str]:
    """The answer read straight off the dossiers, as docs/api.md words each filter."""
    def matches(d: Dossier) -> bool:
        open_ = d.due_date is not None and STATUSES[d.status].clock in ("running", "paused")
        if filters.incoming:
            if d.partner_agency != principal.agency_code:
                return False
        elif d.agency_code != principal.agency_code or not can_see(principal, d):
            return False
        checks = [
            not filters.status or d.status.value == filters.status,
            not filters.procedure or d.procedure_code == filters.procedure,
            not filters.assignee or (d.assignee or {}).get("username") == filters.assignee,
            not filters.name or name_key(d.applicant.get("full_name") or d.applicant.get("name")).startswith(
                name_key(filters.name)),
            not filters.id_number or applicant_id_number(d.applicant) == filters.id_number.upper(),
            not filters.received_from or (d.received_at and _local(d.received_at) >= filters.received_from),
            not filters.received_to or (d.received_at and _local(d.received_at) <= filters.received_to),
            not filters.due_after or (open_ and d.due_date >= filters.due_after),
            not filters.due_before or (open_ and d.due_date <= filters.due_before),
            not filters.overdue or (open_ and d.due_date < TODAY),
        ]
        return all(checks)

    return {d.id for d in all_dossiers if matches(d)}


def _all_pages(filters: DeskFilters, principal: Principal, limit: int) -> tuple[list[str], list[dict]]:
    search = plan(filters, principal, TODAY)
    ids, cursor = [], None
    with _dynamodb_calls() as calls:
        for _ in range(500):
            items, cursor, _ = DossierStore().search(search, limit, cursor)
            assert len(items) <= limit
            ids += [d.id for d in items]
            if cursor is None:
                break
    return ids, calls


def _pages(read_page) -> list[tuple[list[str], str | None]]:
    """Every page of a list, as (ids, cursor), following the cursors to the end."""
    pages, cursor = [], None
    for _ in range(500):
        items, cursor = read_page(cursor)
        pages.append(([d.id for d in items], cursor))
        if cursor is None:
            return pages
    raise AssertionError("the cursors never ended")


def _one(rng_pick: random.Random, all_dossiers: list[Dossier]) -> Dossier:
    return rng_pick.choice([d for d in all_dossiers if d.agency_code == AGENCY])


def _cases(all_dossiers: list[Dossier]) -> list[tuple[str, DeskFilters, Principal]]:
    pick = random.Random(7)
    sample = _one(pick, all_dossiers)
    cases = [
        ("everything", DeskFilters(), OFFICER),
        ("status", DeskFilters(status="assigned"), OFFICER),
        ("procedure", DeskFilters(procedure="1.014200"), OFFICER),
        ("assignee", DeskFilters(assignee="specialist.a"), OFFICER),
        ("name prefix without diacritics", DeskFilters(name="nguyen van"), OFFICER),
        ("name with diacritics and capitals", DeskFilters(name="CÔNG TY"), OFFICER),
        ("id number", DeskFilters(id_number=applicant_id_number(sample.applicant)), OFFICER),
        ("received between", DeskFilters(received_from=TODAY - timedelta(days=20),
                                          received_to=TODAY - timedelta(days=5)), OFFICER),
        ("received since", DeskFilters(received_from=TODAY - timedelta(days=3)), OFFICER),
        ("due window", DeskFilters(due_after=TODAY, due_before=TODAY + timedelta(days=3)), OFFICER),
        ("overdue", DeskFilters(overdue=True), OFFICER),
        ("overdue and due after", DeskFilters(overdue=True, due_after=TODAY - timedelta(days=4)), OFFICER),
        ("procedure and status", DeskFilters(procedure="1.014199", status="returned"), OFFICER),
        ("name and overdue", DeskFilters(name="Tran", overdue=True), OFFICER),
        ("assignee, procedure and received", DeskFilters(assignee="specialist.b", procedure="1.014201",
                                                          received_from=TODAY - timedelta(days=40)), OFFICER),
        ("leader's unit", DeskFilters(), LEADER),
        ("leader's unit, overdue", DeskFilters(overdue=True), LEADER),
        ("leader's unit, another unit's specialist", DeskFilters(assignee="specialist.c"), LEADER),
        ("specialist's unit by status", DeskFilters(status="assigned"), SPECIALIST),
        ("specialist's unit by name", DeskFilters(name="le duc"), SPECIALIST),
        ("incoming at the partner agency", DeskFilters(incoming=True), PARTNER_OFFICER),
        ("incoming by procedure", DeskFilters(incoming=True, procedure="1.014199"), PARTNER_OFFICER),
        ("incoming by name and due", DeskFilters(incoming=True, name="nguyen", due_before=TODAY + timedelta(days=5)),
         PARTNER_OFFICER),
        ("the partner agency's own queue is empty", DeskFilters(), PARTNER_OFFICER),
        ("another agency", DeskFilters(procedure="1.014201"), _staff(Role.OFFICER, agency=OTHER_AGENCY)),
    ]
    return cases


EMPTY_CASES = {"the partner agency's own queue is empty", "leader's unit, another unit's specialist"}
CASE_NAMES = [name for name, _, _ in _cases([_dossier(random.Random(0), AGENCY)])]


@pytest.mark.parametrize("case", CASE_NAMES)
@pytest.mark.parametrize("limit", [9, 100])
def test_each_filter_answers_exactly_the_matching_dossiers_page_after_page(dossiers, case, limit):
    _, filters, principal = next(c for c in _cases(dossiers) if c[0] == case)
    expected = _expected(dossiers, filters, principal)
    ids, calls = _all_pages(filters, principal, limit)
    assert len(ids) == len(set(ids)), "a dossier came back twice across pages"
    assert set(ids) == expected
    reads = [c for c in calls if c["operation"] in ("Query", "Scan", "GetItem", "BatchGetItem")]
    queries = [c for c in reads if c["operation"] == "Query"]
    batches = [c for c in reads if c["operation"] == "BatchGetItem"]
    assert queries and all(c["index"] for c in queries), "index queries, never the table"
    assert len(queries) + len(batches) == len(reads), "no Scan, no GetItem"
    pages = len([c for c in calls if c["operation"] == "Query"])
    assert len(batches) <= pages and all(0 < c["keys"] <= limit for c in batches), "one batch read a page"
    assert sum(c["keys"] for c in batches) == len(ids), "each dossier of a page read once, by key"
    if case in EMPTY_CASES:
        assert not ids
    else:
        assert expected, "the generated data should exercise this case"


def test_the_cases_cover_every_filter():
    used = {f.name for _, filters, _ in _cases([_dossier(random.Random(0), AGENCY)])
            for f in dataclasses.fields(filters) if getattr(filters, f.name) not in (None, False)}
    # `code` names one dossier and is run by DossierStore.find_by_code: tests/integration/test_find_by_code.py.
    assert used | {"code"} == {f.name for f in dataclasses.fields(DeskFilters)}


@pytest.mark.parametrize("filters, index", [
    (DeskFilters(procedure="1.014200"), "agency-procedure-index"),
    (DeskFilters(assignee="specialist.a"), "assignee-index"),
    (DeskFilters(status="received"), "agency-status-index"),
    (DeskFilters(name="cong ty"), "agency-name-index"),
    (DeskFilters(overdue=True), "agency-due-index"),
    (DeskFilters(received_from=TODAY - timedelta(days=10)), "agency-received-index"),
])
def test_a_filter_that_keys_the_query_reads_only_its_matches(dossiers, filters, index):
    expected = _expected(dossiers, filters, OFFICER)
    ids, calls = _all_pages(filters, OFFICER, 100)
    assert set(ids) == expected
    assert {c["index"] for c in calls if c["operation"] == "Query"} == {index}
    assert sum(c["scanned"] for c in calls if c["operation"] == "Query") == len(expected)


def test_a_leader_reads_only_the_unit_range_not_the_agency(dossiers):
    ids, calls = _all_pages(DeskFilters(), LEADER, 100)
    in_unit = [d for d in dossiers if d.agency_code == AGENCY and d.unit == "viec-lam"]
    assert set(ids) == {d.id for d in in_unit}
    assert {c["index"] for c in calls if c["operation"] == "Query"} == {"agency-unit-index"}
    assert sum(c["scanned"] for c in calls if c["operation"] == "Query") == len(in_unit)


def test_a_rare_match_over_a_wide_range_answers_within_the_read_budget_and_resumes(dossiers):
    """A broad key (a procedure) narrowed by a rare filter (a status) reads at most the budget per
    request; the cursor resumes where reading stopped, and the pages together are complete."""
    filters = DeskFilters(procedure="1.014199", status="stopped")
    search = plan(filters, OFFICER, TODAY)
    expected = _expected(dossiers, filters, OFFICER)
    ids, cursor, requests = [], None, 0
    while True:
        items, cursor, read = DossierStore().search(search, 100, cursor, read_budget=20)
        requests += 1
        assert read <= 20
        ids += [d.id for d in items]
        if cursor is None:
            break
    assert set(ids) == expected and len(ids) == len(set(ids))
    in_range = sum(1 for d in dossiers if d.agency_code == AGENCY and d.procedure_code == "1.014199")
    assert requests >= in_range // 20, "the budget, not the page size, bounded each request"


def test_a_cursor_from_another_partition_is_refused(dossiers):
    from chalicelib.store.cursors import BadCursor

    _, cursor, _ = DossierStore().search(plan(DeskFilters(), OFFICER, TODAY), 5, None)
    assert cursor
    other = plan(DeskFilters(), _staff(Role.OFFICER, agency=OTHER_AGENCY), TODAY)
    with pytest.raises(BadCursor):
        DossierStore().search(other, 5, cursor)



# --------------------------------------------------------------------------- the same pages as whole-item indexes


@pytest.fixture(scope="module")
def whole_item_table(dossiers, provisioned) -> str:
    """A copy of the dossiers table whose indexes project the whole item (as they did before), holding the
    same dossiers: the reference every list page is compared with."""
    ddb = boto3.client("dynamodb", region_name="ap-southeast-1")
    live = ddb.describe_table(TableName=provisioned["DOSSIERS_TABLE"])["Table"]
    name = f"{live['TableName']}-whole-items"
    ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST", AttributeDefinitions=live["AttributeDefinitions"],
                     KeySchema=live["KeySchema"],
                     GlobalSecondaryIndexes=[{"IndexName": i["IndexName"], "KeySchema": i["KeySchema"],
                                              "Projection": {"ProjectionType": "ALL"}}
                                             for i in live["GlobalSecondaryIndexes"]])
    with _on_table(name), DossierModel.batch_write() as batch:
        for dossier in dossiers:
            batch.save(_to_model(dossier))
    return name


class _on_table:
    """Points the dossier model (and so the store) at another table meanwhile."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __enter__(self) -> None:
        self.previous = DossierModel.Meta.table_name
        DossierModel.Meta.table_name = self.name

    def __exit__(self, *exc) -> None:
        DossierModel.Meta.table_name = self.previous


def _same_pages_as_whole_items(whole_item_table: str, read_page) -> list[tuple[list[str], str | None]]:
    with _on_table(whole_item_table):
        before = _pages(read_page)
    after = _pages(read_page)
    assert after == before
    return after


def _in_index_order(pages, index: str, newest_first: bool, dossiers: list[Dossier]) -> None:
    """The pages follow the index's sort key, and each cursor is the index key to resume from."""
    spec = DOSSIER_INDEX[index]
    by_id = {d.id: _to_model(d) for d in dossiers}
    keys = [getattr(by_id[i], spec.range_key) for ids, _ in pages for i in ids]
    assert keys == sorted(keys, reverse=newest_first)
    for _, cursor in pages:
        if cursor:
            assert set(decode(cursor, {})) == {"id", spec.hash_key, spec.range_key}


@pytest.mark.parametrize("case", CASE_NAMES)
def test_every_search_page_is_the_same_as_on_whole_item_indexes(dossiers, whole_item_table, case, limit=7):
    _, filters, principal = next(c for c in _cases(dossiers) if c[0] == case)
    search = plan(filters, principal, TODAY)
    pages = _same_pages_as_whole_items(
        whole_item_table, lambda cursor: DossierStore().search(search, limit, cursor)[:2])
    _in_index_order(pages, search.index, search.newest_first, dossiers)
    assert {i for ids, _ in pages for i in ids} == _expected(dossiers, filters, principal)


def test_owner_lists_are_the_same_as_on_whole_item_indexes(dossiers, whole_item_table, limit=2):
    by_owner = {}
    for dossier in dossiers:
        by_owner.setdefault(dossier.owner_id, []).append(dossier)
    # The owners with the most dossiers (several pages each) and one with a single dossier.
    owners = sorted(by_owner, key=lambda o: -len(by_owner[o]))
    for owner in owners[:3] + owners[-1:]:
        pages = _same_pages_as_whole_items(
            whole_item_table, lambda cursor, owner=owner: DossierStore().list_by_owner(owner, limit, cursor))
        _in_index_order(pages, "owner-index", True, dossiers)
        assert {i for ids, _ in pages for i in ids} == {d.id for d in dossiers if d.owner_id == owner}


@pytest.mark.parametrize("limit", [None, 6])
def test_the_deadline_range_is_the_same_as_on_whole_item_indexes(dossiers, whole_item_table, limit):
    last_day = TODAY + timedelta(days=2)
    for agency in (AGENCY, OTHER_AGENCY):
        pages = _same_pages_as_whole_items(
            whole_item_table, lambda cursor, agency=agency: DossierStore().open_due_by(agency, last_day, limit, cursor))
        _in_index_order(pages, "agency-due-index", False, dossiers)
        open_due = {d.id for d in dossiers if d.agency_code == agency and d.due_date and d.due_date <= last_day
                    and STATUSES[d.status].clock in ("running", "paused")}
        assert {i for ids, _ in pages for i in ids} == open_due and open_due
