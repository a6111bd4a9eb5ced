"""Hot partition keys at national scale: every DynamoDB partition key's write rate at the modelled peak and
its share of the per-partition limit (docs/data-model.md, "Hot keys").

    python bench/hot_keys.py [--volume model.json]     # exits 1 when a key crosses the line

The volume model is `VOLUME` below (or a json file overriding any of its fields). `KEYS` lists every partition
key family of every table and index of infra/resources.yaml: what it is keyed on (the scope whose events
write it), the writes one event of that scope makes to it, the write units per write and the number of keys
those writes spread over evenly (the shards). A key's peak rate is

    scope events/s at peak × writes per event × WCU per write ÷ shards

and the line is 10% of DynamoDB's 1,000 WCU/s per partition. A table or index of the template that `KEYS`
does not assess also fails the run, so a new index gets its row before it ships.

Where the numbers come from:
- writes per event follow the key design in chalicelib/store/ (each row's `why` says which code);
- write units: DynamoDB bills 1 WCU per KB written and 2 inside a transaction (dossier, event, metrics and
  upload writes are transactional); an index entry costs its projected size (ALL: the whole item, else a few
  attributes: under 1 KB), read from the template's projection. Item sizes were measured on 60 generated
  lifecycles (tests/integration/test_metrics_consistency.py's workload, serialised by the store): events
  0.5 KB on average (1.4 KB at most, the submission), dossiers 4.3 KB (7.5 KB at most); `EVENT_KB` rounds the
  event up to 2 KB for real forms, which carry more than the generated ones;
- the shard counts are the code's own (`DAY_SHARDS`, the `METRICS_SHARDS` setting).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, replace
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

LIMIT_WCU = 1000  # DynamoDB's write units per second on one partition
LINE = 0.10  # the share of it no key may cross at the modelled peak

VOLUME = {
    "national_dossiers_per_day": 180_000,
    "events_per_dossier": 10,
    "peak_factor": 10,  # the busiest moments against the daily average
    # The largest province is about 10% of the country's volume; one agency of it gets at most that (its work is
    # in fact split over departments and districts, so this over-states any real agency).
    "largest_agency_share": 0.10,
    # Keys owned by one dossier or one person move at a human pace whatever the national volume: an applicant
    # or an officer acts at most about once a second, and a dossier's burst (uploads, submit) is of that order.
    "person_events_per_second": 1.0,
}

EVENT_KB = 2  # an event item, rounded up (see above)
DOSSIER_KB = 5  # a dossier item: 4.3 KB on average
SMALL_KB = 1  # counters, claims, uploads, notifications, keys-only or few-attribute index entries


@dataclass(frozen=True)
class Key:
    table: str  # logical id in infra/resources.yaml
    index: str | None  # None: the table's own partition key
    key: str  # what the partition key looks like
    scope: str  # country | agency | dossier | person | admin: whose events write it
    writes_per_event: float  # writes one event of the scope makes to this key family
    wcu_per_write: float
    shards: int = 1  # keys the family's writes spread over evenly
    why: str = ""
    # For index rows: how many times a dossier's life sets or moves this index's key (used when the index
    # projects only keys: it is written only then; with more projected, any update may rewrite the entry).
    key_writes_per_dossier: float | None = None


def _shards() -> tuple[int, int]:
    import os

    os.environ.setdefault("AWS_DEFAULT_REGION", "ap-southeast-1")
    from chalicelib.settings import get_settings
    from chalicelib.store.models import DAY_SHARDS

    return DAY_SHARDS, get_settings().metrics_shards


def keys(volume: dict) -> list[Key]:
    """Every partition key family, with the writes per event the code makes to it."""
    day_shards, metric_shards = _shards()
    per_dossier = 1 / volume["events_per_dossier"]
    rows = [
        Key("EventsTable", None, "dossier_id", "dossier", 1, 2 * EVENT_KB,
            why="store/dossiers.py: one event item per event, in the dossier's transaction"),
        Key("EventsTable", "day-index", "<UTC date>#<shard>", "country", 1, EVENT_KB, day_shards,
            why="store/models.py day_key(): shard = CRC32(dossier id) mod DAY_SHARDS"),
        Key("DossiersTable", None, "id", "dossier", 1, 2 * DOSSIER_KB,
            why="store/dossiers.py: the dossier item rewritten in each event's transaction"),
        Key("DossiersTable", "owner-index", "owner_id", "person", 1, SMALL_KB, key_writes_per_dossier=1,
            why="a citizen's account (a walk-in dossier is its own owner)"),
        Key("DossiersTable", "agency-index", "agency_code", "agency", 1, SMALL_KB, key_writes_per_dossier=1,
            why="set at submission, never moved"),
        Key("DossiersTable", "agency-status-index", "<agency>#<status>", "agency", 1, SMALL_KB,
            key_writes_per_dossier=10,
            why="moves at each status change: the old key's delete and the new key's put hit two keys, one each"),
        Key("DossiersTable", "agency-due-index", "agency_open", "agency", 1, SMALL_KB, key_writes_per_dossier=3,
            why="sparse: enters at reception, moves with a fee or an apology, leaves when the clock stops"),
        Key("DossiersTable", "agency-procedure-index", "<agency>#<procedure>", "agency", 1, SMALL_KB,
            key_writes_per_dossier=1, why="one procedure may be all of an agency's volume (upper bound)"),
        Key("DossiersTable", "agency-unit-index", "<agency>#<unit>", "agency", 1, SMALL_KB,
            key_writes_per_dossier=1, why="sparse, set at transfer; one unit may take all of its agency's work"),
        Key("DossiersTable", "assignee-index", "<agency>#<username>", "person", 1, SMALL_KB,
            key_writes_per_dossier=1, why="one specialist's dossiers"),
        Key("DossiersTable", "agency-received-index", "agency_code", "agency", 1, SMALL_KB,
            key_writes_per_dossier=1, why="sparse, set at reception"),
        Key("DossiersTable", "agency-name-index", "agency_code", "agency", 1, SMALL_KB, key_writes_per_dossier=1,
            why="set at submission"),
        Key("DossiersTable", "agency-identity-index", "<agency>#<ID number>", "person", 1, SMALL_KB,
            key_writes_per_dossier=1, why="one citizen's or business's dossiers at one agency"),
        Key("DossiersTable", "partner-index", "partner_agency", "agency", 1, SMALL_KB, key_writes_per_dossier=2,
            why="sparse: while another agency holds the dossier for its part (enters, leaves)"),
        Key("DossiersTable", "code-index", "code", "dossier", 1, SMALL_KB, key_writes_per_dossier=1,
            why="unique per dossier"),
        Key("ControlTable", None, "SEQ#<agency>#<yymmdd>", "agency", per_dossier, SMALL_KB,
            why="store/counters.py: one ADD per dossier submitted (codes are sequential: not shardable)"),
        Key("ControlTable", None, "IDEM#<owner>#<key>", "person", per_dossier, 2 * SMALL_KB,
            why="one claim per submission, in its transaction"),
        Key("ControlTable", None, "UPLOAD#<id>", "dossier", 1, 2 * SMALL_KB,
            why="one upload: created, verified, attached in the transaction"),
        Key("NotificationsTable", None, "dossier_id", "dossier", 4, SMALL_KB,
            why="services/notifications.py: per message a claim and its outcome, up to two channels"),
        # Every event moves at most 3 rows, its day's, in one transaction: its procedure's (or `all` for what belongs
        # to none), its unit's and its officer's, 2 WCU each (measured: 2 rows on average). The day is in the sort
        # key under the month's partition key, whose shard is in the key; an officer's row takes the officer's shard.
        Key("MetricsTable", None, "G<gen>#<agency>#M#<month>#<shard>", "agency", 3, 2 * SMALL_KB, metric_shards,
            why="store/metrics.py counter_key(): shard = CRC32(dossier id) mod METRICS_SHARDS"),
        Key("MetricsTable", None, "G<gen>#APPLIED#<dossier id>", "dossier", 1, 2 * SMALL_KB,
            why="the dossier's counted events, in each event's transaction"),
        Key("MetricsTable", None, "META", "admin", 0, SMALL_KB, why="written by a rebuild only"),
        Key("StaffTable", None, "STAFF#<id>", "admin", 0, SMALL_KB, why="written when an administrator changes staff"),
        Key("StaffTable", "agency-index", "agency_code", "admin", 0, SMALL_KB,
            why="written when an administrator changes staff; read per request through a 60-s cache"),
        # A read is not an event: a staff member's reads come at a human pace, counted here as a few per event.
        Key("AccessLogTable", None, "dossier_id", "dossier", 5, SMALL_KB,
            why="services/access_log.py: one put per staff read of the dossier (record, history, slip, files)"),
        Key("AccessLogTable", "staff-index", "staff_id", "person", 5, SMALL_KB,
            why="the same puts, by the staff member who read"),
        # Online payments: at most a few writes per order (created, its outcome, a refund asked and done); modelled
        # as if every dossier paid a fee online (0.4 writes per event), an upper bound.
        Key("PaymentsTable", None, "id", "dossier", 0.4, 2 * SMALL_KB,
            why="services/payments.py: one item per order, moved over its version"),
        Key("PaymentsTable", "dossier-index", "dossier_id", "dossier", 0.4, 2 * SMALL_KB,
            why="the same writes (the index copies the payment)"),
        Key("PaymentsTable", "watch-index", "watch#<shard>", "country", 0.4, SMALL_KB, 4,
            why="store/payments.py WATCH_SHARDS: sparse, payments the reconciliation job waits on, keys only"),
        Key("PaymentsTable", "day-index", "<terminal>#<day>", "agency", 0.2, 2 * SMALL_KB,
            why="sparse: a payment that succeeded, and its refund, on the agency's terminal and day"),
        # Papers given once: a submission puts one paper per new file into the applicant's store, a returned result
        # one per result document, in the dossier's transaction; 10 files at once is more than most dossiers carry.
        Key("PapersTable", None, "acct#<account> or id#<ID number>", "person", 10, 2 * SMALL_KB,
            why="services/papers.py: the papers a submission or a returned result makes, in its transaction"),
        Key("PapersTable", "type-index", "<owner>#<type>", "person", 10, 2 * SMALL_KB,
            why="the same writes (the index copies the paper)"),
        # Desk queue tickets (docs/queue.md): a visit is at most 5 writes (taken, called, started, served, a recall),
        # in each one's transaction; modelled as if every dossier came with a visit to the desk (0.5 per event), an
        # upper bound. A service's line of one day may be all of its agency's visits.
        Key("QueueTable", None, "id", "dossier", 0.5, 2 * SMALL_KB,
            why="store/tickets.py: one item per ticket, moved over its version"),
        Key("QueueTable", "waiting-index", "<agency>#<service>#<day>", "agency", 0.2, SMALL_KB,
            why="sparse: enters when taken, leaves at the first call"),
        Key("QueueTable", "active-index", "<agency>#<day>", "agency", 0.4, SMALL_KB,
            why="sparse: from the call (and each recall) to the close"),
        Key("QueueTable", "called-index", "<agency>#<day>", "agency", 0.4, SMALL_KB,
            why="sparse: set at the call, rewritten by each later step"),
        Key("ControlTable", None, "SEQ#QUEUE#<agency>#<service>#<yymmdd>", "agency", 0.1, SMALL_KB,
            why="store/counters.py: one ADD per ticket taken"),
        # Feedback and petitions (docs/feedback.md): an item is at most 6 writes (filed, asked, replied, answered,
        # published, rated) and a flag or two; modelled as one item per 10 dossiers (0.1 writes per event), more
        # than the feedback the national system receives. Each write moves the item and its event together.
        Key("FeedbackTable", None, "code", "dossier", 0.1, 2 * SMALL_KB,
            why="store/feedback.py: one item per feedback, moved over its version"),
        Key("FeedbackTable", "queue-index", "<agency>", "agency", 0.1, SMALL_KB,
            why="sparse: while a step is due from the agency (columns only)"),
        Key("FeedbackTable", "watch-index", "watch#<shard>", "country", 0.1, SMALL_KB, 4,
            why="store/feedback.py WATCH_SHARDS: sparse, while a limit is pending, keys only"),
        Key("FeedbackTable", "public-index", "<agency>", "agency", 0.02, 2 * SMALL_KB,
            why="sparse: set once, at publication"),
        Key("FeedbackTable", "owner-index", "<account>", "person", 0.1, SMALL_KB,
            why="sparse: a signed-in person's items"),
        Key("ControlTable", None, "SEQ#PAKN#<agency>#<yymmdd>", "agency", 0.02, SMALL_KB,
            why="store/counters.py: one ADD per feedback filed"),
        Key("ProceduresTable", None, "code", "admin", 0, SMALL_KB, why="written when a ministry publishes"),
        Key("ProceduresTable", "catalogue-index", "ALL", "admin", 0, SMALL_KB, why="written when a ministry publishes"),
    ]
    return rows


def with_projections(rows: list[Key], template: dict, volume: dict) -> list[Key]:
    """Index rows priced by the template's projection: ALL copies the whole item on every update; keys only is
    written only when the key moves; a few included attributes may be rewritten on any update (1 per event)."""
    item_kb = {"DossiersTable": DOSSIER_KB, "EventsTable": EVENT_KB}
    projections = {(name, index["IndexName"]): index["Projection"]["ProjectionType"]
                   for name, resource in template["Resources"].items()
                   if resource.get("Type") == "AWS::DynamoDB::Table"
                   for index in resource["Properties"].get("GlobalSecondaryIndexes", [])}
    priced = []
    for row in rows:
        projection = projections.get((row.table, row.index))
        if projection == "ALL":
            row = replace(row, wcu_per_write=item_kb.get(row.table, row.wcu_per_write))
        elif projection == "KEYS_ONLY" and row.key_writes_per_dossier is not None:
            row = replace(row, writes_per_event=min(1.0, row.key_writes_per_dossier / volume["events_per_dossier"]),
                          wcu_per_write=SMALL_KB)
        elif projection is not None:
            row = replace(row, wcu_per_write=SMALL_KB)
        priced.append(row)
    return priced


def unassessed(rows: list[Key], template: dict) -> list[str]:
    """Tables and indexes of the template without a row, and rows naming none."""
    declared = set()
    for name, resource in template["Resources"].items():
        if resource.get("Type") == "AWS::DynamoDB::Table":
            declared.add((name, None))
            declared |= {(name, i["IndexName"]) for i in resource["Properties"].get("GlobalSecondaryIndexes", [])}
    assessed = {(row.table, row.index) for row in rows}
    return sorted(f"{t}/{i or 'table'}" for t, i in declared ^ assessed)


def scope_events_per_second(volume: dict) -> dict[str, float]:
    national = volume["national_dossiers_per_day"] * volume["events_per_dossier"] / 86_400 * volume["peak_factor"]
    return {"country": national, "agency": national * volume["largest_agency_share"],
            "dossier": volume["person_events_per_second"], "person": volume["person_events_per_second"],
            "admin": 0.0}


def rates(rows: list[Key], volume: dict) -> list[dict]:
    per_scope = scope_events_per_second(volume)
    found = []
    for row in rows:
        rate = per_scope[row.scope] * row.writes_per_event * row.wcu_per_write / row.shards
        found.append({"key": row, "wcu_per_second": rate, "share": rate / LIMIT_WCU})
    return found


def table(found: list[dict]) -> str:
    lines = ["| table / index | partition key | keyed on | writes per event | WCU per write | shards "
             "| peak WCU/s per key | % of limit |", "|---|---|---|---:|---:|---:|---:|---:|"]
    for item in found:
        k = item["key"]
        flag = " **over**" if item["share"] > LINE else ""
        lines.append(f"| {k.table}{' / ' + k.index if k.index else ''} | `{k.key}` | {k.scope} "
                     f"| {_figure(k.writes_per_event)} | {_figure(k.wcu_per_write)} | {k.shards} "
                     f"| {item['wcu_per_second']:.1f} | {100 * item['share']:.1f}%{flag} |")
    return "\n".join(lines)


def _figure(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.2f}"


def assess(volume: dict, template: dict | None = None) -> tuple[list[dict], list[str]]:
    """(every key's rate, the problems: keys over the line and tables or indexes not assessed)."""
    if template is None:
        from scripts.template import load_template

        template = load_template(REPO_ROOT / "infra" / "resources.yaml")
    rows = with_projections(keys(volume), template, volume)
    found = rates(rows, volume)
    problems = [f"{i['key'].table}/{i['key'].index or i['key'].key}: {100 * i['share']:.1f}% of "
                f"{LIMIT_WCU} WCU/s" for i in found if i["share"] > LINE]
    problems += [f"{name}: no row in bench/hot_keys.py KEYS" for name in unassessed(rows, template)]
    return found, problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--volume", type=Path, help="json file overriding fields of the volume model")
    args = parser.parse_args(argv)
    volume = dict(VOLUME)
    if args.volume:
        volume.update(json.loads(args.volume.read_text(encoding="utf-8")))
    found, problems = assess(volume)
    per_scope = scope_events_per_second(volume)
    print(f"Volume: {volume['national_dossiers_per_day']:,} dossiers a day x {volume['events_per_dossier']} events, "
          f"peak {volume['peak_factor']}x the average: {per_scope['country']:.0f} events/s in the country, "
          f"{per_scope['agency']:.1f} at the largest agency ({volume['largest_agency_share']:.0%}); "
          f"line {LINE:.0%} of {LIMIT_WCU} WCU/s = {LINE * LIMIT_WCU:.0f} WCU/s per key.\n")
    print(table(found))
    hottest = max(found, key=lambda i: i["share"])
    print(f"\nHottest: {hottest['key'].table}/{hottest['key'].index or hottest['key'].key} at "
          f"{100 * hottest['share']:.1f}% of the limit (headroom {LINE / hottest['share']:.1f}x to the line).")
    for problem in problems:
        print(f"FAIL {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
