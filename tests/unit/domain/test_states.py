"""The dossier state machine, checked cell by cell against a table written out by hand.

The expectation below is deliberately NOT derived from `states.TRANSITIONS`: if someone edits the
table in the source (adds a role, a source status, an action), these tests must notice.
"""

from __future__ import annotations

import itertools

import pytest

from chalicelib.domain.access import authorise
from chalicelib.domain.errors import Forbidden, TransitionNotAllowed
from chalicelib.domain.principal import Principal
from chalicelib.domain.states import (
    STATUSES,
    TRANSITIONS,
    Action,
    Role,
    Status,
    Transition,
    allowed_actions,
    find_transition,
    national_status,
)

# (source, action) -> (target, roles allowed, event type): reception, processing to the decision, fees,
# then issuing and returning the result.
_W = ("submitted", "supplement_requested", "received", "forwarded", "transferred", "assigned", "at_other_agency",
      "proposed", "fee_requested", "supplement_in_processing")  # withdrawable: anything before the decision
# stoppable (a leader acts once the unit has it)
_S = ("transferred", "assigned", "at_other_agency", "proposed", "fee_requested", "supplement_in_processing")
_RESULT_ROLES = frozenset({"officer", "specialist", "leader"})
# Open: the statutory clock runs or waits. The deadline watch flags these, and an apology letter (form 04)
# sets a new appointment date; none of these actions changes the status.
_O = ("received", "forwarded", "transferred", "assigned", "at_other_agency", "proposed", "fee_requested",
      "supplement_in_processing")
_APOLOGY_ROLES = frozenset({"officer", "leader", "specialist"})
# Once a fee was asked for, an online payment's failure, expiry or refund may come in any later status.
_F = ("fee_requested", "assigned", "at_other_agency", "proposed", "supplement_in_processing", "approved", "rejected",
      "stopped", "withdrawn", "result_issued", "in_post", "returned")
EXPECTED: dict[tuple[str | None, str], tuple[str, frozenset[str], str]] = {
    (None, "submit"): ("submitted", frozenset({"citizen", "officer"}), "dossier.submitted"),
    ("submitted", "receive"): ("received", frozenset({"officer"}), "dossier.received"),
    ("submitted", "request_supplement"): ("supplement_requested", frozenset({"officer"}),
                                          "dossier.supplement_requested"),
    ("submitted", "refuse"): ("refused", frozenset({"officer"}), "dossier.refused"),
    ("supplement_requested", "resubmit"): ("submitted", frozenset({"citizen"}), "dossier.resubmitted"),
    ("received", "transfer"): ("transferred", frozenset({"officer"}), "dossier.transferred"),
    # Received at another agency's desk (regardless of administrative boundaries): that desk forwards it to the
    # competent agency, whose desk transfers it to a unit.
    ("received", "forward"): ("forwarded", frozenset({"officer"}), "dossier.forwarded"),
    ("forwarded", "transfer"): ("transferred", frozenset({"officer"}), "dossier.transferred"),
    ("transferred", "assign"): ("assigned", frozenset({"leader"}), "dossier.assigned"),
    ("assigned", "propose"): ("proposed", frozenset({"specialist"}), "dossier.proposed"),
    ("assigned", "send_to_agency"): ("at_other_agency", frozenset({"specialist"}), "dossier.sent_to_agency"),
    ("at_other_agency", "return_from_agency"): ("assigned", frozenset({"officer", "specialist", "leader"}),
                                                "dossier.returned_from_agency"),
    ("proposed", "send_back"): ("assigned", frozenset({"leader"}), "dossier.sent_back"),
    ("proposed", "approve"): ("approved", frozenset({"leader"}), "dossier.approved"),
    ("proposed", "reject"): ("rejected", frozenset({"leader"}), "dossier.rejected"),
    ("assigned", "request_fee"): ("fee_requested", frozenset({"officer", "specialist"}), "dossier.fee_requested"),
    # At the desk (an officer) or online (the platform, on the payment gateway's word).
    ("fee_requested", "record_payment"): ("assigned", frozenset({"officer", "system"}), "dossier.fee_paid"),
    ("fee_requested", "start_payment"): ("fee_requested", frozenset({"citizen"}), "dossier.payment_started"),
    **{(s, "update_payment"): (s, frozenset({"system"}), "dossier.payment_updated") for s in _F},
    # A supplement asked during processing, by the specialist or the leader; the applicant's answer resumes it.
    ("assigned", "request_supplement"): ("supplement_in_processing", frozenset({"specialist", "leader"}),
                                         "dossier.supplement_requested"),
    ("supplement_in_processing", "resubmit"): ("assigned", frozenset({"citizen"}), "dossier.resubmitted"),
    ("approved", "issue_result"): ("result_issued", _RESULT_ROLES, "dossier.result_issued"),
    ("rejected", "issue_result"): ("result_issued", _RESULT_ROLES, "dossier.result_issued"),
    ("result_issued", "return_online"): ("returned", frozenset({"officer"}), "dossier.returned"),
    ("result_issued", "return_at_desk"): ("returned", frozenset({"officer"}), "dossier.returned"),
    ("result_issued", "send_by_post"): ("in_post", frozenset({"officer"}), "dossier.sent_by_post"),
    ("in_post", "record_delivery"): ("returned", frozenset({"officer"}), "dossier.returned"),
    **{(s, "stop"): ("stopped", frozenset({"leader"}), "dossier.stopped") for s in _S},
    **{(s, "withdraw"): ("withdrawn", frozenset({"citizen"}), "dossier.withdrawn") for s in _W},
    **{(s, "flag_due_soon"): (s, frozenset({"system"}), "dossier.due_soon") for s in _O},
    **{(s, "flag_overdue"): (s, frozenset({"system"}), "dossier.overdue") for s in _O},
    **{(s, "apologise"): (s, _APOLOGY_ROLES, "dossier.apology_issued") for s in _O},
    **{(s, "allow_apology"): (s, frozenset({"admin"}), "dossier.apology_allowed") for s in _O},
    ("returned", "evaluate"): ("returned", frozenset({"citizen"}), "dossier.evaluated"),
}
# The actions that leave the dossier in the status it is in.
SAME_STATUS_ACTIONS = {"flag_due_soon", "flag_overdue", "apologise", "allow_apology", "evaluate", "start_payment",
                       "update_payment"}

# The actions that hand the dossier to someone else (a line on the control slip, form 05).
HANDOVER_ACTIONS = {"transfer", "assign", "propose", "send_back", "issue_result", "send_to_agency",
                    "return_from_agency", "forward"}
# The return actions that belong to one delivery method each; every other transition has no guard.
DELIVERY_GUARD = {"return_online": "online", "return_at_desk": "desk", "send_by_post": "post"}

# National status codes (TrangThaiHoSo) from DOMAIN.md.
EXPECTED_NATIONAL = {"submitted": 1, "received": 2, "forwarded": 2, "refused": 3, "supplement_requested": 5,
                     "transferred": 4,
                     "assigned": 4, "at_other_agency": 4, "proposed": 4, "approved": 9, "rejected": 9, "stopped": 8,
                     "withdrawn": 7,
                     "fee_requested": 6, "result_issued": 9, "in_post": 9, "returned": 10,
                     "supplement_in_processing": 5}

# What the statutory clock does in each status: paused exactly while the applicant owes something.
EXPECTED_CLOCK = {"submitted": "not_started", "received": "running", "forwarded": "running",
                  "supplement_requested": "paused",
                  "refused": "stopped", "transferred": "running", "assigned": "running", "proposed": "running",
                  "at_other_agency": "running",
                  "approved": "stopped", "rejected": "stopped", "stopped": "stopped", "withdrawn": "stopped",
                  "fee_requested": "paused", "result_issued": "stopped", "in_post": "stopped",
                  "returned": "stopped", "supplement_in_processing": "paused"}

ALL_ROLES = ["citizen", "officer", "specialist", "leader", "admin", "system"]
ALL_ACTIONS = ["submit", "receive", "request_supplement", "refuse", "resubmit", "transfer", "assign", "propose",
               "send_back", "approve", "reject", "stop", "withdraw", "request_fee", "record_payment",
               "issue_result", "return_online", "return_at_desk", "send_by_post", "record_delivery",
               "flag_due_soon", "flag_overdue", "apologise", "allow_apology", "send_to_agency",
               "return_from_agency", "evaluate", "start_payment", "update_payment", "forward"]
ALL_SOURCES: list[str | None] = [None, *EXPECTED_NATIONAL]


def _principal(*roles: str) -> Principal:
    return Principal(id="u-1", username="user", roles=frozenset(Role(r) for r in roles), agency_code="G18")


def _ever_allowed(action: str, roles: set[str]) -> bool:
    return any(allowed & roles for (_, a), (_, allowed, _) in EXPECTED.items() if a == action)


def _expected_allowed_actions(source: str | None, roles: set[str]) -> list[str]:
    return sorted(a for (s, a), (_, allowed, _) in EXPECTED.items() if s == source and allowed & roles)


def test_the_enums_cover_exactly_the_statuses_actions_and_roles_of_the_table():
    assert {s.value for s in Status} == {s for s in ALL_SOURCES if s}
    assert {a.value for a in Action} == set(ALL_ACTIONS)
    assert {r.value for r in Role} == set(ALL_ROLES)
    assert set(EXPECTED_CLOCK) == set(EXPECTED_NATIONAL)
    assert {a for _, a in EXPECTED} == set(ALL_ACTIONS), "every action appears in the expected table"


CELLS = list(itertools.product(ALL_SOURCES, ALL_ACTIONS, ALL_ROLES))


@pytest.mark.parametrize(("source", "action", "role"), CELLS,
                         ids=[f"{s or 'new'}-{a}-{r}" for s, a, r in CELLS])
def test_authorise_follows_the_transition_table(source, action, role):
    principal = _principal(role)
    status = Status(source) if source else None
    expected = EXPECTED.get((source, action))

    if expected is not None and role in expected[1]:
        transition = authorise(principal, status, Action(action))
        assert isinstance(transition, Transition)
        assert transition.source == status
        assert transition.action == Action(action)
        assert transition.target == Status(expected[0])
        assert {r.value for r in transition.roles} == expected[1]
        assert transition.event_type == expected[2]
    elif not _ever_allowed(action, {role}):
        with pytest.raises(Forbidden) as caught:
            authorise(principal, status, Action(action))
        assert caught.value.detail_code == "role_not_allowed"
        assert caught.value.params == {"action": action}
    else:
        with pytest.raises(TransitionNotAllowed) as caught:
            authorise(principal, status, Action(action))
        assert caught.value.allowed_actions == allowed_actions(status, principal.roles)
        assert sorted(caught.value.allowed_actions) == _expected_allowed_actions(source, {role})
        assert caught.value.params == {"status": source or "none", "action": action}


@pytest.mark.parametrize(("source", "role"), list(itertools.product(ALL_SOURCES, ALL_ROLES)))
def test_allowed_actions_lists_what_the_role_may_do_from_each_status(source, role):
    status = Status(source) if source else None
    assert sorted(allowed_actions(status, {Role(role)})) == _expected_allowed_actions(source, {role})


def test_admins_take_no_part_in_a_dossiers_handling_beyond_allowing_another_apology():
    for source in ALL_SOURCES:
        expected = ["allow_apology"] if source in _O else []
        assert allowed_actions(Status(source) if source else None, {Role.ADMIN}) == expected


def test_the_platform_only_flags_open_dossiers_and_records_payments_and_nobody_else_may_flag():
    for source in ALL_SOURCES:
        expected = ["flag_due_soon", "flag_overdue"] if source in _O else []
        expected += ["update_payment"] if source in _F else []
        expected += ["record_payment"] if source == "fee_requested" else []
        assert sorted(allowed_actions(Status(source) if source else None, {Role.SYSTEM})) == sorted(expected)
    for role in ("citizen", "officer", "specialist", "leader", "admin"):
        for action in ("flag_due_soon", "flag_overdue"):
            with pytest.raises(Forbidden):
                authorise(_principal(role), Status.RECEIVED, Action(action))
    for action in ("apologise", "allow_apology", "receive", "transfer", "withdraw"):
        with pytest.raises(Forbidden):
            authorise(_principal("system"), Status.RECEIVED, Action(action))


@pytest.mark.parametrize("action", sorted(SAME_STATUS_ACTIONS - {"evaluate", "start_payment", "update_payment"}))
def test_the_deadline_actions_keep_the_status_and_hand_nothing_over(action):
    for source in _O:
        transition = find_transition(Status(source), Action(action))
        assert transition.target == transition.source == Status(source)
        assert not transition.handover and transition.delivery is None
    for source in ALL_SOURCES:
        if source not in _O:
            assert find_transition(Status(source) if source else None, Action(action)) is None


def test_the_rating_is_taken_only_once_the_result_is_returned_and_keeps_it_returned():
    evaluate = [t for t in TRANSITIONS if t.action == Action.EVALUATE]
    assert [(t.source, t.target, t.handover) for t in evaluate] == [(Status.RETURNED, Status.RETURNED, False)]


def test_every_other_action_changes_the_status():
    for (source, action), (target, _, _) in EXPECTED.items():
        assert (source == target) is (action in SAME_STATUS_ACTIONS), (source, action)


def test_the_processing_chain_hands_the_dossier_from_desk_to_unit_to_specialist_to_leader():
    chain = [("received", "transfer", "officer"), ("transferred", "assign", "leader"),
             ("assigned", "propose", "specialist"), ("approved", "issue_result", "leader"),
             ("rejected", "issue_result", "specialist")]
    for source, action, role in chain:
        transition = authorise(_principal(role), Status(source), Action(action))
        assert transition.handover, f"{action} is recorded on the control slip"
    assert not find_transition(Status.PROPOSED, Action.APPROVE).handover


TABLE_KEYS = sorted(EXPECTED, key=lambda key: (key[0] or "", key[1]))


@pytest.mark.parametrize(("source", "action"), TABLE_KEYS, ids=[f"{s or 'new'}-{a}" for s, a in TABLE_KEYS])
def test_the_handover_and_delivery_columns_follow_the_table(source, action):
    transition = find_transition(Status(source) if source else None, Action(action))
    assert transition.handover is (action in HANDOVER_ACTIONS)
    assert transition.delivery == DELIVERY_GUARD.get(action)


def test_each_delivery_method_has_exactly_one_way_out_of_result_issued():
    guarded = [t for t in TRANSITIONS if t.delivery is not None]
    assert {t.source for t in guarded} == {Status.RESULT_ISSUED}
    assert sorted(t.delivery for t in guarded) == ["desk", "online", "post"]
    assert {t.action.value: t.delivery for t in guarded} == DELIVERY_GUARD
    # By post the result is returned only once the delivery is recorded, which has no guard of its own.
    assert find_transition(Status.IN_POST, Action.RECORD_DELIVERY).delivery is None


def test_a_principal_with_several_roles_may_act_as_any_of_them():
    both = _principal("citizen", "officer")
    assert authorise(both, None, Action.SUBMIT).target == Status.SUBMITTED
    assert authorise(both, Status.SUBMITTED, Action.RECEIVE).target == Status.RECEIVED
    assert authorise(both, Status.SUPPLEMENT_REQUESTED, Action.RESUBMIT).target == Status.SUBMITTED
    assert sorted(allowed_actions(Status.SUBMITTED, both.roles)) == [
        "receive", "refuse", "request_supplement", "withdraw"]


def test_a_principal_with_no_roles_is_forbidden_everything():
    nobody = _principal()
    for source, action in itertools.product(ALL_SOURCES, ALL_ACTIONS):
        with pytest.raises(Forbidden):
            authorise(nobody, Status(source) if source else None, Action(action))


def test_find_transition_knows_only_the_table_entries():
    for source, action in itertools.product(ALL_SOURCES, ALL_ACTIONS):
        found = find_transition(Status(source) if source else None, Action(action))
        if (source, action) in EXPECTED:
            assert found is not None
            assert found.target.value == EXPECTED[(source, action)][0]
        else:
            assert found is None


def test_ended_statuses_have_no_way_out():
    for source in ("refused", "stopped", "withdrawn", "returned", "approved", "rejected", "result_issued",
                   "in_post"):
        assert not {"flag_due_soon", "flag_overdue", "apologise", "allow_apology"} & set(
            allowed_actions(Status(source), set(Role)))
    # The only thing an ended dossier still takes is news of an online payment (a refund), which keeps its status.
    assert allowed_actions(Status.REFUSED, set(Role)) == []
    for source in ("stopped", "withdrawn"):
        assert allowed_actions(Status(source), set(Role)) == ["update_payment"]
    # A returned dossier only takes the applicant's rating, which leaves it returned.
    assert allowed_actions(Status.RETURNED, set(Role) - {Role.SYSTEM}) == ["evaluate"]


def test_after_the_decision_the_only_way_on_is_issuing_the_result_and_returning_it():
    people = set(Role) - {Role.SYSTEM}
    for source in ("approved", "rejected"):
        assert allowed_actions(Status(source), people) == ["issue_result"]
    assert sorted(allowed_actions(Status.RESULT_ISSUED, people)) == ["return_at_desk", "return_online",
                                                                      "send_by_post"]
    assert allowed_actions(Status.IN_POST, people) == ["record_delivery"]
    for source in ("approved", "rejected", "result_issued", "in_post"):
        assert "withdraw" not in allowed_actions(Status(source), {Role.CITIZEN})
        assert "stop" not in allowed_actions(Status(source), {Role.LEADER})


def test_payment_news_keeps_the_status_and_hands_nothing_over():
    for (source, action), (target, _, _) in EXPECTED.items():
        if action in ("start_payment", "update_payment"):
            transition = find_transition(Status(source), Action(action))
            assert transition.target == transition.source == Status(target)
            assert not transition.handover and transition.delivery is None


# --- national status ----------------------------------------------------------------------------

def test_every_status_maps_to_exactly_one_national_status_between_1_and_10():
    assert set(STATUSES) == set(Status)
    for status in Status:
        code = national_status(status)
        assert isinstance(code, int)
        assert 1 <= code <= 10


@pytest.mark.parametrize(("status", "code"), sorted(EXPECTED_NATIONAL.items()))
def test_national_status_codes_match_the_national_portal(status, code):
    assert national_status(Status(status)) == code
    assert STATUSES[Status(status)].national_status == code


@pytest.mark.parametrize(("status", "clock"), sorted(EXPECTED_CLOCK.items()))
def test_each_status_has_a_clock_rule_and_names_in_both_languages(status, clock):
    info = STATUSES[Status(status)]
    assert info.clock == clock
    assert info.name_vi.strip()
    assert info.name_en.strip()


def test_the_clock_is_paused_exactly_while_the_applicant_owes_something():
    paused = {s.value for s, info in STATUSES.items() if info.clock == "paused"}
    assert paused == {"supplement_requested", "fee_requested", "supplement_in_processing"}
    assert STATUSES[Status.RETURNED].clock == "stopped" and national_status(Status.RETURNED) == 10
