"""Cross-origin access for browser clients on other origins, from the allowed origins in the settings."""

from __future__ import annotations

from typing import Any

from chalice import Response

ALLOWED_HEADERS = ("Authorization, Content-Type, Accept, Accept-Language, Idempotency-Key, If-Match, X-Correlation-Id, "
                   "Feedback-Key")
EXPOSED_HEADERS = "ETag, X-Correlation-Id, Location, Idempotent-Replayed, Retry-After, Content-Disposition"
ALLOWED_METHODS = "GET, POST, PUT, OPTIONS"
MAX_AGE_SECONDS = "600"


def allowed_origin(headers: dict | None) -> str | None:
    """The request's Origin if the settings allow it, else None (the browser then refuses the answer)."""
    from ..settings import get_settings

    origin = (headers or {}).get("origin")
    if not origin:
        return None
    allowed = get_settings().cors_allowed_origins
    return origin if origin in allowed or "*" in allowed else None


def add_headers(request_headers: dict | None, response: Response) -> None:
    origin = allowed_origin(request_headers)
    # Added to what the handler varies on (the language of the answer), never in its place: a cache that
    # forgot Accept-Language would serve a Vietnamese answer to an English page.
    varies = [v.strip() for v in response.headers.get("Vary", "").split(",") if v.strip()]
    response.headers["Vary"] = ", ".join(dict.fromkeys(["Origin", *varies]))
    if origin:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS


def preflight(request: Any) -> Response:
    """No allow headers for an origin that is not allowed: the browser stops there."""
    headers = {"Vary": "Origin"}
    if allowed_origin(request.headers):
        headers.update({"Access-Control-Allow-Methods": ALLOWED_METHODS,
                        "Access-Control-Allow-Headers": ALLOWED_HEADERS,
                        "Access-Control-Max-Age": MAX_AGE_SECONDS})
    return Response(body="", status_code=204, headers=headers)
