"""Signed-in test clients of the web pages: an app on a fresh seeded database with a viewer, an
analyst and an admin, and helpers that post forms with the session's CSRF token."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from sqlalchemy.engine import make_url
from sqlmodel import Session

from app.auth import service
from app.auth.roles import Role
from app.db.engine import build_engine
from app.db.session import session_scope
from app.main import create_app
from tests.conftest import make_settings

PASSWORD = "correct-horse-battery"
USERS = {
    "viewer": Role.viewer,
    "analyst": Role.analyst,
    "analyst2": Role.analyst,
    "editor": Role.editor,
    "admin": Role.admin,
}
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def add_users(url: str) -> None:
    """The test users, each with PASSWORD, hashed with cheap argon2 parameters (a verify reads them from the
    hash, so signing in stays fast in tests while the app keeps its real parameters)."""
    cheap = PasswordHash((Argon2Hasher(time_cost=1, memory_cost=1024, parallelism=1),))
    engine = build_engine(url)
    real, service.password_hash = service.password_hash, cheap
    try:
        with session_scope(engine) as session:
            for name, role in USERS.items():
                service.create_user(session, name, PASSWORD, role, display_name=name.title())
    finally:
        service.password_hash = real
    engine.dispose()


def csrf_of(html: str) -> str:
    match = CSRF.search(html)
    assert match, "the page has no CSRF token"
    return match.group(1)


@dataclass
class Web:
    """A browser-like client: its session cookie, its CSRF token and the database behind it."""

    client: TestClient
    url: str

    def get(self, path: str, **kwargs):
        return self.client.get(path, **kwargs)

    def token(self) -> str:
        return csrf_of(self.client.get("/login").text)

    def post(self, path: str, data: dict | list | None = None, *, csrf: bool = True, follow: bool = False):
        """POST a form (a dict, or a list of pairs for repeated fields) with the session's CSRF token."""
        pairs = list(data.items()) if isinstance(data, dict) else list(data or [])
        if csrf:
            pairs.append(("csrf_token", self.token()))
        return self.client.post(path, data=_flatten(pairs), follow_redirects=follow)

    def sign_in(self, username: str) -> Web:
        response = self.post("/login", {"username": username, "password": PASSWORD})
        assert response.status_code == 303, response.text[:500]
        return self

    def session(self) -> Session:
        return Session(build_engine(self.url))


def _flatten(pairs: list[tuple[str, object]]) -> dict[str, list[str]]:
    data: dict[str, list[str]] = {}
    for name, value in pairs:
        values = value if isinstance(value, list | tuple) else [value]
        data.setdefault(name, []).extend("" if v is None else str(v) for v in values)
    return data


@pytest.fixture(scope="session")
def web_template(databases) -> Path:
    """A seeded SQLite database with the test users, built once per worker and copied for each test."""
    url = databases.fresh("sqlite", seeded=True)
    add_users(url)
    return Path(make_url(url).database)


@pytest.fixture
def web_db(web_template, tmp_path) -> str:
    """A fresh copy of the seeded database with the test users."""
    path = tmp_path / "web.db"
    shutil.copyfile(web_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def web_app(web_db, tmp_path):
    """Every claim public (CEILING_PUBLISH_REVIEWED_ONLY off): these page tests show a viewer what an analyst
    just saved; what readers see of drafts by default is tested in tests/review and tests/security."""
    return create_app(make_settings(web_db, tmp_path, publish_reviewed_only=False))


@pytest.fixture
def make_web(web_app, web_db) -> Iterator:
    """make_web(None|'viewer'|'analyst'|'admin'): a new browser-like client, signed in as that user."""
    clients = []

    def make(username: str | None = None) -> Web:
        client = TestClient(web_app, follow_redirects=False)
        client.__enter__()
        clients.append(client)
        web = Web(client, web_db)
        return web.sign_in(username) if username else web

    yield make
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def anonymous(make_web) -> Web:
    return make_web()


@pytest.fixture
def viewer(make_web) -> Web:
    return make_web("viewer")


@pytest.fixture
def analyst(make_web) -> Web:
    return make_web("analyst")


@pytest.fixture
def admin(make_web) -> Web:
    return make_web("admin")


@pytest.fixture(scope="module")
def browser():
    """Debian's headless Chromium, one per test module (tests/e2e.py: a launch failure skips, or fails under CI)."""
    from playwright.sync_api import sync_playwright

    from tests.e2e import launch_chromium

    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()
