"""Dossiers brought to the one-stop desk: the officer scans the papers and records the dossier for the
applicant (channel 1, desk), who needs no account; then it goes on like any other."""

from __future__ import annotations

import pytest

from chalicelib.domain.errors import ValidationFailed
from chalicelib.services.dossiers import WALK_IN
from chalicelib.store.dossiers import DossierStore
from chalicelib.store.uploads import UploadStore

from .conftest import AGENCY, OTHER_AGENCY, officer, submission_body, submit


def test_a_desk_officer_records_a_walk_in_applicants_dossier_on_the_desk_channel(stack):
    desk = officer()
    body = submission_body(desk)
    dossier, replayed = submit(desk, body, key="walk-in-1")
    assert not replayed and (dossier.channel, dossier.agency_code) == (1, AGENCY)
    assert dossier.owner_id == f"{WALK_IN}{dossier.id}", "nobody's account: the desk holds it"
    stored = DossierStore().get(dossier.id)
    assert stored.channel == 1 and stored.components == dossier.components
    first = DossierStore().history(dossier.id)[0]
    assert (first["actor"]["role"], first["actor"]["id"]) == ("officer", desk.id)
    for component in body["components"]:
        for upload_id in component["upload_ids"]:
            assert UploadStore().raw(upload_id).ref == dossier.id, "the officer's scans are attached"
    again, replayed = submit(desk, body, key="walk-in-1")
    assert replayed and again.id == dossier.id


def test_an_officer_takes_in_only_their_own_agencys_procedures(stack):
    outsider = officer(OTHER_AGENCY)
    with pytest.raises(ValidationFailed) as refused:
        submit(outsider, submission_body(outsider))
    assert [(e.field, e.code) for e in refused.value.errors] == [("procedure_code", "procedure.other_agency")]
