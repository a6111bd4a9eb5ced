"""Search planning: which index keys an officer's query, what narrows it, and that the caller's scope is
always part of it. (Whether the plan returns the right dossiers is tested against moto in
tests/integration/test_desk_search.py.)"""

from __future__ import annotations

from datetime import date

import pytest

from chalicelib.domain.principal import Principal
from chalicelib.domain.search import INDEXES, Condition, DeskFilters, Plan, UnsupportedFilter, name_key, plan
from chalicelib.domain.states import Role

AGENCY = "000.00.20.H26"
TODAY = date(2026, 11, 20)
OFFICER = Principal(id="o", username="officer", roles=frozenset({Role.OFFICER}), agency_code=AGENCY)
LEADER = Principal(id="l", username="leader", roles=frozenset({Role.LEADER}), agency_code=AGENCY, unit="viec-lam")
LONE_SPECIALIST = Principal(id="s", username="spec", roles=frozenset({Role.SPECIALIST}), agency_code=AGENCY)
UNIT = Condition("agency_unit", "eq", (f"{AGENCY}#viec-lam",))


def test_without_filters_an_officer_reads_the_agency_newest_first():
    assert plan(DeskFilters(), OFFICER, TODAY) == Plan("agency-index", AGENCY, None, (), True)


def test_a_leader_reads_the_unit_range_and_a_specialist_without_unit_their_assignments():
    assert (plan(DeskFilters(), LEADER, TODAY).index, plan(DeskFilters(), LEADER, TODAY).filters) == (
        "agency-unit-index", ())
    lone = plan(DeskFilters(), LONE_SPECIALIST, TODAY)
    assert (lone.index, lone.partition) == ("assignee-index", f"{AGENCY}#spec")


@pytest.mark.parametrize("filters, index, partition", [
    (DeskFilters(id_number=" 001090012345 ", name="An", procedure="1.014199"), "agency-identity-index",
     f"{AGENCY}#001090012345"),
    (DeskFilters(name="Nguyễn Văn", procedure="1.014199", status="received"), "agency-name-index", AGENCY),
    (DeskFilters(assignee="specialist.hanoi", procedure="1.014199"), "assignee-index", f"{AGENCY}#specialist.hanoi"),
    (DeskFilters(procedure="1.014199", overdue=True), "agency-procedure-index", f"{AGENCY}#1.014199"),
    (DeskFilters(received_from=date(2026, 11, 1), overdue=True), "agency-received-index", AGENCY),
    (DeskFilters(overdue=True, status="assigned"), "agency-due-index", AGENCY),
    (DeskFilters(status="assigned"), "agency-status-index", f"{AGENCY}#assigned"),
])
def test_the_most_selective_filter_keys_the_query_and_the_others_narrow_it(filters, index, partition):
    found = plan(filters, OFFICER, TODAY)
    assert (found.index, found.partition) == (index, partition)
    assert found.key_attributes == INDEXES[index]
    named = {f for f in ("id_number", "name", "assignee", "procedure", "status") if getattr(filters, f)}
    dated = bool(filters.overdue or filters.due_before) + bool(filters.received_from)
    # Each filter is used once: as the partition, as the key range, or as a filter expression.
    used = len(found.filters) + 1
    assert used == len(named) + dated, found


def test_dates_are_local_days_with_inclusive_ends():
    received = plan(DeskFilters(received_from=date(2026, 11, 1), received_to=date(2026, 11, 30)), OFFICER, TODAY)
    # Midnight in Hà Nội is 17:00 UTC the day before; the last day runs to the next local midnight.
    assert received.key_range == Condition("received_at", "between",
                                           ("2026-10-31T17:00:00.000Z", "2026-11-30T17:00:00.000Z"))
    due = plan(DeskFilters(due_after=date(2026, 11, 18), due_before=date(2026, 11, 25), overdue=True), OFFICER, TODAY)
    assert due.key_range == Condition("due_date", "between", ("2026-11-18", "2026-11-19")), "overdue: before today"
    assert plan(DeskFilters(overdue=True), OFFICER, TODAY).key_range == Condition("due_date", "le", ("2026-11-19",))
    assert plan(DeskFilters(due_after=TODAY), OFFICER, TODAY).key_range == Condition("due_date", "ge", ("2026-11-20",))


def test_names_are_matched_by_prefix_without_diacritics_or_case():
    found = plan(DeskFilters(name="  CÔNG TY  Đông Á "), OFFICER, TODAY)
    assert found.key_range == Condition("applicant_key", "begins_with", ("cong ty dong a",))
    assert name_key("Nguyễn Thị Bình") == "nguyen thi binh"


def test_a_leaders_scope_narrows_whatever_index_keys_the_query():
    found = plan(DeskFilters(procedure="1.014199"), LEADER, TODAY)
    assert found.index == "agency-procedure-index" and UNIT in found.filters
    assert UNIT not in plan(DeskFilters(procedure="1.014199"), OFFICER, TODAY).filters


def test_incoming_reads_the_partner_index_and_matches_unprefixed_keys():
    found = plan(DeskFilters(incoming=True, procedure="1.014199", id_number="0100109106", overdue=True),
                 LEADER, TODAY)
    assert (found.index, found.partition, found.key_range) == ("partner-index", AGENCY, None)
    assert set(found.filters) == {Condition("procedure_code", "eq", ("1.014199",)),
                                  Condition("applicant_id", "eq", ("0100109106",)),
                                  Condition("due_date", "le", ("2026-11-19",))}
    assert UNIT not in found.filters, "the home agency's units mean nothing to the partner"


@pytest.mark.parametrize("filters", [DeskFilters(incoming=True, status="assigned"),
                                     DeskFilters(incoming=True, assignee="specialist.hanoi")])
def test_home_agency_filters_do_not_apply_to_incoming_work(filters):
    with pytest.raises(UnsupportedFilter):
        plan(filters, OFFICER, TODAY)
