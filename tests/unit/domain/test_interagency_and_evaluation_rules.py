"""Inter-agency steps (liên thông) and the applicant's evaluation, as pure rules: who may act, what the
dossier and the control slip record, who sees the dossier, and the amendment window."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from chalicelib.domain import transitions as rules
from chalicelib.domain.access import can_see
from chalicelib.domain.errors import Forbidden, TransitionNotAllowed
from chalicelib.domain.principal import Principal
from chalicelib.domain.states import NOT_SATISFIED_EVENT, Action, Role, Status
from chalicelib.domain.times import iso

from .test_dossier_rules import CITIZEN, OFFICER, OTHER_CITIZEN, T0
from .test_processing_rules import DESK, LEADER, OUTSIDER, SPECIALIST, TODAY, _assigned, _result_issued

PARTNER = "000.00.31.H26"
PARTNER_OFFICER = Principal(id="bhxh-1", username="officer.bhxh", roles=frozenset({Role.OFFICER}),
                            agency_code=PARTNER, name="Ngô Thị Bảo")
PARTNER_SPECIALIST = Principal(id="bhxh-2", username="spec.bhxh", roles=frozenset({Role.SPECIALIST}),
                               agency_code=PARTNER, unit="che-do")
THIRD_AGENCY_OFFICER = Principal(id="hcm-1", username="officer.hcm", roles=frozenset({Role.OFFICER}),
                                 agency_code="000.00.20.H29")
SENT_AT = T0 + timedelta(hours=6)
STEP_DUE = date(2026, 3, 5)
REQUEST = {"to_agency": PARTNER, "request": "Xác nhận thời gian đóng bảo hiểm thất nghiệp", "step_due": "2026-03-05",
           "note": ""}
TO_PARTNER = {"kind": "agency", "agency_code": PARTNER, "name": "Bảo hiểm xã hội thành phố Hà Nội"}


def _sent():
    return rules.act(_assigned(), SPECIALIST, Action.SEND_TO_AGENCY, SENT_AT, TODAY, REQUEST, TO_PARTNER)


def _returned_from_partner(on: date = date(2026, 3, 4)):
    sent, _ = _sent()
    back = {"kind": "specialist", **sent.assignee}
    return rules.act(sent, PARTNER_OFFICER, Action.RETURN_FROM_AGENCY, SENT_AT + timedelta(days=1), on,
                     {"reply": "Đã đóng đủ 12 tháng", "note": ""}, back)


def test_the_specialist_sends_the_dossier_to_another_agency_with_the_request_and_the_step_due_date():
    sent, event = _sent()
    assert (sent.status, sent.national_status) == (Status.AT_OTHER_AGENCY, 4)
    assert sent.partner_agency == PARTNER and sent.partner_agencies == {PARTNER}
    (step,) = sent.inter_agency
    assert (step["agency_code"], step["request"], step["step_due"]) == (PARTNER, REQUEST["request"], "2026-03-05")
    assert step["sent_by"]["id"] == SPECIALIST.id and step["reply"] is None and step["on_time"] is None
    assert event.type == "dossier.sent_to_agency" and event.payload["to_agency"] == PARTNER
    # The control slip: the specialist's step closes, the other agency's opens with its own due date.
    assert [s["action"] for s in sent.control_slip][-2:] == ["assign", "send_to_agency"]
    assert sent.control_slip[-2]["completed_at"] == iso(SENT_AT)
    assert sent.control_slip[-1]["to"] == TO_PARTNER and sent.control_slip[-1]["due_date"] == "2026-03-05"
    assert sent.due_date == _assigned().due_date, "the dossier's own appointment date is not moved"


def test_the_other_agency_returns_it_to_the_same_specialist_and_its_step_is_judged_on_time():
    back, event = _returned_from_partner()
    assert back.status == Status.ASSIGNED and back.partner_agency is None
    assert back.assignee["id"] == SPECIALIST.id
    step = back.inter_agency[-1]
    assert step["reply"] == "Đã đóng đủ 12 tháng" and step["returned_by"]["agency_code"] == PARTNER
    assert step["on_time"] is True
    assert event.type == "dossier.returned_from_agency" and event.actor["agency_code"] == PARTNER
    slip = back.control_slip
    assert slip[-2]["action"] == "send_to_agency" and slip[-2]["on_time"] is True
    assert slip[-1]["action"] == "return_from_agency" and slip[-1]["to"]["id"] == SPECIALIST.id
    assert slip[-1]["from"]["agency_code"] == PARTNER and slip[-1]["due_date"] == back.due_date.isoformat()


def test_a_reply_after_the_step_due_date_is_late_on_the_step_and_the_slip():
    back, _ = _returned_from_partner(on=STEP_DUE + timedelta(days=1))
    assert back.inter_agency[-1]["on_time"] is False and back.control_slip[-2]["on_time"] is False


def test_the_other_agency_sees_the_dossier_while_its_step_is_open_and_no_third_agency_does():
    sent, _ = _sent()
    assert can_see(PARTNER_OFFICER, sent) and can_see(PARTNER_SPECIALIST, sent)
    assert not can_see(THIRD_AGENCY_OFFICER, sent)
    assert not can_see(PARTNER_OFFICER, _assigned()), "never sent there: not visible"


def test_the_other_agency_loses_sight_of_the_dossier_once_its_step_is_returned():
    back, _ = _returned_from_partner()
    assert not can_see(PARTNER_OFFICER, back) and not can_see(PARTNER_SPECIALIST, back)
    # What it did stays on the record the home agency and the applicant read.
    assert can_see(OFFICER, back) and can_see(CITIZEN, back)
    assert back.inter_agency[-1]["returned_by"]["agency_code"] == PARTNER
    assert back.control_slip[-1]["from"]["agency_code"] == PARTNER


@pytest.mark.parametrize("action, details", [(Action.WITHDRAW, {"reason": "Rút"}), (Action.STOP, {"reason": "Dừng"})])
def test_a_dossier_ended_while_at_the_other_agency_leaves_its_sight(action, details):
    sent, _ = _sent()
    who = CITIZEN if action == Action.WITHDRAW else LEADER
    ended, _ = rules.act(sent, who, action, SENT_AT + timedelta(hours=1), TODAY, details)
    assert ended.inter_agency[-1]["reply"] is None, "its step was never answered"
    assert not can_see(PARTNER_OFFICER, ended)


def test_a_second_step_elsewhere_closes_the_first_agencys_sight():
    back, _ = _returned_from_partner()
    police = "000.00.32.H26"
    again, _ = rules.act(back, SPECIALIST, Action.SEND_TO_AGENCY, SENT_AT + timedelta(days=2), TODAY,
                         {**REQUEST, "to_agency": police}, {**TO_PARTNER, "agency_code": police})
    police_officer = Principal(id="ca-1", username="officer.ca", roles=frozenset({Role.OFFICER}), agency_code=police)
    assert can_see(police_officer, again) and not can_see(PARTNER_OFFICER, again)


@pytest.mark.parametrize("who", [PARTNER_OFFICER, PARTNER_SPECIALIST])
def test_any_staff_member_of_the_other_agency_may_return_it(who):
    sent, _ = _sent()
    back, _ = rules.act(sent, who, Action.RETURN_FROM_AGENCY, SENT_AT, TODAY, {"reply": "Xong"}, {"kind": "x"})
    assert back.status == Status.ASSIGNED


@pytest.mark.parametrize("who", [OFFICER, LEADER, SPECIALIST, THIRD_AGENCY_OFFICER])
def test_nobody_outside_the_other_agency_may_return_it(who):
    sent, _ = _sent()
    with pytest.raises(Forbidden):
        rules.act(sent, who, Action.RETURN_FROM_AGENCY, SENT_AT, TODAY, {"reply": "Xong"}, {"kind": "x"})


@pytest.mark.parametrize("action, details", [
    (Action.STOP, {"reason": "Dừng"}), (Action.APOLOGISE, {"reason": "Chậm"}), (Action.REQUEST_FEE, {}),
])
def test_the_other_agency_may_not_act_on_the_home_agencys_steps(action, details):
    sent, _ = _sent()
    partner_leader = Principal(id="bhxh-3", username="lead.bhxh", roles=frozenset({Role.LEADER, Role.OFFICER}),
                               agency_code=PARTNER, unit=sent.unit)
    with pytest.raises((Forbidden, TransitionNotAllowed)):
        rules.act(sent, partner_leader, action, SENT_AT, TODAY, details)


def test_only_the_assigned_specialist_sends_to_another_agency():
    with pytest.raises(Forbidden):
        rules.act(_assigned(), OUTSIDER, Action.SEND_TO_AGENCY, SENT_AT, TODAY, REQUEST, TO_PARTNER)
    with pytest.raises(Forbidden):
        rules.act(_assigned(), LEADER, Action.SEND_TO_AGENCY, SENT_AT, TODAY, REQUEST, TO_PARTNER)


def test_while_with_the_other_agency_the_home_leader_may_stop_and_the_applicant_withdraw():
    sent, _ = _sent()
    assert rules.act(sent, LEADER, Action.STOP, SENT_AT, TODAY, {"reason": "Dừng"})[0].status == Status.STOPPED
    assert rules.act(sent, CITIZEN, Action.WITHDRAW, SENT_AT, TODAY, {"reason": "Rút"})[0].status == Status.WITHDRAWN
    with pytest.raises(TransitionNotAllowed):
        rules.act(sent, SPECIALIST, Action.PROPOSE, SENT_AT, TODAY, {"assessment": "x", "proposal": "approve"})


# --------------------------------------------------------------------------- evaluation

RETURNED_AT = T0 + timedelta(hours=7)
WINDOW = timedelta(days=7)
HAPPY = {"satisfied": True, "criteria": {"timeliness": "satisfied", "attitude": "satisfied", "visits": 1},
         "comment": "Nhanh gọn"}
UNHAPPY = {"satisfied": False, "criteria": {"timeliness": "not_satisfied", "visits": 3}, "comment": "Phải đi lại"}


def _returned():
    return rules.act(_result_issued("desk"), OFFICER, Action.RETURN_AT_DESK, RETURNED_AT, TODAY,
                     {"received_by": "Nguyễn Văn An", "note": ""}, DESK)[0]


def test_the_applicant_rates_a_returned_dossier_and_the_dossier_stays_returned():
    rated, event = rules.evaluate(_returned(), CITIZEN, RETURNED_AT + timedelta(hours=1), HAPPY, WINDOW)
    assert (rated.status, rated.national_status) == (Status.RETURNED, 10)
    assert rated.evaluation == {**HAPPY, "evaluated_at": iso(RETURNED_AT + timedelta(hours=1)),
                                "updated_at": iso(RETURNED_AT + timedelta(hours=1)), "amendments": 0,
                                "amend_until": iso(RETURNED_AT + timedelta(hours=1) + WINDOW)}
    assert event.type == "dossier.evaluated" and event.payload["previous_evaluation"] is None
    assert event.payload["evaluation"]["satisfied"] is True


def test_not_satisfied_raises_its_own_event_for_the_agency():
    _, event = rules.evaluate(_returned(), CITIZEN, RETURNED_AT, UNHAPPY, WINDOW)
    assert event.type == NOT_SATISFIED_EVENT == "dossier.rated_not_satisfied"
    assert event.payload["evaluation"]["criteria"] == UNHAPPY["criteria"]


def test_an_amendment_within_the_window_keeps_the_first_date_and_counts_itself():
    first, _ = rules.evaluate(_returned(), CITIZEN, RETURNED_AT, HAPPY, WINDOW)
    amended, event = rules.evaluate(first, CITIZEN, RETURNED_AT + timedelta(days=6), UNHAPPY, WINDOW)
    assert amended.evaluation["evaluated_at"] == first.evaluation["evaluated_at"]
    assert amended.evaluation["amend_until"] == first.evaluation["amend_until"]
    assert amended.evaluation["amendments"] == 1 and amended.evaluation["satisfied"] is False
    assert event.payload["previous_evaluation"] == first.evaluation and event.type == NOT_SATISFIED_EVENT


def test_the_window_closes_exactly_at_its_end():
    first, _ = rules.evaluate(_returned(), CITIZEN, RETURNED_AT, HAPPY, WINDOW)
    rules.evaluate(first, CITIZEN, RETURNED_AT + WINDOW, UNHAPPY, WINDOW)
    with pytest.raises(TransitionNotAllowed) as refused:
        rules.evaluate(first, CITIZEN, RETURNED_AT + WINDOW + timedelta(milliseconds=1), UNHAPPY, WINDOW)
    assert refused.value.allowed_actions == []


def test_only_the_applicant_rates_and_only_after_the_return():
    with pytest.raises(Forbidden):
        rules.evaluate(_returned(), OTHER_CITIZEN, RETURNED_AT, HAPPY, WINDOW)
    with pytest.raises(Forbidden):
        rules.evaluate(_returned(), OFFICER, RETURNED_AT, HAPPY, WINDOW)
    with pytest.raises(TransitionNotAllowed):
        rules.evaluate(_result_issued("desk"), CITIZEN, RETURNED_AT, HAPPY, WINDOW)


def test_evaluation_is_offered_to_the_applicant_only_while_it_can_be_given():
    from chalicelib.api.present import dossier_view

    returned = _returned()
    assert dossier_view(returned, CITIZEN, "vi")["allowed_actions"] == ["evaluate"]
    assert dossier_view(returned, OTHER_CITIZEN, "vi")["allowed_actions"] == []
    first, _ = rules.evaluate(returned, CITIZEN, RETURNED_AT, HAPPY, timedelta(seconds=-1))
    assert dossier_view(first, CITIZEN, "vi")["allowed_actions"] == [], "window already over"
