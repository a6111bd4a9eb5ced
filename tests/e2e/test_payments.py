"""Online payment of fees over real HTTP, with the payment gateway stand-in (docs/payments.md): the applicant pays on
the gateway's page, the gateway's signed notification moves the dossier on, once; a lost notification is settled by
reconciliation; a forged or wrong one changes nothing; a withdrawn dossier's fee is refunded."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta, timezone

import pytest
import requests

from .test_processing import act, assigned, email, fetch, problem

pytestmark = pytest.mark.e2e

FEE = {"amount_vnd": 450000, "purpose": "Lệ phí cấp giấy phép lao động"}
VIETNAM = timezone(timedelta(hours=7))
SETTLE_SECONDS = 20  # the reconciliation job asks within seconds locally (PAYMENT_CHECK_AFTER_SECONDS + its tick)


def gateway(stack, path: str, body: dict | None = None, method: str = "POST") -> dict:
    response = requests.request(method, stack["PAYMENT_GATEWAY_URL"] + path, json=body, timeout=30)
    assert response.status_code in (200, 202), response.text
    return response.json()


def fee_requested(api) -> dict:
    return act(api("specialist.hanoi"), assigned(api), "request-fee", FEE)


def ordered(api, dossier: dict) -> dict:
    """The applicant starts paying; the gateway's page is opened as the browser would (the order is known then)."""
    started = api("citizen.an").post(f"/dossiers/{dossier['id']}/payments", {"locale": "vi"})
    assert started.status_code == 201, started.text
    order = started.json()
    page = requests.get(order["redirect_url"], timeout=30)
    assert page.status_code == 200 and "450.000" in page.text, page.text[:500]
    return order


def payments(api, dossier: dict, user: str = "citizen.an") -> list[dict]:
    return fetch(api(user), dossier, "/payments")["items"]


def until(check, seconds: float = SETTLE_SECONDS):
    deadline = time.monotonic() + seconds
    while not (found := check()):
        assert time.monotonic() < deadline, "not settled in time"
        time.sleep(0.3)
    return found


def fee_paid_events(api, dossier: dict) -> list[dict]:
    return [e for e in fetch(api("citizen.an"), dossier, "/history")["events"] if e["type"] == "dossier.fee_paid"]


def test_paying_online_moves_the_dossier_on_with_a_receipt_and_a_message(api, stack):
    dossier = fee_requested(api)
    order = ordered(api, dossier)
    assert order["state"] == "created" and order["amount_vnd"] == FEE["amount_vnd"]
    # An order still open is offered again rather than a second one made.
    again = api("citizen.an").post(f"/dossiers/{dossier['id']}/payments", {"locale": "vi"}).json()
    assert again["payment_id"] == order["payment_id"]

    paid = gateway(stack, f"/_sim/orders/{order['payment_id']}/pay", {"outcome": "success"})
    assert [a["body"]["RspCode"] for a in paid["ipn"]["attempts"]] == ["00"]
    after = fetch(api("citizen.an"), dossier)
    assert after["status"] == "assigned"
    assert after["fee"]["payment"]["method"] == "online"
    assert after["fee"]["payment"]["receipt_number"] == paid["order"]["outcome"]["transaction_no"]
    assert after["fee"]["online"]["state"] == "succeeded"
    # The clock resumed by the same rule as a desk payment: the event says the appointment date it keeps or moves.
    (event,) = fee_paid_events(api, dossier)
    assert event["payload"]["payment_id"] == order["payment_id"] and event["actor"]["role"] == "system"
    assert after["due_date"] >= dossier["due_date"]
    (payment,) = payments(api, dossier)
    assert payment["state"] == "succeeded" and payment["applied"] is True
    assert [h["source"] for h in payment["history"]] == ["applicant", "ipn"]
    assert "payment-receipt" in [f["form"] for f in after["forms"]]
    receipt = api("citizen.an").get(f"/dossiers/{dossier['id']}/forms/payment-receipt.pdf",
                                    headers={"Accept": "application/pdf"})
    assert receipt.status_code == 200 and receipt.content.startswith(b"%PDF")
    message = email(stack, after, "Đã nhận thanh toán")
    assert "450.000" in message["body"] and "payment-receipt" in message["body"]
    # The officers see the same payment; the fee cannot be paid twice.
    assert payments(api, dossier, "officer.hanoi")[0]["id"] == order["payment_id"]
    problem(api("citizen.an").post(f"/dossiers/{dossier['id']}/payments", {"locale": "vi"}), 409,
            "transition_not_allowed")


def test_the_notification_delivered_five_times_records_one_payment_one_event_one_message(api, stack):
    dossier = fee_requested(api)
    order = ordered(api, dossier)
    gateway(stack, f"/_sim/orders/{order['payment_id']}/pay", {"outcome": "success"})
    resent = gateway(stack, f"/_sim/orders/{order['payment_id']}/ipn", {"repeat": 5})
    assert [d["attempts"][-1]["body"]["RspCode"] for d in resent["deliveries"]] == ["00"] * 5
    (payment,) = payments(api, dossier)
    assert [h["state"] for h in payment["history"]] == ["created", "succeeded"]
    assert len(fee_paid_events(api, dossier)) == 1
    after = fetch(api("citizen.an"), dossier)
    email(stack, after, "Đã nhận thanh toán")  # exactly one (email() asserts it)


def test_a_lost_notification_is_settled_by_reconciliation(api, stack):
    dossier = fee_requested(api)
    order = ordered(api, dossier)
    gateway(stack, "/_sim/faults", {"mode": "drop_ipn", "count": 1})
    paid = gateway(stack, f"/_sim/orders/{order['payment_id']}/pay", {"outcome": "success"})
    assert paid["ipn"]["dropped"] is True
    settled = until(lambda: next((p for p in payments(api, dossier) if p["state"] == "succeeded"), None))
    assert settled["history"][-1]["source"] == "reconciliation"
    assert fetch(api("citizen.an"), dossier)["status"] == "assigned"


@pytest.mark.parametrize(("fault", "code"), [("bad_signature", "97"), ("wrong_amount", "04")])
def test_a_forged_or_wrong_notification_is_refused_and_changes_nothing(api, stack, fault, code):
    dossier = fee_requested(api)
    order = ordered(api, dossier)
    gateway(stack, "/_sim/faults", {"mode": fault, "count": 1})
    paid = gateway(stack, f"/_sim/orders/{order['payment_id']}/pay", {"outcome": "success"})
    assert {a["body"]["RspCode"] for a in paid["ipn"]["attempts"]} == {code}
    # The notification moved nothing: whatever settles the order later is the gateway's own answer to a query.
    (payment,) = payments(api, dossier)
    assert "ipn" not in [h["source"] for h in payment["history"]]
    settled = until(lambda: next((p for p in payments(api, dossier) if p["state"] == "succeeded"), None))
    assert settled["history"][-1]["source"] == "reconciliation"


def test_a_cancelled_payment_leaves_the_fee_to_pay_and_a_new_order_can_be_made(api, stack):
    dossier = fee_requested(api)
    order = ordered(api, dossier)
    gateway(stack, f"/_sim/orders/{order['payment_id']}/pay", {"outcome": "cancelled"})
    after = fetch(api("citizen.an"), dossier)
    assert after["status"] == "fee_requested" and after["fee"]["online"]["state"] == "failed"
    assert email(stack, after, "Thanh toán trực tuyến")
    second = ordered(api, dossier)
    assert second["payment_id"] != order["payment_id"]
    # The failure's notification delivered late, after the new order, changes nothing (confirmed again).
    late = gateway(stack, f"/_sim/orders/{order['payment_id']}/ipn", {"repeat": 1})
    assert late["deliveries"][0]["attempts"][-1]["body"]["RspCode"] == "00"
    assert [p["state"] for p in payments(api, dossier)] == ["failed", "created"]


def test_a_withdrawn_dossier_s_online_fee_is_refunded_to_the_end(api, stack):
    dossier = fee_requested(api)
    order = ordered(api, dossier)
    gateway(stack, f"/_sim/orders/{order['payment_id']}/pay", {"outcome": "success"})
    act(api("citizen.an"), dossier, "withdraw", {"reason": "Không còn nhu cầu"})
    refunded = until(lambda: next((p for p in payments(api, dossier) if p["state"] == "refunded"), None), 40)
    assert [h["state"] for h in refunded["history"]][-2:] == ["refunding", "refunded"]
    assert refunded["refund"]["reason"] == "withdrawn"
    at_gateway = gateway(stack, f"/_sim/orders/{order['payment_id']}", method="GET")
    assert at_gateway["refunds"], at_gateway
    kinds = [e["payload"].get("state") for e in fetch(api("citizen.an"), dossier, "/history")["events"]
             if e["type"] == "dossier.payment_updated"]
    assert kinds == ["refunding", "refunded"]


def test_the_daily_reconciliation_lists_the_day_s_payments_matched(api, stack):
    dossier = fee_requested(api)
    order = ordered(api, dossier)
    gateway(stack, f"/_sim/orders/{order['payment_id']}/pay", {"outcome": "success"})
    today = datetime.now(UTC).astimezone(VIETNAM).date().isoformat()  # the gateway's day
    report = api("officer.hanoi").get(f"/desk/payments/reconciliation?date={today}")
    assert report.status_code == 200, report.text
    rows = {r["reference"]: r for r in report.json()["rows"] if r["kind"] == "payment"}
    assert rows[order["payment_id"]]["outcome"] == "matched"
    assert rows[order["payment_id"]]["gateway_amount_vnd"] == FEE["amount_vnd"]
    csv = api("officer.hanoi").get(f"/desk/payments/reconciliation?date={today}&format=csv")
    assert csv.status_code == 200 and csv.headers["Content-Type"].startswith("text/csv")
    assert order["payment_id"] in csv.content.decode("utf-8-sig")
    problem(api("citizen.an").get(f"/desk/payments/reconciliation?date={today}"), 403, "role_not_allowed")


def test_only_the_applicant_pays_and_only_a_fee_that_was_asked_for(api):
    dossier = fee_requested(api)
    problem(api("officer.hanoi").post(f"/dossiers/{dossier['id']}/payments", {}), 403, "role_not_allowed")
    problem(api("citizen.binh").post(f"/dossiers/{dossier['id']}/payments", {}), 404, "dossier_not_found")
    problem(api("citizen.an").post(f"/dossiers/{dossier['id']}/payments", {"locale": "fr"}), 422)
    other = assigned(api)
    problem(api("citizen.an").post(f"/dossiers/{other['id']}/payments", {}), 409, "transition_not_allowed")


def test_the_notification_endpoint_answers_the_gateway_s_codes_to_nonsense(stack):
    url = stack["API_URL"] + "/integrations/payments/vnpay/notifications"
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    unknown = requests.post(url, data="vnp_TmnCode=MCHN0001&vnp_TxnRef=nope&vnp_SecureHash=00", headers=headers,
                            timeout=30)
    assert unknown.status_code == 200 and unknown.json()["RspCode"] == "97"
    empty = requests.post(url, data="garbage", headers=headers, timeout=30)
    assert empty.status_code == 200 and empty.json()["RspCode"] in ("97", "99")
    other = requests.post(stack["API_URL"] + "/integrations/payments/other/notifications", data="a=b",
                          headers=headers, timeout=30)
    assert other.status_code == 404
