"""The scheduled deadline watch (hourly)."""

from chalice import Blueprint, Rate

bp = Blueprint(__name__)


@bp.schedule(Rate(1, unit=Rate.HOURS), name="deadlines")
def deadlines(event):
    from datetime import UTC, datetime

    from ..services.deadlines import scan

    return scan(datetime.now(UTC))
