"""Paying a fee online in a real browser: the applicant goes from the dossier page to the payment gateway's page (the
stack's stand-in), pays or cancels there and comes back to the dossier page, which shows what the platform recorded
rather than what the gateway put in the address; the desk sees the payment on the dossier and in the day's
reconciliation. Each dossier is walked through the API to `fee_requested` first."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests

from tests.e2e.conftest import Api

from .conftest import axe_check
from .stack_api import act, id_token, submitted_dossier
from .steps import SLOW, People, show

pytestmark = pytest.mark.browser

PDF = "application/pdf"
AMOUNT = "450.000 ₫"
PURPOSE = "Lệ phí cấp giấy phép lao động"
RECEIPT = "Biên nhận thanh toán phí, lệ phí"
WAITING = "Chờ thực hiện nghĩa vụ tài chính"


def fee_requested(stack: dict[str, str]) -> dict[str, Any]:
    """A dossier of citizen.an received, sent to the unit, assigned, and its fee of 450,000 VND asked for."""
    dossier = submitted_dossier(stack)
    act(stack, "officer.hanoi", dossier, "receive")
    act(stack, "officer.hanoi", dossier, "transfer", {"unit": "viec-lam"})
    act(stack, "leader.hanoi", dossier, "assign", {"specialist": "specialist.hanoi"})
    return act(stack, "specialist.hanoi", dossier, "request-fee", {"amount_vnd": 450_000, "purpose": PURPOSE})


def payments(stack: dict[str, str], dossier: dict[str, Any]) -> list[dict[str, Any]]:
    listed = Api(stack["API_URL"], id_token(stack, "citizen.an")).get(f"/dossiers/{dossier['id']}/payments")
    assert listed.status_code == 200, listed.text
    return listed.json()["items"]


def paid_by_api(stack: dict[str, str]) -> tuple[dict[str, Any], dict[str, Any]]:
    """A dossier whose fee was paid online without a browser: the order made, its page opened (the gateway knows an
    order once the payer has opened it), then settled through the stand-in's /_sim. Returns (dossier, payment)."""
    dossier = fee_requested(stack)
    order = Api(stack["API_URL"], id_token(stack, "citizen.an")).post(f"/dossiers/{dossier['id']}/payments",
                                                                     {"locale": "vi"})
    assert order.status_code == 201, order.text
    assert requests.get(order.json()["redirect_url"], timeout=30).status_code == 200
    settled = requests.post(f"{stack['PAYMENT_GATEWAY_URL']}/_sim/orders/{order.json()['payment_id']}/pay",
                            json={"outcome": "success"}, timeout=30)
    assert settled.status_code == 200, settled.text
    payment = next(p for p in payments(stack, dossier) if p["id"] == order.json()["payment_id"])
    assert payment["state"] == "succeeded", payment
    return dossier, payment


class Payers(People):
    """People whose tabs also visit the gateway stand-in, whose page has no icon: the browser's own request for one
    is answered here rather than logged as a failed load, which would pass for the client's error."""

    def __init__(self, browser: Any, web_url: str, gateway_url: str) -> None:
        super().__init__(browser, web_url)
        self.gateway_url = gateway_url

    def __call__(self, username: str) -> Any:
        fresh = username not in self.tabs
        tab = super().__call__(username)
        if fresh:
            tab.context.route(f"{self.gateway_url}/favicon.ico", lambda route: route.fulfill(status=204))
        return tab


@pytest.fixture
def people(browser: Any, web_url: str, web_stack: dict[str, str]) -> Iterator[People]:
    opened = Payers(browser, web_url, web_stack["PAYMENT_GATEWAY_URL"])
    yield opened
    opened.close()


def summary_row(scope: Any, key: str) -> Any:
    return scope.locator(".govuk-summary-list__row", has=scope.page.locator("dt", has_text=key))


def fee_panel(page: Any) -> Any:
    return page.locator("#dossier-fee")


def to_gateway_and_back(page: Any, web_stack: dict[str, str], button: str, choice: str) -> str:
    """From the dossier page's fee panel to the gateway's page, `choice` (#pay or #cancel) clicked there, back on the
    client; returns the order's reference as the gateway showed it."""
    from playwright.sync_api import expect

    fee_panel(page).get_by_role("button", name=button, exact=True).click()
    page.wait_for_url(f"{web_stack['PAYMENT_GATEWAY_URL']}/paymentv2/**")
    expect(page.locator("#amount")).to_have_text(AMOUNT)
    reference = page.locator("#txn-ref").inner_text()
    page.locator(choice).click()
    page.wait_for_url(f"{web_stack['WEB_URL']}/**")
    return reference


def test_the_applicant_pays_online_and_comes_back_to_the_dossier_paid_with_its_receipt(
        people: People, web_url: str, web_stack: dict[str, str]) -> None:
    from playwright.sync_api import expect

    dossier = fee_requested(web_stack)
    tab = people("citizen.an")
    page = tab.page
    show(page, web_url, f"/my/dossiers/{dossier['id']}", f"Hồ sơ {dossier['code']}")
    panel = fee_panel(page)
    expect(panel.get_by_role("heading", name="Nghĩa vụ tài chính")).to_be_visible()
    expect(panel).to_contain_text(AMOUNT)
    expect(panel).to_contain_text(PURPOSE)
    expect(panel).to_contain_text("Chưa thanh toán")
    axe_check(page, "dossier page with a fee to pay")

    reference = to_gateway_and_back(page, web_stack, "Thanh toán trực tuyến", "#pay")
    outcome = page.locator("#payment-outcome")
    expect(outcome).to_contain_text("Thanh toán thành công", timeout=SLOW)
    assert outcome.get_attribute("role") == "status"
    expect(outcome).to_be_focused()
    # The gateway's parameters are gone from the address: a reload shows the dossier, not the return again.
    assert page.url == f"{web_url}/#/my/dossiers/{dossier['id']}"

    payment = next(p for p in payments(web_stack, dossier) if p["id"] == reference)
    assert payment["state"] == "succeeded"
    expect(summary_row(page.locator("#main"), "Tình trạng").first).not_to_contain_text(WAITING)
    expect(panel).to_contain_text("Đã thanh toán")
    expect(panel).to_contain_text("Thanh toán trực tuyến")
    expect(summary_row(panel, "Mã giao dịch")).to_contain_text(payment["transaction_no"])
    expect(panel.get_by_role("button", name="Thanh toán trực tuyến")).to_have_count(0)
    expect(page.locator("#dossier-forms").get_by_role("button", name=RECEIPT, exact=True)).to_be_visible()

    with page.expect_response(lambda r: r.url.endswith("/forms/payment-receipt.pdf")) as answered, \
            tab.context.expect_page() as opened:
        panel.get_by_role("button", name=RECEIPT, exact=True).click()
    assert answered.value.ok and answered.value.headers["content-type"] == PDF
    assert answered.value.request.headers["accept"] == PDF
    opened.value.close()
    with page.expect_download() as saved:
        panel.get_by_role("link", name=re.compile("^Lưu tệp")).click()
    assert Path(saved.value.path()).read_bytes().startswith(b"%PDF")
    axe_check(page, "dossier page after paying")
    assert people.errors() == {}


def test_a_cancelled_payment_is_said_to_have_failed_and_paying_again_opens_a_new_order(
        people: People, web_url: str, web_stack: dict[str, str]) -> None:
    from playwright.sync_api import expect

    dossier = fee_requested(web_stack)
    page = people("citizen.an").page
    show(page, web_url, f"/my/dossiers/{dossier['id']}", f"Hồ sơ {dossier['code']}")
    first = to_gateway_and_back(page, web_stack, "Thanh toán trực tuyến", "#cancel")

    outcome = page.locator("#payment-outcome")
    expect(outcome).to_contain_text("Thanh toán không thành công", timeout=SLOW)
    assert outcome.get_attribute("role") == "status"
    panel = fee_panel(page)
    expect(panel).to_contain_text("Chưa thanh toán")
    expect(page.locator("#fee-latest")).to_contain_text("Không thành công")
    expect(summary_row(page.locator("#main"), "Tình trạng").first).to_contain_text(WAITING)
    axe_check(page, "dossier page after a cancelled payment")

    second = to_gateway_and_back(page, web_stack, "Thanh toán lại", "#pay")
    assert second != first
    expect(page.locator("#payment-outcome")).to_contain_text("Thanh toán thành công", timeout=SLOW)
    expect(panel).to_contain_text("Đã thanh toán")
    states = {p["id"]: p["state"] for p in payments(web_stack, dossier)}
    assert states == {first: "failed", second: "succeeded"}
    assert people.errors() == {}


def test_a_lost_notification_keeps_the_page_confirming_until_the_reconciliation_settles_it(
        people: People, web_url: str, web_stack: dict[str, str]) -> None:
    from playwright.sync_api import expect

    dossier = fee_requested(web_stack)
    page = people("citizen.an").page
    show(page, web_url, f"/my/dossiers/{dossier['id']}", f"Hồ sơ {dossier['code']}")
    dropped = requests.post(f"{web_stack['PAYMENT_GATEWAY_URL']}/_sim/faults", json={"mode": "drop_ipn", "count": 1},
                            timeout=30)
    assert dropped.status_code in (200, 201), dropped.text
    to_gateway_and_back(page, web_stack, "Thanh toán trực tuyến", "#pay")

    # No notification: the platform learns of the payment from its reconciliation job, seconds later.
    expect(page.locator("#payment-confirming")).to_contain_text("Đang xác nhận thanh toán…")
    expect(page.locator("#payment-outcome")).to_contain_text("Thanh toán thành công", timeout=SLOW)
    expect(fee_panel(page)).to_contain_text("Đã thanh toán")
    assert people.errors() == {}


def test_a_fee_the_agency_takes_only_at_the_desk_sends_the_applicant_there(
        people: People, web_url: str, web_stack: dict[str, str]) -> None:
    from playwright.sync_api import expect

    dossier = fee_requested(web_stack)
    page = people("citizen.an").page
    # The API's answer for an agency with no receiving account at the gateway (none of the stack's agencies
    # that handle this procedure is one).
    problem = {"type": "urn:motcua:problem:payment_not_offered", "title": "Xung đột", "status": 409,
               "code": "payment_not_offered", "detail": "Khoản phí của hồ sơ này chưa thanh toán trực tuyến được."}
    page.route(f"{web_stack['API_URL']}/dossiers/{dossier['id']}/payments",
               lambda route: route.fulfill(status=409, json=problem, headers={
                   "Content-Type": "application/problem+json", "Access-Control-Allow-Origin": web_url})
               if route.request.method == "POST" else route.fallback())
    show(page, web_url, f"/my/dossiers/{dossier['id']}", f"Hồ sơ {dossier['code']}")
    fee_panel(page).get_by_role("button", name="Thanh toán trực tuyến", exact=True).click()

    said = page.locator("#fee-desk-only")
    expect(said).to_contain_text("chỉ nhận nộp khoản phí, lệ phí này trực tiếp tại Bộ phận một cửa")
    expect(said).to_be_focused()
    expect(fee_panel(page).get_by_role("button", name="Thanh toán trực tuyến")).to_have_count(0)
    assert page.url.startswith(web_url)
    axe_check(page, "dossier page of a fee paid at the desk only")


def test_a_fee_paid_online_then_the_dossier_withdrawn_shows_the_refund_in_words(
        people: People, web_url: str, web_stack: dict[str, str]) -> None:
    from playwright.sync_api import expect

    dossier, payment = paid_by_api(web_stack)
    act(web_stack, "citizen.an", dossier, "withdraw", {"reason": "Không còn nhu cầu giải quyết"})
    # The platform asks the gateway for the money back, then learns it was returned (seconds, on the stack).
    deadline = time.monotonic() + SLOW / 1000
    while time.monotonic() < deadline and payments(web_stack, dossier)[0]["state"] != "refunded":
        time.sleep(0.5)
    assert payments(web_stack, dossier)[0]["state"] == "refunded"

    page = people("citizen.an").page
    show(page, web_url, f"/my/dossiers/{dossier['id']}", f"Hồ sơ {dossier['code']}")
    panel = fee_panel(page)
    expect(summary_row(panel, "Tình trạng")).to_contain_text("Đã thanh toán Đã hoàn tiền")
    expect(page.locator("#fee-refunds")).to_contain_text(
        f"Khoản {AMOUNT} (giao dịch {payment['transaction_no']}) đã được hoàn lại cho bạn.")
    axe_check(page, "dossier page with a refunded fee")
    assert people.errors() == {}


def test_the_desk_sees_the_online_payment_and_the_day_reconciles_it(
        people: People, web_url: str, web_stack: dict[str, str]) -> None:
    from openpyxl import load_workbook
    from playwright.sync_api import expect

    dossier, payment = paid_by_api(web_stack)
    page = people("officer.hanoi").page
    show(page, web_url, f"/desk/dossiers/{dossier['id']}", f"Hồ sơ {dossier['code']}")
    fee = page.locator("#desk-fee")
    expect(fee).to_contain_text("Thanh toán trực tuyến")
    expect(summary_row(fee, "Mã giao dịch")).to_contain_text(payment["transaction_no"])
    online = fee.get_by_role("row", name=re.compile(payment["id"]))
    expect(online).to_contain_text("Thành công")
    expect(online).to_contain_text("Thông báo từ cổng thanh toán")

    show(page, web_url, "/desk", "Bàn làm việc")
    page.get_by_role("link", name="Đối soát thanh toán trực tuyến").click()
    expect(page.locator("#main h1")).to_have_text("Đối soát thanh toán")
    today = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date().isoformat()
    expect(page.get_by_label("Ngày giao dịch")).to_have_value(today)
    row = page.get_by_role("row", name=re.compile(payment["id"]))
    expect(row).to_contain_text("Khớp")
    expect(row).to_contain_text(dossier["code"])
    expect(row).to_contain_text(payment["transaction_no"])
    axe_check(page, "payment reconciliation")

    files = {}
    for button in ("Tải tệp CSV", "Tải tệp Excel"):
        with page.expect_download() as saved:
            page.get_by_role("button", name=button, exact=True).click()
        files[button] = Path(saved.value.path())
        assert saved.value.suggested_filename.startswith("doi-soat-")
    assert f"matched,payment,{payment['id']}" in files["Tải tệp CSV"].read_text(encoding="utf-8-sig")
    with files["Tải tệp Excel"].open("rb") as excel:
        cells = [c for r in load_workbook(excel).active.iter_rows(values_only=True) for c in r]
    assert payment["id"] in cells
    assert people.errors() == {}
