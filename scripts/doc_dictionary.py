"""Make a preset dictionary for packing dossier records (chalicelib/store/packing.py).

    .venv/bin/python bench/lifecycle_cost.py --json-only --dump-record build/record.json
    .venv/bin/python -m scripts.doc_dictionary build/record.json      # writes the next dossier-<n>.txt

The dictionary is what records share: the seed catalogue's names (procedures, their components and fields,
agencies and their units: the receipt and the control slip copy them) and, last, where zlib finds them at the
shortest distance, the sample records with everything that identifies a person or a dossier replaced (names,
contacts, ids, hashes, digits). A new file is a new dictionary; existing files are never rewritten, because records
packed with them name them by checksum (docs/performance.md, "Cost of one dossier lifecycle").
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
DATA = REPO_ROOT / "chalicelib" / "data"
WINDOW = 32 * 1024  # zlib reaches back at most this far: a longer dictionary's head is never used
# Values that say who someone is or what they wrote: replaced by one neutral value of the same kind.
PERSONAL = {"name": "Nguyễn Văn An", "full_name": "Nguyễn Văn An", "applicant_name": "Nguyễn Văn An",
            "address": "Số 1 phố Hàng Bài, Hoàn Kiếm, Hà Nội", "email": "an@example.vn", "phone": "0900000000",
            "summary": "Đề nghị", "note": "Ghi chú", "assessment": "Nhận xét", "reason": "Lý do", "comment": "Ý kiến",
            "file_name": "file.pdf", "position": "Giám đốc", "username": "officer", "received_by": "Nguyễn Văn An"}


def neutral(value: Any, key: str = "") -> Any:
    if isinstance(value, dict):
        return {k: neutral(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [neutral(v, key) for v in value]
    if isinstance(value, str):
        if key in PERSONAL:
            return PERSONAL[key]
        value = re.sub(r"[0-9A-HJKMNP-TV-Z]{26}", "0" * 26, value)  # ULIDs
        value = re.sub(r"[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}", "0" * 8 + "-0000" * 3 + "-" + "0" * 12, value)
        value = re.sub(r"[0-9a-f]{64}", "0" * 64, value)
        return re.sub(r"\d", "0", value)
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float):
        return 0
    return value


def catalogue_text() -> str:
    procedures = json.loads((DATA / "procedures.json").read_text())
    agencies = json.loads((DATA / "agencies.json").read_text())["agencies"]
    parts: list[str] = []
    for agency in agencies:
        parts += [agency.get("name_vi", ""), agency.get("name_en", "")]
        parts += [u.get(k, "") for u in agency.get("units", []) for k in ("name_vi", "name_en")]
    for procedure in procedures:
        parts += [procedure.get(k, "") for k in ("name_vi", "name_en", "field_vi")]
        parts += [c.get("name_vi", "") for c in procedure.get("components", [])]
    return "\n".join(dict.fromkeys(p for p in parts if p))


def build(samples: list[dict]) -> bytes:
    records = "\n".join(json.dumps(neutral(s), ensure_ascii=False, separators=(",", ":")) for s in samples).encode()
    head = catalogue_text().encode()
    return (head + b"\n" + records)[-WINDOW:]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("samples", nargs="+", type=Path, help="stored dossier records (JSON), most typical last")
    args = parser.parse_args(argv)
    folder = DATA / "dictionaries"
    folder.mkdir(exist_ok=True)
    numbers = [int(re.sub(r"\D", "", p.stem)) for p in folder.glob("dossier-*.txt")]
    target = folder / f"dossier-{max(numbers, default=0) + 1}.txt"
    target.write_bytes(build([json.loads(p.read_text()) for p in args.samples]))
    print(f"{target.relative_to(REPO_ROOT)}: {target.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
