"""HTTP plumbing shared by the blueprints: RFC 9457 problems, body parsing, error mapping,
and the middleware that gives every request a correlation id and a structured access log."""

from __future__ import annotations

import functools
import json
import time
from collections.abc import Callable
from typing import Any

from chalice import Response

from ..domain import errors as domain_errors
from ..domain.messages import message, pick_language
from ..observability import accept_correlation_id, correlation_id, get_logger, set_correlation_id

PROBLEM_TYPE_BASE = "urn:motcua:problem:"
PROBLEM_JSON = "application/problem+json"
MAX_BODY_BYTES = 256 * 1024


class Problem(Exception):
    def __init__(self, status: int, slug: str, detail_code: str | None = None, params: dict | None = None,
                 errors: list[domain_errors.FieldError] | None = None, extra: dict | None = None,
                 headers: dict | None = None) -> None:
        super().__init__(slug)
        self.status = status
        self.slug = slug
        self.detail_code = detail_code or slug
        self.params = params or {}
        self.errors = errors or []
        self.extra = extra or {}
        self.headers = headers or {}


def language(request: Any) -> str:
    headers = getattr(request, "headers", None) or {}
    return pick_language(headers.get("accept-language"))


def problem_response(problem: Problem, lang: str, instance: str | None = None) -> Response:
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_BASE + problem.slug,
        "title": message(problem.slug, lang),
        "status": problem.status,
        "detail": message(problem.detail_code, lang, {**problem.params, "count": len(problem.errors),
                                                      "correlation_id": correlation_id()}),
        "code": problem.detail_code,
    }
    if instance:
        body["instance"] = instance
    if problem.errors:
        body["errors"] = [{"field": e.field, "code": e.code, "message": message(e.code, lang, e.params),
                           **({"params": e.params} if e.params else {})} for e in problem.errors]
    body.update(problem.extra)
    headers = {"Content-Type": PROBLEM_JSON, "Content-Language": lang, **problem.headers}
    return Response(body=json.dumps(body, ensure_ascii=False), status_code=problem.status, headers=headers)


def to_problem(error: Exception) -> Problem | None:
    """Domain and store errors mapped to HTTP; None for anything unexpected."""
    from ..store.cursors import BadCursor

    if isinstance(error, Problem):
        return error
    if isinstance(error, domain_errors.ValidationFailed):
        return Problem(422, "validation_failed", "validation_detail", errors=error.errors)
    if isinstance(error, domain_errors.NotFound):
        return Problem(404, "not_found", error.detail_code, error.params)
    if isinstance(error, domain_errors.Forbidden):
        return Problem(403, "forbidden", error.detail_code, error.params)
    if isinstance(error, domain_errors.TransitionNotAllowed):
        return Problem(409, "conflict", "transition_not_allowed", error.params,
                       extra={"allowed_actions": error.allowed_actions})
    if isinstance(error, domain_errors.Conflict):
        return Problem(409, "conflict", error.detail_code, error.params)
    if isinstance(error, domain_errors.IdempotencyKeyReused):
        return Problem(422, "validation_failed", "idempotency_key_reused")
    if isinstance(error, BadCursor):
        return Problem(400, "malformed_request", "bad_cursor")
    return None


# AWS error codes by what they mean for the client (mapped by code, whatever module raised them).
_CLIENT_MISTAKES = {"ValidationException", "SerializationException", "InvalidParameterValue", "InvalidArgument",
                    "KeyTooLongError", "InvalidRequest"}
_CONFLICTS = {"ConditionalCheckFailedException", "TransactionCanceledException", "PreconditionFailed"}
_UNAVAILABLE = {"ProvisionedThroughputExceededException", "ThrottlingException", "Throttling", "RequestLimitExceeded",
                "TooManyRequestsException", "ServiceUnavailable", "ServiceUnavailableException", "InternalServerError",
                "InternalFailure", "InternalError", "SlowDown", "TransactionConflictException",
                "TransactionInProgressException", "LimitExceededException", "RequestTimeout",
                "RequestTimeoutException", "PriorRequestNotComplete"}


def aws_error_code(error: BaseException) -> str | None:
    """The AWS error code of a botocore error, or of one a PynamoDB error wraps."""
    seen = 0
    while error is not None and seen < 5:
        response = getattr(error, "response", None)
        if isinstance(response, dict) and isinstance(response.get("Error"), dict):
            return response["Error"].get("Code")
        error = getattr(error, "cause", None) or error.__cause__
        seen += 1
    return None


def _is_connection_trouble(error: BaseException) -> bool:
    """Timeouts and broken connections to AWS: nothing the client did."""
    names = {cls.__name__ for cls in type(error).__mro__}
    return bool(names & {"EndpointConnectionError", "ConnectTimeoutError", "ReadTimeoutError", "ConnectionClosedError",
                         "HTTPClientError", "ProtocolError", "TimeoutError"})


def aws_problem(error: Exception) -> Problem | None:
    """Client mistakes AWS rejected are 400, lost conditions 409, throttling and outages 503 with Retry-After;
    anything else from AWS (access denied, a missing table: misconfiguration) is None, a logged 500."""
    code = aws_error_code(error)
    if code in _CLIENT_MISTAKES:
        return Problem(400, "malformed_request", "bad_request_value")
    if code in _CONFLICTS:
        return Problem(409, "conflict", "concurrent_update")
    if code in _UNAVAILABLE or (code is None and _is_connection_trouble(error)):
        return Problem(503, "service_unavailable", "service_unavailable_detail", headers={"Retry-After": "2"})
    return None


def view(handler: Callable[..., Any]) -> Callable[..., Any]:
    """Every route goes through this: known errors become problems, unknown ones a logged 500
    without internals (Chalice would otherwise answer with its own JSON shape)."""

    @functools.wraps(handler)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from ..api.context import current_request

        request = current_request()
        lang = language(request)
        try:
            return handler(*args, **kwargs)
        except Exception as error:  # noqa: BLE001 - this is the one place that maps every error
            problem = to_problem(error) or aws_problem(error)
            if problem is not None and problem.status >= 500:
                get_logger().warning("dependency unavailable", exc_info=True)
            if problem is None:
                # Misconfiguration (AccessDenied, a missing table) or a bug: an operator must look now.
                get_logger().exception("unhandled error", extra={"aws_error_code": aws_error_code(error)})
                _count_failure()
                problem = Problem(500, "internal_error", "internal_error_detail")
            return problem_response(problem, lang, request_path(request))

    return wrapper


def _count_failure() -> None:
    """The metric the 5xx alarm watches; a failure to count must not hide the failure itself."""
    from ..observability import count

    try:
        count("UnhandledError")
    except Exception:  # noqa: BLE001
        get_logger().warning("could not count the failure", exc_info=True)


def request_path(request: Any) -> str | None:
    """The path the client asked for (Chalice's `path` is the route template)."""
    context = getattr(request, "context", None) or {}
    return context.get("path") or getattr(request, "path", None)


def json_body(request: Any) -> dict:
    raw = request.raw_body or b""
    if len(raw) > MAX_BODY_BYTES:
        raise Problem(413, "malformed_request", "body_too_large", {"max": MAX_BODY_BYTES})
    if not raw.strip():
        raise Problem(400, "malformed_request", "body_not_object")
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError) as error:
        # RecursionError: deeply nested arrays exhaust the parser's stack well inside the size limit.
        raise Problem(400, "malformed_request", "malformed_json") from error
    if not isinstance(data, dict):
        raise Problem(400, "malformed_request", "body_not_object")
    return data


def json_response(body: Any, status: int = 200, headers: dict | None = None) -> Response:
    return Response(body=json.dumps(body, ensure_ascii=False, default=str), status_code=status,
                    headers={"Content-Type": "application/json", **(headers or {})})


_CHALICE_ERRORS = {400: ("malformed_request", "malformed_json"), 403: ("not_found", "route_not_found"),
                   404: ("not_found", "route_not_found"), 405: ("method_not_allowed", "method_not_allowed"),
                   415: ("unsupported_media_type", "unsupported_media_type"),
                   500: ("internal_error", "internal_error_detail")}


def request_middleware(event: Any, get_response: Callable[[Any], Response]) -> Response:
    """Correlation id in, correlation id out, one access-log line, and Chalice's own error
    responses (405, 415, ...) rewritten as problems so clients meet one error format."""
    started = time.perf_counter()
    headers = event.headers or {}
    context = event.context or {}
    fallback = context.get("requestId") or _new_id()
    set_correlation_id(accept_correlation_id(headers.get("x-correlation-id"), fallback))
    response = get_response(event)
    content_type = {k.lower(): v for k, v in response.headers.items()}.get("content-type", "")
    if response.status_code >= 400 and PROBLEM_JSON not in content_type:
        slug, detail = _CHALICE_ERRORS.get(response.status_code, ("internal_error", "internal_error_detail"))
        extra = {}
        if response.status_code == 415:  # name what the route takes: not every body is JSON
            extra = {"accepted": [_expected_media_type(event.path, event.method)]}
        problem = Problem(response.status_code, slug, detail, extra=extra,
                          headers={k: v for k, v in response.headers.items() if k.lower() == "allow"})
        response = problem_response(problem, pick_language(headers.get("accept-language")), request_path(event))
    response.headers["X-Correlation-Id"] = correlation_id() or fallback
    from .cors import add_headers

    add_headers(headers, response)
    get_logger().info("request", extra={"method": event.method, "path": event.path,
                                        "status": response.status_code,
                                        "duration_ms": round((time.perf_counter() - started) * 1000, 1)})
    return response


def _expected_media_type(path: str | None, method: str | None) -> str:
    from .contract import OPERATIONS

    found = next((op for op in OPERATIONS if op.path == path and op.method == method), None)
    return (found.raw_body if found else None) or "application/json"


def _new_id() -> str:
    from ..domain.ids import new_id

    return new_id()


_NEEDS_ACCEPT = {"application/pdf": "pdf_needs_accept"}


def file_response(content: bytes, media_type: str, file_name: str, accept: str | None,
                  disposition: str = "attachment") -> Response:
    """A file's bytes. API Gateway returns a binary body only to a request whose Accept names a binary type
    (`*/*`, `application/*` or the file's own), so any other Accept is told what to send (406)."""
    types = [part.split(";")[0].strip().lower() for part in (accept or "").split(",")]
    if not any(t in ("*/*", "application/*", media_type) for t in types):
        raise Problem(406, "not_acceptable", _NEEDS_ACCEPT.get(media_type, "xlsx_needs_accept"),
                      {"media_type": media_type})
    return Response(body=content, status_code=200,
                    headers={"Content-Type": media_type, "Cache-Control": "private, no-store",
                             "Content-Disposition": f'{disposition}; filename="{file_name}"'})
