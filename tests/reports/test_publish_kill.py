"""kill -9 inside the publish step (after staging, after the rename, between the two pointer swaps, after
both) never leaves a broken latest report: the folder's `latest` names a complete folder, the database
still serves the previous snapshot, and the next build publishes normally."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

import pytest
from fastapi.testclient import TestClient

from app.config import PROJECT_ROOT
from app.main import create_app
from app.reports import publish
from app.reports.build import build_snapshot
from app.reports.render import FILE_NAMES
from tests.reports.conftest import snapshot_rows

KILL_AT = ("staged", "renamed", "link swapped", "pointer swapped")
BUILD_KILLED_AT = textwrap.dedent(
    """
    import os, signal, sys
    from app.config import Settings
    from app.reports import publish
    from app.reports.build import build_snapshot

    def fault(step):
        if step == sys.argv[1]:
            os.kill(os.getpid(), signal.SIGKILL)

    publish.on_step = fault
    build_snapshot(Settings(), force=True)
    """
)


def _complete(folder) -> bool:
    return folder.is_dir() and all((folder / name).stat().st_size > 0 for name in FILE_NAMES.values())


@pytest.mark.parametrize("step", KILL_AT)
def test_a_kill_inside_publish_never_leaves_a_broken_latest(report_settings, step):
    settings = report_settings
    first = build_snapshot(settings)
    env = {
        **os.environ,
        "CEILING_DATABASE_URL": settings.database_url,
        "CEILING_REPORTS_DIR": str(settings.reports_dir),
        "CEILING_SECRET_KEY": settings.secret_key,
        "CEILING_ENVIRONMENT": "test",
        "PYTHONPATH": str(PROJECT_ROOT),
    }
    killed = subprocess.run(
        [sys.executable, "-c", BUILD_KILLED_AT, step],
        env=env,
        cwd=settings.reports_dir,
        capture_output=True,
        timeout=120,
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr.decode()[-2000:]

    reports = settings.reports_dir
    for pointer in (os.readlink(reports / publish.LATEST), (reports / publish.LATEST_TXT).read_text().strip()):
        assert _complete(reports / pointer), f"latest names {pointer}, which is not a complete report"
    assert [row.directory for row in snapshot_rows(settings)] == [first.directory], "no half-recorded snapshot"
    with TestClient(create_app(settings)) as client:
        assert client.get("/reports/latest").status_code == 200
        assert client.get("/reports/latest.json").json()["report"]["directory"] == first.directory

    again = build_snapshot(settings, force=True)
    assert again.built and publish.current_latest(reports) == again.directory and _complete(reports / again.directory)
