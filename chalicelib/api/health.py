"""Liveness, and the answer for paths no route knows."""

from chalice import Blueprint

from .contract import operation, responses
from .http import Problem, view

bp = Blueprint(__name__)


@operation(bp, "GET", "/health", summary="Liveness", tag="Contract", auth=False, response=responses.Health)
def health():
    """Answers without touching AWS, so it can't be slowed by a dependency."""
    return {"status": "ok"}


@bp.route("/{proxy+}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
@view
def unknown_route():
    """Without this, API Gateway (and chalice local) answer unknown paths themselves: a 403 in
    their own format that echoes the Authorization header back."""
    raise Problem(404, "not_found", "route_not_found")
