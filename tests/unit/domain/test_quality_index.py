"""The index formulas against the worked examples of docs/metrics.md, computed by hand."""

from __future__ import annotations

from datetime import date

import pytest

from chalicelib.domain.quality import config_for, measure, points, scorecard

CONFIG = config_for(date(2026, 12, 31))
# docs/metrics.md, "A quarter at the Hà Nội department": the counters of one agency-quarter.
TOTALS = {"received": 40, "received_online": 18, "received_desk": 22, "digitised": 30, "ended": 25,
          "ended_on_time": 21, "ended_late": 4, "decided": 20, "processing_minutes": 90000, "not_satisfied": 2,
          "evaluated": 10, "results_issued": 18, "results_electronic": 18, "fee_paid": 5, "fee_paid_online": 1,
          "handovers": 90, "handovers_electronic": 90, "submitted": 40, "portal_synced": 36,
          "reused": 12, "reusable": 15, "not_asked_again": 9,
          "feedback_filed": 9, "feedback_closed": 8, "feedback_on_time": 6, "feedback_late": 2, "feedback_rated": 5,
          "feedback_satisfied": 4, "complained": 1,
          "visits": 130, "visits_called": 120, "waiting_minutes": 1560, "visits_served": 112, "visits_no_show": 8,
          "service_minutes": 1344}
CATALOGUE = {"procedures": 10, "online": 10, "complete": 9, "online_used": 4}


def _indicator(card: dict, indicator_id: str) -> dict:
    return next(i for g in card["groups"] for i in g["indicators"] if i["id"] == indicator_id)


def test_at_or_above_the_threshold_full_marks_below_it_rate_times_max_over_threshold():
    assert points(0.5, 4.4, 0.5) == 4.4
    assert points(0.9, 4.4, 0.5) == 4.4
    assert points(0.45, 4.4, 0.5) == pytest.approx(3.96)  # 0.45 × 4.4 ÷ 0.5
    assert points(0.84, 20, 1.0) == pytest.approx(16.8)  # threshold 100%: rate × max
    assert points(0.0, 6, 0.9) == 0.0
    assert points(None, 6, 0.9) is None


def test_nothing_measured_is_no_data_not_zero():
    assert measure("ended_on_time", "ended", "rate", {}, {}) == (0.0, 0.0, None)
    assert measure(None, None, "rate", TOTALS, CATALOGUE) == (None, None, None)
    assert measure("ended_late+not_satisfied", "ended", "complement", TOTALS, {}) == (6.0, 25.0,
                                                                                      pytest.approx(0.76))


def test_the_worked_quarter_scores_as_computed_by_hand():
    card = scorecard(CONFIG, TOTALS, CATALOGUE, officers=2, period_days=92)
    on_time = _indicator(card, "progress.on_time")
    assert (on_time["numerator"], on_time["denominator"], on_time["rate"], on_time["points"]) == (
        21, 25, pytest.approx(0.84), pytest.approx(16.8))
    online = _indicator(card, "online.dossiers_online")
    # 18/40 online, counted as far as the national portal has them: × 36/40 synced.
    assert (online["rate"], online["points"]) == (pytest.approx(0.405), pytest.approx(3.564))
    synced = _indicator(card, "publicity.synced")
    assert (synced["numerator"], synced["denominator"], synced["points"]) == (36, 40, pytest.approx(4.05))
    paid = _indicator(card, "online.paid_online")
    assert paid["points"] == pytest.approx(0.88)  # 1/5 × 4.4
    used = _indicator(card, "online.services_used")
    assert used["points"] == pytest.approx(1.76)  # 4/10 × 4.4
    assert _indicator(card, "online.procedures_online")["points"] == 4.4
    satisfaction = _indicator(card, "satisfaction.reception_resolution")
    # 100% − (4/25 late + (2 not satisfied + 1 complaint)/25) = 72% < 90%: 0.72 × 6 ÷ 0.9
    assert (satisfaction["rate"], satisfaction["points"]) == (pytest.approx(0.72), pytest.approx(4.8))
    digitised = _indicator(card, "digitisation.dossiers_digitised")
    assert (digitised["rate"], digitised["points"]) == (pytest.approx(0.75), pytest.approx(6.5625))
    assert _indicator(card, "publicity.complete")["points"] == pytest.approx(4.05)  # 0.9 × 4.5
    average = _indicator(card, "progress.processing_hours")
    assert (average["rate"], average["points"]) == (75.0, None)

    groups = {g["id"]: g for g in card["groups"]}
    assert groups["progress"]["score"] == pytest.approx(16.8) and groups["progress"]["max"] == 20
    assert groups["online"]["score"] == pytest.approx(4.4 + 1.76 + 3.564 + 0.88)
    assert groups["publicity"]["score"] == pytest.approx(4.05 + 4.05)
    assert groups["online"]["measured_max"] == pytest.approx(17.6), "online payment offered: no data yet"
    assert groups["digitisation"]["score"] == pytest.approx(8 + 6.5625 + 2.625)
    assert groups["digitisation"]["measured_max"] == 22
    assert groups["satisfaction"]["measured_max"] == 18
    assert groups["satisfaction"]["score"] == pytest.approx(4.5 + 4.8 + 4.8)
    assert card["total"]["score"] == pytest.approx(8.1 + 16.8 + 10.604 + 17.1875 + 14.1, abs=1e-3)
    assert card["total"]["max"] == 100


def test_reusing_papers_given_once_scores_as_computed_by_hand():
    card = scorecard(CONFIG, TOTALS, CATALOGUE, officers=2, period_days=92)
    reuse = _indicator(card, "digitisation.reuse")
    # 12 of the 40 dossiers received reused a stored paper: 30% < 80%, 0.3 × 7 ÷ 0.8
    assert (reuse["numerator"], reuse["denominator"], reuse["rate"], reuse["points"]) == (
        12, 40, pytest.approx(0.3), pytest.approx(2.625))
    target = next(t for t in card["targets"] if t["id"] == "target.reuse")
    # 15 applicants' stores held a paper one of their components could reuse; 9 of them were not asked again
    assert (target["numerator"], target["denominator"], target["actual"], target["met"]) == (
        9, 15, pytest.approx(0.6), False)
    nobody_could = scorecard(CONFIG, {**TOTALS, "reusable": 0, "not_asked_again": 0}, CATALOGUE, 2, 92)
    empty = next(t for t in nobody_could["targets"] if t["id"] == "target.reuse")
    assert empty["has_data"] is False and empty["why_no_data"]["code"] == "nothing_to_measure"
    assert "could reuse" in empty["why_no_data"]["en"]


def test_feedback_handled_on_time_and_satisfaction_with_it_score_as_computed_by_hand():
    card = scorecard(CONFIG, TOTALS, CATALOGUE, officers=2, period_days=92)
    on_time = _indicator(card, "satisfaction.feedback_on_time")
    # 6 of the 8 items closed in the quarter (refused or answered and published) had every step within its limit
    assert (on_time["numerator"], on_time["denominator"], on_time["points"]) == (6, 8, pytest.approx(4.5))
    handling = _indicator(card, "satisfaction.feedback_handling")
    assert (handling["numerator"], handling["denominator"], handling["points"]) == (4, 5, pytest.approx(4.8))
    none_closed = scorecard(CONFIG, {**TOTALS, "feedback_closed": 0, "feedback_on_time": 0}, CATALOGUE, 2, 92)
    assert _indicator(none_closed, "satisfaction.feedback_on_time")["why_no_data"]["code"] == "nothing_to_measure"


def test_the_ministrys_targets_show_actual_against_target():
    card = scorecard(CONFIG, TOTALS, CATALOGUE, officers=2, period_days=92)
    targets = {t["id"]: t for t in card["targets"]}
    assert (targets["target.online_share"]["actual"], targets["target.online_share"]["met"]) == (
        pytest.approx(0.45), False)
    assert targets["target.e_routing"]["met"] is True
    assert (targets["target.satisfaction"]["actual"], targets["target.satisfaction"]["met"]) == (
        pytest.approx(0.8), False)
    # 40 dossiers by 2 officers in 92 days = 20 each, 79.3 a year against 2,000.
    productivity = targets["target.desk_productivity"]
    assert productivity["actual"] == pytest.approx(20 * 365 / 92) and productivity["met"] is False
    assert targets["target.waiting_minutes"]["met"] is True  # 13 minutes per visit (below)


def test_the_waiting_time_per_visit_is_minutes_waited_over_visits_called_and_met_at_or_below_15():
    card = scorecard(CONFIG, TOTALS, CATALOGUE, officers=2, period_days=92)
    waiting = next(t for t in card["targets"] if t["id"] == "target.waiting_minutes")
    # 120 tickets called in the quarter, 1,560 minutes from taking each to its first call: 13 minutes a visit
    assert (waiting["numerator"], waiting["denominator"], waiting["actual"], waiting["target"], waiting["met"]) == (
        1560, 120, pytest.approx(13.0), 15, True)
    slower = scorecard(CONFIG, {**TOTALS, "waiting_minutes": 1920}, CATALOGUE, 2, 92)
    late = next(t for t in slower["targets"] if t["id"] == "target.waiting_minutes")
    assert (late["actual"], late["met"]) == (pytest.approx(16.0), False)  # above 15: not met
    on_the_line = scorecard(CONFIG, {**TOTALS, "waiting_minutes": 1800}, CATALOGUE, 2, 92)
    assert next(t for t in on_the_line["targets"] if t["id"] == "target.waiting_minutes")["met"] is True
    nobody_called = scorecard(CONFIG, {**TOTALS, "visits_called": 0, "waiting_minutes": 0}, CATALOGUE, 2, 92)
    empty = next(t for t in nobody_called["targets"] if t["id"] == "target.waiting_minutes")
    assert (empty["actual"], empty["met"], empty["why_no_data"]["code"]) == (None, None, "nothing_to_measure")
    assert "called" in empty["why_no_data"]["en"]
    measures = {m["id"]: m["rate"] for m in card["measures"]}
    assert (measures["count.visits"], measures["count.visits_served"], measures["count.visits_no_show"]) == (
        130, 112, 8)


def test_an_indicator_without_data_says_why_and_one_with_data_says_nothing():
    card = scorecard(CONFIG, TOTALS, CATALOGUE, officers=2, period_days=92)
    every = [*(i for g in card["groups"] for i in g["indicators"]), *card["targets"]]
    assert all((x["why_no_data"] is None) == x["has_data"] for x in every)
    unmeasured = [i for i in CONFIG.indicators if i.numerator is None]
    assert all(i.not_measured for i in unmeasured)  # each says what the platform lacks
    empty = scorecard(CONFIG, {}, {}, officers=0, period_days=92)
    on_time = next(i for g in empty["groups"] for i in g["indicators"] if i["id"] == "progress.on_time")
    assert on_time["why_no_data"] == {"code": "nothing_to_measure", "vi": on_time["why_no_data"]["vi"],
                                      "en": "Nothing to measure in the period (a zero denominator)."}


def test_the_group_maxima_add_up_to_100_and_indicator_points_to_their_group():
    assert sum(g.max for g in CONFIG.groups) == 100
    for group in CONFIG.groups:
        assert sum(i.points for i in CONFIG.indicators if i.group == group.id) == pytest.approx(group.max)


def test_plain_counts_are_measures_without_points():
    card = scorecard(CONFIG, TOTALS, CATALOGUE, officers=2, period_days=92)
    measures = {m["id"]: m for m in card["measures"]}
    assert (measures["count.ended_late"]["rate"], measures["count.ended_late"]["points"]) == (4, None)
    assert measures["count.received_desk"]["rate"] == 22
    assert CONFIG.indicator("count.received").kind == "count"
    assert measures["count.withdrawn"]["rate"] == 0, "nothing withdrawn is a count of zero"


def test_a_period_is_scored_with_the_weights_in_effect_on_its_last_day_unless_rescored(monkeypatch):
    import dataclasses

    from chalicelib.domain import quality

    stricter = dataclasses.replace(
        CONFIG, effective_from=date(2027, 1, 1),
        indicators=tuple(dataclasses.replace(i, threshold=0.9) if i.id == "progress.on_time" else i
                         for i in CONFIG.indicators))
    monkeypatch.setattr(quality, "_versions", lambda: (CONFIG, stricter))
    assert quality.config_for(date(2026, 12, 31)) is CONFIG
    assert quality.config_for(date(2027, 1, 1)) is stricter
    q4 = scorecard(quality.config_for(date(2026, 12, 31)), TOTALS, CATALOGUE, officers=2, period_days=92)
    rescored = scorecard(quality.config_for(date(2027, 2, 1)), TOTALS, CATALOGUE, officers=2, period_days=92)
    assert _indicator(q4, "progress.on_time")["points"] == pytest.approx(16.8)  # 0.84 × 20 ÷ 1.0
    assert _indicator(rescored, "progress.on_time")["points"] == pytest.approx(0.84 * 20 / 0.9)
    assert rescored["config_effective_from"] == "2027-01-01"
