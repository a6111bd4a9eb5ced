"""Service-quality metrics: the consumer that counts each event, the reads behind the scorecard and the
indicator tables, and the rebuild from the event log (docs/metrics.md)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from ..domain.metric_facts import EVENT_FIELDS, PAYLOAD_FIELDS, Fact, FoldState, facts_after, fold
from ..domain.periods import Period
from ..domain.quality import config_for, score_indicator, scorecard
from ..store import metrics as store
from .queue_consumer import PoisonMessage, event_of, run_batch

CONSUMER = "metrics"

Rows = dict[tuple[str, str], dict[str, float]]


# --------------------------------------------------------------------------- counting


_generation_seen: int | None = None  # the generation this container read last: its markers are read with it
FOLD_ATTEMPTS = 3


class FoldKeptMoving(RuntimeError):
    """Other deliveries of the same dossier counted meanwhile, every time: retry later (the queue does)."""

    retry_later = True  # expected when a dossier's events come in a burst: not an error to alarm on


def handle_batch(raw_event: dict, context: Any = None) -> dict:
    # One batch read per batch: the generation pointer (a rebuild switches it only while this consumer is
    # paused) and the dedupe markers, with their fold states, of the batch's dossiers.
    global _generation_seen
    dossier_ids = []
    for record in raw_event.get("Records") or []:
        try:
            dossier_ids.append(event_of(record.get("body") or "")["dossier_id"])
        except PoisonMessage:
            continue  # run_batch fails it alone
    generation, marks = store.read_marks(dossier_ids, _generation_seen)
    _generation_seen = generation
    return run_batch(raw_event, context, CONSUMER, lambda event: count_event(event, generation, marks))


def count_event(event: dict, generation: int | None = None, marks: dict[str, store.Mark] | None = None) -> str:
    """Add what `event` (as delivered: id, type, dossier_id, seq, at, actor, payload) contributes;
    "counted", "duplicate" or "nothing". `marks` holds dossiers' markers already read (and is kept up to
    date); a dossier not in it is read."""
    dossier_id, seq = event["dossier_id"], int(event["seq"])
    generation = generation or store.active_generation()
    marks = marks if marks is not None else {}
    for _ in range(FOLD_ATTEMPTS):
        mark = marks.get(dossier_id) or store.read_mark(generation, dossier_id)
        if seq in mark.seqs:
            return "duplicate"
        before, moves = state_before(dossier_id, seq, mark)
        found = facts_after(before, event)
        if not found:
            return "nothing"  # such an event moves no state either (tests/unit/domain/test_metric_facts.py)
        after = fold([event], before).to_dict() if moves else None
        try:
            store.apply(generation, dossier_id, seq, rows_for(found, dossier_id, generation), after, mark.folded_to)
        except store.Duplicate:
            return "duplicate"
        except store.FoldMoved:
            marks.pop(dossier_id, None)  # another delivery of this dossier counted meanwhile: read again
            continue
        marks[dossier_id] = store.Mark(mark.seqs | {seq}, seq if moves else mark.folded_to,
                                       after if moves else mark.fold)
        return "counted"
    raise FoldKeptMoving(f"{dossier_id}#{seq}: the fold state kept moving")  # the queue retries it


def state_before(dossier_id: str, seq: int, mark: store.Mark) -> tuple[FoldState, bool]:
    """The fold state after the dossier's events before `seq`, and whether counting `seq` moves the kept
    state. Usually the kept state is right before it (no read); after events this consumer is not sent
    (or counted nothing), the few in between are read; an event older than the kept state (delivered out
    of order) is counted from its whole history."""
    folded_to = mark.folded_to or 0
    kept = FoldState.from_dict(mark.fold or {}) if mark.folded_to else FoldState()
    if folded_to == seq - 1:
        return kept, True
    if folded_to < seq - 1:
        return fold(dossier_history(dossier_id, seq - 1, folded_to + 1), kept), True
    return fold(dossier_history(dossier_id, seq - 1)), False


def dossier_history(dossier_id: str, up_to_seq: int, from_seq: int = 1) -> list[dict]:
    """The dossier's events `from_seq` to `up_to_seq`, all of them (an event is relayed only once written,
    and every earlier one of its dossier was written before it)."""
    if up_to_seq < from_seq:
        return []
    history = store.event_history(dossier_id, up_to_seq, EVENT_FIELDS, PAYLOAD_FIELDS, from_seq)
    if [e["seq"] for e in history] != list(range(from_seq, up_to_seq + 1)):
        raise RuntimeError(f"events {from_seq}-{up_to_seq} of {dossier_id} are not all in the log")  # retried
    return history


def rows_for(found: list[Fact], dossier_id: str, generation: int, rows: Rows | None = None) -> Rows:
    rows = rows if rows is not None else defaultdict(lambda: defaultdict(float))
    for fact in found:
        # The agency's total is the sum of the `all` row and the procedures' rows (Reader.total): a fact of a
        # procedure is written once for both, a fact of none (a desk visit) to `all`.
        dims = {"procedure": fact.procedure} if fact.procedure else {"all": "-"}
        dims |= {"unit": fact.unit, "officer": fact.officer}
        for dimension, value in dims.items():
            if value:
                # The shard is in the partition key (docs/metrics.md: hot counters).
                shard = store.shard_of(dossier_id, dimension, value)
                pk = store.counter_key(generation, fact.agency, f"{fact.day:%Y-%m}", shard)
                rows[(pk, store.row_key(dimension, value, fact.day.isoformat()))][fact.counter] += fact.delta
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
    folds: dict[str, tuple[int, dict]] = {}
    events = 0
    for dossier_id, history in histories.items():
        history.sort(key=lambda e: e["seq"])
        applied[dossier_id] = [e["seq"] for e in history]
        state = FoldState()
        for event in history:  # the consumer's steps: the facts from the state before, then the state after
            rows_for(facts_after(state, event), dossier_id, generation, rows)
            state = fold([event], state)
        folds[dossier_id] = (history[-1]["seq"], state.to_dict())
        events += len(history)
    # Not in the event log: the national portal's first acknowledgement of each dossier, which the sync
    # consumer counts under sequence number 0 (chalicelib/services/portal_sync.py).
    for synced in _portal_synced_facts():
        rows_for([synced.fact], synced.dossier_id, generation, rows)
        applied.setdefault(synced.dossier_id, []).append(0)
    written = store.write_generation(generation, rows, applied, folds)
    store.set_active_generation(generation)
    return {"generation": generation, "dossiers": len(histories), "events": events, "items_written": written}


@dataclass(frozen=True)
class _Synced:
    dossier_id: str
    fact: Fact


def _portal_synced_facts() -> list[_Synced]:
    from ..store.portal import all_states

    return [_Synced(s.dossier_id, Fact("portal_synced", 1, date.fromisoformat(s.submitted_day), s.agency_code,
                                       s.procedure_code or ""))
            for s in all_states() if s.first_synced_at and s.submitted_day and s.agency_code]


# --------------------------------------------------------------------------- reading


class Reader:
    """Counter reads for one agency and period, counting the items read (the scorecard's cost). A period is
    made of buckets, months (`M#2026-11`) or days (`D#2026-11-21`); both are read from their month's
    `METRICS_SHARDS` partitions, one query per month and shard, and each row found is given the buckets it
    falls in."""

    def __init__(self, agency: str, period: Period) -> None:
        self.agency, self.period = agency, period
        self.generation = store.active_generation()
        self.items_read = 1  # the generation pointer

    def rows(self, prefix: str = "", buckets: list[str] | tuple[str, ...] | None = None,
             below: str | None = None) -> list[dict]:
        months: dict[str, list[str]] = defaultdict(list)
        for bucket in buckets or self.period.buckets:
            months[bucket[2:9]].append(bucket)
        found = []
        for month, wanted in months.items():
            part = store.read(self.generation, self.agency, month, prefix, below)
            self.items_read += len(part)
            for row in part:
                # A row from before days moved into the key (`day` None) is its whole month's: no day's.
                found += [{**row, "bucket": bucket} for bucket in wanted
                          if bucket.startswith("M#") or (row["day"] is not None and bucket == f"D#{row['day']}")]
        return found

    def row(self, dimension: str, value: str, buckets: list[str] | tuple[str, ...] | None = None) -> list[dict]:
        """One row (`all`, `-`; `procedure`, `<code>`) in every bucket and shard. The prefix also finds a value
        that merely starts with this one (a code `1.01` finds `1.0142`): those are left out."""
        return [r for r in self.rows(f"{dimension}#{value}", buckets) if r["value"] == value]

    def total(self, buckets: list[str] | tuple[str, ...] | None = None) -> list[dict]:
        """The rows whose sum is the agency's total: what belongs to no procedure and each procedure's."""
        return [r for r in self.rows("all#", buckets) + self.rows("procedure#", buckets) if in_total(r)]

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


def in_total(row: dict) -> bool:
    """Whether a row adds to the agency's total: an `all` row, or a procedure's day row. Before 1 December 2026
    the `all` rows counted the procedures' facts too: a procedure's month row of that layout (no day) is already in
    its month's `all` row."""
    return row["dimension"] == "all" or (row["dimension"] == "procedure" and row["day"] is not None)


def catalogue_facts(agency: str, on: date, online_received: set[str]) -> dict:
    """What the published catalogue says about the agency's procedures on a day."""
    from ..domain.payments import receiving_account
    from ..domain.publicity import publicity
    from ..store.procedures import ProcedureStore
    from .dossiers import working_calendar

    procedures = [p for p in ProcedureStore().catalogue(on) if p.agency_code == agency]
    online = [p for p in procedures if p.online_level.value in ("full", "partial")]
    # A procedure with a fee to pay, and whether it can be paid online (a receiving account at the gateway).
    fee_bearing = [p for p in procedures if any(f.amount_vnd > 0 for f in p.fees or ())]
    public = publicity(procedures, on, working_calendar())
    return {"procedures": len(procedures), "online": len(online),
            "complete": sum(1 for p in procedures if _complete(p)),
            "online_used": sum(1 for p in online if p.code in online_received),
            "fee_bearing": len(fee_bearing),
            "payable_online": sum(1 for p in fee_bearing if receiving_account(p.agency_code, p.code)),
            "announced": public.announced, "announced_on_time": public.announced_on_time,
            "published_due": public.published_due, "published_on_time": public.published_on_time}


def _complete(procedure) -> bool:
    """Published with every part the national rules list: name, method, documents, time, applicant,
    agency, fee (possibly none) and legal basis."""
    return all([procedure.name_vi, procedure.components, procedure.processing_time.value, procedure.applicant_types,
                procedure.agency_code, procedure.legal_basis, procedure.fees is not None])


def read_scorecard(agency: str, period: Period, today: date, rescore: bool = False) -> dict:
    reader = Reader(agency, period)
    # `all`, `officer` and `procedure` sort before `unit`: one query per bucket and shard reads all three.
    found = reader.rows(below="unit#")
    totals = reader.totals([r for r in found if in_total(r)])
    by_procedure = reader.totals([r for r in found if r["dimension"] == "procedure"], key=lambda r: r["value"])
    officers = reader.totals([r for r in found if r["dimension"] == "officer"], key=lambda r: r["value"])
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

    def total(buckets: list[str] | None = None) -> list[dict]:
        return reader.row("procedure", procedure, buckets) if procedure else reader.total(buckets)

    if group_by == "day":
        grouped = reader.totals(total(period.day_buckets()), key=lambda r: r["bucket"][2:])
        keys = [b[2:] for b in period.day_buckets()]
    elif group_by in ("procedure", "unit", "officer"):
        grouped = reader.totals(reader.rows(f"{group_by}#"), key=lambda r: r["value"])
        if procedure and group_by == "procedure":
            grouped = {k: v for k, v in grouped.items() if k == procedure}
        keys = sorted(grouped)
    else:
        grouped, keys = {"total": reader.totals(total())}, ["total"]
    rows = [{"key": key, **score_indicator(indicator, grouped.get(key, {}), {})} for key in keys]
    return {"agency": agency, "indicator": indicator_id, "name_vi": indicator.name_vi, "name_en": indicator.name_en,
            "period": {"label": period.label, "from": period.first_day.isoformat(), "to": period.last_day.isoformat()},
            "group_by": group_by, "procedure": procedure, "rows": rows, "items_read": reader.items_read}


def local_today() -> date:
    from ..domain.calendar import LOCAL_TZ

    return datetime.now(UTC).astimezone(LOCAL_TZ).date()
