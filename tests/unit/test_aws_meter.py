"""The cost meter's DynamoDB billing arithmetic (bench/aws_meter.py), checked against DynamoDB's documented rules."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.aws_meter import Index, TableSchema, _read_units, index_write_units, item_size, write_units  # noqa: E402

SCHEMA = TableSchema("dossiers", ("id",), (
    Index("status-index", ("agency", "status"), "KEYS_ONLY"),
    Index("assignee-index", ("assignee",), "INCLUDE", ("due",)),
    Index("all-index", ("agency",), "ALL"),
))


def test_item_size_counts_names_and_values_by_dynamodb_rules():
    # name + UTF-8 bytes; numbers: 1 byte per two significant digits + 1; lists and maps: 3 + 1 per element
    assert item_size({"id": {"S": "abc"}}) == 2 + 3
    assert item_size({"ấp": {"S": "Hà"}}) == len("ấp".encode()) + len("Hà".encode())
    assert item_size({"n": {"N": "12345"}}) == 1 + 3 + 1
    assert item_size({"n": {"N": "-0.00120"}}) == 1 + 1 + 1
    assert item_size({"ok": {"BOOL": True}, "no": {"NULL": True}}) == 2 + 1 + 2 + 1
    assert item_size({"l": {"L": [{"S": "ab"}, {"N": "1"}]}}) == 1 + 3 + (1 + 2) + (1 + 2)
    assert item_size({"m": {"M": {"k": {"S": "v"}}}}) == 1 + 3 + 1 + 1 + 1


def test_writes_bill_each_started_kilobyte_and_reads_each_started_four():
    assert write_units(0) == 1 and write_units(1024) == 1 and write_units(1025) == 2
    big = {"body": {"S": "x" * 5000}}
    assert _read_units([big], consistent=True, each=True) == 2
    assert _read_units([big], consistent=False, each=True) == 1
    assert _read_units([big, big], consistent=False, each=False) == 1.5  # a query sums before rounding
    assert _read_units([None], consistent=True, each=True) == 1  # a miss still costs a read


def test_an_index_is_written_only_when_its_projection_changes():
    before = {"id": {"S": "d1"}, "agency": {"S": "A"}, "status": {"S": "new"}, "note": {"S": "x"}}
    note_only = {**before, "note": {"S": "y" * 2000}}
    units = index_write_units(SCHEMA, before, note_only)
    # keys-only index untouched; the ALL index rewrites the larger of the two projected items
    assert units == {"all-index": 2}


def test_a_changed_index_key_costs_a_delete_and_a_put():
    before = {"id": {"S": "d1"}, "agency": {"S": "A"}, "status": {"S": "new"}}
    after = {**before, "status": {"S": "received"}}
    assert index_write_units(SCHEMA, before, after) == {"status-index": 2, "all-index": 1}


def test_a_sparse_index_costs_a_put_when_an_item_enters_it_and_a_delete_when_it_leaves():
    before = {"id": {"S": "d1"}}
    assigned = {**before, "assignee": {"S": "u1"}, "due": {"S": "2026-12-01"}}
    assert index_write_units(SCHEMA, before, assigned) == {"assignee-index": 1}
    assert index_write_units(SCHEMA, assigned, None) == {"assignee-index": 1}
