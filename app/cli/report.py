"""Commands of the reports concern: `ceiling assess`, `ceiling report build|list|diff`, `ceiling scheduler`."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlmodel import Session

from app.cli import cli, engine, fail
from app.config import get_settings

report_cli = typer.Typer(help="Report snapshots: build, list, compare.", no_args_is_help=True)
cli.add_typer(report_cli, name="report")


@cli.command("assess")
def assess_command(
    format: str = typer.Option("table", "--format", "-f", help="table, json, csv or markdown."),
    as_of: str = typer.Option(
        None, "--as-of", help="An ISO 8601 instant (UTC unless an offset is given): the assessment as it stood then."
    ),
) -> None:
    """Print the assessment of the evidence now, or as of a past instant (the ceiling and scale tables)."""
    from app.assessment.asof import assessment_as_of, parse_instant
    from app.assessment.live import current_assessment
    from app.scoring.formats import FORMATS, render

    if format not in FORMATS:
        fail(f"unknown format {format!r}; choose one of {', '.join(FORMATS)}", code=2)
    with Session(engine()) as session:
        if as_of is None:
            assessment = current_assessment(session, get_settings())
        else:
            try:
                answer = assessment_as_of(session, parse_instant(as_of), get_settings())
            except ValueError as error:
                fail(f"--as-of: {error}", code=2)
            assessment = answer.assessment
            typer.echo(
                f"as of {answer.as_of:%Y-%m-%d %H:%M:%S} UTC (scoring settings: {answer.settings_basis})", err=True
            )
    sys.stdout.write(render(assessment, format))


@cli.command("calibrate")
def calibrate_command(
    literatures: int = typer.Option(200, "--literatures", "-n", min=1, help="Synthetic literatures to simulate."),
    seed: int = typer.Option(11, "--seed", help="Random seed (the same seed gives the same table)."),
    format: str = typer.Option("markdown", "--format", "-f", help="markdown, csv or json."),
) -> None:
    """Run the engine's calibration study on synthetic literatures drawn from known true curves and print the table."""
    from app.scoring.calibration import markdown_table, run_study, summary_table

    if format not in ("markdown", "csv", "json"):
        fail(f"unknown format {format!r}; choose one of markdown, csv, json", code=2)
    console = Console(stderr=True)
    columns = (TextColumn("simulating and scoring"), BarColumn(), TextColumn("{task.completed}/{task.total}"))
    with Progress(
        *columns, TimeElapsedColumn(), console=console, transient=True, disable=not console.is_terminal
    ) as bar:
        task = bar.add_task("study", total=literatures)
        study = run_study(literatures, seed, progress=lambda done: bar.update(task, completed=done))
    table = summary_table(study)
    if format == "json":
        sys.stdout.write(table.to_json(orient="index", indent=2) + "\n")
    elif format == "csv":
        sys.stdout.write(table.to_csv())
    else:
        sys.stdout.write(f"Calibration study: {literatures} literatures, seed {seed}\n\n")
        sys.stdout.write(markdown_table(table))


@report_cli.command("build")
def build_command(force: bool = typer.Option(False, "--force", help="Rebuild even when nothing changed.")) -> None:
    """Build a report snapshot and publish it as latest; does nothing when the evidence is unchanged."""
    from app.reports.schedule import build_once
    from app.reports.snapshots import STAGES

    console = Console(stderr=True)
    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True, disable=not console.is_terminal) as progress:
        task = progress.add_task("starting", total=len(STAGES))

        def stage(name: str) -> None:
            progress.update(task, description=name, completed=STAGES.index(name) if name in STAGES else None)

        try:
            outcome = build_once(get_settings(), force=force, progress=stage)
        except Exception as error:  # noqa: BLE001 - shown as one line; latest is untouched
            fail(f"report build failed, latest unchanged: {type(error).__name__}: {error}")
        progress.update(task, completed=len(STAGES))
    if outcome is None:
        fail("another report build is running; try again when it has finished")
    typer.echo(outcome.message)


@report_cli.command("list")
def list_command() -> None:
    """List report snapshots, newest first."""
    from app.reports import snapshots

    with Session(engine()) as session:
        rows = snapshots.get_all(session)
    columns = {"fingerprint": lambda r: r.fingerprint[:12], "engine": lambda r: r.engine_version}
    _print_rows(
        rows, "no report snapshots yet: run `ceiling report build`", {**columns, "directory": lambda r: r.directory}
    )


def _print_rows(rows: list, empty: str, columns: dict[str, Callable]) -> None:
    """Snapshot rows as a table: id, time, then the given columns (name -> value of a row)."""
    if not rows:
        typer.echo(empty)
        return
    table = Table("id", "created", *columns)
    for row in rows:
        table.add_row(
            str(row.id), f"{row.created_at:%Y-%m-%d %H:%M}", *(str(get(row) or "") for get in columns.values())
        )
    Console().print(table)


@report_cli.command("diff")
def diff_command(
    a: str = typer.Argument(..., help="Snapshot id (or 'latest') to compare from."),
    b: str = typer.Argument(..., help="Snapshot id (or 'latest') to compare to."),
    as_json: bool = typer.Option(False, "--json", help="Print the difference as JSON."),
) -> None:
    """What changed between two snapshots, naming the claims and sources responsible."""
    from app.reports import snapshots

    with Session(engine()) as session:
        try:
            result = snapshots.diff(session, a, b)
        except snapshots.SnapshotNotFound as error:
            fail(str(error))
    if as_json:
        typer.echo(json.dumps(result, indent=2, sort_keys=True))
        return
    typer.echo(
        f"from snapshot {result['from']['id']} ({result['from']['created_at']}) "
        f"to {result['to']['id']} ({result['to']['created_at']}):"
    )
    for line in result["lines"] or ["nothing changed"]:
        typer.echo(f"- {line}")


@report_cli.command("candidates")
def candidates_command() -> None:
    """List staged reports (editor approval on): the candidate awaiting review and those rejected."""
    from app.reports import approval

    with Session(engine()) as session:
        rows = approval.candidates(session)
    columns = {"status": lambda r: r.status, "decided by": lambda r: r.reviewed_by, "reason": lambda r: r.review_reason}
    _print_rows(rows, "no candidate reports", columns)


def _editor(name: str) -> str:
    """The --by name, if it is an active user who may approve or reject (an editor or admin)."""
    from app.auth.service import get_user, role_at_least
    from app.evidence.enums import Role

    with Session(engine()) as session:
        user = get_user(session, name)
    if user is None or not user.is_active or not role_at_least(user.role, Role.editor):
        fail(f"--by: {name!r} is not an active editor or admin (`ceiling users list`)")
    return name


@report_cli.command("approve")
def approve_command(
    snapshot_id: int = typer.Argument(..., help="The candidate's id (`ceiling report candidates`)."),
    editor: str = typer.Option(..., "--by", help="The editor approving it (recorded with the report)."),
) -> None:
    """Approve a candidate report: it is published and becomes latest."""
    from app.evidence.errors import EvidenceError
    from app.reports import approval

    try:
        approval.approve(get_settings(), snapshot_id, _editor(editor))
    except EvidenceError as error:
        fail(error.message)
    typer.echo(f"report {snapshot_id} approved and published as latest")


@report_cli.command("reject")
def reject_command(
    snapshot_id: int = typer.Argument(..., help="The candidate's id (`ceiling report candidates`)."),
    reason: str = typer.Option(..., "--reason", help="Why readers should not see it."),
    editor: str = typer.Option(..., "--by", help="The editor rejecting it."),
) -> None:
    """Reject a candidate report with a reason; the published report stays latest."""
    from app.db.session import session_scope
    from app.evidence.errors import EvidenceError
    from app.reports import approval

    try:
        with session_scope(engine()) as session:
            approval.reject(session, snapshot_id, _editor(editor), reason)
    except EvidenceError as error:
        fail(f"{error.field}: {error.message}" if error.field else error.message)
    typer.echo(f"report {snapshot_id} rejected")


@cli.command("scheduler")
def scheduler_command() -> None:
    """Run scheduled report builds (CEILING_REPORT_CRON) in the foreground, one build at a time across replicas."""
    from app.reports.schedule import run_blocking

    settings = get_settings()
    typer.echo(f"report scheduler: cron {settings.report_cron!r}, reports in {settings.reports_dir} (Ctrl-C stops)")
    run_blocking(settings)
