"""Local stand-in for the exchange gateway of the National Public Service Portal (Cổng DVCQG).

It speaks docs/national-portal.md §1–§4 over HTTP so that the platform's adapter cannot tell it from the real
gateway: login and the four services on the outbound side, signed forwards of dossiers on the inbound side
(``POST /_sim/submit``). The ``/_sim/*`` endpoints inject faults and show what the portal holds, for tests.

Standard library only and nothing from the platform: the portal is a separate system, and sharing code with the
adapter would let both sides agree on a mistake.

    python -m scripts.standins.national_portal --port 8701 --platform-url http://127.0.0.1:8000 \\
        --inbound-secret S --username U --password P --madonvi M --catalogue chalicelib/data/procedures.json
"""

from __future__ import annotations

import argparse
import base64
import binascii
import hashlib
import hmac
import json
import re
import secrets
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from http.server import ThreadingHTTPServer
from typing import Any

from scripts.standins import (
    BadRequest,
    LocalHandler,
    LocalServer,
    serve_in_thread,
    serve_until_stopped,
)

VIETNAM = timezone(timedelta(hours=7), "ICT")
PORTAL_TIME = "%Y%m%d%H%M%S"
SERVICES = ("DongBoHoSoMC", "CapNhatTienDoHoSoMC", "TraCuuHoSo", "LayDanhSachTTHC")
FAULT_SERVICES = (*SERVICES, "login")
FAULT_MODES = ("error", "timeout", "reject", "drop")
FINAL_STATUSES = frozenset({3, 7, 8, 10})
# Statuses whose record carries the reception and appointment dates. Not 5: a supplement may be asked at the desk
# before the dossier is received (docs/national-portal.md, section 4: 5 -> 1 when it is supplied), with no dates yet.
DATED_STATUSES = frozenset({2, 4, 6, 9, 10})
RECORD_REQUIRED = ("MaHoSo", "MaTTHC", "TenTTHC", "ChuHoSo", "DonViXuLy")
RECORD_DATES = ("NgayTiepNhan", "NgayHenTra", "NgayKetThucXuLy", "NgayTra")
RECORD_LISTS = ("TaiLieuNop", "DanhSachLePhi", "DanhSachHoSoBoSung", "DanhSachGiayToKetQua")
SUPPLEMENT_DATES = ("NgayBoSung", "NgayHenTraTruoc", "NgayHenTraMoi")
PROGRESS_DATES = ("NgayBatDau", "NgayKetThucTheoQuyDinh")
MAX_LOOKUP = 100
MAX_BODY_BYTES = 64 * 1024 * 1024
FORWARD_PATH = "/integrations/national-portal/dossiers"
FORWARD_TIMEOUT_SECONDS = 60
HTTP_STATUS = {"00": 200, "01": 400, "02": 401, "03": 409, "04": 404, "05": 409, "99": 500}
DELIVERY_CODES = {"desk": "0", "post": "1", "online": "2"}
_FOURTEEN_DIGITS = re.compile(r"[0-9]{14}")
_SMALL_NUMBER = re.compile(r"[0-9]{1,2}")


@dataclass
class Config:
    platform_url: str = "http://127.0.0.1:8000"
    inbound_secret: str = ""
    username: str = "motcua"
    password: str = "motcua"
    madonvi: str = "000.00.20.H26"
    catalogue: str | None = None
    session_ttl: float = 1800.0
    timeout_delay: float = 5.0
    log_requests: bool = False


class PortalError(Exception):
    """An answer other than "00": the code picks the HTTP status, as the gateway's table in §2 does."""

    def __init__(self, code: str, message: str, errors: list[dict] | None = None) -> None:
        super().__init__(message)
        self.code, self.message, self.errors = code, message, errors

    def answer(self) -> tuple[int, dict]:
        body: dict[str, Any] = {"error_code": self.code, "message": self.message}
        if self.errors is not None:
            body["errors"] = self.errors
        return HTTP_STATUS[self.code], body


# --- dates and numbers as the portal writes them ----------------------------------------------------------------

def portal_now() -> str:
    return datetime.now(VIETNAM).strftime(PORTAL_TIME)


def is_portal_time(value: Any) -> bool:
    """A real instant in ``yyyyMMddHHmmss`` (strptime alone would accept unpadded digits)."""
    if not isinstance(value, str) or not _FOURTEEN_DIGITS.fullmatch(value):
        return False
    try:
        datetime.strptime(value, PORTAL_TIME)
    except ValueError:
        return False
    return True


def _empty_or_time(value: Any) -> bool:
    return value == "" or is_portal_time(value)


def as_code(value: Any, low: int, high: int) -> int | None:
    """An integer code given as a number or a numeric string, within [low, high]; None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and _SMALL_NUMBER.fullmatch(value):
        value = int(value)
    if isinstance(value, int) and low <= value <= high:
        return value
    return None


def may_follow(old: int, new: int) -> bool:
    """§4: nothing follows a final status, nothing goes back to 1 (but a dossier supplemented before its reception,
    5 -> 1), after 9 only 10; staying put is no change."""
    if old == new:
        return True
    if old in FINAL_STATUSES or (new == 1 and old != 5):
        return False
    return new == 10 if old == 9 else True


def _filled(value: Any) -> bool:
    return isinstance(value, str) and value.strip() != ""


# --- validation -------------------------------------------------------------------------------------------------

def record_errors(record: Any) -> list[dict]:
    """Field errors of one DongBoHoSoMC record, as ``{"MaHoSo", "field", "message"}``."""
    if not isinstance(record, dict):
        return [{"MaHoSo": "", "field": "data", "message": "each record must be an object"}]
    code = record.get("MaHoSo") if isinstance(record.get("MaHoSo"), str) else ""
    errors: list[dict] = []

    def add(name: str, message: str) -> None:
        errors.append({"MaHoSo": code, "field": name, "message": message})

    for name in RECORD_REQUIRED:
        if not _filled(record.get(name)):
            add(name, "required")
    if record.get("LoaiDoiTuong") not in ("1", "2"):
        add("LoaiDoiTuong", 'must be "1" or "2"')
    status = as_code(record.get("TrangThaiHoSo"), 1, 10)
    if status is None:
        add("TrangThaiHoSo", "must be an integer from 1 to 10")
    if as_code(record.get("KenhThucHien"), 1, 3) is None:
        add("KenhThucHien", "must be an integer from 1 to 3")
    for name in RECORD_DATES:
        if not _empty_or_time(record.get(name, "")):
            add(name, "must be empty or yyyyMMddHHmmss")
    if status in DATED_STATUSES:
        for name in ("NgayTiepNhan", "NgayHenTra"):
            if not record.get(name):
                add(name, f"required when TrangThaiHoSo is {status}")
    if status == 10 and not record.get("NgayTra"):
        add("NgayTra", "required when TrangThaiHoSo is 10")
    for name in RECORD_LISTS:
        items = record.get(name)
        if name in record and not (isinstance(items, list) and all(isinstance(item, dict) for item in items)):
            add(name, "must be a list of objects")
    supplements = record.get("DanhSachHoSoBoSung")
    if isinstance(supplements, list):
        for index, item in enumerate(supplements):
            for name in SUPPLEMENT_DATES:
                if isinstance(item, dict) and not _empty_or_time(item.get(name, "")):
                    add(f"DanhSachHoSoBoSung[{index}].{name}", "must be empty or yyyyMMddHHmmss")
    return errors


def progress_errors(index: int, entry: Any) -> list[dict]:
    if not isinstance(entry, dict):
        return [{"MaHoSo": "", "field": f"data[{index}]", "message": "each entry must be an object"}]
    code = entry.get("MaHoSo") if isinstance(entry.get("MaHoSo"), str) else ""
    errors = []
    if not _filled(entry.get("MaHoSo")):
        errors.append({"MaHoSo": code, "field": "MaHoSo", "message": "required"})
    if as_code(entry.get("TrangThai"), 1, 10) is None:
        errors.append({"MaHoSo": code, "field": "TrangThai", "message": "must be an integer from 1 to 10"})
    if not is_portal_time(entry.get("ThoiDiemXuLy")):
        errors.append({"MaHoSo": code, "field": "ThoiDiemXuLy", "message": "must be yyyyMMddHHmmss"})
    for name in PROGRESS_DATES:
        if not _empty_or_time(entry.get(name, "")):
            errors.append({"MaHoSo": code, "field": name, "message": "must be empty or yyyyMMddHHmmss"})
    return errors


def _non_empty_list(body: dict) -> list:
    data = body.get("data")
    if not isinstance(data, list) or not data:
        raise PortalError("01", "data must be a non-empty list",
                          [{"MaHoSo": "", "field": "data", "message": "must be a non-empty list"}])
    return data


def codes_named(service: Any, body: dict) -> list[str]:
    """The dossier codes a call is about, for the call log."""
    if service in ("DongBoHoSoMC", "CapNhatTienDoHoSoMC") and isinstance(body.get("data"), list):
        items = [item for item in body["data"] if isinstance(item, dict)]
        return [item["MaHoSo"] for item in items if isinstance(item.get("MaHoSo"), str)]
    if service == "TraCuuHoSo":
        codes = body.get("mahoso")
        codes = [codes] if isinstance(codes, str) else codes
        return [code for code in codes if isinstance(code, str)] if isinstance(codes, list) else []
    return []


# --- the catalogue ----------------------------------------------------------------------------------------------

def procedure_list(procedures: list[dict]) -> list[dict]:
    """LayDanhSachTTHC's result from the platform's catalogue format, the highest version of each code."""
    latest: dict[str, dict] = {}
    for procedure in procedures:
        kept = latest.get(procedure["code"])
        if kept is None or procedure.get("version", 0) > kept.get("version", 0):
            latest[procedure["code"]] = procedure
    return [{
        "MATTHC": p["code"],
        "TENTTHC": p["name_vi"],
        "LINHVUCTHUCHIEN": [{"MALINHVUC": p.get("national_field_code") or p.get("field_code", ""),
                             "TENLINHVUC": p.get("field_vi", "")}],
        "COQUANTHUCHIEN": [{"MADONVI": p.get("agency_code", ""), "TENDONVI": p.get("agency_name_vi", "")}],
    } for _, p in sorted(latest.items())]


# --- the inbound forward ----------------------------------------------------------------------------------------

def sign(secret: str, timestamp: str | int, body: bytes) -> str:
    """§1: ``sha256=`` + hex HMAC-SHA256(secret, "<timestamp>." + body)."""
    digest = hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def forward_body(*, ma_ho_so: str, procedure_code: str, applicant: dict, summary: str, documents: list[dict],
                 delivery: dict, submitted_at: datetime) -> dict:
    """The portal-shaped body of §1. ``documents`` are ``{component_id, file_name, content_type, url, content}``
    with the bytes in ``content``; size and hash are taken from them."""
    business = applicant.get("type") == "business"
    body: dict[str, Any] = {
        "MaHoSo": ma_ho_so,
        "MaTTHC": procedure_code,
        "NgayNopHoSo": submitted_at.astimezone(VIETNAM).strftime(PORTAL_TIME),
        "LoaiDoiTuong": "2" if business else "1",
        "ChuHoSo": applicant.get("name" if business else "full_name", ""),
        "MaDoiTuong": applicant.get("tax_code" if business else "citizen_id", ""),
    }
    if business:
        representative = applicant.get("representative") or {}
        body["NguoiDaiDien"] = {"HoTen": representative.get("full_name") or "",
                                "SoDinhDanh": representative.get("citizen_id") or "",
                                "ChucVu": representative.get("position") or ""}
    elif applicant.get("date_of_birth"):
        body["NgaySinh"] = str(applicant["date_of_birth"]).replace("-", "")
    body["DiaChi"] = applicant.get("address", "")
    # Contacts are optional on the portal: an absent one is left out rather than sent empty.
    if applicant.get("email"):
        body["Email"] = applicant["email"]
    if applicant.get("phone"):
        body["SoDienThoai"] = applicant["phone"]
    body["TrichYeuHoSo"] = summary
    body["TaiLieuNop"] = [{
        "MaThanhPhanHoSo": doc["component_id"],
        "TenTepDinhKem": doc["file_name"],
        "DuongDanTaiTepTin": doc["url"],
        "KichThuoc": len(doc["content"]),
        "MaHash": hashlib.sha256(doc["content"]).hexdigest(),
        "LoaiTep": doc["content_type"],
    } for doc in documents]
    body["HinhThucNhanKetQua"] = DELIVERY_CODES[delivery.get("method", "online")]
    if delivery.get("address"):
        body["DiaChiNhanKetQua"] = delivery["address"]
    return body


def encode_body(body: dict) -> bytes:
    return json.dumps(body, ensure_ascii=False).encode("utf-8")


def post_forward(platform_url: str, secret: str, body: dict) -> tuple[int, Any, dict]:
    """Signs and POSTs a forward; returns the platform's status, body (JSON if it parses) and headers."""
    raw = encode_body(body)
    timestamp = str(int(time.time()))
    request = urllib.request.Request(
        platform_url.rstrip("/") + FORWARD_PATH, data=raw, method="POST",
        headers={"Content-Type": "application/json", "X-DVCQG-Timestamp": timestamp,
                 "X-DVCQG-Signature": sign(secret, timestamp, raw)})
    try:
        with urllib.request.urlopen(request, timeout=FORWARD_TIMEOUT_SECONDS) as response:
            status, headers, payload = response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        status, headers, payload = error.code, dict(error.headers), error.read()
    text = payload.decode("utf-8", errors="replace")
    try:
        parsed: Any = json.loads(text)
    except ValueError:
        parsed = text
    return status, parsed, headers


class SubmitInvalid(ValueError):
    pass


def _submit_request(body: dict) -> dict:
    """The structure of ``/_sim/submit`` (the applicant's content is for the platform to judge)."""
    def need(condition: bool, message: str) -> None:
        if not condition:
            raise SubmitInvalid(message)

    need(isinstance(body.get("procedure_code"), str), "procedure_code must be a string")
    applicant = body.get("applicant")
    need(isinstance(applicant, dict) and applicant.get("type") in ("person", "business"),
         'applicant must be an object with type "person" or "business"')
    need(applicant.get("type") == "person" or isinstance(applicant.get("representative") or {}, dict),
         "applicant.representative must be an object")
    need(isinstance(body.get("summary", ""), str), "summary must be a string")
    delivery = body.get("delivery") or {"method": "online"}
    need(isinstance(delivery, dict) and delivery.get("method") in DELIVERY_CODES,
         'delivery.method must be "desk", "post" or "online"')
    code = body.get("MaHoSo")
    need(code is None or (isinstance(code, str) and code != ""), "MaHoSo must be a non-empty string")
    tamper = body.get("tamper") or {}
    need(isinstance(tamper, dict), "tamper must be an object")
    files = body.get("files") or []
    need(isinstance(files, list), "files must be a list")
    documents = []
    for index, item in enumerate(files):
        need(isinstance(item, dict) and isinstance(item.get("component_id"), str)
             and _filled(item.get("file_name")) and isinstance(item.get("content_base64"), str),
             f"files[{index}] needs component_id, file_name and content_base64")
        try:
            content = base64.b64decode(item["content_base64"], validate=True)
        except (binascii.Error, ValueError) as error:
            raise SubmitInvalid(f"files[{index}].content_base64 is not base64") from error
        documents.append({"component_id": item["component_id"], "file_name": item["file_name"],
                          "content_type": item.get("content_type") or "application/octet-stream",
                          "content": content})
    return {"procedure_code": body["procedure_code"], "applicant": applicant, "summary": body.get("summary", ""),
            "documents": documents, "delivery": delivery, "code": code, "tamper": tamper,
            "fingerprint": hashlib.sha256(json.dumps(
                [body["procedure_code"], applicant, body.get("summary", ""), files, delivery, tamper],
                sort_keys=True).encode()).hexdigest()}


# --- the portal's state -----------------------------------------------------------------------------------------

class Portal:
    """Everything the gateway holds, in memory; every read and write under one lock."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.lock = threading.Lock()
        # Codes handed out survive a reset: the platform keeps its dossiers, so a reused code would be a conflict.
        self._issued: set[str] = set()
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.sessions: dict[str, float] = {}
            self.dossiers: dict[str, dict] = {}
            self.calls: list[dict] = []
            self.faults: dict[str, list[dict]] = {}
            self.files: dict[str, tuple[str, str, bytes]] = {}
            self.forwards: dict[str, tuple[str, dict]] = {}

    # sessions

    def login(self, username: Any, password: Any) -> dict:
        ok = (isinstance(username, str) and isinstance(password, str)
              and hmac.compare_digest(username.encode(), self.config.username.encode())
              and hmac.compare_digest(password.encode(), self.config.password.encode()))
        if not ok:
            raise PortalError("01", "wrong username or password")
        token = secrets.token_urlsafe(32)
        with self.lock:
            self.sessions[token] = time.monotonic() + self.config.session_ttl
        return {"error_code": 0, "session": token, "expires_in": int(self.config.session_ttl)}

    def session_valid(self, token: Any) -> bool:
        with self.lock:
            expiry = self.sessions.get(token) if isinstance(token, str) else None
            if expiry is not None and expiry <= time.monotonic():
                del self.sessions[token]
                expiry = None
        return expiry is not None

    def expire_sessions(self) -> None:
        with self.lock:
            self.sessions.clear()

    # faults

    def add_fault(self, spec: Any) -> dict:
        if not isinstance(spec, dict):
            raise PortalError("01", "a fault is an object")
        service, mode, count = spec.get("service"), spec.get("mode"), spec.get("count", 1)
        delay = spec.get("delay_seconds")
        if service not in FAULT_SERVICES:
            raise PortalError("01", f"service must be one of {', '.join(FAULT_SERVICES)}")
        if mode not in FAULT_MODES:
            raise PortalError("01", f"mode must be one of {', '.join(FAULT_MODES)}")
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise PortalError("01", "count must be a positive integer")
        if delay is not None and (isinstance(delay, bool) or not isinstance(delay, int | float) or delay < 0):
            raise PortalError("01", "delay_seconds must be a non-negative number")
        fault = {"service": service, "mode": mode, "remaining": count, "delay_seconds": delay}
        with self.lock:
            self.faults.setdefault(service, []).append(fault)
        return dict(fault)

    def take_fault(self, service: Any) -> dict | None:
        with self.lock:
            queue = self.faults.get(service) if isinstance(service, str) else None
            if not queue:
                return None
            fault = queue[0]
            fault["remaining"] -= 1
            if fault["remaining"] == 0:
                queue.pop(0)
            return dict(fault)

    def pending_faults(self) -> list[dict]:
        with self.lock:
            return [dict(fault) for queue in self.faults.values() for fault in queue]

    def clear_faults(self) -> None:
        with self.lock:
            self.faults.clear()

    # calls

    def log_call(self, service: Any, code: Any, codes: list[str], fault: str | None = None) -> None:
        at = datetime.now(UTC).isoformat(timespec="milliseconds")
        entry = {"service": service, "error_code": code, "at": at, "MaHoSo": codes, "fault": fault}
        with self.lock:
            self.calls.append(entry)

    # services

    def sync(self, body: dict) -> dict:
        """DongBoHoSoMC: every record passes or nothing is stored."""
        updating = body.get("isUpdating")
        if updating not in ("True", "False"):
            raise PortalError("01", 'isUpdating must be "True" or "False"',
                              [{"MaHoSo": "", "field": "isUpdating", "message": 'must be "True" or "False"'}])
        data = _non_empty_list(body)
        errors = [error for record in data for error in record_errors(record)]
        if errors:
            raise PortalError("01", "invalid data", errors)
        stored_at = portal_now()
        with self.lock:
            staged: dict[str, dict] = {}
            failures: list[tuple[str, dict]] = []
            for record in data:
                code, status = record["MaHoSo"], as_code(record["TrangThaiHoSo"], 1, 10)
                current = staged.get(code) or self.dossiers.get(code)
                stored = {**record, "NgayCapNhat": stored_at}
                if updating == "False":
                    if current is not None:
                        failures.append(("05", {"MaHoSo": code, "field": "MaHoSo", "message": "MaHoSo exists"}))
                        continue
                    staged[code] = {"record": stored, "statuses": [status], "progress": []}
                    continue
                if current is None:
                    failures.append(("04", {"MaHoSo": code, "field": "MaHoSo", "message": "unknown MaHoSo"}))
                    continue
                old = current["statuses"][-1]
                if not may_follow(old, status):
                    failures.append(("03", {"MaHoSo": code, "field": "TrangThaiHoSo",
                                            "message": f"TrangThaiHoSo cannot go from {old} to {status}"}))
                    continue
                statuses = current["statuses"] + ([] if status == old else [status])
                staged[code] = {"record": stored, "statuses": statuses, "progress": current["progress"]}
            if failures:
                first = failures[0][0]
                raise PortalError(first, {"03": "TrangThaiHoSo would go backwards", "04": "unknown MaHoSo",
                                          "05": "MaHoSo exists"}[first], [error for _, error in failures])
            self.dossiers.update(staged)
        return {"error_code": "00", "message": "OK"}

    def progress(self, body: dict) -> dict:
        """CapNhatTienDoHoSoMC: entries appended in arrival order, all or none."""
        data = _non_empty_list(body)
        errors = [error for index, entry in enumerate(data) for error in progress_errors(index, entry)]
        if errors:
            raise PortalError("01", "invalid data", errors)
        with self.lock:
            unknown = [{"MaHoSo": e["MaHoSo"], "field": "MaHoSo", "message": "unknown MaHoSo"}
                       for e in data if e["MaHoSo"] not in self.dossiers]
            if unknown:
                raise PortalError("04", "unknown MaHoSo", unknown)
            for entry in data:
                self.dossiers[entry["MaHoSo"]]["progress"].append(dict(entry))
        return {"error_code": "00", "message": "OK"}

    def lookup(self, body: dict) -> dict:
        codes = body.get("mahoso")
        codes = [codes] if isinstance(codes, str) else codes
        if not isinstance(codes, list) or not all(isinstance(code, str) for code in codes) or len(codes) > MAX_LOOKUP:
            raise PortalError("01", f"mahoso must be a code or a list of at most {MAX_LOOKUP} codes",
                              [{"MaHoSo": "", "field": "mahoso", "message": "invalid"}])
        with self.lock:
            found = [dict(self.dossiers[code]["record"]) for code in dict.fromkeys(codes) if code in self.dossiers]
        return {"error_code": "00", "message": "OK", "result": found}

    def procedures(self, _body: dict) -> dict:
        if not self.config.catalogue:
            return {"error_code": "00", "message": "OK", "result": []}
        try:
            with open(self.config.catalogue, encoding="utf-8") as handle:
                result = procedure_list(json.load(handle))
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
            raise PortalError("99", f"catalogue unavailable: {type(error).__name__}") from error
        return {"error_code": "00", "message": "OK", "result": result}

    def dossier(self, code: str) -> dict | None:
        with self.lock:
            held = self.dossiers.get(code)
            if held is None:
                return None
            return {"MaHoSo": code, "record": dict(held["record"]), "statuses": list(held["statuses"]),
                    "progress": [dict(entry) for entry in held["progress"]]}

    # files and forwards

    def store_file(self, name: str, content_type: str, content: bytes) -> str:
        token = secrets.token_urlsafe(24)
        with self.lock:
            self.files[token] = (name, content_type, content)
        return token

    def file(self, token: str, name: str) -> tuple[str, bytes] | None:
        with self.lock:
            held = self.files.get(token)
        if held is None or held[0] != name:
            return None
        return held[1], held[2]

    def new_code(self) -> str:
        day = datetime.now(VIETNAM).strftime("%y%m%d")
        with self.lock:
            while True:
                code = f"DVCQG-{day}-{secrets.randbelow(10**6):06d}"
                if code not in self._issued:
                    self._issued.add(code)
                    return code

    def prepare_forward(self, request: dict, own_url: str) -> dict:
        """The body to forward; the same MaHoSo with the same inputs gives the same body again (a retry)."""
        code = request["code"]
        if code is not None:
            with self.lock:
                previous = self.forwards.get(code)
            if previous is not None and previous[0] == request["fingerprint"]:
                return previous[1]
        code = code or self.new_code()
        documents = []
        for index, doc in enumerate(request["documents"]):
            quoted = urllib.parse.quote(doc["file_name"], safe="")
            if index == 0 and request["tamper"].get("unreachable"):
                token = secrets.token_urlsafe(24)  # never stored: the download gets a 404
            else:
                token = self.store_file(doc["file_name"], doc["content_type"], doc["content"])
            documents.append({**doc, "url": f"{own_url}/files/{token}/{quoted}"})
        body = forward_body(ma_ho_so=code, procedure_code=request["procedure_code"], applicant=request["applicant"],
                            summary=request["summary"], documents=documents, delivery=request["delivery"],
                            submitted_at=datetime.now(VIETNAM))
        if request["tamper"].get("hash") and body["TaiLieuNop"]:
            body["TaiLieuNop"][0]["MaHash"] = hashlib.sha256(b"tampered:" + documents[0]["content"]).hexdigest()
        with self.lock:
            self.forwards[code] = (request["fingerprint"], body)
        return body


# --- HTTP -------------------------------------------------------------------------------------------------------

class PortalServer(LocalServer, ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], config: Config) -> None:
        self.config = config
        self.portal = Portal(config)
        super().__init__(address, _Handler)


class _Handler(LocalHandler):
    server: PortalServer
    server_version = "DVCQG-standin/1"
    log_name = "national-portal"
    max_body_bytes = MAX_BODY_BYTES

    def _dispatch(self, method: str) -> None:
        try:
            raw = self._read() if method != "GET" else b""
            path = urllib.parse.urlsplit(self.path).path
            route = _ROUTES.get((method, path))
            if route is not None:
                route(self, raw)
            elif method == "GET" and path.startswith("/_sim/dossiers/"):
                self._sim_dossier(urllib.parse.unquote(path[len("/_sim/dossiers/"):]))
            elif method == "GET" and path.startswith("/files/"):
                self._file(path[len("/files/"):])
            else:
                self._json(404, {"error": "not found"})
        except BadRequest as error:
            self._json(400, {"error_code": "01", "message": str(error)})
        except Exception as error:  # a bug here must still answer JSON, never a stack trace
            sys.stderr.write(f"national-portal: internal error {type(error).__name__}: {error}\n")
            self._json(500, {"error_code": "99", "message": "internal error"})

    def _faulted(self, service: str, fault: dict) -> tuple[int, dict]:
        """What a fault answers; nothing is applied in any mode."""
        mode = fault["mode"]
        if mode == "timeout":
            delay = fault["delay_seconds"]
            time.sleep(self.server.config.timeout_delay if delay is None else delay)
            return 504, {"error_code": "99", "message": "gateway timeout (fault injection)"}
        if mode == "error":
            return 500, {"error_code": "99", "message": "portal failure (fault injection)"}
        if mode == "reject":
            return 400, {"error_code": "01", "message": "rejected (fault injection)", "errors": []}
        if service == "login":  # the session handed out was never recorded
            return 200, {"error_code": 0, "session": secrets.token_urlsafe(32),
                         "expires_in": int(self.server.config.session_ttl)}
        dropped: dict[str, Any] = {"error_code": "00", "message": "OK"}
        if service in ("TraCuuHoSo", "LayDanhSachTTHC"):
            dropped["result"] = []
        return 200, dropped

    # the gateway

    def _login(self, raw: bytes) -> None:
        portal = self.server.portal
        try:
            body = self._object(raw)
        except BadRequest:
            portal.log_call("login", "01", [])
            raise
        fault = portal.take_fault("login")
        if fault is not None:
            status, answer = self._faulted("login", fault)
            portal.log_call("login", answer["error_code"], [], fault["mode"])
            return self._json(status, answer)
        try:
            answer = portal.login(body.get("username"), body.get("password"))
        except PortalError as error:
            portal.log_call("login", error.code, [])
            return self._json(401, {"error_code": error.code, "message": error.message})
        portal.log_call("login", answer["error_code"], [])
        self._json(200, answer)

    def _integration(self, raw: bytes) -> None:
        portal = self.server.portal
        try:
            body = self._object(raw)
        except BadRequest:
            portal.log_call(None, "01", [])
            raise
        service = body.get("service")
        codes = codes_named(service, body)
        # A fault stands for the gateway failing as a whole, so it comes before the session is even looked at.
        fault = portal.take_fault(service) if service in SERVICES else None
        if fault is not None:
            status, answer = self._faulted(service, fault)
            portal.log_call(service, answer["error_code"], codes, fault["mode"])
            return self._json(status, answer)
        handlers = {"DongBoHoSoMC": portal.sync, "CapNhatTienDoHoSoMC": portal.progress,
                    "TraCuuHoSo": portal.lookup, "LayDanhSachTTHC": portal.procedures}
        try:
            if not portal.session_valid(body.get("session")):
                raise PortalError("02", "session missing or expired")
            if body.get("madonvi") != self.server.config.madonvi:
                raise PortalError("01", "unknown madonvi",
                                  [{"MaHoSo": "", "field": "madonvi", "message": "not this portal's unit"}])
            if service not in handlers:
                raise PortalError("01", "unknown service",
                                  [{"MaHoSo": "", "field": "service", "message": "unknown service"}])
            status, answer = 200, handlers[service](body)
        except PortalError as error:
            status, answer = error.answer()
        portal.log_call(service, answer["error_code"], codes)
        self._json(status, answer)

    # the simulation's own endpoints

    def _sim_expire(self, _raw: bytes) -> None:
        self.server.portal.expire_sessions()
        self._json(200, {"expired": True})

    def _sim_add_fault(self, raw: bytes) -> None:
        try:
            fault = self.server.portal.add_fault(self._object(raw))
        except PortalError as error:
            return self._json(400, {"error_code": "01", "message": error.message})
        self._json(200, {"added": fault, "pending": self.server.portal.pending_faults()})

    def _sim_faults(self, _raw: bytes) -> None:
        self._json(200, {"pending": self.server.portal.pending_faults()})

    def _sim_clear_faults(self, _raw: bytes) -> None:
        self.server.portal.clear_faults()
        self._json(200, {"pending": []})

    def _sim_calls(self, _raw: bytes) -> None:
        portal = self.server.portal
        with portal.lock:
            calls = [dict(call) for call in portal.calls]
        self._json(200, {"calls": calls})

    def _sim_reset(self, _raw: bytes) -> None:
        self.server.portal.reset()
        self._json(200, {"reset": True})

    def _sim_dossier(self, code: str) -> None:
        held = self.server.portal.dossier(code)
        if held is None:
            return self._json(404, {"error": "unknown"})
        self._json(200, held)

    def _sim_submit(self, raw: bytes) -> None:
        portal, config = self.server.portal, self.server.config
        try:
            request = _submit_request(self._object(raw))
        except SubmitInvalid as error:
            return self._json(400, {"error_code": "01", "message": str(error)})
        body = portal.prepare_forward(request, self.server.url)
        # No lock is held here: the platform downloads the files from this server while the forward is in flight.
        try:
            status, answer, headers = post_forward(config.platform_url, config.inbound_secret, body)
        except (urllib.error.URLError, OSError) as error:
            return self._json(502, {"MaHoSo": body["MaHoSo"], "platform_status": None, "platform_body": None,
                                    "error": f"platform unreachable: {error}", "forward": body})
        self._json(200, {"MaHoSo": body["MaHoSo"], "platform_status": status, "platform_body": answer,
                         "platform_headers": headers, "forward": body})

    def _file(self, rest: str) -> None:
        token, _, name = rest.partition("/")
        held = self.server.portal.file(token, urllib.parse.unquote(name))
        if held is None:
            return self._json(404, {"error": "unknown"})
        self._send(200, held[1], held[0])


_ROUTES = {
    ("POST", "/api/auth/login"): _Handler._login,
    ("POST", "/api/integration"): _Handler._integration,
    ("POST", "/_sim/sessions/expire"): _Handler._sim_expire,
    ("POST", "/_sim/faults"): _Handler._sim_add_fault,
    ("GET", "/_sim/faults"): _Handler._sim_faults,
    ("DELETE", "/_sim/faults"): _Handler._sim_clear_faults,
    ("GET", "/_sim/calls"): _Handler._sim_calls,
    ("POST", "/_sim/reset"): _Handler._sim_reset,
    ("POST", "/_sim/submit"): _Handler._sim_submit,
}


def start_server(host: str, port: int, config: Config) -> tuple[PortalServer, threading.Thread]:
    """Listens (port 0 picks a free one) and serves on a daemon thread; stop with shutdown() + server_close()."""
    return serve_in_thread(PortalServer((host, port), config), "national-portal")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Local stand-in for the DVCQG exchange gateway.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--platform-url", required=True)
    parser.add_argument("--inbound-secret", required=True)
    parser.add_argument("--username", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--madonvi", required=True)
    parser.add_argument("--catalogue", required=True)
    parser.add_argument("--session-ttl", type=float, default=1800.0)
    parser.add_argument("--timeout-delay", type=float, default=5.0)
    parser.add_argument("--parent-pid", type=int, default=None,
                        help="stop when this process is gone (the local stack that started it)")
    args = parser.parse_args(argv)
    config = Config(platform_url=args.platform_url, inbound_secret=args.inbound_secret, username=args.username,
                    password=args.password, madonvi=args.madonvi, catalogue=args.catalogue,
                    session_ttl=args.session_ttl, timeout_delay=args.timeout_delay, log_requests=True)
    server, _thread = start_server(args.host, args.port, config)
    return serve_until_stopped(server, {"url": server.url}, args.parent_pid)


if __name__ == "__main__":
    sys.exit(main())
