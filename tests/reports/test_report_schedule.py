"""Scheduled builds: one build at a time across schedulers (advisory lock on PostgreSQL, file lock on
SQLite), a failed build logged with its cause and retried at the next tick, and the in-app schedule."""

from __future__ import annotations

import logging
import threading
import time

import pytest
from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED
from fastapi.testclient import TestClient

from app.reports import build, publish, schedule
from app.reports.build import BuildOutcome, build_once
from tests.conftest import make_settings
from tests.reports.conftest import EDITED_CLAIM, edit_claim, snapshot_rows


def _slow_build(monkeypatch, seconds: float = 1.5) -> None:
    """Builds that take a while, so that two started together overlap."""
    real = build.build_snapshot

    def slow(*args, **kwargs):
        time.sleep(seconds)
        return real(*args, **kwargs)

    monkeypatch.setattr(build, "build_snapshot", slow)


@pytest.mark.postgres
def test_two_schedulers_started_at_once_on_postgres_produce_one_build(databases, tmp_path, monkeypatch):
    settings = make_settings(databases.fresh("postgres", seeded=True), tmp_path)
    _slow_build(monkeypatch)
    results, done = [], threading.Semaphore(0)

    def listener(event):
        results.append(getattr(event, "retval", None) if event.code == EVENT_JOB_EXECUTED else event.exception)
        done.release()

    schedulers = []
    for _ in range(2):
        scheduler = schedule.start_background(settings, run_now=False)
        scheduler.add_listener(listener, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)
        schedulers.append(scheduler)
    for scheduler in schedulers:  # the first tick of both at once
        scheduler.add_job(schedule.scheduled_build, args=[settings], id="tick")
    try:
        assert done.acquire(timeout=90) and done.acquire(timeout=90)
    finally:
        for scheduler in schedulers:
            scheduler.shutdown(wait=True)
    assert len(snapshot_rows(settings)) == 1
    built = [r for r in results if isinstance(r, BuildOutcome) and r.built]
    assert len(built) == 1 and results.count(None) == 1, results


def test_concurrent_builds_on_sqlite_take_turns_through_the_file_lock(report_settings, monkeypatch):
    _slow_build(monkeypatch)
    outcomes = []
    threads = [threading.Thread(target=lambda: outcomes.append(build_once(report_settings))) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    assert len(snapshot_rows(report_settings)) == 1
    assert sorted(o is None for o in outcomes) == [False, True]


def test_a_failed_build_is_logged_with_its_cause_and_retried_at_the_next_tick(report_settings, monkeypatch, caplog):
    first = build.build_snapshot(report_settings)
    edit_claim(report_settings, EDITED_CLAIM, confidence=0.25)
    real = build.build_snapshot
    full = OSError("reports volume is full")
    monkeypatch.setattr(build, "build_snapshot", lambda *a, **k: (_ for _ in ()).throw(full))
    with caplog.at_level(logging.ERROR, logger="ceiling.reports.schedule"):
        assert schedule.scheduled_build(report_settings) is None
    assert "reports volume is full" in caplog.text and "next tick" in caplog.text
    assert publish.current_latest(report_settings.reports_dir) == first.directory
    monkeypatch.setattr(build, "build_snapshot", real)
    outcome = schedule.scheduled_build(report_settings)
    assert outcome.built and publish.current_latest(report_settings.reports_dir) == outcome.directory


def test_the_schedule_follows_the_cron_setting(report_settings):
    settings = report_settings.model_copy(update={"report_cron": "*/5 3 * * 1"})
    scheduler = schedule.start_background(settings, run_now=False)
    try:
        trigger = scheduler.get_job(schedule.JOB_ID).trigger
        fields = {f.name: str(f) for f in trigger.fields}
        assert (fields["minute"], fields["hour"], fields["day_of_week"]) == ("*/5", "3", "mon")
    finally:
        scheduler.shutdown(wait=False)


@pytest.mark.parametrize(
    ("cron_days", "names"),
    [
        ("1-5", "mon,tue,wed,thu,fri"),
        ("0", "sun"),
        ("7", "sun"),
        ("*/3", "sun,wed,sat"),
        ("sat,1", "sat,mon"),
        ("*", "*"),
    ],
)
def test_cron_days_of_week_count_from_sunday_as_in_crontab(cron_days, names):
    assert schedule._day_names(cron_days) == names


def test_the_app_runs_the_schedule_when_scheduler_in_app_is_set(sqlite_seeded_url, tmp_path):
    from app.main import create_app

    settings = make_settings(sqlite_seeded_url, tmp_path).model_copy(update={"scheduler_in_app": True})
    with TestClient(create_app(settings)) as client:
        deadline = time.monotonic() + 60
        while not snapshot_rows(settings) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert snapshot_rows(settings), "the in-app schedule built no report at start"
        page = client.get("/reports/latest")
    assert page.status_code == 200 and "Report published" in page.text
