"""The DVCQG stand-in speaks docs/national-portal.md over real HTTP: login, the four services, faults, forwards."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import threading
import time
import urllib.error
import urllib.request
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from scripts.standins.national_portal import (
    VIETNAM,
    Config,
    forward_body,
    may_follow,
    sign,
    start_server,
)

SECRET = "inbound-secret"
MADONVI = "000.00.20.H26"
CATALOGUE = [
    {"code": "1.014199", "version": 1, "name_vi": "Cấp giấy phép lao động (cũ)", "field_code": "foreign-workers",
     "field_vi": "Lao động nước ngoài", "agency_code": MADONVI, "agency_name_vi": "Sở Lao động Hà Nội"},
    {"code": "1.014199", "version": 2, "name_vi": "Cấp giấy phép lao động", "field_code": "foreign-workers",
     "national_field_code": "G09-LD01", "field_vi": "Lao động nước ngoài", "agency_code": MADONVI,
     "agency_name_vi": "Sở Lao động Hà Nội"},
    {"code": "1.001978", "version": 1, "name_vi": "Đăng ký kết hôn", "field_code": "civil-status",
     "field_vi": "Hộ tịch", "agency_code": "000.00.01.H26", "agency_name_vi": "UBND phường Ba Đình"},
]


# --- plumbing ---------------------------------------------------------------------------------------------------

def http(method: str, url: str, body: object = None, raw: bytes | None = None) -> tuple[int, object, dict]:
    data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
    request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            status, headers, payload = response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        status, headers, payload = error.code, dict(error.headers), error.read()
    assert headers["Content-Type"] == "application/json; charset=utf-8"
    return status, json.loads(payload), headers


class Portal:
    def __init__(self, url: str) -> None:
        self.url = url
        self.session = ""

    def login(self, username: str = "motcua", password: str = "secret") -> tuple[int, dict]:
        status, body, _ = http("POST", f"{self.url}/api/auth/login", {"username": username, "password": password})
        if status == 200:
            self.session = body["session"]
        return status, body

    def call(self, service: str, **fields: object) -> tuple[int, dict]:
        payload = {"session": self.session, "madonvi": MADONVI, "service": service, **fields}
        status, body, _ = http("POST", f"{self.url}/api/integration", payload)
        return status, body

    def sync(self, *records: dict, updating: bool = False) -> tuple[int, dict]:
        return self.call("DongBoHoSoMC", isUpdating="True" if updating else "False", data=list(records))

    def sim(self, method: str, path: str, body: object = None) -> tuple[int, dict]:
        status, answer, _ = http(method, f"{self.url}{path}", body)
        return status, answer

    def dossier(self, code: str) -> dict:
        return self.sim("GET", f"/_sim/dossiers/{code}")[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    catalogue = tmp_path_factory.mktemp("catalogue") / "procedures.json"
    catalogue.write_text(json.dumps(CATALOGUE, ensure_ascii=False), encoding="utf-8")
    config = Config(username="motcua", password="secret", madonvi=MADONVI, catalogue=str(catalogue),
                    inbound_secret=SECRET, timeout_delay=0.2)
    httpd, thread = start_server("127.0.0.1", 0, config)
    yield httpd
    httpd.shutdown()
    httpd.server_close()
    thread.join(5)


@pytest.fixture
def portal(server) -> Portal:
    client = Portal(server.url)
    client.sim("POST", "/_sim/reset")
    server.config.platform_url = "http://127.0.0.1:9"
    client.login()
    return client


def record(code: str = "H26-001", status: int | str = 1, **fields: object) -> dict:
    base = {"MaHoSo": code, "MaTTHC": "1.014199", "TenTTHC": "Cấp giấy phép lao động", "ChuHoSo": "Nguyễn Văn A",
            "LoaiDoiTuong": "1", "MaDoiTuong": "001099012345", "TrichYeuHoSo": "xin cấp phép",
            "TrangThaiHoSo": status, "KenhThucHien": 2, "DonViXuLy": "Sở Lao động Hà Nội",
            "NgayTiepNhan": "", "NgayHenTra": "", "NgayKetThucXuLy": "", "NgayTra": ""}
    if int(status) in (2, 4, 5, 6, 9, 10):
        base.update(NgayTiepNhan="20250807090000", NgayHenTra="20250821170000")
    if int(status) == 10:
        base["NgayTra"] = "20250822100000"
    return {**base, **fields}


def step(code: str = "H26-001", status: int = 2, when: str = "20250807090000", **fields: object) -> dict:
    return {"MaHoSo": code, "NguoiXuLy": "Trần B", "ChucDanh": "Chuyên viên", "ThoiDiemXuLy": when,
            "PhongBanXuLy": "Một cửa", "NoiDungXuLy": "Tiếp nhận", "TrangThai": status, "NgayBatDau": when,
            "NgayKetThucTheoQuyDinh": "", **fields}


# --- login and sessions -----------------------------------------------------------------------------------------

def test_login_hands_out_a_session_with_its_lifetime(portal):
    status, body = portal.login()
    assert status == 200
    assert body["error_code"] == 0 and body["expires_in"] == 1800 and len(body["session"]) >= 32


def test_login_with_wrong_credentials_is_refused_with_01(portal):
    assert portal.login(password="wrong") == (401, {"error_code": "01", "message": "wrong username or password"})


@pytest.mark.parametrize("session", ["", "not-a-session", None])
def test_a_call_without_a_live_session_is_refused_with_02(portal, session):
    portal.session = session
    status, body = portal.call("TraCuuHoSo", mahoso="H26-001")
    assert (status, body["error_code"]) == (401, "02")


def test_expired_sessions_need_a_new_login(portal):
    portal.sim("POST", "/_sim/sessions/expire")
    assert portal.call("TraCuuHoSo", mahoso="x")[0] == 401
    portal.login()
    assert portal.call("TraCuuHoSo", mahoso="x")[0] == 200


def test_a_session_expires_after_its_ttl():
    httpd, _ = start_server("127.0.0.1", 0, Config(password="secret", madonvi=MADONVI, session_ttl=0.1))
    try:
        client = Portal(httpd.url)
        client.login()
        assert client.call("TraCuuHoSo", mahoso="x")[0] == 200
        time.sleep(0.15)
        assert client.call("TraCuuHoSo", mahoso="x")[1]["error_code"] == "02"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_wrong_madonvi_and_unknown_service_are_invalid_data(portal):
    status, body, _ = http("POST", f"{portal.url}/api/integration",
                           {"session": portal.session, "madonvi": "other", "service": "TraCuuHoSo", "mahoso": "x"})
    assert (status, body["error_code"]) == (400, "01")
    assert portal.call("XoaHoSo") == (400, {"error_code": "01", "message": "unknown service", "errors": [
        {"MaHoSo": "", "field": "service", "message": "unknown service"}]})


@pytest.mark.parametrize("path", ["/api/integration", "/api/auth/login", "/_sim/faults", "/_sim/submit"])
def test_malformed_json_is_answered_01_without_a_trace(portal, path):
    status, body, _ = http("POST", f"{portal.url}{path}", raw=b'{"session": ')
    assert status == 400 and body["error_code"] == "01"


def test_an_unknown_path_is_a_json_404(portal):
    assert portal.sim("GET", "/nowhere") == (404, {"error": "not found"})


# --- DongBoHoSoMC -----------------------------------------------------------------------------------------------

def test_a_creation_stores_the_record_and_its_first_status(portal):
    assert portal.sync(record(status=1)) == (200, {"error_code": "00", "message": "OK"})
    held = portal.dossier("H26-001")
    assert held["statuses"] == [1] and held["progress"] == []
    assert held["record"]["ChuHoSo"] == "Nguyễn Văn A"
    assert re.fullmatch(r"\d{14}", held["record"]["NgayCapNhat"])


def test_an_update_keeps_the_last_record_and_records_only_status_changes(portal):
    portal.sync(record(status=1))
    assert portal.sync(record(status="2"), updating=True)[0] == 200
    assert portal.sync(record(status=2, GhiChu="đã nhận"), updating=True)[0] == 200
    assert portal.sync(record(status=4), updating=True)[0] == 200
    held = portal.dossier("H26-001")
    assert held["statuses"] == [1, 2, 4]
    assert held["record"]["TrangThaiHoSo"] == 4 and "GhiChu" not in held["record"]


def test_several_records_in_one_call_are_all_stored(portal):
    assert portal.sync(record("A-1"), record("A-2", status=2))[0] == 200
    assert portal.dossier("A-1")["statuses"] == [1] and portal.dossier("A-2")["statuses"] == [2]


@pytest.mark.parametrize(("changes", "field"), [
    ({"MaHoSo": ""}, "MaHoSo"),
    ({"MaTTHC": None}, "MaTTHC"),
    ({"TenTTHC": ""}, "TenTTHC"),
    ({"ChuHoSo": "  "}, "ChuHoSo"),
    ({"DonViXuLy": ""}, "DonViXuLy"),
    ({"LoaiDoiTuong": "3"}, "LoaiDoiTuong"),
    ({"LoaiDoiTuong": 1}, "LoaiDoiTuong"),
    ({"TrangThaiHoSo": 11}, "TrangThaiHoSo"),
    ({"TrangThaiHoSo": 0}, "TrangThaiHoSo"),
    ({"TrangThaiHoSo": "hai"}, "TrangThaiHoSo"),
    ({"TrangThaiHoSo": True}, "TrangThaiHoSo"),
    ({"KenhThucHien": 4}, "KenhThucHien"),
    ({"KenhThucHien": None}, "KenhThucHien"),
    ({"NgayTiepNhan": "2025-08-07 09:00"}, "NgayTiepNhan"),
    ({"NgayHenTra": "20251321170000"}, "NgayHenTra"),
    ({"NgayKetThucXuLy": "2025080709000"}, "NgayKetThucXuLy"),
    ({"NgayTra": "20250230100000"}, "NgayTra"),
    ({"TaiLieuNop": {"TenTepDinhKem": "a.pdf"}}, "TaiLieuNop"),
    ({"DanhSachLePhi": ["600000"]}, "DanhSachLePhi"),
    ({"DanhSachGiayToKetQua": "none"}, "DanhSachGiayToKetQua"),
    ({"DanhSachHoSoBoSung": [{"NgayBoSung": "yesterday"}]}, "DanhSachHoSoBoSung[0].NgayBoSung"),
    ({"DanhSachHoSoBoSung": [{"NgayBoSung": "", "NgayHenTraMoi": "20250899000000"}]},
     "DanhSachHoSoBoSung[0].NgayHenTraMoi"),
])
def test_each_record_rule_refuses_with_01_and_names_the_field(portal, changes, field):
    status, body = portal.sync(record(**changes))
    assert (status, body["error_code"]) == (400, "01")
    assert field in [error["field"] for error in body["errors"]]
    assert portal.sim("GET", "/_sim/dossiers/H26-001")[0] == 404


@pytest.mark.parametrize(("status", "missing"), [
    (2, "NgayTiepNhan"), (4, "NgayHenTra"), (6, "NgayHenTra"), (9, "NgayTiepNhan"), (10, "NgayTra"),
])
def test_dates_a_status_needs_are_required(portal, status, missing):
    status_code, body = portal.sync(record(status=status, **{missing: ""}))
    assert status_code == 400
    assert {"MaHoSo": "H26-001", "field": missing, "message": f"required when TrangThaiHoSo is {status}"} \
        in body["errors"]


def test_a_supplement_asked_before_reception_needs_no_reception_dates(portal):
    status_code, body = portal.sync(record(status=5, NgayTiepNhan="", NgayHenTra=""))
    assert (status_code, body["error_code"]) == (200, "00")


def test_is_updating_must_be_the_portal_spelling(portal):
    status, body = portal.call("DongBoHoSoMC", isUpdating=True, data=[record()])
    assert status == 400 and body["errors"][0]["field"] == "isUpdating"


def test_one_bad_record_fails_the_whole_batch_and_stores_nothing(portal):
    status, body = portal.sync(record("B-1"), record("B-2", KenhThucHien=9))
    assert status == 400
    assert body["errors"] == [{"MaHoSo": "B-2", "field": "KenhThucHien", "message": "must be an integer from 1 to 3"}]
    assert portal.sim("GET", "/_sim/dossiers/B-1")[0] == 404


def test_creating_a_known_dossier_answers_05(portal):
    portal.sync(record())
    status, body = portal.sync(record(status=2))
    assert (status, body["error_code"]) == (409, "05")
    assert portal.dossier("H26-001")["statuses"] == [1]


def test_updating_an_unknown_dossier_answers_04(portal):
    status, body = portal.sync(record("NEVER"), updating=True)
    assert (status, body["error_code"]) == (404, "04")
    assert body["errors"] == [{"MaHoSo": "NEVER", "field": "MaHoSo", "message": "unknown MaHoSo"}]


@pytest.mark.parametrize(("old", "new"), [(3, 4), (7, 2), (8, 9), (10, 9), (2, 1), (4, 1), (9, 4), (9, 2), (9, 8)])
def test_a_status_going_backwards_is_refused_with_03_and_nothing_changes(portal, old, new):
    portal.sync(record(status=old, GhiChu="before"))
    status, body = portal.sync(record(status=new, GhiChu="after"), updating=True)
    assert (status, body["error_code"]) == (409, "03")
    held = portal.dossier("H26-001")
    assert held["statuses"] == [old] and held["record"]["GhiChu"] == "before"


@pytest.mark.parametrize(("old", "new"), [(1, 2), (1, 9), (2, 5), (5, 2), (4, 6), (6, 4), (9, 10), (2, 3), (10, 10)])
def test_forward_and_sideways_moves_are_accepted(portal, old, new):
    portal.sync(record(status=old))
    assert portal.sync(record(status=new), updating=True)[1]["error_code"] == "00"


def test_the_order_rule_of_section_4():
    assert all(not may_follow(final, later) for final in (3, 7, 8, 10) for later in range(1, 11) if later != final)
    assert [old for old in range(2, 11) if may_follow(old, 1)] == [5]  # supplemented before reception
    assert [new for new in range(1, 11) if may_follow(9, new)] == [9, 10]


def test_a_refused_record_in_an_update_batch_keeps_the_others_unchanged(portal):
    portal.sync(record("C-1", status=2), record("C-2", status=3))
    status, body = portal.sync(record("C-1", status=4), record("C-2", status=4), updating=True)
    assert body["error_code"] == "03" and body["errors"][0]["MaHoSo"] == "C-2"
    assert portal.dossier("C-1")["statuses"] == [2]


# --- CapNhatTienDoHoSoMC ----------------------------------------------------------------------------------------

def test_progress_entries_are_kept_in_arrival_order(portal):
    portal.sync(record())
    assert portal.call("CapNhatTienDoHoSoMC", data=[step(when="20250807090000")])[0] == 200
    assert portal.call("CapNhatTienDoHoSoMC", data=[step(status="4", when="20250808100000", NoiDungXuLy="Chuyển"),
                                                    step(status=4, when="20250808110000")])[0] == 200
    progress = portal.dossier("H26-001")["progress"]
    assert [entry["ThoiDiemXuLy"] for entry in progress] == ["20250807090000", "20250808100000", "20250808110000"]
    assert progress[1]["NoiDungXuLy"] == "Chuyển"


def test_progress_for_an_unknown_dossier_answers_04_and_appends_nothing(portal):
    portal.sync(record())
    status, body = portal.call("CapNhatTienDoHoSoMC", data=[step(), step("NEVER")])
    assert (status, body["error_code"]) == (404, "04")
    assert portal.dossier("H26-001")["progress"] == []


@pytest.mark.parametrize(("changes", "field"), [
    ({"TrangThai": 11}, "TrangThai"), ({"ThoiDiemXuLy": ""}, "ThoiDiemXuLy"),
    ({"ThoiDiemXuLy": "20250807"}, "ThoiDiemXuLy"), ({"NgayBatDau": "x"}, "NgayBatDau"),
    ({"NgayKetThucTheoQuyDinh": "20250231170000"}, "NgayKetThucTheoQuyDinh"),
])
def test_invalid_progress_is_refused_with_01(portal, changes, field):
    portal.sync(record())
    status, body = portal.call("CapNhatTienDoHoSoMC", data=[step(**changes)])
    assert status == 400 and [error["field"] for error in body["errors"]] == [field]
    assert portal.dossier("H26-001")["progress"] == []


# --- TraCuuHoSo and LayDanhSachTTHC -----------------------------------------------------------------------------

def test_lookup_of_one_code_returns_the_stored_record(portal):
    portal.sync(record(status=2))
    status, body = portal.call("TraCuuHoSo", mahoso="H26-001")
    assert status == 200 and body["error_code"] == "00"
    [found] = body["result"]
    assert found["TrangThaiHoSo"] == 2 and re.fullmatch(r"\d{14}", found["NgayCapNhat"])
    stored = datetime.strptime(found["NgayCapNhat"], "%Y%m%d%H%M%S").replace(tzinfo=VIETNAM)
    assert abs((datetime.now(VIETNAM) - stored).total_seconds()) < 5


def test_lookup_of_a_list_leaves_unknown_codes_out(portal):
    portal.sync(record("D-1"), record("D-2"))
    body = portal.call("TraCuuHoSo", mahoso=["D-2", "NONE", "D-1"])[1]
    assert [found["MaHoSo"] for found in body["result"]] == ["D-2", "D-1"]


def test_lookup_of_more_than_100_codes_is_invalid(portal):
    assert portal.call("TraCuuHoSo", mahoso=[f"X-{n}" for n in range(101)])[1]["error_code"] == "01"


def test_procedure_list_keeps_the_highest_version_in_the_portal_shape(portal):
    status, body = portal.call("LayDanhSachTTHC")
    assert status == 200
    assert body["result"] == [
        {"MATTHC": "1.001978", "TENTTHC": "Đăng ký kết hôn",
         "LINHVUCTHUCHIEN": [{"MALINHVUC": "civil-status", "TENLINHVUC": "Hộ tịch"}],
         "COQUANTHUCHIEN": [{"MADONVI": "000.00.01.H26", "TENDONVI": "UBND phường Ba Đình"}]},
        {"MATTHC": "1.014199", "TENTTHC": "Cấp giấy phép lao động",
         "LINHVUCTHUCHIEN": [{"MALINHVUC": "G09-LD01", "TENLINHVUC": "Lao động nước ngoài"}],
         "COQUANTHUCHIEN": [{"MADONVI": MADONVI, "TENDONVI": "Sở Lao động Hà Nội"}]},
    ]


# --- faults -----------------------------------------------------------------------------------------------------

def test_an_error_fault_answers_99_and_applies_nothing(portal):
    portal.sim("POST", "/_sim/faults", {"service": "DongBoHoSoMC", "mode": "error", "count": 1})
    assert portal.sync(record()) == (500, {"error_code": "99", "message": "portal failure (fault injection)"})
    assert portal.sim("GET", "/_sim/dossiers/H26-001")[0] == 404
    assert portal.sync(record())[0] == 200


def test_a_timeout_fault_waits_then_answers_504_and_applies_nothing(portal):
    portal.sim("POST", "/_sim/faults", {"service": "DongBoHoSoMC", "mode": "timeout", "delay_seconds": 0.3})
    started = time.monotonic()
    status, body = portal.sync(record())
    assert time.monotonic() - started >= 0.3
    assert (status, body["error_code"]) == (504, "99")
    assert portal.sim("GET", "/_sim/dossiers/H26-001")[0] == 404


def test_a_timeout_fault_without_a_delay_uses_the_configured_one(portal):
    portal.sim("POST", "/_sim/faults", {"service": "TraCuuHoSo", "mode": "timeout"})
    started = time.monotonic()
    assert portal.call("TraCuuHoSo", mahoso="x")[0] == 504
    assert time.monotonic() - started >= 0.2


def test_a_reject_fault_answers_01_and_applies_nothing(portal):
    portal.sync(record())
    portal.sim("POST", "/_sim/faults", {"service": "CapNhatTienDoHoSoMC", "mode": "reject"})
    status, body = portal.call("CapNhatTienDoHoSoMC", data=[step()])
    assert (status, body["error_code"], body["message"]) == (400, "01", "rejected (fault injection)")
    assert portal.dossier("H26-001")["progress"] == []


def test_a_drop_fault_answers_done_but_the_portal_keeps_nothing(portal):
    portal.sync(record())
    portal.sim("POST", "/_sim/faults", {"service": "DongBoHoSoMC", "mode": "drop"})
    assert portal.sync(record(status=2), updating=True) == (200, {"error_code": "00", "message": "OK"})
    assert portal.dossier("H26-001")["statuses"] == [1]


def test_faults_are_consumed_in_order_and_count_down(portal):
    portal.sim("POST", "/_sim/faults", {"service": "TraCuuHoSo", "mode": "error", "count": 2})
    portal.sim("POST", "/_sim/faults", {"service": "TraCuuHoSo", "mode": "reject"})
    assert portal.sim("GET", "/_sim/faults")[1]["pending"] == [
        {"service": "TraCuuHoSo", "mode": "error", "remaining": 2, "delay_seconds": None},
        {"service": "TraCuuHoSo", "mode": "reject", "remaining": 1, "delay_seconds": None}]
    statuses = [portal.call("TraCuuHoSo", mahoso="x")[0] for _ in range(4)]
    assert statuses == [500, 500, 400, 200]
    assert portal.sim("GET", "/_sim/faults")[1]["pending"] == []


def test_a_fault_touches_only_its_service(portal):
    portal.sim("POST", "/_sim/faults", {"service": "LayDanhSachTTHC", "mode": "error"})
    assert portal.call("TraCuuHoSo", mahoso="x")[0] == 200
    assert portal.call("LayDanhSachTTHC")[0] == 500


def test_login_faults(portal):
    portal.sim("POST", "/_sim/faults", {"service": "login", "mode": "error"})
    portal.sim("POST", "/_sim/faults", {"service": "login", "mode": "drop"})
    assert portal.login()[0] == 500
    status, body = portal.login()
    assert status == 200 and body["error_code"] == 0
    assert portal.call("TraCuuHoSo", mahoso="x")[1]["error_code"] == "02"
    assert portal.login()[0] == 200


def test_pending_faults_can_be_cleared(portal):
    portal.sim("POST", "/_sim/faults", {"service": "DongBoHoSoMC", "mode": "error", "count": 5})
    assert portal.sim("DELETE", "/_sim/faults") == (200, {"pending": []})
    assert portal.sync(record())[0] == 200


@pytest.mark.parametrize("spec", [
    {"service": "Nope", "mode": "error"}, {"service": "TraCuuHoSo", "mode": "explode"},
    {"service": "TraCuuHoSo", "mode": "error", "count": 0}, {"service": "login", "mode": "timeout",
                                                             "delay_seconds": "1"},
])
def test_a_malformed_fault_is_refused(portal, spec):
    assert portal.sim("POST", "/_sim/faults", spec)[0] == 400
    assert portal.sim("GET", "/_sim/faults")[1]["pending"] == []


# --- inspection -------------------------------------------------------------------------------------------------

def test_an_unknown_dossier_is_a_404(portal):
    assert portal.sim("GET", "/_sim/dossiers/NONE") == (404, {"error": "unknown"})


def test_every_call_is_logged_in_order(portal):
    portal.sync(record("E-1"), record("E-2"))
    portal.call("TraCuuHoSo", mahoso=["E-1"])
    portal.session = "stale"
    portal.call("CapNhatTienDoHoSoMC", data=[step("E-2")])
    calls = portal.sim("GET", "/_sim/calls")[1]["calls"]
    assert [(c["service"], c["error_code"], c["MaHoSo"]) for c in calls] == [
        ("login", 0, []), ("DongBoHoSoMC", "00", ["E-1", "E-2"]), ("TraCuuHoSo", "00", ["E-1"]),
        ("CapNhatTienDoHoSoMC", "02", ["E-2"])]
    assert all(call["at"] for call in calls)


def test_reset_clears_dossiers_calls_faults_and_sessions(portal):
    portal.sync(record())
    portal.sim("POST", "/_sim/faults", {"service": "TraCuuHoSo", "mode": "error"})
    assert portal.sim("POST", "/_sim/reset") == (200, {"reset": True})
    assert portal.sim("GET", "/_sim/dossiers/H26-001")[0] == 404
    assert portal.sim("GET", "/_sim/calls")[1]["calls"] == []
    assert portal.sim("GET", "/_sim/faults")[1]["pending"] == []
    assert portal.call("TraCuuHoSo", mahoso="x")[1]["error_code"] == "02"


# --- the inbound forward ----------------------------------------------------------------------------------------

class _Platform(BaseHTTPRequestHandler):
    """A tiny stand-in for the platform: verifies the signature as §1 says, fetches the files, answers 201."""

    received: list[dict]

    def do_POST(self) -> None:
        raw = self.rfile.read(int(self.headers["Content-Length"]))
        timestamp = self.headers["X-DVCQG-Timestamp"]
        expected = "sha256=" + hmac.new(SECRET.encode(), timestamp.encode() + b"." + raw, hashlib.sha256).hexdigest()
        body = json.loads(raw)
        fetched = []
        for document in body["TaiLieuNop"]:
            try:
                with urllib.request.urlopen(document["DuongDanTaiTepTin"], timeout=5) as response:
                    fetched.append((response.status, response.headers["Content-Type"], response.read()))
            except urllib.error.HTTPError as error:
                fetched.append((error.code, None, b""))
        self.received.append({"path": self.path, "signed": hmac.compare_digest(expected, self.headers[
            "X-DVCQG-Signature"]), "timestamp": int(timestamp), "raw": raw, "body": body, "fetched": fetched})
        answer = json.dumps({"error_code": "00", "MaHoSo": body["MaHoSo"], "status": "submitted"}).encode()
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def platform(server, portal):
    handler = type("Platform", (_Platform,), {"received": []})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    server.config.platform_url = f"http://127.0.0.1:{httpd.server_address[1]}/"
    yield handler.received
    httpd.shutdown()
    httpd.server_close()


PDF = b"%PDF-1.4 giay phep"
PNG = b"\x89PNG\r\n\x1a\n anh"
PERSON = {"type": "person", "full_name": "Nguyễn Văn A", "citizen_id": "001099012345", "date_of_birth": "1990-05-17",
          "phone": "0912345678", "email": "a@example.vn", "address": "1 Tràng Tiền, Hoàn Kiếm, Hà Nội"}
BUSINESS = {"type": "business", "name": "Công ty TNHH Minh An", "tax_code": "0101234567", "address": "2 Lê Lợi",
            "representative": {"full_name": "Lê Thị C", "citizen_id": "001188012345", "position": "Giám đốc"},
            "email": "info@minhan.vn"}


def submission(**changes: object) -> dict:
    return {"procedure_code": "1.014199", "applicant": PERSON, "summary": "Xin cấp giấy phép lao động",
            "files": [{"component_id": "application-form", "file_name": "đơn đề nghị.pdf",
                       "content_type": "application/pdf", "content_base64": base64.b64encode(PDF).decode()},
                      {"component_id": "photos", "file_name": "anh.png", "content_type": "image/png",
                       "content_base64": base64.b64encode(PNG).decode()}],
            "delivery": {"method": "post", "address": "1 Tràng Tiền"}, **changes}


def test_submit_forwards_a_signed_portal_shaped_dossier(portal, platform):
    status, answer = portal.sim("POST", "/_sim/submit", submission())
    assert status == 200
    assert answer["platform_status"] == 201 and answer["platform_body"]["status"] == "submitted"
    [received] = platform
    assert received["path"] == "/integrations/national-portal/dossiers" and received["signed"]
    assert abs(received["timestamp"] - time.time()) < 5
    body = received["body"]
    assert re.fullmatch(r"DVCQG-\d{6}-\d{6}", body["MaHoSo"]) and body["MaHoSo"] == answer["MaHoSo"]
    assert re.fullmatch(r"\d{14}", body["NgayNopHoSo"])
    assert {key: body[key] for key in ("MaTTHC", "LoaiDoiTuong", "ChuHoSo", "MaDoiTuong", "NgaySinh", "DiaChi",
                                       "Email", "SoDienThoai", "TrichYeuHoSo", "HinhThucNhanKetQua",
                                       "DiaChiNhanKetQua")} == {
        "MaTTHC": "1.014199", "LoaiDoiTuong": "1", "ChuHoSo": "Nguyễn Văn A", "MaDoiTuong": "001099012345",
        "NgaySinh": "19900517", "DiaChi": PERSON["address"], "Email": "a@example.vn", "SoDienThoai": "0912345678",
        "TrichYeuHoSo": "Xin cấp giấy phép lao động", "HinhThucNhanKetQua": "1", "DiaChiNhanKetQua": "1 Tràng Tiền"}
    first, second = body["TaiLieuNop"]
    assert first["MaThanhPhanHoSo"] == "application-form" and first["TenTepDinhKem"] == "đơn đề nghị.pdf"
    assert (first["KichThuoc"], first["MaHash"], first["LoaiTep"]) == (
        len(PDF), hashlib.sha256(PDF).hexdigest(), "application/pdf")
    assert first["DuongDanTaiTepTin"].startswith(f"{portal.url}/files/")
    assert received["fetched"] == [(200, "application/pdf", PDF), (200, "image/png", PNG)]
    assert second["MaHash"] == hashlib.sha256(PNG).hexdigest()


def test_a_business_forward_names_its_representative(portal, platform):
    portal.sim("POST", "/_sim/submit", submission(applicant=BUSINESS, delivery={"method": "online"}))
    body = platform[0]["body"]
    assert (body["LoaiDoiTuong"], body["ChuHoSo"], body["MaDoiTuong"]) == ("2", "Công ty TNHH Minh An", "0101234567")
    assert body["NguoiDaiDien"] == {"HoTen": "Lê Thị C", "SoDinhDanh": "001188012345", "ChucVu": "Giám đốc"}
    assert "NgaySinh" not in body and "SoDienThoai" not in body and "DiaChiNhanKetQua" not in body
    assert body["HinhThucNhanKetQua"] == "2"


def test_forwarding_the_same_code_and_content_again_sends_the_same_body(portal, platform):
    code = portal.sim("POST", "/_sim/submit", submission())[1]["MaHoSo"]
    assert portal.sim("POST", "/_sim/submit", submission(MaHoSo=code))[1]["MaHoSo"] == code
    portal.sim("POST", "/_sim/submit", submission(MaHoSo=code, summary="khác"))
    assert platform[0]["raw"] == platform[1]["raw"]
    assert platform[2]["body"]["MaHoSo"] == code and platform[2]["body"]["TrichYeuHoSo"] == "khác"


def test_the_hash_tamper_sends_a_wrong_hash_for_the_first_file(portal, platform):
    portal.sim("POST", "/_sim/submit", submission(tamper={"hash": True}))
    received = platform[0]
    first, second = received["body"]["TaiLieuNop"]
    assert received["fetched"][0][2] == PDF and first["MaHash"] != hashlib.sha256(PDF).hexdigest()
    assert second["MaHash"] == hashlib.sha256(PNG).hexdigest()


def test_the_unreachable_tamper_sends_a_file_address_that_404s(portal, platform):
    portal.sim("POST", "/_sim/submit", submission(tamper={"unreachable": True}))
    assert [fetched[0] for fetched in platform[0]["fetched"]] == [404, 200]


def test_an_unreachable_platform_is_a_502_with_the_code(portal):
    status, answer = portal.sim("POST", "/_sim/submit", submission())
    assert status == 502 and answer["platform_status"] is None and answer["MaHoSo"].startswith("DVCQG-")


@pytest.mark.parametrize("changes", [
    {"applicant": {"type": "robot"}}, {"procedure_code": 1}, {"delivery": {"method": "drone"}},
    {"files": [{"component_id": "x", "file_name": "a.pdf", "content_base64": "***"}]},
])
def test_a_malformed_submission_is_refused_before_forwarding(portal, platform, changes):
    assert portal.sim("POST", "/_sim/submit", submission(**changes))[0] == 400
    assert platform == []


def test_an_unknown_file_token_is_a_404(portal):
    assert portal.sim("GET", "/files/nothing/a.pdf") == (404, {"error": "unknown"})


def test_forward_body_and_sign_are_pure():
    submitted = datetime(2025, 8, 7, 9, 30, tzinfo=VIETNAM)
    body = forward_body(ma_ho_so="DVCQG-250807-000001", procedure_code="1.014199", applicant=PERSON, summary="s",
                        documents=[{"component_id": "c", "file_name": "a.pdf", "content_type": "application/pdf",
                                    "url": "http://portal/files/t/a.pdf", "content": PDF}],
                        delivery={"method": "desk"}, submitted_at=submitted)
    assert body["NgayNopHoSo"] == "20250807093000" and body["HinhThucNhanKetQua"] == "0"
    assert body["TaiLieuNop"][0]["KichThuoc"] == len(PDF)
    assert sign("k", 1754530200, b"{}") == "sha256=" + hmac.new(b"k", b"1754530200.{}", hashlib.sha256).hexdigest()
