"""`ceiling assess` (the assessment now or as of an instant) and `ceiling calibrate` (the calibration study)."""

from __future__ import annotations

import sys

import typer

from app.cli.common import fail, read_session


def assess_command(
    format: str = typer.Option("table", "--format", "-f", help="table, json, csv or markdown."),
    as_of: str = typer.Option(
        None, "--as-of", help="An ISO 8601 instant (UTC unless an offset is given): the assessment as it stood then."
    ),
) -> None:
    """Print the assessment of the evidence now, or as of a past instant (the ceiling and scale tables)."""
    from app.assessment.asof import assessment_as_of, parse_instant
    from app.assessment.live import current_assessment
    from app.config import get_settings
    from app.scoring.formats import FORMATS, render

    if format not in FORMATS:
        fail(f"unknown format {format!r}; choose one of {', '.join(FORMATS)}", code=2)
    with read_session() as session:
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


def calibrate_command(
    literatures: int = typer.Option(200, "--literatures", "-n", min=1, help="Synthetic literatures to simulate."),
    seed: int = typer.Option(11, "--seed", help="Random seed (the same seed gives the same table)."),
    format: str = typer.Option("markdown", "--format", "-f", help="markdown, csv or json."),
) -> None:
    """Run the engine's calibration study on synthetic literatures drawn from known true curves and print the table."""
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

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


def worker_command() -> None:
    """Hold the evidence and assess each new data version (CEILING_ASSESSMENT_WORKER=external; Ctrl-C stops)."""
    from app.assessment.worker import serve_forever
    from app.cli.common import engine
    from app.config import get_settings

    settings = get_settings()
    typer.echo(f"assessment worker: polling every {settings.assessment_poll_s:g} s (Ctrl-C stops)", err=True)
    try:
        serve_forever(engine(), settings)
    except KeyboardInterrupt:
        typer.echo("assessment worker stopped", err=True)
