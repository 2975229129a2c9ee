"""End to end: /reports/latest in a real headless Chromium (Debian's package, never a downloaded browser)
shows the Summary of Findings and the plots, logs no console errors, and keeps hostile text inside the page."""

from __future__ import annotations

import pytest

from app.reports.build import build_snapshot
from tests.e2e import LiveServer, launch_chromium
from tests.reports.conftest import EDITED_CLAIM, edit_claim

pytestmark = pytest.mark.e2e


@pytest.fixture
def server(databases, tmp_path):
    """The app served by uvicorn in a thread on a free port, on a fresh seeded SQLite database."""
    live = LiveServer(databases.fresh("sqlite", seeded=True), tmp_path).start()
    yield live.base, live.settings
    live.stop()


@pytest.fixture
def browser():
    """Headless Chromium; under CI=true a browser that does not launch fails the test instead of skipping it."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = launch_chromium(playwright)
        yield instance
        instance.close()


def _open(browser, url: str):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    response = page.goto(url, wait_until="load")
    return page, response, errors


def test_latest_report_in_chromium_shows_the_summary_of_findings_and_plots(server, browser, artifacts_dir):
    base, settings = server
    build_snapshot(settings)
    page, response, errors = _open(browser, f"{base}/reports/latest")
    assert response.status == 200
    table = page.locator("table#summary-of-findings")
    assert table.is_visible() and table.locator("tbody tr").count() >= 4
    page.locator("details#keyinfo > summary").click()  # the plots are in the key information layer
    assert page.locator("#keyinfo svg.plot").count() >= 3
    plot = page.locator("#keyinfo svg.plot").first
    plot.scroll_into_view_if_needed()
    box = plot.bounding_box()
    assert box and box["width"] > 300 and box["height"] > 150
    page.screenshot(path=str(artifacts_dir / "report-latest.png"), full_page=False)
    table.screenshot(path=str(artifacts_dir / "report-summary-of-findings.png"))
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
