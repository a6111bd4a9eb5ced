"""The response models the OpenAPI document is generated from: their JSON Schema resolves, their names do not
collide with the request models', their examples are valid, and they follow the shapes the code builds."""

from __future__ import annotations

import dataclasses
import json

import pytest
from jsonschema import Draft202012Validator
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from chalicelib.api import responses, schemas, validation
from chalicelib.api.http import problem_response, to_problem
from chalicelib.api.responses import RESPONSE_MODELS, Dossier, ProblemDetails
from chalicelib.domain import dossier as domain_dossier
from chalicelib.domain.errors import FieldError, NotFound, TransitionNotAllowed, ValidationFailed
from chalicelib.domain.procedures import load_seed_catalogue

REF_TEMPLATE = "#/components/schemas/{model}"


def _request_models() -> list[type[BaseModel]]:
    return [m for m in vars(schemas).values()
            if isinstance(m, type) and issubclass(m, validation.Strict) and m is not validation.Strict]


def _document(models, mode: str = "serialization") -> dict:
    """What the OpenAPI generator does: every model's schema under components/schemas."""
    _, defs = models_json_schema([(m, mode) for m in models], ref_template=REF_TEMPLATE)
    return {"components": {"schemas": defs.get("$defs", {})}}


def _refs(node) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [r for value in node.values() for r in _refs(value)]
    if isinstance(node, list):
        return [r for value in node for r in _refs(value)]
    return []


def _validator(model: type[BaseModel]) -> Draft202012Validator:
    """A JSON Schema validator for one model, with formats checked, as a schema-driven API tester checks."""
    schema = model.model_json_schema(mode="serialization")
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


@pytest.mark.parametrize("mode", ["validation", "serialization"])
def test_the_schema_of_every_response_model_resolves_every_ref(mode):
    document = _document(RESPONSE_MODELS, mode)
    defined = document["components"]["schemas"]
    assert {m.__name__ for m in RESPONSE_MODELS} <= set(defined)
    refs = set(_refs(document))
    assert refs, "nested models are referenced, not inlined"
    unresolved = {r for r in refs if r.removeprefix("#/components/schemas/") not in defined}
    assert unresolved == set()
    assert all(r.startswith("#/components/schemas/") for r in refs)


def test_request_and_response_models_share_one_namespace_without_collisions():
    models = [*RESPONSE_MODELS, *_request_models()]
    defined = _document(models)["components"]["schemas"]
    # Two models with the same name would be renamed to their module path (chalicelib__api__...).
    assert [name for name in defined if "__" in name or "-" in name] == []
    assert {"SubmitDossier", "Dossier", "ProblemDetails", "Procedure"} <= set(defined)


def test_every_closed_record_forbids_undocumented_keys_in_its_schema():
    defined = _document(RESPONSE_MODELS)["components"]["schemas"]
    assert defined["Dossier"]["additionalProperties"] is False
    assert defined["Receipt"]["additionalProperties"] is False
    assert defined["ProblemDetails"]["additionalProperties"] is True  # problems may carry extension members
    assert defined["ControlSlipStep"]["required"][:4] == ["step", "action", "from", "to"]


def _examples() -> list[tuple[type[BaseModel], dict]]:
    found = []
    for model in vars(responses).values():
        if isinstance(model, type) and issubclass(model, BaseModel):
            extra = model.model_config.get("json_schema_extra") or {}
            found += [(model, example) for example in extra.get("examples", [])]
    return found


def test_the_documented_examples_include_a_dossier_a_procedure_and_problems():
    assert {m.__name__ for m, _ in _examples()} >= {"Dossier", "Procedure", "ProblemDetails"}


@pytest.mark.parametrize(("model", "example"), _examples(), ids=lambda v: getattr(v, "__name__", ""))
def test_every_example_is_valid_for_its_model_and_its_json_schema(model, example):
    model.model_validate_json(json.dumps(example), strict=True)
    errors = [e.message for e in _validator(model).iter_errors(example)]
    assert errors == []


def test_the_dossier_model_names_exactly_the_stored_fields_and_the_views_additions():
    stored = {f.name for f in dataclasses.fields(domain_dossier.Dossier)}
    documented = {info.alias or name for name, info in Dossier.model_fields.items()}
    assert documented == stored | {"national_status", "status_name", "allowed_actions", "national_portal_sync",
                                   "forms"}


def test_the_procedure_model_accepts_every_seeded_procedure_as_the_api_serialises_it():
    validator = _validator(responses.Procedure)
    for procedure in load_seed_catalogue():
        body = json.loads(json.dumps(procedure.to_dict()))
        responses.Procedure.model_validate_json(json.dumps(body), strict=True)
        assert [e.message for e in validator.iter_errors(body)] == [], procedure.code


@pytest.mark.parametrize("error", [
    NotFound("dossier_not_found"),
    TransitionNotAllowed("assigned", "approve", ["stop"]),
    ValidationFailed([FieldError("amount_vnd", "fee.amount_mismatch", {"requested": 450000}),
                      FieldError("purpose", "field.required")]),
], ids=["404", "409", "422"])
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_problem_details_accepts_what_the_error_mapping_answers(error, lang):
    response = problem_response(to_problem(error), lang, "/dossiers/01JNSR7Q4K8M2V5X9A3B6C1D0E/approve")
    body = json.loads(response.body)
    problem = ProblemDetails.model_validate_json(response.body, strict=True)
    assert problem.status == response.status_code and problem.code == body["code"]
    assert [e.message for e in _validator(ProblemDetails).iter_errors(body)] == []
    if response.status_code == 409:
        assert problem.allowed_actions == ["stop"]
    if response.status_code == 422:
        assert [(e.field, e.code) for e in problem.errors] == [("amount_vnd", "fee.amount_mismatch"),
                                                               ("purpose", "field.required")]


def test_a_dossier_with_an_unknown_status_or_a_missing_field_does_not_conform():
    example = responses._DOSSIER_EXAMPLE
    with pytest.raises(ValueError, match="status"):
        Dossier.model_validate({**example, "status": "lost"})
    without_receipt = {k: v for k, v in example.items() if k != "receipt"}
    with pytest.raises(ValueError, match="receipt"):
        Dossier.model_validate(without_receipt)
    assert list(_validator(Dossier).iter_errors({**example, "surprise": 1}))
