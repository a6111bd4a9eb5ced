"""The one-stop forms of a dossier (chalicelib/domain/forms.py): which exist at each point of its life, the
edition that numbers them, and what each one states."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from chalicelib.domain import transitions as rules
from chalicelib.domain.dossier import CHANNEL_ONLINE, Dossier
from chalicelib.domain.forms import (
    APOLOGY,
    CONTROL_SLIP,
    FORM_SLUGS,
    FORMS,
    RECEIPT,
    REFUSAL,
    STOP_NOTICE,
    SUPPLEMENT_REQUEST,
    Field,
    FormNotAvailable,
    FormView,
    Paragraph,
    Table,
    UnknownForm,
    available_forms,
    entry_number,
    form_heading,
    form_view,
    long_date,
    register_heading,
)
from chalicelib.domain.principal import Principal
from chalicelib.domain.procedures import load_seed_catalogue
from chalicelib.domain.states import Action, Role
from chalicelib.services.dossiers import _receipt

# -- one dossier's life, as the rules move it ---------------------------------------------------------

AGENCY = "000.00.20.H26"
CODE = f"{AGENCY}-260302-0007"
T0 = datetime(2026, 3, 2, 2, 15, tzinfo=UTC)  # Monday 2 March 2026, 09:15 in Hà Nội
RECEIVED_AT = datetime(2026, 3, 3, 1, 40, tzinfo=UTC)  # Tuesday 08:40, after the supplement
DUE = date(2026, 3, 31)  # 20 working days on
NEW_DUE = date(2026, 4, 7)
LOOKUP = f"https://dichvucong.example.vn/tra-cuu?ma={CODE}"
AGENCY_INFO = {"code": AGENCY, "name_vi": "Sở Lao động - Thương binh và Xã hội thành phố Hà Nội",
               "email": "motcua@soldtbxh.hanoi.example.vn", "place": "Hà Nội",
               "units": [{"id": "viec-lam", "name_vi": "Phòng Việc làm - An toàn lao động"}]}

CITIZEN = Principal(id="citizen-7", username="nhung.nguyen", roles=frozenset({Role.CITIZEN}),
                    name="Nguyễn Thị Hồng Nhung")
OFFICER = Principal(id="officer-3", username="desk.3", roles=frozenset({Role.OFFICER}), agency_code=AGENCY,
                    name="Lê Thị Cúc")
LEADER = Principal(id="leader-1", username="lead", roles=frozenset({Role.LEADER}), agency_code=AGENCY,
                   unit="viec-lam", name="Trần Văn Lãnh")
SPECIALIST = Principal(id="spec-1", username="spec", roles=frozenset({Role.SPECIALIST}), agency_code=AGENCY,
                       unit="viec-lam", name="Phạm Thị Chuyên")
SYSTEM = Principal(id="system:deadlines", username="scan", roles=frozenset({Role.SYSTEM}))

APPLICANT = {"type": "person", "full_name": "Nguyễn Thị Hồng Nhung", "citizen_id": "001190012345",
             "date_of_birth": "1990-05-17", "phone": "0912345678", "email": "nhung.nguyen@example.vn",
             "address": "Số 12 ngõ 34 phố Hoàng Hoa Thám, phường Ngọc Hà, Hà Nội"}
DESK_REASON = "Quyết định chấm dứt hợp đồng lao động chưa có chữ ký và dấu của doanh nghiệp"
PROCESSING_REASON = "Sổ bảo hiểm xã hội chưa chốt thời gian đóng đến tháng 02/2026"
REFUSAL_REASON = "Đã quá 03 tháng kể từ ngày chấm dứt hợp đồng lao động"
APOLOGY_REASON = "Chờ Bảo hiểm xã hội thành phố xác nhận thời gian đóng bảo hiểm thất nghiệp"
STOP_REASON = "Người lao động đã có việc làm mới trước khi có quyết định hưởng trợ cấp"


def procedure():
    return next(p for p in load_seed_catalogue() if p.code == "1.001978")


def _file(upload_id: str) -> dict:
    return {"upload_id": upload_id, "file_name": f"{upload_id}.pdf", "content_type": "application/pdf",
            "size": 1000, "sha256": "ab" * 32}


def submitted() -> Dossier:
    draft = Dossier(
        id="01JNSR00000000000000000007", code=CODE, procedure_code="1.001978", procedure_version=1,
        agency_code=AGENCY, owner_id=CITIZEN.id, applicant=dict(APPLICANT),
        summary="Đề nghị hưởng trợ cấp thất nghiệp", components=[
            {"component_id": "application-form", "files": [_file("up-1")]},
            {"component_id": "termination-proof", "files": [_file("up-2"), _file("up-3")]},
            {"component_id": "social-insurance-book", "files": [_file("up-4")]},
        ], delivery={"method": "desk", "address": None}, channel=CHANNEL_ONLINE, status=None, submitted_at=T0)
    return rules.submit(draft, CITIZEN, T0)[0]


def _items(*pairs: tuple[str, str]) -> list[dict]:
    names = {c.id: c.name_vi for c in procedure().components}
    return [{"component_id": c, "reason": r, "name_vi": names[c], "name_en": c} for c, r in pairs]


def asked_at_the_desk() -> Dossier:
    items = _items(("termination-proof", DESK_REASON))
    return rules.request_supplement(submitted(), OFFICER, T0 + timedelta(minutes=30), items,
                                    "Bổ sung trực tuyến trên Cổng Dịch vụ công")[0]


def received() -> Dossier:
    completed = rules.resubmit(asked_at_the_desk(), CITIZEN, RECEIVED_AT - timedelta(hours=1),
                               [{"component_id": "termination-proof", "files": [_file("up-5")]}], "Đã bổ sung")[0]
    receipt = _receipt(completed, procedure(), OFFICER, RECEIVED_AT, DUE, "")
    return rules.receive(completed, OFFICER, RECEIVED_AT, DUE, receipt)[0]


def refused() -> Dossier:
    return rules.refuse(submitted(), OFFICER, T0 + timedelta(hours=1), REFUSAL_REASON)[0]


def assigned() -> Dossier:
    transferred = rules.act(received(), OFFICER, Action.TRANSFER, RECEIVED_AT + timedelta(hours=2),
                            date(2026, 3, 3), {"unit": "viec-lam"},
                            {"kind": "unit", "unit": "viec-lam", "name": "Phòng Việc làm - An toàn lao động"})[0]
    return rules.act(transferred, LEADER, Action.ASSIGN, RECEIVED_AT + timedelta(days=1), date(2026, 3, 4),
                     {"specialist": "spec"}, {"kind": "specialist", "id": SPECIALIST.id, "name": SPECIALIST.name,
                                              "username": "spec"})[0]


def asked_during_processing() -> Dossier:
    items = _items(("social-insurance-book", PROCESSING_REASON), ("application-form", "Thiếu chữ ký"))
    return rules.request_supplement(assigned(), SPECIALIST, RECEIVED_AT + timedelta(days=2), items, "")[0]


def stopped() -> Dossier:
    return rules.act(assigned(), LEADER, Action.STOP, RECEIVED_AT + timedelta(days=3), date(2026, 3, 6),
                     {"reason": STOP_REASON})[0]


LATE_AT = datetime(2026, 4, 1, 2, 0, tzinfo=UTC)


def apologised() -> Dossier:
    flagged = rules.act(assigned(), SYSTEM, Action.FLAG_OVERDUE, LATE_AT, date(2026, 4, 1),
                        {"due_date": DUE.isoformat(), "as_of": "2026-04-01"})[0]
    return rules.act(flagged, OFFICER, Action.APOLOGISE, LATE_AT + timedelta(hours=1), date(2026, 4, 1),
                     {"reason": APOLOGY_REASON}, due_date=NEW_DUE)[0]


def returned() -> Dossier:
    proposed = rules.act(apologised(), SPECIALIST, Action.PROPOSE, LATE_AT + timedelta(days=1), date(2026, 4, 2),
                         {"assessment": "Đủ điều kiện hưởng", "proposal": "approve"},
                         {"kind": "leader", "unit": "viec-lam", "agency_code": AGENCY})[0]
    approved = rules.act(proposed, LEADER, Action.APPROVE, LATE_AT + timedelta(days=2), date(2026, 4, 3),
                         {"note": ""})[0]
    issued = rules.act(approved, LEADER, Action.ISSUE_RESULT, LATE_AT + timedelta(days=2, hours=1), date(2026, 4, 3),
                       {"note": ""}, {"kind": "desk", "agency_code": AGENCY}, results=[_file("result-1")])[0]
    return rules.act(issued, OFFICER, Action.RETURN_AT_DESK, LATE_AT + timedelta(days=5), date(2026, 4, 6),
                     {"note": "Đã trả tại quầy"})[0]


def view(slug: str, dossier: Dossier, **kwargs) -> FormView:
    return form_view(slug, dossier, procedure(), lookup_url=LOOKUP, agency=AGENCY_INFO, **kwargs)


def texts(form: FormView) -> list[str]:
    """Every string the form prints, in order."""
    found = [*form.agency_lines, form.dateline, form.title, form.dossier_code]
    found += [f"{f.label}: {f.value}" for f in form.applicant]
    for section in form.sections:
        found += [section.heading] if section.heading else []
        for block in section.blocks:
            if isinstance(block, Field):
                found.append(f"{block.label}: {block.value}")
            elif isinstance(block, Paragraph):
                found.append(block.text)
            elif isinstance(block, Table):
                found += [" | ".join(block.columns)] + [" | ".join(row) for row in block.rows]
    found += [f"{s.title} {s.note} {s.name}" for s in form.signatures]
    return found


def printed(form: FormView) -> str:
    return "\n".join(texts(form))


# -- which forms exist when -----------------------------------------------------------------------


def test_a_dossier_just_submitted_has_no_form():
    assert available_forms(submitted()) == []


@pytest.mark.parametrize(("stage", "expected"), [
    (asked_at_the_desk, [SUPPLEMENT_REQUEST]),
    (refused, [REFUSAL]),
    (received, [RECEIPT, SUPPLEMENT_REQUEST, CONTROL_SLIP]),
    (asked_during_processing, [RECEIPT, SUPPLEMENT_REQUEST, CONTROL_SLIP]),
    (stopped, [RECEIPT, SUPPLEMENT_REQUEST, STOP_NOTICE, CONTROL_SLIP]),
    (apologised, [RECEIPT, SUPPLEMENT_REQUEST, APOLOGY, CONTROL_SLIP]),
    (returned, [RECEIPT, SUPPLEMENT_REQUEST, APOLOGY, CONTROL_SLIP]),
], ids=lambda v: getattr(v, "__name__", ""))
def test_a_form_exists_once_the_data_it_prints_exists(stage, expected):
    assert available_forms(stage()) == expected


def test_the_slugs_are_the_forms_in_their_order():
    assert FORM_SLUGS == ("receipt", "supplement-request", "refusal", "apology", "stop-notice", "control-slip",
                          "payment-receipt")
    assert list(FORMS) == list(FORM_SLUGS)


@pytest.mark.parametrize("slug", [RECEIPT, REFUSAL, APOLOGY, STOP_NOTICE, CONTROL_SLIP])
def test_asking_for_a_form_the_dossier_does_not_have_yet_is_refused(slug):
    with pytest.raises(FormNotAvailable) as caught:
        view(slug, asked_at_the_desk())
    assert caught.value.detail_code == "form_not_found"


def test_an_unknown_form_is_refused():
    with pytest.raises(UnknownForm):
        view("invoice", received())


def test_an_earlier_request_than_there_is_is_not_available():
    with pytest.raises(FormNotAvailable):
        view(SUPPLEMENT_REQUEST, asked_at_the_desk(), index=1)


# -- the editions --------------------------------------------------------------------------------


def test_forms_issued_since_the_2025_circular_carry_its_numbers_and_titles():
    dossier = stopped()
    assert view(STOP_NOTICE, dossier).number == "05"
    control = view(CONTROL_SLIP, dossier)
    assert (control.number, control.title) == ("06", "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ")
    assert control.basis == "Thông tư số 03/2025/TT-VPCP"
    assert view(APOLOGY, apologised()).title == "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT"
    assert register_heading(date(2026, 1, 1))[:2] == ("07", "SỔ THEO DÕI HỒ SƠ")


def _earlier(dossier: Dossier, days: int) -> Dossier:
    """The same dossier, received `days` earlier: the slip and the receipt move with it."""
    shift = timedelta(days=days)
    moved = Dossier.from_dict(dossier.to_dict())
    moved.received_at = dossier.received_at - shift
    moved.receipt = {**dossier.receipt, "received_at": (dossier.received_at - shift).isoformat()}
    moved.control_slip = [{**s, "handed_at": (datetime.fromisoformat(s["handed_at"].replace("Z", "+00:00"))
                                              - shift).isoformat()} for s in dossier.control_slip]
    return moved


def test_a_form_issued_under_the_2018_circular_is_reprinted_as_it_was_issued():
    old = _earlier(received(), 365)  # received in March 2025
    control = view(CONTROL_SLIP, old)
    assert (control.number, control.basis) == ("05", "Thông tư số 01/2018/TT-VPCP")
    assert view(RECEIPT, old).number == "01"
    assert form_heading(CONTROL_SLIP, old) == ("05", "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ")
    assert register_heading(date(2025, 3, 1))[0] == "06"


def test_a_stop_before_the_2025_circular_has_no_notice():
    dossier = stopped()
    dossier.ended = {**dossier.ended, "at": "2025-06-30T03:00:00.000Z"}
    assert STOP_NOTICE not in available_forms(dossier)
    with pytest.raises(FormNotAvailable):
        view(STOP_NOTICE, dossier)


# -- what each form states ------------------------------------------------------------------------


def test_every_form_names_the_dossier_the_applicant_and_the_agency():
    dossier = returned()
    for slug in available_forms(dossier):
        form = view(slug, dossier)
        assert form.dossier_code == CODE and form.lookup_url == LOOKUP
        assert dict((f.label, f.value) for f in form.applicant) == {
            "Họ và tên": "Nguyễn Thị Hồng Nhung", "Số định danh cá nhân": "001190012345",
            "Địa chỉ": APPLICANT["address"], "Số điện thoại": "0912345678", "Email": "nhung.nguyen@example.vn"}
        assert form.author == AGENCY_INFO["name_vi"]
        assert form.dateline.startswith("Hà Nội, ngày ")


def test_the_receipt_states_the_components_the_appointment_where_the_result_is_returned_and_the_entry():
    form = view(RECEIPT, received())
    text = printed(form)
    table = next(b for s in form.sections for b in s.blocks if isinstance(b, Table))
    names = {c.id: c.name_vi for c in procedure().components}
    assert [row[1:] for row in table.rows] == [(names["application-form"], "1"), (names["termination-proof"], "3"),
                                               (names["social-insurance-book"], "1")]
    assert "Số lượng hồ sơ: 01 (bộ)" in text
    assert "Thời gian giải quyết hồ sơ theo quy định: 20 ngày làm việc" in text
    assert "Thời gian nhận hồ sơ: 08 giờ 40 phút, ngày 03/03/2026" in text
    assert "Thời gian trả kết quả giải quyết hồ sơ: 17 giờ 00 phút, ngày 31/03/2026" in text
    assert f"Nơi trả kết quả: Bộ phận một cửa, {AGENCY_INFO['name_vi']}" in text
    assert "Vào Sổ theo dõi hồ sơ: Quyển số 260302, Số thứ tự 0007" in text
    assert form.agency_lines == (AGENCY_INFO["name_vi"].upper(), "BỘ PHẬN MỘT CỬA")
    assert [(s.title, s.name) for s in form.signatures] == [("NGƯỜI NỘP HỒ SƠ", "Nguyễn Thị Hồng Nhung"),
                                                           ("NGƯỜI TIẾP NHẬN", "Lê Thị Cúc")]
    assert form.issued_at.isoformat() == "2026-03-03T08:40:00+07:00"


def test_the_receipt_says_where_a_posted_result_goes():
    dossier = received()
    dossier.receipt["delivery"] = {"method": "post", "address": "Số 5 Lý Thường Kiệt, Hà Nội"}
    assert "Nơi trả kết quả: Qua dịch vụ bưu chính công ích, đến địa chỉ: Số 5 Lý Thường Kiệt, Hà Nội" in printed(
        view(RECEIPT, dossier))


def test_the_register_entry_is_the_codes_day_and_sequence():
    assert entry_number("000.00.20.H26-260302-0007") == ("260302", "0007")
    assert entry_number("000.00.20.H26-261121-12345") == ("261121", "12345")
    assert entry_number("not a code") is None


def test_the_supplement_request_lists_each_item_with_its_reason_and_who_to_ask():
    form = view(SUPPLEMENT_REQUEST, asked_during_processing())
    table = next(b for s in form.sections for b in s.blocks if isinstance(b, Table))
    names = {c.id: c.name_vi for c in procedure().components}
    assert [row[1:] for row in table.rows] == [(names["social-insurance-book"], PROCESSING_REASON),
                                               (names["application-form"], "Thiếu chữ ký")]
    text = printed(form)
    assert "Yêu cầu bổ sung lần thứ: 2" in text
    assert f"Người hướng dẫn: Phạm Thị Chuyên (chuyên viên), {AGENCY_INFO['name_vi']}" in text
    assert "Liên hệ: email motcua@soldtbxh.hanoi.example.vn" in text
    assert [(s.title, s.name) for s in form.signatures] == [("NGƯỜI HƯỚNG DẪN", "Phạm Thị Chuyên")]


def test_an_earlier_supplement_request_can_be_printed_again():
    form = view(SUPPLEMENT_REQUEST, asked_during_processing(), index=0)
    assert DESK_REASON in printed(form) and PROCESSING_REASON not in printed(form)
    assert "Yêu cầu bổ sung lần thứ: 1" in printed(form)
    assert form.signatures[0].name == "Lê Thị Cúc"


def test_the_refusal_states_the_reason():
    form = view(REFUSAL, refused())
    assert f"Lý do: {REFUSAL_REASON}" in printed(form)
    assert form.signatures[0].name == "Lê Thị Cúc"
    assert form.issued_at.isoformat() == "2026-03-02T10:15:00+07:00"


def test_the_apology_gives_both_dates_the_reason_and_is_signed_for_the_head_of_the_agency():
    form = view(APOLOGY, returned())
    text = printed(form)
    assert "Thời gian hẹn trả kết quả: 31/03/2026" in text
    assert "Thời gian hẹn trả kết quả mới: 17 giờ 00 phút, ngày 07/04/2026" in text
    assert f"Lý do: {APOLOGY_REASON}" in text
    assert [(s.title, s.name) for s in form.signatures] == [("TM./KT. THỦ TRƯỞNG CƠ QUAN", "Lê Thị Cúc")]
    assert form.agency_lines == (AGENCY_INFO["name_vi"].upper(),), "issued by the agency, not by its desk"


def test_the_stop_notice_states_the_reason():
    text = printed(view(STOP_NOTICE, stopped()))
    assert f"Lý do: {STOP_REASON}" in text and "Thời điểm dừng giải quyết: 08 giờ 40 phút, ngày 06/03/2026" in text


def test_the_control_slip_lists_every_hand_over_with_its_result():
    form = view(CONTROL_SLIP, returned())
    table = next(b for s in form.sections for b in s.blocks if isinstance(b, Table))
    assert [row[:3] for row in table.rows] == [
        ("1", "Người nộp hồ sơ: Nguyễn Thị Hồng Nhung", "Bộ phận một cửa: Lê Thị Cúc"),
        ("2", "Bộ phận một cửa: Lê Thị Cúc", "Phòng Việc làm - An toàn lao động"),
        ("3", "Lãnh đạo: Trần Văn Lãnh", "Chuyên viên: Phạm Thị Chuyên"),
        ("4", "Chuyên viên: Phạm Thị Chuyên", "Lãnh đạo Phòng Việc làm - An toàn lao động"),
        ("5", "Lãnh đạo: Trần Văn Lãnh", "Bộ phận một cửa"),
    ]
    assert [row[3] for row in table.rows] == ["08:40 03/03/2026", "10:40 03/03/2026", "08:40 04/03/2026",
                                              "09:00 02/04/2026", "10:00 03/04/2026"]
    # Every step was handed on before its due day; the specialist's, open when the apology letter moved the
    # appointment, was due on the new date from then on.
    assert [row[5] for row in table.rows] == ["Trước hạn"] * 5
    assert [row[4] for row in table.rows] == ["31/03/2026", "31/03/2026", "07/04/2026", "07/04/2026", "07/04/2026"]
    assert "Tiếp nhận hồ sơ" in table.rows[0][6] and "chuyển tiếp lúc 10:40 03/03/2026" in table.rows[0][6]
    assert form.signatures == ()
    assert form.issued_at.isoformat() == "2026-04-06T09:00:00+07:00", "the slip's latest entry"


def test_a_step_handed_on_its_due_day_is_on_time_after_it_late_and_an_open_one_in_progress():
    dossier = received()
    first = dossier.control_slip[0]
    dossier.control_slip = [
        {**first, "completed_at": "2026-03-31T09:00:00.000Z", "on_time": True},  # 16:00 on the due day
        {**first, "step": 2, "completed_at": "2026-04-01T02:00:00.000Z", "on_time": False},
        {**first, "step": 3, "completed_at": None, "on_time": None}]
    rows = next(b for s in view(CONTROL_SLIP, dossier).sections for b in s.blocks if isinstance(b, Table)).rows
    assert [row[5] for row in rows] == ["Đúng hạn", "Quá hạn", "Đang xử lý"]


def test_a_business_applicant_is_named_with_its_tax_code_and_representative():
    dossier = received()
    dossier.applicant = {"type": "business", "name": "Công ty TNHH Ánh Dương", "tax_code": "0101234567",
                         "address": "Hà Nội", "representative": {"full_name": "Đỗ Văn Hải"}}
    form = view(RECEIPT, dossier)
    assert [f.label for f in form.applicant][:3] == ["Tên tổ chức", "Mã số thuế", "Người đại diện"]
    assert "Số điện thoại: ……" in printed(form), "an unknown contact is left blank to fill in"
    assert "Tổ chức Công ty TNHH Ánh Dương" in printed(form)


@pytest.mark.parametrize(("day", "expected"), [
    (date(2026, 3, 2), "ngày 02 tháng 3 năm 2026"),
    (date(2026, 1, 15), "ngày 15 tháng 01 năm 2026"),
    (date(2026, 2, 9), "ngày 09 tháng 02 năm 2026"),
    (date(2026, 11, 24), "ngày 24 tháng 11 năm 2026"),
])
def test_dates_are_written_the_way_official_documents_write_them(day, expected):
    assert long_date(day) == expected
