"""The register of dossiers as a PDF (A4 landscape, the header row on every page) and as an Excel workbook
(one sheet, real dates)."""

from __future__ import annotations

import dataclasses
import io
import re
from datetime import date, datetime

import openpyxl
import pypdf
import pytest

from chalicelib.documents.register import COLUMNS, register_pdf, register_xlsx
from chalicelib.domain.calendar import WorkingCalendar
from chalicelib.domain.register import register_rows

from ..domain.test_forms import AGENCY_INFO, received, returned, stopped

PERIOD = "01/03/2026 – 31/03/2026"
AGENCY_NAME = AGENCY_INFO["name_vi"]


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _rows(count: int = 3):
    stages = (returned, stopped, received)
    dossiers = [dataclasses.replace(stage(), code=f"{stage().code[:-4]}{i + 1:04d}")
                for i, stage in enumerate(stages[i % 3] for i in range(count))]
    return register_rows(dossiers, WorkingCalendar())


@pytest.fixture(scope="module")
def rows():
    return _rows()


def test_the_register_pdf_is_a_landscape_a4_listing_every_dossier(rows):
    reader = pypdf.PdfReader(io.BytesIO(register_pdf(AGENCY_NAME, PERIOD, rows)))
    page = reader.pages[0]
    assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx((841.89, 595.28), abs=0.1)
    text = squash("".join(p.extract_text() for p in reader.pages))
    for row in rows:
        assert squash(row.code) in text and squash(row.entry) in text
    assert squash("SỔ THEO DÕI HỒ SƠ") in text and squash(f"Kỳ: {PERIOD}") in text
    assert squash("Mẫu số 07") in text and squash("Nguyễn Thị Hồng Nhung") in text
    assert squash("Trễ hạn") in text and squash("Đúng hạn") in text and squash("Đang giải quyết") in text
    assert squash("Tổng số: 3 hồ sơ") in text
    assert reader.metadata.creator == "MotCua" and reader.metadata.author == AGENCY_NAME


def test_a_long_register_repeats_its_header_row_on_every_page():
    rows = _rows(40)
    reader = pypdf.PdfReader(io.BytesIO(register_pdf(AGENCY_NAME, PERIOD, rows)))
    assert len(reader.pages) >= 3
    for page in reader.pages:
        assert squash("Số vào sổ") in squash(page.extract_text())
    assert squash(rows[-1].code) in squash(reader.pages[-1].extract_text())


def test_the_same_rows_print_the_same_register(rows):
    assert register_pdf(AGENCY_NAME, PERIOD, rows) == register_pdf(AGENCY_NAME, PERIOD, rows)


def test_the_register_follows_the_edition_it_is_printed_under(rows):
    text = squash(pypdf.PdfReader(io.BytesIO(register_pdf(AGENCY_NAME, PERIOD, rows, on=date(2025, 1, 2))))
                  .pages[0].extract_text())
    assert squash("Mẫu số 06") in text and squash("Thông tư số 01/2018/TT-VPCP") in text


def test_an_empty_register_still_prints():
    text = pypdf.PdfReader(io.BytesIO(register_pdf(AGENCY_NAME, PERIOD, []))).pages[0].extract_text()
    assert squash("Tổng số: 0 hồ sơ") in squash(text)


def test_the_register_workbook_holds_one_row_per_dossier_with_real_dates(rows):
    workbook = openpyxl.load_workbook(io.BytesIO(register_xlsx(AGENCY_NAME, PERIOD, rows)))
    assert workbook.sheetnames == ["Sổ theo dõi hồ sơ"]
    sheet = workbook.active
    assert sheet["A1"].value == AGENCY_NAME.upper() and sheet["A3"].value == f"Kỳ: {PERIOD}"
    assert [c.value for c in sheet[5]] == list(COLUMNS)
    assert sheet.freeze_panes == "A6"
    data = [[c.value for c in row] for row in sheet.iter_rows(min_row=6)]
    assert [(r[0], r[1], r[2]) for r in data] == [(row.ordinal, row.entry, row.code) for row in rows]
    first = data[0]
    assert first[3:5] == ["Nguyễn Thị Hồng Nhung", "Giải quyết hưởng trợ cấp thất nghiệp"]
    assert first[5] == datetime(2026, 3, 3, 8, 40), "Vietnam's wall-clock time as an Excel date"
    assert first[6] == datetime(2026, 4, 7) and sheet.cell(6, 7).number_format == "dd/mm/yyyy"
    assert first[7] == datetime(2026, 4, 6, 9, 0) and sheet.cell(6, 6).number_format == "dd/mm/yyyy hh:mm"
    assert first[8:10] == ["Đã trả kết quả", "Trễ hạn"] and "Trễ hạn 3 ngày làm việc" in first[10]
    assert data[2][7] is None and data[2][9] == "Đang giải quyết"
    assert sheet.column_dimensions["E"].width >= 40, "the procedure's name has room"
