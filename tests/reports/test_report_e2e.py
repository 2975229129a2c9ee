"""End to end: /reports/latest in a real headless Chromium (Debian's package, never a downloaded browser)
shows the ceiling table and the plots, logs no console errors, and keeps hostile text inside the page."""

from __future__ import annotations

import os
import socket
import threading
import time

import httpx
import pytest
import uvicorn

from app.main import create_app
from app.reports import snapshots
from tests.conftest import make_settings
from tests.reports.conftest import EDITED_CLAIM, edit_claim

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
pytestmark = pytest.mark.e2e


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def server(databases, tmp_path):
    """The app served by uvicorn in a thread on a free port, on a fresh seeded SQLite database."""
    settings = make_settings(databases.fresh("sqlite", seeded=True), tmp_path)
    port = _free_port()
    config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    instance = uvicorn.Server(config)
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.2)
    yield base, settings
    instance.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def browser():
    """Headless Chromium; under CI=true a browser that does not launch fails the test instead of skipping it."""
    from playwright.sync_api import Error, sync_playwright

    with sync_playwright() as playwright:
        try:
            instance = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        except Error as error:
            message = f"Chromium at {CHROMIUM} did not launch: {str(error).splitlines()[0]}"
            if os.environ.get("CI") == "true":
                pytest.fail(message + " (CI=true: the end-to-end test must run)")
            pytest.skip(message)
        yield instance
        instance.close()


def _open(browser, url: str):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    response = page.goto(url, wait_until="load")
    return page, response, errors


def test_latest_report_in_chromium_shows_the_ceiling_table_and_plots(server, browser, artifacts_dir):
    base, settings = server
    snapshots.build(settings)
    page, response, errors = _open(browser, f"{base}/reports/latest")
    assert response.status == 200
    table = page.locator("table#ceiling-table")
    assert table.is_visible() and table.locator("tbody tr").count() >= 4
    assert page.locator("#plots svg").count() >= 4
    plot = page.locator("#plots svg").first
    plot.scroll_into_view_if_needed()
    box = plot.bounding_box()
    assert box and box["width"] > 300 and box["height"] > 150
    page.screenshot(path=str(artifacts_dir / "report-latest.png"), full_page=False)
    table.screenshot(path=str(artifacts_dir / "report-ceiling-table.png"))
    plot.screenshot(path=str(artifacts_dir / "report-plot.png"))
    assert errors == []


def test_hostile_claim_stays_inside_the_page_layout(server, browser):
    base, settings = server
    long_word = "W" * 100_000
    edit_claim(settings, EDITED_CLAIM, text=f"<script>window.pwned=1</script> \u202eevil {long_word}", quote=long_word)
    page, response, errors = _open(browser, f"{base}/assessment")
    assert response.status == 200 and errors == []
    assert page.evaluate("window.pwned") is None
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
