import json
from datetime import date, datetime
from decimal import Decimal

import pytest
from pydantic import ValidationError

from chalicelib.api.schemas import PublishProcedure
from chalicelib.api.validation import field_errors
from chalicelib.domain.messages import MESSAGES
from chalicelib.domain.procedures import (
    APPLICANT_TYPES,
    Component,
    FeeItem,
    OnlineLevel,
    Procedure,
    TimeLimit,
    effective_version,
    load_seed_catalogue,
)

SEVEN_FIELDS = {"foreign-workers", "unemployment-insurance", "people-with-merit", "social-assistance",
                "vocational-education", "overseas-labour", "work-safety"}

SEED = load_seed_catalogue()


def make_procedure(**overrides) -> Procedure:
    base = Procedure(
        code="1.014199", version=1, effective_date=date(2025, 8, 7),
        name_vi="Cấp giấy phép lao động", name_en="Work permit issuance",
        field_code="foreign-workers", field_vi="Việc làm", field_en="Employment",
        agency_code="000.00.20.H26", agency_name_vi="Sở LĐTBXH Hà Nội", agency_name_en="Hanoi DOLISA",
        processing_time=TimeLimit(value=10, unit="working_days"),
        fees=(FeeItem(amount_vnd=600000, description_vi="Lệ phí", description_en="Fee"),),
        online_level=OnlineLevel.PARTIAL,
        legal_basis=("Nghị định số 219/2025/NĐ-CP",),
        components=(
            Component(id="application-form", name_vi="Văn bản đề nghị", name_en="Application", required=True,
                      accepted_types=("application/pdf",), max_size_bytes=5 << 20),
            Component(id="photos", name_vi="Ảnh", name_en="Photos", required=False,
                      accepted_types=("image/jpeg", "image/png"), max_size_bytes=5 << 20),
        ),
        applicant_types=("business",),
    )
    # Through validation, as the store and the API build one: a broken override fails here.
    return Procedure.model_validate({**base.to_dict(), **overrides})


def problems(data: dict) -> list[tuple[str, str]]:
    """(field, code) of every error in a stored form `data`, as the API reports them."""
    with pytest.raises(ValidationError) as raised:
        Procedure.model_validate(data)
    return [(e.field, e.code) for e in field_errors(raised.value)]


def stored(**changes) -> dict:
    return make_procedure().to_dict() | changes


def with_component(**changes) -> dict:
    data = stored()
    data["components"][0].update(changes)
    return data


# --- the seed catalogue -------------------------------------------------------------------------

def test_the_seed_catalogue_is_validated_by_the_procedure_model():
    assert SEED and all(isinstance(p, Procedure) for p in SEED)
def test_seed_catalogue_has_at_least_fourteen_procedures():
    assert len(SEED) >= 14


def test_seed_codes_are_unique():
    codes = [p.code for p in SEED]
    assert len(codes) == len(set(codes))


def test_seed_procedures_are_first_versions():
    assert {p.version for p in SEED} == {1}


def test_seed_covers_all_seven_molisa_fields():
    assert {p.field_code for p in SEED} == SEVEN_FIELDS


def test_seed_field_names_are_consistent_per_field_code():
    names = {(p.field_code, p.field_vi, p.field_en) for p in SEED}
    assert len(names) == len(SEVEN_FIELDS)


@pytest.mark.parametrize("procedure", SEED, ids=lambda p: p.code)
def test_every_seed_procedure_has_every_descriptive_field_filled(procedure):
    for name in ("name_vi", "name_en", "field_vi", "field_en", "agency_code", "agency_name_vi",
                 "agency_name_en"):
        assert getattr(procedure, name).strip(), name
    assert procedure.legal_basis
    assert 2 <= len(procedure.components) <= 6
    assert procedure.applicant_types and set(procedure.applicant_types) <= set(APPLICANT_TYPES)
    assert procedure.code_source in ("verified", "assumed")
    for component in procedure.components:
        assert 5 << 20 <= component.max_size_bytes <= 10 << 20


def test_seed_uses_a_small_consistent_set_of_agencies():
    agencies = {(p.agency_code, p.agency_name_vi, p.agency_name_en) for p in SEED}
    assert len(agencies) <= 4
    assert len({code for code, _, _ in agencies}) == len(agencies)


def test_seed_mixes_full_and_partial_online_services():
    assert {p.online_level for p in SEED} == {OnlineLevel.FULL, OnlineLevel.PARTIAL}


def test_seed_offers_procedures_to_both_citizens_and_businesses():
    kinds = {kind for p in SEED for kind in p.applicant_types}
    assert kinds == {"person", "business"}


def test_work_permit_issuance_matches_the_published_catalogue():
    # Quyết định 886/QĐ-BNV (2025) publishes 1.014199 with 10 working days.
    work_permit = next(p for p in SEED if p.code == "1.014199")
    assert work_permit.code_source == "verified"
    assert work_permit.processing_time == TimeLimit(value=10, unit="working_days")
    assert work_permit.component("criminal-record").required


def test_load_seed_catalogue_returns_a_fresh_list_each_call():
    first = load_seed_catalogue()
    first.clear()
    assert len(load_seed_catalogue()) == len(SEED)


# --- serialisation ------------------------------------------------------------------------------

@pytest.mark.parametrize("procedure", SEED, ids=lambda p: p.code)
def test_to_dict_then_model_validate_gives_back_the_same_procedure(procedure):
    assert Procedure.model_validate(procedure.to_dict()) == procedure


def test_to_dict_is_the_stored_and_published_json_shape():
    data = json.loads(json.dumps(make_procedure().to_dict()))
    assert list(data) == ["code", "version", "effective_date", "name_vi", "name_en", "field_code", "field_vi",
                          "field_en", "agency_code", "agency_name_vi", "agency_name_en", "processing_time", "fees",
                          "online_level", "legal_basis", "components", "applicant_types", "national_code",
                          "national_field_code", "announcement", "reception_anywhere", "code_source"]
    assert data["effective_date"] == "2025-08-07"
    assert data["online_level"] == "partial"
    assert data["processing_time"] == {"value": 10, "unit": "working_days"}
    assert data["fees"] == [{"amount_vnd": 600000, "description_vi": "Lệ phí", "description_en": "Fee"}]
    assert data["components"][0] == {"id": "application-form", "name_vi": "Văn bản đề nghị",
                                     "name_en": "Application", "required": True,
                                     "accepted_types": ["application/pdf"], "max_size_bytes": 5 << 20}
    assert Procedure.model_validate(data) == make_procedure()


def test_code_source_defaults_to_assumed():
    data = make_procedure(code_source="verified").to_dict()
    del data["code_source"]
    assert Procedure.model_validate(data).code_source == "assumed"


def test_integral_numbers_are_accepted_as_dynamodb_returns_them():
    data = make_procedure().to_dict()
    data["version"] = Decimal("1")
    data["processing_time"]["value"] = Decimal("10")
    data["components"][0]["max_size_bytes"] = float(5 << 20)
    assert Procedure.model_validate(data) == make_procedure()


def test_a_procedure_is_immutable_and_hashable():
    procedure = make_procedure()
    with pytest.raises(ValidationError):
        procedure.code = "1.000105"
    assert len({procedure, make_procedure()}) == 1


def _broken(mutate):
    data = make_procedure().to_dict()
    mutate(data)
    return data


@pytest.mark.parametrize(("mutate", "expected"), [
    (lambda d: d.pop("name_vi"), ("name_vi", "field.required")),
    (lambda d: d.update(effective_date="07/08/2025"), ("effective_date", "field.date")),
    (lambda d: d.update(effective_date=datetime(2025, 8, 7, 9, 0)), ("effective_date", "field.date")),
    (lambda d: d.update(effective_date=1754524800), ("effective_date", "field.date")),
    (lambda d: d.update(effective_date="9999-12-31"), ("effective_date", "field.range")),
    (lambda d: d.update(online_level="level-4"), ("online_level", "field.choice")),
    (lambda d: d.update(version="1"), ("version", "field.number")),
    (lambda d: d.update(version=True), ("version", "field.number")),
    (lambda d: d["processing_time"].update(value=1.5), ("processing_time.value", "field.number")),
    (lambda d: d.update(fees={"amount_vnd": 0}), ("fees", "field.type")),
    (lambda d: d["fees"][0].update(amount_vnd="600000"), ("fees[0].amount_vnd", "field.number")),
    (lambda d: d["components"][1].update(required="yes"), ("components[1].required", "field.type")),
    (lambda d: d.update(legal_basis="Nghị định 219/2025/NĐ-CP"), ("legal_basis", "field.type")),
    (lambda d: d.update(components=["application-form"]), ("components[0]", "field.type")),
    (lambda d: d.update(published_by="officer-1"), ("published_by", "field.unknown")),
])
def test_malformed_data_is_refused_naming_the_bad_field(mutate, expected):
    assert expected in problems(_broken(mutate))


def test_something_that_is_not_an_object_is_refused():
    with pytest.raises(ValidationError):
        Procedure.model_validate(["1.014199"])


# --- lookups ------------------------------------------------------------------------------------

def test_component_finds_a_component_by_id():
    assert make_procedure().component("photos").name_en == "Photos"


def test_component_returns_none_for_an_unknown_id():
    assert make_procedure().component("passport-copy") is None


def test_required_components_leaves_optional_ones_out():
    assert [c.id for c in make_procedure().required_components] == ["application-form"]


# --- rules --------------------------------------------------------------------------------------

def test_a_well_formed_procedure_is_valid():
    assert Procedure.model_validate(make_procedure().to_dict()) == make_procedure()


@pytest.mark.parametrize("code", ["1.014199", "1.000105", "2.000205"])
def test_national_codes_are_accepted(code):
    assert make_procedure(code=code).code == code


@pytest.mark.parametrize("code", ["1014199", "1.01419", "1.0141990", "A.014199", "12.014199", "１.０１４１９９"])
def test_codes_not_of_the_national_form_are_refused(code):
    assert [field for field, _ in problems(stored(code=code))] == ["code"]


def test_a_procedure_without_any_required_component_is_refused_on_its_components():
    data = stored()
    for component in data["components"]:
        component["required"] = False
    assert problems(data) == [("components", "procedure.no_required_component")]


def test_a_duplicate_component_id_is_refused_on_the_second_one():
    data = stored()
    data["components"].append(dict(data["components"][0]))
    assert problems(data) == [("components[2].id", "component.duplicate")]


@pytest.mark.parametrize("component_id",
                         ["Application-Form", "application_form", "application form", "-form", "form-"])
def test_component_ids_that_are_not_slugs_are_refused(component_id):
    assert problems(with_component(id=component_id)) == [("components[0].id", "field.invalid")]


@pytest.mark.parametrize("value", [0, -5, 3651])
def test_a_processing_time_out_of_range_is_refused(value):
    data = stored(processing_time={"value": value, "unit": "working_days"})
    assert problems(data) == [("processing_time.value", "field.range")]


def test_an_unknown_processing_time_unit_is_refused():
    data = stored(processing_time={"value": 5, "unit": "business_days"})
    assert problems(data) == [("processing_time.unit", "field.choice")]


@pytest.mark.parametrize(("amount", "code"), [(-1, "field.range"), (1.5, "field.number"), (True, "field.number")])
def test_fees_that_are_not_non_negative_integers_are_refused(amount, code):
    data = stored(fees=[{"amount_vnd": amount, "description_vi": "Lệ phí", "description_en": "Fee"}])
    assert problems(data) == [("fees[0].amount_vnd", code)]


def test_a_fee_needs_a_description_in_both_languages():
    data = stored(fees=[{"amount_vnd": 1000, "description_vi": "Lệ phí", "description_en": "  "}])
    assert problems(data) == [("fees[0].description_en", "field.blank")]


def test_a_free_procedure_with_no_fees_is_fine():
    assert make_procedure(fees=[]).fees == ()


@pytest.mark.parametrize(("size", "code"), [(0, "field.range"), (-1, "field.range"), (51 << 20, "field.range")])
def test_a_max_size_out_of_range_is_refused(size, code):
    assert problems(with_component(max_size_bytes=size)) == [("components[0].max_size_bytes", code)]


def test_a_file_type_outside_pdf_and_images_is_refused():
    assert problems(with_component(accepted_types=["application/zip"])) == [
        ("components[0].accepted_types[0]", "field.choice")]


def test_a_component_must_accept_some_file_type():
    assert problems(with_component(accepted_types=[])) == [("components[0].accepted_types", "field.too_short")]


@pytest.mark.parametrize(("legal_basis", "expected"), [
    ([], ("legal_basis", "field.too_short")),
    (["Nghị định 219/2025/NĐ-CP", " "], ("legal_basis[1]", "field.blank")),
])
def test_the_legal_basis_lists_at_least_one_document_none_blank(legal_basis, expected):
    assert problems(stored(legal_basis=legal_basis)) == [expected]


def test_an_unknown_applicant_type_is_refused():
    assert problems(stored(applicant_types=["household"])) == [("applicant_types[0]", "field.choice")]


def test_a_repeated_applicant_type_is_refused_on_the_repetition():
    assert problems(stored(applicant_types=["person", "business", "person"])) == [
        ("applicant_types[2]", "field.duplicate")]


def test_an_unknown_code_source_is_refused():
    assert problems(stored(code_source="guessed")) == [("code_source", "field.choice")]


def test_control_characters_in_a_name_are_refused():
    assert problems(stored(name_en="Work\npermit")) == [("name_en", "field.control_characters")]


def test_every_rule_across_fields_is_reported_at_once_with_wording_in_both_languages():
    data = stored(applicant_types=["business", "business"])
    data["components"] = [{**data["components"][1], "required": False}] * 2
    found = problems(data)
    assert found == [("components", "procedure.no_required_component"), ("components[1].id", "component.duplicate"),
                     ("applicant_types[1]", "field.duplicate")]
    for _, code in found:
        vi, en = MESSAGES[code]
        assert vi.strip() and en.strip() and vi != en


def test_a_broken_seed_file_is_refused_naming_the_procedure(tmp_path, monkeypatch):
    from chalicelib.domain import procedures

    broken = stored(code="1.000105")
    broken["components"][0]["required"] = "yes"
    seed = tmp_path / "procedures.json"
    seed.write_text(json.dumps([make_procedure().to_dict(), broken]), encoding="utf-8")
    monkeypatch.setattr(procedures, "SEED_PATH", seed)
    monkeypatch.setattr(procedures, "_seed_cache", None)
    with pytest.raises(ValueError, match=r"(?s)procedure \[1\] '1.000105'.*components\.0\.required"):
        procedures.load_seed_catalogue()


# --- the publication request --------------------------------------------------------------------

def publication(**changes) -> dict:
    """What an editor sends: the stored form without what the server sets."""
    data = {k: v for k, v in make_procedure().to_dict().items() if k not in ("version", "code_source")}
    return data | changes


def publication_problems(data: dict) -> list[tuple[str, str]]:
    with pytest.raises(ValidationError) as raised:
        PublishProcedure.model_validate(data)
    return [(e.field, e.code) for e in field_errors(raised.value)]


def test_the_publication_request_is_the_procedure_without_what_the_server_sets():
    definition = set(PublishProcedure.model_fields) - {"code_source"}
    assert definition == set(Procedure.model_fields) - {"version", "code_source"}
    request = PublishProcedure.model_validate(publication())
    assert request.code_source is None
    assert request.processing_time == make_procedure().processing_time


def test_the_publication_request_holds_the_same_rules_as_a_stored_procedure():
    data = publication()
    data["components"].append(dict(data["components"][0]))
    assert publication_problems(data) == [("components[2].id", "component.duplicate")]


def test_the_server_numbers_the_version():
    assert publication_problems(publication(version=2)) == [("version", "field.unknown")]


def test_the_publication_request_trims_whitespace():
    assert PublishProcedure.model_validate(publication(name_en="  Work permit  ")).name_en == "Work permit"


# --- versions -----------------------------------------------------------------------------------

V1 = make_procedure(version=1, effective_date=date(2021, 2, 15))
V2 = make_procedure(version=2, effective_date=date(2023, 9, 18))
V3 = make_procedure(version=3, effective_date=date(2025, 8, 7))


def test_effective_version_is_none_before_the_first_version_takes_effect():
    assert effective_version([V1, V2, V3], date(2021, 2, 14)) is None


def test_a_version_is_in_effect_from_its_effective_date_itself():
    assert effective_version([V1, V2, V3], date(2023, 9, 18)) == V2


def test_effective_version_keeps_the_previous_version_until_the_next_takes_effect():
    assert effective_version([V1, V2, V3], date(2025, 8, 6)) == V2


def test_effective_version_picks_the_latest_once_everything_is_in_effect():
    assert effective_version([V3, V1, V2], date(2026, 1, 1)) == V3


def test_effective_version_ignores_a_published_version_not_yet_in_effect():
    assert effective_version([V1, V3], date(2024, 1, 1)) == V1


def test_effective_version_of_nothing_is_none():
    assert effective_version([], date(2026, 1, 1)) is None


def test_effective_version_refuses_versions_of_different_procedures():
    with pytest.raises(ValueError, match="one procedure"):
        effective_version([V1, make_procedure(code="1.014200")], date(2026, 1, 1))
