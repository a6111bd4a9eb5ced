"""The payment gateway's protocol (docs/payments.md §1): checksums, the payment URL, the IPN's parameters, status
queries, refunds and the daily statement. The same code talks to the provider in AWS and to the local stand-in.

The pure functions (checksums, the URL, reading an IPN or an answer) are separate from the calls, so they are tested
against fixed vectors without a network.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from ..domain.payments import GatewayStatus

PROVIDER = "vnpay"
VERSION = "2.1.0"
VIETNAM = timezone(timedelta(hours=7))
TIME_FORMAT = "%Y%m%d%H%M%S"
HASH_FIELDS = ("vnp_SecureHash", "vnp_SecureHashType")
QUERY_FIELDS = ("RequestId", "Version", "Command", "TmnCode", "TxnRef", "TransactionDate", "CreateDate", "IpAddr",
                "OrderInfo")
QUERY_ANSWER_FIELDS = ("ResponseId", "Command", "ResponseCode", "Message", "TmnCode", "TxnRef", "Amount", "BankCode",
                       "PayDate", "TransactionNo", "TransactionType", "TransactionStatus", "OrderInfo",
                       "PromotionCode", "PromotionAmount")
REFUND_FIELDS = ("RequestId", "Version", "Command", "TmnCode", "TransactionType", "TxnRef", "Amount", "TransactionNo",
                 "TransactionDate", "CreateBy", "CreateDate", "IpAddr", "OrderInfo")
REFUND_ANSWER_FIELDS = QUERY_ANSWER_FIELDS[:13]
# The IPN's answers the gateway understands (§1.4).
IPN_ANSWERS = {"00": "Confirm Success", "01": "Order not found", "02": "Order already confirmed",
               "04": "Invalid amount", "97": "Invalid signature", "99": "Unknown error"}


class GatewayError(Exception):
    """The gateway did not answer, or answered something that is not its protocol: try again later."""


def gateway_time(moment: datetime) -> str:
    return moment.astimezone(VIETNAM).strftime(TIME_FORMAT)


def parse_gateway_time(value: str) -> datetime | None:
    try:
        return datetime.strptime(value, TIME_FORMAT).replace(tzinfo=VIETNAM)
    except (TypeError, ValueError):
        return None


def _hmac(secret: str, data: str) -> str:
    return hmac.new(secret.encode(), data.encode(), hashlib.sha512).hexdigest()


def signed_data(params: Mapping[str, str]) -> str:
    """§1.1: the non-empty vnp_ parameters but the hash, sorted by name, form-encoded, joined with &."""
    kept = sorted((k, str(v)) for k, v in params.items()
                  if k.startswith("vnp_") and k not in HASH_FIELDS and str(v) != "")
    return "&".join(f"{urllib.parse.quote_plus(k)}={urllib.parse.quote_plus(v)}" for k, v in kept)


def checksum(params: Mapping[str, str], secret: str) -> str:
    return _hmac(secret, signed_data(params))


def checksum_valid(params: Mapping[str, str], secret: str) -> bool:
    given = str(params.get("vnp_SecureHash") or "")
    return bool(given) and hmac.compare_digest(given.lower(), checksum(params, secret))


def api_checksum(values: Mapping[str, str], fields: tuple[str, ...], secret: str) -> str:
    """§1.2: the listed fields' values joined with |, in order."""
    return _hmac(secret, "|".join(str(values.get(f"vnp_{name}", "")) for name in fields))


@dataclass(frozen=True)
class Order:
    """What the payment URL asks the gateway to collect."""

    terminal: str
    reference: str  # vnp_TxnRef: the platform's payment id
    amount_vnd: int
    info: str
    return_url: str
    payer_ip: str
    created_at: datetime
    expires_at: datetime
    locale: str = "vn"


def payment_url(gateway_url: str, order: Order, secret: str) -> str:
    params = {"vnp_Version": VERSION, "vnp_Command": "pay", "vnp_TmnCode": order.terminal,
              "vnp_Amount": str(order.amount_vnd * 100), "vnp_CurrCode": "VND", "vnp_TxnRef": order.reference,
              "vnp_OrderInfo": order.info, "vnp_OrderType": "billpayment", "vnp_Locale": order.locale,
              "vnp_ReturnUrl": order.return_url, "vnp_IpAddr": order.payer_ip,
              "vnp_CreateDate": gateway_time(order.created_at), "vnp_ExpireDate": gateway_time(order.expires_at)}
    query = signed_data(params) + "&vnp_SecureHash=" + checksum(params, secret)
    return f"{gateway_url.rstrip('/')}/paymentv2/vpcpay.html?{query}"


@dataclass(frozen=True)
class Report:
    """What the gateway says of an order, from an IPN or a status query."""

    reference: str
    terminal: str
    status: GatewayStatus
    amount_vnd: int | None
    transaction_no: str | None = None
    paid_at: str | None = None  # gateway time, as given
    bank: str | None = None
    response_code: str | None = None


def _amount(value: object) -> int | None:
    text = str(value or "")
    if not text.isdigit() or int(text) % 100:
        return None
    return int(text) // 100


def ipn_report(params: Mapping[str, str]) -> Report:
    """The outcome an IPN carries (its checksum checked by the caller)."""
    code, status = params.get("vnp_ResponseCode"), params.get("vnp_TransactionStatus")
    outcome = GatewayStatus.PAID if code == "00" and status == "00" else GatewayStatus.FAILED
    return Report(reference=str(params.get("vnp_TxnRef") or ""), terminal=str(params.get("vnp_TmnCode") or ""),
                  status=outcome, amount_vnd=_amount(params.get("vnp_Amount")),
                  transaction_no=params.get("vnp_TransactionNo") or None, paid_at=params.get("vnp_PayDate") or None,
                  bank=params.get("vnp_BankCode") or None, response_code=code)


def _query_status(answer: Mapping[str, str]) -> GatewayStatus:
    code = answer.get("vnp_ResponseCode")
    if code == "91":
        return GatewayStatus.NOT_FOUND
    if code != "00":
        raise GatewayError(f"query answered {code}: {answer.get('vnp_Message')}")
    kind, status = answer.get("vnp_TransactionType"), answer.get("vnp_TransactionStatus")
    if kind == "02":
        return {"00": GatewayStatus.REFUNDED, "05": GatewayStatus.REFUND_PENDING,
                "09": GatewayStatus.REFUND_DECLINED}.get(status, GatewayStatus.REFUND_PENDING)
    return {"00": GatewayStatus.PAID, "01": GatewayStatus.NOT_FINISHED, "02": GatewayStatus.FAILED,
            "05": GatewayStatus.REFUND_PENDING, "09": GatewayStatus.REFUND_DECLINED}.get(status, GatewayStatus.FAILED)


class Gateway:
    """The calls to one gateway (its address) for the terminals whose secrets `secret_of` gives."""

    def __init__(self, url: str, secret_of, timeout: float = 10.0, server_ip: str = "127.0.0.1") -> None:
        self.url, self.secret_of, self.timeout, self.server_ip = url.rstrip("/"), secret_of, timeout, server_ip

    def _post(self, body: dict) -> dict:
        request = urllib.request.Request(f"{self.url}/merchant_webapi/api/transaction", method="POST",
                                         data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 - configured URL
                answer = json.loads(response.read())
        except (OSError, ValueError) as error:
            raise GatewayError(f"the gateway did not answer: {error}") from error
        if not isinstance(answer, dict):
            raise GatewayError("the gateway's answer is not a JSON object")
        return answer

    def _checked(self, answer: dict, fields: tuple[str, ...], secret: str) -> dict:
        if answer.get("vnp_ResponseCode") == "97":  # our checksum refused: a configuration error, not a state
            raise GatewayError("the gateway refused the request's checksum")
        given = str(answer.get("vnp_SecureHash") or "").lower()
        if not hmac.compare_digest(given, api_checksum(answer, fields, secret)):
            raise GatewayError("the gateway's answer has an invalid checksum")
        return answer

    def query(self, request_id: str, terminal: str, reference: str, info: str, ordered_at: datetime,
              now: datetime) -> Report:
        secret = self.secret_of(terminal)
        body = {"vnp_RequestId": request_id, "vnp_Version": VERSION, "vnp_Command": "querydr",
                "vnp_TmnCode": terminal, "vnp_TxnRef": reference, "vnp_OrderInfo": info,
                "vnp_TransactionDate": gateway_time(ordered_at), "vnp_CreateDate": gateway_time(now),
                "vnp_IpAddr": self.server_ip}
        body["vnp_SecureHash"] = api_checksum(body, QUERY_FIELDS, secret)
        answer = self._checked(self._post(body), QUERY_ANSWER_FIELDS, secret)
        return Report(reference=reference, terminal=terminal, status=_query_status(answer),
                      amount_vnd=_amount(answer.get("vnp_Amount")),
                      transaction_no=answer.get("vnp_TransactionNo") or None,
                      paid_at=answer.get("vnp_PayDate") or None, bank=answer.get("vnp_BankCode") or None,
                      response_code=answer.get("vnp_ResponseCode"))

    def refund(self, request_id: str, terminal: str, reference: str, amount_vnd: int, transaction_no: str,
               ordered_at: datetime, info: str, by: str, now: datetime) -> GatewayStatus:
        """Ask for the whole amount back: REFUND_PENDING when accepted (the query tells the end)."""
        secret = self.secret_of(terminal)
        body = {"vnp_RequestId": request_id, "vnp_Version": VERSION, "vnp_Command": "refund",
                "vnp_TmnCode": terminal, "vnp_TransactionType": "02", "vnp_TxnRef": reference,
                "vnp_Amount": str(amount_vnd * 100), "vnp_OrderInfo": info, "vnp_TransactionNo": transaction_no,
                "vnp_TransactionDate": gateway_time(ordered_at), "vnp_CreateBy": by,
                "vnp_CreateDate": gateway_time(now), "vnp_IpAddr": self.server_ip}
        body["vnp_SecureHash"] = api_checksum(body, REFUND_FIELDS, secret)
        answer = self._checked(self._post(body), REFUND_ANSWER_FIELDS, secret)
        code = answer.get("vnp_ResponseCode")
        if code in ("00", "94"):  # accepted now, or by an earlier request of ours whose answer was lost
            return GatewayStatus.REFUND_PENDING
        raise GatewayError(f"refund answered {code}: {answer.get('vnp_Message')}")

    def statement(self, terminal: str, day: str, now: datetime) -> list[dict]:
        """§1.7: the gateway's rows for a day (`day` as yyyyMMdd, Vietnam time)."""
        params = {"vnp_TmnCode": terminal, "vnp_Date": day, "vnp_CreateDate": gateway_time(now)}
        params["vnp_SecureHash"] = checksum(params, self.secret_of(terminal))
        url = f"{self.url}/merchant_webapi/statement?{urllib.parse.urlencode(params)}"
        try:
            with urllib.request.urlopen(url, timeout=self.timeout) as response:  # noqa: S310 - configured URL
                text = response.read().decode("utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise GatewayError(f"the gateway's statement could not be read: {error}") from error
        import csv
        import io

        return list(csv.DictReader(io.StringIO(text)))


def gateway() -> Gateway:
    """The configured gateway: its address from the settings, the terminals' secrets from Secrets Manager."""
    from ..settings import get_settings
    from .secrets import secret_value

    settings = get_settings()
    if not settings.payment_gateway_url or not settings.payment_gateway_secret_id:
        raise GatewayError("no payment gateway is configured (PAYMENT_GATEWAY_URL, PAYMENT_GATEWAY_SECRET_ID)")
    secret_id = settings.payment_gateway_secret_id
    return Gateway(settings.payment_gateway_url, lambda terminal: secret_value(secret_id, terminal),
                   timeout=settings.payment_gateway_timeout_seconds)


def terminal_secret(terminal: str) -> str:
    from ..settings import get_settings
    from .secrets import secret_value

    return secret_value(get_settings().payment_gateway_secret_id or "", terminal)
