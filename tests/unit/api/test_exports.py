"""Metric tables as CSV and Excel: the same cells in both, Vietnamese intact, empty for "no data"."""

from __future__ import annotations

import csv
import io
from datetime import date

from openpyxl import load_workbook

from chalicelib.api.exports import XLSX, indicator_tables, scorecard_tables, to_csv, to_xlsx, wanted_format
from chalicelib.domain.quality import config_for, scorecard

CARD = scorecard(config_for(date(2026, 12, 31)), {"ended": 4, "ended_on_time": 3, "received": 5, "received_online": 2},
                 {"procedures": 2, "online": 2, "complete": 2, "online_used": 1}, officers=1, period_days=92)


def test_format_comes_from_the_parameter_then_the_accept_header():
    assert wanted_format("csv", XLSX) == "csv"
    assert wanted_format(None, "text/csv") == "csv"
    assert wanted_format(None, f"{XLSX}, */*;q=0.1") == "xlsx"
    assert wanted_format(None, None) == "json" and wanted_format(None, "*/*") == "json"
    assert wanted_format("pdf", None) is None


def test_the_csv_and_the_workbook_hold_the_same_cells():
    tables = scorecard_tables(CARD, "vi")
    text = to_csv(tables)
    assert text.startswith("\ufeff")  # Excel opens UTF-8 CSV with Vietnamese correctly only with a BOM
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    on_time = next(r for r in rows if r[2] == "progress.on_time")
    assert on_time[:2] == ["indicators", "progress"] and on_time[4:7] == ["3.0", "4.0", "0.75"]
    workbook = load_workbook(io.BytesIO(to_xlsx(tables, "scorecard")))
    assert workbook.sheetnames == ["indicators", "measures", "groups", "targets"]
    sheet = workbook["indicators"]
    header = [c.value for c in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2, values_only=True) if r[1] == "progress.on_time")
    assert dict(zip(header, row, strict=True))["rate"] == 0.75 and row[8] == 15.0
    no_data = next(r for r in sheet.iter_rows(min_row=2, values_only=True) if r[1] == "publicity.announced_on_time")
    assert no_data[5] is None
    names = [r[2] for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert "Hồ sơ giải quyết trước và đúng hạn" in names


def test_an_indicator_table_names_its_grouping():
    detail = {"group_by": "procedure", "rows": [{"key": "1.014199", "numerator": 1, "denominator": 2, "rate": 0.5,
                                                 "threshold": 1.0, "max_points": 20, "points": 10.0}]}
    header, rows = indicator_tables(detail)["rows"]
    assert header[0] == "procedure" and rows == [["1.014199", 1, 2, 0.5, 1.0, 20, 10.0]]
