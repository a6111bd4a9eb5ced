"""The local web client server (scripts/web_server.py): what it serves, what it refuses, the headers it sends."""

from __future__ import annotations

import gzip
import http.client
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from scripts.web_server import WebServer, client_config, connect_sources, security_headers, serve_stack, web_origins

CONFIG = client_config("http://127.0.0.1:8000", "http://127.0.0.1:5000", "client-1", "ap-southeast-1")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebServer]:
    tmp_path = tmp_path_factory.mktemp("site")
    root = tmp_path / "web"
    (root / "assets" / "js").mkdir(parents=True)
    (root / "index.html").write_text("<!doctype html><html lang=vi><title>MotCua</title>" + " " * 2000)
    (root / "assets" / "js" / "app.js").write_text("export const x = 1;\n" * 200)
    (root / "config.js").write_text("window.MOTCUA_CONFIG = {apiUrl: 'stale'};")
    (root / ".env").write_text("SECRET=1")
    (root / "notes.docx").write_bytes(b"PK")
    (tmp_path / "outside.html").write_text("outside")
    web = WebServer(root, CONFIG, [CONFIG["apiUrl"], CONFIG["cognitoUrl"]], port=0).start()
    yield web
    web.shutdown()
    web.server_close()


def _get(server: WebServer, path: str, method: str = "GET",
         headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    host, port = server.server_address[:2]
    connection = http.client.HTTPConnection(host, port, timeout=5)
    try:
        connection.request(method, path, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def test_the_root_is_index_html_with_the_clients_security_headers(server: WebServer) -> None:
    status, headers, body = _get(server, "/")
    assert status == 200 and body.startswith(b"<!doctype html>")
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    for name, value in security_headers([CONFIG["apiUrl"], CONFIG["cognitoUrl"]]).items():
        assert headers[name] == value
    csp = headers["Content-Security-Policy"]
    assert "connect-src 'self' http://127.0.0.1:8000 http://127.0.0.1:5000;" in csp
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp


def test_modules_are_served_as_javascript_and_gzipped_when_the_browser_takes_it(server: WebServer) -> None:
    status, headers, body = _get(server, "/assets/js/app.js", headers={"Accept-Encoding": "gzip, br"})
    assert status == 200 and headers["Content-Type"] == "text/javascript; charset=utf-8"
    assert headers["Content-Encoding"] == "gzip" and int(headers["Content-Length"]) == len(body)
    assert gzip.decompress(body) == b"export const x = 1;\n" * 200
    _, plain_headers, plain = _get(server, "/assets/js/app.js")
    assert "Content-Encoding" not in plain_headers and plain == b"export const x = 1;\n" * 200


def test_an_unchanged_file_is_answered_not_modified(server: WebServer) -> None:
    _, headers, _ = _get(server, "/assets/js/app.js")
    status, _, body = _get(server, "/assets/js/app.js", headers={"If-None-Match": headers["ETag"]})
    assert status == 304 and body == b""


def test_config_js_comes_from_the_stack_never_from_disk_or_a_cache(server: WebServer) -> None:
    status, headers, body = _get(server, "/config.js?v=2")
    assert status == 200 and headers["Cache-Control"] == "no-store"
    assert headers["Content-Type"] == "text/javascript; charset=utf-8"
    text = body.decode()
    assert json.loads(text.removeprefix("window.MOTCUA_CONFIG = ").removesuffix(";\n")) == CONFIG


@pytest.mark.parametrize("path", ["/assets", "/assets/", "/assets/js/", "/missing.js", "/.env", "/../outside.html",
                                  "/%2e%2e/outside.html", "/assets/..%2f..%2foutside.html", "/notes.docx",
                                  "/assets\\js\\app.js"])
def test_directories_dotfiles_paths_out_of_the_root_and_unknown_types_are_not_found(
        server: WebServer, path: str) -> None:
    status, headers, body = _get(server, path)
    assert status == 404 and b"outside" not in body and b"SECRET" not in body
    assert headers["X-Content-Type-Options"] == "nosniff"  # error answers carry the headers too


def test_only_get_and_head_are_answered(server: WebServer) -> None:
    status, headers, _ = _get(server, "/index.html", method="POST")
    assert status == 405 and headers["Allow"] == "GET, HEAD"
    status, headers, body = _get(server, "/index.html", method="HEAD")
    assert status == 200 and body == b"" and int(headers["Content-Length"]) > 2000


def test_a_stacks_server_points_the_client_at_its_api_and_moto_and_names_its_origins(tmp_path: Path) -> None:
    state = {"API_URL": "http://127.0.0.1:8001", "MOTO_ENDPOINT": "http://127.0.0.1:5001",
             "USER_POOL_CLIENT_ID": "client-2", "AWS_DEFAULT_REGION": "ap-southeast-1"}
    web = serve_stack(state, port=0, root=tmp_path)
    try:
        port = web.server_address[1]
        assert web.url == f"http://127.0.0.1:{port}"
        assert web_origins(web) == [f"http://127.0.0.1:{port}", f"http://localhost:{port}"]
        assert b'"userPoolClientId": "client-2"' in web.config_body
        assert "connect-src 'self' http://127.0.0.1:8001 http://127.0.0.1:5001;" in (
            web.response_headers["Content-Security-Policy"])
    finally:
        web.server_close()


def test_the_national_identity_provider_is_configured_only_with_its_client_id_and_allowed_to_be_called() -> None:
    assert "citizenIdpUrl" not in client_config("http://a", "http://c", "client-1", "ap-southeast-1",
                                                "http://127.0.0.1:8702", None)
    config = client_config("http://a", "http://c", "client-1", "ap-southeast-1", "http://127.0.0.1:8702/",
                           "motcua-web")
    assert (config["citizenIdpUrl"], config["citizenIdpClientId"]) == ("http://127.0.0.1:8702", "motcua-web")
    assert connect_sources(config) == ["http://a", "http://c", "http://127.0.0.1:8702"]
    # A source with a path allows that path only: the provider's discovery and token endpoints need its origin.
    nested = client_config("http://a", "http://c", "client-1", "ap-southeast-1", "https://id.example.vn/oidc",
                           "motcua-web")
    assert connect_sources(nested)[-1] == "https://id.example.vn"


@pytest.mark.parametrize("idp", [
    {"CITIZEN_IDP_URL": "http://127.0.0.1:8702", "CITIZEN_IDP_CLIENT_ID": "motcua-web"},
    # The state file `make run` writes names the client id only in the API's list of trusted issuers.
    {"CITIZEN_IDP_URL": "http://127.0.0.1:8702", "CITIZEN_ISSUERS": "https://other|x,http://127.0.0.1:8702|motcua-web"},
])
def test_a_stacks_server_offers_the_national_identity_stand_in_when_the_stack_names_it(
        tmp_path: Path, idp: dict[str, str]) -> None:
    state = {"API_URL": "http://127.0.0.1:8001", "MOTO_ENDPOINT": "http://127.0.0.1:5001",
             "USER_POOL_CLIENT_ID": "client-2", **idp}
    web = serve_stack(state, port=0, root=tmp_path)
    try:
        config = json.loads(web.config_body.decode().removeprefix("window.MOTCUA_CONFIG = ").removesuffix(";\n"))
        assert (config["citizenIdpUrl"], config["citizenIdpClientId"]) == ("http://127.0.0.1:8702", "motcua-web")
        assert "connect-src 'self' http://127.0.0.1:8001 http://127.0.0.1:5001 http://127.0.0.1:8702;" in (
            web.response_headers["Content-Security-Policy"])
    finally:
        web.server_close()


def test_without_a_client_id_for_the_provider_the_client_offers_no_national_sign_in(tmp_path: Path) -> None:
    state = {"API_URL": "http://127.0.0.1:8001", "MOTO_ENDPOINT": "http://127.0.0.1:5001",
             "USER_POOL_CLIENT_ID": "client-2", "CITIZEN_IDP_URL": "http://127.0.0.1:8702",
             "CITIZEN_ISSUERS": "https://elsewhere|motcua-web"}
    web = serve_stack(state, port=0, root=tmp_path)
    try:
        assert b"citizenIdp" not in web.config_body
        assert "8702" not in web.response_headers["Content-Security-Policy"]
    finally:
        web.server_close()
