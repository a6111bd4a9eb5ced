"""A dossier the national portal forwards: the body's checks, its translation into the platform's submission,
and the platform's field names translated back into the portal's (docs/national-portal.md §1)."""

from __future__ import annotations

import copy
import hashlib

import pytest
from pydantic import ValidationError

from chalicelib.api.schemas import SubmitDossier
from chalicelib.api.validation import field_errors
from chalicelib.domain.errors import FieldError
from chalicelib.domain.messages import MESSAGES
from chalicelib.domain.portal_inbound import (
    PORTAL_FIELD,
    PortalForward,
    files_by_component,
    portal_field,
    to_submission,
)
from tests.samples import PDF, PNG

FILES_URL = "https://files.dvcqg.example.vn/tep"


def _file(component: str, name: str, content: bytes, mime: str) -> dict:
    return {"MaThanhPhanHoSo": component, "TenTepDinhKem": name, "DuongDanTaiTepTin": f"{FILES_URL}/{name}",
            "KichThuoc": len(content), "MaHash": hashlib.sha256(content).hexdigest(), "LoaiTep": mime}


def _citizen() -> dict:
    return {
        "MaHoSo": "G22.99-260302-000123", "MaTTHC": "1.001978", "NgayNopHoSo": "20260302091530",
        "LoaiDoiTuong": "1", "ChuHoSo": "Nguyễn Văn An", "MaDoiTuong": "001095012345", "NgaySinh": "19950412",
        "DiaChi": "12 Phố Huế, Hà Nội", "Email": "an@example.vn", "SoDienThoai": "0912345678",
        "TrichYeuHoSo": "Đề nghị hưởng trợ cấp thất nghiệp",
        "TaiLieuNop": [_file("application-form", "don.pdf", PDF, "application/pdf"),
                       _file("termination-proof", "quyet-dinh.png", PNG, "image/png"),
                       _file("application-form", "don-trang-2.pdf", PDF, "application/pdf")],
        "DanhSachLePhi": [{"TenPhiLePhi": "Lệ phí", "MaPhiLePhi": "LP01", "HinhThucThu": "1", "Gia": 0,
                           "LoaiPhiLePhi": "1"}],
        "HinhThucNhanKetQua": "0",
    }


def _business() -> dict:
    body = _citizen()
    del body["NgaySinh"]
    body.update(MaTTHC="1.014199", LoaiDoiTuong="2", ChuHoSo="Công ty TNHH Sao Mai", MaDoiTuong="0101234567",
                NguoiDaiDien={"HoTen": "Trần Thị Bình", "SoDinhDanh": "001190000001", "ChucVu": "Giám đốc"},
                HinhThucNhanKetQua="1", DiaChiNhanKetQua="5 Láng Hạ, Hà Nội", Email="", SoDienThoai="")
    return body


def _errors(body: dict) -> list[FieldError]:
    with pytest.raises(ValidationError) as caught:
        PortalForward.model_validate(body)
    return field_errors(caught.value)


def _without(body: dict, path: str) -> dict:
    body = copy.deepcopy(body)
    *parents, last = path.split(".")
    target = body
    for part in parents:
        target = target[int(part)] if isinstance(target, list) else target[part]
    del target[last]
    return body


def _with(body: dict, path: str, value) -> dict:
    body = copy.deepcopy(body)
    *parents, last = path.split(".")
    target = body
    for part in parents:
        target = target[int(part)] if isinstance(target, list) else target[part]
    target[last] = value
    return body


# --- the body ------------------------------------------------------------------------------------------------

def test_a_citizens_forward_is_read_as_sent():
    forward = PortalForward.model_validate(_citizen())
    assert (forward.MaHoSo, forward.MaTTHC, forward.LoaiDoiTuong, forward.NgaySinh) == (
        "G22.99-260302-000123", "1.001978", "1", "19950412")
    assert [f.KichThuoc for f in forward.TaiLieuNop] == [len(PDF), len(PNG), len(PDF)]
    assert forward.DanhSachLePhi[0].Gia == 0 and forward.NguoiDaiDien is None


def test_a_businesss_forward_is_read_with_its_representative():
    forward = PortalForward.model_validate(_business())
    assert forward.NguoiDaiDien.HoTen == "Trần Thị Bình" and forward.DiaChiNhanKetQua == "5 Láng Hạ, Hà Nội"


def test_fields_the_portal_adds_are_ignored_wherever_they_are():
    body = _citizen()
    body["PhienBan"] = "2025.1"
    body["TaiLieuNop"][0]["LoaiBan"] = "0"
    body["DanhSachLePhi"][0]["DonViThu"] = "Sở"
    forward = PortalForward.model_validate(body)
    assert "PhienBan" not in forward.model_dump() and "LoaiBan" not in forward.TaiLieuNop[0].model_dump()


def test_the_hash_is_accepted_in_either_case_and_kept_lowercase():
    digest = hashlib.sha256(PDF).hexdigest()
    forward = PortalForward.model_validate(_with(_citizen(), "TaiLieuNop.0.MaHash", digest.upper()))
    assert forward.TaiLieuNop[0].MaHash == digest


def test_text_is_stripped():
    forward = PortalForward.model_validate(_with(_citizen(), "ChuHoSo", "  Nguyễn Văn An "))
    assert forward.ChuHoSo == "Nguyễn Văn An"


@pytest.mark.parametrize("field", [
    "MaHoSo", "MaTTHC", "NgayNopHoSo", "LoaiDoiTuong", "ChuHoSo", "MaDoiTuong", "DiaChi", "TrichYeuHoSo",
    "TaiLieuNop", "HinhThucNhanKetQua",
    *[f"TaiLieuNop.0.{f}" for f in ("MaThanhPhanHoSo", "TenTepDinhKem", "DuongDanTaiTepTin", "KichThuoc",
                                    "MaHash", "LoaiTep")],
    "DanhSachLePhi.0.TenPhiLePhi", "DanhSachLePhi.0.Gia",
])
def test_each_required_field_is_required(field):
    expected = field.replace(".0.", "[0].")
    assert _errors(_without(_citizen(), field)) == [FieldError(expected, "field.required")]


def test_a_business_needs_its_representative_and_its_representative_a_name():
    assert _errors(_without(_business(), "NguoiDaiDien")) == [FieldError("NguoiDaiDien", "field.required")]
    assert _errors(_without(_business(), "NguoiDaiDien.HoTen")) == [FieldError("NguoiDaiDien.HoTen",
                                                                               "field.required")]


def test_a_citizen_needs_a_date_of_birth_and_a_business_does_not():
    assert _errors(_without(_citizen(), "NgaySinh")) == [FieldError("NgaySinh", "field.required")]
    assert PortalForward.model_validate(_business()).NgaySinh is None


def test_a_result_by_post_needs_an_address():
    assert _errors(_without(_business(), "DiaChiNhanKetQua")) == [
        FieldError("DiaChiNhanKetQua", "delivery.address_required")]
    assert _errors(_with(_business(), "DiaChiNhanKetQua", "  ")) == [
        FieldError("DiaChiNhanKetQua", "delivery.address_required")]


@pytest.mark.parametrize("digest", ["ab" * 31 + "a", "ab" * 33, "g" * 64, "", "sha256:" + "ab" * 32, 123])
def test_a_hash_that_is_not_64_hex_characters_is_refused(digest):
    (error,) = _errors(_with(_citizen(), "TaiLieuNop.1.MaHash", digest))
    assert error.field == "TaiLieuNop[1].MaHash" and error.code in ("field.invalid", "field.type")


@pytest.mark.parametrize("when", ["20260230091530", "2026030209153", "2026-03-02T09:15:30", "20260302251530",
                                  "", 20260302091530])
def test_a_submission_time_that_is_not_a_real_portal_time_is_refused(when):
    (error,) = _errors(_with(_citizen(), "NgayNopHoSo", when))
    assert error.field == "NgayNopHoSo" and error.code in ("portal.time_format", "field.type")


@pytest.mark.parametrize("born", ["19950230", "1995041", "1995-04-12", "19951304", "00000101"])
def test_a_date_of_birth_that_is_not_a_real_portal_date_is_refused(born):
    assert _errors(_with(_citizen(), "NgaySinh", born)) == [FieldError("NgaySinh", "portal.date_format")]


def test_the_time_and_date_messages_have_wording():
    for code in ("portal.time_format", "portal.date_format"):
        vi, en = MESSAGES[code]
        assert vi and en and vi != en


@pytest.mark.parametrize("url", [
    "ftp://files.dvcqg.example.vn/tep/don.pdf", "files.dvcqg.example.vn/tep/don.pdf", "https://",
    "https://portal.example.vn@elsewhere.example/don.pdf", "https://portal.example.vn\\@elsewhere.example/",
    "https://files.dvcqg.example.vn/tep/don dep.pdf", "https://files.dvcqg.example.vn/\x00", "javascript:alert(1)",
    "https://files.dvcqg.example.vn/" + "a" * 2000,
])
def test_a_file_address_that_is_not_a_plain_http_url_is_refused(url):
    (error,) = _errors(_with(_citizen(), "TaiLieuNop.0.DuongDanTaiTepTin", url))
    assert error.field == "TaiLieuNop[0].DuongDanTaiTepTin"


def test_http_and_https_file_addresses_with_a_port_and_a_query_are_accepted():
    for url in ("http://files.example.vn:8080/tep?id=1&k=2", "https://files.example.vn/tep/%C4%91on.pdf#p"):
        PortalForward.model_validate(_with(_citizen(), "TaiLieuNop.0.DuongDanTaiTepTin", url))


@pytest.mark.parametrize("size", [0, -1, "10", True, 1.5])
def test_a_size_is_a_whole_number_of_bytes_of_at_least_one(size):
    (error,) = _errors(_with(_citizen(), "TaiLieuNop.0.KichThuoc", size))
    assert error.field == "TaiLieuNop[0].KichThuoc" and error.code in ("field.range", "field.number")


def test_between_one_and_a_hundred_files():
    assert _errors(_with(_citizen(), "TaiLieuNop", [])) == [FieldError("TaiLieuNop", "field.too_short", {"min": 1})]
    many = [_file("application-form", f"f{i}.pdf", PDF, "application/pdf") for i in range(101)]
    assert _errors(_with(_citizen(), "TaiLieuNop", many)) == [FieldError("TaiLieuNop", "field.too_long", {"max": 100})]


@pytest.mark.parametrize(("field", "value"), [
    ("MaHoSo", "G22/99"), ("MaHoSo", "x" * 51), ("LoaiDoiTuong", 1), ("LoaiDoiTuong", "3"),
    ("HinhThucNhanKetQua", "3"), ("ChuHoSo", "An\nNguyễn"), ("TrichYeuHoSo", "x" * 2001),
])
def test_other_malformed_fields_are_refused_on_the_field(field, value):
    (error,) = _errors(_with(_citizen(), field, value))
    assert error.field == field


# --- the platform's submission -------------------------------------------------------------------------------

def _as_submission(forward: PortalForward, procedure_code: str) -> dict:
    """What the caller does once the files are stored: the procedure it mapped, and the stored uploads' ids."""
    body = to_submission(forward)
    body["procedure_code"] = procedure_code
    body["components"] = [{"component_id": c, "upload_ids": [f"up-{c}-{i}" for i in range(len(files))]}
                          for c, files in files_by_component(forward).items()]
    return body


def test_a_citizens_forward_becomes_a_persons_submission():
    body = to_submission(PortalForward.model_validate(_citizen()))
    assert body == {
        "procedure_code": None,
        "applicant": {"type": "person", "full_name": "Nguyễn Văn An", "citizen_id": "001095012345",
                      "date_of_birth": "1995-04-12", "address": "12 Phố Huế, Hà Nội", "phone": "0912345678",
                      "email": "an@example.vn"},
        "summary": "Đề nghị hưởng trợ cấp thất nghiệp",
        "delivery": {"method": "desk", "address": None},
    }


def test_a_businesss_forward_by_post_becomes_a_business_submission_without_empty_contacts():
    body = to_submission(PortalForward.model_validate(_business()))
    assert body["applicant"] == {
        "type": "business", "name": "Công ty TNHH Sao Mai", "tax_code": "0101234567", "address": "12 Phố Huế, Hà Nội",
        "representative": {"full_name": "Trần Thị Bình", "citizen_id": "001190000001", "position": "Giám đốc"}}
    assert body["delivery"] == {"method": "post", "address": "5 Láng Hạ, Hà Nội"}


def test_online_delivery_and_a_representative_without_optional_details():
    body = _with(_business(), "HinhThucNhanKetQua", "2")
    body["NguoiDaiDien"] = {"HoTen": "Trần Thị Bình", "SoDinhDanh": "", "ChucVu": None}
    submission = to_submission(PortalForward.model_validate(body))
    assert submission["applicant"]["representative"] == {"full_name": "Trần Thị Bình"}
    assert submission["delivery"]["method"] == "online"


@pytest.mark.parametrize("body", [_citizen(), _business()], ids=["person", "business"])
def test_the_submission_is_what_the_platforms_own_submission_model_accepts(body):
    forward = PortalForward.model_validate(body)
    parsed = SubmitDossier.model_validate(_as_submission(forward, forward.MaTTHC))
    assert parsed.applicant.type == ("person" if body["LoaiDoiTuong"] == "1" else "business")
    assert parsed.delivery.method == {"0": "desk", "1": "post"}[body["HinhThucNhanKetQua"]]


def test_files_are_grouped_by_component_in_the_order_the_portal_listed_them():
    grouped = files_by_component(PortalForward.model_validate(_citizen()))
    assert list(grouped) == ["application-form", "termination-proof"]
    assert [f.TenTepDinhKem for f in grouped["application-form"]] == ["don.pdf", "don-trang-2.pdf"]


# --- field names back to the portal's ------------------------------------------------------------------------

@pytest.mark.parametrize(("platform", "portal"), [
    ("applicant.full_name", "ChuHoSo"), ("applicant.name", "ChuHoSo"), ("applicant.citizen_id", "MaDoiTuong"),
    ("applicant.tax_code", "MaDoiTuong"), ("applicant.date_of_birth", "NgaySinh"), ("applicant.address", "DiaChi"),
    ("applicant.phone", "SoDienThoai"), ("applicant.email", "Email"), ("applicant.type", "LoaiDoiTuong"),
    ("applicant.representative.citizen_id", "NguoiDaiDien.SoDinhDanh"), ("summary", "TrichYeuHoSo"),
    ("delivery.method", "HinhThucNhanKetQua"), ("delivery.address", "DiaChiNhanKetQua"),
    ("procedure_code", "MaTTHC"), ("components", "TaiLieuNop"), ("components[2].component_id", "TaiLieuNop"),
    ("components[0].upload_ids[1]", "TaiLieuNop"),
    ("sms_opt_in", "sms_opt_in"), ("TaiLieuNop[3].MaHash", "TaiLieuNop[3].MaHash"), ("body", "body"),
])
def test_the_platforms_field_names_become_the_portals(platform, portal):
    assert portal_field(platform) == portal


def test_every_renamed_field_is_a_field_of_the_portals_body():
    portal_names = set(PortalForward.model_fields) | {f"NguoiDaiDien.{f}" for f in
                                                      ("HoTen", "SoDinhDanh", "ChucVu")}
    assert set(PORTAL_FIELD.values()) <= portal_names


def test_the_platforms_own_errors_on_a_forward_are_named_by_the_portals_fields():
    # Both pass the portal's model and fail the platform's: a person's name is at most 200 characters, a date of
    # birth no earlier than 1900.
    body = _with(_with(_citizen(), "ChuHoSo", "Nguyễn " * 40), "NgaySinh", "18991231")
    forward = PortalForward.model_validate(body)
    with pytest.raises(ValidationError) as caught:
        SubmitDossier.model_validate(_as_submission(forward, forward.MaTTHC))
    assert sorted(portal_field(e.field) for e in field_errors(caught.value)) == ["ChuHoSo", "NgaySinh"]
