"""The register of dossiers (sổ theo dõi hồ sơ) as a PDF to print and as an Excel workbook to work with."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import UTC, date, datetime

from ..domain.forms import register_heading
from ..domain.register import RegisterRow
from .pdf import header, new_document, table, title

COLUMNS = ("STT", "Số vào sổ", "Mã hồ sơ", "Người nộp hồ sơ", "Thủ tục hành chính", "Ngày nhận",
           "Hẹn trả kết quả", "Ngày trả kết quả", "Trạng thái", "Tiến độ", "Ghi chú")
_PDF_WIDTHS = (4, 8, 16, 11, 14, 7, 7, 7, 8, 6, 12)
_XLSX_WIDTHS = (6, 13, 28, 26, 50, 17, 13, 17, 26, 14, 50)


def _when(moment: datetime | None) -> str:
    return f"{moment:%H:%M %d/%m/%Y}" if moment else ""


def _latest(rows: Sequence[RegisterRow]) -> datetime | None:
    moments = [m for row in rows for m in (row.received_at, row.returned_at) if m]
    return max(moments) if moments else None


def register_pdf(agency_name: str, period_label: str, rows: Sequence[RegisterRow], *,
                 on: date | None = None) -> bytes:
    """A4 landscape, the header row repeated on every page. `on`: the day whose edition numbers the register
    (the edition in force now by default). The document's date is its latest entry, so the same rows print
    the same bytes (an empty register is dated when it is printed)."""
    number, heading, basis = register_heading(on or date.max)
    pdf = new_document(title=f"{heading} - {agency_name} - {period_label}", author=agency_name,
                       subject=f"{heading.capitalize()}, {period_label}",
                       created=_latest(rows) or datetime.now(UTC),
                       footer=f"Mẫu số {number} ({basis}) · {agency_name}", orientation="landscape")
    pdf.add_page()
    header(pdf, (agency_name.upper(), "BỘ PHẬN MỘT CỬA"), None, number)
    title(pdf, heading, f"Kỳ: {period_label}")
    values = [(str(r.ordinal), r.entry, r.code, r.applicant, r.procedure, _when(r.received_at),
               f"{r.appointment:%d/%m/%Y}" if r.appointment else "", _when(r.returned_at), r.status,
               r.timeliness_vi, r.note) for r in rows]
    table(pdf, COLUMNS, values, _PDF_WIDTHS, size=9)
    pdf.set_font("LiberationSerif", "I", 10)
    pdf.cell(0, 6, f"Tổng số: {len(rows)} hồ sơ", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _naive(moment: datetime | None) -> datetime | None:
    # Excel has no time zones: the local (Vietnam) wall-clock time is what the cell shows.
    return moment.replace(tzinfo=None) if moment else None


def register_xlsx(agency_name: str, period_label: str, rows: Sequence[RegisterRow], *,
                  on: date | None = None) -> bytes:
    """One sheet: the agency, the title and the period above a frozen, filterable header row; times and dates
    are real Excel dates (Vietnam's wall-clock time), so the sheet sorts and filters by them."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    number, heading, basis = register_heading(on or date.max)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Sổ theo dõi hồ sơ"
    sheet.append([agency_name.upper()])
    sheet.append([f"{heading} (Mẫu số {number}, {basis})"])
    sheet.append([f"Kỳ: {period_label}"])
    sheet.append([])
    sheet.append(list(COLUMNS))
    for cell in sheet[1] + sheet[2] + sheet[5]:
        cell.font = Font(bold=True)
    first = sheet.max_row + 1
    for r in rows:
        sheet.append([r.ordinal, r.entry, r.code, r.applicant, r.procedure, _naive(r.received_at), r.appointment,
                      _naive(r.returned_at), r.status, r.timeliness_vi, r.note])
    for row in sheet.iter_rows(min_row=first, max_row=sheet.max_row):
        row[5].number_format = row[7].number_format = "dd/mm/yyyy hh:mm"
        row[6].number_format = "dd/mm/yyyy"
        for cell in (row[4], row[10]):
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for i, width in enumerate(_XLSX_WIDTHS, 1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    sheet.freeze_panes = "A6"
    sheet.auto_filter.ref = f"A5:{get_column_letter(len(COLUMNS))}{max(sheet.max_row, 5)}"
    workbook.properties.title = f"{heading} - {agency_name} - {period_label}"[:255]
    workbook.properties.creator = "MotCua"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
