"""Processing after reception: hand-overs on the control slip (form 05), decisions, stop and withdrawal,
and who within an agency may act."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import pytest

from chalicelib.domain import transitions as rules
from chalicelib.domain.access import can_see
from chalicelib.domain.errors import Forbidden, TransitionNotAllowed, ValidationFailed
from chalicelib.domain.principal import Principal
from chalicelib.domain.states import Action, Role, Status, allowed_actions
from chalicelib.domain.times import iso
from chalicelib.services.dossiers import DossierService

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
    assert proposed.unit == "viec-lam"
    assert {k: proposed.assignee[k] for k in ("id", "name")} == {"id": SPECIALIST.id, "name": SPECIALIST.name}
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


# --- fees, results and their return -------------------------------------------------------------

FEE = {"amount_vnd": 450000, "purpose": "Lệ phí cấp giấy phép lao động", "note": ""}
PAYMENT = {"amount_vnd": 450000, "method": "cash", "receipt_number": "BL-0001", "note": ""}
RESULT_FILES = [{"upload_id": "res-1", "file_name": "giay-phep-lao-dong.pdf", "content_type": "application/pdf",
                 "size": 2048, "sha256": "cd" * 32,
                 "signature": {"signed_by": {"common_name": "Sở", "organisation": "Sở", "serial_number": "1f"},
                               "signed_at": "2026-03-02T03:00:00.000Z", "timestamped": False, "signed_here": True,
                               "verification_url": "/public/verifications/res-1"}},
                {"upload_id": "res-2", "file_name": "phu-luc.pdf", "content_type": "application/pdf",
                 "size": 1024, "sha256": "ef" * 32}]
DESK = {"kind": "desk", "agency_code": AGENCY}
ADDRESSES = {"online": None, "desk": None, "post": "25 Lý Thường Kiệt, Hoàn Kiếm, Hà Nội"}
PAUSED = T0 + timedelta(hours=3)  # Mon 2 Mar 2026 12:15 in Hà Nội
RESUMED = T0 + timedelta(days=2)  # Wed 4 Mar 2026 09:15: Tue 3 and Wed 4 Mar lost
DUE_AFTER_PAYMENT = date(2026, 3, 18)  # Mon 16 Mar + 2 working days


def _fee_requested():
    return rules.act(_assigned(), SPECIALIST, Action.REQUEST_FEE, PAUSED, TODAY, FEE)[0]


def _approved(method: str = "desk"):
    proposed = dataclasses.replace(_proposed(), delivery={"method": method, "address": ADDRESSES[method]})
    return rules.act(proposed, LEADER, Action.APPROVE, T0 + timedelta(hours=4), TODAY, {"note": ""})[0]


def _result_issued(method: str = "desk"):
    return rules.act(_approved(method), OFFICER, Action.ISSUE_RESULT, T0 + timedelta(hours=5), TODAY, {"note": ""},
                     DESK, results=RESULT_FILES)[0]


def test_requesting_a_fee_pauses_the_clock_and_records_the_fee():
    assigned = _assigned()
    waiting, event = rules.act(assigned, SPECIALIST, Action.REQUEST_FEE, PAUSED, TODAY, FEE)
    assert (waiting.status, waiting.national_status) == (Status.FEE_REQUESTED, 6)
    assert waiting.fee == {"amount_vnd": 450000, "purpose": FEE["purpose"], "requested_at": iso(PAUSED),
                           "requested_by": {"id": SPECIALIST.id, "name": SPECIALIST.name, "role": "specialist",
                                            "agency_code": AGENCY, "unit": "viec-lam"},
                           "payment": None}
    assert waiting.paused_at == iso(PAUSED)
    assert waiting.due_date == DUE, "the appointment date moves only once the payment is recorded"
    assert event.type == "dossier.fee_requested" and event.seq == waiting.version == assigned.version + 1
    assert event.payload["amount_vnd"] == 450000 and event.payload["purpose"] == FEE["purpose"]
    assert (event.payload["status"], event.payload["previous_status"]) == ("fee_requested", "assigned")
    assert "due_date" not in event.payload
    assert assigned.fee is None and assigned.paused_at is None, "the input dossier is not changed"


def test_the_desk_officer_may_request_a_fee_too():
    waiting, event = rules.act(_assigned(), OFFICER, Action.REQUEST_FEE, PAUSED, TODAY, FEE)
    assert waiting.status == Status.FEE_REQUESTED and waiting.fee["requested_by"]["role"] == "officer"
    assert event.actor["role"] == "officer"


def test_a_specialist_who_is_not_the_assignee_cannot_request_a_fee():
    with pytest.raises(Forbidden) as caught:
        rules.act(_assigned(), COLLEAGUE, Action.REQUEST_FEE, PAUSED, TODAY, FEE)
    assert caught.value.detail_code == "not_assignee"
    with pytest.raises(Forbidden) as leader:
        rules.act(_assigned(), LEADER, Action.REQUEST_FEE, PAUSED, TODAY, FEE)
    assert leader.value.detail_code == "role_not_allowed"


def test_recording_the_payment_resumes_the_clock_and_moves_the_appointment_date():
    waiting = _fee_requested()
    resumed, event = rules.act(waiting, OFFICER, Action.RECORD_PAYMENT, RESUMED, TODAY + timedelta(days=2), PAYMENT,
                               due_date=DUE_AFTER_PAYMENT)
    assert (resumed.status, resumed.national_status) == (Status.ASSIGNED, 4)
    assert resumed.paused_at is None
    assert resumed.due_date == DUE_AFTER_PAYMENT
    payment = resumed.fee["payment"]
    assert payment["amount_vnd"] == 450000 and payment["method"] == "cash" and payment["receipt_number"] == "BL-0001"
    assert payment["at"] == iso(RESUMED) and payment["by"]["id"] == OFFICER.id
    assert resumed.fee["purpose"] == FEE["purpose"] and resumed.fee["requested_at"] == iso(PAUSED)
    assert event.type == "dossier.fee_paid"
    assert event.payload["previous_due_date"] == "2026-03-16"
    assert event.payload["due_date"] == "2026-03-18"
    assert event.payload["due_date_reason"].startswith("record_payment")
    assert waiting.fee["payment"] is None and waiting.paused_at == iso(PAUSED)


def test_waiting_for_the_fee_does_not_end_the_specialists_step_on_the_control_slip():
    assigned = _assigned()
    waiting = rules.act(assigned, SPECIALIST, Action.REQUEST_FEE, PAUSED, TODAY, FEE)[0]
    assert waiting.control_slip == assigned.control_slip, "requesting a fee is not a hand-over"
    resumed = rules.act(waiting, OFFICER, Action.RECORD_PAYMENT, RESUMED, TODAY, PAYMENT, due_date=DUE_AFTER_PAYMENT)[0]
    assert len(resumed.control_slip) == len(assigned.control_slip), "nor is recording the payment"
    assert resumed.control_slip[-1]["action"] == "assign" and resumed.control_slip[-1]["completed_at"] is None
    # ...but the step that waited gets the waiting time back, as the dossier does.
    assert resumed.control_slip[-1]["due_date"] == DUE_AFTER_PAYMENT.isoformat()
    proposed = rules.act(resumed, SPECIALIST, Action.PROPOSE, RESUMED, TODAY,
                         {"assessment": "Đủ điều kiện", "proposal": "approve"}, {"kind": "leader"})[0]
    assert proposed.control_slip[-2]["completed_at"] == iso(RESUMED)
    assert proposed.control_slip[-1]["due_date"] == DUE_AFTER_PAYMENT.isoformat()


def test_the_service_adds_the_working_days_spent_waiting_for_the_payment():
    waiting = _fee_requested()
    assert DossierService._due_after_payment(waiting, PAYMENT, RESUMED) == DUE_AFTER_PAYMENT
    # Paid the same afternoon: no working day lost, the appointment stays.
    assert DossierService._due_after_payment(waiting, PAYMENT, PAUSED + timedelta(hours=2)) == DUE
    with pytest.raises(ValidationFailed) as caught:
        DossierService._due_after_payment(waiting, {**PAYMENT, "amount_vnd": 400000}, RESUMED)
    (error,) = caught.value.errors
    assert (error.field, error.code, error.params) == ("amount_vnd", "fee.amount_mismatch", {"requested": 450000})


def test_a_payment_without_a_new_due_date_leaves_the_appointment_and_the_payload_alone():
    resumed, event = rules.act(_fee_requested(), OFFICER, Action.RECORD_PAYMENT, RESUMED, TODAY, PAYMENT)
    assert resumed.due_date == DUE and resumed.paused_at is None
    assert not {"previous_due_date", "due_date", "due_date_reason"} & set(event.payload)


def test_only_the_desk_officer_records_a_payment():
    with pytest.raises(Forbidden):
        rules.act(_fee_requested(), SPECIALIST, Action.RECORD_PAYMENT, RESUMED, TODAY, PAYMENT)
    with pytest.raises(TransitionNotAllowed) as caught:
        rules.act(_assigned(), OFFICER, Action.RECORD_PAYMENT, RESUMED, TODAY, PAYMENT)
    # Not late: the apology letter the officer could write on a late dossier is not offered.
    assert caught.value.allowed_actions == ["request_fee"]


def test_while_waiting_for_the_fee_the_applicant_may_withdraw_and_the_leader_stop():
    withdrawn = rules.act(_fee_requested(), CITIZEN, Action.WITHDRAW, RESUMED, TODAY, {"reason": "Không nộp"})[0]
    assert (withdrawn.status, withdrawn.national_status) == (Status.WITHDRAWN, 7)
    stopped = rules.act(_fee_requested(), LEADER, Action.STOP, RESUMED, TODAY, {"reason": "Quá hạn nộp phí"})[0]
    assert (stopped.status, stopped.national_status) == (Status.STOPPED, 8)


def test_issuing_the_result_attaches_the_files_and_hands_the_dossier_to_the_desk():
    approved = _approved()
    issued, event = rules.act(approved, SPECIALIST, Action.ISSUE_RESULT, T0 + timedelta(hours=5), TODAY,
                              {"note": ""}, DESK, results=RESULT_FILES)
    assert (issued.status, issued.national_status) == (Status.RESULT_ISSUED, 9)
    assert issued.results == RESULT_FILES and approved.results == []
    step = issued.control_slip[-1]
    assert step["action"] == "issue_result" and step["step"] == len(approved.control_slip) + 1
    assert step["to"] == DESK and step["from"]["id"] == SPECIALIST.id and step["from"]["role"] == "specialist"
    assert step["due_date"] == DUE.isoformat() and step["completed_at"] is None
    assert approved.control_slip[-1]["completed_at"] is not None
    assert event.type == "dossier.result_issued"
    # The event names each document and whether it is signed (what the index counts), not the signature itself.
    assert event.payload["results"] == [
        {"upload_id": "res-1", "file_name": "giay-phep-lao-dong.pdf", "sha256": "cd" * 32, "size": 2048,
         "signed": True},
        {"upload_id": "res-2", "file_name": "phu-luc.pdf", "sha256": "ef" * 32, "size": 1024, "signed": False}]


def test_a_rejection_is_issued_too():
    rejected = rules.act(_proposed(), LEADER, Action.REJECT, T0, TODAY, {"reason": "Không đủ điều kiện"})[0]
    issued, _ = rules.act(rejected, LEADER, Action.ISSUE_RESULT, T0, TODAY, {"note": ""}, DESK,
                          results=RESULT_FILES[:1])
    assert issued.status == Status.RESULT_ISSUED and issued.results == RESULT_FILES[:1]
    assert issued.control_slip[-1]["from"]["role"] == "leader"


def test_a_return_action_for_another_delivery_method_is_refused_with_the_one_that_fits():
    issued = _result_issued("post")
    with pytest.raises(TransitionNotAllowed) as caught:
        rules.act(issued, OFFICER, Action.RETURN_ONLINE, T0 + timedelta(hours=6), TODAY, {"note": ""})
    assert caught.value.allowed_actions == ["send_by_post"]
    assert caught.value.params == {"status": "result_issued", "action": "return_online"}
    with pytest.raises(TransitionNotAllowed) as at_desk:
        rules.act(issued, OFFICER, Action.RETURN_AT_DESK, T0 + timedelta(hours=6), TODAY, {"received_by": "An"})
    assert at_desk.value.allowed_actions == ["send_by_post"]
    with pytest.raises(TransitionNotAllowed) as by_post:
        rules.act(_result_issued("online"), OFFICER, Action.SEND_BY_POST, T0, TODAY, {"tracking_number": "X"})
    assert by_post.value.allowed_actions == ["return_online"]


RETURNS = {
    "online": [(Action.RETURN_ONLINE, {"note": ""}, "dossier.returned")],
    "desk": [(Action.RETURN_AT_DESK, {"received_by": "Nguyễn Văn An", "id_number": "001095012345", "note": ""},
              "dossier.returned")],
    "post": [(Action.SEND_BY_POST, {"tracking_number": "EB123456789VN", "carrier": "VNPost", "note": ""},
              "dossier.sent_by_post"),
             (Action.RECORD_DELIVERY, {"delivered_on": "2026-03-05", "note": ""}, "dossier.returned")],
}


@pytest.mark.parametrize("method", sorted(RETURNS))
def test_the_result_reaches_the_applicant_by_the_delivery_method_they_chose(method):
    dossier = _result_issued(method)
    now = T0 + timedelta(hours=6)
    events = []
    for action, details, event_type in RETURNS[method]:
        dossier, event = rules.act(dossier, OFFICER, action, now, TODAY, details)
        assert event.type == event_type and event.seq == dossier.version
        events.append(event)
        now += timedelta(days=1)
    assert (dossier.status, dossier.national_status) == (Status.RETURNED, 10)
    assert events[-1].payload["national_status"] == 10
    assert dossier.returned["method"] == method and dossier.returned["by"]["id"] == OFFICER.id
    assert dossier.results == RESULT_FILES
    assert allowed_actions(dossier.status, set(Role) - {Role.SYSTEM}) == ["evaluate"]
    desk_step = dossier.control_slip[-1]
    assert desk_step["action"] == "issue_result", "returning the result is not a hand-over"
    assert desk_step["completed_at"] == iso(T0 + timedelta(hours=6)), "the first return action ends the desk's step"


def test_a_posted_result_is_in_the_post_until_its_delivery_is_recorded():
    posted, event = rules.act(_result_issued("post"), OFFICER, Action.SEND_BY_POST, T0, TODAY,
                              {"tracking_number": "EB123456789VN", "carrier": "VNPost"})
    assert (posted.status, posted.national_status) == (Status.IN_POST, 9)
    assert posted.returned["tracking_number"] == "EB123456789VN" and event.payload["tracking_number"] == "EB123456789VN"
    delivered = rules.act(posted, OFFICER, Action.RECORD_DELIVERY, T0 + timedelta(days=2), TODAY,
                          {"delivered_on": "2026-03-04"})[0]
    assert delivered.returned["tracking_number"] == "EB123456789VN" and delivered.returned["method"] == "post"
    assert delivered.returned["delivered"]["delivered_on"] == "2026-03-04"


def test_the_applicant_cannot_withdraw_once_the_result_is_issued():
    issued = _result_issued()
    with pytest.raises(TransitionNotAllowed) as caught:
        rules.act(issued, CITIZEN, Action.WITHDRAW, T0 + timedelta(hours=6), TODAY, {"reason": "x"})
    assert caught.value.allowed_actions == []
    with pytest.raises(TransitionNotAllowed):
        rules.act(issued, LEADER, Action.STOP, T0 + timedelta(hours=6), TODAY, {"reason": "x"})


# --------------------------------------------------------------------------- a supplement during processing


def test_the_specialist_asks_for_a_supplement_during_processing_and_the_clock_stops():
    items = [{"component_id": "application-form", "reason": "Thiếu chữ ký"}]
    asked, event = rules.request_supplement(_assigned(), SPECIALIST, T0 + timedelta(hours=3), items, "")
    assert asked.status == Status.SUPPLEMENT_IN_PROCESSING and asked.national_status == 5
    assert asked.paused_at == iso(T0 + timedelta(hours=3))
    assert event.payload["supplement_request"]["items"] == items and event.type == "dossier.supplement_requested"
    assert allowed_actions(asked.status, {Role.CITIZEN}) == ["resubmit", "withdraw"]


def test_the_applicants_answer_resumes_processing_with_the_appointment_date_moved_by_the_wait():
    items = [{"component_id": "application-form", "reason": "Thiếu chữ ký"}]
    asked = rules.request_supplement(_assigned(), LEADER, T0 + timedelta(hours=3), items, "")[0]
    files = [{"component_id": "application-form", "files": [{"upload_id": "u-9", "sha256": "9" * 64}]}]
    later = DUE + timedelta(days=3)
    resumed, event = rules.resubmit(asked, CITIZEN, T0 + timedelta(days=3), files, "Đã ký", due_date=later,
                                    statutory_due=later)
    assert resumed.status == Status.ASSIGNED and resumed.national_status == 4
    assert resumed.paused_at is None and resumed.due_date == later and resumed.statutory_due_date == later.isoformat()
    assert (event.payload["previous_due_date"], event.payload["due_date"]) == (DUE.isoformat(), later.isoformat())
    assert resumed.supplement_requests[-1]["resolved_at"] is not None


def test_a_supplement_before_reception_leaves_the_clock_alone():
    items = [{"component_id": "application-form", "reason": "Thiếu"}]
    asked = rules.request_supplement(_submitted(), OFFICER, T0, items, "")[0]
    assert asked.status == Status.SUPPLEMENT_REQUESTED and asked.paused_at is None


def test_only_the_unit_that_holds_the_dossier_asks_for_a_supplement_during_processing():
    items = [{"component_id": "application-form", "reason": "Thiếu"}]
    with pytest.raises((Forbidden, TransitionNotAllowed)):
        rules.request_supplement(_assigned(), OFFICER, T0, items, "")
    with pytest.raises(Forbidden):
        rules.request_supplement(_assigned(), OUTSIDER, T0, items, "")
