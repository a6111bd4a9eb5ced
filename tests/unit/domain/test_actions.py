"""The registry of actions agrees with the state table, the event types and the message templates."""

from __future__ import annotations

from chalicelib.domain.actions import ACTIONS, BY_ACTION, Audience, audiences, http_actions
from chalicelib.domain.event_types import EventType
from chalicelib.domain.states import TRANSITIONS, Action, Role
from chalicelib.domain.templates import event_types


def test_every_action_has_exactly_one_entry():
    assert [spec.action for spec in ACTIONS] == list(dict.fromkeys(spec.action for spec in ACTIONS))
    assert set(BY_ACTION) == set(Action)


def test_every_action_takes_at_least_one_transition_of_the_state_table():
    for spec in ACTIONS:
        assert spec.transitions, spec.action


def test_every_event_type_is_recorded_by_some_action():
    recorded = {kind for spec in ACTIONS for kind in spec.event_types}
    assert recorded == set(EventType)
    assert {t.event_type for t in TRANSITIONS} <= recorded


def test_an_action_notifies_only_of_events_it_records():
    for spec in ACTIONS:
        for kind, _ in spec.notifies:
            assert kind in spec.event_types, (spec.action, kind)


def test_the_applicant_templates_are_exactly_the_events_the_registry_tells_the_applicant_of():
    told = {kind.value for kind in EventType if Audience.APPLICANT in audiences(kind)}
    assert event_types("applicant") == told


def test_the_staff_templates_are_exactly_the_events_the_registry_tells_staff_of():
    told = {kind.value for kind in EventType if Audience.STAFF in audiences(kind)}
    assert event_types("staff") == told


def test_actions_callers_take_have_a_route_and_a_request_model_and_system_work_has_neither():
    for spec in ACTIONS:
        if spec.roles == {Role.SYSTEM}:
            assert spec.path is None and spec.request is None, spec.action
        else:
            assert spec.path.startswith("/dossiers"), spec.action
            assert spec.request.resolve().model_json_schema()
            # Only a fee's payment is both: an officer records it at the desk, the platform records one paid online.
            assert Role.SYSTEM not in spec.roles or spec.action == Action.RECORD_PAYMENT
    # Submitting and starting a payment have routes of their own (their answers are not the dossier).
    assert {spec.action for spec in ACTIONS} - {spec.action for spec in http_actions()} == {
        Action.SUBMIT, Action.START_PAYMENT, Action.FLAG_DUE_SOON, Action.FLAG_OVERDUE, Action.UPDATE_PAYMENT}


def test_routes_are_unique():
    routes = [(spec.method, spec.path) for spec in http_actions()]
    assert len(routes) == len(set(routes))
