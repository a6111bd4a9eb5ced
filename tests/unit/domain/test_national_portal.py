"""What the platform tells the national portal: the dossier record (DongBoHoSoMC), progress entries
(CapNhatTienDoHoSoMC), the portal's time format and its rule on the order of statuses (docs/national-portal.md)."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import pytest

from chalicelib.domain import national_portal as portal
from chalicelib.domain import transitions as rules
from chalicelib.domain.dossier import CHANNEL_DESK, CHANNEL_ONLINE, CHANNEL_POST, Dossier
from chalicelib.domain.principal import Principal
from chalicelib.domain.procedures import load_seed_catalogue
from chalicelib.domain.states import STATUSES, Action, Role, Status

AGENCY = "000.00.20.H26"
AGENCY_NAME = "Sở Lao động - Thương binh và Xã hội thành phố Hà Nội"
PARTNER = "000.00.20.H29"
T0 = datetime(2026, 3, 2, 2, 15, 30, tzinfo=UTC)  # 09:15:30 in Hà Nội
DUE = date(2026, 3, 16)
TODAY = date(2026, 3, 2)
PROCEDURE = next(p for p in load_seed_catalogue() if p.code == "1.014199")

CITIZEN = Principal(id="citizen-1", username="an.nguyen", roles=frozenset({Role.CITIZEN}), name="Nguyễn Văn An")
OFFICER = Principal(id="officer-1", username="desk.1", roles=frozenset({Role.OFFICER}), agency_code=AGENCY,
                    name="Lê Thị Cúc")
LEADER = Principal(id="leader-1", username="lead", roles=frozenset({Role.LEADER}), agency_code=AGENCY,
                   unit="viec-lam", name="Trần Văn Lãnh")
SPECIALIST = Principal(id="spec-1", username="spec", roles=frozenset({Role.SPECIALIST}), agency_code=AGENCY,
                       unit="viec-lam")  # no display name: the username stands in
SYSTEM = Principal(id="system", username="system", roles=frozenset({Role.SYSTEM}))
# The desk of another agency, which takes in dossiers of AGENCY's procedures received regardless of boundaries.
PARTNER_OFFICER = Principal(id="officer-2", username="desk.hcm", roles=frozenset({Role.OFFICER}), agency_code=PARTNER,
                            name="Phạm Minh Tuấn")

PERSON = {"type": "person", "full_name": "Nguyễn Văn An", "citizen_id": "001095012345", "date_of_birth": "1995-04-12",
          "phone": "0912345678", "email": "an@example.vn", "address": "12 Phố Huế, Hà Nội"}
BUSINESS = {"type": "business", "name": "Công ty TNHH Sao Mai", "tax_code": "0101234567",
            "address": "5 Láng Hạ, Hà Nội", "representative": {"full_name": "Trần Thị Bình"},
            "phone": None, "email": None}


def _file(upload_id: str) -> dict:
    return {"upload_id": upload_id, "file_name": f"{upload_id}.pdf", "content_type": "application/pdf",
            "size": 1000, "sha256": "ab" * 32}


def _url(upload_id: str) -> str:
    return f"https://files.example.vn/{upload_id}"


def _at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


class Flow:
    """A dossier moved through the real state machine, with the events it recorded (as stored)."""

    def __init__(self, applicant: dict | None = None, delivery: str = "desk", channel: int = CHANNEL_ONLINE,
                 receiving_agency: str | None = None) -> None:
        draft = Dossier(
            id="01JNSR0000000000000000000A", code=f"{receiving_agency or AGENCY}-260302-0001",
            receiving_agency=receiving_agency, procedure_code=PROCEDURE.code,
            procedure_version=PROCEDURE.version, agency_code=AGENCY, owner_id=CITIZEN.id,
            applicant=copy.deepcopy(applicant or PERSON), summary="Cấp giấy phép lao động",
            components=[{"component_id": "application-form", "files": [_file("up-1")]},
                        {"component_id": "health-certificate", "files": [_file("up-2"), _file("up-3")]}],
            delivery={"method": delivery, "address": "12 Phố Huế, Hà Nội" if delivery == "post" else None},
            channel=channel, status=Status.SUBMITTED, submitted_at=T0)
        self.dossier: Dossier = draft
        self.events: list[dict] = []
        self._apply(rules.submit(draft, CITIZEN, T0))

    def _apply(self, result) -> Flow:
        self.dossier, event = result
        self.events.append(event.to_dict())
        return self

    def supplement(self, hours: float = 0.5, by: Principal | None = None) -> Flow:
        items = [{"component_id": "health-certificate", "reason": "Ảnh mờ"}]
        return self._apply(rules.request_supplement(self.dossier, by or OFFICER, _at(hours), items, "Bổ sung giúp"))

    def resubmit(self, hours: float = 0.75) -> Flow:
        return self._apply(rules.resubmit(self.dossier, CITIZEN, _at(hours),
                                          [{"component_id": "health-certificate", "files": [_file("up-4")]}], ""))

    def refuse(self) -> Flow:
        return self._apply(rules.refuse(self.dossier, OFFICER, _at(0.5), "Không thuộc thẩm quyền"))

    def receive(self) -> Flow:
        return self._apply(rules.receive(self.dossier, OFFICER, _at(1), DUE, {"applicant_name": "Nguyễn Văn An"}))

    def act(self, principal: Principal, action: Action, hours: float, details: dict, to: dict | None = None,
            **kwargs) -> Flow:
        return self._apply(rules.act(self.dossier, principal, action, _at(hours), TODAY, details, to, **kwargs))

    def transfer(self, step_due: str | None = None) -> Flow:
        details = {"unit": "viec-lam", "note": "", **({"step_due": step_due} if step_due else {})}
        return self.act(OFFICER, Action.TRANSFER, 2, details, {"kind": "unit", "unit": "viec-lam"})

    def assign(self) -> Flow:
        return self.act(LEADER, Action.ASSIGN, 3, {"specialist": "spec", "note": ""},
                        {"kind": "specialist", "id": SPECIALIST.id, "name": None, "username": "spec"})

    def propose(self) -> Flow:
        return self.act(SPECIALIST, Action.PROPOSE, 4, {"assessment": "Đủ điều kiện", "proposal": "approve",
                                                        "note": ""}, {"kind": "leader", "unit": "viec-lam"})

    def approve(self, note: str = "Đồng ý cấp") -> Flow:
        return self.act(LEADER, Action.APPROVE, 5, {"note": note})

    def issue(self) -> Flow:
        return self.act(OFFICER, Action.ISSUE_RESULT, 6, {"note": ""}, {"kind": "desk", "agency_code": AGENCY},
                        results=[{**_file("res-1"), "file_name": "giay-phep.pdf"}])

    def request_fee(self) -> Flow:
        return self.act(SPECIALIST, Action.REQUEST_FEE, 3.5,
                        {"amount_vnd": 600000, "purpose": "Lệ phí cấp giấy phép lao động", "note": ""})

    def pay(self, method: str = "online") -> Flow:
        return self.act(OFFICER, Action.RECORD_PAYMENT, 3.75,
                        {"amount_vnd": 600000, "method": method, "receipt_number": "BL-1", "note": ""})


def _forwarded() -> Flow:
    """Taken in at the partner agency's desk (reception regardless of administrative boundaries), received there and
    forwarded to AGENCY, competent for the procedure."""
    flow = Flow(channel=CHANNEL_DESK, receiving_agency=PARTNER)
    flow._apply(rules.receive(flow.dossier, PARTNER_OFFICER, _at(1), DUE, {"applicant_name": "Nguyễn Văn An"}))
    return flow.act(PARTNER_OFFICER, Action.FORWARD, 1.5, {"note": "Gửi kèm bản giấy", "from_agency": PARTNER,
                                                          "to_agency": AGENCY},
                    {"kind": "desk", "agency_code": AGENCY, "name": AGENCY_NAME})


def _in(status: Status) -> Flow:
    """A dossier in the given status, reached the way the platform reaches it."""
    if status == Status.FORWARDED:
        return _forwarded()
    delivery = "post" if status == Status.IN_POST else "desk"
    flow = Flow(delivery=delivery)
    if status == Status.SUBMITTED:
        return flow
    if status == Status.SUPPLEMENT_REQUESTED:
        return flow.supplement()
    if status == Status.REFUSED:
        return flow.refuse()
    if status == Status.WITHDRAWN:
        return flow.act(CITIZEN, Action.WITHDRAW, 0.5, {"reason": "Không còn nhu cầu"})
    flow.receive()
    if status == Status.RECEIVED:
        return flow
    flow.transfer()
    if status == Status.TRANSFERRED:
        return flow
    flow.assign()
    if status == Status.ASSIGNED:
        return flow
    if status == Status.AT_OTHER_AGENCY:
        return flow.act(SPECIALIST, Action.SEND_TO_AGENCY, 4, {"to_agency": PARTNER, "request": "Xác minh", "note": ""},
                        {"kind": "agency", "agency_code": PARTNER, "name": "Sở LĐTBXH TP HCM"})
    if status == Status.FEE_REQUESTED:
        return flow.request_fee()
    if status == Status.SUPPLEMENT_IN_PROCESSING:
        return flow.supplement(3.5, by=SPECIALIST)
    if status == Status.STOPPED:
        return flow.act(LEADER, Action.STOP, 4, {"reason": "Người nộp không đủ điều kiện"})
    flow.propose()
    if status == Status.PROPOSED:
        return flow
    if status == Status.REJECTED:
        return flow.act(LEADER, Action.REJECT, 5, {"note": "Không đủ điều kiện"})
    flow.approve()
    if status == Status.APPROVED:
        return flow
    flow.issue()
    if status == Status.RESULT_ISSUED:
        return flow
    if status == Status.IN_POST:
        return flow.act(OFFICER, Action.SEND_BY_POST, 7, {"tracking_number": "EMS123", "carrier": "VNPost",
                                                           "note": ""})
    assert status == Status.RETURNED
    return flow.act(OFFICER, Action.RETURN_AT_DESK, 7, {"received_by": "Nguyễn Văn An", "note": ""})


def _record(dossier: Dossier, procedure=PROCEDURE) -> dict:
    return portal.record(dossier, procedure, AGENCY_NAME, _url)


# doc §4, written out again here so a change to STATUSES that breaks the portal's mapping fails a test.
NATIONAL = {
    Status.SUBMITTED: 1, Status.RECEIVED: 2, Status.REFUSED: 3, Status.TRANSFERRED: 4, Status.ASSIGNED: 4,
    Status.AT_OTHER_AGENCY: 4, Status.PROPOSED: 4, Status.SUPPLEMENT_REQUESTED: 5, Status.FEE_REQUESTED: 6,
    Status.WITHDRAWN: 7, Status.STOPPED: 8, Status.APPROVED: 9, Status.REJECTED: 9, Status.RESULT_ISSUED: 9,
    Status.IN_POST: 9, Status.RETURNED: 10, Status.SUPPLEMENT_IN_PROCESSING: 5,
    # Received at another agency's desk and forwarded: still "received" until the competent agency acts.
    Status.FORWARDED: 2,
}


# --- time ----------------------------------------------------------------------------------------------------

def test_portal_time_is_vietnam_local_time_and_an_evening_in_utc_is_the_next_local_day():
    assert portal.portal_time(T0) == "20260302091530"
    assert portal.portal_time(datetime(2026, 3, 20, 20, 30, 5, tzinfo=UTC)) == "20260321033005"
    assert portal.portal_time(datetime(2026, 12, 31, 17, 0, tzinfo=UTC)) == "20270101000000"
    assert portal.portal_time(None) == ""


def test_portal_time_refuses_a_naive_time():
    with pytest.raises(ValueError):
        portal.portal_time(datetime(2026, 3, 2, 9, 0))


def test_a_day_ends_at_five_in_the_afternoon_local_time():
    assert portal.portal_day_end(date(2026, 3, 16)) == "20260316170000"
    assert portal.portal_day_end("2026-03-16") == "20260316170000"
    assert portal.portal_day_end(datetime(2026, 3, 15, 20, 0, tzinfo=UTC)) == "20260316170000"  # 03:00 on the 16th
    assert portal.portal_day_end(None) == ""


def test_a_portal_time_reads_back_as_utc():
    parsed = portal.parse_portal_time("20260321033005")
    assert parsed == datetime(2026, 3, 20, 20, 30, 5, tzinfo=UTC) and parsed.utcoffset() == timedelta(0)
    assert portal.portal_time(parsed) == "20260321033005"


@pytest.mark.parametrize("text", [
    "20260230101010",  # 30 February
    "20261301000000", "20260100000000", "20260101240000", "20260101006000", "20260101000060",
    "00000101000000",  # year 0
    "2026030209153", "202603020915300", " 20260302091530", "2026-03-02 09:15", "",
    "２０２６０３０２０９１５３０",  # other scripts' digits
    20260302091530, None,
])
def test_a_portal_time_that_is_not_a_real_yyyymmddhhmmss_is_refused(text):
    with pytest.raises(ValueError):
        portal.parse_portal_time(text)


# --- order -----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("old", "new", "allowed"), [
    (None, 1, True), (None, 5, True), (None, 10, True),
    (None, 0, False), (None, 11, False), (4, 0, False), (4, 11, False),
    *[(s, s, True) for s in range(1, 11)],  # the same status again is an update
    *[(final, new, False) for final in (3, 7, 8, 10) for new in range(1, 11) if new != final],
    *[(old, 1, False) for old in (2, 3, 4, 6, 7, 8, 9, 10)],
    (5, 1, True),  # supplemented before reception: newly registered again
    *[(1, new, True) for new in range(2, 11)],
    *[(old, new, True) for old in (2, 4, 5, 6) for new in (2, 4, 5, 6)],
    *[(old, new, True) for old in (2, 4, 5, 6) for new in (3, 7, 8, 9, 10)],
    (9, 10, True), *[(9, new, False) for new in (1, 2, 3, 4, 5, 6, 7, 8)],
])
def test_the_portal_refuses_only_a_status_that_goes_backwards(old, new, allowed):
    assert portal.may_follow(old, new) is allowed


def test_the_final_statuses_are_refused_returned_withdrawn_and_stopped():
    assert {3, 7, 8, 10} == portal.FINAL_STATUSES
    assert {NATIONAL[s] for s in (Status.REFUSED, Status.WITHDRAWN, Status.STOPPED, Status.RETURNED)} == {3, 7, 8, 10}


# --- status mapping ------------------------------------------------------------------------------------------

def test_the_expected_mapping_covers_every_platform_status():
    assert set(NATIONAL) == set(Status) == set(STATUSES)


@pytest.mark.parametrize("status", list(Status))
def test_every_platform_status_reaches_the_portal_as_its_national_status(status):
    flow = _in(status)
    assert flow.dossier.status == status
    assert _record(flow.dossier)["TrangThaiHoSo"] == NATIONAL[status]
    assert portal.progress_entry(flow.dossier, flow.events[-1])["TrangThai"] == NATIONAL[status]


def test_a_dossier_forwarded_by_another_agencys_desk_is_reported_received_with_the_hand_over_as_a_step():
    flow = _forwarded()
    record = _record(flow.dossier)  # the sync names the competent agency (services/portal_sync.py: `agency_code`)
    assert (record["MaHoSo"], record["SoBienNhan"]) == (f"{PARTNER}-260302-0001",) * 2  # the receiving desk's code
    assert (record["TrangThaiHoSo"], record["DonViXuLy"], record["KenhThucHien"]) == (2, AGENCY_NAME, 1)
    assert record["NgayTiepNhan"] == "20260302101530" and record["NgayHenTra"] == "20260316170000"
    step = portal.progress_entry(flow.dossier, flow.events[-1])
    assert (step["NguoiXuLy"], step["ChucDanh"], step["TrangThai"]) == ("Phạm Minh Tuấn", "Cán bộ một cửa", 2)
    assert step["NoiDungXuLy"] == "Đã chuyển cơ quan có thẩm quyền giải quyết: Gửi kèm bản giấy"
    assert step["PhongBanXuLy"] == ""


# --- the record ----------------------------------------------------------------------------------------------

def _full_flow() -> Flow:
    """A person's dossier through supplement, reception, fee paid online, approval, result by post, delivered."""
    flow = Flow(delivery="post").supplement().resubmit().receive().transfer().assign().request_fee().pay()
    flow.propose().approve().issue()
    flow.act(OFFICER, Action.SEND_BY_POST, 7, {"tracking_number": "EMS123", "carrier": "VNPost", "note": ""})
    # Recorded at 20:30 UTC on the 20th: 03:30 on the 21st in Hà Nội, the day it was delivered.
    flow._apply(rules.act(flow.dossier, OFFICER, Action.RECORD_DELIVERY, datetime(2026, 3, 20, 20, 30, tzinfo=UTC),
                          date(2026, 3, 21), {"delivered_on": "2026-03-21", "note": ""}))
    return flow


def test_the_record_carries_every_field_of_the_protocol():
    assert set(_record(_full_flow().dossier)) == {
        "MaHoSo", "MaTTHC", "TenTTHC", "MaLinhVuc", "TenLinhVuc", "SoBienNhan", "ChuHoSo", "LoaiDoiTuong",
        "MaDoiTuong", "Email", "SoDienThoai", "TrichYeuHoSo", "NgayTiepNhan", "NgayHenTra", "NgayKetThucXuLy",
        "NgayTra", "TrangThaiHoSo", "KenhThucHien", "HinhThuc", "DonViXuLy", "GhiChu", "DuocThanhToanTrucTuyen",
        "TaiLieuNop", "DanhSachLePhi", "DanhSachHoSoBoSung", "DanhSachGiayToKetQua"}


def test_the_record_of_a_dossier_returned_by_post():
    record = _record(_full_flow().dossier)
    scalars = {k: v for k, v in record.items() if not isinstance(v, list)}
    assert scalars == {
        "MaHoSo": f"{AGENCY}-260302-0001", "MaTTHC": "1.014199", "TenTTHC": PROCEDURE.name_vi,
        "MaLinhVuc": "foreign-workers", "TenLinhVuc": "Việc làm - Lao động nước ngoài",
        "SoBienNhan": f"{AGENCY}-260302-0001",
        "ChuHoSo": "Nguyễn Văn An", "LoaiDoiTuong": "1", "MaDoiTuong": "001095012345",
        "Email": "an@example.vn", "SoDienThoai": "0912345678", "TrichYeuHoSo": "Cấp giấy phép lao động",
        "NgayTiepNhan": "20260302101530",  # received 03:15:30 UTC
        "NgayHenTra": "20260316170000",
        "NgayKetThucXuLy": "20260302141530",  # the leader's approval, 07:15:30 UTC
        "NgayTra": "20260321033000",  # delivered, not sent
        "TrangThaiHoSo": 10, "KenhThucHien": 2, "HinhThuc": "1", "DonViXuLy": AGENCY_NAME,
        "GhiChu": "Đồng ý cấp",  # the decision's note is later than the supplement request's
        "DuocThanhToanTrucTuyen": "1",
    }


def test_submitted_files_are_listed_with_their_links_the_supplemented_one_included():
    assert _record(_full_flow().dossier)["TaiLieuNop"] == [
        {"TepDinhKemId": "up-1", "TenTepDinhKem": "up-1.pdf", "IsDeleted": "0", "MaThanhPhanHoSo": "application-form",
         "DuongDanTaiTepTin": "https://files.example.vn/up-1"},
        *[{"TepDinhKemId": u, "TenTepDinhKem": f"{u}.pdf", "IsDeleted": "0", "MaThanhPhanHoSo": "health-certificate",
           "DuongDanTaiTepTin": f"https://files.example.vn/{u}"} for u in ("up-2", "up-3", "up-4")],
    ]


def test_the_fee_asked_and_paid_online():
    record = _record(_full_flow().dossier)
    assert record["DanhSachLePhi"] == [{"TenPhiLePhi": "Lệ phí cấp giấy phép lao động", "MaPhiLePhi": "",
                                        "HinhThucThu": portal.FEE_COLLECTION["online"], "Gia": 600000,
                                        "LoaiPhiLePhi": portal.FEE_KIND}]
    assert record["DuocThanhToanTrucTuyen"] == "1"


def test_a_fee_asked_and_not_yet_paid_has_no_collection_and_a_fee_paid_in_cash_is_not_online():
    asked = _record(_in(Status.FEE_REQUESTED).dossier)
    assert asked["DanhSachLePhi"][0]["HinhThucThu"] == "" and asked["DanhSachLePhi"][0]["Gia"] == 600000
    assert asked["DuocThanhToanTrucTuyen"] == "0"
    cash = Flow().receive().transfer().assign().request_fee().pay("cash")
    assert _record(cash.dossier)["DuocThanhToanTrucTuyen"] == "0"
    assert _record(cash.dossier)["DanhSachLePhi"][0]["HinhThucThu"] == portal.FEE_COLLECTION["cash"]


def test_a_dossier_without_a_fee_lists_none():
    record = _record(_in(Status.RECEIVED).dossier)
    assert record["DanhSachLePhi"] == [] and record["DuocThanhToanTrucTuyen"] == "0"


def test_result_documents_are_listed_with_their_links():
    assert _record(_in(Status.RESULT_ISSUED).dossier)["DanhSachGiayToKetQua"] == [
        {"TenGiayTo": "giay-phep.pdf", "MaThanhPhanHoSo": portal.RESULT_COMPONENT_CODE, "GiayToId": "res-1",
         "DuongDanTepTinKetQua": "https://files.example.vn/res-1"}]
    assert _record(_in(Status.APPROVED).dossier)["DanhSachGiayToKetQua"] == []


def test_a_supplied_supplement_carries_the_appointment_set_when_the_dossier_was_then_received():
    (supplement,) = _record(_full_flow().dossier)["DanhSachHoSoBoSung"]
    component = PROCEDURE.component("health-certificate").name_vi
    assert supplement == {
        "HoSoBoSungId": "01JNSR0000000000000000000A-1", "NguoiYeuCauBoSung": "Lê Thị Cúc",
        "NoiDungBoSung": f"{component}: Ảnh mờ; Bổ sung giúp", "NgayBoSung": "20260302094530",
        "NgayHenTraTruoc": "", "NgayHenTraMoi": "20260316170000", "TrangThaiBoSung": portal.SUPPLEMENT_DONE}


def test_a_supplement_still_owed_is_waiting_and_its_request_is_the_last_note():
    record = _record(_in(Status.SUPPLEMENT_REQUESTED).dossier)
    (supplement,) = record["DanhSachHoSoBoSung"]
    assert supplement["TrangThaiBoSung"] == portal.SUPPLEMENT_WAITING and supplement["NgayHenTraMoi"] == ""
    assert record["GhiChu"] == supplement["NoiDungBoSung"]
    assert record["NgayTiepNhan"] == "" and record["NgayHenTra"] == ""


@pytest.mark.parametrize(("status", "note", "ended"), [
    (Status.REFUSED, "Không thuộc thẩm quyền", "20260302094530"),
    (Status.WITHDRAWN, "Không còn nhu cầu", "20260302094530"),
    (Status.STOPPED, "Người nộp không đủ điều kiện", "20260302131530"),
    (Status.REJECTED, "Không đủ điều kiện", "20260302141530"),
])
def test_what_ended_the_handling_gives_its_time_and_its_reason(status, note, ended):
    record = _record(_in(status).dossier)
    assert (record["NgayKetThucXuLy"], record["GhiChu"]) == (ended, note)
    assert record["NgayTra"] == ""


def test_a_dossier_still_being_handled_has_no_end_and_no_return():
    record = _record(_in(Status.PROPOSED).dossier)
    assert (record["NgayKetThucXuLy"], record["NgayTra"], record["GhiChu"]) == ("", "", "")


def test_a_result_in_the_post_is_not_yet_returned_and_one_returned_at_the_desk_is():
    assert _record(_in(Status.IN_POST).dossier)["NgayTra"] == ""
    assert _record(_in(Status.RETURNED).dossier)["NgayTra"] == "20260302161530"


def test_a_delivery_recorded_on_a_later_day_is_dated_the_end_of_the_day_it_was_delivered():
    flow = _in(Status.IN_POST)
    flow._apply(rules.act(flow.dossier, OFFICER, Action.RECORD_DELIVERY, datetime(2026, 3, 5, 3, 0, tzinfo=UTC),
                          date(2026, 3, 5), {"delivered_on": "2026-03-03", "note": ""}))
    assert _record(flow.dossier)["NgayTra"] == "20260303170000"


def test_a_business_applicant_is_named_by_its_name_and_tax_code_and_missing_contacts_are_empty():
    record = _record(Flow(applicant=BUSINESS).dossier)
    assert (record["ChuHoSo"], record["LoaiDoiTuong"], record["MaDoiTuong"]) == ("Công ty TNHH Sao Mai", "2",
                                                                                 "0101234567")
    assert (record["Email"], record["SoDienThoai"]) == ("", "")


@pytest.mark.parametrize(("channel", "delivery", "kenh", "hinh_thuc"), [
    (CHANNEL_DESK, "desk", 1, "0"), (CHANNEL_ONLINE, "online", 2, "0"), (CHANNEL_POST, "post", 3, "1"),
    (CHANNEL_ONLINE, "post", 2, "1"),
])
def test_the_channel_and_how_the_result_goes_back(channel, delivery, kenh, hinh_thuc):
    record = _record(Flow(channel=channel, delivery=delivery).dossier)
    assert (record["KenhThucHien"], record["HinhThuc"]) == (kenh, hinh_thuc)


def test_a_forwarded_dossier_is_known_by_the_portals_code_and_keeps_its_own_as_the_receipt_number():
    dossier = Flow().dossier
    dossier.portal_code = "G22.99-260302-000123"
    record = _record(dossier)
    assert (record["MaHoSo"], record["SoBienNhan"]) == ("G22.99-260302-000123", f"{AGENCY}-260302-0001")
    assert portal.portal_code(dossier) == "G22.99-260302-000123"
    assert portal.portal_code(Flow().dossier) == f"{AGENCY}-260302-0001"


def test_a_procedures_national_codes_win_over_its_own_when_it_records_them():
    procedure = SimpleNamespace(code="1.014199", national_code="2.000123", name_vi=PROCEDURE.name_vi,
                                field_code="foreign-workers", national_field_code="G07-LD-05",
                                field_vi=PROCEDURE.field_vi, component=PROCEDURE.component)
    record = _record(Flow().dossier, procedure)
    assert (record["MaTTHC"], record["MaLinhVuc"]) == ("2.000123", "G07-LD-05")


def test_the_record_leaves_the_dossier_unchanged_and_is_the_same_each_time():
    dossier = _full_flow().dossier
    before = copy.deepcopy(dossier.to_dict())
    assert _record(dossier) == _record(dossier)
    assert dossier.to_dict() == before


# --- progress entries ----------------------------------------------------------------------------------------

def _units(unit_id: str) -> str | None:
    return {"viec-lam": "Phòng Việc làm - An toàn lao động"}.get(unit_id)


def _entries(flow: Flow) -> dict[str, dict]:
    return {e["type"]: portal.progress_entry(flow.dossier, e, _units) for e in flow.events}


def test_the_applicants_submission_is_shown_under_the_applicants_name():
    entry = _entries(Flow().receive())["dossier.submitted"]
    assert entry == {"MaHoSo": f"{AGENCY}-260302-0001", "NguoiXuLy": "Nguyễn Văn An", "ChucDanh": "Người nộp hồ sơ",
                     "ThoiDiemXuLy": "20260302091530", "PhongBanXuLy": "", "NoiDungXuLy": "Mới đăng ký",
                     "TrangThai": 1, "NgayBatDau": "20260302091530", "NgayKetThucTheoQuyDinh": "20260316170000"}


def test_reception_by_the_desk_and_its_appointment_date():
    entry = _entries(Flow().receive())["dossier.received"]
    assert (entry["NguoiXuLy"], entry["ChucDanh"], entry["PhongBanXuLy"]) == ("Lê Thị Cúc", "Cán bộ một cửa", "")
    assert (entry["ThoiDiemXuLy"], entry["NgayBatDau"]) == ("20260302101530", "20260302101530")
    assert (entry["NoiDungXuLy"], entry["TrangThai"]) == ("Đã tiếp nhận", 2)
    assert entry["NgayKetThucTheoQuyDinh"] == "20260316170000"


def test_a_transfer_names_the_unit_and_ends_by_the_steps_own_due_date():
    entry = _entries(Flow().receive().transfer(step_due="2026-03-10"))["dossier.transferred"]
    assert entry["PhongBanXuLy"] == "Phòng Việc làm - An toàn lao động"
    assert (entry["NoiDungXuLy"], entry["TrangThai"]) == ("Đã chuyển phòng chuyên môn", 4)
    assert entry["NgayKetThucTheoQuyDinh"] == "20260310170000"


def test_the_units_staff_act_in_their_unit_and_an_unnamed_unit_shows_its_id():
    flow = Flow().receive().transfer().assign().propose().approve()
    entries = _entries(flow)
    assert (entries["dossier.proposed"]["NguoiXuLy"], entries["dossier.proposed"]["ChucDanh"]) == ("spec",
                                                                                                   "Chuyên viên")
    approved = entries["dossier.approved"]
    assert (approved["NguoiXuLy"], approved["ChucDanh"]) == ("Trần Văn Lãnh", "Lãnh đạo")
    assert approved["PhongBanXuLy"] == "Phòng Việc làm - An toàn lao động"
    assert approved["NoiDungXuLy"] == "Đã giải quyết (chấp thuận): Đồng ý cấp"
    assert portal.progress_entry(flow.dossier, flow.events[-1])["PhongBanXuLy"] == "viec-lam"


def test_a_refusal_and_a_supplement_request_say_why():
    refused = _entries(Flow().refuse())["dossier.refused"]
    assert (refused["NoiDungXuLy"], refused["TrangThai"]) == ("Từ chối tiếp nhận: Không thuộc thẩm quyền", 3)
    supplement = _entries(Flow().supplement())["dossier.supplement_requested"]
    assert supplement["NoiDungXuLy"] == "Yêu cầu bổ sung: health-certificate: Ảnh mờ; Bổ sung giúp"
    assert supplement["TrangThai"] == 5


def test_steps_that_keep_or_restore_a_status_say_what_was_done():
    flow = Flow().receive().transfer().assign().request_fee().pay()
    paid = _entries(flow)["dossier.fee_paid"]
    assert (paid["NoiDungXuLy"], paid["TrangThai"]) == ("Đã thực hiện nghĩa vụ tài chính", 4)
    flow = Flow().receive()
    flow.act(SYSTEM, Action.FLAG_DUE_SOON, 2, {})
    due_soon = _entries(flow)["dossier.due_soon"]
    assert (due_soon["NguoiXuLy"], due_soon["ChucDanh"]) == ("Hệ thống", "Hệ thống")
    assert (due_soon["NoiDungXuLy"], due_soon["TrangThai"]) == ("Hồ sơ sắp đến hạn trả kết quả", 2)


def test_a_long_reason_is_trimmed_to_what_the_portal_takes():
    flow = Flow().receive().transfer().assign()
    flow.act(LEADER, Action.STOP, 4, {"reason": "x" * 3000})
    entry = portal.progress_entry(flow.dossier, flow.events[-1])
    assert len(entry["NoiDungXuLy"]) == portal.MAX_TEXT
    assert entry["NoiDungXuLy"].startswith("Dừng xử lý: xxx")
    assert len(_record(flow.dossier)["GhiChu"]) == portal.MAX_TEXT


def test_a_withdrawal_is_the_applicants_own_step():
    entry = _entries(_in(Status.WITHDRAWN))["dossier.withdrawn"]
    assert (entry["NguoiXuLy"], entry["ChucDanh"]) == ("Nguyễn Văn An", "Người nộp hồ sơ")
    assert (entry["NoiDungXuLy"], entry["TrangThai"]) == ("Công dân rút hồ sơ: Không còn nhu cầu", 7)
