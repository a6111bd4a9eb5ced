"""Every dossier and every status change reported to the national portal (docs/national-portal.md §2–4).

An event is only the trigger: the push always carries the dossier as it is now (its version = its last event's
sequence number), and the dossier's sync state says which version the portal acknowledged. So a redelivered,
replayed or late event sends nothing stale (the state is already at or past it), and an event whose push failed
is repaired by the next push of the same dossier. A lease on the sync state keeps two deliveries of one dossier
from pushing at once (the one that finds it held fails and the queue retries it).
"""

from __future__ import annotations

import contextlib
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from ..adapters import national_portal as gateway
from ..domain import national_portal as mapping
from ..domain.agencies import agency
from ..domain.dossier import Dossier
from ..domain.times import iso
from ..observability import count, get_logger
from ..settings import get_settings
from ..store import portal as portal_store
from ..store.dossiers import DossierStore
from ..store.procedures import ProcedureStore
from .queue_consumer import PoisonMessage, run_batch

CONSUMER = "portal_sync"
# Longer than the longest push: a login and four calls at the gateway's timeout.
LEASE_SECONDS = 90
# Fields the reconciliation compares with what the portal holds: a difference means an update was lost.
COMPARED = ("TrangThaiHoSo", "NgayTiepNhan", "NgayHenTra", "NgayKetThucXuLy", "NgayTra", "MaTTHC")
LOOKUP_BATCH = 100  # TraCuuHoSo's limit


# A failed push waits 30 s, then twice as long after each failure, at most 15 min (SQS's own cap is 12 h): with
# the queue's 10 receives, the portal may be away for about an hour and a quarter before a change reaches the DLQ.
BACKOFF_FIRST_SECONDS, BACKOFF_MAX_SECONDS = 30, 900


def handle_batch(raw_event: dict, context: Any = None) -> dict:
    result = run_batch(raw_event, context, CONSUMER, push_event)
    _back_off(raw_event, result)
    return result


def backoff_seconds(receive_count: int) -> int:
    return min(BACKOFF_MAX_SECONDS, BACKOFF_FIRST_SECONDS * 2 ** max(0, receive_count - 1))


def _back_off(raw_event: dict, result: dict) -> None:
    """Hold each failed message back for longer the more often it failed (the queue's visibility timeout
    alone would retry a down portal every 6 minutes, ten times, whatever happened)."""
    failed = {f.get("itemIdentifier") for f in result.get("batchItemFailures") or []}
    if not failed:
        return
    from ..store.aws import client

    sqs = client("sqs")
    for record in raw_event.get("Records") or []:
        if record.get("messageId") not in failed or not record.get("receiptHandle"):
            continue
        count = int((record.get("attributes") or {}).get("ApproximateReceiveCount") or 1)
        try:
            sqs.change_message_visibility(QueueUrl=_queue_url(record.get("eventSourceARN", "")),
                                          ReceiptHandle=record["receiptHandle"],
                                          VisibilityTimeout=backoff_seconds(count))
        except Exception:  # noqa: BLE001 - then the queue's own timeout applies; the message is not lost
            get_logger().warning("could not hold a failed push back", exc_info=True)


def _queue_url(arn: str) -> str:
    """arn:aws:sqs:<region>:<account>:<name> -> the queue's URL (no GetQueueUrl call)."""
    _, _, _, region, account, name = arn.split(":", 5)
    base = get_settings().endpoint_url or f"https://sqs.{region}.amazonaws.com"
    return f"{base.rstrip('/')}/{account}/{name}"


def push_event(event: dict) -> str:
    if not get_settings().national_portal_url:
        return "disabled"  # a scratch stage without the link; every deployed stage sets the address
    return sync(event["dossier_id"], event=event)


def sync(dossier_id: str, force: bool = False, now: datetime | None = None, event: dict | None = None) -> str:
    """Bring the portal up to the dossier's current version: "synced", or "duplicate" when it already was.
    `force` pushes the record even if the portal acknowledged it (the reconciliation found it lost); `event`,
    the event that triggered the push, spares reading it back when it is the only one the portal lacks."""
    now = now or datetime.now(UTC)
    state = portal_store.take_lease(dossier_id, time.time(), LEASE_SECONDS)  # also answers the state as it was
    done: dict = {}
    try:
        dossier = DossierStore().get(dossier_id)
        if dossier is None:
            raise PoisonMessage(f"no dossier {dossier_id}")
        if not force and min(state.record_version, state.progress_version) >= dossier.version:
            portal_store.finish(dossier_id, {}, now)
            return "duplicate"
        events = _events_after(dossier, min(state.record_version, state.progress_version), event)
        if force or state.record_version < dossier.version:
            # Every status the dossier went through since the last acknowledged one, in order: the portal
            # shows the citizen each step even when this consumer fell behind (pushed with today's record).
            # What each push achieved is kept even if a later one fails.
            for status in _statuses_to_report(dossier, state, events):
                _push_record(dossier, done.get("created", state.created), status)
                done.update(created=True, portal_status=status, portal_code=mapping.portal_code(dossier),
                            agency_code=dossier.agency_code, procedure_code=dossier.procedure_code,
                            synced_at=iso(now),
                            submitted_day=dossier.submitted_at.astimezone(_local()).date().isoformat())
                if state.first_synced_at is None and "first_synced_at" not in done:
                    _count_synced(dossier)
                    done["first_synced_at"] = iso(now)
            done["record_version"] = dossier.version
        units = agency(dossier.agency_code)

        def unit_name(unit_id: str) -> str | None:
            found = units.unit(unit_id) if units else None
            return found.name_vi if found else None

        entries = [mapping.progress_entry(dossier, e, unit_name) for e in events
                   if int(e["seq"]) > state.progress_version]
        if entries:
            gateway.call("CapNhatTienDoHoSoMC", data=entries)
        done["progress_version"] = dossier.version
        portal_store.finish(dossier_id, done, now)
        return "synced"
    except BaseException as error:
        portal_store.finish(dossier_id, done, now, error=f"{type(error).__name__}: {error}")
        raise


def _local():
    from ..domain.calendar import LOCAL_TZ

    return LOCAL_TZ


def record_of(dossier: Dossier) -> dict:
    procedure = ProcedureStore().version(dossier.procedure_code, dossier.procedure_version)
    if procedure is None:  # versions are never deleted
        raise RuntimeError(f"procedure {dossier.procedure_code} v{dossier.procedure_version} missing")
    found = agency(dossier.agency_code)
    return mapping.record(dossier, procedure, found.name_vi if found else dossier.agency_code, _file_url(dossier))


def _file_url(dossier: Dossier):
    """Where the platform's API serves a file (to staff and the applicant, with a token): a path of the API."""
    results = {f["upload_id"] for f in dossier.results}

    def url(upload_id: str) -> str:
        if upload_id in results:
            return f"/dossiers/{dossier.id}/results/{upload_id}"
        return f"/uploads/{upload_id}"

    return url


def _statuses_to_report(dossier: Dossier, state, events: list[dict]) -> list[int]:
    """The national statuses to send, in order: each change among the events the portal has not seen, ending
    with the dossier's current one (a forced push sends just that)."""
    found, last = [], state.portal_status
    for event in events:
        status = (event.get("payload") or {}).get("national_status")
        if int(event["seq"]) > state.record_version and status and status != last:
            found.append(int(status))
            last = status
    if not found or found[-1] != dossier.national_status:
        found.append(dossier.national_status)
    return found


def _push_record(dossier: Dossier, created: bool, status: int) -> None:
    """Create or update the record; the gateway's "unknown" or "exists" answer flips the call once (the sync
    state can lag behind the portal when an acknowledgement was lost)."""
    data = [{**record_of(dossier), "TrangThaiHoSo": status}]
    try:
        gateway.call("DongBoHoSoMC", isUpdating="True" if created else "False", data=data)
    except gateway.PortalRefused as refused:
        if refused.code not in (gateway.UNKNOWN, gateway.EXISTS):
            raise
        gateway.call("DongBoHoSoMC", isUpdating="False" if refused.code == gateway.UNKNOWN else "True", data=data)


def _events_after(dossier: Dossier, after: int, delivered: dict | None = None) -> list[dict]:
    """The dossier's events after `after`, in order. In order, the one missing is the event just delivered;
    otherwise they are read back from the log."""
    if after >= dossier.version:
        return []
    if delivered is not None and after + 1 == int(delivered["seq"]) == dossier.version:
        return [delivered]
    from ..store.metrics import event_history

    return event_history(dossier.id, dossier.version, ("seq", "type", "at", "actor", "payload"), (), after + 1)


def _count_synced(dossier: Dossier) -> None:
    """The "synced to the national portal" fact, once per dossier, on the day it was submitted (so that it
    is counted against the dossiers of the same period). Counted with the metric store's dedupe marker under
    sequence number 0, which no event has."""
    from ..domain.metric_facts import Fact
    from ..store import metrics as metric_store
    from .metrics import rows_for

    fact = Fact("portal_synced", 1, dossier.submitted_at.astimezone(_local()).date(), dossier.agency_code,
                dossier.procedure_code)
    generation = metric_store.active_generation()
    with contextlib.suppress(metric_store.Duplicate):
        metric_store.apply(generation, dossier.id, 0, rows_for([fact], dossier.id, generation))


# --------------------------------------------------------------------------- reconciliation


def reconcile(now: datetime | None = None, hours: int = 26, settle_minutes: int = 5) -> dict:
    """Ask the portal for every dossier that changed here in the last `hours` (minus the last few minutes,
    which are still on their way) and push again, forced, each one it holds differently or not at all."""
    if not get_settings().national_portal_url:
        return {"checked": 0, "repaired": 0, "failed": 0, "disabled": True}
    now = now or datetime.now(UTC)
    ids = portal_store.changed_dossiers(now - timedelta(hours=hours), now - timedelta(minutes=settle_minutes))
    dossiers = DossierStore().get_many(sorted(ids))
    checked = repaired = failed = 0
    items = sorted(dossiers.values(), key=lambda d: d.id)
    for start in range(0, len(items), LOOKUP_BATCH):
        batch = {mapping.portal_code(d): d for d in items[start:start + LOOKUP_BATCH]}
        answer = gateway.call("TraCuuHoSo", mahoso=sorted(batch))
        held = {r.get("MaHoSo"): r for r in answer.get("result") or [] if isinstance(r, dict)}
        for code, dossier in batch.items():
            checked += 1
            if not _differs(record_of(dossier), held.get(code)):
                continue
            try:
                sync(dossier.id, force=True, now=now)
                repaired += 1
            except Exception:  # one dossier's failure must not stop the others; the next run retries it
                failed += 1
                get_logger().exception("reconciliation push failed", extra={"dossier_id": dossier.id})
    for _ in range(repaired):  # each a lost update the portal now has: worth an alarm if it keeps happening
        count("PortalUpdateRepaired")
    return {"checked": checked, "repaired": repaired, "failed": failed}


def _differs(mine: dict, theirs: dict | None) -> bool:
    if theirs is None:
        return True
    return any(str(mine.get(field, "")) != str(theirs.get(field, "")) for field in COMPARED)


# --------------------------------------------------------------------------- catalogue


def catalogue_report(on) -> dict:
    """The platform's procedures against the portal's list (LayDanhSachTTHC): those the portal does not
    know by the code we send, those whose field code differs, and the portal's procedures of our agencies
    we do not offer."""
    answer = gateway.call("LayDanhSachTTHC")
    theirs = {str(p.get("MATTHC")): p for p in answer.get("result") or [] if isinstance(p, dict)}
    ours = ProcedureStore().catalogue(on)
    unknown, field_differs = [], []
    for procedure in ours:
        found = theirs.get(procedure.portal_procedure_code)
        if found is None:
            unknown.append(procedure.code)
            continue
        fields = [f.get("MALINHVUC") for f in found.get("LINHVUCTHUCHIEN") or []]
        if fields and procedure.portal_field_code not in fields:
            field_differs.append({"code": procedure.code, "ours": procedure.portal_field_code, "portal": fields})
    mapped = {p.portal_procedure_code for p in ours}
    agencies = {p.agency_code for p in ours}
    not_offered = sorted(code for code, p in theirs.items() if code not in mapped and any(
        a.get("MADONVI") in agencies for a in p.get("COQUANTHUCHIEN") or []))
    return {"procedures": len(ours), "mapped": len(ours) - len(unknown), "unknown_to_portal": unknown,
            "field_code_differs": field_differs, "portal_procedures_not_offered": not_offered}
