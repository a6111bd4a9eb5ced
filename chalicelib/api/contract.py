"""The API contract: every route is declared once, with its models, and the rest derives from it.

`operation(...)` registers the Chalice route, parses the query and the body with the declared pydantic
models before the handler runs, maps every error to a problem, and records the declaration in
`OPERATIONS`, from which `/openapi.json` (chalicelib/api/openapi.py), the CORS preflight routes and the
contract tests are built.

Models are named through lazy references (chalicelib/refs.py): importing `app` must not load pydantic.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .. import refs
from .http import Problem, json_body, view

ModelRef = refs.ModelRef
requests, queries, responses = refs.requests, refs.queries, refs.responses

# Problems every route can answer, besides those it declares.
COMMON_PROBLEMS = (400, 500, 503)
AUTH_PROBLEMS = (401, 403)


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    name: str  # the operationId: the handler's name
    summary: str
    tag: str
    auth: bool | str  # True: a token required; False: none; "optional": read by the handler when one is sent
    description: str = ""
    body: ModelRef | None = None
    query: ModelRef | None = None
    response: ModelRef | None = None
    status: int = 200
    problems: tuple[int, ...] = ()
    headers: tuple[str, ...] = ()  # request headers the operation reads (documented as parameters)
    response_headers: tuple[str, ...] = ()
    media_types: tuple[str, ...] = ("application/json",)
    roles: tuple[str, ...] = ()
    signed: bool = False  # authenticated by a signature over the raw body, which the handler checks first
    raw_body: str | None = None  # a body taken as bytes of this media type (e.g. a PDF), not parsed
    max_body_bytes: int | None = None  # the largest raw body accepted (413 beyond it)


OPERATIONS: list[Operation] = []


def operation(bp: Any, method: str, path: str, *, summary: str, tag: str, auth: bool | str = True,
              description: str = "",
              body: ModelRef | None = None, query: ModelRef | None = None, response: ModelRef | None = None,
              status: int = 200, problems: tuple[int, ...] = (), headers: tuple[str, ...] = (),
              response_headers: tuple[str, ...] = (), media_types: tuple[str, ...] = ("application/json",),
              roles: tuple[str, ...] = (), name: str | None = None,
              content_types: list[str] | None = None,
              signed: bool = False, raw_body: str | None = None,
              max_body_bytes: int | None = None) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare and register one route. The handler receives the path parameters, plus `query=` and
    `body=` (parsed models) when the operation declares them. A `signed` operation (a partner system's call,
    no token) documents its body but parses it itself, after it has checked the signature over the raw bytes.
    A `raw_body` operation gets the body as bytes of that media type (`body=`), at most `max_body_bytes`."""

    def decorate(handler: Callable[..., Any]) -> Callable[..., Any]:
        op = Operation(method=method, path=path, name=name or handler.__name__, summary=summary, tag=tag, auth=auth,
                       description=description or (handler.__doc__ or "").strip(), body=body, query=query,
                       response=response, status=status, problems=problems, headers=headers,
                       response_headers=response_headers, media_types=media_types, roles=roles, signed=signed,
                       raw_body=raw_body, max_body_bytes=max_body_bytes)
        OPERATIONS.append(op)

        @functools.wraps(handler)
        def endpoint(**path_params: Any) -> Any:
            request = bp.current_request
            if auth is True:
                # Who asks comes first: a stranger learns nothing from a validation error.
                from .auth import authenticate

                authenticate(request)
            kwargs = dict(path_params)
            if query is not None:
                kwargs["query"] = parse_query(query.resolve(), request.query_params or {})
            elif request.query_params:
                _no_query(request.query_params)
            if body is not None and not signed:
                from .validation import parse

                kwargs["body"] = parse(body.resolve(), json_body(request))
            if raw_body is not None:
                kwargs["body"] = _raw_body(request, max_body_bytes)
            return handler(**kwargs)

        endpoint.__name__ = op.name
        # No API Gateway authorizer: the app verifies every token itself (auth.py), the user pool's and the national
        # identity providers' alike, which a gateway Cognito authorizer would refuse (docs/identity.md).
        options: dict[str, Any] = {"methods": [method]}
        if content_types or raw_body:
            options["content_types"] = content_types or [raw_body]
        bp.route(path, **options)(view(endpoint))
        return handler

    return decorate


def _raw_body(request: Any, limit: int | None) -> bytes:
    raw = request.raw_body or b""
    if limit is not None and len(raw) > limit:
        raise Problem(413, "malformed_request", "body_too_large", {"max": limit})
    if not raw:
        raise Problem(400, "malformed_request", "body_empty")
    return raw


def _no_query(params: dict) -> None:
    from ..domain.errors import FieldError

    raise Problem(400, "malformed_request", "bad_query",
                  errors=[FieldError(name, "field.unknown") for name in sorted(params)])


def parse_query(model: Any, params: dict) -> Any:
    """Query parameters into the operation's model; every bad or unknown one reported at once (400)."""
    from ..domain.errors import ValidationFailed
    from .validation import parse

    params = dict(params)
    cross = getattr(model, "cross_field_errors", lambda _: [])(params)
    try:
        found = parse(model, params)
    except ValidationFailed as failed:
        raise Problem(400, "malformed_request", "bad_query", errors=failed.errors + cross) from failed
    if cross:
        raise Problem(400, "malformed_request", "bad_query", errors=cross)
    return found


def paths() -> list[str]:
    """Every declared path, once each, in declaration order."""
    return list(dict.fromkeys(op.path for op in OPERATIONS))


def register_preflight(bp: Any) -> None:
    """An OPTIONS route for every declared path: the preflight is answered by the app (allowed origins
    are settings, so API Gateway's static CORS configuration cannot answer it)."""
    from .cors import preflight

    for number, path in enumerate(paths()):
        def answer(**_: Any) -> Any:
            return preflight(bp.current_request)

        answer.__name__ = f"preflight_{number}"
        bp.route(path, methods=["OPTIONS"])(answer)
