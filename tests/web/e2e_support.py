"""The web UI's end-to-end helpers: a live server on a copy of the web tests' database, and signing in.

The server and the browser launch are shared with the reports' end-to-end test (tests/e2e.py).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

from tests.e2e import LiveServer
from tests.web.conftest import PASSWORD


def live_server(web_template: Path, workdir: Path, **settings) -> Iterator[LiveServer]:
    path = workdir / "e2e.db"
    shutil.copyfile(web_template, path)
    server = LiveServer(f"sqlite:///{path}", workdir, **settings).start()
    try:
        yield server
    finally:
        server.stop()


def sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("form.narrow button[type=submit]")
    page.wait_for_url(f"{base}/")


def page_of(browser, server, username: str):
    """A new desktop-sized browser page signed in as `username`."""
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(page, server.base, username)
    return page
