"""`ceiling report build|list|diff|candidates|approve|reject`: report snapshots."""

from __future__ import annotations

import json
from collections.abc import Callable

import typer

from app.cli.common import engine, fail, read_session

report_cli = typer.Typer(help="Report snapshots: build, list, compare.", no_args_is_help=True)


@report_cli.command("build")
def build_command(force: bool = typer.Option(False, "--force", help="Rebuild even when nothing changed.")) -> None:
    """Build a report snapshot and publish it as latest; does nothing when the evidence is unchanged."""
    from rich.console import Console
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from app.config import get_settings
    from app.reports.build import STAGES, build_once

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

    with read_session() as session:
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
    from rich.console import Console
    from rich.table import Table

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

    with read_session() as session:
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

    with read_session() as session:
        rows = approval.candidates(session)
    columns = {"status": lambda r: r.status, "decided by": lambda r: r.reviewed_by, "reason": lambda r: r.review_reason}
    _print_rows(rows, "no candidate reports", columns)


def _editor(name: str) -> str:
    """The --by name, if it is an active user who may approve or reject (an editor or admin)."""
    from app.auth.roles import Role, role_at_least
    from app.auth.service import get_user

    with read_session() as session:
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
    from app.config import get_settings
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
