"""Inputs that used to crash the API (5xx) are now clear 400 problems: bounded ASCII numbers, sane dates,
forged cursors, and AWS errors mapped by their error code."""

from __future__ import annotations

import base64
import json

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError
from pynamodb.exceptions import GetError, QueryError

from chalicelib.api import queries
from chalicelib.api.contract import parse_query
from chalicelib.api.http import Problem, aws_problem
from chalicelib.api.present import expected_version
from chalicelib.api.schemas import Apologise
from chalicelib.api.validation import parse
from chalicelib.domain.errors import ValidationFailed
from chalicelib.store.cursors import BadCursor, decode

NON_ASCII_DIGITS = ["١٢", "१२", "１２", "²", "12\u0663"]


def _client_error(code: str, operation: str = "Query") -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": "..."}}, operation)


def _field_codes(problem: Problem) -> dict[str, str]:
    return {e.field: e.code for e in problem.errors}


@pytest.mark.parametrize("raw", NON_ASCII_DIGITS + ["9" * 5000, "-1", "1e3", " 5", "0x10", ""])
def test_limit_takes_only_short_ascii_digits(raw):
    with pytest.raises(Problem) as caught:
        parse_query(queries.Page, {"limit": raw})
    assert caught.value.status == 400
    assert "limit" in _field_codes(caught.value)


def test_limit_in_range_is_a_number():
    assert parse_query(queries.Page, {"limit": "100"}).limit == 100
    assert parse_query(queries.Page, {}).limit == 20


@pytest.mark.parametrize("raw", NON_ASCII_DIGITS + ["9" * 5000, '"12345678901"', "abc", '"-3"'])
def test_if_match_that_is_not_a_short_version_is_a_400_naming_the_header(raw):
    with pytest.raises(Problem) as caught:
        expected_version({"if-match": raw})
    assert caught.value.status == 400
    assert _field_codes(caught.value) == {"If-Match": "field.number"}


@pytest.mark.parametrize("raw, version", [('"7"', 7), ("7", 7), ('W/"12"', 12)])
def test_if_match_with_a_version_is_read(raw, version):
    assert expected_version({"if-match": raw}) == version


def test_no_if_match_means_any_version():
    assert expected_version({}) is None


@pytest.mark.parametrize("raw", NON_ASCII_DIGITS + ["9" * 40, "0"])
def test_procedure_version_parameter_is_bounded(raw):
    with pytest.raises(Problem) as caught:
        parse_query(queries.GetProcedure, {"version": raw})
    assert "version" in _field_codes(caught.value)


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "1899-12-31", "2101-01-01"])
def test_dates_outside_a_sane_range_are_refused_in_bodies(day):
    with pytest.raises(ValidationFailed) as caught:
        parse(Apologise, {"new_due_date": day, "reason": "Chậm do liên thông"})
    assert {e.field: e.code for e in caught.value.errors} == {"new_due_date": "field.range"}


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "2026-02-30", "20261201"])
def test_dates_outside_a_sane_range_or_malformed_are_refused_in_queries(day):
    with pytest.raises(Problem) as caught:
        parse_query(queries.DeskSearch, {"due_after": day})
    assert caught.value.status == 400
    assert _field_codes(caught.value)["due_after"] in ("field.range", "field.date")


def test_unknown_query_parameters_are_named():
    with pytest.raises(Problem) as caught:
        parse_query(queries.ListProcedures, {"sort": "name", "limit": "5"})
    assert _field_codes(caught.value) == {"sort": "field.unknown"}


def _cursor(data) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


@pytest.mark.parametrize("cursor", [
    "not-base64!!", _cursor(["a list"]), _cursor({"owner_id": {"S": "someone-else"}}),
    _cursor({"owner_id": {"S": "me"}, "id": {"B": "AAAA"}}), _cursor({"owner_id": {"S": "me"}, "id": {"S": 5}}),
    "A" * 3000,
])
def test_forged_or_foreign_cursors_are_refused(cursor):
    with pytest.raises(BadCursor):
        decode(cursor, {"owner_id": "me"})


@pytest.mark.parametrize("code", ["ValidationException", "SerializationException"])
def test_a_client_mistake_dynamodb_rejects_is_a_400(code):
    assert aws_problem(_client_error(code)).status == 400


def test_a_pynamodb_error_is_mapped_by_the_aws_code_it_wraps():
    wrapped = QueryError("Failed to query items", cause=_client_error("ValidationException"))
    assert aws_problem(wrapped).status == 400
    throttled = GetError("Failed to get item", cause=_client_error("ProvisionedThroughputExceededException"))
    assert aws_problem(throttled).status == 503


def test_a_lost_condition_is_a_409():
    assert aws_problem(_client_error("ConditionalCheckFailedException", "PutItem")).status == 409


@pytest.mark.parametrize("error", [_client_error("ThrottlingException"), _client_error("InternalServerError"),
                                   EndpointConnectionError(endpoint_url="https://dynamodb")])
def test_throttling_and_outages_are_503_with_retry_after(error):
    problem = aws_problem(error)
    assert problem.status == 503
    assert problem.headers["Retry-After"].isdigit()


@pytest.mark.parametrize("code", ["AccessDeniedException", "ResourceNotFoundException", "UnrecognizedClientException"])
def test_misconfiguration_is_not_dressed_up_as_please_retry(code):
    assert aws_problem(_client_error(code)) is None  # the view logs it, counts it (alarm) and answers 500
