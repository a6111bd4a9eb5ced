"""The web client in a real headless Chromium (Debian's package, driven by Python's Playwright) against a local
stack of its own, as `make run` serves it.

Chromium: env CHROMIUM_PATH, else /usr/bin/chromium, else `chromium` on PATH. Without it every browser test is
skipped with the line that installs it (.ci/run installs it as root). Helpers for the page tests: `axe_check`
(axe-core in the page: no serious or critical violation) and `screenshot` (build/screenshots/<name>.png).
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from scripts.pool_sign_in import fresh_totp_code, totp_secrets
from tests.e2e.conftest import PASSWORD, REPO_ROOT, running_stack

INSTALL_CHROMIUM = "install Debian's chromium: apt-get install chromium"
SCREENSHOTS = REPO_ROOT / "build" / "screenshots"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 812}
# Impacts that fail a page; axe's "minor" and "moderate" are left to review.
FAILING_IMPACTS = ("serious", "critical")
# The TOTP secrets of the staff the running stack enrolled (its state's STAFF_TOTP_SECRETS): who signs in as staff.
STAFF_TOTP: dict[str, str] = {}


def chromium_path() -> str | None:
    """The Chromium to drive, or None when there is none."""
    configured = os.environ.get("CHROMIUM_PATH")
    if configured:
        return configured if Path(configured).is_file() else None
    if Path("/usr/bin/chromium").is_file():
        return "/usr/bin/chromium"
    return shutil.which("chromium")


@pytest.fixture(scope="session")
def chromium() -> str:
    path = chromium_path()
    if path is None:
        pytest.skip(INSTALL_CHROMIUM)
    pytest.importorskip("playwright", reason="install the dev requirements: make test does")
    return path


@pytest.fixture(scope="session")
def web_stack(chromium: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """A local stack with the client on a free port (its origin allowed by the API's CORS)."""
    with running_stack(tmp_path_factory.mktemp("web-stack")) as state:
        STAFF_TOTP.update(totp_secrets(state))
        yield state


@pytest.fixture(scope="session")
def web_url(web_stack: dict[str, str]) -> str:
    return web_stack["WEB_URL"]


@pytest.fixture(scope="session")
def browser(chromium: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # Vietnamese for the browser's own parts of the page too (file inputs, date pickers), as citizens see them.
        launched = playwright.chromium.launch(executable_path=chromium, headless=True, args=["--lang=vi"])
        yield launched
        launched.close()


class Tab:
    """A page in a fresh browser context (no storage left by another test), recording what went wrong in it:
    console errors, uncaught exceptions and failed requests."""

    def __init__(self, browser: Any, viewport: dict[str, int], **options: Any) -> None:
        self.context = browser.new_context(viewport=viewport, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh",
                                           **options)
        self.context.set_default_timeout(15_000)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(f"console: {m.text}"))
        self.page.on("pageerror", lambda e: self.errors.append(f"uncaught: {e}"))
        self.page.on("requestfailed", lambda r: self.errors.append(f"request failed: {r.url} {r.failure}"))
        # Requests on their way: settle() waits until there are none (a page's later calls included).
        self.in_flight: set[Any] = set()
        self.page.on("request", lambda r: self.in_flight.add(r))
        self.page.on("requestfinished", lambda r: self.in_flight.discard(r))
        self.page.on("requestfailed", lambda r: self.in_flight.discard(r))

    def settle(self, quiet_ms: int = 300, timeout_s: float = 15) -> None:
        """Wait until no request has been on its way for `quiet_ms`: what a page renders after its first answer
        (names looked up for a list, say) has arrived too. Playwright's "networkidle" is a navigation's state, of
        no use after a route change within the page."""
        deadline, quiet_since = time.monotonic() + timeout_s, None
        while time.monotonic() < deadline:
            self.page.wait_for_timeout(50)  # lets the page's events reach the listeners above
            if self.in_flight:
                quiet_since = None
            elif quiet_since is None:
                quiet_since = time.monotonic()
            elif (time.monotonic() - quiet_since) * 1000 >= quiet_ms:
                return
        raise AssertionError(f"requests still on their way: {[r.url for r in self.in_flight]}")

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def tab(browser: Any) -> Iterator[Tab]:
    """A desktop-sized page and its errors (tab.page, tab.errors)."""
    opened = Tab(browser, DESKTOP)
    yield opened
    opened.close()


@pytest.fixture
def page(tab: Tab) -> Any:
    return tab.page


@pytest.fixture
def phone_tab(browser: Any) -> Iterator[Tab]:
    """A 375 x 812 touch screen, the smallest phone the client must serve without sideways scrolling, and its
    errors."""
    opened = Tab(browser, PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    yield opened
    opened.close()


@pytest.fixture
def phone(phone_tab: Tab) -> Any:
    return phone_tab.page


def open_page(page: Any, web_url: str, route: str = "/") -> None:
    """Go to a hash route and wait until the router has rendered its page (the page's <h1> is in #main)."""
    page.goto(f"{web_url}/#{route}")
    page.locator("#main h1").first.wait_for(state="visible")


def sign_in(page: Any, web_url: str, username: str, password: str = PASSWORD, *,
            totp_secret: str | None = None) -> None:
    """Through the client's own sign-in page (the user pools' API on the stack's moto), as a person does: citizens
    at #/sign-in; staff (an account with a TOTP secret: the stack's demo staff, or `totp_secret`) at
    #/staff/sign-in, typing the code their authenticator app shows."""
    secret = totp_secret or STAFF_TOTP.get(username)
    if secret:
        staff_sign_in(page, web_url, username, secret, password)
        return
    open_page(page, web_url, "/sign-in")
    page.locator("#field-username").fill(username)
    page.locator("#field-password").fill(password)
    page.locator("#main form button[type=submit]").click()
    page.wait_for_function("() => !location.hash.startsWith('#/sign-in')")
    page.locator("#main h1").first.wait_for(state="visible")


def staff_credentials(page: Any, web_url: str, username: str, password: str = PASSWORD) -> None:
    """The staff sign-in's first step: username and password sent, the pool's next step not yet awaited."""
    open_page(page, web_url, "/staff/sign-in")
    page.locator("#field-username").fill(username)
    page.locator("#field-password").fill(password)
    page.locator("#main form button[type=submit]").click()


def staff_sign_in(page: Any, web_url: str, username: str, secret: str, password: str = PASSWORD) -> None:
    """A staff member with an authenticator enrolled: password, then the current code; waits for the page after."""
    staff_credentials(page, web_url, username, password)
    code = page.locator("#field-code")
    code.wait_for(state="visible")
    code.fill(fresh_totp_code(secret))
    page.locator("#main form button[type=submit]").click()
    page.wait_for_function("() => !location.hash.startsWith('#/staff/sign-in')")
    page.locator("#main h1").first.wait_for(state="visible")


def axe_check(page: Any, name: str = "") -> None:
    """axe-core on the page as it is now: fails listing every serious or critical violation and where it is."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page).response
    failing = [v for v in results["violations"] if v.get("impact") in FAILING_IMPACTS]
    lines = []
    for violation in failing:
        targets = ", ".join(" ".join(node["target"]) for node in violation["nodes"][:5])
        lines.append(f"{violation['impact']}: {violation['id']} ({violation['help']}) at {targets}")
    assert not failing, f"accessibility violations on {name or page.url}:\n" + "\n".join(lines)


def screenshot(page: Any, name: str) -> Path:
    """The whole page as build/screenshots/<name>.png, a test artefact."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
