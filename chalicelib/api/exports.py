"""Metric tables as CSV and as an Excel workbook (reports to the ministry are Excel)."""

from __future__ import annotations

import csv
import io

CSV = "text/csv; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF = "application/pdf"
FORMATS = {"json": "application/json", "csv": CSV, "xlsx": XLSX}


def wanted_format(fmt: str | None, accept: str | None) -> str | None:
    """`format=` wins; otherwise the first Accept type we make; JSON by default. None: not one we make."""
    if fmt is not None:
        return fmt if fmt in FORMATS else None
    for part in (accept or "").split(","):
        media = part.split(";")[0].strip().lower()
        if media == "text/csv":
            return "csv"
        if media == XLSX:
            return "xlsx"
        if media in ("application/json", "application/*", "*/*", ""):
            return "json"
    return "json"


def scorecard_tables(card: dict, lang: str) -> dict[str, tuple[list[str], list[list]]]:
    name = "name_en" if lang == "en" else "name_vi"
    indicators = [[g["id"], i["id"], i[name], i["numerator"], i["denominator"], i["rate"], i["threshold"],
                   i["max_points"], i["points"]] for g in card["groups"] for i in g["indicators"]]
    groups = [[g["id"], g[name], g["score"], g["measured_max"], g["max"]] for g in card["groups"]]
    targets = [[t["id"], t[name], t["numerator"], t["denominator"], t["actual"], t["target"], t["met"]]
               for t in card["targets"]]
    measures = [[m["id"], m[name], m["rate"]] for m in card.get("measures", [])]
    return {
        "indicators": (["group", "indicator", "name", "numerator", "denominator", "rate", "threshold",
                        "max_points", "points"], indicators),
        "measures": (["measure", "name", "value"], measures),
        "groups": (["group", "name", "score", "measured_max", "max"], groups),
        "targets": (["target", "name", "numerator", "denominator", "actual", "target_value", "met"], targets),
    }


def indicator_tables(detail: dict) -> dict[str, tuple[list[str], list[list]]]:
    rows = [[r["key"], r["numerator"], r["denominator"], r["rate"], r["threshold"], r["max_points"], r["points"]]
            for r in detail["rows"]]
    return {"rows": ([detail["group_by"] or "total", "numerator", "denominator", "rate", "threshold", "max_points",
                      "points"], rows)}


def to_csv(tables: dict[str, tuple[list[str], list[list]]]) -> str:
    """One CSV: a `table` column names which table each row belongs to (UTF-8 with a BOM for Excel)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for table, (header, rows) in tables.items():
        writer.writerow(["table", *header])
        writer.writerows([[table, *("" if v is None else v for v in row)] for row in rows])
    return "\ufeff" + out.getvalue()


def to_xlsx(tables: dict[str, tuple[list[str], list[list]]], title: str) -> bytes:
    """One worksheet per table, the header row bold and frozen."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    workbook.remove(workbook.active)
    for table, (header, rows) in tables.items():
        sheet = workbook.create_sheet(table[:31])
        sheet.append(header)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append(list(row))
        sheet.freeze_panes = "A2"
    workbook.properties.title = title[:255]
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
