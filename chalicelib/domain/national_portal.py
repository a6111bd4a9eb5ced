"""What the platform tells the national portal (DVCQG): the dossier record (`DongBoHoSoMC`), progress entries
(`CapNhatTienDoHoSoMC`), the portal's time format and its rule on the order of statuses (docs/national-portal.md
§2-§4).

Pure: no clock, no I/O. The status comes from `states.STATUSES`, the platform's one status mapping; file links
come from the caller (`file_url`), because how a file is offered to the portal is the adapter's business.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from .calendar import LOCAL_TZ, CalendarConfig
from .dossier import CHANNEL_DESK, CHANNEL_ONLINE, CHANNEL_POST, Dossier
from .event_types import EventType
from .states import STATUSES, Role, Status
from .times import parse_iso

PORTAL_PRINCIPAL_ID = "national-portal"  # owner of a forwarded dossier: the citizen follows it on the portal
ORIGIN_NATIONAL_PORTAL = "national_portal"  # `Dossier.origin` of a forwarded dossier

# Statuses nothing may follow (doc §4): not received, withdrawn, stopped, result returned.
FINAL_STATUSES = frozenset({3, 7, 8, 10})
_PROCESSED, _RETURNED, _NEW, _SUPPLEMENT = 9, 10, 1, 5

# The appointment is due by the end of that working day.
_DAY_END = CalendarConfig().work_end
_PORTAL_TIME = re.compile(r"[0-9]{14}")
MAX_TEXT = 2000  # the longest free text (notes, reasons) the portal is sent

_CHANNELS = {CHANNEL_DESK: 1, CHANNEL_ONLINE: 2, CHANNEL_POST: 3}  # KenhThucHien
# The component code result documents are listed under; the same as services/uploads.py RESULT_COMPONENT.
RESULT_COMPONENT_CODE = "result"
# The portal's fee codes are not published: these are assumptions kept in one place. HinhThucThu says how the fee
# was collected ("" until it is paid); LoaiPhiLePhi "1" is an ordinary fee or charge of the procedure.
FEE_COLLECTION = {"cash": "1", "bank_transfer": "2", "online": "3"}
FEE_KIND = "1"
# TrangThaiBoSung: the applicant still owes the supplement, or has supplied it.
SUPPLEMENT_WAITING, SUPPLEMENT_DONE = "0", "1"

TITLES = {  # ChucDanh of whoever took a step
    Role.OFFICER: "Cán bộ một cửa",
    Role.SPECIALIST: "Chuyên viên",
    Role.LEADER: "Lãnh đạo",
    Role.CITIZEN: "Người nộp hồ sơ",
    Role.SYSTEM: "Hệ thống",
    Role.ADMIN: "Quản trị hệ thống",
}
_SYSTEM_NAME = "Hệ thống"

# What was done, where the status after the step does not say it: the step kept the status (deadline watch,
# apology, rating) or went back to an earlier one (a fee paid, a dossier sent back or returned by another agency).
_WHAT_WAS_DONE = {
    EventType.RESUBMITTED: "Công dân đã bổ sung hồ sơ",
    EventType.SENT_BACK: "Lãnh đạo trả lại chuyên viên xử lý",
    EventType.SENT_TO_AGENCY: "Chuyển cơ quan khác xử lý liên thông",
    EventType.RETURNED_FROM_AGENCY: "Cơ quan phối hợp đã trả kết quả xử lý liên thông",
    EventType.FEE_PAID: "Đã thực hiện nghĩa vụ tài chính",
    EventType.DUE_SOON: "Hồ sơ sắp đến hạn trả kết quả",
    EventType.OVERDUE: "Hồ sơ quá hạn trả kết quả",
    EventType.APOLOGY_ISSUED: "Gửi thư xin lỗi và hẹn lại ngày trả kết quả",
    EventType.APOLOGY_ALLOWED: "Cho phép gửi thêm thư xin lỗi",
    EventType.EVALUATED: "Người nộp hồ sơ đánh giá việc giải quyết",
    EventType.RATED_NOT_SATISFIED: "Người nộp hồ sơ đánh giá chưa hài lòng",
}


# --- time ----------------------------------------------------------------------------------------------------

def portal_time(moment: datetime | None) -> str:
    """`yyyyMMddHHmmss` in Vietnam local time; "" for no time. A naive time is refused: it could be any zone."""
    if moment is None:
        return ""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("portal_time needs an aware datetime")
    local = moment.astimezone(LOCAL_TZ)
    return f"{local.year:04d}{local.month:02d}{local.day:02d}{local.hour:02d}{local.minute:02d}{local.second:02d}"


def portal_day_end(day: date | str | None) -> str:
    """The end of that working day (17:00 local) as the portal writes times; "" for no day. A datetime counts as
    the local day it falls on."""
    if day is None or day == "":
        return ""
    if isinstance(day, datetime):
        day = day.astimezone(LOCAL_TZ).date()
    elif isinstance(day, str):
        day = date.fromisoformat(day)
    return portal_time(datetime.combine(day, _DAY_END, LOCAL_TZ))


def parse_portal_time(text: Any) -> datetime:
    """A portal time (`yyyyMMddHHmmss`, Vietnam local time) as an aware UTC datetime; ValueError for anything else,
    an impossible date or time included."""
    if not isinstance(text, str) or not _PORTAL_TIME.fullmatch(text):
        raise ValueError(f"not a portal time (yyyyMMddHHmmss): {text!r}")
    parts = (int(text[0:4]), int(text[4:6]), int(text[6:8]), int(text[8:10]), int(text[10:12]), int(text[12:14]))
    return datetime(*parts, tzinfo=LOCAL_TZ).astimezone(UTC)


def _moment(value: datetime | str | None) -> datetime | None:
    """Stored times are UTC ISO strings; some callers hold datetimes."""
    return value if isinstance(value, datetime) or value is None else parse_iso(value)


def _time(value: datetime | str | None) -> str:
    return portal_time(_moment(value))


# --- order -----------------------------------------------------------------------------------------------------

def may_follow(old: int | None, new: int) -> bool:
    """Whether the portal accepts status `new` after `old` (doc §4). `old` None: nothing stored there yet.
    The same status again is an update, not a move, and is always accepted."""
    if new not in range(1, 11):
        return False
    if old is None or old == new:
        return True
    if old in FINAL_STATUSES or (new == _NEW and old != _SUPPLEMENT):
        return False  # back to 1 only when the applicant supplemented a dossier not yet received
    if old == _PROCESSED:
        return new == _RETURNED
    return True


# --- the record (DongBoHoSoMC) -------------------------------------------------------------------------------

def portal_code(dossier: Dossier) -> str:
    """`MaHoSo`: the portal's own code for a dossier it forwarded, else the dossier's national code."""
    return getattr(dossier, "portal_code", None) or dossier.code


def record(dossier: Dossier, procedure: Any, agency_name: str, file_url: Callable[[str], str]) -> dict:
    """The dossier as the portal records it, every field of doc §3. `procedure` is the version the dossier is
    handled under; `file_url(upload_id)` the link the portal downloads a file from."""
    applicant = dossier.applicant or {}
    business = applicant.get("type") == "business"
    payment = (dossier.fee or {}).get("payment") or {}
    return {
        "MaHoSo": portal_code(dossier),
        "MaTTHC": getattr(procedure, "national_code", None) or procedure.code,
        "TenTTHC": procedure.name_vi,
        "MaLinhVuc": getattr(procedure, "national_field_code", None) or procedure.field_code,
        "TenLinhVuc": procedure.field_vi,
        "SoBienNhan": dossier.code,
        "ChuHoSo": _applicant_name(applicant),
        "LoaiDoiTuong": "2" if business else "1",
        "MaDoiTuong": (applicant.get("tax_code") if business else applicant.get("citizen_id")) or "",
        "Email": applicant.get("email") or "",
        "SoDienThoai": applicant.get("phone") or "",
        "TrichYeuHoSo": dossier.summary,
        "NgayTiepNhan": portal_time(dossier.received_at),
        "NgayHenTra": portal_day_end(dossier.due_date),
        "NgayKetThucXuLy": _ended_at(dossier),
        "NgayTra": _returned_at(dossier),
        "TrangThaiHoSo": STATUSES[dossier.status].national_status,
        "KenhThucHien": _CHANNELS[dossier.channel],
        "HinhThuc": "1" if (dossier.delivery or {}).get("method") == "post" else "0",
        "DonViXuLy": agency_name,
        "GhiChu": _last_note(dossier, procedure),
        "DuocThanhToanTrucTuyen": "1" if payment.get("method") == "online" else "0",
        "TaiLieuNop": [
            {"TepDinhKemId": f["upload_id"], "TenTepDinhKem": f.get("file_name") or "", "IsDeleted": "0",
             "MaThanhPhanHoSo": c["component_id"], "DuongDanTaiTepTin": file_url(f["upload_id"])}
            for c in dossier.components for f in c.get("files", [])],
        "DanhSachLePhi": _fees(dossier),
        "DanhSachHoSoBoSung": [_supplement(dossier, r, procedure) for r in dossier.supplement_requests],
        "DanhSachGiayToKetQua": [
            {"TenGiayTo": r.get("file_name") or "", "MaThanhPhanHoSo": RESULT_COMPONENT_CODE,
             "GiayToId": r["upload_id"], "DuongDanTepTinKetQua": file_url(r["upload_id"])}
            for r in dossier.results],
    }


def _applicant_name(applicant: dict) -> str:
    return applicant.get("full_name") or applicant.get("name") or ""


def _ended_at(dossier: Dossier) -> str:
    """A decision, a refusal, a stop or a withdrawal ended the handling; only one of them can."""
    for at in ((dossier.decision or {}).get("at"), (dossier.refusal or {}).get("refused_at"),
               (dossier.ended or {}).get("at")):
        if at:
            return _time(at)
    return ""


def _returned_at(dossier: Dossier) -> str:
    """When the result reached the applicant: at the desk or online when returned; by post when delivered, not
    when sent."""
    returned = dossier.returned or {}
    delivered = returned.get("delivered")
    if delivered:
        at = _moment(delivered.get("at"))
        day = delivered.get("delivered_on")
        if day and (at is None or at.astimezone(LOCAL_TZ).date().isoformat() != day):
            return portal_day_end(day)  # recorded on a later day: the delivery day is all that is known
        return portal_time(at)
    if returned.get("method") == "post":
        return ""
    return _time(returned.get("at"))


def _clip(text: str) -> str:
    return text.strip()[:MAX_TEXT]


def _supplement_text(request: dict, procedure: Any = None) -> str:
    """What the applicant was asked for: each component with its reason, then the officer's note."""
    parts = []
    for item in request.get("items") or []:
        component = procedure.component(item["component_id"]) if procedure is not None else None
        name = component.name_vi if component is not None else item["component_id"]
        parts.append(f"{name}: {item.get('reason', '')}".strip())
    if (request.get("note") or "").strip():
        parts.append(request["note"].strip())
    return _clip("; ".join(parts))


def _last_note(dossier: Dossier, procedure: Any = None) -> str:
    """The latest reason or note the dossier carries: a refusal, a stop or withdrawal, a decision's note, a
    supplement request, an apology letter."""
    found: list[tuple[datetime, int, str]] = []

    def add(at: str | None, text: str | None) -> None:
        moment = _moment(at)
        if moment is not None and text and text.strip():
            found.append((moment, len(found), text))

    refusal, ended, decision = dossier.refusal or {}, dossier.ended or {}, dossier.decision or {}
    add(refusal.get("refused_at"), refusal.get("reason"))
    add(ended.get("at"), ended.get("reason"))
    add(decision.get("at"), decision.get("note"))
    for request in dossier.supplement_requests:
        add(request.get("requested_at"), _supplement_text(request, procedure))
    for apology in dossier.apologies:
        add(apology.get("at"), apology.get("reason"))
    return _clip(max(found)[2]) if found else ""


def _fees(dossier: Dossier) -> list[dict]:
    """The fee the agency asked for, and how it was paid once it is."""
    fee = dossier.fee
    if not fee:
        return []
    payment = fee.get("payment") or {}
    return [{"TenPhiLePhi": fee.get("purpose") or "", "MaPhiLePhi": "",
             "HinhThucThu": FEE_COLLECTION.get(payment.get("method"), ""),
             "Gia": int(payment.get("amount_vnd") or fee.get("amount_vnd") or 0), "LoaiPhiLePhi": FEE_KIND}]


def _supplement(dossier: Dossier, request: dict, procedure: Any) -> dict:
    """A supplement request (form 02). Requests come before reception, so there is no appointment date to move:
    the earlier one is empty and the new one is the date set once the dossier was received after it."""
    resolved = bool(request.get("resolved_at"))
    return {
        "HoSoBoSungId": f"{dossier.id}-{request.get('number', 0)}",
        "NguoiYeuCauBoSung": _actor_name(request.get("requested_by") or {}),
        "NoiDungBoSung": _supplement_text(request, procedure),
        "NgayBoSung": _time(request.get("requested_at")),
        "NgayHenTraTruoc": portal_day_end(request.get("previous_due_date")),
        "NgayHenTraMoi": portal_day_end(request.get("new_due_date") or (dossier.due_date if resolved else None)),
        "TrangThaiBoSung": SUPPLEMENT_DONE if resolved else SUPPLEMENT_WAITING,
    }


def _actor_name(actor: dict) -> str:
    return actor.get("name") or actor.get("username") or ""


# --- progress entries (CapNhatTienDoHoSoMC) ------------------------------------------------------------------

def progress_entry(dossier: Dossier, event: dict, unit_name: Callable[[str], str | None] | None = None) -> dict:
    """One step of the dossier's handling, from one stored event (`Event.to_dict()`: type, seq, at, actor,
    payload). `unit_name(unit_id)` names a competent unit; without it, or when it knows none, the id is shown."""
    payload = event.get("payload") or {}
    actor = event.get("actor") or {}
    role = actor.get("role")
    at = _time(event.get("at"))
    national = payload.get("national_status")
    if national is None:
        national = STATUSES[Status(payload["status"])].national_status if payload.get("status") \
            else STATUSES[dossier.status].national_status
    unit = _unit(dossier, payload, actor)
    return {
        "MaHoSo": portal_code(dossier),
        "NguoiXuLy": _handler(dossier, actor),
        "ChucDanh": TITLES.get(role, "") if role else "",
        "ThoiDiemXuLy": at,
        "PhongBanXuLy": ((unit_name(unit) if unit_name else None) or unit) if unit else "",
        "NoiDungXuLy": _what_was_done(event.get("type"), payload),
        "TrangThai": int(national),
        "NgayBatDau": at,
        "NgayKetThucTheoQuyDinh": portal_day_end(payload.get("step_due") or payload.get("due_date")
                                                 or dossier.due_date),
    }


def _handler(dossier: Dossier, actor: dict) -> str:
    role = actor.get("role")
    if role == Role.SYSTEM:
        return _SYSTEM_NAME
    if role == Role.CITIZEN:
        # The portal shows the applicant, whatever account (or the portal itself) acted for them.
        return _applicant_name(dossier.applicant or {}) or _actor_name(actor)
    return _actor_name(actor)


def _unit(dossier: Dossier, payload: dict, actor: dict) -> str | None:
    """The unit the step belongs to: the one a transfer names, else the dossier's unit for its own leaders and
    specialists (the desk and other agencies' staff are not in it)."""
    if payload.get("unit"):
        return payload["unit"]
    in_unit = actor.get("role") in (Role.LEADER, Role.SPECIALIST) and actor.get("agency_code") == dossier.agency_code
    return dossier.unit if in_unit else None


def _what_was_done(event_type: str | None, payload: dict) -> str:
    label = _WHAT_WAS_DONE.get(event_type) if event_type else None
    if label is None and payload.get("status"):
        label = STATUSES[Status(payload["status"])].name_vi
    note = _payload_note(payload)
    text = f"{label}: {note}" if label and note else (label or note)
    return _clip(text)


def _payload_note(payload: dict) -> str:
    """The reason or note an action's details carry, the most telling first."""
    refusal = payload.get("refusal") or {}
    request = payload.get("supplement_request")
    for text in (payload.get("reason"), refusal.get("reason"), _supplement_text(request) if request else None,
                 payload.get("request"), payload.get("reply"), payload.get("note")):
        if isinstance(text, str) and text.strip():
            return text.strip()
    return ""
