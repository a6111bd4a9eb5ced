"""The dossier state machine, checked cell by cell against a table written out by hand.

The expectation below is deliberately NOT derived from `states.TRANSITIONS`: if someone edits the
table in the source (adds a role, a source status, an action), these tests must notice.
"""

from __future__ import annotations

import itertools

import pytest

from chalicelib.domain.dossier import Principal, authorise
from chalicelib.domain.errors import Forbidden, TransitionNotAllowed
from chalicelib.domain.states import (
    STATUSES,
    Action,
    Role,
    Status,
    Transition,
    allowed_actions,
    find_transition,
    national_status,
)

# (source, action) -> (target, roles allowed, event type): reception, then processing to the decision.
_W = ("submitted", "supplement_requested", "received", "transferred", "assigned", "proposed")  # withdrawable
_S = ("transferred", "assigned", "proposed")  # stoppable (a leader acts once the unit has it)
EXPECTED: dict[tuple[str | None, str], tuple[str, frozenset[str], str]] = {
    (None, "submit"): ("submitted", frozenset({"citizen"}), "dossier.submitted"),
    ("submitted", "receive"): ("received", frozenset({"officer"}), "dossier.received"),
    ("submitted", "request_supplement"): ("supplement_requested", frozenset({"officer"}),
                                          "dossier.supplement_requested"),
    ("submitted", "refuse"): ("refused", frozenset({"officer"}), "dossier.refused"),
    ("supplement_requested", "resubmit"): ("submitted", frozenset({"citizen"}), "dossier.resubmitted"),
    ("received", "transfer"): ("transferred", frozenset({"officer"}), "dossier.transferred"),
    ("transferred", "assign"): ("assigned", frozenset({"leader"}), "dossier.assigned"),
    ("assigned", "propose"): ("proposed", frozenset({"specialist"}), "dossier.proposed"),
    ("proposed", "send_back"): ("assigned", frozenset({"leader"}), "dossier.sent_back"),
    ("proposed", "approve"): ("approved", frozenset({"leader"}), "dossier.approved"),
    ("proposed", "reject"): ("rejected", frozenset({"leader"}), "dossier.rejected"),
    **{(s, "stop"): ("stopped", frozenset({"leader"}), "dossier.stopped") for s in _S},
    **{(s, "withdraw"): ("withdrawn", frozenset({"citizen"}), "dossier.withdrawn") for s in _W},
}

# National status codes (TrangThaiHoSo) from DOMAIN.md.
EXPECTED_NATIONAL = {"submitted": 1, "received": 2, "refused": 3, "supplement_requested": 5, "transferred": 4,
                     "assigned": 4, "proposed": 4, "approved": 9, "rejected": 9, "stopped": 8, "withdrawn": 7}

ALL_ROLES = ["citizen", "officer", "specialist", "leader", "admin"]
ALL_ACTIONS = ["submit", "receive", "request_supplement", "refuse", "resubmit", "transfer", "assign", "propose",
               "send_back", "approve", "reject", "stop", "withdraw"]
ALL_SOURCES: list[str | None] = [None, *EXPECTED_NATIONAL]


def _principal(*roles: str) -> Principal:
    return Principal(id="u-1", username="user", roles=frozenset(Role(r) for r in roles), agency_code="G18")


def _ever_allowed(action: str, roles: set[str]) -> bool:
    return any(allowed & roles for (_, a), (_, allowed, _) in EXPECTED.items() if a == action)


def _expected_allowed_actions(source: str | None, roles: set[str]) -> list[str]:
    return sorted(a for (s, a), (_, allowed, _) in EXPECTED.items() if s == source and allowed & roles)


def test_the_enums_cover_exactly_the_statuses_actions_and_roles_of_the_first_slice():
    assert {s.value for s in Status} == {s for s in ALL_SOURCES if s}
    assert {a.value for a in Action} == set(ALL_ACTIONS)
    assert {r.value for r in Role} == set(ALL_ROLES)


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


def test_admins_take_no_part_in_a_dossiers_handling():
    for source in ALL_SOURCES:
        assert allowed_actions(Status(source) if source else None, {Role.ADMIN}) == []


def test_the_processing_chain_hands_the_dossier_from_desk_to_unit_to_specialist_to_leader():
    chain = [("received", "transfer", "officer"), ("transferred", "assign", "leader"),
             ("assigned", "propose", "specialist")]
    for source, action, role in chain:
        transition = authorise(_principal(role), Status(source), Action(action))
        assert transition.handover, f"{action} is recorded on the control slip"
    assert not find_transition(Status.PROPOSED, Action.APPROVE).handover


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
    for source in ("refused", "approved", "rejected", "stopped", "withdrawn"):
        assert allowed_actions(Status(source), set(Role)) == []


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


def test_each_status_has_a_clock_rule_and_names_in_both_languages():
    clocks = {"submitted": "not_started", "received": "running", "supplement_requested": "paused",
              "refused": "stopped", "transferred": "running", "assigned": "running", "proposed": "running",
              "approved": "stopped", "rejected": "stopped", "stopped": "stopped", "withdrawn": "stopped"}
    for status, info in STATUSES.items():
        assert info.clock == clocks[status.value]
        assert info.name_vi.strip()
        assert info.name_en.strip()
