"""The one-stop forms a dossier gives rise to, as a layout-free view a renderer prints.

Each form is declared once (`FORMS`): its slug, when it exists (the dossier data it prints) and when it
was issued. Its number and title come from the circular in force on the day it was issued (`EDITIONS`):
Circular 01/2018/TT-VPCP numbered the forms 01-05 and the register 06; Circular 03/2025/TT-VPCP
(15 September 2025, guiding Decree 118/2025/NĐ-CP) added a notice of stopping processing as 05, moved the
control slip to 06 and the register to 07, and renamed the apology letter. A receipt issued in 2024 is
reprinted as it was issued then. The 2025 numbers and titles are those legal publishers list for its
Appendix I; the appendix's own layouts were not available, so every form keeps the content the 2018
forms have (what the dossier records), under the number and title of the edition that applies.

Nothing here knows about PDF: `form_view` returns a small tree of dataclasses (`FormView`), and
chalicelib/documents/pdf.py lays it out without knowing what a dossier is.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import TYPE_CHECKING

from .agencies import agency as agency_of
from .calendar import LOCAL_TZ
from .codes import parse_dossier_code
from .dossier import Dossier
from .errors import NotFound
from .times import parse_iso

if TYPE_CHECKING:  # the procedure model is pydantic, kept off the path of a dossier's JSON view (form links)
    from .procedures import Procedure

RECEIPT, SUPPLEMENT_REQUEST, REFUSAL, APOLOGY, STOP_NOTICE, CONTROL_SLIP = (
    "receipt", "supplement-request", "refusal", "apology", "stop-notice", "control-slip")
REGISTER = "register"  # not a form of one dossier, but numbered with them
# The receipt of a paid fee: no one-stop circular numbers it (empty number), but the applicant holds it like one.
PAYMENT_RECEIPT = "payment-receipt"
FORM_SLUGS: tuple[str, ...] = (RECEIPT, SUPPLEMENT_REQUEST, REFUSAL, APOLOGY, STOP_NOTICE, CONTROL_SLIP,
                               PAYMENT_RECEIPT)

# When the result is due on the appointment day: the end of office hours (CalendarConfig.work_end's default).
DEFAULT_CLOSING_TIME = time(17, 0)
BLANK = "……"  # an empty field on a printed form, left to be filled in by hand


class UnknownForm(NotFound):
    code = "form_not_found"


class FormNotAvailable(NotFound):
    """The dossier has no such form yet (or not the one asked for by `index`)."""

    code = "form_not_found"


# -- the editions: numbers and titles as each circular has them -------------------------------------


@dataclass(frozen=True)
class Edition:
    basis: str  # the circular, as a form's footer names it
    effective_from: date
    numbers: dict[str, str]
    titles: dict[str, str]


_TITLES_2018 = {
    RECEIPT: "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
    SUPPLEMENT_REQUEST: "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
    REFUSAL: "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ",
    APOLOGY: "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ",
    CONTROL_SLIP: "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ",
    REGISTER: "SỔ THEO DÕI HỒ SƠ",
    PAYMENT_RECEIPT: "BIÊN NHẬN THANH TOÁN PHÍ, LỆ PHÍ",
}

EDITIONS: tuple[Edition, ...] = (
    # The signing date: the platform has no dossier from before it, and an earlier one falls back here.
    Edition("Thông tư số 01/2018/TT-VPCP", date(2018, 11, 23),
            {RECEIPT: "01", SUPPLEMENT_REQUEST: "02", REFUSAL: "03", APOLOGY: "04", CONTROL_SLIP: "05",
             REGISTER: "06", PAYMENT_RECEIPT: ""},
            _TITLES_2018),
    # Appendix I of the 2025 circular, as legal publishers list it; the circular's own text was not
    # available, so it applies from the signing date they give.
    Edition("Thông tư số 03/2025/TT-VPCP", date(2025, 9, 15),
            {RECEIPT: "01", SUPPLEMENT_REQUEST: "02", REFUSAL: "03", APOLOGY: "04", STOP_NOTICE: "05",
             CONTROL_SLIP: "06", REGISTER: "07", PAYMENT_RECEIPT: ""},
            {**_TITLES_2018,
             APOLOGY: "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT",
             STOP_NOTICE: "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ"}),
)


def edition_on(day: date) -> Edition:
    """The edition in force on `day` (the first one for any earlier day)."""
    in_force = [e for e in EDITIONS if e.effective_from <= day]
    return max(in_force, key=lambda e: e.effective_from) if in_force else EDITIONS[0]


# -- the view a renderer prints ------------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    """A labelled line: "Họ và tên: Nguyễn Thị Hồng Nhung"."""

    label: str
    value: str


@dataclass(frozen=True)
class Paragraph:
    text: str


@dataclass(frozen=True)
class Table:
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[int, ...]  # relative: the renderer scales them to the page


Block = Field | Paragraph | Table


@dataclass(frozen=True)
class Section:
    heading: str | None
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class Signature:
    title: str  # "NGƯỜI TIẾP NHẬN", "TM./KT. THỦ TRƯỞNG CƠ QUAN"
    note: str  # "(Ký và ghi rõ họ tên)"
    name: str | None  # printed under the space left for the signature


@dataclass(frozen=True)
class FormView:
    slug: str
    number: str  # "01"
    title: str
    basis: str  # the circular the form follows
    agency_lines: tuple[str, ...]  # top left, upper case; the last one is the issuing body
    dateline: str  # "ngày 02 tháng 3 năm 2026", after the locality when it is known
    dossier_code: str
    applicant_heading: str
    applicant: tuple[Field, ...]  # name, ID number, address, phone, email
    sections: tuple[Section, ...]
    signatures: tuple[Signature, ...]  # left to right; the last one sits at the right margin
    lookup_url: str  # what the QR code opens
    issued_at: datetime  # local time; the document's creation date, so a form renders to the same bytes
    author: str  # the agency, for the document's metadata


# -- dates and times as Vietnamese documents write them --------------------------------------------


def local(moment: datetime | str | None) -> datetime | None:
    if isinstance(moment, str):
        moment = parse_iso(moment)
    return moment.astimezone(LOCAL_TZ) if moment is not None else None


def short_date(day: date | str | None) -> str:
    """dd/mm/yyyy."""
    if isinstance(day, str):
        day = date.fromisoformat(day[:10])
    return f"{day:%d/%m/%Y}" if day else BLANK


def long_date(day: date) -> str:
    """"ngày 02 tháng 3 năm 2026": days below 10 and the months 1 and 2 take a leading zero (Decree
    30/2020/NĐ-CP on the form of administrative documents), other months none."""
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def clock_time(moment: datetime | str | None) -> str:
    """"09 giờ 15 phút, ngày 02/03/2026" in Vietnam's time."""
    at = local(moment)
    return f"{at:%H} giờ {at:%M} phút, ngày {at:%d/%m/%Y}" if at else BLANK


def short_time(moment: datetime | str | None) -> str:
    """"09:15 02/03/2026" in Vietnam's time, for tables."""
    at = local(moment)
    return f"{at:%H:%M %d/%m/%Y}" if at else ""


# -- the parts every form shares ------------------------------------------------------------------


_UNITS = {"working_days": "ngày làm việc", "working_hours": "giờ làm việc", "calendar_days": "ngày"}
_ROLES = {"officer": "Bộ phận một cửa", "specialist": "Chuyên viên", "leader": "Lãnh đạo",
          "admin": "Quản trị", "system": "Hệ thống", "citizen": "Người nộp hồ sơ"}
_ACTIONS = {
    "receive": "Tiếp nhận hồ sơ", "transfer": "Chuyển phòng chuyên môn",
    "forward": "Chuyển cơ quan có thẩm quyền giải quyết (tiếp nhận không phụ thuộc địa giới hành chính)",
    "assign": "Phân công chuyên viên",
    "propose": "Trình lãnh đạo", "send_back": "Trả lại chuyên viên", "send_to_agency": "Chuyển cơ quan phối hợp",
    "return_from_agency": "Cơ quan phối hợp trả lại", "issue_result": "Chuyển kết quả về Bộ phận một cửa",
}


def _agency_name(dossier: Dossier, procedure: Procedure | None, agency: dict | None) -> str:
    return ((agency or {}).get("name_vi") or ((dossier.receipt or {}).get("agency") or {}).get("name_vi")
            or (procedure.agency_name_vi if procedure else None) or dossier.agency_code)


def _procedure_name(dossier: Dossier, procedure: Procedure | None) -> str:
    return ((dossier.receipt or {}).get("procedure") or {}).get("name_vi") or (
        procedure.name_vi if procedure else dossier.procedure_code)


def _person(who: dict | None) -> str | None:
    who = who or {}
    return who.get("name") or who.get("username")


def _addressee(dossier: Dossier) -> str:
    return "Tổ chức" if dossier.applicant.get("type") == "business" else "Ông/Bà"


def _applicant(dossier: Dossier) -> tuple[str, tuple[Field, ...]]:
    a = dossier.applicant
    if a.get("type") == "business":
        representative = a.get("representative") or {}
        fields = [Field("Tên tổ chức", a.get("name") or BLANK), Field("Mã số thuế", a.get("tax_code") or BLANK),
                  Field("Người đại diện", representative.get("full_name") or BLANK)]
    else:
        fields = [Field("Họ và tên", a.get("full_name") or a.get("name") or BLANK),
                  Field("Số định danh cá nhân", a.get("citizen_id") or BLANK)]
    fields += [Field("Địa chỉ", a.get("address") or BLANK), Field("Số điện thoại", a.get("phone") or BLANK),
               Field("Email", a.get("email") or BLANK)]
    return "Thông tin người nộp hồ sơ", tuple(fields)


def _contact(agency: dict | None) -> str | None:
    """How to reach the agency, from whatever its data holds."""
    agency = agency or {}
    parts = [f"điện thoại {agency['phone']}" if agency.get("phone") else None,
             f"email {agency.get('email') or agency.get('desk_email')}"
             if agency.get("email") or agency.get("desk_email") else None,
             agency.get("address")]
    found = [p for p in parts if p]
    return ", ".join(found) if found else None


def _unit_name(agency: dict | None, unit_id: str | None) -> str | None:
    for unit in (agency or {}).get("units") or ():
        if unit.get("id") == unit_id:
            return unit.get("name_vi")
    return unit_id


def _side(party: dict, agency: dict | None, home: str | None = None) -> str:
    """One side of a hand-over on the control slip, as people read it; someone of another agency than `home` (the
    dossier's), such as the desk that received it regardless of administrative boundaries, with their agency."""
    text = _party(party, agency)
    other = party.get("agency_code")
    if home and other and other != home and (party.get("kind") or party.get("role")) != "agency":
        found = agency_of(other)
        text += f" ({found.name_vi if found else other})"
    return text


def _party(party: dict, agency: dict | None) -> str:
    kind = party.get("kind") or party.get("role")
    name = party.get("name")
    if kind == "applicant":
        return f"Người nộp hồ sơ: {name}" if name else "Người nộp hồ sơ"
    if kind == "unit":
        return name or _unit_name(agency, party.get("unit")) or "Phòng chuyên môn"
    if kind == "leader" and not name:
        unit = _unit_name(agency, party.get("unit"))
        return f"Lãnh đạo {unit}" if unit else "Lãnh đạo"
    if kind == "agency":
        return f"Cơ quan phối hợp: {name or party.get('agency_code')}"
    label = "Bộ phận một cửa" if kind == "desk" else _ROLES.get(party.get("role") or kind or "", "Cán bộ")
    return f"{label}: {name}" if name else label


# -- the forms ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Context:
    dossier: Dossier
    procedure: Procedure | None
    agency: dict | None
    closing_time: time

    @property
    def agency_name(self) -> str:
        return _agency_name(self.dossier, self.procedure, self.agency)

    @property
    def procedure_name(self) -> str:
        return _procedure_name(self.dossier, self.procedure)


@dataclass(frozen=True)
class _Issued:
    """What one form prints: its record's time, where it comes from, and its body."""

    at: datetime
    issuer: str  # "desk" (the one-stop desk issues it) or "agency" (the head of the agency does)
    sections: tuple[Section, ...]
    signatures: tuple[Signature, ...]
    opened_on: date | None = None  # a running record (the control slip): the day it was opened

    @property
    def numbered_on(self) -> date:
        """The day whose edition numbers the form."""
        return self.opened_on or self.at.date()


def entry_number(code: str) -> tuple[str, str] | None:
    """The register entry a dossier has: (book, number). The dossier code ends with the day (YYMMDD) and that
    day's sequence of the agency's dossiers, one counter per agency per day: the same numbering a paper
    register of the agency keeps, so the book is the day and the entry the sequence — the receipt and the
    register then give the same number without a second counter. (The code's day is the day the dossier was
    registered, which for an online dossier may be a day before its receipt.)"""
    parsed = parse_dossier_code(code)
    if parsed is None:
        return None
    _, day, sequence = parsed
    return f"{day:%y%m%d}", f"{sequence:04d}"


def _delivery(ctx: _Context, delivery: dict | None, desk: str | None = None) -> str:
    """Where the result comes back; `desk`: the agency whose desk returns it, when not the form's own (a dossier
    received for another agency gets its result from that agency)."""
    delivery = delivery or {}
    method, address = delivery.get("method"), delivery.get("address")
    if method == "post":
        return f"Qua dịch vụ bưu chính công ích, đến địa chỉ: {address or BLANK}"
    if method == "online":
        return "Trực tuyến, trên tài khoản dịch vụ công của người nộp hồ sơ"
    if desk:
        return f"Bộ phận một cửa, {desk}"
    desk = f"Bộ phận một cửa, {ctx.agency_name}"
    place = (ctx.agency or {}).get("address")
    return f"{desk}, {place}" if place else desk


def _receipt(ctx: _Context, index: int | None) -> _Issued:
    dossier = ctx.dossier
    receipt = dossier.receipt or {}
    received = receipt.get("received_at") or dossier.received_at
    due = receipt.get("appointment_date") or dossier.due_date
    limit = receipt.get("processing_time") or {}
    components = receipt.get("components") or [
        {"name_vi": c["component_id"], "files": len(c.get("files") or [])} for c in dossier.components]
    rows = tuple((str(i), c.get("name_vi") or c.get("component_id") or "", str(c.get("files", 0)))
                 for i, c in enumerate(components, 1))
    entry = entry_number(dossier.code)
    request = [Field("Thủ tục hành chính", ctx.procedure_name)]
    # Received regardless of administrative boundaries: this desk forwards the dossier to the competent agency,
    # which settles it and returns the result.
    competent = (receipt.get("agency") or {}).get("name_vi") if receipt.get("receiving_agency") else None
    if competent:
        request.append(Field("Cơ quan có thẩm quyền giải quyết",
                             f"{competent} (hồ sơ tiếp nhận không phụ thuộc địa giới hành chính, được chuyển đến "
                             "cơ quan có thẩm quyền giải quyết)"))
    if dossier.summary:
        request.append(Field("Nội dung yêu cầu giải quyết", dossier.summary))
    if dossier.postal:  # channel 3: the period counts from the day the post delivered it
        request.append(Field("Hình thức nộp", f"Qua dịch vụ bưu chính công ích, số hiệu bưu gửi "
                                              f"{dossier.postal['tracking_number']}, nhận ngày "
                                              f"{short_date(dossier.postal['received_on'])}"))
    body = Section(None, (
        Paragraph(f"{ctx.agency_name} đã tiếp nhận hồ sơ của {_addressee(dossier)} "
                  f"{_applicant_name(dossier)}:"),
        *request,
        Field("Số lượng hồ sơ", "01 (bộ)"),
        Table(("STT", "Thành phần hồ sơ đã nhận", "Số tệp"), rows, (8, 72, 14)),
    ))
    schedule = Section(None, (
        Field("Thời gian giải quyết hồ sơ theo quy định",
              f"{limit.get('value')} {_UNITS.get(limit.get('unit'), '')}".strip() if limit else BLANK),
        Field("Thời gian nhận hồ sơ", clock_time(received)),
        Field("Thời gian trả kết quả giải quyết hồ sơ",
              f"{ctx.closing_time:%H} giờ {ctx.closing_time:%M} phút, ngày {short_date(due)}"),
        Field("Nơi trả kết quả", _delivery(ctx, receipt.get("delivery") or dossier.delivery, competent)),
        Field("Vào Sổ theo dõi hồ sơ", f"Quyển số {entry[0]}, Số thứ tự {entry[1]}" if entry else BLANK),
    ))
    if receipt.get("note"):
        schedule = Section(None, (*schedule.blocks, Field("Ghi chú", receipt["note"])))
    return _Issued(local(received), "desk", (body, schedule), (
        Signature("NGƯỜI NỘP HỒ SƠ", "(Ký và ghi rõ họ tên)", _applicant_name(dossier)),
        Signature("NGƯỜI TIẾP NHẬN", "(Ký và ghi rõ họ tên)", _person(receipt.get("officer")))))


def _pick(records: list[dict], index: int | None) -> dict:
    """The latest record, or the `index`-th (0 the first) when an earlier one is asked for."""
    if index is None:
        return records[-1]
    if not 0 <= index < len(records):
        raise FormNotAvailable(index=index)
    return records[index]


def _supplement_request(ctx: _Context, index: int | None) -> _Issued:
    dossier = ctx.dossier
    request = _pick(dossier.supplement_requests, index)
    by = request.get("requested_by") or {}
    rows = tuple((str(i), item.get("name_vi") or item.get("component_id") or "", item.get("reason") or "")
                 for i, item in enumerate(request.get("items") or [], 1))
    blocks: list[Block] = [
        Paragraph(f"Ngày {short_date(local(dossier.submitted_at).date())}, {ctx.agency_name} nhận được hồ sơ "
                  f"của {_addressee(dossier)} {_applicant_name(dossier)} đề nghị giải quyết thủ tục hành chính:"),
        Field("Thủ tục hành chính", ctx.procedure_name),
        Field("Yêu cầu bổ sung lần thứ", str(request.get("number") or 1)),
        Paragraph(f"Sau khi xem xét, hồ sơ của {_addressee(dossier)} cần được bổ sung, hoàn thiện một lần "
                  "đầy đủ các nội dung sau:"),
        Table(("STT", "Nội dung cần bổ sung, hoàn thiện", "Lý do"), rows, (8, 42, 50)),
    ]
    if request.get("note"):
        blocks.append(Field("Ghi chú", request["note"]))
    officer = _person(by)
    role = _ROLES.get(by.get("role") or "", "Cán bộ")
    guidance = [Field("Người hướng dẫn", f"{officer} ({role.lower()}), {ctx.agency_name}" if officer else BLANK)]
    contact = _contact(ctx.agency)
    if contact:
        guidance.append(Field("Liên hệ", contact))
    guidance.append(Paragraph(f"Mọi vướng mắc trong quá trình bổ sung, hoàn thiện hồ sơ, {_addressee(dossier)} "
                              "liên hệ người hướng dẫn nêu trên để được hướng dẫn."))
    return _Issued(local(request["requested_at"]), "desk",
                   (Section(None, tuple(blocks)), Section("Hướng dẫn", tuple(guidance))),
                   (Signature("NGƯỜI HƯỚNG DẪN", "(Ký và ghi rõ họ tên)", officer),))


def _refusal(ctx: _Context, index: int | None) -> _Issued:
    dossier, refusal = ctx.dossier, ctx.dossier.refusal or {}
    body = Section(None, (
        Paragraph(f"{ctx.agency_name} nhận được hồ sơ của {_addressee(dossier)} {_applicant_name(dossier)} "
                  "đề nghị giải quyết thủ tục hành chính:"),
        Field("Thủ tục hành chính", ctx.procedure_name),
        Field("Ngày nộp hồ sơ", short_date(local(dossier.submitted_at).date())),
        Paragraph("Sau khi xem xét, căn cứ quy định, cơ quan không tiếp nhận, giải quyết hồ sơ này vì lý do sau:"),
        Field("Lý do", refusal.get("reason") or BLANK),
        Paragraph(f"Xin thông báo để {_addressee(dossier)} được biết và thực hiện."),
    ))
    return _Issued(local(refusal["refused_at"]), "desk", (body,),
                   (Signature("NGƯỜI TIẾP NHẬN", "(Ký và ghi rõ họ tên)", _person(refusal.get("refused_by"))),))


def _received_day(dossier: Dossier) -> str:
    return short_date(local(dossier.received_at).date()) if dossier.received_at else BLANK


_FOR_THE_HEAD = "TM./KT. THỦ TRƯỞNG CƠ QUAN"  # signed for the head of the agency, or by a deputy


def _apology(ctx: _Context, index: int | None) -> _Issued:
    dossier = ctx.dossier
    letter = _pick(dossier.apologies, index)
    addressee = _addressee(dossier)
    body = Section(None, (
        Paragraph(f"Ngày {_received_day(dossier)}, {ctx.agency_name} tiếp nhận hồ sơ của {addressee} "
                  f"{_applicant_name(dossier)} đề nghị giải quyết thủ tục hành chính:"),
        Field("Thủ tục hành chính", ctx.procedure_name),
        Field("Thời gian hẹn trả kết quả", short_date(letter.get("previous_due_date"))),
        Paragraph(f"Tuy nhiên đến nay, {ctx.agency_name} chưa trả kết quả giải quyết hồ sơ cho {addressee} "
                  "đúng thời gian đã hẹn."),
        Field("Lý do", letter.get("reason") or BLANK),
        Paragraph(f"Sự chậm trễ này đã gây phiền hà, tốn kém chi phí, công sức của {addressee}. "
                  f"{ctx.agency_name} thành thật xin lỗi {addressee} và hẹn lại thời gian trả kết quả:"),
        Field("Thời gian hẹn trả kết quả mới", f"{ctx.closing_time:%H} giờ {ctx.closing_time:%M} phút, "
                                               f"ngày {short_date(letter.get('new_due_date'))}"),
        Paragraph(f"Kính mong {addressee} thông cảm."),
    ))
    return _Issued(local(letter["at"]), "agency", (body,),
                   (Signature(_FOR_THE_HEAD, "(Ký, ghi rõ họ tên và đóng dấu)", _person(letter.get("by"))),))


def _stop_notice(ctx: _Context, index: int | None) -> _Issued:
    dossier, ended = ctx.dossier, ctx.dossier.ended or {}
    body = Section(None, (
        Paragraph(f"Ngày {_received_day(dossier)}, {ctx.agency_name} tiếp nhận hồ sơ của {_addressee(dossier)} "
                  f"{_applicant_name(dossier)} đề nghị giải quyết thủ tục hành chính:"),
        Field("Thủ tục hành chính", ctx.procedure_name),
        Paragraph(f"{ctx.agency_name} thông báo dừng giải quyết hồ sơ nêu trên."),
        Field("Lý do", ended.get("reason") or BLANK),
        Field("Thời điểm dừng giải quyết", clock_time(ended.get("at"))),
    ))
    return _Issued(local(ended["at"]), "agency", (body,),
                   (Signature(_FOR_THE_HEAD, "(Ký, ghi rõ họ tên và đóng dấu)", _person(ended.get("by"))),))


def step_result(step: dict) -> str:
    """Early, on time or late, as the slip has it: a step handed on before its due day is early."""
    if step.get("completed_at") is None:
        return "Đang xử lý"
    if step.get("on_time") is False:
        return "Quá hạn"
    due = step.get("due_date")
    if due and local(step["completed_at"]).date() < date.fromisoformat(due):
        return "Trước hạn"
    return "Đúng hạn"


def _control_slip(ctx: _Context, index: int | None) -> _Issued:
    dossier = ctx.dossier
    rows = []
    for step in dossier.control_slip:
        note = _ACTIONS.get(step.get("action") or "", step.get("action") or "")
        if step.get("completed_at"):
            note += f"; chuyển tiếp lúc {short_time(step['completed_at'])}"
        home = dossier.agency_code
        rows.append((str(step.get("step")), _side(step.get("from") or {}, ctx.agency, home),
                     _side(step.get("to") or {}, ctx.agency, home), short_time(step.get("handed_at")),
                     short_date(step.get("due_date")) if step.get("due_date") else "", step_result(step), note))
    moments = [local(m) for step in dossier.control_slip for m in (step.get("handed_at"), step.get("completed_at"))
               if m]
    body = Section(None, (
        Field("Thủ tục hành chính", ctx.procedure_name),
        Field("Ngày tiếp nhận", clock_time(dossier.received_at)),
        Field("Hẹn trả kết quả", short_date(dossier.due_date)),
        Table(("STT", "Bên giao", "Bên nhận", "Thời gian giao nhận", "Hạn xử lý",
               "Kết quả (trước hạn/ đúng hạn/ quá hạn)", "Ghi chú"), tuple(rows), (6, 19, 19, 13, 11, 11, 21)),
    ))
    # The slip grows with each hand-over: its date is its latest entry, so one state prints one document.
    return _Issued(max(moments) if moments else local(dossier.received_at), "desk", (body,), (),
                   opened_on=local(dossier.received_at).date())


_PAID_BY = {"cash": "Tiền mặt tại Bộ phận một cửa", "bank_transfer": "Chuyển khoản",
            "online": "Thanh toán trực tuyến qua cổng thanh toán"}


def _vnd(amount: object) -> str:
    return f"{int(amount or 0):,}".replace(",", ".") + " đồng"


def _payment_receipt(ctx: _Context, index: int | None) -> _Issued:
    dossier, fee = ctx.dossier, ctx.dossier.fee or {}
    paid = fee["payment"]
    online = paid.get("method") == "online"
    body = Section(None, (
        Paragraph(f"{ctx.agency_name} xác nhận đã nhận của {_addressee(dossier)} {_applicant_name(dossier)} "
                  "khoản thanh toán sau:"),
        Field("Thủ tục hành chính", ctx.procedure_name),
        Field("Nội dung thu", fee.get("purpose") or BLANK),
        Field("Số tiền", _vnd(paid.get("amount_vnd"))),
        Field("Hình thức thanh toán", _PAID_BY.get(paid.get("method"), paid.get("method") or BLANK)),
        Field("Mã giao dịch" if online else "Số biên lai", paid.get("receipt_number") or BLANK),
        Field("Thời điểm ghi nhận", clock_time(paid.get("at"))),
    ))
    signer = Signature("NGƯỜI THU", "(Ký và ghi rõ họ tên)", None if online else _person(paid.get("by")))
    return _Issued(local(paid["at"]), "desk", (body,), () if online else (signer,))


def _applicant_name(dossier: Dossier) -> str:
    return dossier.applicant.get("full_name") or dossier.applicant.get("name") or BLANK


@dataclass(frozen=True)
class FormSpec:
    slug: str
    exists: Callable[[Dossier], bool]
    issued_on: Callable[[Dossier], date]  # the day whose edition numbers it
    build: Callable[[_Context, int | None], _Issued]

    @property
    def number(self) -> str:
        """In the edition in force now (the latest); a dossier's own forms may be older: `form_heading`."""
        return EDITIONS[-1].numbers[self.slug]

    @property
    def title(self) -> str:
        return EDITIONS[-1].titles[self.slug]


def _day(moment: datetime | str | None) -> date:
    return local(moment).date()


def _stopped(dossier: Dossier) -> bool:
    return bool(dossier.ended) and dossier.ended.get("action") == "stop"


FORMS: dict[str, FormSpec] = {spec.slug: spec for spec in (
    FormSpec(RECEIPT, lambda d: d.receipt is not None and d.received_at is not None,
             lambda d: _day(d.received_at), _receipt),
    FormSpec(SUPPLEMENT_REQUEST, lambda d: bool(d.supplement_requests),
             lambda d: _day(d.supplement_requests[-1]["requested_at"]), _supplement_request),
    FormSpec(REFUSAL, lambda d: d.refusal is not None, lambda d: _day(d.refusal["refused_at"]), _refusal),
    FormSpec(APOLOGY, lambda d: bool(d.apologies), lambda d: _day(d.apologies[-1]["at"]), _apology),
    FormSpec(STOP_NOTICE, _stopped, lambda d: _day(d.ended["at"]), _stop_notice),
    FormSpec(CONTROL_SLIP, lambda d: d.received_at is not None and bool(d.control_slip),
             lambda d: _day(d.received_at), _control_slip),
    FormSpec(PAYMENT_RECEIPT, lambda d: bool((d.fee or {}).get("payment")),
             lambda d: _day(d.fee["payment"]["at"]), _payment_receipt),
)}


def _numbered(spec: FormSpec, dossier: Dossier) -> Edition | None:
    """The edition the form is numbered by; None when that edition has no such form (a stop before 2025)."""
    edition = edition_on(spec.issued_on(dossier))
    return edition if spec.slug in edition.numbers else None


def available_forms(dossier: Dossier) -> list[str]:
    """The forms the dossier has so far, in form order."""
    return [slug for slug in FORM_SLUGS
            if FORMS[slug].exists(dossier) and _numbered(FORMS[slug], dossier) is not None]


def form_heading(slug: str, dossier: Dossier) -> tuple[str, str]:
    """The number and title the dossier's form carries (those of the edition it was issued under)."""
    spec = _spec(slug)
    edition = _numbered(spec, dossier) if spec.exists(dossier) else None
    edition = edition or EDITIONS[-1]
    return edition.numbers[slug], edition.titles[slug]


def register_heading(day: date) -> tuple[str, str, str]:
    """The register's number, title and basis in the edition in force on `day`."""
    edition = edition_on(day)
    return edition.numbers[REGISTER], edition.titles[REGISTER], edition.basis


def _spec(slug: str) -> FormSpec:
    spec = FORMS.get(slug)
    if spec is None:
        raise UnknownForm(form=slug)
    return spec


def _agency_lines(ctx: _Context, issuer: str) -> tuple[str, ...]:
    """Top left: the governing body when known, then the issuing one (the desk, or the agency itself)."""
    parent = (ctx.agency or {}).get("parent_vi")
    if issuer == "desk":
        return (ctx.agency_name.upper(), "BỘ PHẬN MỘT CỬA")
    return tuple(line.upper() for line in (parent, ctx.agency_name) if line)


def form_view(slug: str, dossier: Dossier, procedure: Procedure | None, *, lookup_url: str,
              agency: dict | None = None, index: int | None = None,
              closing_time: time = DEFAULT_CLOSING_TIME) -> FormView:
    """The form `slug` of `dossier` as a renderer needs it. `procedure`: the version the dossier is handled
    under (its names; None falls back to what the dossier recorded); `agency`: the receiving agency as
    chalicelib/data/agencies.json has it (`name_vi`, and `parent_vi`, `address`, `phone`, `email` or
    `desk_email`, `place`, `units` when known); `index`: an earlier supplement request or apology letter
    (0 the first), the latest by default; `closing_time`: the hour the result is due on the appointment day.

    Raises UnknownForm for a slug that is no form, FormNotAvailable while the dossier has no such form."""
    spec = _spec(slug)
    if not spec.exists(dossier):
        raise FormNotAvailable(form=slug)
    ctx = _Context(dossier, procedure, agency, closing_time)
    issued = spec.build(ctx, index)
    edition = edition_on(issued.numbered_on)
    if slug not in edition.numbers:
        raise FormNotAvailable(form=slug)
    heading, applicant = _applicant(dossier)
    place = (agency or {}).get("place")
    dateline = long_date(issued.at.date())
    return FormView(
        slug=slug, number=edition.numbers[slug], title=edition.titles[slug], basis=edition.basis,
        agency_lines=_agency_lines(ctx, issued.issuer),
        dateline=f"{place}, {dateline}" if place else dateline[:1].upper() + dateline[1:],
        dossier_code=dossier.code, applicant_heading=heading, applicant=applicant, sections=issued.sections,
        signatures=issued.signatures, lookup_url=lookup_url, issued_at=issued.at, author=ctx.agency_name)
