"""What people do in the client, as steps the browser tests share: a person signed in in a tab of their own, a file
chosen and verified, a dossier found at the desk and an action taken on it through its form."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .conftest import DESKTOP, Tab, open_page, sign_in
from .stack_api import FILES

APPLICATION_FORM = FILES / "application-form.pdf"
PHOTO = FILES / "photo.jpg"
RESULT = FILES / "result.pdf"
# The API's national dossier code: agency, day (YYMMDD), a number of the day.
CODE = re.compile(r"^[0-9A-Z.]+-\d{6}-\d{4,}$")
DATE = re.compile(r"^\d{2}/\d{2}/\d{4}$")
SLOW = 20_000  # ms: an upload is sent to storage and verified by the API before its tag turns green


def signed_in(browser: Any, web_url: str, username: str) -> Tab:
    """A fresh desktop tab with `username` signed in through the sign-in page (each person their own session)."""
    tab = Tab(browser, DESKTOP)
    sign_in(tab.page, web_url, username)
    return tab


def show(page: Any, web_url: str, route: str, heading: str) -> None:
    """Go to a route and wait for its own heading: the previous page's <h1> stays until the router has drawn."""
    from playwright.sync_api import expect

    open_page(page, web_url, route)
    expect(page.locator("#main h1").first).to_contain_text(heading)


def choose_file(page: Any, field: str, path: Path) -> None:
    """Choose a file for a component's input (`components.<id>`) and wait until the API has verified it."""
    from playwright.sync_api import expect

    input_id = "field-" + re.sub(r"[^A-Za-z0-9]", "-", field)
    page.locator(f"#{input_id}").set_input_files(str(path))
    expect(page.locator(f"#{input_id}-files")).to_contain_text("Đã kiểm tra", timeout=SLOW)


def open_at_desk(page: Any, web_url: str, code: str) -> None:
    """From the work queue: search by the code, open the dossier from the results."""
    from playwright.sync_api import expect

    show(page, web_url, "/desk", "Bàn làm việc")
    page.locator("#field-code").fill(code)
    page.locator("#main form[role=search] button[type=submit]").click()
    page.get_by_role("link", name=code, exact=True).click()
    expect(page.locator("#main h1")).to_have_text(f"Hồ sơ {code}")


def open_action(page: Any, label: str) -> Any:
    """Click the action's button at the bottom of the desk's dossier page; returns its form once built."""
    page.locator("#desk-actions > .govuk-button-group").get_by_role("button", name=label, exact=True).click()
    form = page.locator("#desk-action-panel form")
    form.locator("button[type=submit]").wait_for(state="visible")  # the form is built from /openapi.json
    return form


def take_action(page: Any, label: str, fill: Callable[[Any], None] | None = None) -> None:
    """Open an action's form, fill it, send it, and wait for the page to say it was done."""
    from playwright.sync_api import expect

    form = open_action(page, label)
    if fill:
        fill(form)
    form.locator("button[type=submit]").click()
    expect(page.locator("#main .govuk-notification-banner--success")).to_contain_text(f"Đã thực hiện: {label}",
                                                                                      timeout=SLOW)


def unexpected(errors: list[str], *expected_statuses: int) -> list[str]:
    """A tab's errors less the browser's line about each answer the test provoked on purpose (e.g. the 422 of a
    form sent empty)."""
    said = tuple(f"status of {status} " for status in expected_statuses)
    return [e for e in errors if not (e.startswith("console: Failed to load resource") and any(s in e for s in said))]


class People:
    """One signed-in tab per person, opened when first needed and kept for the test (sign-in is the slow step)."""

    def __init__(self, browser: Any, web_url: str) -> None:
        self.browser, self.web_url, self.tabs = browser, web_url, {}

    def __call__(self, username: str) -> Tab:
        if username not in self.tabs:
            self.tabs[username] = signed_in(self.browser, self.web_url, username)
        return self.tabs[username]

    def errors(self) -> dict[str, list[str]]:
        return {name: tab.errors for name, tab in self.tabs.items() if tab.errors}

    def close(self) -> None:
        for tab in self.tabs.values():
            tab.close()
