"""Rules a submission must meet against its procedure version: all problems at once, each on its field."""

from __future__ import annotations

from datetime import date

import pytest

from chalicelib.domain.errors import FieldError
from chalicelib.domain.procedures import OnlineLevel, Procedure
from chalicelib.domain.submission import (
    UPLOAD_PENDING,
    UPLOAD_REJECTED,
    UPLOAD_VERIFIED,
    UploadInfo,
    check_applicant,
    check_components,
    check_delivery,
    check_resubmission,
    check_supplement_items,
)

OWNER = "citizen-1"
MB = 1024 * 1024

PROCEDURE = Procedure.model_validate({
    "code": "1.014199", "version": 1, "effective_date": "2026-01-01",
    "name_vi": "Cấp giấy phép lao động", "name_en": "Work permit issuance",
    "field_code": "viec-lam", "field_vi": "Việc làm", "field_en": "Employment",
    "agency_code": "000.00.04.G18", "agency_name_vi": "Cục Việc làm",
    "agency_name_en": "Department of Employment",
    "processing_time": {"value": 5, "unit": "working_days"},
    "fees": [{"amount_vnd": 600000, "description_vi": "Lệ phí", "description_en": "Fee"}],
    "online_level": "full", "legal_basis": ["Nghị định 152/2020/NĐ-CP"],
    "components": [
        {"id": "application-form", "name_vi": "Văn bản đề nghị", "name_en": "Application form",
         "required": True, "accepted_types": ["application/pdf"], "max_size_bytes": 2 * MB},
        {"id": "health-certificate", "name_vi": "Giấy chứng nhận sức khỏe", "name_en": "Health certificate",
         "required": True, "accepted_types": ["application/pdf", "image/jpeg"], "max_size_bytes": 5 * MB},
        {"id": "photo", "name_vi": "Ảnh màu", "name_en": "Colour photo", "required": False,
         "accepted_types": ["image/jpeg", "image/png"], "max_size_bytes": 1 * MB},
    ],
    "applicant_types": ["person", "business"],
})
PARTIAL = PROCEDURE.model_copy(update={"online_level": OnlineLevel.PARTIAL})
BUSINESS_ONLY = PROCEDURE.model_copy(update={"applicant_types": ("business",)})
PERSON_ONLY = PROCEDURE.model_copy(update={"applicant_types": ("person",)})


def _upload(upload_id: str, component_id: str = "application-form", **overrides) -> UploadInfo:
    values = dict(id=upload_id, owner_id=OWNER, procedure_code="1.014199", component_id=component_id,
                  status=UPLOAD_VERIFIED, file_name=f"{upload_id}.pdf", content_type="application/pdf",
                  size=100_000, sha256="cd" * 32)
    values.update(overrides)
    return UploadInfo(**values)


def _uploads(*items: UploadInfo) -> dict[str, UploadInfo]:
    return {u.id: u for u in items}


GOOD_UPLOADS = _uploads(_upload("u1"), _upload("u2", "health-certificate"),
                        _upload("u3", "health-certificate", content_type="image/jpeg"),
                        _upload("u4", "photo", content_type="image/png"))
GOOD_COMPONENTS = [{"component_id": "application-form", "upload_ids": ["u1"]},
                   {"component_id": "health-certificate", "upload_ids": ["u2", "u3"]}]


def _components_check(components, uploads=GOOD_UPLOADS, **kwargs) -> list[FieldError]:
    return check_components(PROCEDURE, components, uploads, OWNER, **kwargs)


# --- components ---------------------------------------------------------------------------------

def test_a_complete_submission_with_verified_uploads_passes():
    assert _components_check(GOOD_COMPONENTS) == []
    assert _components_check([*GOOD_COMPONENTS, {"component_id": "photo", "upload_ids": ["u4"]}]) == []


def test_an_unknown_component_is_reported_on_its_id():
    errors = _components_check([*GOOD_COMPONENTS, {"component_id": "passport", "upload_ids": ["u4"]}])
    assert errors == [FieldError("components[2].component_id", "component.unknown",
                                 {"component_id": "passport"})]


def test_a_component_listed_twice_is_reported_on_the_second():
    errors = _components_check([*GOOD_COMPONENTS, {"component_id": "application-form", "upload_ids": []}])
    assert FieldError("components[2].component_id", "component.duplicate",
                      {"component_id": "application-form"}) in errors


def test_a_component_without_files_is_reported():
    errors = _components_check([{"component_id": "application-form", "upload_ids": []},
                                GOOD_COMPONENTS[1]])
    assert errors == [FieldError("components[0].upload_ids", "component.no_files",
                                 {"component_id": "application-form"})]


def test_an_unknown_upload_is_not_found():
    errors = _components_check([{"component_id": "application-form", "upload_ids": ["nope"]},
                                GOOD_COMPONENTS[1]])
    assert errors == [FieldError("components[0].upload_ids[0]", "upload.not_found", {"upload_id": "nope"})]


def test_an_upload_of_another_owner_is_reported_as_not_found_so_its_existence_does_not_leak():
    uploads = {**GOOD_UPLOADS, "theirs": _upload("theirs", owner_id="citizen-2")}
    errors = _components_check([{"component_id": "application-form", "upload_ids": ["u1", "theirs"]},
                                GOOD_COMPONENTS[1]], uploads)
    assert errors == [FieldError("components[0].upload_ids[1]", "upload.not_found", {"upload_id": "theirs"})]


@pytest.mark.parametrize(("overrides", "code", "params"), [
    ({"status": UPLOAD_PENDING}, "upload.not_verified", {"upload_id": "x"}),
    ({"status": UPLOAD_REJECTED}, "upload.rejected", {"upload_id": "x"}),
    ({"attached_to": "dossier-7"}, "upload.already_attached", {"upload_id": "x"}),
    ({"component_id": "photo"}, "upload.component_mismatch", {"upload_id": "x", "component_id": "photo"}),
    ({"procedure_code": "2.000001"}, "upload.component_mismatch",
     {"upload_id": "x", "component_id": "application-form"}),
    ({"content_type": "image/png"}, "file.type_not_accepted",
     {"content_type": "image/png", "accepted": "application/pdf"}),
    ({"content_type": None}, "file.type_not_accepted", {"content_type": "?", "accepted": "application/pdf"}),
    ({"size": 2 * MB + 1}, "file.too_large", {"size": 2 * MB + 1, "max": 2 * MB}),
], ids=["pending", "rejected", "already-attached", "other-component", "other-procedure", "wrong-type",
        "type-unknown", "too-large"])
def test_an_unusable_upload_is_reported_with_the_reason(overrides, code, params):
    uploads = {**GOOD_UPLOADS, "x": _upload("x", **overrides)}
    errors = _components_check([{"component_id": "application-form", "upload_ids": ["x"]},
                                GOOD_COMPONENTS[1]], uploads)
    assert errors == [FieldError("components[0].upload_ids[0]", code, params)]


def test_a_file_exactly_at_the_size_limit_is_accepted():
    uploads = {**GOOD_UPLOADS, "x": _upload("x", size=2 * MB)}
    assert _components_check([{"component_id": "application-form", "upload_ids": ["x"]}, GOOD_COMPONENTS[1]],
                             uploads) == []


def test_wrong_type_and_too_large_are_both_reported():
    uploads = {**GOOD_UPLOADS, "x": _upload("x", content_type="image/png", size=3 * MB)}
    errors = _components_check([{"component_id": "application-form", "upload_ids": ["x"]},
                                GOOD_COMPONENTS[1]], uploads)
    assert [e.code for e in errors] == ["file.type_not_accepted", "file.too_large"]


def test_the_same_upload_used_twice_is_reported():
    errors = _components_check([{"component_id": "application-form", "upload_ids": ["u1", "u1"]},
                                GOOD_COMPONENTS[1]])
    assert FieldError("components[0].upload_ids[1]", "upload.duplicate", {"upload_id": "u1"}) in errors


def test_a_missing_required_component_is_reported_with_its_names():
    errors = _components_check([GOOD_COMPONENTS[0]])
    assert errors == [FieldError("components", "component.missing",
                                 {"component_id": "health-certificate", "name": "Giấy chứng nhận sức khỏe",
                                  "name_en": "Health certificate"})]


def test_an_optional_component_may_be_left_out():
    assert all(e.params.get("component_id") != "photo" for e in _components_check([]))
    assert len(_components_check([])) == 2


def test_completeness_is_not_required_for_a_supplement():
    assert _components_check([GOOD_COMPONENTS[1]], require_complete=False) == []


def test_every_problem_is_reported_at_once():
    uploads = {**GOOD_UPLOADS, "p": _upload("p", status=UPLOAD_PENDING)}
    errors = _components_check([{"component_id": "application-form", "upload_ids": ["p", "nope"]},
                                {"component_id": "passport", "upload_ids": ["u2"]}], uploads)
    assert [(e.field, e.code) for e in errors] == [
        ("components[0].upload_ids[0]", "upload.not_verified"),
        ("components[0].upload_ids[1]", "upload.not_found"),
        ("components[1].component_id", "component.unknown"),
        ("components", "component.missing"),
    ]


def test_the_prefix_names_the_field_of_a_resubmission():
    errors = check_components(PROCEDURE, [{"component_id": "passport", "upload_ids": ["u1"]}], GOOD_UPLOADS,
                              OWNER, prefix="supplement", require_complete=False)
    assert [e.field for e in errors] == ["supplement[0].component_id"]


# --- applicant ----------------------------------------------------------------------------------

PERSON = {"type": "person", "full_name": "Nguyễn Văn An", "citizen_id": "001095012345",
          "date_of_birth": "1995-04-30", "address": "Hà Nội"}
BUSINESS = {"type": "business", "name": "Công ty TNHH A", "tax_code": "0100109106", "address": "Hà Nội",
            "representative": {"full_name": "Trần B", "citizen_id": "079301000123"}}


def test_a_valid_person_and_a_valid_business_pass():
    assert check_applicant(PROCEDURE, PERSON) == []
    assert check_applicant(PROCEDURE, {**PERSON, "date_of_birth": date(1995, 4, 30)}) == []
    assert check_applicant(PROCEDURE, BUSINESS) == []
    assert check_applicant(PROCEDURE, {**BUSINESS, "tax_code": "0100109106-001"}) == []


@pytest.mark.parametrize(("citizen_id", "code"), [
    ("12345", "citizen_id.format"), ("00109501234a", "citizen_id.format"),
    ("003095012345", "citizen_id.province"),
])
def test_a_person_with_a_bad_citizen_id_is_reported(citizen_id, code):
    assert check_applicant(PROCEDURE, {**PERSON, "citizen_id": citizen_id}) == [
        FieldError("applicant.citizen_id", code)]


def test_a_citizen_id_that_does_not_match_the_birth_year_is_reported():
    assert check_applicant(PROCEDURE, {**PERSON, "date_of_birth": "1996-04-30"}) == [
        FieldError("applicant.citizen_id", "citizen_id.birth_mismatch")]


def test_a_citizen_id_of_the_wrong_century_is_a_birth_mismatch():
    # 4th digit 2 = born in the 2000s: 2005, but the date of birth says 1905.
    assert check_applicant(PROCEDURE, {**PERSON, "citizen_id": "001205012345", "date_of_birth": "1905-03-15"}) == [
        FieldError("applicant.citizen_id", "citizen_id.birth_mismatch")]


@pytest.mark.parametrize(("tax_code", "code"), [
    ("0100109107", "tax_code.checksum"), ("01001091", "tax_code.format"),
    ("0100109106-000", "tax_code.format"),
])
def test_a_business_with_a_bad_tax_code_is_reported(tax_code, code):
    assert check_applicant(PROCEDURE, {**BUSINESS, "tax_code": tax_code}) == [
        FieldError("applicant.tax_code", code)]


def test_a_bad_representative_citizen_id_is_reported_on_the_representative():
    applicant = {**BUSINESS, "representative": {"full_name": "Trần B", "citizen_id": "999"}}
    assert check_applicant(PROCEDURE, applicant) == [
        FieldError("applicant.representative.citizen_id", "citizen_id.format")]


def test_contact_details_are_checked_when_given():
    errors = check_applicant(PROCEDURE, {**PERSON, "phone": "0123", "email": "not-an-email"})
    assert errors == [FieldError("applicant.phone", "phone.format"),
                      FieldError("applicant.email", "email.format")]
    assert check_applicant(PROCEDURE, {**PERSON, "phone": "0912 345 678", "email": "an@example.vn"}) == []


@pytest.mark.parametrize(("procedure", "applicant", "accepted"), [
    (BUSINESS_ONLY, PERSON, "business"),
    (PERSON_ONLY, BUSINESS, "person"),
], ids=["person-to-business-only", "business-to-person-only"])
def test_an_applicant_type_the_procedure_does_not_accept_is_reported(procedure, applicant, accepted):
    assert check_applicant(procedure, applicant) == [
        FieldError("applicant.type", "applicant.type_not_accepted", {"accepted": accepted})]


def test_the_applicant_type_is_checked_before_anything_else():
    errors = check_applicant(BUSINESS_ONLY, {**PERSON, "citizen_id": "bad"})
    assert [e.code for e in errors] == ["applicant.type_not_accepted"]


# --- delivery -----------------------------------------------------------------------------------

def test_online_delivery_needs_a_fully_online_procedure():
    assert check_delivery(PROCEDURE, {"method": "online"}) == []
    assert check_delivery(PARTIAL, {"method": "online"}) == [
        FieldError("delivery.method", "delivery.online_not_offered")]


@pytest.mark.parametrize("address", [None, "", "   "])
def test_delivery_by_post_needs_an_address(address):
    assert check_delivery(PROCEDURE, {"method": "post", "address": address}) == [
        FieldError("delivery.address", "delivery.address_required")]


def test_delivery_by_post_with_an_address_and_at_the_desk_pass():
    assert check_delivery(PARTIAL, {"method": "post", "address": "1 Tràng Tiền, Hà Nội"}) == []
    assert check_delivery(PARTIAL, {"method": "desk"}) == []


# --- supplement request and resubmission --------------------------------------------------------

def test_supplement_items_must_name_known_components_once():
    items = [{"component_id": "health-certificate", "reason": "Mờ"},
             {"component_id": "passport", "reason": "?"},
             {"component_id": "health-certificate", "reason": "again"}]
    assert check_supplement_items(PROCEDURE, items) == [
        FieldError("items[1].component_id", "component.unknown", {"component_id": "passport"}),
        FieldError("items[2].component_id", "component.duplicate", {"component_id": "health-certificate"}),
    ]
    assert check_supplement_items(PROCEDURE, items[:1]) == []


def test_a_resubmission_must_bring_a_new_file_for_every_requested_component():
    requested = [{"component_id": "health-certificate", "reason": "Ảnh mờ"},
                 {"component_id": "photo", "reason": "Thiếu ảnh"}]
    both = [{"component_id": "health-certificate", "upload_ids": ["n1"]},
            {"component_id": "photo", "upload_ids": ["n2"]}]
    assert check_resubmission(PROCEDURE, requested, both) == []
    photo_empty = [both[0], {"component_id": "photo", "upload_ids": []}]
    errors = check_resubmission(PROCEDURE, requested, photo_empty)
    assert errors == [FieldError("components", "supplement.component_missing",
                                 {"component_id": "photo", "reason": "Thiếu ảnh"})]


def test_a_resubmission_may_bring_more_than_was_asked():
    requested = [{"component_id": "photo", "reason": "Thiếu ảnh"}]
    more = [{"component_id": "photo", "upload_ids": ["n1"]},
            {"component_id": "application-form", "upload_ids": ["n2"]}]
    assert check_resubmission(PROCEDURE, requested, more) == []


def test_upload_info_as_file_is_the_dossier_file_record():
    assert _upload("u1").as_file() == {"upload_id": "u1", "file_name": "u1.pdf",
                                       "content_type": "application/pdf", "size": 100_000,
                                       "sha256": "cd" * 32}
