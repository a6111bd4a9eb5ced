"""Every action the domain's `act` takes has a recorder, and every action callers take has a use case."""

from __future__ import annotations

from chalicelib.domain.actions import http_actions
from chalicelib.domain.records import DUE_DATE_REASONS, RECORDS
from chalicelib.domain.states import Action
from chalicelib.services.dossiers import PREPARATIONS

# The actions with a transition function of their own (transitions.py) rather than `act`.
OWN_TRANSITIONS = {Action.SUBMIT, Action.RECEIVE, Action.REQUEST_SUPPLEMENT, Action.REFUSE, Action.RESUBMIT,
                   Action.EVALUATE}


def test_every_action_act_takes_has_exactly_one_recorder():
    assert set(RECORDS) == set(Action) - OWN_TRANSITIONS


def test_every_action_callers_take_is_recorded_by_act_or_by_a_transition_of_its_own():
    for spec in http_actions():
        assert spec.action in RECORDS or spec.action in OWN_TRANSITIONS, spec.action


def test_only_recorded_actions_move_the_appointment_date_or_need_a_preparation():
    assert set(DUE_DATE_REASONS) <= set(RECORDS)
    assert set(PREPARATIONS) <= set(RECORDS)
