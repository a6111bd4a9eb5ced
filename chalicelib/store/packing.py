"""The stored form of a dossier's record: compact JSON, zlib-compressed with a preset dictionary.

Every step rewrites the dossier's item in a transaction, which bills 2 write units per started KB. Most of a
record is the same from one dossier to the next: field names, the procedure's, components' and agency's names the
receipt copies from the catalogue, the control slip's structure. A preset dictionary holding those lets zlib refer
to them from the first byte: the record of the benchmark's lifecycle packs to 0.5–1.1 KB instead of 1.2–2.8 KB
(docs/performance.md).

The stream names its dictionary (zlib's DICTID, the dictionary's Adler-32), so a record is read with the one it
was written with, and records packed without one (before 1 December 2026) still read. Dictionaries are never
changed, only added (`chalicelib/data/dictionaries/dossier-<n>.txt`, made by `scripts/doc_dictionary.py`); the
highest-numbered one packs.
"""

from __future__ import annotations

import functools
import json
import re
import zlib
from pathlib import Path

DICTIONARIES = Path(__file__).resolve().parent.parent / "data" / "dictionaries"
LEVEL = 6
_FDICT = 0x20  # zlib header: a preset dictionary follows, named by its Adler-32


class UnknownDictionary(RuntimeError):
    """The record was packed with a dictionary this code does not have (written by a newer version)."""


@functools.cache
def _dictionaries() -> tuple[bytes, dict[int, bytes]]:
    """The dictionary that packs (the highest-numbered file) and every one by its Adler-32."""
    files = sorted(DICTIONARIES.glob("dossier-*.txt"), key=lambda p: int(re.sub(r"\D", "", p.stem)))
    by_id = {zlib.adler32(data): data for data in (p.read_bytes() for p in files)}
    return (files[-1].read_bytes() if files else b""), by_id


def pack_doc(doc: dict) -> bytes:
    data = json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode()
    current, _ = _dictionaries()
    if not current:
        return zlib.compress(data, LEVEL)
    compressor = zlib.compressobj(LEVEL, zdict=current)
    return compressor.compress(data) + compressor.flush()


def unpack_doc(packed: bytes) -> dict:
    if len(packed) >= 6 and packed[1] & _FDICT:
        dictionary_id = int.from_bytes(packed[2:6], "big")
        dictionary = _dictionaries()[1].get(dictionary_id)
        if dictionary is None:
            raise UnknownDictionary(f"dossier record packed with dictionary {dictionary_id:08x}")
        decompressor = zlib.decompressobj(zdict=dictionary)
        return json.loads(decompressor.decompress(packed) + decompressor.flush())
    return json.loads(zlib.decompress(packed))
