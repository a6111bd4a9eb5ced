"""Processing after reception: hand-overs on the control slip (form 05), decisions, stop and withdrawal,
and who within an agency may act."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from chalicelib.domain import dossier as rules
from chalicelib.domain.dossier import Principal, can_see
from chalicelib.domain.errors import Forbidden, TransitionNotAllowed
from chalicelib.domain.states import Action, Role, Status

from .test_dossier_rules import AGENCY, CITIZEN, OFFICER, OTHER_CITIZEN, T0, _submitted

DUE = date(2026, 3, 16)
LEADER = Principal(id="leader-1", username="lead", roles=frozenset({Role.LEADER}), agency_code=AGENCY,
                   unit="viec-lam", name="Trần Văn Lãnh")
OTHER_LEADER = Principal(id="leader-2", username="lead2", roles=frozenset({Role.LEADER}), agency_code=AGENCY,
                         unit="lao-dong")
SPECIALIST = Principal(id="spec-1", username="spec", roles=frozenset({Role.SPECIALIST}), agency_code=AGENCY,
                       unit="viec-lam", name="Phạm Thị Chuyên")
COLLEAGUE = Principal(id="spec-2", username="spec2", roles=frozenset({Role.SPECIALIST}), agency_code=AGENCY,
                      unit="viec-lam")
OUTSIDER = Principal(id="spec-3", username="spec3", roles=frozenset({Role.SPECIALIST}), agency_code=AGENCY,
                     unit="lao-dong")
TODAY = date(2026, 3, 2)


def _received():
    return rules.receive(_submitted(), OFFICER, T0, DUE, {"applicant_name": "Nguyễn Văn An"})[0]


def _transferred(step_due: str | None = None):
    details = {"unit": "viec-lam", **({"step_due": step_due} if step_due else {})}
    return rules.act(_received(), OFFICER, Action.TRANSFER, T0 + timedelta(hours=1), TODAY, details,
                     {"kind": "unit", "unit": "viec-lam"})[0]


def _assigned(**kwargs):
    return rules.act(_transferred(**kwargs), LEADER, Action.ASSIGN, T0 + timedelta(hours=2), TODAY,
                     {"specialist": "spec"}, {"kind": "specialist", "id": SPECIALIST.id, "name": SPECIALIST.name})[0]


def _proposed():
    return rules.act(_assigned(), SPECIALIST, Action.PROPOSE, T0 + timedelta(hours=3), TODAY,
                     {"assessment": "Đủ điều kiện", "proposal": "approve"}, {"kind": "leader", "unit": "viec-lam"})[0]


def test_reception_opens_the_control_slip_from_the_applicant_to_the_desk():
    (step,) = _received().control_slip
    assert (step["step"], step["action"], step["from"]["kind"], step["to"]["kind"]) == (1, "receive", "applicant",
                                                                                        "desk")
    assert step["to"]["id"] == OFFICER.id and step["due_date"] == DUE.isoformat()
    assert step["completed_at"] is None and step["on_time"] is None


def test_each_hand_over_closes_the_previous_step_and_opens_the_next():
    proposed = _proposed()
    assert [s["action"] for s in proposed.control_slip] == ["receive", "transfer", "assign", "propose"]
    assert all(s["completed_at"] and s["on_time"] is True for s in proposed.control_slip[:-1])
    transfer, assign, propose = proposed.control_slip[1:]
    assert transfer["to"] == {"kind": "unit", "unit": "viec-lam"} and transfer["from"]["role"] == "officer"
    assert assign["to"]["id"] == SPECIALIST.id and assign["from"]["role"] == "leader"
    assert propose["from"]["role"] == "specialist" and propose["completed_at"] is None
    assert proposed.unit == "viec-lam" and proposed.assignee == {"id": SPECIALIST.id, "name": SPECIALIST.name}
    assert proposed.proposal["proposal"] == "approve" and proposed.proposal["by"]["id"] == SPECIALIST.id


def test_a_step_handed_on_after_its_own_due_date_is_late():
    late = _assigned(step_due=(TODAY - timedelta(days=1)).isoformat())
    transfer = late.control_slip[1]
    assert transfer["due_date"] == "2026-03-01" and transfer["on_time"] is False


def test_the_leaders_decision_closes_the_last_step_and_ends_processing():
    approved, event = rules.act(_proposed(), LEADER, Action.APPROVE, T0 + timedelta(hours=4), TODAY, {"note": ""})
    assert (approved.status, approved.national_status) == (Status.APPROVED, 9)
    assert approved.decision["outcome"] == "approve" and approved.decision["by"]["id"] == LEADER.id
    assert approved.control_slip[-1]["completed_at"] is not None
    assert len(approved.control_slip) == 4, "a decision is not a hand-over"
    assert event.type == "dossier.approved" and event.seq == approved.version


def test_sending_back_returns_the_dossier_to_the_specialist():
    back, event = rules.act(_proposed(), LEADER, Action.SEND_BACK, T0 + timedelta(hours=4), TODAY,
                            {"reason": "Thiếu đánh giá"}, {"kind": "specialist", "id": SPECIALIST.id})
    assert back.status == Status.ASSIGNED and event.payload["reason"] == "Thiếu đánh giá"
    assert back.control_slip[-1]["action"] == "send_back" and back.control_slip[-1]["to"]["id"] == SPECIALIST.id


def test_within_the_agency_only_the_units_leader_and_the_assignee_may_act():
    with pytest.raises(Forbidden) as wrong_unit:
        rules.act(_transferred(), OTHER_LEADER, Action.ASSIGN, T0, TODAY, {"specialist": "x"}, {"id": "x"})
    assert wrong_unit.value.detail_code == "wrong_unit"
    with pytest.raises(Forbidden) as not_assignee:
        rules.act(_assigned(), COLLEAGUE, Action.PROPOSE, T0, TODAY, {"assessment": "x", "proposal": "approve"},
                  {"kind": "leader"})
    assert not_assignee.value.detail_code == "not_assignee"
    with pytest.raises(Forbidden):
        rules.act(_assigned(), OFFICER, Action.APPROVE, T0, TODAY, {"note": ""})


def test_leaders_and_specialists_see_what_reached_their_unit():
    received, assigned = _received(), _assigned()
    assert not can_see(LEADER, received) and not can_see(SPECIALIST, received)
    assert can_see(LEADER, assigned) and can_see(SPECIALIST, assigned) and can_see(COLLEAGUE, assigned)
    assert not can_see(OUTSIDER, assigned) and not can_see(OTHER_LEADER, assigned)


def test_the_applicant_may_withdraw_before_the_decision_and_nobody_acts_afterwards():
    withdrawn, event = rules.act(_assigned(), CITIZEN, Action.WITHDRAW, T0, TODAY, {"reason": "Không còn nhu cầu"})
    assert (withdrawn.status, withdrawn.national_status) == (Status.WITHDRAWN, 7)
    assert withdrawn.ended["action"] == "withdraw" and event.type == "dossier.withdrawn"
    with pytest.raises(TransitionNotAllowed) as caught:
        rules.act(withdrawn, LEADER, Action.STOP, T0, TODAY, {"reason": "x"})
    assert caught.value.allowed_actions == []
    with pytest.raises(Forbidden):
        rules.act(_assigned(), OTHER_CITIZEN, Action.WITHDRAW, T0, TODAY, {"reason": "x"})


def test_a_leader_may_stop_processing_with_a_reason():
    stopped, event = rules.act(_assigned(), LEADER, Action.STOP, T0, TODAY, {"reason": "Trùng hồ sơ"})
    assert (stopped.status, stopped.national_status) == (Status.STOPPED, 8)
    assert stopped.ended == {**stopped.ended, "action": "stop", "reason": "Trùng hồ sơ"}
    assert event.payload["reason"] == "Trùng hồ sơ"


def test_a_decided_dossier_cannot_be_withdrawn():
    approved = rules.act(_proposed(), LEADER, Action.APPROVE, T0, TODAY, {"note": ""})[0]
    with pytest.raises(TransitionNotAllowed):
        rules.act(approved, CITIZEN, Action.WITHDRAW, T0, TODAY, {"reason": "x"})
