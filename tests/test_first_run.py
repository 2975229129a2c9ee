"""A quiet, tidy first run: `make run`'s steps on a fresh database print no traceback, the app started with its
scheduler does not race it to the assessment cache, the scheduler's routine lines are debug detail, and the
agreement statistics warn nothing when a figure is undefined."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import warnings

from fastapi.testclient import TestClient

import app.main
from app.evidence.agreement import krippendorff_alpha
from app.ops.logs import configure
from tests.conftest import make_settings

STEPS = [["db", "upgrade"], ["seed", "--if-empty"], ["users", "bootstrap"]]


def test_make_runs_steps_on_a_fresh_database_print_no_traceback(tmp_path):
    """Each step in a fresh process, as `make run` runs them: a command that imports only some table modules
    (the seed writes revisions, which refer to app_user) must still find every table it refers to."""
    env = {**os.environ, "CEILING_DATABASE_URL": f"sqlite:///{tmp_path / 'first.db'}", "CEILING_LOG_LEVEL": "INFO"}
    env["CEILING_REPORTS_DIR"] = str(tmp_path / "reports")
    outputs = []
    for step in STEPS:
        code = f"import sys; sys.argv = ['ceiling', *{step!r}]; from app.cli import main; main()"
        done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300)
        output = done.stdout + done.stderr
        assert done.returncode == 0 and "Traceback" not in output and "Error" not in output, (step, output[-2000:])
        outputs.append(output)
    assert "seed loaded" in outputs[1]


def test_the_app_with_its_scheduler_holds_the_evidence_but_does_not_also_warm_the_cache(
    sqlite_seeded_url, tmp_path, monkeypatch
):
    """The scheduler's first build computes and shares the assessment; a warm start beside it raced it to the
    cache ("database is locked" on SQLite), so it only loads the evidence then. Without the scheduler the
    warm start also computes the assessment."""
    warmed, started = [], []
    monkeypatch.setattr(app.main, "warm_in_background", lambda engine, settings, assessment: warmed.append(assessment))
    monkeypatch.setattr("app.reports.schedule.start_background", lambda settings: started.append(1) or _Stopped())
    settings = make_settings(sqlite_seeded_url, tmp_path, assessment_warm_start=True).model_copy(
        update={"scheduler_in_app": True}
    )
    with TestClient(app.main.create_app(settings)):
        pass
    assert started == [1] and warmed == [False]
    alone = make_settings(sqlite_seeded_url, tmp_path, assessment_warm_start=True)
    with TestClient(app.main.create_app(alone)):
        pass
    assert warmed == [False, True]


class _Stopped:
    def shutdown(self, wait: bool = False) -> None:
        return None


def test_the_schedulers_routine_lines_are_debug_detail():
    try:
        configure("INFO", "text")
        assert not logging.getLogger("apscheduler.executors.default").isEnabledFor(logging.INFO)
        assert logging.getLogger("apscheduler.executors.default").isEnabledFor(logging.WARNING)
        configure("DEBUG", "text")
        assert logging.getLogger("apscheduler.executors.default").isEnabledFor(logging.DEBUG)
    finally:
        configure("WARNING", "text")


def test_an_undefined_agreement_figure_warns_nothing():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert krippendorff_alpha([1.0, None], [1.0, 2.0], "interval") is None
        assert krippendorff_alpha(["a", "a"], ["a", "a"], "nominal") is None
