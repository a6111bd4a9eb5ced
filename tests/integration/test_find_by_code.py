"""Finding a dossier by its national code against moto's DynamoDB: the keys-only code index gives the id,
the item comes from the table, and an officer's search by code never leaves their agency or unit."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from chalicelib.api import schemas, validation
from chalicelib.api.desk import parse_filters
from chalicelib.domain.errors import NotFound
from chalicelib.domain.search import DeskFilters, plan
from chalicelib.domain.states import Role, Status
from chalicelib.domain.templates import template_for
from chalicelib.services.dossiers import DossierService
from chalicelib.services.notifications import message_context
from chalicelib.services.public_lookup import look_up
from chalicelib.store.dossiers import DossierStore, _to_model

from .conftest import AGENCY, OTHER_AGENCY, citizen, now, officer, submitted
from .test_deadline_scan import _dynamodb_calls

PARTNER = "000.00.31.H26"  # Hà Nội Social Security: an inter-agency partner
TODAY = date.today()


def test_a_code_finds_its_dossier_and_an_unknown_code_finds_nothing(stack):
    first, second = submitted(), submitted()
    store = DossierStore()
    found = store.find_by_code(second.code)
    assert found is not None and (found.id, found.code, found.version) == (second.id, second.code, second.version)
    assert store.find_by_code(first.code).id == first.id
    assert store.find_by_code(f"{AGENCY}-000101-0001") is None


def test_the_found_dossier_is_the_current_state_not_the_index_copy(stack):
    dossier = submitted()
    DossierService().receive(officer(), dossier.id, validation.parse(schemas.Receive, {"note": ""}), now())
    found = DossierStore().find_by_code(dossier.code)
    assert (found.status.value, found.version) == ("received", 2)
    assert found.receipt["lookup_url"].endswith(f"/public/dossiers/{dossier.code}")


def test_a_search_by_code_is_kept_to_the_callers_agency(stack):
    dossier = submitted()
    home = plan(DeskFilters(code=dossier.code), officer(AGENCY), TODAY)
    elsewhere = plan(DeskFilters(code=dossier.code), officer(OTHER_AGENCY), TODAY)
    store = DossierStore()
    assert store.find_by_code(home.partition, home.filters).id == dossier.id
    assert store.find_by_code(elsewhere.partition, elsewhere.filters) is None


def test_a_search_by_code_is_narrowed_by_the_other_filters_and_a_leaders_unit(stack):
    dossier = submitted()
    store = DossierStore()
    submitted_only = plan(parse_filters({"code": dossier.code.lower(), "status": "submitted"}), officer(), TODAY)
    received_only = plan(parse_filters({"code": dossier.code, "status": "received"}), officer(), TODAY)
    assert store.find_by_code(submitted_only.partition, submitted_only.filters).id == dossier.id
    assert store.find_by_code(received_only.partition, received_only.filters) is None
    leader = dataclasses.replace(officer(), roles=frozenset({Role.LEADER}), unit="viec-lam")
    not_yet_transferred = plan(DeskFilters(code=dossier.code), leader, TODAY)
    assert store.find_by_code(not_yet_transferred.partition, not_yet_transferred.filters) is None


def test_the_public_lookup_reads_through_the_code_index_and_masks_the_applicant(stack):
    dossier = submitted(citizen())
    view = look_up(dossier.code.lower(), "en")
    assert (view["code"], view["national_status"], view["status_name"]) == (dossier.code, 1, "Newly registered")
    assert view["applicant_name"] == "Công t* T*** V* D*"
    assert view["procedure"]["name_en"] and view["agency"]["code"] == AGENCY


@pytest.mark.parametrize("code", [f"{AGENCY}-000101-0001", "not-a-code", f"{AGENCY}-261399-0001", "x" * 5000])
def test_the_public_lookup_of_an_unknown_or_malformed_code_is_not_found(stack, code):
    submitted()
    with pytest.raises(NotFound):
        look_up(code, "vi")


@pytest.mark.parametrize(("base", "expected"), [
    (None, "/public/dossiers/{code}"),
    ("https://api.dichvucong.example.vn", "https://api.dichvucong.example.vn/public/dossiers/{code}"),
])
def test_the_receipt_and_the_submission_message_give_the_lookup_address(stack, monkeypatch, base, expected):
    if base:
        monkeypatch.setenv("PUBLIC_BASE_URL", base)
    else:
        monkeypatch.delenv("PUBLIC_BASE_URL", raising=False)
    dossier = submitted()
    url = expected.format(code=dossier.code)
    received = DossierService().receive(officer(), dossier.id, validation.parse(schemas.Receive, {"note": ""}), now())
    assert received.receipt["lookup_url"] == url
    first = {"type": "dossier.submitted", "seq": 1, "payload": {}, "at": now().isoformat()}
    for event_type, state in (("dossier.submitted", dossier), ("dossier.received", received)):
        for language in ("vi", "en"):
            body = template_for(event_type, language).render(message_context({**first, "type": event_type}, state,
                                                                              language)).body
            assert url in body, (event_type, language)


def test_incoming_work_is_found_by_code_only_at_the_partner_it_was_sent_to(stack):
    dossier = dataclasses.replace(submitted(), status=Status.AT_OTHER_AGENCY, version=2,
                                  inter_agency=[{"step": 1, "agency_code": PARTNER, "request": "Xác minh"}])
    _to_model(dossier).save()
    partner = officer(PARTNER)
    store = DossierStore()
    incoming = plan(DeskFilters(code=dossier.code, incoming=True), partner, TODAY)
    home_queue = plan(DeskFilters(code=dossier.code), partner, TODAY)
    elsewhere = plan(DeskFilters(code=dossier.code, incoming=True), officer(OTHER_AGENCY), TODAY)
    assert store.find_by_code(incoming.partition, incoming.filters).id == dossier.id
    assert store.find_by_code(home_queue.partition, home_queue.filters) is None
    assert store.find_by_code(elsewhere.partition, elsewhere.filters) is None


def test_a_lookup_by_code_reads_one_index_item_and_one_dossier_never_a_scan(stack):
    dossier = submitted()
    scoped = plan(DeskFilters(code=dossier.code), officer(), TODAY)
    with _dynamodb_calls() as calls:
        assert DossierStore().find_by_code(dossier.code).id == dossier.id
        assert DossierStore().find_by_code(scoped.partition, scoped.filters).id == dossier.id
    reads = [(c["operation"], c["index"], c["count"]) for c in calls
             if c["operation"] in ("Query", "Scan", "GetItem", "BatchGetItem")]
    assert reads == [("Query", "code-index", 1), ("GetItem", None, None),
                     ("Query", "code-index", 1), ("Query", None, 1)]
