"""Liveness: answers without touching AWS, so it can't be slowed by a dependency."""

from chalice import Blueprint

bp = Blueprint(__name__)


@bp.route("/health", methods=["GET"])
def health():
    return {"status": "ok"}
