"""CORS headers are added to what the handler set, never in its place."""

from __future__ import annotations

from chalice import Response

from chalicelib.api.cors import add_headers


def test_vary_keeps_the_handlers_accept_language_beside_origin(monkeypatch):
    monkeypatch.setenv("CORS_ALLOWED_ORIGINS", "http://127.0.0.1:8080")
    response = Response(body="", headers={"Vary": "Accept-Language"})
    add_headers({"origin": "http://127.0.0.1:8080"}, response)
    assert response.headers["Vary"] == "Origin, Accept-Language"
    assert response.headers["Access-Control-Allow-Origin"] == "http://127.0.0.1:8080"


def test_vary_names_origin_once_and_an_unlisted_origin_gets_no_allow_header(monkeypatch):
    monkeypatch.setenv("CORS_ALLOWED_ORIGINS", "http://127.0.0.1:8080")
    response = Response(body="", headers={"Vary": "Origin"})
    add_headers({"origin": "https://evil.example"}, response)
    assert response.headers["Vary"] == "Origin"
    assert "Access-Control-Allow-Origin" not in response.headers
