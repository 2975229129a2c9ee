"""`ceiling confidence ...`: analysts' overrides of the engine's suggested confidence grades."""

from __future__ import annotations

import typer

from app.cli import cli, engine, fail
from app.db.session import session_scope
from app.evidence.enums import Grade
from app.evidence.errors import EvidenceError
from app.evidence.history import Actor
from app.evidence.services import overrides

confidence_cli = typer.Typer(help="Override the suggested confidence grade of an aspect.", no_args_is_help=True)
cli.add_typer(confidence_cli, name="confidence")


@confidence_cli.command("set")
def set_command(
    aspect: str,
    grade: Grade,
    reason: str = typer.Option(..., "--reason", help="Why the engine's grade is wrong (shown beside it)."),
    author: str = typer.Option("cli", help="Who decides (recorded with the override)."),
) -> None:
    """Override an aspect's confidence grade with a written reason."""
    try:
        with session_scope(engine()) as session:
            overrides.set_override(session, aspect, grade, reason, Actor(author))
    except EvidenceError as error:
        fail(f"{error.field}: {error.message}" if error.field else error.message)
    typer.echo(f"{aspect}: confidence set to {grade.value.replace('_', ' ')} (the engine's suggestion stays visible)")


@confidence_cli.command("clear")
def clear_command(aspect: str) -> None:
    """Remove an aspect's override: the engine's grade applies again."""
    try:
        with session_scope(engine()) as session:
            overrides.clear_override(session, aspect)
    except EvidenceError as error:
        fail(error.message)
    typer.echo(f"{aspect}: override removed")


@confidence_cli.command("list")
def list_command() -> None:
    """List the overrides and their reasons."""
    with session_scope(engine()) as session:
        rows = overrides.all_overrides(session)
        for row in rows:
            typer.echo(f"{row.aspect_key}\t{row.grade}\t{row.author or ''}\t{row.reason}")
        if not rows:
            typer.echo("no overrides: every aspect shows the engine's grade")
