"""The OpenAPI 3.1 document, generated from the declared operations and their pydantic models."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from . import contract
from .http import PROBLEM_JSON, PROBLEM_TYPE_BASE

TITLE = "MotCua API"
VERSION = "1.0.0"
REF = "#/components/schemas/{model}"

# The stable `type` (PROBLEM_TYPE_BASE + slug) each status answers with.
PROBLEM_SLUGS = {400: "malformed_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
                 405: "method_not_allowed", 406: "not_acceptable", 409: "conflict", 413: "malformed_request",
                 415: "unsupported_media_type", 422: "validation_failed", 500: "internal_error",
                 503: "service_unavailable"}
_DESCRIPTIONS = {200: "OK", 201: "Created", 204: "No content"}
_HEADER_DOCS = {
    "If-Match": ("The dossier version last seen, as its `ETag` (`\"7\"`): the action is refused with 409 when the "
                 "dossier changed since.", {"type": "string", "maxLength": 16, "pattern": r'^(W/)?"?[0-9]{1,9}"?$'}),
    "Idempotency-Key": ("Any unique string (1–128 printable characters): a retry with the same key and body returns "
                        "the same dossier.", {"type": "string", "minLength": 1, "maxLength": 128}),
    "X-DVCQG-Timestamp": ("Unix time (seconds) when the national portal signed the request; more than 300 s off "
                          "the platform's clock is refused.", {"type": "string", "pattern": "^[0-9]{1,12}$"}),
    "X-DVCQG-Signature": ("`sha256=` and the hex HMAC-SHA256, with the shared secret, of the timestamp, a dot and "
                          "the raw body (docs/national-portal.md).", {"type": "string", "maxLength": 80}),
    "Feedback-Key": ("The key given when the feedback was filed without signing in: it opens the item for the person "
                     "who filed it.", {"type": "string", "maxLength": 64}),
    "Accept-Language": ("`vi` (default) or `en`: the language of problem details and readable names.",
                        {"type": "string"}),
}
_REQUIRED_HEADERS = {"Idempotency-Key", "X-DVCQG-Timestamp", "X-DVCQG-Signature"}
_RESPONSE_HEADERS = {
    "ETag": "The dossier's version, for `If-Match`.",
    "Location": "The created resource.",
    "Idempotent-Replayed": "`true` when an earlier request with the same Idempotency-Key created the resource.",
    "Retry-After": "Seconds to wait before retrying.",
    "Content-Disposition": "The file name of an export.",
    "Cache-Control": "How long the answer may be cached.",
}


def _path_params(path: str) -> list[str]:
    return [name.rstrip("+") for name in re.findall(r"{([^}]+)}", path)]


@lru_cache(maxsize=1)
def _models() -> tuple[dict, dict]:
    """Every model's JSON Schema under components, and each (ref, mode) key's `$ref`."""
    from pydantic.json_schema import models_json_schema

    wanted: dict[tuple[contract.ModelRef, str], Any] = {}
    for op in contract.OPERATIONS:
        if op.body:
            wanted[(op.body, "validation")] = op.body.resolve()
        if op.response:
            wanted[(op.response, "serialization")] = op.response.resolve()
    problem = contract.responses.ProblemDetails
    wanted[(problem, "serialization")] = problem.resolve()
    keys, schema = models_json_schema([(model, mode) for (_, mode), model in wanted.items()], ref_template=REF)
    refs = {key: keys[(model, key[1])] for key, model in wanted.items()}
    return refs, schema.get("$defs", {})


def _query_parameters(ref: contract.ModelRef, defs: dict) -> list[dict]:
    schema = ref.resolve().model_json_schema(ref_template=REF, mode="validation")
    defs.update(schema.pop("$defs", {}))
    required = set(schema.get("required", []))
    found = []
    for name, prop in schema.get("properties", {}).items():
        prop = dict(prop)
        description = prop.pop("description", None)
        prop.pop("title", None)
        param = {"name": name, "in": "query", "required": name in required, "schema": prop}
        if description:
            param["description"] = description
        found.append(param)
    return found


def _header(name: str) -> dict:
    description, schema = _HEADER_DOCS[name]
    return {"name": name, "in": "header", "required": name in _REQUIRED_HEADERS, "description": description,
            "schema": schema}


def _operation(op: contract.Operation, refs: dict, defs: dict) -> dict:
    params = [{"name": p, "in": "path", "required": True, "schema": {"type": "string", "minLength": 1}}
              for p in _path_params(op.path)]
    if op.query:
        params += _query_parameters(op.query, defs)
    params += [_header(h) for h in (*op.headers, "Accept-Language")]
    success: dict[str, Any] = {"description": _DESCRIPTIONS.get(op.status, "OK")}
    content = {}
    for media_type in op.media_types:
        if media_type == "application/json" and op.response:
            content[media_type] = {"schema": refs[(op.response, "serialization")]}
        elif media_type == "application/json":
            content[media_type] = {"schema": {"type": "object"}}
        elif media_type.startswith("text/"):
            content[media_type] = {"schema": {"type": "string"}}
        else:  # PDF, Excel: bytes
            content[media_type] = {"schema": {"type": "string", "format": "binary"}}
    if content:
        success["content"] = content
    headers = {"X-Correlation-Id": {"description": "The request's correlation id (also in every log line).",
                                    "schema": {"type": "string"}}}
    headers.update({h: {"description": _RESPONSE_HEADERS[h], "schema": {"type": "string"}}
                    for h in op.response_headers})
    success["headers"] = headers
    responses: dict[str, Any] = {str(op.status): success}
    statuses = set(contract.COMMON_PROBLEMS) | set(op.problems)
    if op.auth:
        statuses |= set(contract.AUTH_PROBLEMS)
    if op.body or op.raw_body:
        statuses |= {413, 415, 422}
    if _path_params(op.path):
        statuses.add(404)
    problem_ref = refs[(contract.responses.ProblemDetails, "serialization")]
    for status in sorted(statuses):
        slug = PROBLEM_SLUGS[status]
        responses[str(status)] = {"description": f"Problem `{PROBLEM_TYPE_BASE}{slug}`",
                                  "content": {PROBLEM_JSON: {"schema": problem_ref}}}
    found: dict[str, Any] = {"operationId": op.name, "summary": op.summary, "tags": [op.tag],
                             "parameters": params, "responses": responses}
    description = op.description
    if op.roles:
        description = (description + "\n\n" if description else "") + "Roles: " + ", ".join(op.roles) + "."
    if description:
        found["description"] = description
    if op.body:
        found["requestBody"] = {"required": True,
                                "content": {"application/json": {"schema": refs[(op.body, "validation")]}}}
    if op.raw_body:
        found["requestBody"] = {"required": True,
                                "content": {op.raw_body: {"schema": {"type": "string", "format": "binary"}}}}
    if op.auth == "optional":
        found["security"] = [{"bearer": []}, {}]  # signed in or not: the answer says what each may see
    else:
        found["security"] = [{"bearer": []}] if op.auth else ([{"portalSignature": []}] if op.signed else [])
    return found


def document(server_url: str = "/") -> dict:
    refs, defs = _models()
    defs = dict(defs)
    paths: dict[str, dict] = {}
    for op in contract.OPERATIONS:
        paths.setdefault(op.path, {})[op.method.lower()] = _operation(op, refs, defs)
    return {
        "openapi": "3.1.0",
        "info": {"title": TITLE, "version": VERSION,
                 "description": "Online public services, one-stop shop: the catalogue, dossiers from submission to "
                                "result, the officers' desk and the service-quality index. Errors are RFC 9457 "
                                "problems (`application/problem+json`) with a stable `type` and `code` and, for "
                                "invalid input, per-field `errors`. The narrative guide is docs/api.md."},
        "servers": [{"url": server_url}],
        "tags": [{"name": t} for t in dict.fromkeys(op.tag for op in contract.OPERATIONS)],
        "paths": paths,
        "components": {
            "schemas": defs,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
                                           "description": "An ID token of the citizens' or the staff pool, or of a "
                                                          "national identity provider (docs/identity.md)."},
                                "portalSignature": {
                                    "type": "apiKey", "in": "header", "name": "X-DVCQG-Signature",
                                    "description": "The national portal's HMAC-SHA256 signature of the timestamp "
                                                   "and the body, with X-DVCQG-Timestamp (docs/national-portal.md)."}},
        },
    }
