"""The demo quarter (`make run`, `make demo-quarter`) through the services against moto: a month of one agency's
work leaves data in every group of the index, each step taken at its own moment in the past, nothing refused."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import pytest

from chalicelib.domain.periods import parse_period
from chalicelib.services import metrics
from chalicelib.store.models import EventModel
from scripts.demo import DEMO_ACCOUNTS, TITLES
from scripts.demo_quarter import AGENCY, Quarter

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def quarter(provisioned):
    from chalicelib.store.staff import StaffMember, StaffStore

    store = StaffStore()
    for account in DEMO_ACCOUNTS:
        if account.group != "citizen" and store.get(f"sub-{account.username}") is None:
            store.create(StaffMember(id=f"sub-{account.username}", username=account.username, name=account.name,
                                     email=account.email, roles=(account.group,), agency_code=account.agency,
                                     unit=account.unit, title=TITLES.get(account.group)), {}, NOW.isoformat(), {})
    said: list[str] = []
    tally = Quarter(days=30, dossiers=14, feedback=5, now=NOW, say=said.append).run()
    return tally, said


def test_every_step_goes_through_and_each_kind_of_work_is_there(quarter):
    tally, said = quarter
    assert [line for line in said if "stopped" in line] == []
    assert tally.dossiers >= 14 and tally.feedback == 5 and tally.visits > 0
    assert {"online", "desk", "received elsewhere"} <= set(tally.kinds)


def test_the_events_are_dated_in_the_past_in_order(quarter):
    events = list(EventModel.scan())
    assert {e.type.split(".")[0] for e in events} == {"dossier", "feedback", "ticket"}
    by_key: dict[str, list] = {}
    for e in events:
        by_key.setdefault(e.dossier_id, []).append(e)
    for history in by_key.values():
        history.sort(key=lambda e: e.seq)
        assert [e.at for e in history] == sorted(e.at for e in history)
        assert history[-1].at < NOW.isoformat()


def test_the_scorecard_of_the_month_has_data_in_every_group(quarter):
    tally, _ = quarter
    metrics.rebuild()
    card = metrics.read_scorecard(AGENCY, parse_period("rolling-30d", NOW.date()), NOW.date())
    assert all(group["measured_max"] > 0 for group in card["groups"]), [(g["id"], g["measured_max"])
                                                                         for g in card["groups"]]
    counters = Counter(card["counters"])
    assert counters["feedback_filed"] == tally.feedback and counters["visits"] > tally.visits
    assert counters["received"] > 0 and counters["ended"] > 0 and counters["visits_called"] > 0
    waiting = next(t for t in card["targets"] if t["id"] == "target.waiting_minutes")
    assert waiting["has_data"] and 0 < waiting["actual"] < 60
