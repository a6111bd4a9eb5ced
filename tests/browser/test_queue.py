"""Desk queue tickets in a real browser (docs/queue.md): a person takes a number at the kiosk on a phone-sized
screen and follows it, an officer calls it at their counter, the hall's display shows it, and the officer serves
and closes it."""

from __future__ import annotations

import re
from typing import Any

import pytest

from .conftest import PHONE, Tab, axe_check, screenshot
from .steps import show, signed_in, unexpected

pytestmark = pytest.mark.browser

HANOI = "000.00.20.H26"
NUMBER = re.compile(r"^C\d{3,}$")  # "Bảo trợ xã hội", Hà Nội's line C: no other browser test takes tickets


def test_a_number_taken_at_the_kiosk_is_called_at_the_counter_shown_on_the_display_and_served(browser: Any,
                                                                                             web_url: str):
    from playwright.sync_api import expect

    kiosk = Tab(browser, PHONE, is_mobile=True, has_touch=True)
    officer = signed_in(browser, web_url, "officer.hanoi")
    hall = Tab(browser, {"width": 1280, "height": 800})
    try:
        page = kiosk.page
        show(page, web_url, f"/queue/take?agency={HANOI}", "Lấy số thứ tự")
        expect(page.locator(".app-kiosk__button")).to_have_count(4)
        axe_check(page, "the kiosk")
        screenshot(page, "queue-kiosk")
        page.get_by_role("button", name="Bảo trợ xã hội").click()
        expect(page.locator("#main h1")).to_have_text("Số thứ tự của bạn")
        number = page.locator("#queue-ticket-number").inner_text()
        assert NUMBER.match(number), number
        assert page.evaluate("document.documentElement.scrollWidth") <= 375  # nothing scrolls sideways
        screenshot(page, "queue-kiosk-ticket")
        page.get_by_role("link", name="mở trang số thứ tự").click()
        expect(page.locator("#main h1")).to_have_text("Số thứ tự")
        expect(page.locator("#queue-ticket-status")).to_contain_text("Số người chờ trước bạn")
        axe_check(page, "the ticket's page")

        desk = officer.page
        show(desk, web_url, "/desk/queue", "Gọi số thứ tự tại quầy")
        desk.locator("#field-counter").fill("5")
        desk.locator("#field-service").select_option("bao-tro-xa-hoi")
        desk.get_by_role("button", name="Gọi số tiếp theo").click()
        expect(desk.locator("#queue-desk-status")).to_have_text(f"Đã gọi số {number} đến quầy 5.")
        expect(desk.locator("#queue-current h2")).to_have_text(f"Số {number} tại quầy của bạn")
        axe_check(desk, "the counter")
        screenshot(desk, "queue-counter-called")

        show(hall.page, web_url, f"/queue/display?agency={HANOI}", "Màn hình gọi số thứ tự")
        called = hall.page.locator(".app-display__item", has_text=number)
        expect(called).to_contain_text("Quầy 5")
        axe_check(hall.page, "the display")
        screenshot(hall.page, "queue-display")
        # The phone's page follows by itself (every 10 s): the person is sent to the counter.
        expect(page.locator("#queue-ticket-status")).to_have_text("Mời bạn đến quầy 5", timeout=15_000)

        desk.reload()  # the counter is kept in the tab, and so is the ticket called here
        expect(desk.locator("#field-counter")).to_have_value("5")
        desk.get_by_role("button", name="Bắt đầu phục vụ").click()
        expect(desk.locator("#queue-desk-status")).to_have_text(f"Đang phục vụ số {number}.")
        desk.get_by_role("button", name="Hoàn thành").click()
        expect(desk.locator("#queue-desk-status")).to_have_text(f"Đã hoàn thành số {number}.")
        expect(desk.locator("#queue-current")).to_contain_text("Quầy chưa gọi số nào")
        expect(hall.page.locator(".app-display__item", has_text=number)).to_have_count(0, timeout=15_000)
        for tab in (kiosk, officer, hall):
            assert unexpected(tab.errors) == [], tab.errors
    finally:
        for tab in (kiosk, officer, hall):
            tab.close()
