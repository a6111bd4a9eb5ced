"""The dossier indexes project only keys and what the search planner filters on: every plan the planner can
make filters only on attributes its index holds (DynamoDB evaluates a filter on the index entry, so an
attribute left out would silently match nothing), and the planner and the store agree on each index's keys."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest

from chalicelib.domain.principal import Principal
from chalicelib.domain.search import CODE_INDEX, INDEXES, DeskFilters, NothingMatches, UnsupportedFilter, plan
from chalicelib.domain.states import Role
from chalicelib.store.models import DOSSIER_INDEX, DOSSIER_INDEXES

TODAY = date(2026, 11, 20)
AGENCY = "000.00.20.H26"
# One value per filter; every combination of them is planned for every kind of officer.
VALUES = {"status": "received", "procedure": "1.014199", "assignee": "specialist.a", "due_after": TODAY,
          "due_before": TODAY + timedelta(days=3), "overdue": True, "received_from": TODAY - timedelta(days=9),
          "received_to": TODAY, "name": "nguyen", "id_number": "001090123456", "incoming": True, "code": "X-1"}
STAFF = [Principal(id="o", username="desk", roles=frozenset({Role.OFFICER}), agency_code=AGENCY),
         Principal(id="l", username="leader", roles=frozenset({Role.LEADER}), agency_code=AGENCY, unit="viec-lam"),
         Principal(id="s", username="spec", roles=frozenset({Role.SPECIALIST}), agency_code=AGENCY, unit="lao-dong"),
         Principal(id="t", username="spec.nounit", roles=frozenset({Role.SPECIALIST}), agency_code=AGENCY)]


def _every_plan():
    for size in range(len(VALUES) + 1):
        for names in itertools.combinations(VALUES, size):
            filters = DeskFilters(**{name: VALUES[name] for name in names})
            for principal in STAFF:
                try:
                    yield filters, principal, plan(filters, principal, TODAY)
                except (NothingMatches, UnsupportedFilter):
                    continue


def _held(index: str) -> set[str]:
    spec = DOSSIER_INDEX[index]
    return {"id", spec.hash_key, spec.range_key, *spec.include} - {None}


def test_every_plan_filters_only_on_attributes_its_index_projects():
    plans = 0
    for filters, principal, search in _every_plan():
        if search.index == CODE_INDEX:
            continue  # run by DossierStore.find_by_code: its filters apply to the item read from the table
        missing = {c.attribute for c in search.filters} - _held(search.index)
        assert not missing, (search.index, missing, filters, principal.username)
        plans += 1
    assert plans > 3_000


def test_each_projection_holds_nothing_the_planner_never_filters_on():
    """A projected attribute costs an index write whenever it changes: none is there for nothing."""
    used: dict[str, set[str]] = {spec.name: set() for spec in DOSSIER_INDEXES}
    for _, _, search in _every_plan():
        used[search.index] |= {c.attribute for c in search.filters}
    for spec in DOSSIER_INDEXES:
        if spec.name != CODE_INDEX:
            assert set(spec.include) == used[spec.name] - {spec.hash_key, spec.range_key}, spec.name


@pytest.mark.parametrize("name", sorted(INDEXES))
def test_the_planner_and_the_store_agree_on_each_index_key(name):
    spec = DOSSIER_INDEX[name]
    assert INDEXES[name] == (spec.hash_key, spec.range_key)


def test_no_dossier_index_copies_the_whole_item():
    assert all(spec.projection["ProjectionType"] in ("KEYS_ONLY", "INCLUDE") for spec in DOSSIER_INDEXES)
    assert "doc" not in {a for spec in DOSSIER_INDEXES for a in spec.include}
