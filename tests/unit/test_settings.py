"""Settings: defaults on a developer's machine, a clear stop in a deployed stage, bounded numbers, and a
cache that follows the environment (chalice local and the test client change it between requests)."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, time
from pathlib import Path

import pytest
from cfnlint.decode.cfn_yaml import load as load_template

from chalicelib import observability, settings
from chalicelib.settings import REQUIRED_WHEN_DEPLOYED, SettingsError, get_settings

REPO_ROOT = Path(__file__).resolve().parents[2]
DEPLOYED_ENV = {name: f"motcua-prod-{name.lower()}" for name in REQUIRED_WHEN_DEPLOYED.values()}


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    """Only what tests/conftest.py sets (fake credentials, the region): every setting at its default."""
    for name in settings._ENV_NAMES:
        if name not in ("AWS_REGION", "AWS_DEFAULT_REGION"):
            monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_local_defaults_name_the_local_resources_and_derive_the_token_urls():
    found = get_settings()
    assert found.stage == "dev" and not found.deployed
    assert found.region == "ap-southeast-1" and found.endpoint_url is None
    assert (found.procedures_table, found.dossiers_table, found.events_table, found.control_table) == (
        "motcua-procedures", "motcua-dossiers", "motcua-events", "motcua-control")
    assert found.documents_bucket == "motcua-documents" and found.documents_kms_key_id is None
    assert found.user_pool_id == "" and found.user_pool_client_id == ""
    assert found.token_issuer == "https://cognito-idp.ap-southeast-1.amazonaws.com/"
    assert found.jwks_url == found.token_issuer + "/.well-known/jwks.json"
    assert (found.work_start, found.work_end) == (time(7, 30), time(17, 0))
    assert date(2026, 1, 10) in found.makeup_working_days  # announced in chalicelib/data/calendar.json
    assert date(2026, 1, 2) in found.extra_days_off
    assert (found.upload_max_bytes, found.upload_url_ttl_seconds) == (10 * 1024 * 1024, 900)
    assert (found.deadline_warning_days, found.evaluation_amend_days, found.metrics_shards) == (1, 7, 8)
    assert found.cors_allowed_origins == () and found.public_base_url is None
    assert found.cache_key == ("ap-southeast-1", None, "motcua-procedures", "motcua-dossiers", "motcua-events",
                               "motcua-control", "motcua-notifications", "motcua-staff", "motcua-access-log",
                               "motcua-payments", "motcua-feedback", "motcua-papers",
                               "motcua-queue")


def test_environment_values_override_the_defaults_and_empty_ones_do_not(clean_env):
    clean_env.setenv("USER_POOL_ID", "ap-southeast-1_Pool")
    clean_env.setenv("AWS_ENDPOINT_URL", "")
    clean_env.setenv("DOSSIERS_TABLE", "")
    clean_env.setenv("EXTRA_DAYS_OFF", "2026-01-02, 2026-12-31")
    clean_env.setenv("WORK_END", "16:30")
    found = get_settings()
    assert found.endpoint_url is None and found.dossiers_table == "motcua-dossiers"
    assert found.token_issuer == "https://cognito-idp.ap-southeast-1.amazonaws.com/ap-southeast-1_Pool"
    assert {date(2026, 1, 2), date(2026, 12, 31)} <= found.extra_days_off
    assert found.work_end == time(16, 30)


@pytest.mark.parametrize("stage, function_name", [("prod", None), ("staging", None), ("dev", "motcua-dev")])
def test_a_deployed_stage_without_a_table_name_stops_with_a_message_naming_it(clean_env, stage, function_name):
    for name, value in DEPLOYED_ENV.items():
        clean_env.setenv(name, value)
    clean_env.delenv("DOSSIERS_TABLE")
    clean_env.setenv("MOTCUA_STAGE", stage)
    if function_name:  # the Lambda runtime sets it: a deployed dev stage is as strict as prod
        clean_env.setenv("AWS_LAMBDA_FUNCTION_NAME", function_name)
    with pytest.raises(SettingsError) as raised:
        get_settings()
    message = str(raised.value)
    assert "DOSSIERS_TABLE" in message and f"deployed stage {stage!r}" in message
    assert "EVENTS_TABLE" not in message


def test_a_deployed_stage_lists_every_missing_variable_and_counts_empty_as_missing(clean_env):
    clean_env.setenv("MOTCUA_STAGE", "prod")
    clean_env.setenv("USER_POOL_ID", "")
    with pytest.raises(SettingsError) as raised:
        get_settings()
    assert all(name in str(raised.value) for name in REQUIRED_WHEN_DEPLOYED.values())


def test_a_deployed_stage_with_every_resource_named_starts(clean_env):
    for name, value in DEPLOYED_ENV.items():
        clean_env.setenv(name, value)
    clean_env.setenv("MOTCUA_STAGE", "prod")
    found = get_settings()
    assert found.deployed and found.dossiers_table == "motcua-prod-dossiers_table"
    assert found.upload_max_bytes == 10 * 1024 * 1024  # tuning values keep their defaults


def test_the_template_gives_every_function_the_variables_a_deployed_stage_requires():
    variables = load_template(str(REPO_ROOT / "infra" / "resources.yaml"))["Globals"]["Function"]["Environment"]
    assert set(REQUIRED_WHEN_DEPLOYED.values()) <= set(variables["Variables"])


@pytest.mark.parametrize("name, value, expected", [
    ("UPLOAD_MAX_BYTES", "ten", "digits 0-9"),
    ("UPLOAD_MAX_BYTES", "0", "allowed: 1 to"),
    ("UPLOAD_MAX_BYTES", "9" * 40, "digits 0-9"),
    ("UPLOAD_URL_TTL_SECONDS", "10", "allowed: 60 to 604800"),
    ("METRICS_SHARDS", "\u0668", "digits 0-9"),  # an Arabic-Indic eight: int() would take it
    ("METRICS_SHARDS", "1_0", "digits 0-9"),
    ("DEADLINE_WARNING_DAYS", "-1", "digits 0-9"),
    ("EVALUATION_AMEND_DAYS", "1e3", "digits 0-9"),
    ("EVALUATION_AMEND_DAYS", "366", "allowed: 0 to 365"),
])
def test_a_bad_number_fails_with_the_variable_its_value_and_the_rule(clean_env, name, value, expected):
    clean_env.setenv(name, value)
    with pytest.raises(SettingsError) as raised:
        get_settings()
    assert f"{name}={value!r}" in str(raised.value) and expected in str(raised.value)


@pytest.mark.parametrize("name, value", [
    ("WORK_START", "18:00"), ("WORK_END", "25:00"), ("EXTRA_DAYS_OFF", "2026-02-30"),
    ("CORS_ALLOWED_ORIGINS", "https://dichvucong.example.vn/app"), ("CORS_ALLOWED_ORIGINS", "localhost:5173"),
    ("PUBLIC_BASE_URL", "dichvucong.example.vn"),
])
def test_other_malformed_values_fail_naming_the_variable(clean_env, name, value):
    clean_env.setenv(name, value)
    with pytest.raises(SettingsError, match=name):
        get_settings()


def test_cors_origins_are_a_comma_separated_list_without_blanks_or_trailing_slashes(clean_env):
    clean_env.setenv("CORS_ALLOWED_ORIGINS", " http://localhost:5173/, https://dichvucong.example.vn:8443 ,,")
    assert get_settings().cors_allowed_origins == ("http://localhost:5173", "https://dichvucong.example.vn:8443")


def test_public_base_url_is_kept_without_its_trailing_slash(clean_env):
    clean_env.setenv("PUBLIC_BASE_URL", "https://dichvucong.example.vn/motcua/")
    assert get_settings().public_base_url == "https://dichvucong.example.vn/motcua"


def test_settings_are_built_once_per_environment_and_follow_its_changes(clean_env):
    first = get_settings()
    assert get_settings() is first
    clean_env.setenv("DOSSIERS_TABLE", "motcua-test-dossiers")
    changed = get_settings()
    assert changed.dossiers_table == "motcua-test-dossiers" and changed.cache_key != first.cache_key
    clean_env.delenv("DOSSIERS_TABLE")
    assert get_settings() is first


def test_a_swapped_environment_mapping_is_read_as_chalice_test_client_swaps_it(clean_env):
    clean_env.setattr(os, "environ", {**os.environ, "MOTCUA_STAGE": "local", "METRICS_SHARDS": "16"})
    assert (get_settings().stage, get_settings().metrics_shards) == ("local", 16)


def test_a_failure_is_logged_once_per_environment_and_raised_on_every_call(clean_env):
    logged: list[str] = []
    clean_env.setattr(observability, "_logger", type("Log", (), {"critical": lambda self, m: logged.append(m)})())
    clean_env.setenv("METRICS_SHARDS", "4096")
    for _ in range(3):
        with pytest.raises(SettingsError):
            get_settings()
    assert len(logged) == 1 and "METRICS_SHARDS" in logged[0]


def test_importing_the_module_reads_no_environment():
    env = {**os.environ, "UPLOAD_MAX_BYTES": "not a number", "MOTCUA_STAGE": "prod"}
    probe = "import chalicelib.settings as s; print(len(s._cache))"
    out = subprocess.run([sys.executable, "-c", probe], cwd=REPO_ROOT, env=env, check=True, capture_output=True,
                         text=True).stdout.strip()
    assert out == "0"


def test_citizen_issuers_are_url_and_client_pairs_and_a_stack_without_a_provider_has_none(clean_env):
    clean_env.setenv("CITIZEN_ISSUERS", "|")
    assert get_settings().citizen_issuers == ()
    clean_env.setenv("CITIZEN_ISSUERS", "https://sso.example.vn|motcua-web, https://other.example.vn|web2")
    assert get_settings().citizen_issuers == ("https://sso.example.vn|motcua-web", "https://other.example.vn|web2")
    clean_env.setenv("CITIZEN_ISSUERS", "sso.example.vn|motcua-web")
    with pytest.raises(SettingsError, match="CITIZEN_ISSUERS"):
        get_settings()
