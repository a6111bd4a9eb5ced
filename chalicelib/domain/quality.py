"""The service-quality index (Decision 766/QĐ-TTg) and the ministry's targets, as pure functions of counted
facts. Which facts are counted, and when, is chalicelib/domain/metric_facts.py; the weights, thresholds and
targets are configuration with an effective date (chalicelib/data/quality_index.json). Worked examples:
docs/metrics.md.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

_DATA = Path(__file__).resolve().parent.parent / "data" / "quality_index.json"


@dataclass(frozen=True)
class Indicator:
    id: str
    group: str
    points: float
    threshold: float | None
    numerator: str | None  # a counter, `a+b` (a sum of counters) or `catalogue:<fact>`; None: no data yet
    denominator: str | None
    # "rate", "complement" (1 − numerator ÷ denominator), "average_hours" (minutes ÷ count ÷ 60, no points),
    # "count" (a plain number: a measure, no points)
    kind: str
    name_vi: str
    name_en: str
    # `a/b`: the rate is multiplied by this ratio of counters (the online share counts only what reached the
    # national portal: × dossiers synced ÷ submitted); no data for the ratio, no rate.
    scaled_by: str | None = None
    # What the platform lacks to measure it (vi, en); None: it is measured.
    not_measured: tuple[str, str] | None = None
    # What an empty denominator means for it (vi, en), when the general wording would say less.
    nothing: tuple[str, str] | None = None


@dataclass(frozen=True)
class Target:
    id: str
    target: float
    numerator: str | None
    denominator: str | None
    # "rate", "complement", "per_officer_year", "at_most" (an average, numerator ÷ denominator — e.g. minutes
    # waited ÷ visits called — met at or below the target)
    kind: str
    name_vi: str
    name_en: str
    not_measured: tuple[str, str] | None = None
    nothing: tuple[str, str] | None = None  # what an empty denominator means for it (vi, en)


@dataclass(frozen=True)
class Group:
    id: str
    max: float
    name_vi: str
    name_en: str


@dataclass(frozen=True)
class IndexConfig:
    effective_from: date
    groups: tuple[Group, ...]
    indicators: tuple[Indicator, ...]
    targets: tuple[Target, ...]
    measures: tuple[Indicator, ...] = ()  # plain counts, for the indicator tables (no points)

    def indicator(self, indicator_id: str) -> Indicator | None:
        return next((i for i in (*self.indicators, *self.measures) if i.id == indicator_id), None)


def points(rate: float | None, max_points: float, threshold: float) -> float | None:
    """Full marks at or above the threshold; below it, rate × max ÷ threshold. No rate, no points."""
    if rate is None:
        return None
    rate = min(max(rate, 0.0), 1.0)
    return float(max_points) if rate >= threshold else rate * max_points / threshold


def _value(expression: str | None, totals: dict, catalogue: dict) -> float | None:
    if expression is None:
        return None
    if expression.startswith("catalogue:"):
        return catalogue.get(expression.removeprefix("catalogue:"))
    return float(sum(totals.get(name, 0) for name in expression.split("+")))


def measure(numerator: str | None, denominator: str | None, kind: str, totals: dict,
            catalogue: dict) -> tuple[float | None, float | None, float | None]:
    """(numerator, denominator, rate). The rate is None when the platform has no data for it, or nothing
    happened in the period (a zero denominator): "no data yet", never an invented 0 or 100%."""
    top, bottom = _value(numerator, totals, catalogue), _value(denominator, totals, catalogue)
    if kind == "count":
        return top, None, top
    if top is None or bottom is None or bottom == 0:
        return top, bottom, None
    if kind == "complement":
        return top, bottom, max(0.0, 1.0 - top / bottom)
    if kind == "average_hours":
        return top, bottom, top / bottom / 60
    if kind == "at_most":
        return top, bottom, top / bottom  # an average per unit of the denominator: minutes per visit called
    return top, bottom, top / bottom


NOTHING_TO_MEASURE = ("Trong kỳ không có gì để đo (mẫu số bằng 0).", "Nothing to measure in the period (a zero "
                                                                       "denominator).")


def why_no_data(item: Indicator | Target, value: float | None) -> dict | None:
    """Why an indicator or target has no value: the platform does not measure it yet (and what it lacks), or the
    period holds nothing to measure. None when it has a value."""
    if value is not None:
        return None
    if item.not_measured is not None or item.numerator is None:
        vi, en = item.not_measured or ("Chưa đo.", "Not measured yet.")
        return {"code": "not_measured", "vi": vi, "en": en}
    vi, en = getattr(item, "nothing", None) or NOTHING_TO_MEASURE
    return {"code": "nothing_to_measure", "vi": vi, "en": en}


def score_indicator(indicator: Indicator, totals: dict, catalogue: dict) -> dict:
    top, bottom, rate = measure(indicator.numerator, indicator.denominator, indicator.kind, totals, catalogue)
    if indicator.scaled_by and rate is not None:
        over, under = indicator.scaled_by.split("/")
        scale = measure(over, under, "rate", totals, catalogue)[2]
        rate = None if scale is None else rate * min(scale, 1.0)
    unscored = indicator.kind in ("average_hours", "count")
    scored = None if unscored else points(rate, indicator.points, indicator.threshold or 1.0)
    return {"id": indicator.id, "group": indicator.group, "name_vi": indicator.name_vi, "name_en": indicator.name_en,
            "kind": indicator.kind, "numerator": top, "denominator": bottom, "rate": rate,
            "threshold": indicator.threshold, "max_points": indicator.points, "points": scored,
            "has_data": rate is not None, "why_no_data": why_no_data(indicator, rate)}


def score_target(target: Target, totals: dict, catalogue: dict, officers: int, period_days: int) -> dict:
    if target.kind == "per_officer_year":
        received = _value(target.numerator, totals, catalogue)
        actual = received / officers * 365 / period_days if officers and period_days else None
        top, bottom = received, officers or None
    else:
        top, bottom, actual = measure(target.numerator, target.denominator, target.kind, totals, catalogue)
    met = None if actual is None else (actual <= target.target if target.kind == "at_most" else actual >= target.target)
    return {"id": target.id, "name_vi": target.name_vi, "name_en": target.name_en, "kind": target.kind,
            "numerator": top, "denominator": bottom, "actual": actual, "target": target.target, "met": met,
            "has_data": actual is not None, "why_no_data": why_no_data(target, actual)}


def scorecard(config: IndexConfig, totals: dict, catalogue: dict, officers: int, period_days: int) -> dict:
    """Every group with its score out of its maximum (and out of what could be measured), every indicator
    and every target."""
    indicators = [score_indicator(i, totals, catalogue) for i in config.indicators]
    groups = []
    for group in config.groups:
        own = [i for i in indicators if i["group"] == group.id]
        measured = [i for i in own if i["points"] is not None]
        groups.append({"id": group.id, "name_vi": group.name_vi, "name_en": group.name_en, "max": group.max,
                       "score": sum(i["points"] for i in measured) if measured else None,
                       "measured_max": sum(i["max_points"] for i in measured),
                       "indicators": own})
    measured_groups = [g for g in groups if g["score"] is not None]
    return {"config_effective_from": config.effective_from.isoformat(),
            "total": {"score": sum(g["score"] for g in measured_groups) if measured_groups else None,
                      "max": sum(g.max for g in config.groups),
                      "measured_max": sum(g["measured_max"] for g in groups)},
            "groups": groups,
            "targets": [score_target(t, totals, catalogue, officers, period_days) for t in config.targets],
            "measures": [score_indicator(m, totals, catalogue) for m in config.measures]}


def _not_measured(entry: dict) -> tuple[str, str] | None:
    return (entry["not_measured_vi"], entry["not_measured_en"]) if "not_measured_vi" in entry else None


@lru_cache(maxsize=1)
def _versions() -> tuple[IndexConfig, ...]:
    data = json.loads(_DATA.read_text(encoding="utf-8"))
    versions = []
    for v in data["versions"]:
        versions.append(IndexConfig(
            effective_from=date.fromisoformat(v["effective_from"]),
            groups=tuple(Group(g["id"], g["max"], g["name_vi"], g["name_en"]) for g in v["groups"]),
            indicators=tuple(Indicator(i["id"], i["group"], i["points"], i.get("threshold"), i.get("numerator"),
                                       i.get("denominator"), i.get("kind", "rate"), i["name_vi"], i["name_en"],
                                       i.get("scaled_by"), _not_measured(i),
                                       (i["nothing_vi"], i["nothing_en"]) if "nothing_vi" in i else None)
                             for i in v["indicators"]),
            targets=tuple(Target(t["id"], t["target"], t.get("numerator"), t.get("denominator"),
                                 t.get("kind", "rate"), t["name_vi"], t["name_en"], _not_measured(t),
                                 (t["nothing_vi"], t["nothing_en"]) if "nothing_vi" in t else None)
                          for t in v["targets"]),
            measures=tuple(Indicator(m["id"], "measures", 0, None, m["numerator"], None, "count", m["name_vi"],
                                     m["name_en"]) for m in v.get("measures", []))))
    return tuple(sorted(versions, key=lambda c: c.effective_from))


def config_for(day: date) -> IndexConfig:
    """The configuration in effect on `day` (a period is scored with the one in effect on its last day,
    unless the caller asks to re-score it with today's)."""
    eligible = [c for c in _versions() if c.effective_from <= day]
    return eligible[-1] if eligible else _versions()[0]
