"""One header on every page: the report pages carry the app's header (the signed-in user's, with the menus and
the queue badge), not a header of their own. (That it stays on one row at 1366 px is checked in Chromium, in
tests/web/test_workbench_e2e.py.)"""

from __future__ import annotations

import re

import pytest

HEADER = re.compile(r'<header class="site">.*?</header>', flags=re.DOTALL)
CSRF = re.compile(r'name="csrf_token" value="[^"]*"')


def _header(page: str) -> str:
    found = HEADER.findall(page)
    assert len(found) == 1, f"{len(found)} site headers"
    return CSRF.sub("", found[0])


@pytest.mark.parametrize("path", ["/reports/latest", "/assessment"])
def test_report_pages_carry_the_apps_header(admin, anonymous, path):
    assert _header(admin.get(path).text) == _header(admin.get("/claims").text)
    assert "All tokens" in _header(admin.get(path).text)
    assert _header(anonymous.get(path).text) == _header(anonymous.get("/claims").text)
