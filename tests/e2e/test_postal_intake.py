"""Channel 3: a dossier that came by public post, recorded by the desk with the post's tracking number and the day it
arrived; the statutory clock counts from that day, and the scorecard counts it in its channel."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from chalicelib.services.dossiers import working_calendar

from .test_dossier_flow import WORK_PERMIT, submission
from .test_processing import act, local_today, problem

pytestmark = pytest.mark.e2e


def posted(api, received_on: str, officer: str = "officer.hanoi"):
    body = {**submission(api, officer), "postal": {"tracking_number": "EB123456789VN", "received_on": received_on}}
    return api(officer).post("/dossiers", body, headers={"Idempotency-Key": str(uuid.uuid4())})


def working_days_ago(n: int):
    calendar, day = working_calendar(), local_today()
    while n:
        day -= timedelta(days=1)
        n -= calendar.is_working_day(day)
    return day


def test_a_dossier_that_came_by_post_counts_from_the_day_it_arrived(api):
    calendar = working_calendar()
    arrived = working_days_ago(2)
    response = posted(api, arrived.isoformat())
    assert response.status_code == 201, response.text
    dossier = response.json()
    assert dossier["channel"] == 3
    assert dossier["postal"] == {"tracking_number": "EB123456789VN", "received_on": arrived.isoformat()}
    received = act(api("officer.hanoi"), dossier, "receive", {"note": "Nhận qua bưu điện"})
    procedure = api().get(f"/procedures/{WORK_PERMIT}").json()
    period = procedure["processing_time"]
    assert period["unit"] == "working_days"
    # Counted from the day after it arrived, not from today's recording.
    assert received["due_date"] == calendar.add_working_days(arrived, period["value"]).isoformat()
    assert received["due_date"] < calendar.add_working_days(local_today(), period["value"]).isoformat()


def test_only_the_desk_records_post_and_never_a_day_to_come(api):
    tomorrow = working_calendar().add_working_days(local_today(), 1).isoformat()
    problem(posted(api, tomorrow), 422, "validation_detail")
    body = {**submission(api, "citizen.an"), "postal": {"tracking_number": "EB123456789VN",
                                                         "received_on": local_today().isoformat()}}
    refused = problem(api("citizen.an").post("/dossiers", body, headers={"Idempotency-Key": str(uuid.uuid4())}),
                      422, "validation_detail")
    assert refused["errors"][0]["field"] == "postal" and refused["errors"][0]["code"] == "postal.desk_only"
