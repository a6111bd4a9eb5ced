"""Papers given once (docs/papers.md): whose store a dossier's papers go to, their type and validity, when a stored
paper may stand in for a component, and what a submission counts for the reuse indicator and target."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from chalicelib.domain.dossier import CHANNEL_ONLINE, Dossier
from chalicelib.domain.metric_facts import facts
from chalicelib.domain.national_portal import PORTAL_PRINCIPAL_ID
from chalicelib.domain.papers import (
    Paper,
    add_months,
    check_papers,
    papers_from_components,
    papers_from_results,
    reusable_components,
    reuse_of,
    store_owner,
    types_on,
)
from chalicelib.domain.procedures import load_seed_catalogue
from chalicelib.domain.states import Status

PERSON = {"type": "person", "full_name": "Nguyễn Văn An", "citizen_id": "001095012345"}
BUSINESS = {"type": "business", "name": "Công ty TNHH Ví Dụ", "tax_code": "0100109106",
            "representative": {"full_name": "Lê Văn Cường", "citizen_id": "001085003456"}}
WORK_PERMIT = next(p for p in load_seed_catalogue() if p.code == "1.014199")  # health certificate, photos, forms
EXTENSION = next(p for p in load_seed_catalogue() if p.code == "1.014201")  # asks for the current work permit
TODAY = date(2026, 3, 2)
SUBMITTED_AT = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)
PDF = "application/pdf"


def _paper(paper_id: str = "01JNSR6Y2B7C4D9E1F3G5H8J0K", kind: str = "health-certificate", owner: str = "acct#sub-an",
           valid_until: str | None = "2027-03-02", content_type: str = PDF, size: int = 1000) -> Paper:
    return Paper(owner=owner, id=paper_id, type=kind, name_vi="Giấy chứng nhận sức khỏe", name_en="Health certificate",
                 source="component", file_name="suc-khoe.pdf", content_type=content_type, size=size, sha256="ab" * 32,
                 dossier_id="01JNSR7Q4K8M2V5X9A3B6C1D0E", dossier_code="000.00.20.H26-260302-0001",
                 agency_code="000.00.20.H26", procedure_code="1.014199", component_id="health-certificate",
                 accepted_at="2026-03-02T03:00:00.000Z", valid_until=valid_until)


def _dossier(owner_id: str = "sub-an", applicant: dict = PERSON, components: list | None = None) -> Dossier:
    return Dossier(id="01JNSR7Q4K8M2V5X9A3B6C1D0E", code="000.00.20.H26-260302-0001", procedure_code="1.014199",
                   procedure_version=1, agency_code="000.00.20.H26", owner_id=owner_id, applicant=applicant,
                   summary="", components=components or [], delivery={"method": "desk"}, channel=CHANNEL_ONLINE,
                   status=Status.SUBMITTED, submitted_at=SUBMITTED_AT)


def _file(upload_id: str, **extra) -> dict:
    return {"upload_id": upload_id, "file_name": f"{upload_id}.pdf", "content_type": PDF, "size": 1000,
            "sha256": "cd" * 32, **extra}


# -- whose store ---------------------------------------------------------------------------------------------


def test_an_accounts_papers_are_the_accounts_whatever_id_number_it_typed():
    assert store_owner("sub-an", PERSON) == "acct#sub-an"
    assert store_owner("sub-an", {**PERSON, "citizen_id": "079200000001"}) == "acct#sub-an"


def test_papers_of_a_dossier_without_an_account_belong_to_the_applicants_id_number():
    assert store_owner("walk-in:01JNSR7Q4K8M2V5X9A3B6C1D0E", PERSON) == "id#001095012345"
    # A business's papers are its tax code's, not its representative's.
    assert store_owner("walk-in:01JNSR7Q4K8M2V5X9A3B6C1D0E", BUSINESS) == "id#0100109106"
    assert store_owner(PORTAL_PRINCIPAL_ID, PERSON) == "id#001095012345"
    assert store_owner("walk-in:x", {"type": "person", "full_name": "?"}) is None


# -- types and validity --------------------------------------------------------------------------------------


def test_a_components_type_is_its_id_a_form_is_its_dossiers_own_and_an_alias_names_another():
    types = types_on(TODAY)
    assert types.component_type("1.014199", "health-certificate") == "health-certificate"
    assert types.component_type("1.014199", "application-form") == "1.014199:application-form"
    assert types.component_type("1.014201", "current-work-permit") == "work-permit"
    assert types.result_type("1.014199") == "work-permit"  # the permit the extension asks for
    assert types.result_type("1.010833") == "result:1.010833"


def test_validity_counts_whole_months_from_acceptance_and_a_type_without_one_stays_valid():
    types = types_on(TODAY)
    assert types.valid_until("health-certificate", date(2026, 3, 2)) == date(2027, 3, 2)
    assert types.valid_until("criminal-record", date(2025, 8, 31)) == date(2026, 2, 28)
    assert types.valid_until("passport-copy", TODAY) is None
    assert add_months(date(2027, 11, 30), 3) == date(2028, 2, 29)
    paper = _paper(valid_until="2026-03-02")
    assert paper.valid_on(date(2026, 3, 2)) and not paper.valid_on(date(2026, 3, 3))
    assert _paper(valid_until=None).valid_on(date(2099, 1, 1))


def test_a_submission_stores_its_new_files_with_type_and_validity_but_not_the_files_it_reused():
    components = [{"component_id": "health-certificate", "files": [_file("01JNSR00000000000000000001")]},
                  {"component_id": "application-form", "files": [_file("01JNSR00000000000000000002")]},
                  {"component_id": "photos", "files": [_file("01JNSR00000000000000000003", paper_id="P")]}]
    found = papers_from_components("acct#sub-an", _dossier(), WORK_PERMIT, components, SUBMITTED_AT)
    assert [(p.id, p.type, p.valid_until) for p in found] == [
        ("01JNSR00000000000000000001", "health-certificate", "2027-03-02"),
        ("01JNSR00000000000000000002", "1.014199:application-form", None)]
    first = found[0]
    assert (first.dossier_code, first.component_id, first.source, first.accepted_at) == (
        "000.00.20.H26-260302-0001", "health-certificate", "component", "2026-03-02T03:00:00.000Z")
    assert first.name_en == "Valid health certificate"  # the component's own name


def test_a_returned_work_permit_is_a_work_permit_paper_valid_from_its_issue():
    dossier = replace(_dossier(), results=[_file("01JNSR00000000000000000009", file_name="gpld.pdf")])
    (paper,) = papers_from_results("acct#sub-an", dossier, ("Cấp giấy phép lao động", "Work permit"),
                                   datetime(2026, 4, 10, 2, 0, tzinfo=UTC))
    assert (paper.type, paper.source, paper.component_id, paper.valid_until) == (
        "work-permit", "result", None, "2028-04-10")
    assert (paper.name_vi, paper.name_en) == ("Giấy phép lao động", "Work permit")


def test_a_paper_reads_back_as_stored_without_its_empty_fields():
    dossier = replace(_dossier(), results=[_file("01JNSR00000000000000000009")])
    (result,) = papers_from_results("acct#sub-an", dossier, ("Xác nhận", "Certificate"), SUBMITTED_AT)
    kept = {k: v for k, v in result.to_dict().items() if v is not None}  # the store drops what has no value
    assert "component_id" not in kept and Paper.from_dict(kept) == result


# -- reusing a paper -----------------------------------------------------------------------------------------


def test_a_stored_paper_stands_in_for_a_component_of_its_type_while_valid():
    paper = _paper()
    components = [{"component_id": "health-certificate", "upload_ids": [], "papers": [paper.id]}]
    assert check_papers(WORK_PERMIT, components, {paper.id: paper}, TODAY) == []
    assert paper.as_file() == {"upload_id": paper.id, "file_name": "suc-khoe.pdf", "content_type": PDF, "size": 1000,
                               "sha256": "ab" * 32, "paper_id": paper.id}


def test_an_unknown_or_someone_elses_paper_is_not_found_on_its_field():
    # The store is read in the caller's own partition: another person's paper is simply not among those found.
    components = [{"component_id": "passport-copy", "upload_ids": [], "papers": ["01JNSROTHERPERSONSPAPER0000"]}]
    (error,) = check_papers(WORK_PERMIT, components, {}, TODAY)
    assert (error.field, error.code) == ("components[0].papers[0]", "paper.not_found")


@pytest.mark.parametrize(("paper", "component", "code"), [
    (_paper(valid_until="2026-03-01"), "health-certificate", "paper.expired"),
    (_paper(), "criminal-record", "paper.wrong_type"),
    (_paper(kind="photos", content_type=PDF), "photos", "file.type_not_accepted"),
    (_paper(size=6 * 1024 * 1024), "health-certificate", "file.too_large"),
])
def test_a_paper_that_does_not_fit_is_refused_with_the_reason_on_its_field(paper, component, code):
    components = [{"component_id": "application-form", "upload_ids": ["u1"]},
                  {"component_id": component, "upload_ids": [], "papers": [paper.id]}]
    (error,) = check_papers(WORK_PERMIT, components, {paper.id: paper}, TODAY)
    assert (error.field, error.code) == ("components[1].papers[0]", code)


def test_a_form_filled_in_for_one_dossier_is_kept_but_never_given_again():
    form = _paper(kind="1.014199:application-form")
    components = [{"component_id": "application-form", "upload_ids": [], "papers": [form.id]}]
    assert [e.code for e in check_papers(WORK_PERMIT, components, {form.id: form}, TODAY)] == ["paper.not_reusable"]
    assert reusable_components(WORK_PERMIT, [{"component_id": "application-form", "upload_ids": []}],
                               {"1.014199:application-form": [form]}, TODAY) == []
    assert types_on(TODAY).reusable("result:1.010833") and types_on(TODAY).reusable("health-certificate")


def test_one_paper_twice_is_refused():
    paper = _paper()
    components = [{"component_id": "health-certificate", "upload_ids": [], "papers": [paper.id, paper.id]}]
    assert [e.code for e in check_papers(WORK_PERMIT, components, {paper.id: paper}, TODAY)] == ["paper.duplicate"]


def test_a_component_is_reusable_when_the_store_held_a_valid_paper_that_fits_it():
    components = [{"component_id": "health-certificate", "upload_ids": ["u1"]},
                  {"component_id": "criminal-record", "upload_ids": ["u2"]},
                  {"component_id": "photos", "upload_ids": ["u3"]}]
    candidates = {"health-certificate": [_paper(valid_until="2026-01-01"), _paper("01JNSR0000000000000000000B")],
                  "criminal-record": [_paper(kind="criminal-record", valid_until="2026-01-31")],
                  "photos": [_paper(kind="photos", content_type="image/png")]}
    assert reusable_components(WORK_PERMIT, components, candidates, TODAY) == ["health-certificate", "photos"]
    # The extension asks for the current work permit: a returned permit is one.
    permit = replace(_paper(kind="work-permit"), source="result", component_id=None)
    asked = [{"component_id": "current-work-permit", "upload_ids": ["u4"]}]
    assert reusable_components(EXTENSION, asked, {"work-permit": [permit]}, TODAY) == ["current-work-permit"]


# -- what it counts --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("files", "reusable", "expected"), [
    ({"a": [{}], "b": [{}]}, [], (False, False, False)),  # nothing held: not judged on reuse
    ({"a": [{"paper_id": "P"}], "b": [{}]}, ["a"], (True, True, True)),
    ({"a": [{"paper_id": "P"}], "b": [{}]}, ["a", "b"], (True, True, False)),  # b uploaded again: asked again
    ({"a": [{}], "b": [{}]}, ["b"], (False, True, False)),
    ({"a": [{}, {"paper_id": "P"}]}, [], (True, True, True)),  # a reused paper beside a new file still reuses
])
def test_reuse_counts_reused_held_and_not_asked_again(files, reusable, expected):
    components = [{"component_id": c, "files": f} for c, f in files.items()]
    assert reuse_of(components, reusable) == expected


def test_reception_counts_the_reuse_the_submission_recorded():
    submitted = {"type": "dossier.submitted", "at": "2026-03-02T01:00:00.000Z",
                 "actor": {"id": "sub-an", "username": "citizen.an", "role": "citizen"},
                 "payload": {"agency_code": "000.00.20.H26", "procedure_code": "1.014200", "channel": 2,
                             "components": [{"component_id": "photos", "files": [{"upload_id": "X", "paper_id": "X"}]},
                                            {"component_id": "application-form", "files": [{"upload_id": "Y"}]}],
                             "reusable": ["photos"]}}
    received = {"type": "dossier.received", "at": "2026-03-02T02:00:00.000Z",
                "actor": {"id": "sub-o", "username": "officer.hanoi", "role": "officer"},
                "payload": {"received_at": "2026-03-02T02:00:00.000Z", "due_date": "2026-03-16"}}
    counted = {f.counter for f in facts([submitted, received])}
    assert {"reused", "reusable", "not_asked_again", "digitised"} <= counted
    assert not {"reused", "reusable"} & {f.counter for f in facts([submitted])}  # counted on reception only
    uploaded_again = {**submitted, "payload": {**submitted["payload"], "reusable": ["photos", "application-form"]}}
    assert {f.counter for f in facts([uploaded_again, received])} >= {"reused", "reusable"}
    assert "not_asked_again" not in {f.counter for f in facts([uploaded_again, received])}
