"""The counter rows in moto's DynamoDB: one row per dimension and day under the month's sharded partition key; a
period is read as the sum of its days, and a month row left by the layout before days moved into the sort key
still counts for its month (docs/operations.md, upgrading)."""

from __future__ import annotations

from datetime import date

import boto3

from chalicelib.domain.metric_facts import Fact
from chalicelib.domain.periods import parse_period
from chalicelib.services import metrics
from chalicelib.settings import get_settings
from chalicelib.store import metrics as store

from .conftest import REGION

AGENCY = "000.00.99.T01"  # no other test counts for it: the table outlives the tests of a module
TODAY = date(2026, 11, 30)


def _count(dossier_id: str, seq: int, *found: Fact) -> None:
    generation = store.active_generation()
    store.apply(generation, dossier_id, seq, metrics.rows_for(list(found), dossier_id, generation))


def _received(day: date, procedure: str = "1.001") -> Fact:
    return Fact("received", 1, day, AGENCY, procedure, None, "officer.one")


def test_a_fact_writes_one_row_per_dimension_of_its_day_under_its_month(stack):
    generation = store.active_generation()
    rows = metrics.rows_for([_received(date(2026, 11, 21))], "D1", generation)
    assert sorted(sk for _, sk in rows) == ["officer#officer.one#2026-11-21", "procedure#1.001#2026-11-21"]
    assert {pk.rsplit("#", 1)[0] for pk, _ in rows} == {f"G{generation}#{AGENCY}#M#2026-11"}
    # What belongs to no procedure (a desk visit) goes to the agency's `all` row.
    visit = Fact("visits", 1, date(2026, 11, 21), AGENCY, "")
    assert [sk for _, sk in metrics.rows_for([visit], "T1", generation)] == ["all#-#2026-11-21"]


def test_a_period_is_the_sum_of_its_days_and_a_day_is_its_own(stack):
    _count("D1", 1, _received(date(2026, 11, 3)))
    _count("D2", 1, _received(date(2026, 11, 29)))
    _count("D3", 1, _received(date(2026, 10, 31), "1.0012"))  # a code the first one is a prefix of
    _count("T1", 1, Fact("received", 1, date(2026, 11, 29), AGENCY, ""))  # belongs to no procedure
    month = metrics.Reader(AGENCY, parse_period("2026-11", TODAY))
    assert month.totals(month.total())["received"] == 3
    quarter = metrics.Reader(AGENCY, parse_period("2026-Q4", TODAY))
    assert quarter.totals(quarter.row("procedure", "1.001"))["received"] == 2
    assert quarter.totals(quarter.row("procedure", "1.0012"))["received"] == 1
    assert quarter.totals(quarter.total())["received"] == 4
    rolling = metrics.Reader(AGENCY, parse_period("rolling-30d", TODAY))  # 1 to 30 November
    by_day = rolling.totals(rolling.total(), key=lambda r: r["bucket"])
    assert by_day == {"D#2026-11-03": {"received": 1}, "D#2026-11-29": {"received": 2}}


def test_month_rows_of_the_old_layout_count_for_their_month_and_for_no_day(stack):
    """Before 1 December 2026 an event wrote a month row beside its day's, and its `all` row counted the procedures'
    facts too: the old `all` month row is the month's total, the old procedure month row the procedure's."""
    generation, ddb = store.active_generation(), boto3.client("dynamodb", region_name=REGION)
    for sk in ("all#-", "procedure#1.001"):
        ddb.put_item(TableName=get_settings().metrics_table, Item={
            "pk": {"S": store.counter_key(generation, AGENCY, "2026-09", 3)}, "sk": {"S": sk}, "received": {"N": "40"}})
    _count("D4", 1, _received(date(2026, 9, 30)))
    quarter = metrics.Reader(AGENCY, parse_period("2026-Q3", TODAY))
    assert quarter.totals(quarter.total())["received"] == 41
    assert quarter.totals(quarter.row("procedure", "1.001"))["received"] == 41
    days = quarter.totals(quarter.total(quarter.period.day_buckets()), key=lambda r: r["bucket"])
    assert days == {"D#2026-09-30": {"received": 1}}
