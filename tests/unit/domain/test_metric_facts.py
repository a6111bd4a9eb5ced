"""What each event adds to the counters, folded over the dossier's own history (docs/metrics.md)."""

from __future__ import annotations

import json
from datetime import date

from chalicelib.domain.event_types import EventType
from chalicelib.domain.metric_facts import METRIC_EVENT_TYPES, FoldState, facts, facts_after, fold

PROCEDURE = "1.014199"


def _event(kind: str, at: str, payload: dict | None = None, actor: dict | None = None) -> dict:
    return {"type": f"dossier.{kind}", "at": at, "payload": payload or {},
            "actor": actor or {"id": "sub-officer", "username": "officer.hanoi", "role": "officer"}}


SUBMITTED = _event("submitted", "2026-03-02T01:00:00.000Z",
                   {"procedure_code": PROCEDURE, "channel": 2, "components": [{"component_id": "a", "files": [{}]}]},
                   {"id": "sub-citizen", "username": "citizen.an", "role": "citizen"})
RECEIVED = _event("received", "2026-03-02T02:00:00.000Z",
                  {"received_at": "2026-03-02T02:00:00.000Z", "due_date": "2026-03-16"})
TRANSFERRED = _event("transferred", "2026-03-02T03:00:00.000Z", {"unit": "viec-lam"})
ASSIGNED = _event("assigned", "2026-03-02T04:00:00.000Z", {"specialist": "specialist.hanoi"})
LIFE = [SUBMITTED, RECEIVED, TRANSFERRED, ASSIGNED]


def _counts(history: list[dict]) -> dict[str, float]:
    found: dict[str, float] = {}
    for fact in facts(history):
        found[fact.counter] = found.get(fact.counter, 0) + fact.delta
    return found


def test_a_fact_belongs_to_the_local_day_so_2330_on_31_march_is_in_q1():
    # 16:30 UTC on 31 March is 23:30 in Hà Nội: still March, still the first quarter.
    late_evening = _event("approved", "2026-03-31T16:30:00.000Z", {"note": ""})
    (first, *_) = facts([*LIFE, late_evening])
    assert first.day == date(2026, 3, 31)
    next_morning = _event("approved", "2026-03-31T17:30:00.000Z", {"note": ""})
    assert facts([*LIFE, next_morning])[0].day == date(2026, 4, 1)


def test_reception_counts_the_channel_the_officer_and_whether_the_dossier_is_digitised():
    found = facts([SUBMITTED, RECEIVED])
    assert {(f.counter, f.officer) for f in found} == {("received", "officer.hanoi"),
                                                      ("received_online", "officer.hanoi"), ("digitised", None)}
    desk = _event("submitted", SUBMITTED["at"], {"procedure_code": PROCEDURE, "channel": 1, "components": []})
    assert _counts([desk, RECEIVED]) == {"received": 1, "received_desk": 1}
    post = _event("submitted", SUBMITTED["at"], {"procedure_code": PROCEDURE, "channel": 3, "components": []})
    assert _counts([post, RECEIVED]) == {"received": 1, "received_post": 1}


def test_an_ending_by_the_appointment_date_is_on_time_and_carries_the_processing_time():
    approved = _event("approved", "2026-03-16T09:00:00.000Z")
    counts = _counts([*LIFE, approved])
    assert counts == {"ended": 1, "approved": 1, "ended_on_time": 1, "decided": 1,
                      "processing_minutes": (14 * 24 + 7) * 60}
    assert {f.unit for f in facts([*LIFE, approved])} == {"viec-lam"}
    assert {f.officer for f in facts([*LIFE, approved])} == {"specialist.hanoi"}


def test_after_the_appointment_date_is_late_but_a_paid_fee_moves_the_date_and_an_apology_does_not():
    late = _event("approved", "2026-03-17T02:00:00.000Z")
    assert _counts([*LIFE, late])["ended_late"] == 1
    paid = _event("fee_paid", "2026-03-05T02:00:00.000Z", {"method": "cash", "due_date": "2026-03-18"})
    assert _counts([*LIFE, paid, late])["ended_on_time"] == 1
    apology = _event("apology_issued", "2026-03-16T02:00:00.000Z", {"due_date": "2026-03-30"})
    assert _counts([*LIFE, apology, late])["ended_late"] == 1
    # A fee paid after the apology moves both dates by the wait; the rules' date stays before the end.
    after_apology = _event("fee_paid", "2026-03-18T02:00:00.000Z",
                           {"method": "cash", "due_date": "2026-04-01", "statutory_due_date": "2026-03-17"})
    much_later = _event("approved", "2026-03-25T02:00:00.000Z")
    assert _counts([*LIFE, apology, after_apology, much_later])["ended_late"] == 1


def test_more_than_one_supplement_request_makes_it_late_whatever_the_dates():
    asked = _event("supplement_requested", "2026-03-02T01:30:00.000Z")
    early = _event("approved", "2026-03-03T02:00:00.000Z")
    assert _counts([SUBMITTED, asked, RECEIVED, early])["ended_on_time"] == 1
    assert _counts([SUBMITTED, asked, asked, RECEIVED, early])["ended_late"] == 1


def test_a_withdrawal_before_assignment_belongs_to_no_officer_and_a_desk_refusal_to_the_officer():
    withdrawn = _event("withdrawn", "2026-03-03T02:00:00.000Z", {"reason": "x"},
                       {"id": "sub-citizen", "username": "citizen.an", "role": "citizen"})
    assert {f.officer for f in facts([SUBMITTED, RECEIVED, withdrawn])} == {None}
    refused = _event("refused", "2026-03-02T03:00:00.000Z")
    assert {f.officer for f in facts([SUBMITTED, refused])} == {"officer.hanoi"}


def test_a_dossier_ends_once_and_a_refusal_without_a_date_is_on_time():
    approved = _event("approved", "2026-03-10T02:00:00.000Z")
    returned = _event("returned", "2026-03-11T02:00:00.000Z")
    assert _counts([*LIFE, approved, returned]) == {"returned": 1}
    refused = _event("refused", "2026-03-02T03:00:00.000Z")
    assert _counts([SUBMITTED, refused]) == {"ended": 1, "refused": 1, "ended_on_time": 1}


def test_an_amended_rating_moves_only_the_difference_on_the_day_it_was_first_given():
    first = {"satisfied": True, "evaluated_at": "2026-03-31T16:00:00.000Z"}
    rated = _event("evaluated", "2026-03-31T16:00:00.000Z", {"evaluation": first, "previous_evaluation": None})
    assert _counts([*LIFE, rated]) == {"evaluated": 1}
    unhappy = {**first, "satisfied": False}
    amended = _event("rated_not_satisfied", "2026-04-02T02:00:00.000Z",
                     {"evaluation": unhappy, "previous_evaluation": first})
    found = facts([*LIFE, rated, amended])
    assert [(f.counter, f.delta, f.day) for f in found] == [("not_satisfied", 1, date(2026, 3, 31))]
    back = _event("evaluated", "2026-04-03T02:00:00.000Z", {"evaluation": first, "previous_evaluation": unhappy})
    assert [(f.counter, f.delta) for f in facts([*LIFE, rated, amended, back])] == [("not_satisfied", -1)]


def test_hand_overs_results_and_online_payments_are_counted():
    assert _counts([SUBMITTED, RECEIVED, TRANSFERRED]) == {"handovers": 1, "handovers_electronic": 1}
    signed = {"upload_id": "r", "signed": True}
    issued = _event("result_issued", "2026-03-10T02:00:00.000Z", {"results": [signed]})
    assert _counts([*LIFE, issued]) == {"handovers": 1, "handovers_electronic": 1, "results_issued": 1,
                                        "results_electronic": 1}


def test_an_unsigned_result_is_issued_but_not_counted_as_electronic():
    issued = _event("result_issued", "2026-03-10T02:00:00.000Z", {"results": [{"upload_id": "r", "signed": False}]})
    assert _counts([*LIFE, issued]) == {"handovers": 1, "handovers_electronic": 1, "results_issued": 1}
    paid = _event("fee_paid", "2026-03-05T02:00:00.000Z", {"method": "online"})
    assert _counts([*LIFE, paid]) == {"fee_paid": 1, "fee_paid_online": 1}


# Every payload field the fold reads, so an event type only escapes the fold by its type.
EVERYTHING = {"agency_code": "000.00.20.H26", "procedure_code": PROCEDURE, "channel": 1, "components": [],
              "received_at": "2026-03-03T02:00:00.000Z", "due_date": "2026-03-05", "statutory_due_date": "2026-03-05",
              "unit": "lao-dong", "specialist": "specialist.other", "method": "online", "results": [{"upload_id": "r"}],
              "evaluation": {"satisfied": False, "evaluated_at": "2026-03-20T02:00:00.000Z"},
              "previous_evaluation": None, "receiving_agency_code": "000.00.20.H29", "steps": ["answer"]}
RATED = _event("evaluated", "2026-03-20T02:00:00.000Z",
               {"evaluation": {"satisfied": True, "evaluated_at": "2026-03-20T02:00:00.000Z"}})
CONTEXTS = ([SUBMITTED], LIFE, [*LIFE, _event("approved", "2026-03-10T02:00:00.000Z")], [*LIFE, RATED])


def test_an_event_type_outside_the_metric_types_counts_nothing_and_changes_nothing_later_events_see():
    """What lets the metrics rule deliver only METRIC_EVENT_TYPES: the others are nothing to the fold."""
    for kind in set(EventType) - METRIC_EVENT_TYPES:
        event = {"type": kind.value, "at": "2026-03-19T02:00:00.000Z", "payload": EVERYTHING,
                 "actor": {"id": "sub-x", "username": "leader.hanoi", "role": "leader"}}
        for history in CONTEXTS:
            assert facts([*history, event]) == [], kind
            assert fold([*history, event]) == fold(history), kind


def test_every_metric_event_type_counts_something_or_moves_what_later_events_are_counted_with():
    for kind in METRIC_EVENT_TYPES:
        event = {"type": kind.value, "at": "2026-03-19T02:00:00.000Z", "payload": EVERYTHING,
                 "actor": {"id": "sub-x", "username": "leader.hanoi", "role": "leader"}}
        assert any(facts([*history, event]) or fold([*history, event]) != fold(history) for history in CONTEXTS), kind


def test_a_supplement_answered_during_processing_moves_the_date_the_ending_is_judged_against():
    asked = _event("supplement_requested", "2026-03-04T02:00:00.000Z")
    answered = _event("resubmitted", "2026-03-06T02:00:00.000Z", {"due_date": "2026-03-09",
                                                                   "statutory_due_date": "2026-03-09"})
    ended = _event("approved", "2026-03-09T02:00:00.000Z")  # after the receipt's date (03-05), by the moved one
    history = [*LIFE, asked, answered, ended]
    assert {f.counter for f in facts(history)} >= {"ended", "ended_on_time"}
    second = [*LIFE, asked, answered, _event("supplement_requested", "2026-03-07T02:00:00.000Z"),
              _event("resubmitted", "2026-03-08T02:00:00.000Z", {"statutory_due_date": "2026-03-10"}), ended]
    assert "ended_late" in {f.counter for f in facts(second)}  # a second supplement request: late, as the rules say


def test_counting_from_a_kept_state_gives_what_the_fold_over_the_whole_history_gives():
    """The consumer keeps the state after each counted event (as JSON) and counts the next from it."""
    paid = _event("fee_paid", "2026-03-05T02:00:00.000Z", {"method": "cash", "due_date": "2026-03-18",
                                                            "statutory_due_date": "2026-03-18"})
    asked = _event("supplement_requested", "2026-03-02T01:30:00.000Z")
    history = [SUBMITTED, asked, RECEIVED, TRANSFERRED, ASSIGNED, paid, _event("approved", "2026-03-17T02:00:00.000Z"),
               _event("returned", "2026-03-18T02:00:00.000Z"), RATED]
    kept = FoldState()
    for i, event in enumerate(history):
        assert facts_after(kept, event) == facts(history[: i + 1])
        kept = FoldState.from_dict(json.loads(json.dumps(fold([event], kept).to_dict())))
    assert kept == fold(history)
    assert FoldState().to_dict() == {} and FoldState.from_dict({}) == FoldState()  # defaults are not stored
    assert len(json.dumps(kept.to_dict())) < 250
