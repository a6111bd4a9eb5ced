"""How a dossier's record is stored (chalicelib/store/packing.py): compressed with a preset dictionary that names
itself, read back exactly, and records packed before dictionaries still read."""

from __future__ import annotations

import json
import zlib

import pytest

from chalicelib.store import packing

from .domain.test_forms import apologised, returned, stopped


@pytest.mark.parametrize("life", [returned, apologised, stopped])
def test_a_record_reads_back_exactly_as_it_was_written(life):
    record = life().to_dict()
    assert packing.unpack_doc(packing.pack_doc(record)) == json.loads(json.dumps(record))


@pytest.mark.parametrize("life", [returned, apologised, stopped])
def test_the_dictionary_shrinks_records_it_was_not_made_from(life):
    # The dictionary was made from a business's work permit (scripts/doc_dictionary.py); these are a person's
    # unemployment benefit with supplements, an apology or a stop.
    raw = json.dumps(life().to_dict(), ensure_ascii=False, separators=(",", ":")).encode()
    plain, packed = len(zlib.compress(raw, packing.LEVEL)), len(packing.pack_doc(life().to_dict()))
    assert packed < 0.75 * plain, (packed, plain)


def test_a_record_packed_without_a_dictionary_still_reads():
    record = returned().to_dict()
    old = zlib.compress(json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode(), 6)
    assert packing.unpack_doc(old) == json.loads(json.dumps(record))


def test_a_record_names_its_dictionary_and_an_unknown_one_is_a_clear_error():
    packed = packing.pack_doc(returned().to_dict())
    current, known = packing._dictionaries()
    assert packed[1] & 0x20 and int.from_bytes(packed[2:6], "big") == zlib.adler32(current) and known
    compressor = zlib.compressobj(6, zdict=b"a dictionary this code never had")
    foreign = compressor.compress(b"{}") + compressor.flush()
    with pytest.raises(packing.UnknownDictionary):
        packing.unpack_doc(foreign)


def test_the_dictionaries_hold_no_one_s_name_or_number():
    from scripts.doc_dictionary import PERSONAL

    def values(node, key=""):
        if isinstance(node, dict):
            for k, v in node.items():
                yield from values(v, k)
        elif isinstance(node, list):
            for v in node:
                yield from values(v, key)
        else:
            yield key, node

    for path in packing.DICTIONARIES.glob("dossier-*.txt"):
        records = [json.loads(line) for line in path.read_text().splitlines() if line.startswith("{")]
        assert records, path.name
        for key, value in (pair for record in records for pair in values(record)):
            if key in PERSONAL:
                assert value in (PERSONAL[key], None), (key, value)
            else:
                assert not (isinstance(value, str) and any(c.isdigit() and c != "0" for c in value)), (key, value)
