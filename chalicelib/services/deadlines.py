"""The deadline watch: flags open dossiers that are about to be late or are late, as events.

Reads only the `agency-due-index` range of each agency's open dossiers due up to the warning
horizon, so its cost follows the number of dossiers near their deadline, not the size of the table.
"""

from __future__ import annotations

from datetime import datetime

from ..domain import transitions as rules
from ..domain.deadlines import OVERDUE, deadline_state
from ..domain.errors import Conflict, TransitionNotAllowed
from ..domain.principal import Principal
from ..domain.states import Action, Role
from ..observability import count, get_logger
from ..settings import get_settings
from ..store.dossiers import DossierStore
from ..store.procedures import ProcedureStore
from .dossiers import local_day, working_calendar

SCANNER = Principal(id="system:deadlines", username="deadline-scan", roles=frozenset({Role.SYSTEM}),
                    name="Deadline watch")
_FLAG = {"due_soon": Action.FLAG_DUE_SOON, OVERDUE: Action.FLAG_OVERDUE}


def scan(now: datetime, agencies: list[str] | None = None) -> dict:
    settings = get_settings()
    calendar = working_calendar(settings)
    today = local_day(now)
    horizon = calendar.add_working_days(today, settings.deadline_warning_days)
    store = DossierStore()
    if agencies is None:
        # And every agency with a desk: one may hold another agency's dossier it received until it forwards it.
        from ..domain.agencies import all_agencies

        agencies = sorted({p.agency_code for p in ProcedureStore().all_versions()} | {a.code for a in all_agencies()})
    read = flagged = 0
    for agency in agencies:
        dossiers, _ = store.open_due_by(agency, horizon)
        read += len(dossiers)
        for dossier in dossiers:
            flagged += flag(store, dossier, now) is not None
    get_logger().info("deadline scan", extra={"agencies": len(agencies), "read": read, "flagged": flagged})
    return {"agencies": len(agencies), "read": read, "flagged": flagged, "as_of": today.isoformat()}


def flag(store: DossierStore, dossier, now: datetime) -> str | None:
    """Flag one open dossier due soon or overdue as of `now` (once each); the state flagged, or None."""
    settings = get_settings()
    calendar, today = working_calendar(settings), local_day(now)
    state = deadline_state(dossier.due_date, today, calendar, settings.deadline_warning_days)
    if state is None or state == dossier.deadline_alert or dossier.deadline_alert == OVERDUE:
        return None
    try:
        changed, event = rules.act(dossier, SCANNER, _FLAG[state], now, today,
                                   {"due_date": dossier.due_date.isoformat(), "as_of": today.isoformat()})
        store.apply(dossier.version, changed, event)
    except (Conflict, TransitionNotAllowed):
        return None  # it changed meanwhile; the next run looks again
    count("DeadlineFlags", state=state)
    return state
