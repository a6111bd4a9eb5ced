"""A dossier the national portal forwards (docs/national-portal.md §1): the body's model, its translation into
the platform's own submission, and the platform's field names translated back into the portal's.

The one module that knows the portal's inbound field names: the official 2025 specification is not public,
so when it is, this is what changes.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from .fields import LINE, LINES, Line, Text
from .messages import MESSAGES
from .national_portal import parse_portal_time

MAX_FILES = 100


def _portal_time(value: str) -> str:
    try:
        parse_portal_time(value)
    except ValueError:
        raise PydanticCustomError("portal.time_format", MESSAGES["portal.time_format"][1]) from None
    return value


def parse_portal_date(text: str) -> date:
    """A portal date `yyyyMMdd`; ValueError for anything else, an impossible date included."""
    if len(text) != 8 or not text.isascii() or not text.isdigit():
        raise ValueError(f"not a portal date (yyyyMMdd): {text!r}")
    return date(int(text[0:4]), int(text[4:6]), int(text[6:8]))


def _portal_date(value: str) -> str:
    try:
        parse_portal_date(value)
    except ValueError:
        raise PydanticCustomError("portal.date_format", MESSAGES["portal.date_format"][1]) from None
    return value


PortalTime = Annotated[str, AfterValidator(_portal_time)]  # yyyyMMddHHmmss, Vietnam local time
PortalDate = Annotated[str, AfterValidator(_portal_date)]  # yyyyMMdd
# JSON numbers only: a string or a boolean is not a size the portal meant.
Count = Annotated[int, Field(ge=1, strict=True)]
Amount = Annotated[int, Field(ge=0, strict=True)]
Code = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$")]
Optional64 = Annotated[str, Field(max_length=64, pattern=LINE)]
# http(s) only, and no user part or backslash in the host: the adapter compares the host with the portal's file
# address, and "https://portal@elsewhere/" or "https://portal\\@elsewhere/" would read as one host and fetch another.
FileUrl = Annotated[str, Field(min_length=1, max_length=2000,
                               pattern=r"^https?://[^\x00-\x20\x7f/?#@\\]+(?:[/?#][^\x00-\x20\x7f]*)?$")]
Sha256Hex = Annotated[str, Field(pattern=r"^[0-9a-fA-F]{64}$"), AfterValidator(str.lower)]


class _Inbound(BaseModel):
    """Text stripped as in the platform's own bodies (api/validation.py `Strict`), but unknown fields ignored,
    not refused: the portal may add fields to what it sends at any time, and a forward must not fail for that."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)


class PortalFile(_Inbound):
    MaThanhPhanHoSo: Code  # the procedure's component id
    TenTepDinhKem: Annotated[str, Field(min_length=1, max_length=255, pattern=LINE)]
    DuongDanTaiTepTin: FileUrl
    KichThuoc: Count  # bytes
    MaHash: Sha256Hex  # of the bytes; kept lowercase
    LoaiTep: Annotated[str, Field(min_length=1, max_length=100, pattern=LINE)]  # MIME type


class PortalFee(_Inbound):
    """A fee as announced on the portal; kept for the record, the agency asks for what is due itself."""

    TenPhiLePhi: Annotated[str, Field(min_length=1, max_length=300, pattern=LINE)]
    MaPhiLePhi: Optional64 = ""
    HinhThucThu: Optional64 = ""
    Gia: Amount
    LoaiPhiLePhi: Optional64 = ""


class Representative(_Inbound):
    """The person who represents a business applicant."""

    HoTen: Text
    SoDinhDanh: Annotated[str, Field(max_length=20, pattern=LINE)] | None = None
    ChucVu: Annotated[str, Field(max_length=200, pattern=LINE)] | None = None


class PortalForward(_Inbound):
    MaHoSo: Annotated[str, Field(min_length=1, max_length=50, pattern=r"^[A-Za-z0-9.-]+$")]
    MaTTHC: Annotated[str, Field(min_length=1, max_length=50, pattern=r"^[A-Za-z0-9._-]+$")]
    NgayNopHoSo: PortalTime
    LoaiDoiTuong: Literal["1", "2"]  # citizen, business
    ChuHoSo: Annotated[str, Field(min_length=1, max_length=300, pattern=LINE)]
    MaDoiTuong: Annotated[str, Field(min_length=1, max_length=20, pattern=LINE)]  # citizen ID or tax code
    NgaySinh: PortalDate | None = None  # a citizen's
    DiaChi: Line
    NguoiDaiDien: Representative | None = None  # a business's
    Email: Annotated[str, Field(max_length=254, pattern=LINE)] | None = None
    SoDienThoai: Annotated[str, Field(max_length=20, pattern=LINE)] | None = None
    TrichYeuHoSo: Annotated[str, Field(min_length=1, max_length=2000, pattern=LINES)]
    TaiLieuNop: Annotated[list[PortalFile], Field(min_length=1, max_length=MAX_FILES)]
    DanhSachLePhi: Annotated[list[PortalFee], Field(max_length=50)] = []
    HinhThucNhanKetQua: Literal["0", "1", "2"]  # at the desk, by post, online
    DiaChiNhanKetQua: Annotated[str, Field(max_length=500, pattern=LINE)] | None = None

    @model_validator(mode="after")
    def _what_the_applicant_type_needs(self) -> PortalForward:
        problems = []
        if self.LoaiDoiTuong == "1" and not self.NgaySinh:
            problems.append(_problem("NgaySinh", "field.required"))
        if self.LoaiDoiTuong == "2" and self.NguoiDaiDien is None:
            problems.append(_problem("NguoiDaiDien", "field.required"))
        if self.HinhThucNhanKetQua == "1" and not self.DiaChiNhanKetQua:
            problems.append(_problem("DiaChiNhanKetQua", "delivery.address_required"))
        if problems:
            raise ValidationError.from_exception_data(type(self).__name__, problems)
        return self


def _problem(field: str, code: str) -> InitErrorDetails:
    # The error's type is its message code: api/validation.py `field_errors` passes it through as the field's code.
    return InitErrorDetails(type=PydanticCustomError(code, MESSAGES[code][1]), loc=(field,), input=None)


DELIVERY_METHODS = {"0": "desk", "1": "post", "2": "online"}


def to_submission(forward: PortalForward) -> dict:
    """The platform's submission body (api/schemas.py `SubmitDossier`) for a forward, without its components: the
    caller fills in `procedure_code` (mapped from `MaTTHC`) and the components once the files are stored."""
    return {
        "procedure_code": None,
        "applicant": _business(forward) if forward.LoaiDoiTuong == "2" else _person(forward),
        "summary": forward.TrichYeuHoSo,
        "delivery": {"method": DELIVERY_METHODS[forward.HinhThucNhanKetQua],
                     "address": forward.DiaChiNhanKetQua or None},
    }


def _contacts(forward: PortalForward) -> dict:
    # The portal may send an empty string for a contact it does not have.
    return {key: value for key, value in (("phone", forward.SoDienThoai), ("email", forward.Email)) if value}


def _person(forward: PortalForward) -> dict:
    born = parse_portal_date(forward.NgaySinh).isoformat() if forward.NgaySinh else None
    return {"type": "person", "full_name": forward.ChuHoSo, "citizen_id": forward.MaDoiTuong,
            "date_of_birth": born, "address": forward.DiaChi, **_contacts(forward)}


def _business(forward: PortalForward) -> dict:
    representative: dict[str, Any] = {}
    if forward.NguoiDaiDien is not None:
        given = forward.NguoiDaiDien
        representative = {"full_name": given.HoTen,
                          **({"citizen_id": given.SoDinhDanh} if given.SoDinhDanh else {}),
                          **({"position": given.ChucVu} if given.ChucVu else {})}
    return {"type": "business", "name": forward.ChuHoSo, "tax_code": forward.MaDoiTuong, "address": forward.DiaChi,
            "representative": representative, **_contacts(forward)}


def files_by_component(forward: PortalForward) -> dict[str, list[PortalFile]]:
    """The forwarded files grouped by component, in the order the portal listed them."""
    grouped: dict[str, list[PortalFile]] = {}
    for item in forward.TaiLieuNop:
        grouped.setdefault(item.MaThanhPhanHoSo, []).append(item)
    return grouped


# The platform's field names (its validation errors) and the portal's. A component's errors are reported on
# TaiLieuNop as a whole: the platform numbers components, the portal numbers files.
PORTAL_FIELD = {
    "procedure_code": "MaTTHC",
    "applicant": "ChuHoSo",
    "applicant.type": "LoaiDoiTuong",
    "applicant.full_name": "ChuHoSo",
    "applicant.name": "ChuHoSo",
    "applicant.citizen_id": "MaDoiTuong",
    "applicant.tax_code": "MaDoiTuong",
    "applicant.date_of_birth": "NgaySinh",
    "applicant.address": "DiaChi",
    "applicant.phone": "SoDienThoai",
    "applicant.email": "Email",
    "applicant.representative": "NguoiDaiDien",
    "applicant.representative.full_name": "NguoiDaiDien.HoTen",
    "applicant.representative.citizen_id": "NguoiDaiDien.SoDinhDanh",
    "applicant.representative.position": "NguoiDaiDien.ChucVu",
    "summary": "TrichYeuHoSo",
    "delivery": "HinhThucNhanKetQua",
    "delivery.method": "HinhThucNhanKetQua",
    "delivery.address": "DiaChiNhanKetQua",
    "components": "TaiLieuNop",
}


def portal_field(platform_field: str) -> str:
    """The portal's name for a field the platform reports an error on; a name it does not know passes through."""
    if platform_field in PORTAL_FIELD:
        return PORTAL_FIELD[platform_field]
    if platform_field.startswith(("components[", "components.")):
        return PORTAL_FIELD["components"]
    return platform_field
