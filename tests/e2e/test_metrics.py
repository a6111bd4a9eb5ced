"""Service-quality metrics over HTTP on a local stack of this module's own: after a scripted set of Hà Nội
dossiers (online and at the desk, refused, on time and late, with fees paid online and in cash, rated
satisfied and not satisfied) the public scorecard shows the exact expected counts, rates and points for
the current quarter and the rolling 30 days, its CSV and Excel exports hold the same numbers, the officers'
indicator table splits them per procedure, unit, officer and day, re-delivered events are not counted twice,
and the operator's rebuild from the event log gives the same numbers.

Counting is asynchronous (events table stream -> relay -> EventBridge -> SQS -> metrics consumer, played by
the stack's event pump): the tests poll the scorecard until the expected counts appear.

The stack is this module's own so that nothing another module submits can move the counts.
"""

from __future__ import annotations

import calendar
import csv
import io
import json
import re
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import openpyxl
import pytest

from chalicelib.consumers.sources import rule_event_types
from chalicelib.domain.times import iso, parse_iso
from chalicelib.services.dossiers import working_calendar

from .conftest import edit_stored_dossier, running_stack
from .test_deadlines import move_due_date, run_scan
from .test_dossier_flow import submission, submit, upload_for
from .test_events import in_queue, operator, queue_url, wait_for
from .test_interagency_evaluation_search import SMALL_PERMIT, TRAINING, evaluate, working_day
from .test_processing import HANOI, UNIT, act, fetch, local_today, problem
from .test_results import FEE, FEE_PURPOSE, FULL_ONLINE, approve, issue, result_upload, submit_for, with_fee_paid

pytestmark = pytest.mark.e2e

HCM = "000.00.20.H29"  # another agency: nothing is ever submitted there in this module
LATE_AFTER_APOLOGY = "1.001978"  # Hà Nội, full online, used only by the last test (kept out of the scenario)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
COUNT_WAIT = 45  # seconds: the bound on how long counting may take (generous for loaded CI machines)

# --------------------------------------------------------------------------- the script and what it must count
#
#  D1 online  FULL_ONLINE   citizen.an    fee paid online, approved, result returned online, rated satisfied
#  D2 online  SMALL_PERMIT  citizen.an    approved, result returned at the desk, rated satisfied
#  D3 online  FULL_ONLINE   citizen.binh  approved, result returned online, rated satisfied then not satisfied
#  D4 desk    TRAINING      officer.hanoi fee paid in cash, approved, result returned at the desk
#  D5 desk    TRAINING      officer.hanoi made late, apology letter (does not count), approved, result issued
#                                          (late: its appointment date moved into the past in the dossiers table
#                                          and in the received event, which is what the metrics fold reads)
#  D6 online  SMALL_PERMIT  citizen.binh  refused at the desk (before reception)
#  D7 desk    SMALL_PERMIT  a new desk officer of Hà Nội, who receives it; still open
#  D8 online  SMALL_PERMIT  citizen.an    two supplement requests (late), received, rejected
#
# Every fact happens today (local time), so the current quarter and the rolling 30 days count the same.
EXPECTED_COUNTERS = {
    "submitted": 8,  # D1..D8
    "received": 7,  # all but D6
    "received_online": 4,  # D1, D2, D3, D8
    "received_desk": 3,  # D4, D5, D7
    "digitised": 7,  # every received dossier came with all its files
    # Papers given once: D5's applicant (the same business at the same desk) held D4's capacity statement and trainer
    # list, D8's applicant (citizen.an) D2's photos; both uploaded them again, so neither counts as reused or as
    # "not asked again" (docs/papers.md).
    "reusable": 2,
    "supplement_requests": 2,  # D8, twice
    "ended": 7,  # D1..D6, D8 (D7 is open)
    "approved": 5,  # D1..D5
    "refused": 1,  # D6
    "rejected": 1,  # D8
    "ended_on_time": 5,  # D1, D2, D3, D4, D6
    "ended_late": 2,  # D5 (past its appointment date), D8 (more than one supplement request)
    "decided": 6,  # approvals and rejections
    "fee_paid": 2,  # D1, D4
    "fee_paid_online": 1,  # D1
    "results_issued": 5,  # D1..D5
    "results_electronic": 5,  # each with an uploaded PDF
    "returned": 4,  # D1..D4
    "evaluated": 3,  # D1, D2, D3 (an amendment is not a second rating)
    "not_satisfied": 1,  # D3's amendment
    "handovers": 23,  # transfer, assign, propose, result: 4 each for D1..D5; 3 for D8
    "handovers_electronic": 23,
    "portal_synced": 8,  # every dossier, acknowledged by the national portal (the stand-in), on its submission day
}
ON_TIME, ENDED = 5, 7
# Per procedure: FULL_ONLINE D1, D3 on time; SMALL_PERMIT D2, D6 on time, D8 late; TRAINING D4 on time, D5 late.
ON_TIME_BY_PROCEDURE = {TRAINING: (1, 2), FULL_ONLINE: (2, 2), SMALL_PERMIT: (2, 3)}
ONLINE_USED = 2  # FULL_ONLINE and SMALL_PERMIT received dossiers online; TRAINING only at the desk
DESK_OFFICERS = 2  # officer.hanoi (received D1..D5 and D8) and D7's new officer (received D7)
NO_DATA_INDICATORS = ("publicity.announced_on_time", "publicity.published_on_time",
                      "satisfaction.feedback_on_time", "satisfaction.feedback_handling")
NO_DATA_TARGETS = ("target.waiting_minutes",)
EXPECTED_MEASURES = {  # the plain counts, from the same script
    "count.received": 7, "count.received_online": 4, "count.received_desk": 3, "count.received_post": 0,
    "count.received_elsewhere": 0,  # nothing received here for another agency's procedure
    "count.ended": 7,
    "count.ended_on_time": 5, "count.ended_late": 2, "count.refused": 1, "count.withdrawn": 0, "count.stopped": 0,
    "count.returned": 4, "count.evaluated": 3, "count.not_satisfied": 1,
    "count.visits": 0, "count.visits_served": 0, "count.visits_no_show": 0,  # no queue ticket in the script
    "count.feedback_filed": 0, "count.feedback_overdue": 0, "count.complained": 0,  # nor any feedback
}
# Late endings per procedure: D5 is TRAINING's, D8 SMALL_PERMIT's.
LATE_BY_PROCEDURE = {TRAINING: 1, FULL_ONLINE: 0, SMALL_PERMIT: 1}


def expected_indicators() -> dict[str, tuple[float, float, float, float]]:
    """id -> (numerator, denominator, rate, points), by hand from the script and quality_index.json."""
    return {
        "progress.on_time": (5, 7, 5 / 7, 20 * (5 / 7) / 1.0),  # threshold 1.0: proportional points
        # 4/7 online, × 8/8 synced to the national portal: >= threshold 0.5, full points
        "online.dossiers_online": (4, 7, 4 / 7, 4.4),
        "publicity.synced": (8, 8, 1.0, 4.5),
        "online.paid_online": (1, 2, 0.5, 4.4 * 0.5 / 1.0),
        # The catalogue: Hà Nội's two procedures with a fee (1.014199, 1.014200), both payable online through the
        # agency's receiving account (chalicelib/data/payment_accounts.json); >= threshold 0.8, full points
        "online.payment_offered": (2, 2, 1.0, 4.4),
        # complement: 1 - (ended late 2 + not satisfied 1) / ended 7; threshold 0.9
        "satisfaction.reception_resolution": (3, 7, 1 - 3 / 7, 6 * (4 / 7) / 0.9),
        "digitisation.results_electronic": (5, 5, 1.0, 8.0),
        "digitisation.dossiers_digitised": (7, 7, 1.0, 7.0),  # 1.0 >= threshold 0.8
        "digitisation.reuse": (0, 7, 0.0, 0.0),  # no received dossier reused a stored paper
    }


def expected_targets(days: int) -> dict[str, tuple[float, float, float, bool]]:
    """id -> (numerator, denominator, actual, met)."""
    return {
        "target.online_share": (4, 7, 4 / 7, True),  # >= 0.5
        "target.satisfaction": (1, 3, 1 - 1 / 3, False),  # complement of not satisfied / evaluated; < 0.95
        "target.e_routing": (23, 23, 1.0, True),
        "target.digitised": (5, 5, 1.0, True),
        "target.reuse": (0, 2, 0.0, False),  # D5 and D8 were asked again for papers their stores held
        # received per desk officer per year: 7 / 2 officers, scaled from the period's days to 365
        "target.desk_productivity": (7, DESK_OFFICERS, 7 / DESK_OFFICERS * 365 / days, False),
    }


# --------------------------------------------------------------------------- the stack and periods


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    """This module's own local stack: it overrides the shared one, and conftest's `aws`, `sign_in`,
    `make_user` and `api` (module-scoped) follow it."""
    with running_stack(tmp_path_factory.mktemp("metrics-stack")) as state:
        yield state


def quarter_of(day: date) -> tuple[str, date, date]:
    quarter = (day.month - 1) // 3 + 1
    last_month = 3 * quarter
    return (f"{day.year}-Q{quarter}", date(day.year, last_month - 2, 1),
            date(day.year, last_month, calendar.monthrange(day.year, last_month)[1]))


def periods_now() -> dict[str, tuple[date, date]]:
    """label -> (first day, last day) of the current quarter and the rolling 30 days, in Vietnam time."""
    today = local_today()
    label, first, last = quarter_of(today)
    return {label: (first, last), "rolling-30d": (today - timedelta(days=29), today)}


# --------------------------------------------------------------------------- reading the metrics


def scorecard(client, agency: str = HANOI, period: str = "rolling-30d", headers: dict | None = None, **params):
    return client.get("/metrics/scorecard", params={"agency": agency, "period": period, **params}, headers=headers)


def card_json(client, **kwargs) -> dict:
    response = scorecard(client, **kwargs)
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("application/json")
    return response.json()


def indicators_of(card: dict) -> dict[str, dict]:
    return {i["id"]: i for g in card["groups"] for i in g["indicators"]}


def targets_of(card: dict) -> dict[str, dict]:
    return {t["id"]: t for t in card["targets"]}


def counted(card: dict) -> dict:
    """The counters without the processing minutes (how long the script took, not part of the script)."""
    return {k: v for k, v in card["counters"].items() if k != "processing_minutes"}


def wait_for_counters(client, expected: dict, period: str = "rolling-30d") -> dict:
    last: dict = {}

    def probe():
        last["card"] = card_json(client, period=period)
        return last["card"] if counted(last["card"]) == expected else None

    deadline = time.monotonic() + COUNT_WAIT
    while (found := probe()) is None:
        if time.monotonic() > deadline:
            pytest.fail(f"counters never reached {expected}; last seen {last['card']['counters']}")
        time.sleep(0.3)
    return found


def indicator(client, indicator_id: str, expect: int = 200, headers: dict | None = None, **params):
    response = client.get(f"/metrics/indicators/{indicator_id}", params=params, headers=headers)
    assert response.status_code == expect, f"{response.status_code} {response.text}"
    return response


def bad_query(response) -> list[tuple[str, str]]:
    body = problem(response, 400, "bad_query")
    return sorted((e["field"], e["code"]) for e in body["errors"])


def csv_tables(response) -> dict[str, list[dict]]:
    """The CSV export's tables: a header row (`table`, columns...) before each table's rows."""
    assert response.content.startswith("\ufeff".encode()), "UTF-8 with a BOM, for Excel"
    tables, header = {}, None
    for row in csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")):
        if row[0] == "table":
            header = row[1:]
            continue
        tables.setdefault(row[0], []).append(dict(zip(header, row[1:], strict=True)))
    return tables


def xlsx_tables(response) -> dict[str, list[dict]]:
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    tables = {}
    for sheet in workbook.worksheets:
        header, *rows = list(sheet.iter_rows(values_only=True))
        assert all(cell.font.bold for cell in sheet[1]) and sheet.freeze_panes == "A2"
        tables[sheet.title] = [dict(zip(header, row, strict=True)) for row in rows]
    return tables


def number(cell) -> float | None:
    """A CSV cell or an Excel cell as a number (None where the JSON has null)."""
    if cell is None or cell == "":
        return None
    return float(cell)


def check_numbers(row: dict, numerator, denominator, rate, points_or_met, last: str = "points") -> None:
    assert number(row["numerator"]) == pytest.approx(numerator), row
    assert number(row["denominator"]) == pytest.approx(denominator), row
    key = "rate" if "rate" in row else "actual"
    if rate is None:
        assert number(row[key]) is None, row
    else:
        assert number(row[key]) == pytest.approx(rate), row
    if last == "met":
        assert row["met"] in (points_or_met, str(points_or_met)), row
    elif points_or_met is None:
        assert number(row[last]) is None, row
    else:
        assert number(row[last]) == pytest.approx(points_or_met), row


# --------------------------------------------------------------------------- the script


def desk_submit(api, officer: str, code: str) -> dict:
    """A walk-in applicant's dossier, submitted by the desk officer (channel 1)."""
    body = submission(api, officer, code)
    body["delivery"] = {"method": "desk"}
    response = api(officer).post("/dossiers", body, headers={"Idempotency-Key": str(uuid.uuid4())})
    assert response.status_code == 201, response.text
    assert response.json()["channel"] == 1
    return response.json()


def receive(api, dossier: dict, officer: str = "officer.hanoi") -> dict:
    return act(api(officer), dossier, "receive", {"note": "Đủ thành phần"})


def transfer_and_assign(api, dossier: dict) -> dict:
    act(api("officer.hanoi"), dossier, "transfer", {"unit": UNIT})
    return act(api("leader.hanoi"), dossier, "assign", {"specialist": "specialist.hanoi"})


def result_issued(api, dossier: dict) -> dict:
    upload_id, _ = result_upload(api("specialist.hanoi"), dossier)
    return issue(api, dossier, upload_id)


def received_event(api, dossier: dict) -> dict:
    events = fetch(api("officer.hanoi"), dossier, "/history")["events"]
    return next(e for e in events if e["type"] == "dossier.received")


def move_reception_due_date(api, aws, stack, dossier: dict, due: date) -> None:
    """What the passing of time does to a received dossier, as test_deadlines plays it (the `due_date`
    attribute and `doc.due_date` in the dossiers table), and to the appointment date the rules set at
    reception: the metrics read it from the event log (the received event's payload), never from the
    dossier, so that the rebuild from the log gives the same numbers. Events are never edited otherwise,
    so the metrics consumer keeps what it folded from them: once it has counted the received event, its
    kept fold state is dropped, and it folds the edited log again at the dossier's next event."""
    seq = received_event(api, dossier)["seq"]
    table = stack["METRICS_TABLE"]
    meta = aws("dynamodb").get_item(TableName=table, Key={"pk": {"S": "META"}, "sk": {"S": "generation"}},
                                    ConsistentRead=True).get("Item")
    marker = {"pk": {"S": f"G{meta['active']['N'] if meta else 1}#APPLIED#{dossier['id']}"}, "sk": {"S": "-"}}

    def counted_reception():
        item = aws("dynamodb").get_item(TableName=table, Key=marker, ConsistentRead=True).get("Item") or {}
        return str(seq) in item.get("seqs", {}).get("NS", [])

    wait_for(counted_reception, timeout=COUNT_WAIT, what="the reception to be counted")
    aws("dynamodb").update_item(TableName=table, Key=marker, UpdateExpression="REMOVE folded_to, fold")
    move_due_date(aws, stack, dossier["id"], due)
    edit_stored_dossier(aws, stack, dossier["id"], lambda record: record.update(statutory_due_date=due.isoformat()))
    aws("dynamodb").update_item(
        TableName=stack["EVENTS_TABLE"],
        Key={"dossier_id": {"S": dossier["id"]}, "seq": {"N": str(received_event(api, dossier)["seq"])}},
        UpdateExpression="SET #payload.#due = :due",
        ExpressionAttributeNames={"#payload": "payload", "#due": "due_date"},
        ExpressionAttributeValues={":due": {"S": due.isoformat()}})


def late_with_an_apology(api, aws, stack, dossier: dict, days_late: int = 3) -> dict:
    """Past its appointment date, flagged by the deadline watch, then given a new date by an apology letter
    (form 04): the new date does not make it on time."""
    move_reception_due_date(api, aws, stack, dossier, local_today() - timedelta(days=days_late))
    run_scan(stack)
    assert fetch(api("officer.hanoi"), dossier)["deadline_alert"] == "overdue"
    got = act(api("officer.hanoi"), dossier, "apologise",
              {"new_due_date": working_day(5), "reason": "Cần xác minh thêm với cơ quan quản lý"})
    assert got["due_date"] == working_day(5) and got["deadline_alert"] is None
    return got


def supplement_round(api, dossier: dict, citizen: str, code: str) -> None:
    asked = act(api("officer.hanoi"), dossier, "request-supplement",
                {"items": [{"component_id": "application-form", "reason": "Bản chụp không rõ nét"}]})
    assert asked["status"] == "supplement_requested"
    client = api(citizen)
    procedure = client.get(f"/procedures/{code}").json()
    again = act(client, dossier, "resubmit", {"components": [
        {"component_id": "application-form", "upload_ids": [upload_for(client, procedure, "application-form")]}]})
    assert again["status"] == "submitted"


@pytest.fixture(scope="module")
def scenario(api, aws, stack, make_user) -> dict:
    officer, leader, specialist = api("officer.hanoi"), api("leader.hanoi"), api("specialist.hanoi")

    d1 = submit_for(api, FULL_ONLINE, {"method": "online"})
    receive(api, d1)
    transfer_and_assign(api, d1)
    with_fee_paid(api, d1)  # requested by the specialist, paid online
    approve(api, d1)
    result_issued(api, d1)
    act(officer, d1, "return-online", {})
    evaluate(api("citizen.an"), d1, {"satisfied": True, "comment": "Nhanh chóng"})

    d2 = submit_for(api, SMALL_PERMIT, {"method": "desk"})
    receive(api, d2)
    transfer_and_assign(api, d2)
    approve(api, d2)
    result_issued(api, d2)
    act(officer, d2, "return-at-desk", {"received_by": "Lê Văn Cường"})
    evaluate(api("citizen.an"), d2, {"satisfied": True})

    d3 = submit_for(api, FULL_ONLINE, {"method": "online"}, citizen="citizen.binh")
    receive(api, d3)
    transfer_and_assign(api, d3)
    approve(api, d3)
    result_issued(api, d3)
    act(officer, d3, "return-online", {})
    evaluate(api("citizen.binh"), d3, {"satisfied": True})
    amended = evaluate(api("citizen.binh"), d3, {"satisfied": False, "comment": "Phải đi lại nhiều lần"})
    assert amended["evaluation"]["amendments"] == 1

    d4 = desk_submit(api, "officer.hanoi", TRAINING)
    receive(api, d4)
    transfer_and_assign(api, d4)
    act(specialist, d4, "request-fee", {"amount_vnd": FEE, "purpose": FEE_PURPOSE})
    paid = act(officer, d4, "record-payment", {"amount_vnd": FEE, "method": "cash", "receipt_number": "BL-0001"})
    assert paid["fee"]["payment"]["method"] == "cash"
    approve(api, d4)
    result_issued(api, d4)
    act(officer, d4, "return-at-desk", {"received_by": "Lê Văn Cường"})

    d5 = desk_submit(api, "officer.hanoi", TRAINING)
    receive(api, d5)
    late_with_an_apology(api, aws, stack, d5)
    transfer_and_assign(api, d5)
    approve(api, d5)
    result_issued(api, d5)

    d6 = submit(api, "citizen.binh", SMALL_PERMIT)
    refused = act(officer, d6, "refuse", {"reason": "Hồ sơ không thuộc thẩm quyền giải quyết của Sở"})
    assert refused["status"] == "refused"

    new_officer = make_user("officer", HANOI)
    d7 = desk_submit(api, new_officer, SMALL_PERMIT)
    receive(api, d7, new_officer)

    d8 = submit(api, "citizen.an", SMALL_PERMIT)
    supplement_round(api, d8, "citizen.an", SMALL_PERMIT)
    supplement_round(api, d8, "citizen.an", SMALL_PERMIT)
    receive(api, d8)
    transfer_and_assign(api, d8)
    act(specialist, d8, "propose", {"assessment": "Không đủ điều kiện", "proposal": "reject"})
    rejected = act(leader, d8, "reject", {"reason": "Doanh nghiệp không đủ điều kiện"})
    assert rejected["status"] == "rejected"

    card = wait_for_counters(api(), EXPECTED_COUNTERS)
    return {"dossiers": [d1, d2, d3, d4, d5, d6, d7, d8], "new_officer": new_officer, "card": card}


# --------------------------------------------------------------------------- nothing counted yet


def test_an_agency_with_nothing_counted_has_no_rates_and_no_points_never_zero(api):
    card = card_json(api(), agency=HCM)
    assert card["agency"] == HCM and card["counters"] == {} and card["desk_officers"] == 0
    on_time = indicators_of(card)["progress.on_time"]
    assert (on_time["numerator"], on_time["denominator"], on_time["rate"]) == (0.0, 0.0, None)
    assert (on_time["points"], on_time["has_data"]) == (None, False)
    assert on_time["why_no_data"]["code"] == "nothing_to_measure"  # measured, but nothing ended in the period
    # Measured from feedback items (docs/feedback.md): none closed in the period is nothing to measure.
    feedback = indicators_of(card)["satisfaction.feedback_on_time"]
    assert feedback["why_no_data"]["code"] == "nothing_to_measure" and "phản ánh" in feedback["why_no_data"]["vi"]
    progress = next(g for g in card["groups"] if g["id"] == "progress")
    assert (progress["score"], progress["measured_max"]) == (None, 0)
    satisfaction = targets_of(card)["target.satisfaction"]
    assert (satisfaction["actual"], satisfaction["met"], satisfaction["has_data"]) == (None, None, False)
    # Measured from the desk's queue tickets: nobody called in the period is nothing to measure, not a 0-minute wait.
    waiting = targets_of(card)["target.waiting_minutes"]
    assert (waiting["numerator"], waiting["denominator"], waiting["actual"]) == (0.0, 0.0, None)
    assert waiting["why_no_data"]["code"] == "nothing_to_measure" and "called" in waiting["why_no_data"]["en"]


# --------------------------------------------------------------------------- the public scorecard


@pytest.mark.parametrize("which", ["quarter", "rolling-30d"])
def test_the_public_scorecard_shows_the_exact_rates_of_the_script(api, scenario, which):
    label, (first, last) = next((k, v) for k, v in periods_now().items()
                                if (k == "rolling-30d") == (which == "rolling-30d"))
    days = (last - first).days + 1
    card = card_json(api(), period=label)  # anonymous: the scorecard is public
    assert card["agency"] == HANOI and card["rescored"] is False
    assert card["period"] == {"label": label, "from": first.isoformat(), "to": last.isoformat(), "days": days}
    assert counted(card) == EXPECTED_COUNTERS
    assert isinstance(card["counters"]["processing_minutes"], int) and card["counters"]["processing_minutes"] >= 0
    assert card["desk_officers"] == DESK_OFFICERS

    indicators = indicators_of(card)
    for indicator_id, (numerator, denominator, rate, points) in expected_indicators().items():
        got = indicators[indicator_id]
        assert (got["numerator"], got["denominator"]) == (numerator, denominator), got
        assert got["rate"] == pytest.approx(rate) and got["points"] == pytest.approx(points), got
        assert got["has_data"] is True
    for indicator_id in NO_DATA_INDICATORS:
        got = indicators[indicator_id]
        assert (got["rate"], got["points"], got["has_data"]) == (None, None, False), got
        assert got["why_no_data"]["code"] in ("not_measured", "nothing_to_measure") and got["why_no_data"]["en"], got
    hours = indicators["progress.processing_hours"]
    assert hours["denominator"] == 6 and hours["points"] is None and hours["has_data"] is True
    assert hours["rate"] == pytest.approx(card["counters"]["processing_minutes"] / 6 / 60)

    # The catalogue's part: Hà Nội's published procedures (all offered online), two of which received
    # a dossier online in the script.
    procedures = api().get("/procedures", params={"agency": HANOI, "limit": 100}).json()["items"]
    online = sum(1 for p in procedures if p["online_level"] in ("full", "partial"))
    assert (card["catalogue"]["procedures"], card["catalogue"]["online"]) == (len(procedures), online)
    assert card["catalogue"]["online_used"] == ONLINE_USED
    used = indicators["online.services_used"]
    assert (used["numerator"], used["denominator"]) == (ONLINE_USED, online)
    assert used["points"] == pytest.approx(4.4 * ONLINE_USED / online)

    groups = {g["id"]: g for g in card["groups"]}
    expected = expected_indicators()
    assert groups["progress"]["score"] == pytest.approx(expected["progress.on_time"][3])
    assert groups["progress"]["measured_max"] == 20  # the average processing time carries no points
    assert groups["satisfaction"]["score"] == pytest.approx(expected["satisfaction.reception_resolution"][3])
    assert groups["satisfaction"]["measured_max"] == 6
    assert groups["digitisation"]["score"] == pytest.approx(8 + 7) and groups["digitisation"]["measured_max"] == 22
    procedures_online = 4.4 if online / len(procedures) >= 0.8 else 4.4 * online / len(procedures) / 0.8
    # procedures online, services used, dossiers online (full), paid online (half), payment offered (full)
    assert groups["online"]["score"] == pytest.approx(procedures_online + 4.4 * ONLINE_USED / online + 4.4 + 2.2
                                                      + 4.4)
    assert groups["online"]["measured_max"] == pytest.approx(5 * 4.4)

    targets = targets_of(card)
    for target_id, (numerator, denominator, actual, met) in expected_targets(days).items():
        got = targets[target_id]
        assert (got["numerator"], got["denominator"], got["met"]) == (numerator, denominator, met), got
        assert got["actual"] == pytest.approx(actual), got
    for target_id in NO_DATA_TARGETS:
        assert (targets[target_id]["actual"], targets[target_id]["met"], targets[target_id]["has_data"]) == (
            None, None, False)
    measures = {m["id"]: m for m in card["measures"]}
    assert {m: v["rate"] for m, v in measures.items()} == EXPECTED_MEASURES
    assert all((m["numerator"], m["denominator"], m["points"], m["has_data"]) == (m["rate"], None, None, True)
               for m in measures.values())

    rescored = card_json(api(), period=label, rescore="true")
    assert rescored["rescored"] is True
    assert {k: v for k, v in rescored.items() if k not in ("rescored", "items_read")} == {
        k: v for k, v in card.items() if k not in ("rescored", "items_read")}


def test_months_and_years_that_hold_today_count_the_same_and_others_count_nothing(api, scenario):
    today = local_today()
    for label in (f"{today:%Y-%m}", str(today.year)):
        assert counted(card_json(api(), period=label)) == EXPECTED_COUNTERS, label
    for label in (str(today.year - 1), f"{today.year + 1}-Q1"):
        card = card_json(api(), period=label)
        assert card["counters"] == {} and indicators_of(card)["progress.on_time"]["has_data"] is False, label


# --------------------------------------------------------------------------- exports


def test_the_scorecard_csv_export_holds_the_same_numbers(api, scenario):
    label = next(iter(periods_now()))  # the current quarter
    response = scorecard(api(), period=label, format="csv")
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == f'attachment; filename="scorecard-{HANOI}-{label}.csv"'
    tables = csv_tables(response)
    assert list(tables) == ["indicators", "measures", "groups", "targets"]
    assert {r["measure"]: number(r["value"]) for r in tables["measures"]} == EXPECTED_MEASURES
    card = card_json(api(), period=label)
    assert [r["indicator"] for r in tables["indicators"]] == [i["id"] for g in card["groups"] for i in g["indicators"]]
    rows = {r["indicator"]: r for r in tables["indicators"]}
    for indicator_id, expected in expected_indicators().items():
        check_numbers(rows[indicator_id], *expected)
    assert rows["progress.on_time"]["name"] == "Hồ sơ giải quyết trước và đúng hạn"
    assert rows["progress.on_time"]["group"] == "progress" and number(rows["progress.on_time"]["max_points"]) == 20
    for indicator_id in NO_DATA_INDICATORS:
        assert (rows[indicator_id]["rate"], rows[indicator_id]["points"]) == ("", ""), rows[indicator_id]
    groups = {r["group"]: r for r in tables["groups"]}
    assert number(groups["progress"]["score"]) == pytest.approx(20 * 5 / 7)
    assert number(groups["digitisation"]["score"]) == pytest.approx(15)
    assert {g: number(r["max"]) for g, r in groups.items()} == {"publicity": 18, "progress": 20, "online": 22,
                                                               "digitisation": 22, "satisfaction": 18}
    targets = {r["target"]: r for r in tables["targets"]}
    first, last = periods_now()[label]
    for target_id, expected in expected_targets((last - first).days + 1).items():
        check_numbers(targets[target_id], *expected, last="met")
    for target_id in NO_DATA_TARGETS:
        assert targets[target_id]["actual"] == "" and targets[target_id]["met"] == ""

    by_accept = scorecard(api(), period=label, headers={"Accept": "text/csv"})
    assert by_accept.status_code == 200 and by_accept.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert by_accept.content == response.content
    english = csv_tables(scorecard(api("citizen.an", language="en"), period=label, format="csv"))
    assert {r["indicator"]: r["name"] for r in english["indicators"]}["progress.on_time"] == (
        "Dossiers ended on or before the appointment date")


def test_the_scorecard_excel_export_opens_and_holds_the_same_numbers(api, scenario):
    response = scorecard(api(), period="rolling-30d", format="xlsx")
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"] == XLSX
    assert response.headers["Content-Disposition"] == f'attachment; filename="scorecard-{HANOI}-rolling-30d.xlsx"'
    tables = xlsx_tables(response)
    assert list(tables) == ["indicators", "measures", "groups", "targets"]
    assert {r["measure"]: r["value"] for r in tables["measures"]} == EXPECTED_MEASURES
    assert openpyxl.load_workbook(io.BytesIO(response.content)).properties.title == f"scorecard-{HANOI}-rolling-30d"
    rows = {r["indicator"]: r for r in tables["indicators"]}
    for indicator_id, expected in expected_indicators().items():
        check_numbers(rows[indicator_id], *expected)
    for indicator_id in NO_DATA_INDICATORS:
        assert (rows[indicator_id]["rate"], rows[indicator_id]["points"]) == (None, None)
    groups = {r["group"]: r for r in tables["groups"]}
    assert groups["satisfaction"]["score"] == pytest.approx(expected_indicators()[
        "satisfaction.reception_resolution"][3])
    targets = {r["target"]: r for r in tables["targets"]}
    for target_id, expected in expected_targets(30).items():
        check_numbers(targets[target_id], *expected, last="met")
    assert targets["target.satisfaction"]["met"] is False and targets["target.online_share"]["met"] is True

    by_accept = scorecard(api(), period="rolling-30d", headers={"Accept": XLSX})
    assert by_accept.status_code == 200 and by_accept.headers["Content-Type"] == XLSX
    assert xlsx_tables(by_accept) == tables


# --------------------------------------------------------------------------- the officers' indicator table


def test_on_time_in_total_per_procedure_unit_officer_and_day(api, scenario):
    officer = api("officer.hanoi")
    total = indicator(officer, "progress.on_time", period="rolling-30d").json()
    assert (total["agency"], total["indicator"], total["group_by"], total["procedure"]) == (
        HANOI, "progress.on_time", None, None)
    assert total["name_en"] == "Dossiers ended on or before the appointment date"
    (row,) = total["rows"]
    assert (row["key"], row["numerator"], row["denominator"]) == ("total", ON_TIME, ENDED)
    assert row["rate"] == pytest.approx(5 / 7) and row["points"] == pytest.approx(20 * 5 / 7)

    label = next(iter(periods_now()))
    by_procedure = indicator(officer, "progress.on_time", period=label, group_by="procedure").json()
    assert by_procedure["period"]["label"] == label
    assert [(r["key"], r["numerator"], r["denominator"]) for r in by_procedure["rows"]] == [
        (code, *counts) for code, counts in sorted(ON_TIME_BY_PROCEDURE.items())]
    for r in by_procedure["rows"]:
        on_time, ended = ON_TIME_BY_PROCEDURE[r["key"]]
        assert r["rate"] == pytest.approx(on_time / ended) and r["points"] == pytest.approx(20 * on_time / ended)

    one = indicator(officer, "progress.on_time", period=label, group_by="procedure", procedure=SMALL_PERMIT).json()
    assert [(r["key"], r["numerator"], r["denominator"]) for r in one["rows"]] == [(SMALL_PERMIT, 2, 3)]
    only = indicator(officer, "progress.on_time", period=label, procedure=SMALL_PERMIT).json()
    assert [(r["key"], r["numerator"], r["denominator"]) for r in only["rows"]] == [("total", 2, 3)]

    by_unit = indicator(officer, "progress.on_time", period=label, group_by="unit").json()
    # Everything that ended after its transfer to the unit: D1..D5 and D8 (D6 was refused before).
    assert [(r["key"], r["numerator"], r["denominator"]) for r in by_unit["rows"]] == [(UNIT, 4, 6)]

    by_officer = indicator(officer, "progress.on_time", period=label, group_by="officer").json()
    rows = {r["key"]: r for r in by_officer["rows"]}
    assert [r["key"] for r in by_officer["rows"]] == sorted([scenario["new_officer"], "officer.hanoi",
                                                             "specialist.hanoi"])
    # An ending is the assigned specialist's (D1..D5, D8; D5 and D8 late), else who ended it (D6, refused).
    assert (rows["specialist.hanoi"]["numerator"], rows["specialist.hanoi"]["denominator"]) == (4, 6)
    assert rows["specialist.hanoi"]["points"] == pytest.approx(20 * 4 / 6)
    assert (rows["officer.hanoi"]["numerator"], rows["officer.hanoi"]["denominator"]) == (1, 1)
    assert rows["officer.hanoi"]["points"] == 20
    newcomer = rows[scenario["new_officer"]]  # received D7 only: nothing ended, no rate
    assert (newcomer["numerator"], newcomer["denominator"], newcomer["rate"], newcomer["has_data"]) == (
        0, 0, None, False)

    today = local_today()
    by_day = indicator(officer, "progress.on_time", period="rolling-30d", group_by="day").json()
    assert [r["key"] for r in by_day["rows"]] == [(today - timedelta(days=29 - i)).isoformat() for i in range(30)]
    assert [(r["numerator"], r["denominator"]) for r in by_day["rows"]] == [(0, 0)] * 29 + [(ON_TIME, ENDED)]
    assert [r["has_data"] for r in by_day["rows"]] == [False] * 29 + [True]
    month_days = indicator(officer, "progress.on_time", period=f"{today:%Y-%m}", group_by="day",
                           procedure=TRAINING).json()["rows"]
    assert len(month_days) == calendar.monthrange(today.year, today.month)[1]
    assert {r["key"]: (r["numerator"], r["denominator"]) for r in month_days}[today.isoformat()] == (1, 2)


def test_plain_counts_per_procedure_and_officer(api, scenario):
    officer = api("officer.hanoi")
    late = indicator(officer, "count.ended_late", group_by="procedure").json()
    assert {r["key"]: r["numerator"] for r in late["rows"]} == LATE_BY_PROCEDURE
    assert all(r["points"] is None and r["denominator"] is None for r in late["rows"])
    received = indicator(officer, "count.received", group_by="officer", period=str(local_today().year)).json()
    assert {r["key"]: r["numerator"] for r in received["rows"]} == {
        "officer.hanoi": 6, scenario["new_officer"]: 1, "specialist.hanoi": 0}
    (total,) = indicator(officer, "count.not_satisfied").json()["rows"]
    assert (total["key"], total["numerator"]) == ("total", 1)
    rows = csv_tables(indicator(officer, "count.ended_late", group_by="procedure", format="csv"))["rows"]
    assert {r["procedure"]: number(r["numerator"]) for r in rows} == LATE_BY_PROCEDURE


def test_the_indicator_table_exports_as_csv_and_excel(api, scenario):
    officer = api("specialist.hanoi")  # any staff of the agency
    response = indicator(officer, "progress.on_time", period="rolling-30d", group_by="procedure", format="csv")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="progress.on_time-{HANOI}-rolling-30d.csv"')
    rows = csv_tables(response)["rows"]
    assert [r["procedure"] for r in rows] == sorted(ON_TIME_BY_PROCEDURE)
    for r in rows:
        on_time, ended = ON_TIME_BY_PROCEDURE[r["procedure"]]
        check_numbers(r, on_time, ended, on_time / ended, 20 * on_time / ended)
        assert number(r["threshold"]) == 1.0 and number(r["max_points"]) == 20

    response = indicator(officer, "progress.on_time", period="rolling-30d", group_by="officer", format="xlsx")
    assert response.headers["Content-Type"] == XLSX
    rows = {r["officer"]: r for r in xlsx_tables(response)["rows"]}
    check_numbers(rows["specialist.hanoi"], 4, 6, 4 / 6, 20 * 4 / 6)
    check_numbers(rows["officer.hanoi"], 1, 1, 1.0, 20)
    check_numbers(rows[scenario["new_officer"]], 0, 0, None, None)

    response = indicator(officer, "progress.on_time", period="rolling-30d", headers={"Accept": "text/csv"})
    (total,) = csv_tables(response)["rows"]
    check_numbers(total, ON_TIME, ENDED, 5 / 7, 20 * 5 / 7)
    assert total["total"] == "total"


def test_who_may_read_an_indicator(api, scenario):
    path = "progress.on_time"
    assert api().get(f"/metrics/indicators/{path}", params={"agency": HANOI}).status_code == 401
    problem(api("citizen.an").get(f"/metrics/indicators/{path}", params={"agency": HANOI}), 403, "role_not_allowed")
    problem(api("officer.hcm").get(f"/metrics/indicators/{path}", params={"agency": HANOI}), 403, "wrong_agency")
    problem(api("officer.hcm").get(f"/metrics/indicators/{path}", params={"agency": HANOI, "format": "csv"}), 403,
            "wrong_agency")
    own = indicator(api("officer.hcm"), path).json()  # no agency: their own, where nothing was counted
    assert own["agency"] == HCM and [(r["numerator"], r["denominator"], r["rate"]) for r in own["rows"]] == [
        (0, 0, None)]
    for staff in ("officer.hanoi", "leader.hanoi", "specialist.hanoi"):
        (row,) = indicator(api(staff), path).json()["rows"]  # their own agency by default
        assert (row["numerator"], row["denominator"]) == (ON_TIME, ENDED), staff
    (row,) = indicator(api("admin"), path, agency=HANOI).json()["rows"]
    assert (row["numerator"], row["denominator"]) == (ON_TIME, ENDED)
    assert bad_query(api("admin").get(f"/metrics/indicators/{path}")) == [("agency", "field.required")]


def test_an_unknown_indicator_is_404_and_bad_parameters_are_400_field_by_field(api, scenario):
    officer = api("officer.hanoi")
    problem(officer.get("/metrics/indicators/progress.nonsense"), 404, "indicator_not_found")
    problem(api("admin").get("/metrics/indicators/nope", params={"agency": HANOI}), 404, "indicator_not_found")

    def errors(**params) -> list[tuple[str, str]]:
        return bad_query(officer.get("/metrics/indicators/progress.on_time", params=params))

    assert errors(period="2026-Q5") == [("period", "metrics.period")]
    assert errors(period="2026-13") == [("period", "metrics.period")]
    assert errors(period="1999") == [("period", "metrics.period")]
    assert errors(period="rolling-7d") == [("period", "metrics.period")]
    assert errors(group_by="week") == [("group_by", "field.choice")]
    assert errors(format="pdf") == [("format", "field.choice")]
    assert errors(rescore="yes") == [("rescore", "field.choice")]
    assert errors(colour="blue") == [("colour", "field.unknown")]
    assert errors(group_by="unit", procedure=SMALL_PERMIT) == [("procedure", "metrics.procedure_with_group")]
    assert errors(group_by="officer", procedure=SMALL_PERMIT) == [("procedure", "metrics.procedure_with_group")]
    assert errors(agency="000.00.99.X99") == [("agency", "agency.unknown")]
    assert errors(period="2026-Q9", format="doc", rescore="1", foo="x") == sorted(
        [("period", "metrics.period"), ("format", "field.choice"), ("rescore", "field.choice"),
         ("foo", "field.unknown")])
    body = problem(officer.get("/metrics/indicators/progress.on_time", params={"group_by": "week"}), 400)
    assert body["errors"][0]["params"] == {"choices": "procedure, unit, officer or day"}

    public = api()
    assert bad_query(public.get("/metrics/scorecard")) == [("agency", "field.required")]
    assert bad_query(scorecard(public, period="2026-W01")) == [("period", "metrics.period")]
    assert bad_query(scorecard(public, format="html")) == [("format", "field.choice")]
    assert bad_query(scorecard(public, group_by="day")) == [("group_by", "field.unknown")]
    assert bad_query(scorecard(public, agency="nope")) == [("agency", "agency.unknown")]


# --------------------------------------------------------------------------- duplicates and the rebuild


def metrics_queue(stack, aws) -> str:
    return queue_url(stack, aws, "MetricsQueue")


def metrics_drained(stack, aws) -> None:
    queue, dlq = metrics_queue(stack, aws), queue_url(stack, aws, "MetricsDLQ")
    wait_for(lambda: in_queue(aws, queue) == 0, timeout=COUNT_WAIT, what="the metrics queue to drain")
    assert in_queue(aws, dlq) == 0, "nothing the metrics consumer could not count"


def comparable(card: dict) -> dict:
    return {k: v for k, v in card.items() if k != "items_read"}


def test_events_delivered_again_are_not_counted_twice(api, stack, aws, scenario):
    d1 = scenario["dossiers"][0]
    metrics_drained(stack, aws)
    before = {label: card_json(api(), period=label) for label in periods_now()}
    history = fetch(api("citizen.an"), d1, "/history")["events"]
    # As its rule would: only the types the metrics fold reads (not D1's fee request).
    delivered = [e for e in history if e["type"] in rule_event_types()["MetricsRule"]]
    assert 0 < len(delivered) < len(history)
    for _ in range(2):
        replayed = operator(stack, "replay", "metrics", "--dossier", d1["id"]).stdout
        assert replayed.startswith(f"Replayed {len(delivered)} event(s) to metrics"), replayed
    metrics_drained(stack, aws)
    for label, card in before.items():
        after = card_json(api(), period=label)
        assert comparable(after) == comparable(card), label
        assert counted(after) == EXPECTED_COUNTERS


def test_the_rebuild_from_the_event_log_gives_the_same_numbers_and_nothing_is_counted_twice_after(api, stack, aws,
                                                                                                 scenario):
    metrics_drained(stack, aws)
    before = {label: card_json(api(), period=label) for label in periods_now()}
    d7, new_officer = scenario["dossiers"][6], scenario["new_officer"]

    # An event waits in the paused consumer's queue while the log is recounted: the rebuild counts it
    # from the log, and the consumer must then recognise it as already counted.
    pause = Path(stack["PUMP_CONTROL_DIR"]) / "pause-metrics"
    try:
        pause.touch()
        time.sleep(1.5)  # a receive already waiting (1 s long poll) ends before anything is published
        act(api(new_officer), d7, "transfer", {"unit": UNIT})
        wait_for(lambda: in_queue(aws, metrics_queue(stack, aws)) >= 1, what="the transfer in the paused queue")
        events_before = sum(len(fetch(api("officer.hanoi"), d, "/history")["events"]) for d in scenario["dossiers"])
        rebuilt = operator(stack, "metrics-rebuild", "--settle-seconds", "0.5").stdout
    finally:
        pause.unlink(missing_ok=True)
    match = re.match(r"Metrics rebuilt from (\d+) events of (\d+) dossiers: generation (\d+) \((\d+) items\)", rebuilt)
    assert match, rebuilt
    assert int(match[2]) == len(scenario["dossiers"]) and int(match[3]) == 2
    assert int(match[1]) >= events_before, rebuilt
    assert not pause.exists(), "the rebuild resumes the consumer"
    metrics_drained(stack, aws)

    expected = {**EXPECTED_COUNTERS, "handovers": 24, "handovers_electronic": 24}  # D7's transfer, once
    for label, card in before.items():
        after = card_json(api(), period=label)
        assert counted(after) == expected, label
        assert after["counters"]["processing_minutes"] == card["counters"]["processing_minutes"]
        assert indicators_of(after) == indicators_of(card), "the transfer moves no indicator"
        targets = targets_of(after)
        assert (targets["target.e_routing"]["numerator"], targets["target.e_routing"]["denominator"]) == (24, 24)
        assert {t: v for t, v in targets.items() if t != "target.e_routing"} == {
            t: v for t, v in targets_of(card).items() if t != "target.e_routing"}
        assert after["desk_officers"] == DESK_OFFICERS

    # Afterwards the consumer counts into the new generation, each event once, replayed or not.
    for _ in range(2):
        operator(stack, "replay", "metrics", "--dossier", d7["id"])
    metrics_drained(stack, aws)
    assert counted(card_json(api())) == expected
    (row,) = indicator(api("officer.hanoi"), "progress.on_time", group_by="unit").json()["rows"]
    assert (row["key"], row["numerator"], row["denominator"]) == (UNIT, 4, 6)


# --------------------------------------------------------------------------- what the source gets wrong


@pytest.mark.parametrize("accept", [None, "application/json"], ids=["no-accept-header", "accept-json"])
def test_format_xlsx_without_an_accept_that_takes_binary_is_406_with_what_to_send(api, scenario, accept):
    """API Gateway returns a binary body only to a request whose Accept names a binary type (or */*)."""
    response = scorecard(api(), period="rolling-30d", format="xlsx", headers={"Accept": accept})
    assert response.status_code == 406, response.text
    body = response.json()
    assert body["code"] == "xlsx_needs_accept" and XLSX in body["detail"]


def test_a_late_dossier_apologised_for_then_paused_for_a_fee_still_ends_late(api, aws, stack, scenario):
    """Runs last: it adds a dossier of a procedure nobody else uses, and reads only that procedure."""
    officer, specialist = api("officer.hanoi"), api("specialist.hanoi")
    dossier = submit_for(api, LATE_AFTER_APOLOGY, {"method": "online"})
    receive(api, dossier)
    received_due = local_today() - timedelta(days=20)
    move_reception_due_date(api, aws, stack, dossier, received_due)
    run_scan(stack)
    act(officer, dossier, "apologise", {"new_due_date": working_day(5), "reason": "Cần xác minh thêm"})
    transfer_and_assign(api, dossier)
    act(specialist, dossier, "request-fee", {"amount_vnd": FEE, "purpose": FEE_PURPOSE})
    paused_at = iso(datetime.now(UTC) - timedelta(days=5))  # the applicant took five days to pay

    def paused_since(record: dict) -> None:
        record["paused_at"] = paused_at
        record["fee"]["requested_at"] = paused_at

    edit_stored_dossier(aws, stack, dossier["id"], paused_since)
    act(officer, dossier, "record-payment", {"amount_vnd": FEE, "method": "cash"})
    paid = fetch(officer, dossier, "/history")["events"][-1]
    assert paid["type"] == "dossier.fee_paid"
    # By the rules: the reception's date plus the working days the fee stopped the clock — still past.
    by_the_rules = working_calendar().extend_for_pause(received_due, parse_iso(paused_at), parse_iso(paid["at"]))
    assert by_the_rules < local_today()
    approve(api, dossier)

    def counted_for_the_procedure():
        (row,) = indicator(officer, "progress.on_time", procedure=LATE_AFTER_APOLOGY).json()["rows"]
        return row if row["denominator"] == 1 else None

    row = wait_for(counted_for_the_procedure, timeout=COUNT_WAIT, what="the approval to be counted")
    assert (row["numerator"], row["denominator"]) == (0, 1), (
        f"counted on time; fee_paid payload: {json.dumps(paid['payload'], ensure_ascii=False)}")
