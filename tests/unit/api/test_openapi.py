"""The contract: /openapi.json is generated from the declared operations, is a valid OpenAPI 3.1 document,
covers every route the app registers, and is served with a readable page; CORS answers from the settings."""

from __future__ import annotations

import json

import pytest
from chalice.test import Client
from openapi_spec_validator import validate

from app import app
from chalicelib.api import contract
from chalicelib.api.openapi import document
from chalicelib.domain.actions import http_actions

ORIGIN = "http://127.0.0.1:8080"
CATCH_ALL = "/{proxy+}"


@pytest.fixture(scope="module")
def spec() -> dict:
    return document()


@pytest.fixture
def client(monkeypatch):
    monkeypatch.setenv("CORS_ALLOWED_ORIGINS", f"{ORIGIN},http://localhost:8080")
    with Client(app, stage_name="local") as test_client:
        yield test_client


def test_the_document_is_valid_openapi_3_1(spec):
    validate(spec)
    assert spec["openapi"].startswith("3.1")


def test_every_route_the_app_registers_is_in_the_document(spec):
    registered = {(path, method.lower()) for path, methods in app.routes.items() if path != CATCH_ALL
                  for method in methods if method != "OPTIONS"}
    documented = {(path, method) for path, item in spec["paths"].items() for method in item}
    assert registered == documented


def test_every_declared_path_answers_a_preflight():
    for path in contract.paths():
        assert "OPTIONS" in app.routes[path], path


def test_every_dossier_action_of_the_registry_is_an_operation_with_its_model(spec):
    for action in http_actions():
        operation = spec["paths"][action.path][action.method.lower()]
        assert operation["operationId"] == action.action.value
        body = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        assert body.endswith("/" + action.request.name)
        assert {"409", "422", "404", "401", "403"} <= set(operation["responses"])


def test_every_operation_declares_its_errors_as_problems(spec):
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            errors = {code: r for code, r in operation["responses"].items() if int(code) >= 400}
            assert {"400", "500", "503"} <= set(errors), (method, path)
            for response in errors.values():
                assert list(response["content"]) == ["application/problem+json"]
                assert "urn:motcua:problem:" in response["description"]


# What anyone may call without signing in; everything else needs a token.
PUBLIC = {("/agencies", "get"), ("/docs", "get"), ("/docs/{asset}", "get"), ("/health", "get"),
          ("/metrics/scorecard", "get"), ("/openapi.json", "get"), ("/procedures", "get"),
          ("/procedures/{code}", "get"), ("/public/dossiers/{code}", "get"), ("/public/feedback", "get"),
          ("/public/verifications", "post"),
          ("/public/verifications/{result_id}", "get"),
          # Desk queue tickets (docs/queue.md): taken at the kiosk or on a phone, followed by id, shown on screen.
          ("/queue/services", "get"), ("/queue/tickets", "post"), ("/queue/tickets/{id}", "get"),
          ("/queue/display", "get")}
# Signed in or not: feedback (docs/feedback.md) is filed and followed by anyone, with a token or the item's key.
OPTIONAL = {("/feedback", "post"), ("/feedback/{code}", "get"), ("/feedback/{code}/info", "post"),
            ("/feedback/{code}/rating", "post")}
# Partner systems, authenticated by their signature over the body instead of a user's token.
SIGNED = {("/integrations/national-portal/dossiers", "post")}
# The payment gateway signs inside the body (vnp_SecureHash, docs/payments.md §1.4): no scheme OpenAPI can name.
SIGNED_IN_BODY = {("/integrations/payments/{provider}/notifications", "post")}


def test_only_the_public_operations_go_without_the_bearer_scheme(spec):
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            expected = ([] if (path, method) in PUBLIC | SIGNED_IN_BODY else
                        [{"bearer": []}, {}] if (path, method) in OPTIONAL else
                        [{"portalSignature": []}] if (path, method) in SIGNED else [{"bearer": []}])
            assert operation["security"] == expected, (method, path)
    assert spec["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"


def test_query_parameters_come_from_the_query_models(spec):
    names = {p["name"] for p in spec["paths"]["/procedures"]["get"]["parameters"] if p["in"] == "query"}
    assert names == {"field", "agency", "q", "online_level", "reception_anywhere", "limit", "cursor"}
    limit = next(p for p in spec["paths"]["/procedures"]["get"]["parameters"] if p["name"] == "limit")
    assert limit["schema"]["maximum"] == 100


def test_the_document_is_served_as_json(client):
    response = client.http.get("/openapi.json")
    assert response.status_code == 200
    served = json.loads(response.body)
    assert served["paths"].keys() == document()["paths"].keys()


def test_the_reference_page_loads_only_assets_the_platform_serves(client):
    page = client.http.get("/docs")
    assert page.status_code == 200
    html = page.body.decode()
    assert "https://" not in html and "http://" not in html
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    for asset in ("swagger-ui.css", "swagger-ui-bundle.js", "init.js"):
        assert f"/docs/{asset}" in html
        served = client.http.get(f"/docs/{asset}")
        assert served.status_code == 200 and len(served.body) > 10, asset
    assert client.http.get("/docs/package.json").status_code == 404


def test_preflight_from_an_allowed_origin_passes(client):
    response = client.http.request("OPTIONS", "/dossiers/{id}/receive".replace("{id}", "01ABC"), headers={
        "Origin": ORIGIN, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type, if-match"})
    assert response.status_code in (200, 204)
    assert "POST" in response.headers["Access-Control-Allow-Methods"]
    assert "If-Match" in response.headers["Access-Control-Allow-Headers"]


def test_preflight_from_another_origin_gets_no_allow_header(client):
    response = client.http.request("OPTIONS", "/dossiers", headers={
        "Origin": "https://evil.example", "Access-Control-Request-Method": "POST"})
    assert "Access-Control-Allow-Origin" not in response.headers
    assert "Access-Control-Allow-Methods" not in response.headers


def test_answers_to_an_allowed_origin_expose_the_headers_clients_need(client):
    response = client.http.get("/health", headers={"Origin": ORIGIN})
    assert response.headers["Access-Control-Allow-Origin"] == ORIGIN
    exposed = response.headers["Access-Control-Expose-Headers"]
    for header in ("ETag", "X-Correlation-Id", "Location", "Idempotent-Replayed"):
        assert header in exposed
    other = client.http.get("/health", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers
