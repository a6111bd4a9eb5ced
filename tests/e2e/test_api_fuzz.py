"""Property-based testing of the whole API from its own OpenAPI document (schemathesis), on a local stack.

Every declared operation (one test each, per caller) is looked up in the `/openapi.json` the stack serves and
called with generated inputs, valid ones and invalid ones (wrong types, missing or unknown fields, values out of
bounds), by three callers: anonymous, a citizen (citizen.an) and a desk officer (officer.hanoi). Whatever is
asked, the API must not answer 5xx, must answer a status the operation declares, with a body that conforms to
the declared schema and media type, and every error must be an `application/problem+json` problem.

Some cases run on real resources (dossiers citizen.an submitted, her uploads, a procedure, an indicator, a page
asset) or with real query values: with random ids only, every operation would stop at its 404.

The run is bounded for `make test`: MOTCUA_FUZZ_EXAMPLES (default 25) cases per operation and caller, derandomized
so that a CI run is the run a developer repeats. `make fuzz` runs this module with many more."""

from __future__ import annotations

import os
import re
from typing import Any

import hypothesis
import hypothesis.strategies as st
import pytest
import schemathesis
from schemathesis import GenerationMode
from schemathesis.checks import CheckContext, not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

import app  # noqa: F401 - importing the app declares every operation
from chalicelib.api.contract import OPERATIONS
from chalicelib.api.docs import ASSETS

from .conftest import running_stack
from .test_dossier_flow import WORK_PERMIT, submit

pytestmark = pytest.mark.e2e

EXAMPLES = int(os.environ.get("MOTCUA_FUZZ_EXAMPLES", "25"))
CALLERS = {"anonymous": None, "citizen": "citizen.an", "officer": "officer.hanoi"}
HANOI = "000.00.20.H26"
ROUTES = [(op.method, op.path) for op in OPERATIONS]


def problem_json_errors(ctx: CheckContext, response: schemathesis.Response, case: schemathesis.Case) -> bool:
    """Every error is an RFC 9457 problem, whatever the operation declares."""
    if response.status_code >= 400:
        content_type = response.headers.get("content-type", [""])[0]
        assert content_type.startswith("application/problem+json"), (
            f"{response.status_code} answered as {content_type!r}, not application/problem+json")
    return True


# POST /public/verifications takes raw bytes (a PDF): generated bodies go out as they are.
schemathesis.serializer.alias("application/pdf", "application/octet-stream")

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          problem_json_errors]


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    """This module's own local stack: what the fuzzer creates or changes stays out of the other modules' way
    (conftest's module-scoped `aws`, `sign_in` and `api` follow it)."""
    with running_stack(tmp_path_factory.mktemp("fuzz-stack")) as state:
        yield state


@pytest.fixture(scope="module", params=list(CALLERS))
def caller(request) -> str:
    return request.param


@pytest.fixture(scope="module")
def api_schema(stack, sign_in, caller):
    """The document the stack serves, with the caller's ID token on every request it sends."""
    config = schemathesis.Config.from_dict({"generation": {"deterministic": True, "database": "none"}})
    schema = schemathesis.openapi.from_url(f"{stack['API_URL']}/openapi.json", config=config, timeout=30)
    username = CALLERS[caller]
    schema.config.update(base_url=stack["API_URL"], request_timeout=30,
                         headers={"Authorization": f"Bearer {sign_in(username)}"} if username else None)
    return schema


@pytest.fixture(scope="module")
def known(api, caller) -> dict[str, list]:
    """Real values for parameters, each caller its own dossiers (what one caller's cases do to them, say a
    withdrawal, does not close the others' paths): one just submitted and one received by the desk, a verified
    upload of citizen.an's not yet in a dossier and one that is, a procedure, an indicator, a page asset."""
    citizen, officer, public = api("citizen.an"), api("officer.hanoi"), api()
    submitted, received = submit(api), submit(api)
    response = officer.post(f"/dossiers/{received['id']}/receive", {"note": "Đủ thành phần"})
    assert response.status_code == 200, response.text
    component = submitted["components"][0]
    loose_upload = citizen.uploaded(WORK_PERMIT, component["component_id"])
    scorecard = public.get("/metrics/scorecard", params={"agency": HANOI})
    assert scorecard.status_code == 200, scorecard.text
    dossiers = [submitted, received]
    return {"dossier_id": [d["id"] for d in dossiers], "upload_id": [loose_upload, component["files"][0]["upload_id"]],
            "procedure_code": [WORK_PERMIT], "dossier_code": [d["code"] for d in dossiers],
            "indicator_id": [scorecard.json()["groups"][0]["indicators"][0]["id"]], "asset": sorted(ASSETS),
            "agency": [HANOI], "procedure": [WORK_PERMIT]}


def real_values(known: dict[str, list], path: str, names: list[str]) -> list[dict[str, Any]]:
    """Combinations of real values for the parameters of `names` that have some (index-wise: the first dossier
    with the first upload...), none when no parameter has."""
    def values(name: str) -> list | None:
        if name == "code":  # /procedures/{code}, /public/dossiers/{code}, /desk/dossiers?code=
            return known["procedure_code" if path.startswith("/procedures") else "dossier_code"]
        return known.get(name)

    found = {name: values(name) for name in names if values(name)}
    size = max((len(v) for v in found.values()), default=0)
    return [{name: v[i % len(v)] for name, v in found.items()} for i in range(size)]


def strategy_for(operation, known: dict[str, list]) -> st.SearchStrategy:
    """The document's examples, and valid and invalid cases: some as generated, some on real resources (with
    random ids only, every operation stops at its 404) or with real query values."""
    path_sets = real_values(known, operation.path, re.findall(r"{([^}]+)}", operation.path))
    query_sets = real_values(known, operation.path, [p.name for p in operation.query])
    strategies = [*operation.get_strategies_from_examples()]
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
        strategies.append(operation.as_strategy(mode))
        strategies += [operation.as_strategy(mode, path_parameters=real) for real in path_sets]
        strategies += [operation.as_strategy(mode, query=real) for real in query_sets]
    return st.one_of(strategies)


@pytest.mark.parametrize(("method", "path"), ROUTES, ids=[f"{m} {p}" for m, p in ROUTES])
def test_every_operation_answers_its_declared_schema_or_a_problem_and_never_5xx(api_schema, known, method, path):
    try:
        operation = api_schema[path][method]
    except LookupError as missing:
        pytest.fail(f"{method} {path} is declared but not in the served /openapi.json: {missing}")

    @hypothesis.settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
                         suppress_health_check=list(hypothesis.HealthCheck))
    @hypothesis.given(case=strategy_for(operation, known))
    def calls(case: schemathesis.Case) -> None:
        case.call_and_validate(checks=CHECKS)

    calls()
