"""bench/hot_keys.py: no partition key crosses 10% of DynamoDB's per-partition write limit at ten times the
national average, and the check bites when one would."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_ROOT / "bench"))

import hot_keys  # noqa: E402  (bench/ is a folder of scripts, not a package)


@pytest.fixture(scope="module")
def template() -> dict:
    from scripts.template import load_template

    return load_template(REPO_ROOT / "infra" / "resources.yaml")


def test_the_script_passes_at_the_modelled_peak_and_prints_every_key():
    run = subprocess.run([sys.executable, "bench/hot_keys.py"], cwd=REPO_ROOT, capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "| EventsTable / day-index | `<UTC date>#<shard>` | country |" in run.stdout
    assert "FAIL" not in run.stdout


def test_every_table_and_index_of_the_template_is_assessed_and_under_the_line(template):
    found, problems = hot_keys.assess(hot_keys.VOLUME, template)
    assert problems == []
    assert max(item["share"] for item in found) <= hot_keys.LINE


def test_the_volume_model_gives_two_hundred_events_a_second_at_the_national_peak():
    rates = hot_keys.scope_events_per_second(hot_keys.VOLUME)
    assert rates["country"] == pytest.approx(180_000 * 10 / 86_400 * 10)
    assert rates["agency"] == pytest.approx(rates["country"] / 10)


def test_the_day_index_on_the_bare_date_would_cross_the_line(template):
    rows = hot_keys.with_projections(hot_keys.keys(hot_keys.VOLUME), template, hot_keys.VOLUME)
    unsharded = [replace(r, shards=1) if r.index == "day-index" else r for r in rows]
    day = next(i for i in hot_keys.rates(unsharded, hot_keys.VOLUME) if i["key"].index == "day-index")
    assert day["share"] > 0.4  # the whole country's events of a day on one key


def test_metrics_counters_sharded_only_by_sort_key_would_cross_the_line(template):
    rows = hot_keys.with_projections(hot_keys.keys(hot_keys.VOLUME), template, hot_keys.VOLUME)
    month = next(r for r in rows if r.key.startswith("G<gen>#<agency>#M#"))
    [found] = hot_keys.rates([replace(month, shards=1)], hot_keys.VOLUME)
    assert found["share"] > hot_keys.LINE


def test_an_agency_keyed_index_copying_the_whole_dossier_crosses_the_line(template):
    changed = copy.deepcopy(template)
    indexes = changed["Resources"]["DossiersTable"]["Properties"]["GlobalSecondaryIndexes"]
    next(i for i in indexes if i["IndexName"] == "agency-status-index")["Projection"] = {"ProjectionType": "ALL"}
    _, problems = hot_keys.assess(hot_keys.VOLUME, changed)
    assert [p.split(":")[0] for p in problems] == ["DossiersTable/agency-status-index"]


def test_a_new_index_without_a_row_fails_the_run(template):
    changed = copy.deepcopy(template)
    changed["Resources"]["EventsTable"]["Properties"]["GlobalSecondaryIndexes"].append(
        {"IndexName": "type-index", "KeySchema": [{"AttributeName": "type", "KeyType": "HASH"}],
         "Projection": {"ProjectionType": "KEYS_ONLY"}})
    _, problems = hot_keys.assess(hot_keys.VOLUME, changed)
    assert problems == ["EventsTable/type-index: no row in bench/hot_keys.py KEYS"]


def test_ten_times_the_volume_exits_1_naming_the_keys_over_the_line(tmp_path, capsys):
    model = tmp_path / "volume.json"
    model.write_text(json.dumps({"national_dossiers_per_day": 1_800_000}))
    assert hot_keys.main(["--volume", str(model)]) == 1
    out = capsys.readouterr().out
    assert "FAIL EventsTable/day-index" in out
