"""`ceiling scheduler`: scheduled report builds in the foreground."""

from __future__ import annotations

import typer

from app.config import get_settings


def scheduler_command() -> None:
    """Run scheduled report builds (CEILING_REPORT_CRON) in the foreground, one build at a time across replicas."""
    from app.reports.schedule import run_blocking

    settings = get_settings()
    typer.echo(f"report scheduler: cron {settings.report_cron!r}, reports in {settings.reports_dir} (Ctrl-C stops)")
    run_blocking(settings)
