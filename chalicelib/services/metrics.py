"""Service-quality metrics: the consumer that counts each event, the reads behind the scorecard and the
indicator tables, and the rebuild from the event log (docs/metrics.md)."""

from __future__ import annotations

import zlib
from collections import defaultdict
from datetime import UTC, date, datetime
from typing import Any

from ..domain.metric_facts import EVENT_FIELDS, PAYLOAD_FIELDS, Fact, facts, periods
from ..domain.periods import Period
from ..domain.quality import config_for, score_indicator, scorecard
from ..settings import get_settings
from ..store import metrics as store
from .queue_consumer import run_batch

CONSUMER = "metrics"

Rows = dict[tuple[str, str], dict[str, float]]


# --------------------------------------------------------------------------- counting


def handle_batch(raw_event: dict, context: Any = None) -> dict:
    # One read of the generation pointer per batch: a rebuild switches it only while this consumer is paused.
    generation = store.active_generation()
    return run_batch(raw_event, context, CONSUMER,
                     lambda event: count_event(event["dossier_id"], int(event["seq"]), generation))


def count_event(dossier_id: str, seq: int, generation: int | None = None) -> str:
    """Add what event `seq` of the dossier contributes; "counted", "duplicate" or "nothing"."""
    history = dossier_history(dossier_id, seq)
    if not history or history[-1]["seq"] != seq:
        raise RuntimeError(f"event {dossier_id}#{seq} is not in the log yet")  # retried by the queue
    found = facts(history)
    if not found:
        return "nothing"
    generation = generation or store.active_generation()
    try:
        store.apply(generation, dossier_id, seq, rows_for(found, dossier_id, generation))
    except store.Duplicate:
        return "duplicate"
    return "counted"


def dossier_history(dossier_id: str, up_to_seq: int) -> list[dict]:
    return store.event_history(dossier_id, up_to_seq, EVENT_FIELDS, PAYLOAD_FIELDS)


def shard_of(dossier_id: str) -> int:
    """Spreads one agency's writes over several items (docs/metrics.md: hot counters)."""
    return zlib.crc32(dossier_id.encode()) % get_settings().metrics_shards


def rows_for(found: list[Fact], dossier_id: str, generation: int, rows: Rows | None = None) -> Rows:
    rows = rows if rows is not None else defaultdict(lambda: defaultdict(float))
    shard = shard_of(dossier_id)
    for fact in found:
        dims = {"all": "-", "procedure": fact.procedure, "unit": fact.unit, "officer": fact.officer}
        for period in periods(fact.day):
            pk = store.counter_key(generation, fact.agency, period)
            for dimension, value in dims.items():
                if value:
                    # One officer's rows move only as fast as that officer works: no need to shard them.
                    row = store.row_key(dimension, value, 0 if dimension == "officer" else shard)
                    rows[(pk, row)][fact.counter] += fact.delta
    return rows


# --------------------------------------------------------------------------- rebuilding


def rebuild() -> dict:
    """Recompute every counter from the event log into the next generation, then switch readers to it.
    Run with the metrics consumer paused (docs/operations.md); what it queued meanwhile is counted
    afterwards, and what the rebuild already counted is recognised as a duplicate."""
    from ..store.models import EventModel, bind

    bind()
    generation = store.active_generation() + 1
    histories: dict[str, list[dict]] = defaultdict(list)
    for e in EventModel.scan():  # an operator's command over the whole log, never a request path
        histories[e.dossier_id].append({"seq": e.seq, "type": e.type, "at": e.at, "actor": e.actor.as_dict(),
                                        "payload": e.payload.as_dict()})
    rows: Rows = defaultdict(lambda: defaultdict(float))
    applied: dict[str, list[int]] = {}
    events = 0
    for dossier_id, history in histories.items():
        history.sort(key=lambda e: e["seq"])
        applied[dossier_id] = [e["seq"] for e in history]
        for i in range(len(history)):
            rows_for(facts(history[: i + 1]), dossier_id, generation, rows)
        events += len(history)
    written = store.write_generation(generation, rows, applied)
    store.set_active_generation(generation)
    return {"generation": generation, "dossiers": len(histories), "events": events, "items_written": written}


# --------------------------------------------------------------------------- reading


class Reader:
    """Counter reads for one agency and period, counting the items read (the scorecard's cost)."""

    def __init__(self, agency: str, period: Period) -> None:
        self.agency, self.period = agency, period
        self.generation = store.active_generation()
        self.items_read = 1  # the generation pointer

    def rows(self, prefix: str, buckets: list[str] | tuple[str, ...] | None = None) -> list[dict]:
        found = []
        for bucket in buckets or self.period.buckets:
            part = store.read(self.generation, self.agency, bucket, prefix)
            self.items_read += len(part)
            found += [{**row, "bucket": bucket} for row in part]
        return found

    @staticmethod
    def totals(rows: list[dict], key=None) -> dict:
        """Counters summed over shards and buckets: one dict, or one per `key(row)`."""
        grouped: dict = defaultdict(lambda: defaultdict(float))
        for row in rows:
            target = grouped[key(row) if key else None]
            for name, value in row["counters"].items():
                target[name] += value
        tidy = {k: {name: int(v) if float(v).is_integer() else v for name, v in c.items()} for k, c in grouped.items()}
        return tidy if key else tidy.get(None, {})


def catalogue_facts(agency: str, on: date, online_received: set[str]) -> dict:
    """What the published catalogue says about the agency's procedures on a day."""
    from ..store.procedures import ProcedureStore

    procedures = [p for p in ProcedureStore().catalogue(on) if p.agency_code == agency]
    online = [p for p in procedures if p.online_level.value in ("full", "partial")]
    return {"procedures": len(procedures), "online": len(online),
            "complete": sum(1 for p in procedures if _complete(p)),
            "online_used": sum(1 for p in online if p.code in online_received)}


def _complete(procedure) -> bool:
    """Published with every part the national rules list: name, method, documents, time, applicant,
    agency, fee (possibly none) and legal basis."""
    return all([procedure.name_vi, procedure.components, procedure.processing_time.value, procedure.applicant_types,
                procedure.agency_code, procedure.legal_basis, procedure.fees is not None])


def read_scorecard(agency: str, period: Period, today: date, rescore: bool = False) -> dict:
    reader = Reader(agency, period)
    totals = reader.totals(reader.rows("all#"))
    by_procedure = reader.totals(reader.rows("procedure#"), key=lambda r: r["value"])
    officers = reader.totals(reader.rows("officer#"), key=lambda r: r["value"])
    online_received = {code for code, c in by_procedure.items() if c.get("received_online", 0) > 0}
    catalogue = catalogue_facts(agency, min(period.last_day, today), online_received)
    desk_officers = sum(1 for c in officers.values() if c.get("received", 0) > 0)
    config = config_for(today if rescore else period.last_day)
    card = scorecard(config, totals, catalogue, desk_officers, period.days)
    return {"agency": agency, "period": {"label": period.label, "from": period.first_day.isoformat(),
                                         "to": period.last_day.isoformat(), "days": period.days},
            "rescored": rescore, "counters": totals, "catalogue": catalogue, "desk_officers": desk_officers,
            "items_read": reader.items_read, **card}


GROUPS = ("procedure", "unit", "officer", "day")


def read_indicator(agency: str, indicator_id: str, period: Period, today: date, group_by: str | None,
                   procedure: str | None, rescore: bool = False) -> dict | None:
    """One indicator, in total or per procedure, unit, officer or day; None if there is no such indicator."""
    config = config_for(today if rescore else period.last_day)
    indicator = config.indicator(indicator_id)
    if indicator is None:
        return None
    reader = Reader(agency, period)
    if group_by == "day":
        prefix = f"procedure#{procedure}#" if procedure else "all#"
        grouped = reader.totals(reader.rows(prefix, period.day_buckets()), key=lambda r: r["bucket"][2:])
        keys = [b[2:] for b in period.day_buckets()]
    elif group_by in ("procedure", "unit", "officer"):
        grouped = reader.totals(reader.rows(f"{group_by}#"), key=lambda r: r["value"])
        if procedure and group_by == "procedure":
            grouped = {k: v for k, v in grouped.items() if k == procedure}
        keys = sorted(grouped)
    else:
        prefix = f"procedure#{procedure}#" if procedure else "all#"
        grouped, keys = {"total": reader.totals(reader.rows(prefix))}, ["total"]
    rows = [{"key": key, **score_indicator(indicator, grouped.get(key, {}), {})} for key in keys]
    return {"agency": agency, "indicator": indicator_id, "name_vi": indicator.name_vi, "name_en": indicator.name_en,
            "period": {"label": period.label, "from": period.first_day.isoformat(), "to": period.last_day.isoformat()},
            "group_by": group_by, "procedure": procedure, "rows": rows, "items_read": reader.items_read}


def local_today() -> date:
    from ..domain.calendar import LOCAL_TZ

    return datetime.now(UTC).astimezone(LOCAL_TZ).date()
