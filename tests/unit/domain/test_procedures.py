import json
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal

import pytest

from chalicelib.domain.procedures import (
    APPLICANT_TYPES,
    Component,
    Fee,
    OnlineLevel,
    Procedure,
    ProcessingTime,
    effective_version,
    load_seed_catalogue,
    validate_procedure,
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
        processing_time=ProcessingTime(10, "working_days"),
        fees=(Fee(600000, "Lệ phí", "Fee"),),
        online_level=OnlineLevel.PARTIAL,
        legal_basis=("Nghị định số 219/2025/NĐ-CP",),
        components=(
            Component("application-form", "Văn bản đề nghị", "Application", True, ("application/pdf",),
                      5 << 20),
            Component("photos", "Ảnh", "Photos", False, ("image/jpeg", "image/png"), 5 << 20),
        ),
        applicant_types=("business",),
    )
    return replace(base, **overrides)


# --- the seed catalogue -------------------------------------------------------------------------

@pytest.mark.parametrize("procedure", SEED, ids=lambda p: p.code)
def test_every_seed_procedure_passes_validation(procedure):
    assert validate_procedure(procedure) == []


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
    assert work_permit.processing_time == ProcessingTime(10, "working_days")
    assert work_permit.component("criminal-record").required


def test_load_seed_catalogue_returns_a_fresh_list_each_call():
    first = load_seed_catalogue()
    first.clear()
    assert len(load_seed_catalogue()) == len(SEED)


# --- serialisation ------------------------------------------------------------------------------

@pytest.mark.parametrize("procedure", SEED, ids=lambda p: p.code)
def test_to_dict_then_from_dict_gives_back_the_same_procedure(procedure):
    assert Procedure.from_dict(procedure.to_dict()) == procedure


def test_to_dict_survives_a_json_round_trip():
    procedure = make_procedure()
    data = json.loads(json.dumps(procedure.to_dict()))
    assert data["effective_date"] == "2025-08-07"
    assert data["online_level"] == "partial"
    assert data["components"][0]["accepted_types"] == ["application/pdf"]
    assert Procedure.from_dict(data) == procedure


def test_from_dict_defaults_code_source_to_assumed():
    data = make_procedure(code_source="verified").to_dict()
    del data["code_source"]
    assert Procedure.from_dict(data).code_source == "assumed"


def test_from_dict_ignores_attributes_added_by_storage():
    data = make_procedure().to_dict() | {"published_by": "officer-1"}
    assert Procedure.from_dict(data) == make_procedure()


def test_from_dict_accepts_integral_numbers_as_dynamodb_returns_them():
    data = make_procedure().to_dict()
    data["version"] = Decimal("1")
    data["processing_time"]["value"] = Decimal("10")
    data["components"][0]["max_size_bytes"] = float(5 << 20)
    assert Procedure.from_dict(data) == make_procedure()


def _broken(mutate):
    data = make_procedure().to_dict()
    mutate(data)
    return data


@pytest.mark.parametrize(("mutate", "message"), [
    (lambda d: d.pop("name_vi"), "missing field 'name_vi'"),
    (lambda d: d.update(effective_date="07/08/2025"), "effective_date"),
    (lambda d: d.update(effective_date=datetime(2025, 8, 7, 9, 0)), "effective_date"),
    (lambda d: d.update(online_level="level-4"), "online_level"),
    (lambda d: d.update(version="1"), "version"),
    (lambda d: d.update(version=True), "version"),
    (lambda d: d["processing_time"].update(value=1.5), "processing_time.value"),
    (lambda d: d.update(fees={"amount_vnd": 0}), "fees"),
    (lambda d: d["fees"][0].update(amount_vnd="600000"), "fees[0].amount_vnd"),
    (lambda d: d["components"][1].update(required="yes"), "components[1].required"),
    (lambda d: d.update(legal_basis="Nghị định 219/2025/NĐ-CP"), "legal_basis"),
    (lambda d: d.update(components=["application-form"]), "components[0]"),
])
def test_from_dict_rejects_malformed_data_naming_the_bad_field(mutate, message):
    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace("]", r"\]")):
        Procedure.from_dict(_broken(mutate))


def test_from_dict_rejects_something_that_is_not_an_object():
    with pytest.raises(ValueError, match="must be an object"):
        Procedure.from_dict(["1.014199"])


# --- lookups ------------------------------------------------------------------------------------

def test_component_finds_a_component_by_id():
    assert make_procedure().component("photos").name_en == "Photos"


def test_component_returns_none_for_an_unknown_id():
    assert make_procedure().component("passport-copy") is None


def test_required_components_leaves_optional_ones_out():
    assert [c.id for c in make_procedure().required_components] == ["application-form"]


# --- validation ---------------------------------------------------------------------------------

def test_a_well_formed_procedure_has_no_problems():
    assert validate_procedure(make_procedure()) == []


@pytest.mark.parametrize("code", ["1.014199", "1.000105", "2.000205"])
def test_national_codes_are_accepted(code):
    assert validate_procedure(make_procedure(code=code)) == []


@pytest.mark.parametrize("code", ["1014199", "1.01419", "1.0141990", "A.014199", "1.014199 ", "12.014199",
                                  "１.０１４１９９"])
def test_codes_not_of_the_national_form_are_a_problem(code):
    assert any("code" in problem for problem in validate_procedure(make_procedure(code=code)))


def test_a_procedure_without_any_required_component_is_a_problem():
    optional_only = tuple(replace(c, required=False) for c in make_procedure().components)
    problems = validate_procedure(make_procedure(components=optional_only))
    assert any("required" in p for p in problems)


def test_duplicate_component_ids_are_a_problem():
    first = make_procedure().components[0]
    problems = validate_procedure(make_procedure(components=(first, first)))
    assert any("more than once" in p for p in problems)


@pytest.mark.parametrize("component_id",
                         ["Application-Form", "application_form", "application form", "-form", ""])
def test_component_ids_that_are_not_slugs_are_a_problem(component_id):
    component = replace(make_procedure().components[0], id=component_id)
    problems = validate_procedure(make_procedure(components=(component,)))
    assert any("hyphens" in p for p in problems)


@pytest.mark.parametrize("value", [0, -5])
def test_a_processing_time_that_is_not_positive_is_a_problem(value):
    problems = validate_procedure(make_procedure(processing_time=ProcessingTime(value, "working_days")))
    assert any("processing time must be a positive" in p for p in problems)


def test_an_unknown_processing_time_unit_is_a_problem():
    problems = validate_procedure(make_procedure(processing_time=ProcessingTime(5, "business_days")))
    assert any("unit" in p for p in problems)


@pytest.mark.parametrize("amount", [-1, 1.5, True])
def test_fees_that_are_not_non_negative_integers_are_a_problem(amount):
    problems = validate_procedure(make_procedure(fees=(Fee(amount, "Lệ phí", "Fee"),)))
    assert any("amount_vnd" in p for p in problems)


def test_a_free_procedure_with_no_fees_is_fine():
    assert validate_procedure(make_procedure(fees=())) == []


@pytest.mark.parametrize("size", [0, -1])
def test_a_max_size_that_is_not_positive_is_a_problem(size):
    component = replace(make_procedure().components[0], max_size_bytes=size)
    problems = validate_procedure(make_procedure(components=(component,)))
    assert any("max_size_bytes" in p for p in problems)


def test_a_file_type_outside_pdf_and_images_is_a_problem():
    component = replace(make_procedure().components[0], accepted_types=("application/zip",))
    problems = validate_procedure(make_procedure(components=(component,)))
    assert any("application/zip" in p for p in problems)


def test_an_unknown_applicant_type_is_a_problem():
    problems = validate_procedure(make_procedure(applicant_types=("household",)))
    assert any("household" in p for p in problems)


def test_an_unknown_code_source_is_a_problem():
    assert any("code_source" in p for p in validate_procedure(make_procedure(code_source="guessed")))


def test_every_problem_is_reported_at_once():
    component = replace(make_procedure().components[0], id="Bad Id", required=False, max_size_bytes=0)
    broken = make_procedure(code="x", processing_time=ProcessingTime(0, "weeks"), components=(component,))
    assert len(validate_procedure(broken)) >= 5


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
