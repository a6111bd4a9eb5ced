"""The hourly check of feedback limits (docs/feedback.md): each agency step past its limit raises
`feedback.overdue` once."""

from chalice import Blueprint, Rate

bp = Blueprint(__name__)


@bp.schedule(Rate(1, unit=Rate.HOURS), name="feedback-overdue")
def feedback_overdue(event):
    from datetime import UTC, datetime

    from ..services.feedback import FeedbackService

    return {"flagged": FeedbackService().flag_overdue(datetime.now(UTC))}
