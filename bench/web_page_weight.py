"""The weight and speed of the citizen's first page of the web client, in a real browser on the local stack.

    python bench/web_page_weight.py [--runs 3] [--json-only]

Starts the local stack in this process (moto server, chalice local, the web client's server, free ports), then for
each run opens a fresh headless Chromium context (Debian's chromium, or CHROMIUM_PATH; an empty cache, as a first
visit) on `#/` (the home page), and then follows to `#/sign-in` in the same page, as a citizen does. Counts every
request the page makes (its files, config.js, the API calls) and the bytes of their answers: as sent (gzip, as
CloudFront compresses) and decoded, plus the headers; CORS preflights are answered inside the browser and are not
counted. Times come from the page's own clock: domInteractive, the load event, and the moment the page's <h1> is
in #main (the router has rendered: the page can be used). Prints a table (medians over the runs) and a last line
of JSON for scripts. The issue's aim: under 200 KB transferred for the first page.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import logging
import os
import shutil
import socket
import statistics
import sys
import tempfile
import traceback
from collections import defaultdict
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

BUDGET_BYTES = 200 * 1024  # issue 12: the first page under 200 KB transferred

# Runs before the page's scripts: the page's clock when an <h1> first appears in #main.
WATCH_H1 = """
(() => {
  const seen = () => {
    if (window.__h1At === undefined && document.querySelector('#main h1')) window.__h1At = performance.now();
  };
  new MutationObserver(seen).observe(document, {childList: true, subtree: true});
})();
"""
# Follow a link by its hash, as the header's sign-in link does; the time until the new page's <h1> is there.
FOLLOW = """
async (route) => {
  const before = document.querySelector('#main h1');
  const started = performance.now();
  location.hash = route;
  await new Promise((resolve) => {
    const check = () => {
      const h1 = document.querySelector('#main h1');
      if (h1 && h1 !== before) { observer.disconnect(); resolve(); }
    };
    const observer = new MutationObserver(check);
    observer.observe(document, {childList: true, subtree: true, characterData: true});
    check();
  });
  return performance.now() - started;
}
"""
NAVIGATION_TIMING = """
() => {
  const n = performance.getEntriesByType('navigation')[0];
  return {dom_interactive_ms: n.domInteractive, dom_content_loaded_ms: n.domContentLoadedEventEnd,
          load_ms: n.loadEventEnd, h1_ms: window.__h1At};
}
"""


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def chromium_path() -> str:
    path = os.environ.get("CHROMIUM_PATH") or "/usr/bin/chromium"
    if not Path(path).is_file():
        found = shutil.which("chromium")
        if not found:
            raise SystemExit("install Debian's chromium: apt-get install chromium")
        path = found
    return path


class Recorder:
    """Every finished request of a page, with its sizes (Playwright's accounting: encoded body as received)."""

    def __init__(self, page: Any) -> None:
        self.finished: list[Any] = []
        page.on("requestfinished", lambda request: self.finished.append(request))

    def take(self) -> list[dict[str, Any]]:
        rows = []
        for request in self.finished:
            response = request.response()
            sizes = request.sizes()
            try:
                decoded = len(response.body()) if response else 0
            except Exception:  # a redirect or a body the browser let go of: counted as sent
                decoded = sizes["responseBodySize"]
            rows.append({"url": request.url, "type": request.resource_type,
                         "status": response.status if response else 0, "body": sizes["responseBodySize"],
                         "headers": sizes["responseHeadersSize"], "decoded": decoded})
        self.finished.clear()
        return rows


def _totals(rows: list[dict[str, Any]]) -> dict[str, int]:
    body, headers = sum(r["body"] for r in rows), sum(r["headers"] for r in rows)
    return {"requests": len(rows), "body_bytes": body, "header_bytes": headers, "transferred_bytes": body + headers,
            "decoded_bytes": sum(r["decoded"] for r in rows)}


def one_run(browser: Any, web_url: str) -> dict[str, Any]:
    """A first visit: a fresh context, #/ until its <h1> and the network is idle, then #/sign-in."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="vi-VN")
    try:
        page = context.new_page()
        page.add_init_script(WATCH_H1)
        recorder = Recorder(page)
        page.goto(f"{web_url}/#/", wait_until="load")
        page.locator("#main h1").first.wait_for(state="visible", timeout=30_000)
        page.wait_for_load_state("networkidle")
        timing = page.evaluate(NAVIGATION_TIMING)
        home = recorder.take()
        sign_in_ms = page.evaluate(FOLLOW, "#/sign-in")
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(200)  # a request started by the new page's render is still counted
        sign_in = recorder.take()
        return {"home": _totals(home), "sign_in": _totals(sign_in), "total": _totals(home + sign_in),
                "timing": {**timing, "sign_in_h1_ms": sign_in_ms}, "rows": home + sign_in}
    finally:
        context.close()


def _median(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else None


def summarise(runs: list[dict[str, Any]], browser_version: str) -> dict[str, Any]:
    last = runs[-1]
    by_type: dict[str, dict[str, int]] = defaultdict(lambda: {"requests": 0, "transferred_bytes": 0,
                                                              "decoded_bytes": 0})
    for row in last["rows"]:
        entry = by_type[row["type"]]
        entry["requests"] += 1
        entry["transferred_bytes"] += row["body"] + row["headers"]
        entry["decoded_bytes"] += row["decoded"]
    timing = {key: _median([r["timing"][key] for r in runs]) for key in runs[0]["timing"]}
    return {
        "browser": browser_version, "runs": len(runs),
        "requests": last["total"]["requests"], "transferred_bytes": last["total"]["transferred_bytes"],
        "body_bytes": last["total"]["body_bytes"], "decoded_bytes": last["total"]["decoded_bytes"],
        "home": last["home"], "sign_in": last["sign_in"], "by_type": dict(by_type),
        "timing_ms": {k: round(v, 1) if v is not None else None for k, v in timing.items()},
        "budget_bytes": BUDGET_BYTES, "within_budget": last["total"]["transferred_bytes"] < BUDGET_BYTES,
        "largest": sorted(({"url": r["url"].split("://", 1)[-1].split("/", 1)[-1], "type": r["type"],
                            "transferred_bytes": r["body"] + r["headers"], "decoded_bytes": r["decoded"]}
                           for r in last["rows"]), key=lambda r: -r["transferred_bytes"])[:8],
    }


def measure(runs: int) -> dict[str, Any]:
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "ERROR")
    logging.disable(logging.WARNING)
    from playwright.sync_api import sync_playwright

    from scripts.local_stack import start

    control = Path(tempfile.mkdtemp(prefix="web-page-weight-"))  # the pump's pause switches: none used here
    try:
        state = start(moto_port=_port(), api_port=_port(), portal_port=0, web_port=0, state_file=None,
                      control_dir=control)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium_path(), headless=True)
            try:
                one_run(browser, state["WEB_URL"])  # warms the servers (imports, first-call caches), not the browser
                results = [one_run(browser, state["WEB_URL"]) for _ in range(runs)]
                return summarise(results, browser.version)
            finally:
                browser.close()
    finally:
        shutil.rmtree(control, ignore_errors=True)


def _kb(value: int) -> str:
    return f"{value / 1024:.1f} KB"


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f} ms"


def report(figures: dict[str, Any]) -> str:
    timing = figures["timing_ms"]
    lines = [
        f"The citizen's first page on the local stack: headless Chromium {figures['browser']}, empty cache, "
        f"{figures['runs']} runs (times: medians)",
        "",
        f"  {'step':<22}{'requests':>9}{'transferred':>13}{'of which headers':>18}{'decoded':>12}",
    ]
    for label, key in (("#/ (home), cold", "home"), ("then #/sign-in", "sign_in")):
        step = figures[key]
        lines.append(f"  {label:<22}{step['requests']:>9}{_kb(step['transferred_bytes']):>13}"
                     f"{_kb(step['header_bytes']):>18}{_kb(step['decoded_bytes']):>12}")
    lines += [
        f"  {'first page, total':<22}{figures['requests']:>9}{_kb(figures['transferred_bytes']):>13}"
        f"{_kb(figures['transferred_bytes'] - figures['body_bytes']):>18}{_kb(figures['decoded_bytes']):>12}",
        f"  aim: under {_kb(figures['budget_bytes'])} transferred: {'met' if figures['within_budget'] else 'MISSED'}",
        "",
        "  by type (last run)",
    ]
    for kind, entry in sorted(figures["by_type"].items(), key=lambda kv: -kv[1]["transferred_bytes"]):
        lines.append(f"    {kind:<20}{entry['requests']:>9}{_kb(entry['transferred_bytes']):>13}"
                     f"{'':>18}{_kb(entry['decoded_bytes']):>12}")
    lines += ["", "  largest answers"]
    for row in figures["largest"]:
        lines.append(f"    {row['url'][:48]:<48}{row['type']:>12}{_kb(row['transferred_bytes']):>12}"
                     f"{_kb(row['decoded_bytes']):>12}")
    lines += [
        "",
        f"  time to interactive on #/   domInteractive {_ms(timing['dom_interactive_ms'])}, "
        f"load event {_ms(timing['load_ms'])}, <h1> in #main {_ms(timing['h1_ms'])}",
        f"  #/ -> #/sign-in             <h1> in #main {_ms(timing['sign_in_h1_ms'])} after the hash changed",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3, help="cold first visits to measure (after one warm-up)")
    parser.add_argument("--json-only", action="store_true", help="print only the JSON line")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    chromium_path()  # before the stack starts: without a browser there is nothing to measure
    try:
        # The handlers print their CloudWatch metric lines (EMF) to stdout, as Lambda wants; not here.
        with contextlib.redirect_stdout(io.StringIO()):
            figures = measure(args.runs)
    except Exception:
        traceback.print_exc()
        os._exit(1)  # as below: the stack's threads would keep a failed run alive
    if not args.json_only:
        print(report(figures))
    print(json.dumps(figures))
    sys.stdout.flush()
    os._exit(0)  # the stack's server threads are not daemons; nothing to clean up in a throwaway process


if __name__ == "__main__":
    raise SystemExit(main())
