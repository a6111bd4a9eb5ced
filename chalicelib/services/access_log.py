"""The access log's use cases: record a read of a dossier, read a dossier's log, read one staff member's reads."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from ..domain import access_log as rules
from ..domain.calendar import LOCAL_TZ
from ..domain.dossier import Dossier
from ..domain.principal import Principal
from ..domain.times import iso
from ..observability import count, get_logger
from ..store.access_log import AccessLogStore


def record_read(principal: Principal, dossier: Dossier, method: str, route: str, now: datetime,
                file_id: str | None = None) -> None:
    """Record that `principal` read `dossier` through `route` (one PutItem), unless they are its applicant.

    A failed write is logged and counted (metric `AccessLogWriteFailed`), and the read it records is answered all
    the same. The choice is deliberate: the log is a record kept after the fact, and refusing an officer the
    dossier they are handling (or a file they must check) because the log's table throttled or failed would stop
    the service for a bookkeeping fault the applicant gains nothing from. The metric is what makes a gap in the log
    visible, so it is investigated rather than silent."""
    if not rules.is_recorded(principal, dossier):
        return
    try:
        AccessLogStore().put(rules.entry(principal, dossier, method, route, now, file_id, _title(principal)))
    except Exception:  # any failure of the write: the read is answered anyway (above)
        get_logger().exception("access log write failed", extra={"dossier_id": dossier.id, "route": route,
                                                                 "staff_id": principal.id})
        count("AccessLogWriteFailed")


def record_source_read(principal: Principal, dossier_id: str, dossier_code: str, method: str, route: str,
                       now: datetime, file_id: str | None = None) -> None:
    """`record_read` for what came from a dossier, read without the dossier (a walk-in applicant's stored papers,
    which a desk officer lists at intake): staff reads only, never failing the read."""
    try:
        AccessLogStore().put(rules.source_entry(principal, dossier_id, dossier_code, method, route, now, file_id,
                                                _title(principal)))
    except Exception:  # as record_read: the read is answered anyway
        get_logger().exception("access log write failed", extra={"dossier_id": dossier_id, "route": route,
                                                                 "staff_id": principal.id})
        count("AccessLogWriteFailed")


def _title(principal: Principal) -> str | None:
    """The reader's title (chức danh) from the staff directory, which authenticating the request has just read
    (cached): what the applicant sees beside the name."""
    from .staff import authority

    member = authority(principal.id)
    return getattr(member, "title", None) if member else None


def dossier_log(dossier: Dossier, for_applicant: bool, lang: str, limit: int,
                cursor: str | None) -> tuple[list[dict], str | None]:
    """A dossier's log, newest first: as its applicant reads it (staff by name, title, role and agency), or as
    staff of the handling agency do (everything recorded)."""
    items, next_cursor = AccessLogStore().for_dossier(dossier.id, limit, cursor)
    view = rules.applicant_view if for_applicant else rules.staff_view
    return [view(item, lang) for item in items], next_cursor


def staff_log(staff_id: str, first: date | None, last: date | None, lang: str, limit: int,
              cursor: str | None) -> tuple[list[dict], str | None]:
    """One staff member's reads across dossiers, newest first, on the local (Vietnam) days `first` to `last`."""
    low = _local_midnight(first) if first else None
    high = _local_midnight(last + timedelta(days=1)) if last else None
    items, next_cursor = AccessLogStore().for_staff(staff_id, low, high, limit, cursor)
    return [rules.staff_view(item, lang) for item in items], next_cursor


def _local_midnight(day: date) -> str:
    return iso(datetime.combine(day, time(0), LOCAL_TZ))
