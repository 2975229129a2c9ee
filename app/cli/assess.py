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
    worlds: str = typer.Option(
        "ceiling,step,flat,standard_shift", "--worlds", "-w", help="Kinds of world, comma-separated."
    ),
    literatures: int = typer.Option(200, "--literatures", "-n", min=1, help="Synthetic literatures per kind."),
    seed: int = typer.Option(11, "--seed", help="Random seed (the same seed gives the same table)."),
    format: str = typer.Option("table", "--format", "-f", help="table, markdown, csv or json."),
) -> None:
    """Run the calibration study on synthetic worlds with and without a ceiling and print its table."""
    import time

    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from app.scoring.calibration import FORMATS, KINDS, render_table, run_study, summary_table

    if format not in FORMATS:
        fail(f"--format: unknown {format!r}; choose one of {', '.join(FORMATS)}", code=2)
    kinds = tuple(dict.fromkeys(k.strip() for k in worlds.split(",") if k.strip()))
    unknown = [k for k in kinds if k not in KINDS]
    if unknown or not kinds:
        fail(f"--worlds: unknown kinds {unknown}; give one or more of {', '.join(KINDS)}", code=2)
    console = Console(stderr=True)
    started = time.perf_counter()
    columns = (TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"))
    with Progress(
        *columns, TimeElapsedColumn(), console=console, transient=True, disable=not console.is_terminal
    ) as bar:
        task = bar.add_task("scoring", total=literatures * len(kinds))

        def advance(kind: str, done: int) -> None:
            bar.update(task, advance=1, description=f"scoring {kind} worlds")
            if done == literatures:
                typer.echo(f"{kind}: {literatures} literatures scored, {time.perf_counter() - started:.0f} s", err=True)

        study = run_study(literatures, seed, kinds, progress=advance)
    if format in ("table", "markdown"):
        sys.stdout.write(f"Calibration study: {literatures} literatures per kind of world, seed {seed}\n\n")
    sys.stdout.write(render_table(summary_table(study), format))


def worker_command() -> None:
    """Hold the evidence and assess each new data version (CEILING_ASSESSMENT_WORKER=external; Ctrl-C stops)."""
    from app.config import get_settings
    from app.evidence.export import arrow

    settings = get_settings()
    arrow.use_system_allocator()
    arrow.prefetch(settings.database_url)  # the store is read while the engine's modules are imported

    from app.assessment.worker import serve_forever
    from app.cli.common import engine

    typer.echo(f"assessment worker: polling every {settings.assessment_poll_s:g} s (Ctrl-C stops)", err=True)
    try:
        serve_forever(engine(), settings)
    except KeyboardInterrupt:
        typer.echo("assessment worker stopped", err=True)
