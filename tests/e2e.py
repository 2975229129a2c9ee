"""Shared by the end-to-end tests: the app under uvicorn on a free port, and Debian's headless Chromium.

The browser is /usr/bin/chromium (never downloaded). One that does not launch skips the tests,
except under CI=true, where it fails them: CI installs Chromium, so a launch failure there is a bug.
"""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import uvicorn

from app.main import create_app
from tests.conftest import make_settings
from tests.support.unavailable import unavailable

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer:
    """uvicorn serving the app in a background thread."""

    def __init__(self, url: str, workdir: Path, **settings):
        port = free_port()
        self.base = f"http://127.0.0.1:{port}"
        self.settings = make_settings(url, workdir, **settings)
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


def launch_chromium(playwright):
    """Debian's Chromium, headless; a failure skips, or fails under CI=true."""
    try:
        return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    except Exception as error:  # any launch failure: missing binary, sandbox, libraries
        message = f"headless Chromium at {CHROMIUM} did not launch: {str(error).splitlines()[0]}"
        unavailable(message)
