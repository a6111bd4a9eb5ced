"""The contract over real HTTP on the local stack: the document and its page, CORS for the local web client's
origin, and inputs that used to crash the API answered as 400 problems."""

from __future__ import annotations

import pytest
import requests
from openapi_spec_validator import validate

pytestmark = pytest.mark.e2e

WEB_ORIGIN = "http://127.0.0.1:8080"  # scripts/local_stack.py LOCAL_WEB_ORIGINS


def test_the_document_is_served_valid_and_lists_the_public_lookup(api):
    response = api().get("/openapi.json")
    assert response.status_code == 200
    document = response.json()
    validate(document)
    assert document["paths"]["/public/dossiers/{code}"]["get"]["security"] == []
    assert "/dossiers/{dossier_id}/receive" in document["paths"]


def test_the_reference_page_and_its_assets_are_served_by_the_platform(stack):
    page = requests.get(stack["API_URL"] + "/docs", timeout=30)
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    for asset in ("/docs/swagger-ui.css", "/docs/swagger-ui-bundle.js", "/docs/init.js"):
        served = requests.get(stack["API_URL"] + asset, timeout=30)
        assert served.status_code == 200, asset
        assert int(served.headers["Content-Length"]) > 10


def test_a_browser_on_the_web_clients_origin_passes_the_preflight_and_reads_the_headers(stack, api):
    preflight = requests.options(stack["API_URL"] + "/dossiers", timeout=30, headers={
        "Origin": WEB_ORIGIN, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type,idempotency-key"})
    assert preflight.status_code in (200, 204)
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert "Idempotency-Key" in preflight.headers["Access-Control-Allow-Headers"]
    answer = api("citizen.an").get("/dossiers", headers={"Origin": WEB_ORIGIN})
    assert answer.headers["Access-Control-Allow-Origin"] == WEB_ORIGIN
    assert "X-Correlation-Id" in answer.headers["Access-Control-Expose-Headers"]


def test_another_origin_gets_no_allow_header(stack):
    preflight = requests.options(stack["API_URL"] + "/dossiers", timeout=30, headers={
        "Origin": "https://phishing.example", "Access-Control-Request-Method": "POST"})
    assert "Access-Control-Allow-Origin" not in preflight.headers
    assert "Access-Control-Allow-Methods" not in preflight.headers


@pytest.mark.parametrize("query", ["limit=%D9%A1%D9%A2", "limit=" + "9" * 5000, "limit=%C2%B2"])
def test_numbers_in_other_scripts_or_thousands_of_digits_are_400(api, query):
    response = api().get(f"/procedures?{query}")
    assert response.status_code == 400
    assert response.headers["Content-Type"].startswith("application/problem+json")
    assert response.json()["errors"][0]["field"] == "limit"


@pytest.mark.parametrize("if_match", ["\u0661\u0662", "9" * 5000, '"1e9"'])
def test_an_if_match_that_is_no_version_is_400_not_500(api, if_match):
    dossier_id = "01JNSR0000000000000000000A"
    response = api("officer.hanoi").post(f"/dossiers/{dossier_id}/receive", {},
                                         headers={"If-Match": if_match.encode("utf-8").decode("latin-1")})
    assert response.status_code == 400  # judged before the dossier is even looked up
    assert response.json()["errors"][0]["field"] == "If-Match"


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_extreme_dates_in_a_search_are_400(api, day):
    response = api("officer.hanoi").get(f"/desk/dossiers?due_after={day}")
    assert response.status_code == 400
    assert response.json()["errors"] == [{"field": "due_after", "code": "field.range",
                                          "message": response.json()["errors"][0]["message"]}]
