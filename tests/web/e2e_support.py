"""A live server and a real headless Chromium for the end-to-end tests.

The app runs under uvicorn in a thread on a free port against its own fresh seeded SQLite database;
Chromium is Debian's (/usr/bin/chromium), never downloaded. A browser that does not launch skips the
tests, except under CI=true, where it fails them.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from app.main import create_app
from tests.conftest import make_settings
from tests.web.conftest import PASSWORD

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer:
    """uvicorn serving the app in a background thread."""

    def __init__(self, url: str, workdir: Path):
        port = _free_port()
        self.base = f"http://127.0.0.1:{port}"
        self.settings = make_settings(url, workdir)
        app = create_app(self.settings)
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the live server did not start")
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def live_server(web_template: Path, workdir: Path) -> Iterator[LiveServer]:
    path = workdir / "e2e.db"
    shutil.copyfile(web_template, path)
    server = LiveServer(f"sqlite:///{path}", workdir).start()
    try:
        yield server
    finally:
        server.stop()


def launch_chromium(playwright):
    """Debian's Chromium, headless; a failure skips, or fails under CI=true."""
    try:
        return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    except Exception as error:  # any launch failure: missing binary, sandbox, libraries
        message = f"headless Chromium at {CHROMIUM} did not launch: {str(error).splitlines()[0]}"
        if os.environ.get("CI") == "true":
            pytest.fail(message + " (CI=true: the end-to-end tests must run)")
        pytest.skip(message)


def sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("form.narrow button[type=submit]")
    page.wait_for_url(f"{base}/")
