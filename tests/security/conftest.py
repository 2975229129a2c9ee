"""The web fixtures (a seeded database with a user of each role, browser-like clients) for the security tests."""

from tests.web.conftest import admin, analyst, anonymous, make_web, viewer, web_app, web_db, web_template  # noqa: F401
