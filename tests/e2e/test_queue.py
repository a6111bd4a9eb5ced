"""Desk queue tickets over HTTP (docs/queue.md): a ticket taken without an account, seen on the desk, called to a
counter and shown on the hall's display, served and closed with the dossier received, and its waiting time on the
agency's scorecard against the ministry's 15 minutes."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import BaseModel

from chalicelib.api import responses as models
from chalicelib.domain.times import iso

from .test_dossier_flow import submit
from .test_processing import HANOI, problem

pytestmark = pytest.mark.e2e

SERVICE = "tra-ket-qua"  # Hà Nội's "collecting results" line: no other test takes tickets
COUNT_WAIT = 45


def valid(model: type[BaseModel], response, status: int = 200) -> dict:
    assert response.status_code == status, response.text
    model.model_validate_json(response.content, strict=True)
    return response.json()


def scorecard(api) -> dict:
    card = api().get("/metrics/scorecard", params={"agency": HANOI, "period": "rolling-30d"})
    assert card.status_code == 200, card.text
    return card.json()


def wait_for_counts(api, before: dict, moved: dict) -> dict:
    """The scorecard once each counter of `moved` has grown by its amount (counting is asynchronous)."""
    deadline = time.monotonic() + COUNT_WAIT
    while True:
        card = scorecard(api)
        now = card["counters"]
        if all(now.get(k, 0) - before.get(k, 0) >= v for k, v in moved.items()):
            return card
        if time.monotonic() > deadline:
            pytest.fail(f"counters never moved by {moved}: before {before}, now {now}")
        time.sleep(0.3)


def taken_earlier(aws, stack, ticket_id: str, minutes: int) -> None:
    """Behind the API, as a morning in the hall would: the ticket was taken `minutes` ago."""
    earlier = iso(datetime.now(UTC) - timedelta(minutes=minutes))
    aws("dynamodb").update_item(TableName=stack["QUEUE_TABLE"], Key={"id": {"S": ticket_id}},
                                UpdateExpression="SET taken_at = :t", ExpressionAttributeValues={":t": {"S": earlier}})


def test_a_ticket_is_taken_called_and_served_with_its_waiting_time_on_the_scorecard(api, aws, stack):
    before = scorecard(api)["counters"]
    services = valid(models.DeskServices, api().get("/queue/services", params={"agency": HANOI}))
    assert SERVICE in {s["id"] for s in services["services"]}

    ticket = valid(models.QueueTicket, api().post("/queue/tickets", {"agency_code": HANOI, "service": SERVICE}), 201)
    assert ticket["number"].startswith("D") and ticket["status"] == "waiting"
    assert ticket["follow_url"].endswith(f"#/queue/tickets/{ticket['id']}")
    followed = valid(models.QueueTicket, api().get(f"/queue/tickets/{ticket['id']}"))
    assert (followed["number"], followed["people_ahead"]) == (ticket["number"], ticket["people_ahead"])
    taken_earlier(aws, stack, ticket["id"], 12)

    officer = api("officer.hanoi")
    desk = valid(models.TicketQueue, officer.get("/desk/queue"))
    line = next(line for line in desk["lines"] if line["service"] == SERVICE)
    assert ticket["id"] in {row["id"] for row in line["waiting"]} and line["waiting_count"] >= 1

    called = valid(models.DeskTicket, officer.post("/desk/queue/call-next", {"counter": "4", "service": SERVICE}))
    while called["id"] != ticket["id"]:  # anything taken before it in this line is not this test's: let it go
        valid(models.DeskTicket, officer.post(f"/desk/queue/tickets/{called['id']}/no-show"))
        called = valid(models.DeskTicket, officer.post("/desk/queue/call-next", {"counter": "4", "service": SERVICE}))
    assert (called["status"], called["counter"], called["waiting_minutes"]) == ("called", "4", 12)
    assert called["allowed_steps"] == ["recall", "serve", "done", "no_show"]

    display = valid(models.QueueDisplay, api().get("/queue/display", params={"agency": HANOI}))
    shown = next(row for row in display["now"] if row["id"] == ticket["id"])
    assert (shown["number"], shown["counter"], shown["status"]) == (ticket["number"], "4", "called")
    assert ticket["id"] in {row["id"] for row in display["recent"]}
    assert "version" not in shown
    assert valid(models.QueueTicket, api().get(f"/queue/tickets/{ticket['id']}"))["counter"] == "4"

    recalled = valid(models.DeskTicket, officer.post(f"/desk/queue/tickets/{ticket['id']}/recall"))
    assert (recalled["calls"], recalled["waiting_minutes"]) == (2, 12)
    serving = valid(models.DeskTicket, officer.post(f"/desk/queue/tickets/{ticket['id']}/serve"))
    assert serving["status"] == "serving" and serving["allowed_steps"] == ["done"]
    dossier = submit(api)
    closed = valid(models.DeskTicket, officer.post(f"/desk/queue/tickets/{ticket['id']}/done",
                                                   {"dossier_code": dossier["code"]}))
    assert (closed["status"], closed["dossier_code"], closed["service_minutes"]) == ("done", dossier["code"], 0)
    problem(officer.post(f"/desk/queue/tickets/{ticket['id']}/no-show"), 409, "ticket_step_not_allowed")
    assert ticket["id"] not in {row["id"] for row in
                                valid(models.TicketQueue, officer.get("/desk/queue"))["in_service"]}

    card = wait_for_counts(api, before, {"visits": 1, "visits_called": 1, "waiting_minutes": 12, "visits_served": 1,
                                         "visits_with_dossier": 1})
    waiting = next(t for t in card["targets"] if t["id"] == "target.waiting_minutes")
    assert waiting["has_data"] is True and waiting["why_no_data"] is None and waiting["target"] == 15
    assert waiting["denominator"] >= 1 and waiting["numerator"] >= 12
    assert waiting["actual"] == pytest.approx(waiting["numerator"] / waiting["denominator"])
    measures = {m["id"]: m["rate"] for m in card["measures"]}
    assert measures["count.visits_served"] >= 1


def test_bad_queue_requests_get_a_problem_for_each_field_and_the_desk_is_the_agencys_staffs(api):
    bad = problem(api().post("/queue/tickets", {"agency_code": HANOI, "service": "no-such-service"}), 422)
    assert [(e["field"], e["code"]) for e in bad["errors"]] == [("service", "queue.service_unknown")]
    unknown = problem(api().post("/queue/tickets", {"agency_code": "000.00.99.X99", "service": SERVICE}), 422)
    assert [(e["field"], e["code"]) for e in unknown["errors"]] == [("agency_code", "agency.unknown")]
    shape = problem(api().post("/queue/tickets", {"agency_code": HANOI, "service": "A B", "extra": 1}), 422)
    assert {e["field"] for e in shape["errors"]} == {"service", "extra"}
    problem(api().get("/queue/display", params={"agency": "nowhere"}), 400, "bad_query")
    problem(api().get("/queue/tickets/01ARZ3NDEKTSV4RRFFQ69G5FAV"), 404, "ticket_not_found")
    problem(api().get("/desk/queue"), 401)
    problem(api("citizen.an").get("/desk/queue"), 403, "queue_desk_only")
    counter = problem(api("officer.hanoi").post("/desk/queue/call-next", {"counter": " "}), 422)
    assert [e["field"] for e in counter["errors"]] == ["counter"]
    ticket = api().post("/queue/tickets", {"agency_code": HANOI, "service": SERVICE}).json()
    problem(api("officer.hcm").post(f"/desk/queue/tickets/{ticket['id']}/recall"), 404, "ticket_not_found")
    problem(api("officer.hanoi").post(f"/desk/queue/tickets/{ticket['id']}/serve"), 409, "ticket_step_not_allowed")
