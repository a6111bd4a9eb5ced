"""The gateway protocol's checksums and messages against fixed vectors (docs/payments.md §1). The expected hashes were
computed outside the project, with `openssl dgst -sha512 -hmac <secret>` over the strings written out below."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import parse_qsl, urlsplit

import pytest

from chalicelib.adapters import payment_gateway as gw
from chalicelib.domain.payments import GatewayStatus

SECRET = "SECRETKEY0123456789ABCDEFGHIJKLM"
CREATED = datetime(2026, 3, 2, 9, 15, 30, tzinfo=gw.VIETNAM)
ORDER = gw.Order(terminal="MCHN0001", reference="01J1", amount_vnd=450_000,
                 info="Thanh toan le phi ho so 000.00.20.H26-260302-0001",
                 return_url="https://dichvucong.example.vn/#/my/dossiers/01J0?payment=01J1", payer_ip="203.113.1.10",
                 created_at=CREATED, expires_at=datetime(2026, 3, 2, 9, 30, 30, tzinfo=gw.VIETNAM))
# §1.1 for ORDER: sorted, form-encoded (space as +), joined with &.
SIGNED_DATA = ("vnp_Amount=45000000&vnp_Command=pay&vnp_CreateDate=20260302091530&vnp_CurrCode=VND"
               "&vnp_ExpireDate=20260302093030&vnp_IpAddr=203.113.1.10&vnp_Locale=vn"
               "&vnp_OrderInfo=Thanh+toan+le+phi+ho+so+000.00.20.H26-260302-0001&vnp_OrderType=billpayment"
               "&vnp_ReturnUrl=https%3A%2F%2Fdichvucong.example.vn%2F%23%2Fmy%2Fdossiers%2F01J0%3Fpayment%3D01J1"
               "&vnp_TmnCode=MCHN0001&vnp_TxnRef=01J1&vnp_Version=2.1.0")
ORDER_HASH = ("13fc9959214ff0401f23bbd919f0d48d46716f7951be63673d5d6a825a11bf710cbb1448c9047b7f600fa90ce59e968bd3957b"
              "391447bcffc830e9a6fb8bd031")
QUERY_HASH = ("f6c515c93b3abc102c1c8958bf66690a75bb30de92a027f6dff7758fcc6307fd496f6a35a3a0a971007d6143d461c70fbc88acba"
              "b9fb8103aa6216e19824838c")


def _params(url: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))


def test_the_payment_url_carries_the_order_and_the_checksum_of_the_fixed_vector():
    url = gw.payment_url("https://sandbox.gateway.example/", ORDER, SECRET)
    assert url.startswith("https://sandbox.gateway.example/paymentv2/vpcpay.html?")
    params = _params(url)
    assert gw.signed_data(params) == SIGNED_DATA
    assert params["vnp_SecureHash"] == ORDER_HASH
    assert (params["vnp_Amount"], params["vnp_CurrCode"], params["vnp_TxnRef"]) == ("45000000", "VND", "01J1")


def test_a_checksum_is_checked_whatever_its_hex_case_and_refused_if_anything_changed():
    params = _params(gw.payment_url("https://g.example", ORDER, SECRET))
    assert gw.checksum_valid(params, SECRET)
    assert gw.checksum_valid({**params, "vnp_SecureHash": params["vnp_SecureHash"].upper()}, SECRET)
    assert not gw.checksum_valid({**params, "vnp_Amount": "45000100"}, SECRET)
    assert not gw.checksum_valid(params, SECRET + "x")
    assert not gw.checksum_valid({k: v for k, v in params.items() if k != "vnp_SecureHash"}, SECRET)


def test_empty_values_and_the_hash_fields_are_left_out_of_the_signed_data():
    params = {"vnp_b": "2", "vnp_a": "a b&c", "vnp_empty": "", "vnp_SecureHashType": "HmacSHA512", "other": "x"}
    assert gw.signed_data(params) == "vnp_a=a+b%26c&vnp_b=2"


def test_the_api_checksum_joins_the_listed_fields_with_bars_in_order():
    body = {"vnp_RequestId": "req1", "vnp_Version": "2.1.0", "vnp_Command": "querydr", "vnp_TmnCode": "MCHN0001",
            "vnp_TxnRef": "01J1", "vnp_TransactionDate": "20260302091530", "vnp_CreateDate": "20260302100000",
            "vnp_IpAddr": "10.0.0.1", "vnp_OrderInfo": "Thanh toan le phi ho so X"}
    assert gw.api_checksum(body, gw.QUERY_FIELDS, SECRET) == QUERY_HASH


@pytest.mark.parametrize(("code", "status", "outcome"), [
    ("00", "00", GatewayStatus.PAID), ("24", "02", GatewayStatus.FAILED), ("11", "02", GatewayStatus.FAILED),
    ("00", "02", GatewayStatus.FAILED), ("51", "02", GatewayStatus.FAILED)])
def test_an_ipn_reports_paid_only_when_both_codes_say_success(code, status, outcome):
    report = gw.ipn_report({"vnp_TxnRef": "01J1", "vnp_TmnCode": "MCHN0001", "vnp_Amount": "45000000",
                            "vnp_ResponseCode": code, "vnp_TransactionStatus": status, "vnp_TransactionNo": "14226112",
                            "vnp_PayDate": "20260302091812", "vnp_BankCode": "NCB"})
    assert report.status == outcome and report.amount_vnd == 450_000 and report.transaction_no == "14226112"


@pytest.mark.parametrize("amount", ["45000050", "-100", "4.5e7", "", "abc"])
def test_an_amount_that_is_not_whole_dong_times_100_is_no_amount(amount):
    assert gw.ipn_report({"vnp_Amount": amount}).amount_vnd is None


@pytest.mark.parametrize(("answer", "status"), [
    ({"vnp_ResponseCode": "91"}, GatewayStatus.NOT_FOUND),
    ({"vnp_ResponseCode": "00", "vnp_TransactionType": "01", "vnp_TransactionStatus": "01"},
     GatewayStatus.NOT_FINISHED),
    ({"vnp_ResponseCode": "00", "vnp_TransactionType": "01", "vnp_TransactionStatus": "00"}, GatewayStatus.PAID),
    ({"vnp_ResponseCode": "00", "vnp_TransactionType": "01", "vnp_TransactionStatus": "02"}, GatewayStatus.FAILED),
    ({"vnp_ResponseCode": "00", "vnp_TransactionType": "02", "vnp_TransactionStatus": "05"},
     GatewayStatus.REFUND_PENDING),
    ({"vnp_ResponseCode": "00", "vnp_TransactionType": "02", "vnp_TransactionStatus": "00"}, GatewayStatus.REFUNDED),
    ({"vnp_ResponseCode": "00", "vnp_TransactionType": "02", "vnp_TransactionStatus": "09"},
     GatewayStatus.REFUND_DECLINED),
])
def test_a_status_query_answer_says_what_became_of_the_order(answer, status):
    assert gw._query_status(answer) == status


def test_a_query_answer_of_another_code_is_an_error_not_a_state():
    with pytest.raises(gw.GatewayError):
        gw._query_status({"vnp_ResponseCode": "99", "vnp_Message": "x"})


def test_gateway_times_are_vietnam_wall_clock():
    from datetime import UTC

    assert gw.gateway_time(datetime(2026, 3, 2, 2, 15, 30, tzinfo=UTC)) == "20260302091530"
    assert gw.parse_gateway_time("20260302091530") == CREATED
    assert gw.parse_gateway_time("2026-03-02") is None
