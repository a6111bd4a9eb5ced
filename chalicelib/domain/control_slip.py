"""The control slip (form 06 since Circular 03/2025): one step per hand-over of a dossier, closed on time or late."""

from __future__ import annotations

from datetime import date, datetime

from .principal import Principal
from .states import Transition
from .times import iso


def who(principal: Principal, transition: Transition) -> dict:
    """The person on one side of a step, as the slip and the records show them."""
    actor = principal.actor(transition)
    return {"id": actor["id"], "name": actor["name"] or actor["username"], "role": actor["role"],
            "agency_code": principal.agency_code, "unit": principal.unit}


def slip_step(number: int, action: str, giver: dict, taker: dict, at: datetime, due: date | None) -> dict:
    return {"step": number, "action": action, "from": giver, "to": taker, "handed_at": iso(at),
            "due_date": due.isoformat() if due else None, "completed_at": None, "on_time": None}


def close_open_step(slip: list[dict], now: datetime, local_today: date) -> None:
    if slip and slip[-1]["completed_at"] is None:
        step = slip[-1]
        step["completed_at"] = iso(now)
        step["on_time"] = step["due_date"] is None or local_today <= date.fromisoformat(step["due_date"])


def move_open_step_due(slip: list[dict], previous: date | None, new: date) -> None:
    """When the appointment date moves, the open step that was due on it gets the time back too."""
    open_step = slip[-1] if slip else None
    if open_step and open_step["completed_at"] is None and previous \
            and open_step["due_date"] == previous.isoformat():
        open_step["due_date"] = new.isoformat()
