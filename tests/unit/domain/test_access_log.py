"""The access log's rules (Decree 13/2023): who leaves a trace, how entries are keyed, and what the applicant and
staff are shown of them."""

from __future__ import annotations

from datetime import timedelta

from chalicelib.domain import access_log as rules
from chalicelib.domain.agencies import agency
from chalicelib.domain.principal import Principal
from chalicelib.domain.states import Role

from .test_dossier_rules import ADMIN, AGENCY, CITIZEN, OFFICER, T0, _draft, _submitted

HANOI = "000.00.20.H26"
LEADER = Principal(id="3f1c2a9e-leader", username="leader.hanoi", roles=frozenset({Role.LEADER, Role.OFFICER}),
                   agency_code=HANOI, unit="viec-lam", name="Trần Văn Lãnh")
FILE_ROUTE = "/dossiers/{dossier_id}/files/{upload_id}"


def test_every_reader_but_the_applicant_is_recorded():
    dossier = _submitted()
    assert not rules.is_recorded(CITIZEN, dossier)
    assert rules.is_recorded(OFFICER, dossier) and rules.is_recorded(ADMIN, dossier)


def test_every_reader_of_a_walk_in_dossier_is_recorded():
    walk_in = _draft(owner_id="walk-in:01JNSR0000000000000000000A")
    assert rules.is_recorded(OFFICER, walk_in)


def test_an_entry_records_who_when_and_why_with_the_route_template_and_the_file():
    dossier = _submitted()
    entry = rules.entry(LEADER, dossier, "get", FILE_ROUTE, T0, file_id="up-2", title="Trưởng phòng")
    assert (entry["dossier_id"], entry["dossier_code"], entry["at"]) == (dossier.id, dossier.code,
                                                                         "2026-03-02T02:15:30.123Z")
    assert (entry["staff_id"], entry["username"], entry["name"], entry["title"]) == (
        LEADER.id, "leader.hanoi", "Trần Văn Lãnh", "Trưởng phòng")
    assert (entry["roles"], entry["agency_code"]) == (["leader", "officer"], HANOI)
    assert (entry["route"], entry["file_id"]) == (f"GET {FILE_ROUTE}", "up-2")
    assert entry["at_id"].startswith("2026-03-02T02:15:30.123Z#")


def test_entry_keys_sort_by_time_and_two_reads_in_one_millisecond_do_not_collide():
    dossier = _submitted()
    first, second = (rules.entry(OFFICER, dossier, "GET", "/dossiers/{dossier_id}", T0) for _ in range(2))
    later = rules.entry(OFFICER, dossier, "GET", "/dossiers/{dossier_id}", T0 + timedelta(milliseconds=1))
    assert first["at_id"] != second["at_id"]
    assert max(first["at_id"], second["at_id"]) < later["at_id"]
    # Across a change of second, minute or day the text order is the time order too (fixed-width UTC ISO).
    stamps = [rules.at_id(T0 + timedelta(seconds=s), "x") for s in (0, 1, 59, 3600, 86400)]
    assert stamps == sorted(stamps)


def test_the_applicant_sees_staff_by_name_title_role_and_agency_never_by_id_or_username():
    entry = rules.entry(LEADER, _submitted(), "GET", "/dossiers/{dossier_id}/history", T0, title="Trưởng phòng")
    seen = rules.applicant_view(entry, "vi")
    assert seen["reader"] == {"name": "Trần Văn Lãnh", "title": "Trưởng phòng", "roles": ["leader", "officer"],
                              "agency_code": HANOI, "agency_name": agency(HANOI).name_vi}
    assert LEADER.id not in str(seen) and "leader.hanoi" not in str(seen)
    assert (seen["route"], seen["at"], seen["id"]) == ("GET /dossiers/{dossier_id}/history", entry["at"],
                                                       entry["at_id"])
    assert rules.applicant_view(entry, "en")["reader"]["agency_name"] == agency(HANOI).name_en


def test_staff_and_auditors_see_the_account_and_username_too():
    entry = rules.entry(OFFICER, _submitted(), "GET", "/dossiers/{dossier_id}", T0)
    reader = rules.staff_view(entry, "vi")["reader"]
    assert (reader["id"], reader["username"], reader["agency_code"]) == (OFFICER.id, "desk.1", AGENCY)
    assert reader["title"] is None, "no title in the directory: none recorded"
