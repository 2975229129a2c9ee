"""Snapshots: a build stores a row and files, an unchanged build writes nothing, a changed claim is named in
the diff, and a build that fails or is killed never leaves a half-written report or a broken latest."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest
from sqlmodel import Session

from app.db.engine import get_engine
from app.reports import build, publish, snapshots
from app.reports.build import build_snapshot
from app.reports.diff import UNTESTED
from app.reports.render import FILE_NAMES, RENDERERS
from tests.reports.conftest import EDITED_CLAIM, edit_claim, snapshot_rows, visible_entries


def _files(reports_dir) -> dict[str, float]:
    return {str(p.relative_to(reports_dir)): p.stat().st_mtime_ns for p in reports_dir.rglob("*") if p.is_file()}


def test_build_creates_the_snapshot_row_and_its_files(backend_settings):
    outcome = build_snapshot(backend_settings)
    assert outcome.built and outcome.snapshot_id is not None
    (row,) = snapshot_rows(backend_settings)
    assert row.directory == outcome.directory and row.fingerprint == outcome.fingerprint
    assert row.directory.endswith(row.fingerprint[:12]) and row.engine_version and row.schema_version
    folder = backend_settings.reports_dir / row.directory
    assert sorted(p.name for p in folder.iterdir()) == sorted(FILE_NAMES.values())
    latest = backend_settings.reports_dir / "latest"
    assert latest.is_symlink() and latest.resolve() == folder.resolve()
    assert (backend_settings.reports_dir / "latest.txt").read_text().strip() == row.directory
    html = (latest / "report.html").read_text()
    assert html.count("<table") >= 2 and html.count("<svg") >= 4
    assert 'id="summary-of-findings"' in html and 'id="scale-table"' in html


def test_a_second_build_without_changes_writes_nothing(report_settings):
    build_snapshot(report_settings)
    before = _files(report_settings.reports_dir)
    outcome = build_snapshot(report_settings)
    assert not outcome.built and "nothing written" in outcome.message
    assert _files(report_settings.reports_dir) == before
    assert len(snapshot_rows(report_settings)) == 1
    forced = build_snapshot(report_settings, force=True)
    assert forced.built and forced.directory != outcome.directory and len(snapshot_rows(report_settings)) == 2


def test_changing_a_claim_gives_a_new_snapshot_whose_diff_names_that_claim(report_settings):
    first = build_snapshot(report_settings)
    edit_claim(report_settings, EDITED_CLAIM, confidence=0.2, status="retracted")
    second = build_snapshot(report_settings)
    assert second.built and second.fingerprint != first.fingerprint
    with Session(get_engine(report_settings.database_url)) as session:
        result = snapshots.diff(session, first.snapshot_id, second.snapshot_id)
    changed = [c for c in result["evidence"] if c["key"] == EDITED_CLAIM]
    assert changed and changed[0]["change"] == "retracted" and "confidence" in changed[0]["fields"]
    moved = result["ceilings"] + result["confidence"] + result["bands"]
    assert any(any(EDITED_CLAIM in who for who in m["responsible"]) for m in moved)
    # tested at build time by putting the claim back as it was: every movement is explained by a test
    assert all(m["responsible"][0] != UNTESTED for m in moved)
    html = (report_settings.reports_dir / "latest" / "report.html").read_text()
    assert EDITED_CLAIM in html.split('id="changes"')[1].split("</section>")[0]


def test_a_build_that_fails_while_writing_leaves_latest_unchanged(report_settings, monkeypatch):
    first = build_snapshot(report_settings)
    edit_claim(report_settings, EDITED_CLAIM, confidence=0.3)
    entries = visible_entries(report_settings.reports_dir)
    calls = []

    def failing_write(path, text):
        calls.append(path)
        if len(calls) == 2:
            raise OSError("disk full")
        publish_write(path, text)

    publish_write = publish.write_file
    monkeypatch.setattr(publish, "write_file", failing_write)
    with pytest.raises(OSError, match="disk full"):
        build_snapshot(report_settings)
    assert visible_entries(report_settings.reports_dir) == entries
    assert not [p for p in report_settings.reports_dir.iterdir() if p.name.startswith(".staging")]
    assert publish.current_latest(report_settings.reports_dir) == first.directory
    assert len(snapshot_rows(report_settings)) == 1


def test_a_failed_database_record_undoes_the_publish(report_settings, monkeypatch):
    first = build_snapshot(report_settings)
    edit_claim(report_settings, EDITED_CLAIM, confidence=0.3)
    entries = visible_entries(report_settings.reports_dir)

    def broken_scope(_engine):
        raise RuntimeError("database went away")

    monkeypatch.setattr(build, "session_scope", broken_scope)
    with pytest.raises(RuntimeError, match="went away"):
        build_snapshot(report_settings)
    assert visible_entries(report_settings.reports_dir) == entries
    assert os.readlink(report_settings.reports_dir / "latest") == first.directory


KILLED_BUILD = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    from app.config import Settings
    from app.reports import publish
    from app.reports.build import build_snapshot
    real, calls = publish.write_file, []
    def write_then_die(path, text):
        calls.append(path)
        if len(calls) == 3:
            os.kill(os.getpid(), signal.SIGKILL)
        real(path, text)
    publish.write_file = write_then_die
    settings = Settings(environment="test", database_url=sys.argv[1], reports_dir=Path(sys.argv[2]) / "reports",
                        secret_key="test", _env_file=None)
    build_snapshot(settings)
    """
)


def test_a_build_killed_midway_leaves_the_previous_report_whole(report_settings, tmp_path):
    first = build_snapshot(report_settings)
    edit_claim(report_settings, EDITED_CLAIM, confidence=0.3)
    entries = visible_entries(report_settings.reports_dir)
    killed = subprocess.run(
        [sys.executable, "-c", KILLED_BUILD, report_settings.database_url, str(tmp_path)],
        cwd=os.getcwd(),
        capture_output=True,
        timeout=120,
    )
    assert killed.returncode == -9, killed.stderr.decode()[-2000:]
    assert visible_entries(report_settings.reports_dir) == entries
    assert publish.current_latest(report_settings.reports_dir) == first.directory
    assert (report_settings.reports_dir / "latest" / "report.html").stat().st_size > 10_000
    assert build_snapshot(report_settings).built


def test_rendering_the_same_snapshot_gives_identical_bytes(report_settings):
    build_snapshot(report_settings)
    edit_claim(report_settings, EDITED_CLAIM, confidence=0.3)
    outcome = build_snapshot(report_settings)
    folder = report_settings.reports_dir / outcome.directory
    with Session(get_engine(report_settings.database_url)) as session:
        row = snapshots.get(session, outcome.snapshot_id)
        for fmt, render in RENDERERS.items():
            first, again = render(snapshots.document(session, row)), render(snapshots.document(session, row))
            assert first == again == (folder / FILE_NAMES[fmt]).read_text(), fmt
