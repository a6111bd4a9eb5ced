"""Dossiers brought to the one-stop desk: the officer scans the papers and records the dossier for the
applicant (channel 1, desk), who needs no account; then it goes on like any other."""

from __future__ import annotations

import pytest

from chalicelib.domain.errors import ValidationFailed
from chalicelib.domain.search import DeskFilters, plan
from chalicelib.services.dossiers import WALK_IN
from chalicelib.store.dossiers import DossierStore
from chalicelib.store.uploads import UploadStore

from .conftest import AGENCY, OTHER_AGENCY, now, officer, submission_body, submit


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


def test_a_procedure_received_regardless_of_boundaries_is_taken_in_at_any_desk_under_the_desks_code(stack):
    """1.014196 is Hồ Chí Minh City's and on the list: Hà Nội's desk takes it in, numbers it in its own sequence, and
    the dossier waits in Hà Nội's queue (not yet in the competent agency's) until the desk forwards it."""
    desk = officer()
    dossier, _ = submit(desk, submission_body(desk, code="1.014196"))
    assert (dossier.agency_code, dossier.receiving_agency) == (OTHER_AGENCY, AGENCY)
    assert dossier.code.startswith(f"{AGENCY}-") and dossier.holding_agency == AGENCY
    raw = DossierStore().history(dossier.id)[0]
    assert (raw["payload"]["agency_code"], raw["payload"]["receiving_agency_code"]) == (OTHER_AGENCY, AGENCY)

    def queue(of) -> set[str]:
        found, _, _ = DossierStore().search(plan(DeskFilters(), of, now().date()), 100, None)
        return {d.id for d in found}

    assert dossier.id in queue(desk) and dossier.id not in queue(officer(OTHER_AGENCY))
