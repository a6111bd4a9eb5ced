"""The payment gateway stand-in speaks docs/payments.md §1 over real HTTP: the signed payment URL and its page, signed
IPNs with the retry rules, querydr, refund, the daily statement, and the /_sim faults.

Checksums here are written again from the document's rules (§1.1, §1.2), never taken from the server: the test is
the other side of the protocol."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import subprocess
import sys
import threading
import time
import urllib.parse
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests

from scripts.standins.payment_gateway import Config, start_server

ROOT = Path(__file__).resolve().parents[3]
VIETNAM = timezone(timedelta(hours=7))
TERMINAL, SECRET = "MOTCUA01", "terminal-one-secret"
OTHER_TERMINAL, OTHER_SECRET = "MOTCUA02", "terminal-two-secret"
IPN_PATH = "/integrations/payments/vnpay/notifications"
RETURN_URL = "http://127.0.0.1:8080/ho-so/42/thanh-toan?tab=fees"
IPN_FIELDS = {"vnp_TmnCode", "vnp_Amount", "vnp_BankCode", "vnp_BankTranNo", "vnp_CardType", "vnp_OrderInfo",
              "vnp_PayDate", "vnp_ResponseCode", "vnp_TransactionNo", "vnp_TransactionStatus", "vnp_TxnRef",
              "vnp_SecureHash"}
QUERY_HASHED = ("RequestId", "Version", "Command", "TmnCode", "TxnRef", "TransactionDate", "CreateDate", "IpAddr",
                "OrderInfo")
REFUND_HASHED = ("RequestId", "Version", "Command", "TmnCode", "TransactionType", "TxnRef", "Amount",
                 "TransactionNo", "TransactionDate", "CreateBy", "CreateDate", "IpAddr", "OrderInfo")
QUERY_ANSWER_HASHED = ("ResponseId", "Command", "ResponseCode", "Message", "TmnCode", "TxnRef", "Amount",
                       "BankCode", "PayDate", "TransactionNo", "TransactionType", "TransactionStatus", "OrderInfo",
                       "PromotionCode", "PromotionAmount")
REFUND_ANSWER_HASHED = QUERY_ANSWER_HASHED[:-2]
REFUND_DELAY = 0.3


# --- the document's checksum rules, written again -----------------------------------------------------------------

def signed_string(params: dict[str, str]) -> str:
    """§1.1: non-empty vnp_ parameters but the hash fields, sorted by name, quote_plus-encoded, joined with &."""
    kept = sorted((k, v) for k, v in params.items()
                  if k.startswith("vnp_") and v and k not in ("vnp_SecureHash", "vnp_SecureHashType"))
    return "&".join(urllib.parse.quote_plus(k) + "=" + urllib.parse.quote_plus(v) for k, v in kept)


def vnp_hash(secret: str, params: dict[str, str]) -> str:
    return hmac.new(secret.encode(), signed_string(params).encode(), hashlib.sha512).hexdigest()


def pipe_hash(secret: str, body: dict, names: tuple[str, ...]) -> str:
    """§1.2: the listed fields' values joined with |, a missing field counting as empty."""
    data = "|".join(str(body.get(f"vnp_{name}", "")) for name in names)
    return hmac.new(secret.encode(), data.encode(), hashlib.sha512).hexdigest()


def has_valid_signature(params: dict[str, str], secret: str = SECRET) -> bool:
    return hmac.compare_digest(params.get("vnp_SecureHash", "").lower(), vnp_hash(secret, params))


def answer_signed(answer: dict, names: tuple[str, ...], secret: str = SECRET) -> bool:
    return answer["vnp_SecureHash"] == pipe_hash(secret, answer, names)


def vn_time(moment: datetime | None = None) -> str:
    return (moment or datetime.now(VIETNAM)).astimezone(VIETNAM).strftime("%Y%m%d%H%M%S")


# --- an IPN receiver playing the platform -------------------------------------------------------------------------

class Receiver:
    """Records every IPN and answers from a script (the last answer repeats)."""

    def __init__(self) -> None:
        self.received: list[dict] = []
        self.answers: list[tuple[int, str]] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
                with receiver.lock:
                    receiver.received.append({"path": self.path, "content_type": self.headers["Content-Type"],
                                              "params": dict(urllib.parse.parse_qsl(body, keep_blank_values=True))})
                    status, text = receiver.answers[0] if receiver.answers else (
                        200, json.dumps({"RspCode": "00", "Message": "Confirm Success"}))
                    if len(receiver.answers) > 1:
                        receiver.answers.pop(0)
                payload = text.encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                                       daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def answer(self, *answers: tuple[int, str]) -> None:
        with self.lock:
            self.answers = list(answers)

    def ipns(self) -> list[dict]:
        with self.lock:
            return [entry["params"] for entry in self.received]

    def wait_for(self, count: int, timeout: float = 5.0) -> list[dict]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.ipns()) >= count:
                return self.ipns()
            time.sleep(0.02)
        raise AssertionError(f"expected {count} IPNs, got {len(self.ipns())}")

    def reset(self) -> None:
        with self.lock:
            self.received.clear()
            self.answers.clear()


def rsp(code: str, message: str = "x") -> tuple[int, str]:
    return 200, json.dumps({"RspCode": code, "Message": message})


@pytest.fixture(scope="module")
def receiver():
    held = Receiver()
    yield held
    held.server.shutdown()
    held.server.server_close()


@pytest.fixture(scope="module")
def server(receiver):
    config = Config(terminals={TERMINAL: SECRET, OTHER_TERMINAL: OTHER_SECRET}, ipn_url=receiver.url + IPN_PATH,
                    ipn_attempts=3, ipn_retry_delay=0.05, ipn_timeout=5.0, refund_delay=REFUND_DELAY)
    httpd, thread = start_server("127.0.0.1", 0, config)
    yield httpd
    httpd.shutdown()
    httpd.server_close()
    thread.join(5)


@pytest.fixture
def gateway(server, receiver) -> str:
    requests.post(f"{server.url}/_sim/reset", timeout=5)
    receiver.reset()
    return server.url


# --- the merchant's side, as the platform would do it -------------------------------------------------------------

def order_params(txn_ref: str = "PAY-0001", amount: int = 5_000_000, terminal: str = TERMINAL,
                 **changes: str) -> dict[str, str]:
    now = datetime.now(VIETNAM)
    params = {"vnp_Version": "2.1.0", "vnp_Command": "pay", "vnp_TmnCode": terminal, "vnp_Amount": str(amount),
              "vnp_CurrCode": "VND", "vnp_TxnRef": txn_ref,
              "vnp_OrderInfo": "Thanh toan le phi ho so 000.00.04.G18-261121-0001", "vnp_OrderType": "billpayment",
              "vnp_Locale": "vn", "vnp_ReturnUrl": RETURN_URL, "vnp_IpAddr": "203.0.113.7",
              "vnp_CreateDate": vn_time(now), "vnp_ExpireDate": vn_time(now + timedelta(minutes=15))}
    params.update(changes)
    return {name: value for name, value in params.items() if value is not None}


def payment_url(base: str, params: dict[str, str], secret: str = SECRET, digest: str | None = None) -> str:
    query = urllib.parse.urlencode({**params, "vnp_SecureHash": digest or vnp_hash(secret, params)})
    return f"{base}/paymentv2/vpcpay.html?{query}"


def open_order(base: str, **changes: str) -> requests.Response:
    secret = OTHER_SECRET if changes.get("terminal") == OTHER_TERMINAL else SECRET
    return requests.get(payment_url(base, order_params(**changes), secret), timeout=5)


def sim(base: str, method: str, path: str, body: object = None) -> tuple[int, dict]:
    answer = requests.request(method, f"{base}{path}", json=body, timeout=15)
    return answer.status_code, answer.json()


def pay(base: str, txn_ref: str = "PAY-0001", outcome: str = "success", **extra: str) -> tuple[int, dict]:
    return sim(base, "POST", f"/_sim/orders/{txn_ref}/pay", {"outcome": outcome, **extra})


def querydr(base: str, txn_ref: str = "PAY-0001", request_id: str | None = None, transaction_date: str = "",
            secret: str = SECRET, **changes: str) -> dict:
    body = {"vnp_RequestId": request_id or secrets.token_hex(16), "vnp_Version": "2.1.0", "vnp_Command": "querydr",
            "vnp_TmnCode": TERMINAL, "vnp_TxnRef": txn_ref, "vnp_OrderInfo": "Kiem tra giao dich",
            "vnp_TransactionDate": transaction_date, "vnp_CreateDate": vn_time(), "vnp_IpAddr": "10.0.0.5"}
    body.update(changes)
    body["vnp_SecureHash"] = pipe_hash(secret, body, QUERY_HASHED)
    return requests.post(f"{base}/merchant_webapi/api/transaction", json=body, timeout=5).json()


def refund(base: str, order: dict, amount: int | None = None, request_id: str | None = None) -> dict:
    body = {"vnp_RequestId": request_id or secrets.token_hex(16), "vnp_Version": "2.1.0", "vnp_Command": "refund",
            "vnp_TmnCode": TERMINAL, "vnp_TransactionType": "02", "vnp_TxnRef": order["txn_ref"],
            "vnp_Amount": str(order["amount"] if amount is None else amount),
            "vnp_OrderInfo": "Hoan le phi ho so", "vnp_TransactionNo": (order["outcome"] or {}).get(
                "transaction_no", ""), "vnp_TransactionDate": order["create_date"], "vnp_CreateBy": "ketoan01",
            "vnp_CreateDate": vn_time(), "vnp_IpAddr": "10.0.0.5"}
    body["vnp_SecureHash"] = pipe_hash(SECRET, body, REFUND_HASHED)
    return requests.post(f"{base}/merchant_webapi/api/transaction", json=body, timeout=5).json()


def held(base: str, txn_ref: str = "PAY-0001") -> dict:
    return sim(base, "GET", f"/_sim/orders/{txn_ref}")[1]


def statement(base: str, day: str, secret: str = SECRET) -> requests.Response:
    params = {"vnp_TmnCode": TERMINAL, "vnp_Date": day, "vnp_CreateDate": vn_time()}
    params["vnp_SecureHash"] = vnp_hash(secret, params)
    return requests.get(f"{base}/merchant_webapi/statement", params=params, timeout=5)


# --- §1.1 checksums -----------------------------------------------------------------------------------------------

def test_the_checksum_rule_keeps_sorted_non_empty_vnp_parameters_form_encoded():
    params = {"vnp_b": "a b", "vnp_a": "x&y=z", "vnp_c": "", "other": "z", "vnp_SecureHash": "h",
              "vnp_SecureHashType": "HmacSHA512", "vnp_OrderInfo": "Lệ phí"}
    assert signed_string(params) == "vnp_OrderInfo=L%E1%BB%87+ph%C3%AD&vnp_a=x%26y%3Dz&vnp_b=a+b"
    assert vnp_hash("k", params) == hmac.new(b"k", signed_string(params).encode(), hashlib.sha512).hexdigest()


def test_a_validly_signed_url_shows_the_payment_page_with_amount_and_buttons(gateway):
    answer = open_order(gateway)
    assert answer.status_code == 200 and answer.headers["Content-Type"] == "text/html; charset=utf-8"
    page = answer.text
    assert "50.000 ₫" in page and TERMINAL in page and "PAY-0001" in page
    assert "Thanh toan le phi ho so 000.00.04.G18-261121-0001" in page
    assert 'id="pay"' in page and "Thanh toán / Pay" in page and 'id="cancel"' in page and "Hủy / Cancel" in page
    assert "<script" not in page and "<link" not in page and "src=" not in page  # nothing fetched from outside
    assert held(gateway)["state"] == "pending"


def test_the_checksum_may_be_given_in_upper_case(gateway):
    params = order_params()
    assert requests.get(payment_url(gateway, params, digest=vnp_hash(SECRET, params).upper()), timeout=5).ok


def test_a_checksum_over_percent_twenty_spaces_is_refused(gateway):
    params = order_params()
    wrong = "&".join(f"{k}={urllib.parse.quote(v, safe='')}" for k, v in sorted(params.items()))
    digest = hmac.new(SECRET.encode(), wrong.encode(), hashlib.sha512).hexdigest()
    answer = requests.get(payment_url(gateway, params, digest=digest), timeout=5)
    assert answer.status_code == 400 and 'data-code="invalid_checksum"' in answer.text


@pytest.mark.parametrize(("changes", "code"), [
    ({"terminal": "UNKNOWN1"}, "unknown_terminal"),
    ({"vnp_Version": "2.0.0"}, "invalid_version"),
    ({"vnp_Command": "refund"}, "invalid_command"),
    ({"vnp_CurrCode": "USD"}, "invalid_currency"),
    ({"amount": 0}, "invalid_amount"),
    ({"amount": 5_000_050}, "invalid_amount"),
    ({"vnp_Locale": "fr"}, "invalid_locale"),
    ({"vnp_ReturnUrl": "javascript:alert(1)"}, "invalid_return_url"),
    ({"vnp_ReturnUrl": None}, "missing_parameter"),
    ({"vnp_CreateDate": "2025-08-07 09:00"}, "invalid_date"),
    ({"vnp_ExpireDate": "20250231170000"}, "invalid_date"),
    ({"vnp_ExpireDate": "20200101000000", "vnp_CreateDate": "20191231230000"}, "expired"),
])
def test_an_invalid_payment_url_gets_an_error_page_and_records_nothing(gateway, changes, code):
    answer = open_order(gateway, **changes)
    assert answer.status_code == 400 and f'data-code="{code}"' in answer.text
    assert sim(gateway, "GET", "/_sim/orders") == (200, {"orders": []})


def test_a_bad_checksum_is_refused(gateway):
    answer = requests.get(payment_url(gateway, order_params(), secret="not-the-secret"), timeout=5)
    assert answer.status_code == 400 and 'data-code="invalid_checksum"' in answer.text


def test_the_same_order_opened_twice_is_one_order_and_another_amount_is_refused(gateway):
    assert open_order(gateway).status_code == 200
    assert open_order(gateway).status_code == 200
    assert len(sim(gateway, "GET", "/_sim/orders")[1]["orders"]) == 1
    answer = open_order(gateway, amount=6_000_000)
    assert answer.status_code == 400 and 'data-code="amount_mismatch"' in answer.text


def test_a_known_order_past_its_expiry_shows_that_it_expired(gateway):
    open_order(gateway)
    sim(gateway, "POST", "/_sim/clock", {"offset_s": 3600})
    answer = open_order(gateway)
    assert answer.status_code == 400 and 'data-code="expired"' in answer.text and "hết hạn" in answer.text
    assert 'id="pay"' not in answer.text
    assert held(gateway)["state"] == "expired"


# --- §1.4 paying, the IPN and the return -------------------------------------------------------------------------

def confirm(base: str, page: str, action: str) -> requests.Response:
    token = page.split('name="order" value="')[1].split('"')[0]
    return requests.post(f"{base}/paymentv2/confirm", data={"order": token, "action": action},
                         allow_redirects=False, timeout=5)


def test_paying_on_the_page_sends_a_signed_ipn_and_redirects_to_the_return_url(gateway, receiver):
    answer = confirm(gateway, open_order(gateway).text, "pay")
    assert answer.status_code == 303
    location = urllib.parse.urlsplit(answer.headers["Location"])
    assert location._replace(query="").geturl() == RETURN_URL.split("?")[0]
    returned = dict(urllib.parse.parse_qsl(location.query, keep_blank_values=True))
    assert returned.pop("tab") == "fees"
    ipn = receiver.wait_for(1)[0]
    assert receiver.received[0]["path"] == IPN_PATH
    assert receiver.received[0]["content_type"] == "application/x-www-form-urlencoded"
    assert set(ipn) == IPN_FIELDS and ipn == returned
    assert has_valid_signature(ipn)
    assert (ipn["vnp_ResponseCode"], ipn["vnp_TransactionStatus"], ipn["vnp_BankCode"]) == ("00", "00", "NCB")
    assert ipn["vnp_Amount"] == "5000000" and ipn["vnp_TxnRef"] == "PAY-0001" and ipn["vnp_TmnCode"] == TERMINAL
    assert ipn["vnp_TransactionNo"].isdigit() and int(ipn["vnp_TransactionNo"]) > 0
    assert abs(datetime.strptime(ipn["vnp_PayDate"], "%Y%m%d%H%M%S").replace(tzinfo=VIETNAM)
               - datetime.now(VIETNAM)) < timedelta(minutes=1)


def test_cancelling_on_the_page_answers_24_and_an_order_is_settled_once(gateway, receiver):
    page = open_order(gateway).text
    assert confirm(gateway, page, "cancel").status_code == 303
    ipn = receiver.wait_for(1)[0]
    assert (ipn["vnp_ResponseCode"], ipn["vnp_TransactionStatus"]) == ("24", "02") and has_valid_signature(ipn)
    assert confirm(gateway, page, "pay").status_code == 409
    assert open_order(gateway).text.count('data-state="cancelled"') == 1


def test_sim_pay_settles_the_order_and_answers_what_the_ipn_delivery_got(gateway, receiver):
    open_order(gateway)
    status, body = pay(gateway)
    assert status == 200 and body["order"]["state"] == "paid"
    attempts = body["ipn"]["attempts"]
    assert [(a["status"], a["body"]) for a in attempts] == [(200, {"RspCode": "00", "Message": "Confirm Success"})]
    assert len(receiver.ipns()) == 1 and has_valid_signature(receiver.ipns()[0])
    assert held(gateway)["deliveries"][0]["attempts"] == attempts


@pytest.mark.parametrize(("outcome", "codes", "state"), [("failed", ("51", "02"), "failed"),
                                                        ("cancelled", ("24", "02"), "cancelled")])
def test_sim_pay_can_fail_or_cancel(gateway, receiver, outcome, codes, state):
    open_order(gateway)
    assert pay(gateway, outcome=outcome)[1]["order"]["state"] == state
    ipn = receiver.ipns()[0]
    assert (ipn["vnp_ResponseCode"], ipn["vnp_TransactionStatus"]) == codes and has_valid_signature(ipn)


def test_sim_pay_of_an_unknown_order_is_404_and_of_a_settled_one_409(gateway):
    assert pay(gateway, "NEVER")[0] == 404
    open_order(gateway)
    pay(gateway)
    assert pay(gateway, outcome="cancelled")[0] == 409


def test_paying_an_expired_order_fails_with_11(gateway, receiver):
    open_order(gateway)
    sim(gateway, "POST", "/_sim/clock", {"offset_s": 3600})
    status, body = pay(gateway)
    assert status == 200 and body["order"]["state"] == "expired"
    ipn = receiver.ipns()[0]
    assert (ipn["vnp_ResponseCode"], ipn["vnp_TransactionStatus"]) == ("11", "02") and has_valid_signature(ipn)


def test_the_same_reference_on_two_terminals_needs_the_terminal_named(gateway, receiver):
    open_order(gateway)
    open_order(gateway, terminal=OTHER_TERMINAL)
    assert pay(gateway)[0] == 400
    assert pay(gateway, terminal=OTHER_TERMINAL)[1]["order"]["terminal"] == OTHER_TERMINAL
    assert has_valid_signature(receiver.ipns()[0], OTHER_SECRET)


@pytest.mark.parametrize("answers", [
    [rsp("99")],
    [(500, "oops")],
    [(200, "not json")],
    [(200, json.dumps({"RspCode": 0, "Message": "a number"}))],
])
def test_an_ipn_is_tried_three_times_while_the_platform_cannot_take_it(gateway, receiver, answers):
    receiver.answer(*answers)
    open_order(gateway)
    attempts = pay(gateway)[1]["ipn"]["attempts"]
    assert len(attempts) == 3 and len(receiver.ipns()) == 3


@pytest.mark.parametrize("code", ["00", "01", "02", "04", "97"])
def test_an_ipn_answered_with_any_other_code_is_sent_once(gateway, receiver, code):
    receiver.answer(rsp(code))
    open_order(gateway)
    assert len(pay(gateway)[1]["ipn"]["attempts"]) == 1 and len(receiver.ipns()) == 1


def test_an_ipn_stops_as_soon_as_the_platform_takes_it(gateway, receiver):
    receiver.answer((503, "busy"), rsp("00"))
    open_order(gateway)
    attempts = pay(gateway)[1]["ipn"]["attempts"]
    assert [a["status"] for a in attempts] == [503, 200]


def test_an_unreachable_platform_is_recorded_as_transport_errors(gateway, server):
    server.config.ipn_url = "http://127.0.0.1:9/nowhere"  # put back by _ipn_url_back
    open_order(gateway)
    attempts = pay(gateway)[1]["ipn"]["attempts"]
    assert len(attempts) == 3 and all(a["status"] is None and a["error"] for a in attempts)


@pytest.fixture(autouse=True)
def _ipn_url_back(server, receiver):
    yield
    server.config.ipn_url = receiver.url + IPN_PATH


# --- resending and faults -----------------------------------------------------------------------------------------

def test_the_last_ipn_can_be_sent_again_n_times(gateway, receiver):
    open_order(gateway)
    pay(gateway)
    status, body = sim(gateway, "POST", "/_sim/orders/PAY-0001/ipn", {"repeat": 3})
    assert status == 200 and len(body["deliveries"]) == 3
    ipns = receiver.ipns()
    assert len(ipns) == 4 and all(ipn == ipns[0] for ipn in ipns)


def test_a_late_ipn_is_sent_after_the_delay(gateway, receiver):
    open_order(gateway)
    pay(gateway)
    assert sim(gateway, "POST", "/_sim/orders/PAY-0001/ipn", {"delay_s": 0.2}) == (
        202, {"scheduled": 1, "delay_s": 0.2})
    assert len(receiver.ipns()) == 1
    assert len(receiver.wait_for(2)) == 2


def test_an_ipn_cannot_be_resent_before_the_order_is_settled(gateway):
    open_order(gateway)
    assert sim(gateway, "POST", "/_sim/orders/PAY-0001/ipn", {})[0] == 409


def test_drop_ipn_sends_nothing_for_the_next_n_ipns(gateway, receiver):
    sim(gateway, "POST", "/_sim/faults", {"mode": "drop_ipn", "count": 2})
    open_order(gateway)
    delivery = pay(gateway)[1]["ipn"]
    assert delivery["dropped"] and delivery["attempts"] == []
    sim(gateway, "POST", "/_sim/orders/PAY-0001/ipn", {})
    assert receiver.ipns() == []
    sim(gateway, "POST", "/_sim/orders/PAY-0001/ipn", {})
    assert len(receiver.ipns()) == 1 and sim(gateway, "GET", "/_sim/faults")[1] == {"pending": []}


def test_bad_signature_sends_the_ipn_with_a_corrupted_hash(gateway, receiver):
    sim(gateway, "POST", "/_sim/faults", {"mode": "bad_signature"})
    open_order(gateway)
    pay(gateway)
    ipn = receiver.ipns()[0]
    assert ipn["vnp_Amount"] == "5000000" and not has_valid_signature(ipn)


def test_wrong_amount_sends_another_amount_correctly_signed(gateway, receiver):
    sim(gateway, "POST", "/_sim/faults", {"mode": "wrong_amount"})
    open_order(gateway)
    pay(gateway)
    ipn = receiver.ipns()[0]
    assert ipn["vnp_Amount"] != "5000000" and has_valid_signature(ipn)


def test_faults_are_listed_cleared_and_validated(gateway):
    assert sim(gateway, "POST", "/_sim/faults", {"mode": "drop_ipn", "count": 2})[1]["pending"] == [
        {"mode": "drop_ipn", "remaining": 2}]
    assert sim(gateway, "POST", "/_sim/faults", {"mode": "explode"})[0] == 400
    assert sim(gateway, "POST", "/_sim/faults", {"mode": "drop_ipn", "count": 0})[0] == 400
    assert sim(gateway, "DELETE", "/_sim/faults") == (200, {"pending": []})
    assert sim(gateway, "GET", "/_sim/faults") == (200, {"pending": []})


# --- §1.5 querydr -------------------------------------------------------------------------------------------------

def test_querydr_shows_01_before_payment_and_00_after(gateway):
    open_order(gateway)
    order = held(gateway)
    before = querydr(gateway, transaction_date=order["create_date"])
    assert (before["vnp_ResponseCode"], before["vnp_TransactionType"], before["vnp_TransactionStatus"]) == (
        "00", "01", "01")
    assert answer_signed(before, QUERY_ANSWER_HASHED)
    pay(gateway)
    after = querydr(gateway, transaction_date=order["create_date"])
    paid = held(gateway)["outcome"]
    assert (after["vnp_ResponseCode"], after["vnp_TransactionStatus"], after["vnp_Amount"]) == ("00", "00", "5000000")
    assert (after["vnp_TransactionNo"], after["vnp_PayDate"], after["vnp_BankCode"]) == (
        paid["transaction_no"], paid["pay_date"], "NCB")
    assert answer_signed(after, QUERY_ANSWER_HASHED) and after["vnp_ResponseId"] != before["vnp_ResponseId"]


def test_querydr_of_an_expired_unpaid_order_is_failed(gateway):
    open_order(gateway)
    sim(gateway, "POST", "/_sim/clock", {"offset_s": 3600})
    assert querydr(gateway, transaction_date=held(gateway)["create_date"])["vnp_TransactionStatus"] == "02"


def test_querydr_of_an_unknown_order_or_another_transaction_date_is_91(gateway):
    assert querydr(gateway, "NEVER", transaction_date=vn_time())["vnp_ResponseCode"] == "91"
    open_order(gateway)
    assert querydr(gateway, transaction_date="20200101000000")["vnp_ResponseCode"] == "91"


def test_querydr_with_a_used_request_id_is_94(gateway):
    open_order(gateway)
    date = held(gateway)["create_date"]
    assert querydr(gateway, request_id="REQ-1", transaction_date=date)["vnp_ResponseCode"] == "00"
    answer = querydr(gateway, request_id="REQ-1", transaction_date=date)
    assert answer["vnp_ResponseCode"] == "94" and answer_signed(answer, QUERY_ANSWER_HASHED)


def test_querydr_with_a_bad_checksum_is_97(gateway):
    open_order(gateway)
    answer = querydr(gateway, transaction_date=held(gateway)["create_date"], secret="wrong")
    assert answer["vnp_ResponseCode"] == "97"


@pytest.mark.parametrize("changes", [{"vnp_Version": "2.0.0"}, {"vnp_IpAddr": ""}, {"vnp_RequestId": "x" * 33},
                                     {"vnp_CreateDate": "today"}])
def test_querydr_that_breaks_a_rule_is_99(gateway, changes):
    open_order(gateway)
    assert querydr(gateway, transaction_date=held(gateway)["create_date"], **changes)["vnp_ResponseCode"] == "99"


def test_a_malformed_transaction_call_is_answered_99_unsigned(gateway):
    answer = requests.post(f"{gateway}/merchant_webapi/api/transaction", data=b"{", timeout=5)
    assert answer.status_code == 200 and answer.json()["vnp_ResponseCode"] == "99"
    assert answer.json()["vnp_SecureHash"] == ""


# --- §1.6 refund --------------------------------------------------------------------------------------------------

def test_an_accepted_refund_is_05_then_02_00_after_the_delay(gateway):
    open_order(gateway)
    pay(gateway)
    order = held(gateway)
    accepted = refund(gateway, order)
    assert (accepted["vnp_ResponseCode"], accepted["vnp_TransactionType"], accepted["vnp_TransactionStatus"]) == (
        "00", "02", "05")
    assert answer_signed(accepted, REFUND_ANSWER_HASHED) and "vnp_PromotionCode" not in accepted
    assert accepted["vnp_TransactionNo"] != order["outcome"]["transaction_no"]
    during = querydr(gateway, transaction_date=order["create_date"])
    assert (during["vnp_TransactionType"], during["vnp_TransactionStatus"]) == ("02", "05")
    time.sleep(REFUND_DELAY + 0.1)
    after = querydr(gateway, transaction_date=order["create_date"])
    assert (after["vnp_TransactionType"], after["vnp_TransactionStatus"]) == ("02", "00")
    assert after["vnp_TransactionNo"] == accepted["vnp_TransactionNo"]


def test_a_second_refund_is_94_and_a_reused_request_id_is_94(gateway):
    open_order(gateway)
    pay(gateway)
    order = held(gateway)
    assert refund(gateway, order, request_id="R-1")["vnp_ResponseCode"] == "00"
    assert refund(gateway, order)["vnp_ResponseCode"] == "94"
    open_order(gateway, txn_ref="PAY-0002")
    pay(gateway, "PAY-0002")
    assert refund(gateway, held(gateway, "PAY-0002"), request_id="R-1")["vnp_ResponseCode"] == "94"


def test_a_refund_of_an_unpaid_order_is_91_and_of_too_much_02(gateway):
    open_order(gateway)
    assert refund(gateway, held(gateway))["vnp_ResponseCode"] == "91"
    pay(gateway, outcome="cancelled")
    assert refund(gateway, held(gateway))["vnp_ResponseCode"] == "91"
    open_order(gateway, txn_ref="PAY-0002")
    pay(gateway, "PAY-0002")
    assert refund(gateway, held(gateway, "PAY-0002"), amount=9_000_000)["vnp_ResponseCode"] == "02"
    assert held(gateway, "PAY-0002")["refunds"] == []


def test_a_declined_refund_ends_in_09_and_may_be_asked_again(gateway):
    sim(gateway, "POST", "/_sim/faults", {"mode": "decline_refund"})
    open_order(gateway)
    pay(gateway)
    order = held(gateway)
    assert refund(gateway, order)["vnp_ResponseCode"] == "00"
    time.sleep(REFUND_DELAY + 0.1)
    assert querydr(gateway, transaction_date=order["create_date"])["vnp_TransactionStatus"] == "09"
    assert refund(gateway, order)["vnp_ResponseCode"] == "00"


# --- §1.7 the statement -------------------------------------------------------------------------------------------

def test_the_statement_lists_the_days_settled_payments_and_refunds(gateway):
    for ref in ("PAY-A", "PAY-B", "PAY-C"):
        open_order(gateway, txn_ref=ref)
    pay(gateway, "PAY-A")
    pay(gateway, "PAY-B", outcome="cancelled")
    accepted = refund(gateway, held(gateway, "PAY-A"))
    answer = statement(gateway, datetime.now(VIETNAM).strftime("%Y%m%d"))
    assert answer.status_code == 200 and answer.headers["Content-Type"] == "text/csv; charset=utf-8"
    lines = answer.text.splitlines()
    assert lines[0] == "TxnRef,TransactionNo,TransactionType,TransactionStatus,Amount,PayDate,BankCode"
    rows = {(row[0], row[2]): row for row in (line.split(",") for line in lines[1:])}
    assert set(rows) == {("PAY-A", "01"), ("PAY-B", "01"), ("PAY-A", "02")}  # PAY-C was never acted on
    a_paid = held(gateway, "PAY-A")["outcome"]
    assert rows[("PAY-A", "01")] == ["PAY-A", a_paid["transaction_no"], "01", "00", "50000", a_paid["pay_date"],
                                     "NCB"]
    assert rows[("PAY-B", "01")][3] == "02"
    assert rows[("PAY-A", "02")][1:5] == [accepted["vnp_TransactionNo"], "02", "05", "50000"]


def test_the_statement_of_another_day_is_empty(gateway):
    open_order(gateway)
    pay(gateway)
    yesterday = (datetime.now(VIETNAM) - timedelta(days=1)).strftime("%Y%m%d")
    assert statement(gateway, yesterday).text.splitlines()[1:] == []


def test_the_statement_refuses_a_bad_checksum_with_403_and_a_future_date_with_400(gateway):
    today = datetime.now(VIETNAM).strftime("%Y%m%d")
    assert statement(gateway, today, secret="wrong").status_code == 403
    tomorrow = (datetime.now(VIETNAM) + timedelta(days=1)).strftime("%Y%m%d")
    assert statement(gateway, tomorrow).status_code == 400
    assert statement(gateway, "2025-08-07").status_code == 400


# --- inspection ---------------------------------------------------------------------------------------------------

def test_the_orders_are_listed_with_state_refunds_and_ipn_attempts(gateway):
    open_order(gateway)
    pay(gateway)
    orders = sim(gateway, "GET", "/_sim/orders")[1]["orders"]
    assert [(o["txn_ref"], o["state"], o["amount_vnd"], len(o["deliveries"])) for o in orders] == [
        ("PAY-0001", "paid", 50000, 1)]
    assert orders[0]["deliveries"][0]["attempts"][0]["body"]["RspCode"] == "00"
    assert sim(gateway, "GET", "/_sim/orders/NEVER")[0] == 404


def test_reset_forgets_orders_faults_and_the_clock(gateway):
    open_order(gateway)
    sim(gateway, "POST", "/_sim/faults", {"mode": "drop_ipn"})
    sim(gateway, "POST", "/_sim/clock", {"offset_s": 60})
    sim(gateway, "POST", "/_sim/reset")
    assert sim(gateway, "GET", "/_sim/orders")[1] == {"orders": []}
    assert sim(gateway, "GET", "/_sim/faults")[1] == {"pending": []}
    assert sim(gateway, "GET", "/_sim/clock")[1]["offset_s"] == 0


# --- the command line ---------------------------------------------------------------------------------------------

def test_the_command_prints_a_ready_line_and_stops_when_its_parent_is_gone():
    # A shell stands between: it is the parent named by --parent-pid, and killing it orphans the gateway.
    command = (f"{sys.executable} -m scripts.standins.payment_gateway --port 0 --terminal {TERMINAL}:{SECRET} "
               f"--ipn-url http://127.0.0.1:9{IPN_PATH} --parent-pid $$ & wait")
    shell = subprocess.Popen(["sh", "-c", command], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                             env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        ready = json.loads(shell.stdout.readline())
        assert ready == {"ready": True, "url": ready["url"], "terminals": [TERMINAL],
                         "ipn_url": f"http://127.0.0.1:9{IPN_PATH}"}
        assert requests.get(payment_url(ready["url"], order_params()), timeout=5).status_code == 200
    finally:
        shell.kill()
        shell.wait(timeout=5)
        shell.stdout.close()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            requests.get(f"{ready['url']}/_sim/orders", timeout=1)
        except requests.ConnectionError:
            return
        time.sleep(0.1)
    pytest.fail("the gateway outlived its parent")


def test_the_command_refuses_a_malformed_terminal():
    answer = subprocess.run([sys.executable, "-m", "scripts.standins.payment_gateway", "--terminal", "SHORT:s"],
                            cwd=ROOT, capture_output=True, text=True, timeout=30,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert answer.returncode == 2 and "8-character code" in answer.stderr
