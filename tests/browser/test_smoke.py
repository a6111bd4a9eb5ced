"""The client boots in a real browser against the local stack: its first page, its language switch, its headers."""

from __future__ import annotations

import pytest

from .conftest import Tab, axe_check, open_page, screenshot, sign_in

pytestmark = pytest.mark.browser


def test_the_home_page_loads_without_errors_and_passes_the_accessibility_check(tab: Tab, web_url: str) -> None:
    open_page(tab.page, web_url, "/")
    tab.page.wait_for_load_state("networkidle")  # the catalogue's answer is in, nothing still loading
    assert tab.errors == []
    axe_check(tab.page, "home")
    screenshot(tab.page, "home")


def test_the_language_switch_sets_the_page_language_and_is_remembered(tab: Tab, web_url: str) -> None:
    from playwright.sync_api import expect

    page = tab.page
    open_page(page, web_url, "/")
    assert page.evaluate("document.documentElement.lang") == "vi"
    heading = page.locator("#main h1").first
    vietnamese = heading.inner_text()
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(heading).not_to_have_text(vietnamese)  # the page itself is rendered again, in English
    expect(page.get_by_role("button", name="English")).to_have_attribute("aria-pressed", "true")
    axe_check(page, "home in English")
    screenshot(page, "home-en")

    page.reload()
    page.locator("#main h1").first.wait_for(state="visible")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_role("button", name="Tiếng Việt").click()
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(heading).to_have_text(vietnamese)
    assert tab.errors == []


def test_the_client_is_served_with_the_security_headers_cloudfront_sends(tab: Tab, web_url: str,
                                                                         web_stack: dict[str, str]) -> None:
    response = tab.page.goto(f"{web_url}/")
    assert response is not None and response.ok
    headers = response.headers
    csp = headers["content-security-policy"]
    assert (f"connect-src 'self' {web_stack['API_URL']} {web_stack['MOTO_ENDPOINT']} "
            f"{web_stack['CITIZEN_IDP_URL']};") in csp  # the national identity stand-in's discovery and token
    assert "frame-ancestors 'none'" in csp and "script-src 'self';" in csp
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"
    assert headers["x-frame-options"] == "DENY"


def test_at_phone_width_the_home_page_does_not_scroll_sideways(phone_tab: Tab, web_url: str) -> None:
    page = phone_tab.page
    open_page(page, web_url, "/")
    page.wait_for_load_state("networkidle")
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the page is {overflow}px wider than a 375px screen"
    assert phone_tab.errors == []
    axe_check(page, "home on a phone")
    screenshot(page, "home-phone")


def test_a_demo_citizen_signs_in_against_the_local_user_pool(tab: Tab, web_url: str) -> None:
    from playwright.sync_api import expect

    page = tab.page
    open_page(page, web_url, "/sign-in")
    axe_check(page, "sign-in")
    screenshot(page, "sign-in")
    sign_in(page, web_url, "citizen.an")
    assert page.evaluate("location.hash").startswith("#/my/dossiers")
    expect(page.locator("#account")).to_contain_text("Đăng xuất")
    assert page.evaluate("Object.keys(localStorage).filter(k => /token/i.test(k))") == []  # tokens: the tab only
    assert tab.errors == []
