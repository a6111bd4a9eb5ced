"""`make deploy` publishing the web client: the upload plan and the publish steps, without AWS."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from scripts import deploy

OUTPUTS = {
    "EndpointURL": "https://abc123.execute-api.ap-southeast-1.amazonaws.com/api/",
    "UserPoolClientId": "client-42",
    "StaffUserPoolClientId": "client-43",
    "WebBucketName": "motcua-prod-webbucket-xyz",
    "WebDistributionId": "E2EXAMPLE",
    "WebUrl": "https://d111111abcdef8.cloudfront.net",
}


@pytest.fixture
def web(tmp_path: Path) -> Path:
    root = tmp_path / "web"
    for name, text in {
        "index.html": "<!doctype html><title>MotCua</title>",
        "config.js": "window.MOTCUA_CONFIG = {apiUrl: 'http://127.0.0.1:8000'};",  # a developer's local one
        "assets/css/app.css": "body{}",
        "assets/js/app.js": "import './router.js';",
        "assets/js/i18n/vi.js": "export default {};",
        "assets/img/logo.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>",
        ".DS_Store": "",
        "assets/.app.js.swp": "",
    }.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def _config(plan: list[deploy.WebObject]) -> dict[str, str]:
    (config,) = [o for o in plan if o.key == "config.js"]
    text = config.content().decode()
    assert text.startswith("window.MOTCUA_CONFIG = ") and text.endswith(";\n")
    return json.loads(text.removeprefix("window.MOTCUA_CONFIG = ").removesuffix(";\n"))


def test_the_plan_uploads_every_client_file_with_its_content_type(web: Path) -> None:
    plan = deploy.web_upload_plan(web, OUTPUTS, "ap-southeast-1")
    assert {o.key: o.content_type for o in plan} == {
        "index.html": "text/html; charset=utf-8",
        "assets/css/app.css": "text/css; charset=utf-8",
        "assets/js/app.js": "text/javascript; charset=utf-8",
        "assets/js/i18n/vi.js": "text/javascript; charset=utf-8",
        "assets/img/logo.svg": "image/svg+xml",
        "config.js": "text/javascript; charset=utf-8",
    }
    assert {o.cache_control for o in plan} == {deploy.WEB_CACHE_CONTROL}
    assert next(o for o in plan if o.key == "assets/js/app.js").content() == b"import './router.js';"


def test_config_js_is_written_from_the_stack_not_taken_from_the_work_tree(web: Path) -> None:
    plan = deploy.web_upload_plan(web, OUTPUTS, "ap-southeast-1")
    assert [o.key for o in plan].count("config.js") == 1
    assert _config(plan) == {
        "apiUrl": "https://abc123.execute-api.ap-southeast-1.amazonaws.com/api",
        "cognitoUrl": "https://cognito-idp.ap-southeast-1.amazonaws.com",
        "userPoolClientId": "client-42",
        "staffPoolClientId": "client-43",
        "region": "ap-southeast-1",
    }


def test_config_js_names_the_national_identity_provider_when_the_stack_has_one(web: Path) -> None:
    outputs = {**OUTPUTS, "CitizenIdentityProviderUrl": "https://sso.dinhdanh.example.vn",
               "CitizenIdentityProviderClientId": "motcua-web"}
    config = _config(deploy.web_upload_plan(web, outputs, "ap-southeast-1"))
    assert (config["citizenIdpUrl"], config["citizenIdpClientId"]) == ("https://sso.dinhdanh.example.vn", "motcua-web")
    blank = {**OUTPUTS, "CitizenIdentityProviderUrl": "", "CitizenIdentityProviderClientId": ""}
    assert "citizenIdpUrl" not in _config(deploy.web_upload_plan(web, blank, "ap-southeast-1"))


def test_a_file_of_a_type_the_client_does_not_ship_is_refused(web: Path) -> None:
    (web / "notes.docx").write_bytes(b"PK")
    with pytest.raises(deploy.DeployError, match="notes.docx"):
        deploy.web_upload_plan(web, OUTPUTS, "ap-southeast-1")


def test_nothing_is_published_without_index_html_or_the_stacks_web_outputs(web: Path, tmp_path: Path) -> None:
    with pytest.raises(deploy.DeployError, match="index.html"):
        deploy.web_upload_plan(tmp_path / "empty", OUTPUTS, "ap-southeast-1")
    with pytest.raises(deploy.DeployError, match="WebDistributionId"):
        deploy.web_upload_plan(web, {k: v for k, v in OUTPUTS.items() if k != "WebDistributionId"},
                               "ap-southeast-1")


def test_files_removed_from_web_are_the_stale_keys() -> None:
    plan = [deploy.WebObject("index.html", "text/html"), deploy.WebObject("config.js", "text/javascript")]
    assert deploy.stale_web_keys(["index.html", "old.js", "assets/gone.css", "config.js"], plan) == [
        "assets/gone.css", "old.js"]


class _Recorder:
    def __init__(self, existing: list[str]) -> None:
        self.existing = existing
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def client(self, service: str) -> _Recorder:
        return self

    def put_object(self, **kwargs: Any) -> None:
        self.calls.append(("put_object", kwargs))

    def get_paginator(self, name: str) -> _Recorder:
        assert name == "list_objects_v2"
        return self

    def paginate(self, **kwargs: Any) -> list[dict[str, Any]]:
        return [{"Contents": [{"Key": k} for k in self.existing]}]

    def delete_objects(self, **kwargs: Any) -> None:
        self.calls.append(("delete_objects", kwargs))

    def create_invalidation(self, **kwargs: Any) -> None:
        self.calls.append(("create_invalidation", kwargs))


def test_publishing_uploads_the_plan_removes_stale_files_then_invalidates_the_distribution(web: Path) -> None:
    aws = _Recorder(existing=["index.html", "assets/js/removed.js"])
    deploy.publish_web(aws, OUTPUTS, "ap-southeast-1", root=web)
    names = [name for name, _ in aws.calls]
    assert names == ["put_object"] * 6 + ["delete_objects", "create_invalidation"]
    puts = {kw["Key"]: kw for name, kw in aws.calls if name == "put_object"}
    assert puts["index.html"]["ContentType"] == "text/html; charset=utf-8"
    assert all(kw["Bucket"] == OUTPUTS["WebBucketName"] for kw in puts.values())
    assert b"client-42" in puts["config.js"]["Body"]
    assert aws.calls[-2][1]["Delete"]["Objects"] == [{"Key": "assets/js/removed.js"}]
    invalidation = aws.calls[-1][1]
    assert invalidation["DistributionId"] == "E2EXAMPLE"
    assert invalidation["InvalidationBatch"]["Paths"] == {"Quantity": 1, "Items": ["/*"]}
