"""Local stand-in for the public payment gateway (VNPAY 2.1.0 interface) that applicants pay fees through.

It speaks docs/payments.md §1 over HTTP so that the platform's adapter cannot tell it from the provider: the signed
payment URL and its payment page (``/paymentv2/vpcpay.html``, a person or a browser test clicks "pay" or "cancel"),
signed IPNs to the platform with the retry rules of §1.4 and the redirect back, ``querydr`` and ``refund`` on
``/merchant_webapi/api/transaction`` and the daily statement. The ``/_sim/*`` endpoints settle orders, resend IPNs,
inject faults, shift the clock and show everything the gateway holds, for tests and demos: ``POST
orders/{TxnRef}/pay`` ``{"outcome", "terminal"?}``, ``POST orders/{TxnRef}/ipn`` ``{"repeat", "delay_s"}``,
``GET orders[/{TxnRef}]``, ``POST``/``GET``/``DELETE faults`` (``{"mode", "count"}``; the modes are ``IPN_FAULTS``,
applied to whole IPN deliveries, and ``decline_refund``, which makes the next accepted refund end in 09),
``POST``/``GET clock`` ``{"offset_s"}`` and ``POST reset``.

Standard library only and nothing from the platform: the gateway is a separate system, and sharing code with the
adapter would let both sides agree on a mistake.

    python -m scripts.standins.payment_gateway --port 8703 --terminal MOTCUA01:secret \\
        --ipn-url http://127.0.0.1:8000/integrations/payments/vnpay/notifications --parent-pid $$
"""

from __future__ import annotations

import argparse
import copy
import csv
import hashlib
import hmac
import html
import io
import itertools
import json
import re
import secrets
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from http.client import HTTPException
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
GATEWAY_TIME = "%Y%m%d%H%M%S"
VERSION = "2.1.0"
CURRENCY = "VND"
BANK_CODE = "NCB"
CARD_TYPE = "ATM"
UNSIGNED = frozenset({"vnp_SecureHash", "vnp_SecureHashType"})
# §1.3: every parameter of the table is required.
ORDER_PARAMS = ("vnp_Version", "vnp_Command", "vnp_TmnCode", "vnp_Amount", "vnp_CurrCode", "vnp_TxnRef",
                "vnp_OrderInfo", "vnp_OrderType", "vnp_Locale", "vnp_ReturnUrl", "vnp_IpAddr", "vnp_CreateDate",
                "vnp_ExpireDate")
LOCALES = ("vn", "en")
# §1.5 and §1.6: the fields each JSON call's checksum covers, in order, and those it must carry.
QUERY_FIELDS = ("RequestId", "Version", "Command", "TmnCode", "TxnRef", "TransactionDate", "CreateDate", "IpAddr",
                "OrderInfo")
REFUND_FIELDS = ("RequestId", "Version", "Command", "TmnCode", "TransactionType", "TxnRef", "Amount",
                 "TransactionNo", "TransactionDate", "CreateBy", "CreateDate", "IpAddr", "OrderInfo")
QUERY_REQUIRED = ("RequestId", "Version", "Command", "TmnCode", "TxnRef", "TransactionDate", "CreateDate", "IpAddr")
REFUND_REQUIRED = ("RequestId", "Version", "Command", "TmnCode", "TransactionType", "TxnRef", "Amount",
                   "TransactionDate", "CreateBy", "CreateDate", "IpAddr")
QUERY_ANSWER = ("ResponseId", "Command", "ResponseCode", "Message", "TmnCode", "TxnRef", "Amount", "BankCode",
                "PayDate", "TransactionNo", "TransactionType", "TransactionStatus", "OrderInfo", "PromotionCode",
                "PromotionAmount")
REFUND_ANSWER = QUERY_ANSWER[:-2]
MAX_REQUEST_ID = 32
# Outcomes the payer (or /_sim) can choose, as (vnp_ResponseCode, vnp_TransactionStatus).
OUTCOMES = {"success": ("00", "00"), "failed": ("51", "02"), "cancelled": ("24", "02")}
EXPIRED = ("11", "02")
STATE_OF_CODE = {"00": "paid", "24": "cancelled", "11": "expired"}
IPN_FAULTS = ("drop_ipn", "bad_signature", "wrong_amount")
REFUND_FAULTS = ("decline_refund",)
WRONG_AMOUNT_DELTA = 100_000  # 1,000 VND more than the order
STATEMENT_HEADER = ("TxnRef", "TransactionNo", "TransactionType", "TransactionStatus", "Amount", "PayDate",
                    "BankCode")
MAX_BODY_BYTES = 1024 * 1024
HTML_TYPE = "text/html; charset=utf-8"
_TERMINAL = re.compile(r"[A-Za-z0-9]{8}")
_FOURTEEN_DIGITS = re.compile(r"[0-9]{14}")
_EIGHT_DIGITS = re.compile(r"[0-9]{8}")
_AMOUNT = re.compile(r"[1-9][0-9]{0,17}")


@dataclass
class Config:
    terminals: dict[str, str] = field(default_factory=dict)  # TmnCode -> hash secret
    ipn_url: str = ""
    ipn_attempts: int = 3
    ipn_retry_delay: float = 1.0
    ipn_timeout: float = 10.0
    refund_delay: float = 2.0
    log_requests: bool = False


# --- checksums (§1.1, §1.2) -------------------------------------------------------------------------------------

def signed_data(params: Mapping[str, str]) -> str:
    """§1.1 steps 1-3: the non-empty ``vnp_`` parameters but the hash, sorted by name, form-encoded, joined."""
    kept = sorted((name, value) for name, value in params.items()
                  if name.startswith("vnp_") and value != "" and name not in UNSIGNED)
    return "&".join(f"{urllib.parse.quote_plus(name)}={urllib.parse.quote_plus(value)}" for name, value in kept)


def checksum(secret: str, params: Mapping[str, str]) -> str:
    """§1.1: lowercase hex HMAC-SHA512 of a parameter set (payment URL, IPN, return URL, statement request)."""
    return hmac.new(secret.encode("utf-8"), signed_data(params).encode("utf-8"), hashlib.sha512).hexdigest()


def api_checksum(secret: str, values: Iterable[str]) -> str:
    """§1.2: lowercase hex HMAC-SHA512 of a JSON call's listed values joined with ``|``."""
    data = "|".join(values)
    return hmac.new(secret.encode("utf-8"), data.encode("utf-8"), hashlib.sha512).hexdigest()


def same_hash(given: Any, expected: str) -> bool:
    return isinstance(given, str) and hmac.compare_digest(given.lower().encode(), expected.encode())


# --- times and amounts ------------------------------------------------------------------------------------------

def parse_time(value: Any) -> datetime | None:
    """A real instant in ``yyyyMMddHHmmss``, Vietnam time (strptime alone would accept unpadded digits)."""
    if not isinstance(value, str) or not _FOURTEEN_DIGITS.fullmatch(value):
        return None
    try:
        return datetime.strptime(value, GATEWAY_TIME).replace(tzinfo=VIETNAM)
    except ValueError:
        return None


def format_vnd(amount: int) -> str:
    """``5000000`` (× 100) -> ``50.000 ₫``, the way Vietnamese writes amounts."""
    return f"{amount // 100:,}".replace(",", ".") + " ₫"


def parse_terminal(spec: str) -> tuple[str, str]:
    """``TMNCODE:SECRET`` from the command line; the code is 8 letters or digits (§1)."""
    code, _, secret = spec.partition(":")
    if not _TERMINAL.fullmatch(code) or not secret:
        raise ValueError(f"a terminal is TMNCODE:SECRET with an 8-character code, not {spec!r}")
    return code, secret


# --- the gateway's state ----------------------------------------------------------------------------------------

class Problem(Exception):
    """A refused payment URL: a code for tests and the words shown to the payer."""

    def __init__(self, code: str, vi: str, en: str) -> None:
        super().__init__(en)
        self.code, self.vi, self.en = code, vi, en


class SimError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


class Gateway:
    """Orders, refunds, IPN deliveries, faults and the clock, in memory; every read and write under one lock."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.lock = threading.Lock()
        # Numbers handed out survive a reset: the platform keeps what it recorded, so a reused number would clash.
        self._numbers = itertools.count(10_000_000 + secrets.randbelow(80_000_000))
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.orders: dict[tuple[str, str], dict] = {}
            self.tokens: dict[str, tuple[str, str]] = {}
            self.request_ids: set[tuple[str, str]] = set()
            self.faults: list[dict] = []
            self.offset = 0.0

    # the clock

    def now(self) -> datetime:
        return datetime.now(VIETNAM) + timedelta(seconds=self.offset)

    def set_offset(self, seconds: float) -> dict:
        with self.lock:
            self.offset = float(seconds)
        return self.clock()

    def clock(self) -> dict:
        return {"offset_s": self.offset, "now": self.now().strftime(GATEWAY_TIME)}

    def _number(self) -> str:
        return str(next(self._numbers))

    # faults

    def add_fault(self, spec: Any) -> dict:
        if not isinstance(spec, dict):
            raise SimError(400, "a fault is an object")
        mode, count = spec.get("mode"), spec.get("count", 1)
        if mode not in (*IPN_FAULTS, *REFUND_FAULTS):
            raise SimError(400, f"mode must be one of {', '.join((*IPN_FAULTS, *REFUND_FAULTS))}")
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise SimError(400, "count must be a positive integer")
        fault = {"mode": mode, "remaining": count}
        with self.lock:
            self.faults.append(fault)
        return dict(fault)

    def take_fault(self, modes: tuple[str, ...]) -> str | None:
        """The first pending fault of these modes, used once."""
        with self.lock:
            return self._take_fault(modes)

    def _take_fault(self, modes: tuple[str, ...]) -> str | None:
        for fault in self.faults:
            if fault["mode"] in modes:
                fault["remaining"] -= 1
                if fault["remaining"] == 0:
                    self.faults.remove(fault)
                return fault["mode"]
        return None

    def pending_faults(self) -> list[dict]:
        with self.lock:
            return [dict(fault) for fault in self.faults]

    def clear_faults(self) -> None:
        with self.lock:
            self.faults.clear()

    # orders

    def open_order(self, params: dict[str, str]) -> dict:
        """§1.3: checks a payment URL's parameters and records the order (the same terminal and reference again is
        the same order); answers a copy of the order. Raises Problem."""
        terminal = params.get("vnp_TmnCode", "")
        secret = self.config.terminals.get(terminal)
        if secret is None:
            raise Problem("unknown_terminal", f"Đơn vị chấp nhận thanh toán không tồn tại: {terminal!r}",
                          f"Unknown merchant terminal: {terminal!r}")
        if not same_hash(params.get("vnp_SecureHash"), checksum(secret, params)):
            raise Problem("invalid_checksum", "Sai chữ ký (vnp_SecureHash)", "Invalid checksum (vnp_SecureHash)")
        missing = [name for name in ORDER_PARAMS if not params.get(name)]
        if missing:
            raise Problem("missing_parameter", f"Thiếu tham số: {', '.join(missing)}",
                          f"Missing parameters: {', '.join(missing)}")
        if params["vnp_Version"] != VERSION:
            raise Problem("invalid_version", f"Phiên bản không hỗ trợ: {params['vnp_Version']}",
                          f"Unsupported version {params['vnp_Version']!r} (expected {VERSION})")
        if params["vnp_Command"] != "pay":
            raise Problem("invalid_command", "Lệnh không hợp lệ", f"Unknown command {params['vnp_Command']!r}")
        if params["vnp_CurrCode"] != CURRENCY:
            raise Problem("invalid_currency", "Chỉ chấp nhận VND",
                          f"Currency must be VND, not {params['vnp_CurrCode']!r}")
        amount_text = params["vnp_Amount"]
        if not _AMOUNT.fullmatch(amount_text) or int(amount_text) % 100:
            raise Problem("invalid_amount", "Số tiền không hợp lệ",
                          f"Invalid amount {amount_text!r} (a positive whole number of VND × 100)")
        if params["vnp_Locale"] not in LOCALES:
            raise Problem("invalid_locale", "Ngôn ngữ không hợp lệ",
                          f"Locale must be vn or en, not {params['vnp_Locale']!r}")
        return_url = urllib.parse.urlsplit(params["vnp_ReturnUrl"])
        if return_url.scheme not in ("http", "https") or not return_url.netloc:
            raise Problem("invalid_return_url", "Địa chỉ trả về không hợp lệ", "vnp_ReturnUrl must be an http(s) URL")
        created, expires = parse_time(params["vnp_CreateDate"]), parse_time(params["vnp_ExpireDate"])
        if created is None or expires is None:
            raise Problem("invalid_date", "Ngày giờ phải theo định dạng yyyyMMddHHmmss",
                          "vnp_CreateDate and vnp_ExpireDate must be yyyyMMddHHmmss")
        if expires <= created:
            raise Problem("invalid_date", "Thời hạn thanh toán phải sau thời điểm tạo",
                          "vnp_ExpireDate must be after vnp_CreateDate")
        amount, key = int(amount_text), (terminal, params["vnp_TxnRef"])
        with self.lock:
            order = self.orders.get(key)
            if order is not None and order["amount"] != amount:
                raise Problem("amount_mismatch", "Đơn hàng đã tồn tại với số tiền khác",
                              f"Order {key[1]!r} exists with another amount ({order['amount']})")
            if order is None:
                if self.now() > expires:  # a refused request records nothing
                    raise Problem("expired", "Giao dịch đã hết hạn thanh toán", "This order has expired")
                order = self._new_order(key, amount, params)
            return copy.deepcopy(order)

    def _new_order(self, key: tuple[str, str], amount: int, params: dict[str, str]) -> dict:
        token = secrets.token_urlsafe(16)
        order = {
            "terminal": key[0], "txn_ref": key[1], "amount": amount, "order_info": params["vnp_OrderInfo"],
            "order_type": params["vnp_OrderType"], "locale": params["vnp_Locale"],
            "return_url": params["vnp_ReturnUrl"], "ip_addr": params["vnp_IpAddr"],
            "create_date": params["vnp_CreateDate"], "expire_date": params["vnp_ExpireDate"],
            "opened_at": self.now().strftime(GATEWAY_TIME), "token": token, "outcome": None, "ipn": None,
            "refunds": [], "deliveries": [],
        }
        self.orders[key] = order
        self.tokens[token] = key
        return order

    def find(self, txn_ref: str, terminal: str | None = None) -> tuple[str, str]:
        """The key of a known order by reference (and terminal, when two terminals used the same reference)."""
        with self.lock:
            keys = [key for key in self.orders if key[1] == txn_ref and terminal in (None, key[0])]
        if not keys:
            raise SimError(404, f"no order {txn_ref!r}")
        if len(keys) > 1:
            raise SimError(400, f"several terminals have an order {txn_ref!r}: name the terminal")
        return keys[0]

    def key_of_token(self, token: str) -> tuple[str, str] | None:
        with self.lock:
            return self.tokens.get(token)

    def expired(self, order: dict) -> bool:
        return self.now() > parse_time(order["expire_date"])

    def state(self, order: dict) -> str:
        outcome = order["outcome"]
        if outcome is None:
            return "expired" if self.expired(order) else "pending"
        return STATE_OF_CODE.get(outcome["response_code"], "failed")

    def settle(self, key: tuple[str, str], outcome: str, by: str) -> tuple[dict, str]:
        """The payer's act, once: the order's outcome and its signed IPN parameters (an expired order fails with
        11 whatever was chosen). Answers the IPN parameters and the terminal's secret."""
        with self.lock:
            order = self.orders[key]
            if order["outcome"] is not None:
                raise SimError(409, f"order {key[1]!r} is already settled ({self.state(order)})")
            response_code, status = EXPIRED if self.expired(order) else OUTCOMES[outcome]
            paid = response_code == "00"
            order["outcome"] = {
                "response_code": response_code, "transaction_status": status, "transaction_no": self._number(),
                "pay_date": self.now().strftime(GATEWAY_TIME), "bank_code": BANK_CODE,
                "bank_tran_no": f"VNP{secrets.randbelow(10**8):08d}" if paid else "", "card_type": CARD_TYPE,
                "settled_by": by,
            }
            secret = self.config.terminals[key[0]]
            order["ipn"] = signed(secret, ipn_params(order))
            return dict(order["ipn"]), secret

    def last_ipn(self, key: tuple[str, str]) -> tuple[dict, str]:
        with self.lock:
            order = self.orders[key]
            if order["ipn"] is None:
                raise SimError(409, f"order {key[1]!r} has not been settled: there is no IPN to send")
            return dict(order["ipn"]), self.config.terminals[key[0]]

    def record_delivery(self, key: tuple[str, str], delivery: dict) -> None:
        with self.lock:
            order = self.orders.get(key)
            if order is not None:
                order["deliveries"].append(delivery)

    def add_attempt(self, delivery: dict, attempt: dict) -> None:
        with self.lock:
            delivery["attempts"].append(attempt)

    # the merchant API

    def claim_request_id(self, terminal: str, request_id: str) -> bool:
        with self.lock:
            if (terminal, request_id) in self.request_ids:
                return False
            self.request_ids.add((terminal, request_id))
            return True

    def refund_status(self, refund: dict) -> str:
        if self.now() < datetime.fromisoformat(refund["due"]):
            return "05"
        return "09" if refund["declined"] else "00"

    def query(self, terminal: str, txn_ref: str, transaction_date: str) -> dict | None:
        """§1.5's view of an order: the latest transaction on it (the refund once there is one)."""
        with self.lock:
            order = self.orders.get((terminal, txn_ref))
            if order is None or order["create_date"] != transaction_date:
                return None
            outcome = order["outcome"]
            answer = {"TxnRef": txn_ref, "Amount": str(order["amount"]), "OrderInfo": order["order_info"],
                      "TransactionType": "01", "BankCode": "", "PayDate": "", "TransactionNo": ""}
            if outcome is None:
                answer["TransactionStatus"] = "02" if self.expired(order) else "01"
            else:
                answer.update(BankCode=outcome["bank_code"], PayDate=outcome["pay_date"],
                              TransactionNo=outcome["transaction_no"], TransactionStatus=outcome["transaction_status"])
            if order["refunds"]:
                refund = order["refunds"][-1]
                answer.update(TransactionType="02", Amount=str(refund["amount"]), PayDate=refund["requested_at"],
                              TransactionNo=refund["transaction_no"], TransactionStatus=self.refund_status(refund))
            return answer

    def refund(self, terminal: str, fields: dict[str, str]) -> tuple[str, str, dict]:
        """§1.6: (response code, message, answer fields)."""
        echo = {"TxnRef": fields["TxnRef"], "Amount": fields["Amount"], "OrderInfo": fields["OrderInfo"]}
        if fields["TransactionType"] != "02":
            return "99", "Only a full refund (TransactionType 02) is offered", echo
        if not _AMOUNT.fullmatch(fields["Amount"]):
            return "99", "Invalid amount", echo
        with self.lock:
            order = self.orders.get((terminal, fields["TxnRef"]))
            outcome = order["outcome"] if order is not None else None
            if (order is None or outcome is None or outcome["response_code"] != "00"
                    or order["create_date"] != fields["TransactionDate"]
                    or fields["TransactionNo"] not in ("", outcome["transaction_no"])):
                return "91", "No such paid order", echo
            if any(self.refund_status(refund) != "09" for refund in order["refunds"]):
                return "94", "Refund already requested", echo
            amount = int(fields["Amount"])
            if amount > order["amount"]:
                return "02", "The amount is more than what was paid", echo
            if amount < order["amount"]:
                return "99", "A full refund (TransactionType 02) returns the whole amount paid", echo
            now = self.now()
            refund = {"request_id": fields["RequestId"], "transaction_no": self._number(), "amount": amount,
                      "requested_at": now.strftime(GATEWAY_TIME), "created_by": fields["CreateBy"],
                      "due": (now + timedelta(seconds=self.config.refund_delay)).isoformat(),
                      "declined": self._take_fault(REFUND_FAULTS) == "decline_refund"}
            order["refunds"].append(refund)
            return "00", "Refund accepted", {
                **echo, "BankCode": outcome["bank_code"], "PayDate": refund["requested_at"],
                "TransactionNo": refund["transaction_no"], "TransactionType": "02", "TransactionStatus": "05",
                "OrderInfo": order["order_info"]}

    def statement(self, terminal: str, day: str) -> list[tuple[str, ...]]:
        """§1.7: the day's settled payments and refunds on the terminal, by time."""
        rows: list[tuple[str, ...]] = []
        with self.lock:
            for (held_terminal, txn_ref), order in self.orders.items():
                outcome = order["outcome"]
                if held_terminal != terminal or outcome is None:
                    continue
                if outcome["pay_date"].startswith(day):
                    rows.append((txn_ref, outcome["transaction_no"], "01", outcome["transaction_status"],
                                 str(order["amount"] // 100), outcome["pay_date"], outcome["bank_code"]))
                rows.extend((txn_ref, refund["transaction_no"], "02", self.refund_status(refund),
                             str(refund["amount"] // 100), refund["requested_at"], outcome["bank_code"])
                            for refund in order["refunds"] if refund["requested_at"].startswith(day))
        return sorted(rows, key=lambda row: (row[5], row[1]))

    # views

    def view(self, order: dict) -> dict:
        """An order as /_sim shows it (call under the lock)."""
        shown = copy.deepcopy({name: value for name, value in order.items() if name != "token"})
        shown["state"] = self.state(order)
        shown["settled"] = order["outcome"] is not None
        shown["amount_vnd"] = order["amount"] // 100
        for refund in shown["refunds"]:
            refund["status"] = self.refund_status(refund)
        return shown

    def order_view(self, key: tuple[str, str]) -> dict:
        with self.lock:
            return self.view(self.orders[key])

    def all_orders(self) -> list[dict]:
        with self.lock:
            return [self.view(order) for order in self.orders.values()]


def ipn_params(order: dict) -> dict[str, str]:
    """§1.4's parameters of a settled order, unsigned."""
    outcome = order["outcome"]
    return {
        "vnp_TmnCode": order["terminal"], "vnp_Amount": str(order["amount"]), "vnp_BankCode": outcome["bank_code"],
        "vnp_BankTranNo": outcome["bank_tran_no"], "vnp_CardType": outcome["card_type"],
        "vnp_OrderInfo": order["order_info"], "vnp_PayDate": outcome["pay_date"],
        "vnp_ResponseCode": outcome["response_code"], "vnp_TransactionNo": outcome["transaction_no"],
        "vnp_TransactionStatus": outcome["transaction_status"], "vnp_TxnRef": order["txn_ref"],
    }


def signed(secret: str, params: dict[str, str]) -> dict[str, str]:
    unsigned = {name: value for name, value in params.items() if name not in UNSIGNED}
    return {**unsigned, "vnp_SecureHash": checksum(secret, unsigned)}


def faulted(mode: str | None, params: dict[str, str], secret: str) -> dict[str, str]:
    """The IPN as a fault spoils it: a corrupted hash, or another amount correctly signed."""
    if mode == "bad_signature":
        digest = params["vnp_SecureHash"]
        return {**params, "vnp_SecureHash": digest[:-1] + ("0" if digest[-1] != "0" else "1")}
    if mode == "wrong_amount":
        return signed(secret, {**params, "vnp_Amount": str(int(params["vnp_Amount"]) + WRONG_AMOUNT_DELTA)})
    return params


# --- the IPN ----------------------------------------------------------------------------------------------------

# The IPN goes to the platform on this machine: a proxy from the environment would only get in the way.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def post_ipn(url: str, params: dict[str, str], timeout: float) -> dict:
    """One attempt: the platform's status and body (parsed when JSON), or the transport error."""
    at = datetime.now(VIETNAM).isoformat(timespec="milliseconds")
    if not url:
        return {"at": at, "status": None, "body": None, "error": "no IPN address configured (--ipn-url)"}
    request = urllib.request.Request(url, data=urllib.parse.urlencode(params).encode("ascii"), method="POST",
                                     headers={"Content-Type": "application/x-www-form-urlencoded"})
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            status, payload = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, payload = error.code, error.read()
    except (urllib.error.URLError, OSError, HTTPException) as error:
        return {"at": at, "status": None, "body": None, "error": f"{type(error).__name__}: {error}"}
    text = payload.decode("utf-8", errors="replace")
    try:
        body: Any = json.loads(text)
    except ValueError:
        body = text
    return {"at": at, "status": status, "body": body, "error": None}


def acknowledged(attempt: dict) -> bool:
    """§1.4: HTTP 200 with ``{"RspCode": ..., "Message": ...}`` and a code other than 99 ends the delivery."""
    body = attempt["body"]
    return (attempt["status"] == 200 and isinstance(body, dict) and isinstance(body.get("RspCode"), str)
            and isinstance(body.get("Message"), str) and body["RspCode"] != "99")


def deliver(gateway: Gateway, key: tuple[str, str], params: dict[str, str], secret: str, trigger: str) -> dict:
    """One IPN delivery with its retries (a pending IPN fault applies to it); answers its record."""
    config = gateway.config
    mode = gateway.take_fault(IPN_FAULTS)
    sent = faulted(mode, params, secret)
    delivery = {"at": gateway.now().strftime(GATEWAY_TIME), "trigger": trigger, "fault": mode,
                "dropped": mode == "drop_ipn", "params": sent, "attempts": []}
    gateway.record_delivery(key, delivery)
    if mode != "drop_ipn":
        for number in range(max(1, config.ipn_attempts)):
            if number:
                time.sleep(config.ipn_retry_delay)
            attempt = post_ipn(config.ipn_url, sent, config.ipn_timeout)
            gateway.add_attempt(delivery, attempt)
            if acknowledged(attempt) or not config.ipn_url:
                break
    with gateway.lock:
        return copy.deepcopy(delivery)


def deliver_later(gateway: Gateway, key: tuple[str, str], params: dict[str, str], secret: str, trigger: str,
                  repeat: int = 1, delay: float = 0.0) -> threading.Thread:
    def run() -> None:
        if delay:
            time.sleep(delay)
        for _ in range(repeat):
            deliver(gateway, key, params, secret, trigger)

    thread = threading.Thread(target=run, name=f"ipn-{key[1]}", daemon=True)
    thread.start()
    return thread


def return_location(return_url: str, params: dict[str, str]) -> str:
    """``vnp_ReturnUrl`` with the signed outcome added to whatever query it already has."""
    parts = urllib.parse.urlsplit(return_url)
    query = "&".join(part for part in (parts.query, urllib.parse.urlencode(params)) if part)
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


# --- the payer's pages ------------------------------------------------------------------------------------------

_PAGE = """<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Cổng thanh toán (thử nghiệm) / Payment gateway (test)</title>
<style>body{{font-family:system-ui,sans-serif;background:#f4f6f8;margin:0;color:#1a1a1a}}
main{{max-width:32rem;margin:2rem auto;background:#fff;border-radius:8px;padding:1.5rem;
box-shadow:0 1px 4px rgba(0,0,0,.15)}} h1{{font-size:1.25rem;margin:0 0 .25rem;color:#005baa}}
.sub{{color:#555;margin:0 0 1rem}} dl{{display:grid;grid-template-columns:auto 1fr;gap:.5rem 1rem}}
dt{{color:#555}} dd{{margin:0;font-weight:600;word-break:break-all}} .amount{{font-size:1.4rem;color:#c00}}
form{{display:flex;gap:1rem;margin-top:1.5rem}} button{{flex:1;padding:.75rem;font-size:1rem;border-radius:6px;
border:1px solid #005baa;cursor:pointer}} #pay{{background:#005baa;color:#fff}} #cancel{{background:#fff;color:#005baa}}
[role=alert]{{background:#fdecea;border:1px solid #f5c2c0;padding:.75rem;border-radius:6px}}</style></head>
<body><main><h1>Cổng thanh toán — môi trường thử nghiệm</h1>
<p class="sub">Payment gateway — test environment</p>
{body}</main></body></html>
"""

_STATE_WORDS = {"paid": ("Đã thanh toán", "Paid"), "cancelled": ("Đã hủy", "Cancelled"),
                "expired": ("Đã hết hạn", "Expired"), "failed": ("Không thành công", "Failed"),
                "pending": ("Chờ thanh toán", "Awaiting payment")}


def _display_time(value: str) -> str:
    moment = parse_time(value)
    return moment.strftime("%d/%m/%Y %H:%M:%S") if moment else value


def _details(order: dict) -> str:
    rows = (("Đơn vị chấp nhận / Merchant", order["terminal"], ""),
            ("Số tiền / Amount", format_vnd(order["amount"]), ' class="amount" id="amount"'),
            ("Nội dung / Order info", order["order_info"], ""),
            ("Mã đơn hàng / Order ref", order["txn_ref"], ' id="txn-ref"'),
            ("Hạn thanh toán / Pay before", _display_time(order["expire_date"]), ""))
    return "<dl>" + "".join(f"<dt>{label}</dt><dd{extra}>{html.escape(value)}</dd>"
                            for label, value, extra in rows) + "</dl>"


def payment_page(order: dict, state: str) -> str:
    if state == "pending":
        action = (f'<form method="post" action="/paymentv2/confirm">'
                  f'<input type="hidden" name="order" value="{html.escape(order["token"])}">'
                  '<button type="submit" id="pay" name="action" value="pay">Thanh toán / Pay</button>'
                  '<button type="submit" id="cancel" name="action" value="cancel">Hủy / Cancel</button></form>')
    else:
        vi, en = _STATE_WORDS[state]
        action = f'<p id="outcome" data-state="{state}">Giao dịch: {vi} / Transaction: {en}</p>'
    return _PAGE.format(body=_details(order) + action)


def problem_page(problem: Problem, order: dict | None = None) -> str:
    details = _details(order) if order is not None else ""
    return _PAGE.format(body=(
        f'<p role="alert" id="problem" data-code="{problem.code}">Không thể thực hiện giao dịch: '
        f'{html.escape(problem.vi)}<br>The payment cannot be made: {html.escape(problem.en)}</p>{details}'))


# --- HTTP -------------------------------------------------------------------------------------------------------

class GatewayServer(LocalServer, ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], config: Config) -> None:
        self.config = config
        self.gateway = Gateway(config)
        super().__init__(address, _Handler)


def _single_values(query: str) -> dict[str, str]:
    """A query or form body as one value per name; a repeated name is refused (which one would count?)."""
    try:
        pairs = urllib.parse.parse_qsl(query, keep_blank_values=True, errors="strict", max_num_fields=200)
    except (UnicodeDecodeError, ValueError) as error:
        raise BadRequest(f"malformed parameters: {error}") from error
    values: dict[str, str] = {}
    for name, value in pairs:
        if name in values:
            raise BadRequest(f"parameter {name} given more than once")
        values[name] = value
    return values


def _text(value: Any) -> str | None:
    """A JSON call's field as the string it is hashed as; None for a type no field has."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


class _Handler(LocalHandler):
    server: GatewayServer
    server_version = "VNPAY-standin/1"
    log_name = "payment-gateway"
    max_body_bytes = MAX_BODY_BYTES

    # plumbing

    def _html(self, status: int, page: str, headers: dict[str, str] | None = None) -> None:
        self._send(status, page.encode("utf-8"), HTML_TYPE, {"Cache-Control": "no-store", **(headers or {})})

    def _text_answer(self, status: int, text: str) -> None:
        self._send(status, text.encode("utf-8"), "text/plain; charset=utf-8")

    def _dispatch(self, method: str) -> None:
        try:
            raw = self._read() if method != "GET" else b""
            parts = urllib.parse.urlsplit(self.path)
            route = _ROUTES.get((method, parts.path))
            if route is not None:
                route(self, raw, parts.query)
            elif parts.path.startswith("/_sim/orders/"):
                self._sim_order(method, parts.path[len("/_sim/orders/"):], raw, parts.query)
            else:
                self._json(404, {"error": "not found"})
        except BadRequest as error:
            self._json(400, {"error": str(error)})
        except SimError as error:
            self._json(error.status, {"error": error.message})
        except Exception as error:  # a bug here must still answer, never a stack trace
            sys.stderr.write(f"payment-gateway: internal error {type(error).__name__}: {error}\n")
            self._json(500, {"error": "internal error"})

    # the payer's side (§1.3, §1.4)

    def _payment_page(self, _raw: bytes, query: str) -> None:
        gateway = self.server.gateway
        try:
            params = _single_values(query)
        except BadRequest as error:
            problem = Problem("malformed", "Tham số không hợp lệ", str(error))
            return self._html(400, problem_page(problem))
        try:
            order = gateway.open_order(params)
        except Problem as problem:
            return self._html(400, problem_page(problem))
        state = gateway.state(order)
        if state == "expired" and order["outcome"] is None:
            problem = Problem("expired", "Giao dịch đã hết hạn thanh toán", "This order has expired")
            return self._html(400, problem_page(problem, order))
        self._html(200, payment_page(order, state))

    def _confirm(self, raw: bytes, _query: str) -> None:
        gateway = self.server.gateway
        try:
            form = _single_values(raw.decode("ascii"))  # a form body is percent-encoded ASCII
        except UnicodeDecodeError as error:
            raise BadRequest("the form must be application/x-www-form-urlencoded") from error
        key = gateway.key_of_token(form.get("order", ""))
        action = form.get("action")
        if key is None or action not in ("pay", "cancel"):
            problem = Problem("unknown_order", "Không tìm thấy đơn hàng", "No such order, or no choice made")
            return self._html(404 if key is None else 400, problem_page(problem))
        try:
            params, secret = gateway.settle(key, "success" if action == "pay" else "cancelled", "payer")
        except SimError:
            order = gateway.order_view(key)
            problem = Problem("already_settled", "Đơn hàng đã được xử lý", "This order has already been settled")
            return self._html(409, problem_page(problem, order))
        deliver_later(gateway, key, params, secret, "payer")
        location = return_location(gateway.order_view(key)["return_url"], params)
        body = f'<p><a href="{html.escape(location)}">Quay lại / Return to the merchant</a></p>'
        self._html(303, _PAGE.format(body=body), {"Location": location})

    # the merchant API (§1.5, §1.6, §1.7)

    def _transaction(self, raw: bytes, _query: str) -> None:
        self._json(200, transaction(self.server.gateway, raw))

    def _statement(self, _raw: bytes, query: str) -> None:
        gateway = self.server.gateway
        try:
            params = _single_values(query)
        except BadRequest as error:
            return self._text_answer(400, str(error))
        secret = gateway.config.terminals.get(params.get("vnp_TmnCode", ""))
        if secret is None or not same_hash(params.get("vnp_SecureHash"), checksum(secret, params)):
            return self._text_answer(403, "invalid checksum or unknown terminal")
        day = params.get("vnp_Date", "")
        if not _EIGHT_DIGITS.fullmatch(day) or parse_time(day + "000000") is None:
            return self._text_answer(400, "vnp_Date must be yyyyMMdd")
        if parse_time(params.get("vnp_CreateDate")) is None:
            return self._text_answer(400, "vnp_CreateDate must be yyyyMMddHHmmss")
        if day > gateway.now().strftime("%Y%m%d"):
            return self._text_answer(400, "vnp_Date is in the future")
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(STATEMENT_HEADER)
        writer.writerows(gateway.statement(params["vnp_TmnCode"], day))
        self._send(200, out.getvalue().encode("utf-8"), "text/csv; charset=utf-8")

    # the simulation's own endpoints

    def _sim_order(self, method: str, rest: str, raw: bytes, query: str) -> None:
        gateway = self.server.gateway
        head, _, action = rest.rpartition("/")
        if method == "POST" and head and action in ("pay", "ipn"):
            body = self._object(raw, empty_ok=True)
            terminal = body.get("terminal")
            if terminal is not None and not isinstance(terminal, str):
                raise SimError(400, "terminal must be a string")
            key = gateway.find(urllib.parse.unquote(head), terminal)
            return self._sim_pay(key, body) if action == "pay" else self._sim_ipn(key, body)
        if method == "GET" and "/" not in rest:
            terminal = _single_values(query).get("terminal")
            return self._json(200, gateway.order_view(gateway.find(urllib.parse.unquote(rest), terminal)))
        self._json(404, {"error": "not found"})

    def _sim_pay(self, key: tuple[str, str], body: dict) -> None:
        gateway = self.server.gateway
        outcome = body.get("outcome", "success")
        if outcome not in OUTCOMES:
            raise SimError(400, f"outcome must be one of {', '.join(OUTCOMES)}")
        params, secret = gateway.settle(key, outcome, "sim")
        delivery = deliver(gateway, key, params, secret, "sim")
        self._json(200, {"order": gateway.order_view(key), "ipn": delivery})

    def _sim_ipn(self, key: tuple[str, str], body: dict) -> None:
        gateway = self.server.gateway
        repeat, delay = body.get("repeat", 1), body.get("delay_s", 0)
        if isinstance(repeat, bool) or not isinstance(repeat, int) or not 1 <= repeat <= 100:
            raise SimError(400, "repeat must be an integer from 1 to 100")
        if isinstance(delay, bool) or not isinstance(delay, int | float) or not 0 <= delay <= 3600:
            raise SimError(400, "delay_s must be a number of seconds from 0 to 3600")
        params, secret = gateway.last_ipn(key)
        if delay > 0:
            deliver_later(gateway, key, params, secret, "resend", repeat, float(delay))
            return self._json(202, {"scheduled": repeat, "delay_s": delay})
        deliveries = [deliver(gateway, key, params, secret, "resend") for _ in range(repeat)]
        self._json(200, {"deliveries": deliveries})

    def _sim_orders(self, _raw: bytes, _query: str) -> None:
        self._json(200, {"orders": self.server.gateway.all_orders()})

    def _sim_add_fault(self, raw: bytes, _query: str) -> None:
        gateway = self.server.gateway
        fault = gateway.add_fault(self._object(raw))
        self._json(200, {"added": fault, "pending": gateway.pending_faults()})

    def _sim_faults(self, _raw: bytes, _query: str) -> None:
        self._json(200, {"pending": self.server.gateway.pending_faults()})

    def _sim_clear_faults(self, _raw: bytes, _query: str) -> None:
        self.server.gateway.clear_faults()
        self._json(200, {"pending": []})

    def _sim_reset(self, _raw: bytes, _query: str) -> None:
        self.server.gateway.reset()
        self._json(200, {"reset": True})

    def _sim_set_clock(self, raw: bytes, _query: str) -> None:
        offset = self._object(raw).get("offset_s")
        if isinstance(offset, bool) or not isinstance(offset, int | float):
            raise SimError(400, "offset_s must be a number of seconds")
        self._json(200, self.server.gateway.set_offset(offset))

    def _sim_clock(self, _raw: bytes, _query: str) -> None:
        self._json(200, self.server.gateway.clock())


def transaction(gateway: Gateway, raw: bytes) -> dict:
    """§1.5 and §1.6: one JSON call's answer, signed with the terminal's secret when the terminal is known."""
    try:
        body = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        body = None
    if not isinstance(body, dict):
        return _api_answer(None, QUERY_ANSWER, {"ResponseCode": "99", "Message": "Malformed request"})
    terminal = body.get("vnp_TmnCode")
    secret = gateway.config.terminals.get(terminal) if isinstance(terminal, str) else None
    command = body.get("vnp_Command")
    fields, required, answer_fields = {
        "querydr": (QUERY_FIELDS, QUERY_REQUIRED, QUERY_ANSWER),
        "refund": (REFUND_FIELDS, REFUND_REQUIRED, REFUND_ANSWER),
    }.get(command, (None, (), QUERY_ANSWER))
    base = {"Command": command if isinstance(command, str) else "", "TmnCode": terminal if secret else "",
            "TxnRef": _text(body.get("vnp_TxnRef")) or ""}

    def answer(code: str, message: str, **values: str) -> dict:
        return _api_answer(secret, answer_fields, {**base, **values, "ResponseCode": code, "Message": message})

    if secret is None:
        return answer("99", "Unknown terminal")
    if fields is None:
        return answer("99", "Unknown command")
    values = {name: _text(body.get(f"vnp_{name}")) for name in fields}
    if any(value is None for value in values.values()):
        return answer("99", "Invalid field type")
    if not same_hash(body.get("vnp_SecureHash"), api_checksum(secret, (values[name] for name in fields))):
        return answer("97", "Invalid checksum")
    missing = [name for name in required if not values[name]]
    if missing:
        return answer("99", f"Missing fields: {', '.join(f'vnp_{name}' for name in missing)}")
    if len(values["RequestId"]) > MAX_REQUEST_ID:
        return answer("99", f"vnp_RequestId is longer than {MAX_REQUEST_ID} characters")
    if not gateway.claim_request_id(terminal, values["RequestId"]):
        return answer("94", "Duplicate request (vnp_RequestId already used)")
    if values["Version"] != VERSION:
        return answer("99", f"Unsupported version (expected {VERSION})")
    if parse_time(values["CreateDate"]) is None or parse_time(values["TransactionDate"]) is None:
        return answer("99", "vnp_CreateDate and vnp_TransactionDate must be yyyyMMddHHmmss")
    if command == "querydr":
        found = gateway.query(terminal, values["TxnRef"], values["TransactionDate"])
        if found is None:
            return answer("91", "Order not found")
        return answer("00", "Query success", **found)
    code, message, found = gateway.refund(terminal, values)
    return answer(code, message, **found)


def _api_answer(secret: str | None, names: tuple[str, ...], values: dict[str, str]) -> dict:
    answer = {f"vnp_{name}": values.get(name, "") for name in names}
    answer["vnp_ResponseId"] = uuid.uuid4().hex
    answer["vnp_SecureHash"] = api_checksum(secret, (answer[f"vnp_{name}"] for name in names)) if secret else ""
    return answer


_ROUTES = {
    ("GET", "/paymentv2/vpcpay.html"): _Handler._payment_page,
    ("POST", "/paymentv2/confirm"): _Handler._confirm,
    ("POST", "/merchant_webapi/api/transaction"): _Handler._transaction,
    ("GET", "/merchant_webapi/statement"): _Handler._statement,
    ("GET", "/_sim/orders"): _Handler._sim_orders,
    ("POST", "/_sim/faults"): _Handler._sim_add_fault,
    ("GET", "/_sim/faults"): _Handler._sim_faults,
    ("DELETE", "/_sim/faults"): _Handler._sim_clear_faults,
    ("POST", "/_sim/reset"): _Handler._sim_reset,
    ("POST", "/_sim/clock"): _Handler._sim_set_clock,
    ("GET", "/_sim/clock"): _Handler._sim_clock,
}


def start_server(host: str, port: int, config: Config) -> tuple[GatewayServer, threading.Thread]:
    """Listens (port 0 picks a free one) and serves on a daemon thread; stop with shutdown() + server_close()."""
    return serve_in_thread(GatewayServer((host, port), config), "payment-gateway")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Local stand-in for the payment gateway (VNPAY 2.1.0).")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--terminal", action="append", default=[], metavar="TMNCODE:SECRET",
                        help="a merchant terminal the gateway knows (repeatable, at least one)")
    parser.add_argument("--ipn-url", default="", help="where IPNs go (the platform's notifications route)")
    parser.add_argument("--ipn-attempts", type=int, default=3)
    parser.add_argument("--ipn-retry-delay", type=float, default=1.0)
    parser.add_argument("--refund-delay", type=float, default=2.0,
                        help="seconds until an accepted refund is completed")
    parser.add_argument("--parent-pid", type=int, default=None,
                        help="stop when this process is gone (the local stack that started it)")
    args = parser.parse_args(argv)
    try:
        terminals = dict(parse_terminal(spec) for spec in args.terminal)
    except ValueError as error:
        parser.error(str(error))
    if not terminals:
        parser.error("at least one --terminal TMNCODE:SECRET is needed")
    config = Config(terminals=terminals, ipn_url=args.ipn_url, ipn_attempts=args.ipn_attempts,
                    ipn_retry_delay=args.ipn_retry_delay, refund_delay=args.refund_delay, log_requests=True)
    server, _thread = start_server(args.host, args.port, config)
    ready = {"url": server.url, "terminals": sorted(terminals), "ipn_url": config.ipn_url}
    return serve_until_stopped(server, ready, args.parent_pid)


if __name__ == "__main__":
    sys.exit(main())
