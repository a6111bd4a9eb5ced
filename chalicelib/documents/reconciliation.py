"""The daily reconciliation report as files for the finance officer: CSV (UTF-8 with a byte-order mark, so that
Excel reads the Vietnamese letters) and Excel."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from ..domain.reconciliation import COLUMNS, ReportRow

HEADINGS_VI = ("Kết quả đối soát", "Loại", "Mã giao dịch của hệ thống", "Số giao dịch cổng thanh toán",
               "Số tiền theo cổng (đồng)", "Số tiền hệ thống ghi nhận (đồng)", "Trạng thái ghi nhận", "Mã hồ sơ",
               "Thời điểm thanh toán")


def report_csv(rows: Sequence[ReportRow]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row.as_list()])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def report_xlsx(title: str, rows: Sequence[ReportRow], summary: dict[str, int]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Đối soát"
    sheet.append([title])
    sheet.append([", ".join(f"{k}: {v}" for k, v in summary.items())])
    sheet.append([])
    sheet.append(list(HEADINGS_VI))
    sheet.append(list(COLUMNS))
    for cell in sheet[1] + sheet[4]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row.as_list())
    sheet.freeze_panes = "A6"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
