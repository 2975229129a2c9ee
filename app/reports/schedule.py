"""Scheduled report builds: APScheduler on settings.report_cron, one build at a time across replicas.

The lock is a PostgreSQL advisory lock held on a dedicated connection (released when it closes,
so a killed builder never leaves it held), or on SQLite a file lock next to the database file.
A build that cannot take the lock is skipped (another replica is building). A failed build is
logged with its cause and tried again at the next tick; publishing is atomic, so `latest` stays whole.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger

from app.config import Settings
from app.reports.build import BuildOutcome, build_once
from app.webhooks.worker import add_delivery_job

log = logging.getLogger("ceiling.reports.schedule")
JOB_ID = "report-build"


DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")


def _day_names(field: str) -> str:
    """Standard cron days of week (0 or 7 = Sunday) as names: APScheduler counts numbers from Monday."""
    if field in ("*", "?"):
        return field
    names: list[str] = []
    for part in field.split(","):
        base, _, step = part.partition("/")
        low, _, high = ("0-6" if base == "*" else base).partition("-")
        if not (low.isdigit() and (high or low).isdigit() and (not step or step.isdigit())):
            names.append(part)
            continue
        end = int(high) if high else (6 if step else int(low))
        names.extend(DAYS[n % 7] for n in range(int(low), end + 1, int(step or 1)))
    return ",".join(dict.fromkeys(names))


def cron_trigger(expression: str) -> CronTrigger:
    """A trigger for a standard five-field cron expression (minute hour day month day-of-week), in UTC."""
    fields = expression.split()
    if len(fields) != 5:
        raise ValueError(f"a cron expression has 5 fields, not {len(fields)}: {expression!r}")
    minute, hour, day, month, day_of_week = fields
    return CronTrigger(
        minute=minute, hour=hour, day=day, month=month, day_of_week=_day_names(day_of_week), timezone=dt.UTC
    )


def scheduled_build(settings: Settings) -> BuildOutcome | None:
    """The scheduler's job: never raises, logs the cause of a failure (the next tick tries again)."""
    try:
        outcome = build_once(settings)
    except Exception as error:  # noqa: BLE001 - a failed build must not stop the schedule
        log.error("report build failed (next try at the next tick): %s: %s", type(error).__name__, error, exc_info=True)
        return None
    if outcome is not None:
        log.info("report build: %s", outcome.message)
    return outcome


def add_build_job(scheduler, settings: Settings, run_now: bool = True) -> None:
    """Schedule builds on the cron expression, the first one right away when `run_now`."""
    scheduler.add_job(
        scheduled_build,
        cron_trigger(settings.report_cron),
        args=[settings],
        id=JOB_ID,
        coalesce=True,
        max_instances=1,
        misfire_grace_time=300,
        replace_existing=True,
    )
    if run_now:
        scheduler.add_job(scheduled_build, args=[settings], id=JOB_ID + "-now", max_instances=1)
    add_delivery_job(scheduler, settings)


def start_background(settings: Settings, run_now: bool = True) -> BackgroundScheduler:
    """A started background scheduler (inside the web app when settings.scheduler_in_app)."""
    scheduler = BackgroundScheduler(timezone=dt.UTC)
    add_build_job(scheduler, settings, run_now)
    scheduler.start()
    return scheduler


def run_blocking(settings: Settings) -> None:
    """Run the schedule in the foreground until interrupted (`ceiling scheduler`)."""
    scheduler = BlockingScheduler(timezone=dt.UTC)
    add_build_job(scheduler, settings)
    log.info("report scheduler: cron %r, reports in %s", settings.report_cron, settings.reports_dir)
    with contextlib.suppress(KeyboardInterrupt, SystemExit):
        scheduler.start()
