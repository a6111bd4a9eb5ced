"""The contract, served: `/openapi.json`, and `/docs`, a Swagger UI page whose assets the platform serves
itself (no CDN: officers' networks often block them, and the page must not load code from elsewhere).
The assets are the Swagger UI 5 build that AWS Lambda Powertools ships, already a dependency."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from chalice import Blueprint, Response

from .contract import operation

bp = Blueprint(__name__)

# The assets the page needs: name served -> (file in Powertools' swagger_ui folder, media type).
ASSETS = {"swagger-ui.css": ("swagger-ui.min.css", "text/css; charset=utf-8"),
          "swagger-ui-bundle.js": ("swagger-ui-bundle.min.js", "text/javascript; charset=utf-8")}
_PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>MotCua API</title>
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <link rel="stylesheet" href="docs/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="docs/swagger-ui-bundle.js"></script>
  <script src="docs/init.js"></script>
</body>
</html>
"""
# In a file of its own, not inline: the page's Content-Security-Policy allows scripts from 'self' only.
_INIT = "window.ui = SwaggerUIBundle({url: 'openapi.json', dom_id: '#swagger-ui', deepLinking: true});\n"
_CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; "
        "connect-src 'self'; frame-ancestors 'none'")


def _base_path(route: str) -> str:
    """The stage prefix API Gateway puts before the route (`/api`), empty locally."""
    path = (bp.current_request.context or {}).get("path") or route
    return path[: -len(route)] if path.endswith(route) else ""


@lru_cache(maxsize=4)
def _document_text(server_url: str) -> str:
    from .openapi import document

    return json.dumps(document(server_url), ensure_ascii=False)


@operation(bp, "GET", "/openapi.json", summary="This OpenAPI document", tag="Contract", auth=False)
def openapi_document():
    """Generated from the same models that validate requests and shape responses."""
    return Response(body=_document_text(_base_path("/openapi.json") or "/"), status_code=200,
                    headers={"Content-Type": "application/json", "Cache-Control": "public, max-age=300"})


@operation(bp, "GET", "/docs", summary="The API reference, readable (Swagger UI)", tag="Contract", auth=False,
           media_types=("text/html",))
def docs_page():
    # Relative links: the page works under API Gateway's stage prefix and locally alike.
    return Response(body=_PAGE.replace('href="docs/', f'href="{_base_path("/docs")}/docs/')
                    .replace('src="docs/', f'src="{_base_path("/docs")}/docs/')
                    .replace("url: 'openapi.json'", f"url: '{_base_path('/docs')}/openapi.json'"),
                    status_code=200, headers={"Content-Type": "text/html; charset=utf-8",
                                              "Content-Security-Policy": _CSP, "Cache-Control": "public, max-age=300"})


@operation(bp, "GET", "/docs/{asset}", summary="An asset of the reference page", tag="Contract", auth=False,
           media_types=("text/css", "text/javascript"))
def docs_asset(asset):
    from .http import Problem

    if asset == "init.js":
        body, media_type = _INIT, "text/javascript; charset=utf-8"
    elif asset in ASSETS:
        body, media_type = _asset(asset), ASSETS[asset][1]
    else:
        raise Problem(404, "not_found", "route_not_found")
    return Response(body=body, status_code=200, headers={"Content-Type": media_type,
                                                         "Cache-Control": "public, max-age=86400"})


@lru_cache(maxsize=len(ASSETS))
def _asset(name: str) -> str:
    import importlib.util

    # Found by path: importing Powertools' event handler package would load what the platform does not use.
    spec = importlib.util.find_spec("aws_lambda_powertools")
    folder = Path(next(iter(spec.submodule_search_locations))) / "event_handler" / "openapi" / "swagger_ui"
    return (folder / ASSETS[name][0]).read_text(encoding="utf-8")
