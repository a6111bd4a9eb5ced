"""docs/lifecycle.md is generated from the state machine table, never edited by hand."""

from scripts.lifecycle_doc import DOC, render


def test_the_lifecycle_document_matches_the_state_machine_table():
    assert DOC.read_text(encoding="utf-8") == render(), "run: python -m scripts.lifecycle_doc"
