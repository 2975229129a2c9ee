"""End to end in headless Chromium: a viewer makes an API token for a dashboard on their own (shown once, copied
with the button, working on the API, gone from the page after), and the header stays on one row at 1366 px for
an admin, on the app's pages and on a report page alike. Screenshots go to tests/artifacts/."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.web.e2e_support import live_server, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


@pytest.fixture(scope="module")
def server(web_template, tmp_path_factory):
    yield from live_server(web_template, tmp_path_factory.mktemp("workbench"))


def _page(browser, server, username: str, width: int = 1280):
    context = browser.new_context(viewport={"width": width, "height": 800})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.base)
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    sign_in(page, server.base, username)
    return context, page


def test_a_viewer_makes_copies_and_uses_a_read_token_on_their_own(browser, server, artifacts_dir):
    context, page = _page(browser, server, "viewer")
    try:
        page.click("header.site .account summary")
        page.click("text=Your API tokens")
        expect(page.locator("h1")).to_have_text("Your API tokens")
        assert page.locator("#scope option").all_inner_texts() == ["read"]  # a viewer is offered read only
        page.fill("#name", "team dashboard")
        page.click("form.narrow button[type=submit]")
        token = page.locator("#new-token").input_value()
        assert len(token) > 20
        page.click("button[data-copy]")
        expect(page.locator("button[data-copy]")).to_have_text("Copied")
        assert page.evaluate("navigator.clipboard.readText()") == token
        page.screenshot(path=str(artifacts_dir / "web-token-created.png"), full_page=True)
        answer = page.request.get(f"{server.base}/api/v1/claims?limit=1", headers={"Authorization": f"Bearer {token}"})
        assert answer.status == 200 and answer.json()["data"]
        page.goto(f"{server.base}/account/tokens")
        expect(page.locator("#my-tokens")).to_contain_text("team dashboard")
        assert token not in page.content()  # shown once
        page.click("#my-tokens button:has-text('Revoke')")
        expect(page.locator("#my-tokens")).to_contain_text("revoked")
        again = page.request.get(f"{server.base}/api/v1/claims?limit=1", headers={"Authorization": f"Bearer {token}"})
        assert again.status == 401
    finally:
        context.close()


@pytest.mark.parametrize("path", ["/claims", "/reports/latest"])
def test_the_header_stays_on_one_row_at_1366_px_for_an_admin(browser, server, artifacts_dir, path):
    context, page = _page(browser, server, "admin", width=1366)
    try:
        page.goto(f"{server.base}{path}")
        tops = page.eval_on_selector_all("header.site nav > *", "els => els.map(e => e.getBoundingClientRect().top)")
        assert max(tops) - min(tops) < 12, tops
        page.click("header.site nav > details.menu summary:has-text('Admin')")
        expect(page.locator("header.site nav > details.menu a", has_text="All tokens")).to_be_visible()
        page.click("header.site nav > details.menu summary:has-text('Add')")
        expect(page.locator("header.site nav > details.menu a", has_text="New claim")).to_be_visible()
        page.screenshot(path=str(artifacts_dir / f"web-header-1366{path.replace('/', '-')}.png"))
    finally:
        context.close()
