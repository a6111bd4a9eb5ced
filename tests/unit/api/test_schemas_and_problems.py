"""Request validation errors and RFC 9457 problem responses: Vietnamese by default, English on request."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from types import SimpleNamespace

import pytest

from chalicelib.api import http, validation
from chalicelib.api.http import PROBLEM_JSON, Problem, language, problem_response, to_problem
from chalicelib.api.schemas import Resubmit, SubmitDossier
from chalicelib.api.validation import field_errors, parse
from chalicelib.domain import errors as domain_errors
from chalicelib.domain.errors import (
    Conflict,
    FieldError,
    Forbidden,
    IdempotencyKeyReused,
    NotFound,
    TransitionNotAllowed,
    ValidationFailed,
)
from chalicelib.domain.messages import MESSAGES, message, pick_language
from chalicelib.store.cursors import BadCursor

CHALICELIB = Path(__file__).resolve().parents[3] / "chalicelib"

VALID = {
    "procedure_code": "1.014199",
    "applicant": {"type": "person", "full_name": "Nguyễn Văn An", "citizen_id": "001095012345",
                  "date_of_birth": "1995-04-30", "address": "Hà Nội"},
    "summary": "Cấp giấy phép lao động",
    "components": [{"component_id": "application-form", "upload_ids": ["01JNSR0000000000000000000A"]}],
    "delivery": {"method": "desk"},
}


def _errors(model, data) -> list[FieldError]:
    with pytest.raises(ValidationFailed) as caught:
        parse(model, data)
    return caught.value.errors


def _body(**changes) -> dict:
    data = copy.deepcopy(VALID)
    data.update(changes)
    return data


# --- schemas: structure errors become field errors ----------------------------------------------

def test_a_valid_body_parses_and_strips_whitespace():
    request = parse(SubmitDossier, _body(summary="  Cấp phép  "))
    assert request.summary == "Cấp phép"
    assert request.applicant.type == "person"
    assert request.sms_opt_in is False


def test_a_missing_field_inside_the_applicant_is_required_at_a_readable_path_without_the_tag():
    data = _body()
    del data["applicant"]["citizen_id"]
    assert _errors(SubmitDossier, data) == [FieldError("applicant.citizen_id", "field.required")]


def test_business_fields_are_reported_without_the_business_tag():
    data = _body(applicant={"type": "business", "name": "Công ty A", "tax_code": "0100109106",
                            "address": "HN", "representative": {}})
    assert _errors(SubmitDossier, data) == [
        FieldError("applicant.representative.full_name", "field.required")]


def test_list_positions_are_written_in_brackets():
    data = _body(components=[{"component_id": "application-form", "upload_ids": ["ok-1", "not ok!"]}])
    assert _errors(SubmitDossier, data) == [FieldError("components[0].upload_ids[1]", "field.invalid")]


def test_an_unknown_field_is_reported_as_unknown():
    data = _body(colour="blue")
    data["applicant"]["nickname"] = "An"
    errors = _errors(SubmitDossier, data)
    assert sorted(errors, key=lambda e: e.field) == [FieldError("applicant.nickname", "field.unknown"),
                                                     FieldError("colour", "field.unknown")]


def test_a_missing_top_level_field_is_required():
    data = _body()
    del data["summary"]
    del data["delivery"]
    assert {(e.field, e.code) for e in _errors(SubmitDossier, data)} == {("summary", "field.required"),
                                                                         ("delivery", "field.required")}


def test_a_value_outside_a_choice_lists_the_choices():
    errors = _errors(SubmitDossier, _body(delivery={"method": "fax"}))
    assert errors == [FieldError("delivery.method", "field.choice", {"choices": "online, desk or post"})]
    assert message(errors[0].code, "en", errors[0].params) == "Must be one of: online, desk or post."


def test_too_long_and_too_short_carry_their_limits():
    errors = _errors(SubmitDossier, _body(summary="x" * 2001, components=[]))
    assert sorted(errors, key=lambda e: e.field) == [FieldError("components", "field.too_short", {"min": 1}),
                                                     FieldError("summary", "field.too_long", {"max": 2000})]


def test_a_blank_required_text_is_reported_as_blank():
    assert _errors(SubmitDossier, _body(summary="   ")) == [FieldError("summary", "field.blank", {"min": 1})]


def test_a_bad_date_and_a_bad_type_have_their_own_codes():
    data = _body(sms_opt_in="maybe")
    data["applicant"]["date_of_birth"] = "30/04/1995"
    errors = {(e.field, e.code) for e in _errors(SubmitDossier, data)}
    assert errors == {("applicant.date_of_birth", "field.date"), ("sms_opt_in", "field.type")}


def test_a_missing_applicant_type_is_required():
    data = _body()
    del data["applicant"]["type"]
    errors = _errors(SubmitDossier, data)
    assert [e.code for e in errors] == ["field.required"]
    assert errors[0].field.startswith("applicant")


def test_a_body_that_is_not_an_object_is_reported_on_the_body():
    assert _errors(SubmitDossier, []) == [FieldError("body", "field.type")]


def test_resubmit_paths_use_the_same_rules():
    errors = _errors(Resubmit, {"components": [{"component_id": "a", "upload_ids": ["x"], "extra": 1}],
                                "note": "n" * 2001})
    assert sorted(errors, key=lambda e: e.field) == [FieldError("components[0].extra", "field.unknown"),
                                                     FieldError("note", "field.too_long", {"max": 2000})]


def test_every_field_error_code_the_schema_can_produce_has_wording():
    for code in {*validation._CODES.values(), "field.invalid"}:
        assert code in MESSAGES, code


def test_an_unknown_applicant_type_lists_the_accepted_types_in_the_message():
    data = _body()
    data["applicant"]["type"] = "robot"
    errors = _errors(SubmitDossier, data)
    assert [e.code for e in errors] == ["field.choice"]
    text = message(errors[0].code, "en", errors[0].params)
    assert "{" not in text
    assert "person" in text and "business" in text


def test_a_too_short_procedure_code_is_not_called_blank():
    errors = _errors(SubmitDossier, _body(procedure_code="1.01"))
    assert len(errors) == 1
    assert errors[0].field == "procedure_code"
    assert errors[0].code != "field.blank"


def test_field_errors_converts_a_raw_pydantic_error():
    from pydantic import ValidationError

    with pytest.raises(ValidationError) as caught:
        SubmitDossier.model_validate(_body(procedure_code="1.01419x"))
    assert field_errors(caught.value) == [FieldError("procedure_code", "field.invalid")]


# --- language -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("header", "lang"), [
    (None, "vi"), ("", "vi"), ("en-US,en;q=0.9", "en"), ("en", "en"), ("EN-gb", "en"),
    ("vi-VN,vi;q=0.9,en;q=0.8", "vi"), ("en;q=0.5, vi;q=0.8", "vi"), ("vi;q=0.4, en;q=0.6", "en"),
    ("fr-FR,fr;q=0.9", "vi"), ("fr-FR, en;q=0.7", "en"), ("*", "vi"), ("en;q=bad, vi;q=0.1", "vi"),
])
def test_pick_language_prefers_vietnamese_unless_english_is_preferred(header, lang):
    assert pick_language(header) == lang


def test_english_marked_not_acceptable_is_not_chosen():
    assert pick_language("fr, en;q=0") == "vi"


def test_language_reads_the_request_header():
    assert language(SimpleNamespace(headers={"accept-language": "en-US,en;q=0.9"})) == "en"
    assert language(SimpleNamespace(headers=None)) == "vi"
    assert language(None) == "vi"


# --- problem responses --------------------------------------------------------------------------

def _validation_problem() -> Problem:
    return Problem(422, "validation_failed", "validation_detail", errors=[
        FieldError("applicant.citizen_id", "citizen_id.format"),
        FieldError("components", "component.missing",
                   {"component_id": "photo", "name": "Ảnh màu", "name_en": "Colour photo"}),
    ])


def test_a_problem_is_application_problem_json_in_vietnamese_by_default():
    response = problem_response(_validation_problem(), pick_language(None), "/dossiers")
    body = json.loads(response.body)

    assert response.status_code == 422
    assert response.headers["Content-Type"] == PROBLEM_JSON
    assert response.headers["Content-Language"] == "vi"
    assert body["type"] == "urn:motcua:problem:validation_failed"
    assert body["title"] == "Dữ liệu không hợp lệ"
    assert body["status"] == 422
    assert body["detail"] == "Có 2 lỗi trong dữ liệu gửi lên."
    assert body["code"] == "validation_detail"
    assert body["instance"] == "/dossiers"
    assert body["errors"] == [
        {"field": "applicant.citizen_id", "code": "citizen_id.format",
         "message": "Số định danh cá nhân phải gồm đúng 12 chữ số."},
        {"field": "components", "code": "component.missing", "message": "Thiếu thành phần bắt buộc: Ảnh màu.",
         "params": {"component_id": "photo", "name": "Ảnh màu", "name_en": "Colour photo"}},
    ]


def test_a_problem_is_in_english_when_the_caller_prefers_english():
    response = problem_response(_validation_problem(), pick_language("en-US,en;q=0.9"))
    body = json.loads(response.body)

    assert response.headers["Content-Language"] == "en"
    assert body["title"] == "Validation failed"
    assert body["detail"] == "The request has 2 invalid field(s)."
    assert [e["message"] for e in body["errors"]] == ["The citizen ID number must be exactly 12 digits.",
                                                       "A required component is missing: Colour photo."]
    assert "instance" not in body


def test_the_body_keeps_vietnamese_characters_unescaped():
    response = problem_response(Problem(404, "not_found", "dossier_not_found"), "vi")
    assert "Không tìm thấy hồ sơ." in response.body
    assert "errors" not in json.loads(response.body)


def test_problem_headers_and_extra_members_are_passed_through():
    problem = Problem(401, "unauthorized", "token_missing", headers={"WWW-Authenticate": "Bearer"},
                      extra={"hint": "log in"})
    response = problem_response(problem, "en")
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert json.loads(response.body)["hint"] == "log in"
    assert json.loads(response.body)["detail"] == "No bearer token was given."


def test_a_transition_conflict_names_the_action_and_status_and_lists_what_is_allowed():
    problem = to_problem(TransitionNotAllowed("refused", "receive", []))
    body = json.loads(problem_response(problem, "en").body)
    assert problem.status == 409
    assert body["type"] == "urn:motcua:problem:conflict"
    assert body["detail"] == "Cannot receive a dossier whose status is refused."
    assert body["allowed_actions"] == []


@pytest.mark.parametrize(("error", "status", "slug", "detail"), [
    (ValidationFailed([FieldError("x", "field.required")]), 422, "validation_failed", "validation_detail"),
    (NotFound("dossier_not_found"), 404, "not_found", "dossier_not_found"),
    (NotFound(), 404, "not_found", "not_found"),
    (Forbidden("not_owner"), 403, "forbidden", "not_owner"),
    (Conflict("concurrent_update"), 409, "conflict", "concurrent_update"),
    (IdempotencyKeyReused(), 422, "validation_failed", "idempotency_key_reused"),
    (BadCursor("x"), 400, "malformed_request", "bad_cursor"),
])
def test_domain_errors_map_to_http_problems(error, status, slug, detail):
    problem = to_problem(error)
    assert (problem.status, problem.slug, problem.detail_code) == (status, slug, detail)


def test_an_unexpected_error_is_not_mapped():
    assert to_problem(RuntimeError("boom")) is None
    same = Problem(400, "malformed_request")
    assert to_problem(same) is same
    assert same.detail_code == "malformed_request"


# --- every code used in the source has wording in both languages --------------------------------

_FIELD_ERROR = re.compile(r"FieldError\(\s*(?:f?\"[^\"]*\"|[\w.]+)\s*,\s*\"([^\"]+)\"")
_PROBLEM = re.compile(r"\bProblem\(\s*\d+\s*,\s*\"([^\"]+)\"(?:\s*,\s*\"([^\"]+)\")?")
_IDENTITY = re.compile(r"(?:return|else)\s+\"([a-z_]+\.[a-z_]+)\"")


def _domain_error_classes() -> list[type]:
    found, todo = [], [domain_errors.DomainError]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            found.append(sub)
            todo.append(sub)
    return found


def _codes_used_in_source() -> dict[str, set[str]]:
    """code -> the files that use it."""
    simple_errors = [c.__name__ for c in _domain_error_classes()
                     if c.__init__ is domain_errors.DomainError.__init__]
    detail_call = re.compile(r"\b(?:" + "|".join(simple_errors) + r")\(\s*\"([^\"]+)\"")
    used: dict[str, set[str]] = {}

    def add(code: str, where: str) -> None:
        used.setdefault(code, set()).add(where)

    for path in sorted(CHALICELIB.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        where = str(path.relative_to(CHALICELIB.parent))
        for match in _FIELD_ERROR.finditer(text):
            add(match.group(1), where)
        for match in _PROBLEM.finditer(text):
            for code in match.groups():
                if code:
                    add(code, where)
        for match in detail_call.finditer(text):
            add(match.group(1), where)
        for match in _CUSTOM_ERROR.finditer(text):  # a validator's own message code
            add(match.group(1), where)
        if path.name == "identity.py":
            for match in _IDENTITY.finditer(text):
                add(match.group(1), where)
    for cls in _domain_error_classes():
        add(cls.code, "chalicelib/domain/errors.py")
    for code in {*validation._CODES.values(), "field.invalid"}:
        add(code, "chalicelib/api/validation.py")
    for slug, detail in http._CHALICE_ERRORS.values():
        add(slug, "chalicelib/api/http.py")
        add(detail, "chalicelib/api/http.py")
    return used


_CUSTOM_ERROR = re.compile(r'PydanticCustomError\(\s*"([a-z_]+\.[a-z_.]+)"')


def test_the_source_scan_finds_the_codes_it_should():
    used = _codes_used_in_source()
    # If the patterns stopped matching, the coverage test below would pass vacuously.
    assert len(used) > 50
    for code in ("component.missing", "upload.not_found", "citizen_id.birth_mismatch", "tax_code.checksum",
                 "phone.format", "email.format", "token_invalid", "unauthorized", "dossier_not_found",
                 "concurrent_update", "not_owner", "role_not_allowed", "validation_detail", "field.unknown",
                 "procedure.not_effective", "file.size_mismatch", "transition_not_allowed", "bad_query",
                 "field.dossier_code", "metrics.period"):
        assert code in used, code


def test_every_code_used_in_the_source_has_a_message_in_both_languages():
    missing = {code: sorted(where) for code, where in _codes_used_in_source().items() if code not in MESSAGES}
    assert missing == {}, f"codes without wording in messages.MESSAGES: {missing}"
    for code in _codes_used_in_source():
        vi, en = MESSAGES[code]
        assert vi.strip() and en.strip(), code
        assert vi != en, code


def test_every_message_has_both_languages_and_the_same_placeholders_where_it_should():
    for code, (vi, en) in MESSAGES.items():
        assert vi.strip(), code
        assert en.strip(), code
        if code != "component.missing":  # the English text names the component by its English name
            assert set(re.findall(r"{(\w+)}", vi)) == set(re.findall(r"{(\w+)}", en)), code
