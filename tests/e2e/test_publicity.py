"""The publicity indicators measured from what each procedure version records of its announcement: the decision, the
day it was signed and the day the procedure was published (docs/metrics.md "Publicity")."""

from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib.services.dossiers import working_calendar

from .test_procedure_versions import local_today, publishable

pytestmark = pytest.mark.e2e

# The Department of Overseas Labour's two procedures: no other end-to-end module publishes or submits them.
AGENCY, ON_TIME, LATE = "000.00.15.G07", "1.009880", "1.009873"


def working_days_before(day, n: int):
    calendar = working_calendar()
    while n:
        day -= timedelta(days=1)
        n -= calendar.is_working_day(day)
    return day


def publish(api, code: str, announcement: dict) -> dict:
    current = api().get(f"/procedures/{code}").json()
    response = api("admin").post("/procedures", publishable(current, effective_date=local_today().isoformat(),
                                                            announcement=announcement))
    assert response.status_code == 201, response.text
    return response.json()


def test_the_scorecard_judges_each_version_s_announcement_and_publication(api):
    today = local_today()
    signed = working_days_before(today, 25)  # 25 working days before taking effect: on time
    on_time = publish(api, ON_TIME, {"decision": "1201/QĐ-BLĐTBXH", "signed_on": signed.isoformat(),
                                     "published_on": working_calendar().add_working_days(signed, 3).isoformat()})
    assert on_time["announcement"]["decision"] == "1201/QĐ-BLĐTBXH"
    # Signed 10 working days before taking effect, and still not published 10 working days on: late twice.
    publish(api, LATE, {"decision": "1388/QĐ-BLĐTBXH", "signed_on": working_days_before(today, 10).isoformat()})
    card = api().get("/metrics/scorecard", params={"agency": AGENCY, "period": "rolling-30d"}).json()
    facts = card["catalogue"]
    assert (facts["announced"], facts["announced_on_time"]) == (2, 1)
    assert (facts["published_due"], facts["published_on_time"]) == (2, 1)
    indicators = {i["id"]: i for g in card["groups"] for i in g["indicators"]}
    for indicator in ("publicity.announced_on_time", "publicity.published_on_time"):
        got = indicators[indicator]
        assert (got["numerator"], got["denominator"], got["rate"], got["has_data"]) == (1, 2, 0.5, True), got
        assert got["points"] == pytest.approx(4.5 * 0.5)


def test_a_publication_day_before_the_decision_is_refused(api):
    current = api().get(f"/procedures/{ON_TIME}").json()
    today = local_today()
    response = api("admin").post("/procedures", publishable(current, effective_date=today.isoformat(), announcement={
        "decision": "1/QĐ-BLĐTBXH", "signed_on": today.isoformat(),
        "published_on": (today - timedelta(days=1)).isoformat()}))
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["code"] == "procedure.published_before_announced"
