"""Reception regardless of administrative boundaries, as pure rules: which desk may take in which procedure, the
forward from the receiving desk to the competent agency (who may take it, who sees and acts before and after), the
hand-over on the control slip and the counts it makes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from chalicelib.domain import transitions as rules
from chalicelib.domain.access import can_see, home_staff, offered_actions
from chalicelib.domain.agencies import agency
from chalicelib.domain.dossier import CHANNEL_DESK, Dossier
from chalicelib.domain.errors import Forbidden, TransitionNotAllowed, ValidationFailed
from chalicelib.domain.forms import CONTROL_SLIP, RECEIPT, Field, Table, form_view
from chalicelib.domain.metric_facts import facts
from chalicelib.domain.principal import Principal
from chalicelib.domain.procedures import load_seed_catalogue
from chalicelib.domain.states import Action, Role, Status
from chalicelib.domain.times import iso
from chalicelib.services.dossiers import _receipt, _receiving_agency

HANOI, HCM = "000.00.20.H26", "000.00.20.H29"
# Received regardless of boundaries in the seed catalogue: Hồ Chí Minh City's exemption from a work permit.
ANYWHERE = next(p for p in load_seed_catalogue() if p.code == "1.014196")
ONLY_AT_HOME = next(p for p in load_seed_catalogue() if p.code == "1.014201")  # HCM's too, not on the list
HANOI_OWN = next(p for p in load_seed_catalogue() if p.code == "1.014199")
T0 = datetime(2026, 3, 2, 2, 15, tzinfo=UTC)  # Monday 09:15 in Hà Nội
TODAY = date(2026, 3, 2)
DUE = date(2026, 3, 9)


def _staff(agency_code: str, role: Role, name: str, unit: str | None = None) -> Principal:
    return Principal(id=f"{name}-id", username=name, roles=frozenset({role}), agency_code=agency_code, unit=unit,
                     name=name.title())


HANOI_DESK = _staff(HANOI, Role.OFFICER, "hoa")
HANOI_LEADER = _staff(HANOI, Role.LEADER, "lanh", "viec-lam")
HCM_DESK = _staff(HCM, Role.OFFICER, "tuan")
HCM_LEADER = _staff(HCM, Role.LEADER, "minh", "viec-lam")
TO_HCM = {"kind": "desk", "agency_code": HCM, "name": agency(HCM).name_vi}


def _draft(agency_code: str = HCM, receiving_agency: str | None = HANOI) -> Dossier:
    """A walk-in's dossier taken in at Hà Nội's desk: by default for Hồ Chí Minh City's procedure."""
    return Dossier(
        id="01JNSR0000000000000000000B", code=f"{HANOI}-260302-0001", procedure_code=ANYWHERE.code,
        procedure_version=ANYWHERE.version, agency_code=agency_code, receiving_agency=receiving_agency,
        owner_id="walk-in:1",
        applicant={"type": "business", "name": "Công ty TNHH Ví Dụ", "tax_code": "0100109106"},
        summary="Xác nhận miễn giấy phép lao động", components=[
            {"component_id": c.id, "files": [{"upload_id": f"up-{c.id}", "sha256": "ab" * 32}]}
            for c in ANYWHERE.components if c.required],
        delivery={"method": "desk", "address": None}, channel=CHANNEL_DESK, status=Status.SUBMITTED,
        submitted_at=T0)


def _taken_in_at_hanoi() -> Dossier:
    return rules.submit(_draft(), HANOI_DESK, T0)[0]


def _received_at_hanoi():
    taken = _taken_in_at_hanoi()
    when = T0 + timedelta(minutes=20)
    return rules.receive(taken, HANOI_DESK, when, DUE, _receipt(taken, ANYWHERE, HANOI_DESK, when, DUE, ""))


def _forwarded():
    received, _ = _received_at_hanoi()
    details = {"note": "Bản giấy gửi qua bưu điện", "paper_tracking_number": "EB123456789VN",
               "from_agency": HANOI, "to_agency": HCM}
    return rules.act(received, HANOI_DESK, Action.FORWARD, T0 + timedelta(hours=2), TODAY, details, TO_HCM)


def _transferred_at_hcm() -> Dossier:
    forwarded, _ = _forwarded()
    return rules.act(forwarded, HCM_DESK, Action.TRANSFER, T0 + timedelta(days=1), TODAY + timedelta(days=1),
                     {"unit": "viec-lam"}, {"kind": "unit", "unit": "viec-lam", "agency_code": HCM})[0]


# --- who may take in what -----------------------------------------------------------------------------------


def test_a_desk_takes_in_its_own_procedures_and_another_agencys_only_where_the_list_allows_it():
    assert ANYWHERE.reception_anywhere and not ONLY_AT_HOME.reception_anywhere
    assert _receiving_agency(HANOI_DESK, HANOI_OWN) is None, "its own: nothing to forward"
    assert _receiving_agency(HANOI_DESK, ANYWHERE) == HANOI
    assert _receiving_agency(HCM_DESK, ANYWHERE) is None
    with pytest.raises(ValidationFailed) as refused:
        _receiving_agency(HANOI_DESK, ONLY_AT_HOME)
    assert [(e.field, e.code, e.params) for e in refused.value.errors] == [
        ("procedure_code", "procedure.other_agency", {"agency_code": HCM})]


def test_the_receiving_desk_holds_the_dossier_and_gives_the_receipt_naming_both_agencies():
    taken = _taken_in_at_hanoi()
    assert (taken.holding_agency, taken.awaiting_forward) == (HANOI, True)
    assert can_see(HANOI_DESK, taken) and not can_see(HCM_DESK, taken), "the competent agency waits for the hand-over"
    assert offered_actions(HANOI_DESK, taken) == ["receive", "request_supplement", "refuse"]
    received, event = _received_at_hanoi()
    assert received.receipt["agency"]["code"] == HCM and received.receipt["receiving_agency"] == {
        "code": HANOI, "name_vi": agency(HANOI).name_vi, "name_en": agency(HANOI).name_en}
    assert received.control_slip[0]["to"]["agency_code"] == HANOI
    # The receipt (form 01) is the receiving desk's, and says who settles the dossier and returns the result.
    form = form_view(RECEIPT, received, ANYWHERE, lookup_url="",
                     agency={"code": HANOI, "name_vi": agency(HANOI).name_vi})
    fields = {b.label: b.value for s in form.sections for b in s.blocks if isinstance(b, Field)}
    assert agency(HCM).name_vi in fields["Cơ quan có thẩm quyền giải quyết"]
    assert fields["Nơi trả kết quả"] == f"Bộ phận một cửa, {agency(HCM).name_vi}"
    assert form.agency_lines[0] == agency(HANOI).name_vi.upper()


def test_a_dossier_received_for_another_agency_is_forwarded_never_transferred_and_its_own_the_other_way_round():
    received, _ = _received_at_hanoi()
    assert offered_actions(HANOI_DESK, received) == ["forward"]
    with pytest.raises(TransitionNotAllowed) as refused:
        rules.act(received, HANOI_DESK, Action.TRANSFER, T0 + timedelta(hours=1), TODAY, {"unit": "viec-lam"},
                  {"kind": "unit", "unit": "viec-lam"})
    assert refused.value.allowed_actions == ["forward"]
    own = rules.receive(rules.submit(_draft(HANOI, None), HANOI_DESK, T0)[0], HANOI_DESK, T0, DUE,
                        {"applicant_name": "Công ty TNHH Ví Dụ"})[0]
    assert offered_actions(HANOI_DESK, own) == ["transfer"]
    with pytest.raises(TransitionNotAllowed):
        rules.act(own, HANOI_DESK, Action.FORWARD, T0, TODAY, {"from_agency": None, "to_agency": HANOI}, TO_HCM)


def test_forwarding_hands_the_dossier_to_the_competent_agency_keeping_the_receipt_and_its_date():
    received, _ = _received_at_hanoi()
    forwarded, event = _forwarded()
    assert (forwarded.status, forwarded.national_status, forwarded.due_date) == (Status.FORWARDED, 2, DUE)
    assert forwarded.receipt == received.receipt and forwarded.received_at == received.received_at
    assert forwarded.forwarded == {
        "from_agency": HANOI, "to_agency": HCM, "to_agency_name": agency(HCM).name_vi,
        "at": iso(T0 + timedelta(hours=2)), "by": forwarded.forwarded["by"], "note": "Bản giấy gửi qua bưu điện",
        "paper_tracking_number": "EB123456789VN"}
    assert forwarded.forwarded["by"]["id"] == HANOI_DESK.id and forwarded.forwarded["by"]["agency_code"] == HANOI
    assert event.type == "dossier.forwarded"
    assert {k: event.payload[k] for k in ("status", "national_status", "from_agency", "to_agency")} == {
        "status": "forwarded", "national_status": 2, "from_agency": HANOI, "to_agency": HCM}
    assert (forwarded.holding_agency, forwarded.awaiting_forward) == (HCM, False)


def test_after_the_forward_the_receiving_desk_only_looks_and_the_competent_desk_acts():
    forwarded, _ = _forwarded()
    assert can_see(HANOI_DESK, forwarded) and offered_actions(HANOI_DESK, forwarded) == []
    assert not home_staff(HANOI_DESK, forwarded) and home_staff(HCM_DESK, forwarded)
    assert not can_see(HANOI_LEADER, forwarded), "only the desk that took it in keeps sight of it"
    with pytest.raises(Forbidden) as refused:
        rules.act(forwarded, HANOI_DESK, Action.TRANSFER, T0 + timedelta(hours=3), TODAY, {"unit": "viec-lam"},
                  {"kind": "unit", "unit": "viec-lam"})
    assert refused.value.detail_code == "wrong_agency"
    assert can_see(HCM_DESK, forwarded) and offered_actions(HCM_DESK, forwarded) == ["transfer"]
    transferred = _transferred_at_hcm()
    assert (transferred.status, transferred.unit) == (Status.TRANSFERRED, "viec-lam")
    assert can_see(HCM_LEADER, transferred) and "assign" in offered_actions(HCM_LEADER, transferred)
    assert can_see(HANOI_DESK, transferred) and offered_actions(HANOI_DESK, transferred) == []


def test_the_control_slip_shows_the_hand_over_from_the_receiving_desk_to_the_competent_agency():
    transferred = _transferred_at_hcm()
    receive, forward, transfer = transferred.control_slip
    assert forward["action"] == "forward" and forward["to"] == TO_HCM
    assert (forward["from"]["id"], forward["from"]["agency_code"]) == (HANOI_DESK.id, HANOI)
    assert forward["handed_at"] == iso(T0 + timedelta(hours=2)) and forward["due_date"] == DUE.isoformat()
    assert receive["completed_at"] == forward["handed_at"], "the reception step ends with the hand-over"
    assert forward["completed_at"] == transfer["handed_at"] and forward["on_time"] is True
    assert transfer["from"]["agency_code"] == HCM
    form = form_view(CONTROL_SLIP, transferred, ANYWHERE, lookup_url="",
                     agency={"code": HCM, "name_vi": agency(HCM).name_vi})
    table = next(b for s in form.sections for b in s.blocks if isinstance(b, Table))
    hanoi = agency(HANOI).name_vi
    assert [row[:3] for row in table.rows] == [
        ("1", "Người nộp hồ sơ: Công ty TNHH Ví Dụ", f"Bộ phận một cửa: Hoa ({hanoi})"),
        ("2", f"Bộ phận một cửa: Hoa ({hanoi})", f"Bộ phận một cửa: {agency(HCM).name_vi}"),
        ("3", "Bộ phận một cửa: Tuan", "viec-lam"),
    ]
    assert table.rows[1][3] == "11:15 02/03/2026" and table.rows[1][6].startswith(
        "Chuyển cơ quan có thẩm quyền giải quyết (tiếp nhận không phụ thuộc địa giới hành chính)")


def test_the_dossier_counts_for_the_competent_agency_and_the_reception_for_the_receiving_desk():
    submitted = rules.submit(_draft(), HANOI_DESK, T0)[1]
    assert submitted.payload["agency_code"] == HCM and submitted.payload["receiving_agency_code"] == HANOI
    history = [submitted.to_dict(), _received_at_hanoi()[1].to_dict()]
    at_reception = facts(history)
    assert {(f.agency, f.counter, f.officer) for f in at_reception} == {
        (HCM, "received", None), (HCM, "received_desk", None), (HCM, "digitised", None),
        (HANOI, "received_elsewhere", "hoa")}
    assert {f.procedure for f in at_reception} == {ANYWHERE.code}
    forward = _forwarded()[1].to_dict()
    assert {(f.agency, f.counter) for f in facts([*history, forward])} == {(HCM, "handovers"),
                                                                          (HCM, "handovers_electronic")}
    refusal = rules.refuse(_taken_in_at_hanoi(), HANOI_DESK, T0 + timedelta(minutes=5), "Thiếu giấy tờ")[1].to_dict()
    assert {(f.agency, f.counter, f.officer) for f in facts([submitted.to_dict(), refusal])} == {
        (HCM, "ended", None), (HCM, "refused", None), (HCM, "ended_on_time", None)}
