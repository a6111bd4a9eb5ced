"""Personal data seen only as needed (Decree 13/2023), over HTTP on the local stack: every staff read of a dossier
lands in its access log, in order, with the route and who read it, which the applicant reads (staff by name,
title and agency, never by account id or username); an administrator lists one staff member's reads; the
partner agency of an inter-agency step loses sight of the dossier once it has answered; the applicant reads staff
without their ids anywhere in the dossier."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from chalicelib.domain.agencies import agency

from .test_interagency_evaluation_search import BHXH, send_to
from .test_processing import HANOI, act, fetch, local_today, problem, sub_of
from .test_results import FULL_ONLINE, assigned_for

pytestmark = pytest.mark.e2e

PDF = "application/pdf"
ROUTES = {"": "GET /dossiers/{dossier_id}", "/history": "GET /dossiers/{dossier_id}/history",
          "/control-slip": "GET /dossiers/{dossier_id}/control-slip",
          "/notifications": "GET /dossiers/{dossier_id}/notifications",
          "/forms/receipt.pdf": "GET /dossiers/{dossier_id}/forms/{form_file}",
          "/files": "GET /dossiers/{dossier_id}/files/{upload_id}"}
# The demo directory (scripts/demo.py): display names and titles.
WHO = {"officer.hanoi": ("Lê Thị Hoa", "Cán bộ một cửa", ["officer"], HANOI),
       "specialist.hanoi": ("Phạm Thị Chuyên", "Chuyên viên", ["specialist"], HANOI),
       "officer.bhxh": ("Ngô Thị Bảo", "Cán bộ một cửa", ["officer"], BHXH)}


def read(client, dossier: dict, suffix: str, upload_id: str | None = None) -> None:
    """One read of the dossier through the route `suffix` names, answered 200."""
    path = f"/dossiers/{dossier['id']}" + (f"/files/{upload_id}" if suffix == "/files" else suffix)
    response = client.get(path, headers={"Accept": PDF} if suffix.endswith(".pdf") else {})
    assert response.status_code == 200, f"{path}: {response.text}"


def log_page(client, dossier: dict, **params) -> dict:
    response = client.get(f"/dossiers/{dossier['id']}/access-log", params=params)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["dossier_id"] == dossier["id"]
    return body


def whole_log(client, dossier: dict, limit: int = 2) -> list[dict]:
    """Every entry, page by page."""
    items, cursor = [], None
    while True:
        body = log_page(client, dossier, limit=str(limit), **({"cursor": cursor} if cursor else {}))
        items += body["items"]
        cursor = body["next_cursor"]
        if cursor is None:
            return items


def staff_reads(client, staff: str, **params) -> list[dict]:
    items, cursor = [], None
    while True:
        response = client.get("/admin/access-log", params={"staff": staff, "limit": "100", **params,
                                                             **({"cursor": cursor} if cursor else {})})
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["staff"] == staff
        items += body["items"]
        cursor = body["next_cursor"]
        if cursor is None:
            return items


def names_anyone(data, *values: str) -> bool:
    text = json.dumps(data, ensure_ascii=False)
    return any(f'"{value}"' in text for value in values)


# --------------------------------------------------------------------------- the dossier's log


def test_staff_reads_appear_in_the_applicants_log_in_order_with_the_route_and_who_read(api, aws, stack):
    citizen, officer, specialist = api("citizen.an"), api("officer.hanoi"), api("specialist.hanoi")
    dossier = assigned_for(api, FULL_ONLINE, {"method": "desk"})
    upload_id = dossier["components"][0]["files"][0]["upload_id"]

    for suffix in ROUTES:  # the applicant's own reads leave no trace
        read(citizen, dossier, suffix, upload_id)
    assert log_page(citizen, dossier) == {"dossier_id": dossier["id"], "items": [], "next_cursor": None}

    reads = [("officer.hanoi", ""), ("officer.hanoi", "/files"), ("specialist.hanoi", "/history"),
             ("specialist.hanoi", "/control-slip"), ("officer.hanoi", "/notifications"),
             ("specialist.hanoi", "/forms/receipt.pdf"), ("officer.hanoi", "")]
    for who, suffix in reads:
        read(api(who), dossier, suffix, upload_id)

    entries = whole_log(citizen, dossier)
    assert len(entries) == len(reads)
    assert [e["at"] for e in entries] == sorted((e["at"] for e in entries), reverse=True)  # newest first
    for entry, (who, suffix) in zip(reversed(entries), reads, strict=True):
        name, title, roles, agency_code = WHO[who]
        assert (entry["route"], entry["dossier_code"]) == (ROUTES[suffix], dossier["code"])
        assert entry["file_id"] == (upload_id if suffix == "/files" else None)
        assert entry["reader"] == {"name": name, "title": title, "roles": roles, "agency_code": agency_code,
                                   "agency_name": agency(agency_code).name_vi}
    staff_ids = [sub_of(aws, stack, who) for who in ("officer.hanoi", "specialist.hanoi")]
    assert not names_anyone(entries, *staff_ids, "officer.hanoi", "specialist.hanoi")
    english = log_page(api("citizen.an", "en"), dossier)["items"][0]["reader"]
    assert english["agency_name"] == agency(HANOI).name_en

    # The handling agency's staff read the same log with the accounts; reading the log is not itself a read.
    seen = whole_log(officer, dossier, limit=100)
    assert [e["id"] for e in seen] == [e["id"] for e in entries]
    assert [(e["reader"]["id"], e["reader"]["username"]) for e in reversed(seen)] == [
        (sub_of(aws, stack, who), who) for who, _ in reads]
    assert len(whole_log(specialist, dossier)) == len(reads)


def test_only_the_applicant_and_the_handling_agency_read_the_log(api):
    dossier = assigned_for(api, FULL_ONLINE, {"method": "desk"})
    for who in ("citizen.binh", "officer.hcm", "officer.bhxh"):
        problem(api(who).get(f"/dossiers/{dossier['id']}/access-log"), 404, "dossier_not_found")
    send_to(api, dossier)
    # The partner reads the dossier while its step is open, not who else did.
    problem(api("officer.bhxh").get(f"/dossiers/{dossier['id']}/access-log"), 403, "wrong_agency")
    assert log_page(api("admin"), dossier)["items"] == []
    problem(api().get(f"/dossiers/{dossier['id']}/access-log"), 401)


# --------------------------------------------------------------------------- the auditor


def test_an_administrator_lists_one_staff_members_reads_across_dossiers(api, aws, stack):
    officer, admin = api("officer.hanoi"), api("admin")
    first = assigned_for(api, FULL_ONLINE, {"method": "desk"})
    second = assigned_for(api, FULL_ONLINE, {"method": "desk"})
    upload_id = second["components"][0]["files"][0]["upload_id"]
    read(officer, first, "")
    read(officer, second, "/files", upload_id)
    read(officer, first, "/history")
    read(api("specialist.hanoi"), first, "")  # someone else's read

    today = local_today().isoformat()
    by_username = staff_reads(admin, "officer.hanoi", **{"from": today, "to": today})
    mine = [(e["dossier_id"], e["route"], e["file_id"]) for e in by_username
            if e["dossier_id"] in (first["id"], second["id"])]
    assert mine == [(first["id"], ROUTES["/history"], None), (second["id"], ROUTES["/files"], upload_id),
                    (first["id"], ROUTES[""], None)]  # newest first
    officer_id = sub_of(aws, stack, "officer.hanoi")
    assert {(e["reader"]["id"], e["reader"]["username"]) for e in by_username} == {(officer_id, "officer.hanoi")}
    assert by_username[0]["dossier_code"] in (first["code"], second["code"])

    by_id = staff_reads(admin, officer_id, **{"from": today})
    assert [e["id"] for e in by_id][:3] == [e["id"] for e in by_username][:3]
    response = admin.get("/admin/access-log", params={"staff": "officer.hanoi"})
    assert response.json()["staff_id"] == officer_id
    tomorrow = (local_today() + timedelta(days=1)).isoformat()
    yesterday = (local_today() - timedelta(days=1)).isoformat()
    assert staff_reads(admin, "officer.hanoi", **{"from": tomorrow}) == []
    assert [e["id"] for e in staff_reads(admin, "officer.hanoi", to=yesterday)
            if e["dossier_id"] in (first["id"], second["id"])] == []
    assert staff_reads(admin, "no-such-staff-member") == []


def test_the_auditors_query_is_for_administrators_only_and_checks_its_days(api):
    for who in ("officer.hanoi", "leader.hanoi", "citizen.an"):
        problem(api(who).get("/admin/access-log", params={"staff": "officer.hanoi"}), 403, "role_not_allowed")
    problem(api().get("/admin/access-log", params={"staff": "officer.hanoi"}), 401)
    admin = api("admin")
    body = problem(admin.get("/admin/access-log", params={"staff": "officer.hanoi", "from": "2026-03-05",
                                                          "to": "2026-03-04"}), 400, "bad_query")
    assert [(e["field"], e["code"]) for e in body["errors"]] == [("to", "search.range_reversed")]
    body = problem(admin.get("/admin/access-log"), 400, "bad_query")
    assert [(e["field"], e["code"]) for e in body["errors"]] == [("staff", "field.required")]


# --------------------------------------------------------------------------- the partner agency


def test_the_partner_agency_loses_sight_of_the_dossier_when_its_step_is_returned(api, aws, stack):
    citizen, officer, partner = api("citizen.an"), api("officer.hanoi"), api("officer.bhxh")
    dossier = assigned_for(api, FULL_ONLINE, {"method": "desk"})
    send_to(api, dossier)
    read(partner, dossier, "")
    read(partner, dossier, "/control-slip")
    incoming = partner.get("/desk/dossiers", params={"incoming": "true", "code": dossier["code"]}).json()["items"]
    assert [d["id"] for d in incoming] == [dossier["id"]]

    reply = "BHXH xác nhận: đã đóng đủ 24 tháng"
    act(partner, dossier, "return-from-agency", {"reply": reply})
    for suffix in ("", "/history", "/control-slip", "/notifications", "/forms/receipt.pdf", "/access-log"):
        problem(partner.get(f"/dossiers/{dossier['id']}{suffix}", headers={"Accept": PDF}
                            if suffix.endswith(".pdf") else {}), 404, "dossier_not_found")
    problem(partner.post(f"/dossiers/{dossier['id']}/return-from-agency", {"reply": "x"}), 404, "dossier_not_found")
    assert partner.get("/desk/dossiers", params={"incoming": "true", "code": dossier["code"]}).json()["items"] == []

    # What it did stays on the record the home agency and the applicant read.
    for client in (officer, citizen):
        (step,) = fetch(client, dossier)["inter_agency"]
        assert (step["agency_code"], step["reply"], step["returned_by"]["name"]) == (BHXH, reply, "Ngô Thị Bảo")
        slip = fetch(client, dossier, "/control-slip")["steps"]
        assert (slip[-1]["action"], slip[-1]["from"]["agency_code"]) == ("return_from_agency", BHXH)
        events = fetch(client, dossier, "/history")["events"]
        assert (events[-1]["type"], events[-1]["actor"]["agency_code"]) == ("dossier.returned_from_agency", BHXH)
    # And its reads stay in the applicant's log.
    entries = whole_log(citizen, dossier, limit=100)
    partner_reads = [e["route"] for e in reversed(entries) if e["reader"]["agency_code"] == BHXH]
    assert partner_reads == [ROUTES[""], ROUTES["/control-slip"]]
    assert entries[-1]["reader"]["agency_name"] == agency(BHXH).name_vi


# --------------------------------------------------------------------------- staff ids


def test_the_applicant_reads_staff_by_name_and_role_never_by_id_or_username(api, aws, stack):
    citizen, officer = api("citizen.an"), api("officer.hanoi")
    dossier = assigned_for(api, FULL_ONLINE, {"method": "desk"})
    staff = ("officer.hanoi", "leader.hanoi", "specialist.hanoi")
    hidden = (*staff, *(sub_of(aws, stack, who) for who in staff))

    record = fetch(citizen, dossier)
    history = fetch(citizen, dossier, "/history")
    slip = fetch(citizen, dossier, "/control-slip")
    assert not names_anyone([record, history, slip], *hidden)
    assert record["assignee"] == {"name": "Phạm Thị Chuyên"}
    assert [(e["actor"]["role"], e["actor"].get("name")) for e in history["events"][1:]] == [
        ("officer", "Lê Thị Hoa"), ("officer", "Lê Thị Hoa"), ("leader", "Trần Văn Lãnh")]
    assert history["events"][0]["actor"]["username"] == "citizen.an"  # the applicant's own stays
    assert slip["steps"][-1]["to"] == {"kind": "specialist", "name": "Phạm Thị Chuyên"}

    # Staff read everything.
    seen = fetch(officer, dossier)
    assert seen["assignee"]["username"] == "specialist.hanoi"
    assert seen["assignee"]["id"] == sub_of(aws, stack, "specialist.hanoi")
    assert fetch(officer, dossier, "/history")["events"][3]["payload"]["specialist"] == "specialist.hanoi"
