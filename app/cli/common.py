"""What every command shares: an error that exits without a stack trace, and the engine of the configured database."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlmodel import Session


def fail(message: str, code: int = 1) -> None:
    """Print an error on stderr and exit: no stack trace for an expected failure."""
    typer.secho(f"error: {message}", err=True, fg=typer.colors.RED)
    raise typer.Exit(code)


def engine() -> Engine:
    """The configured database's engine, with every table module imported: a command that writes one table (a
    seed writes revisions, which refer to app_user) needs the tables its foreign keys name."""
    import app.db.tables  # noqa: F401
    from app.config import get_settings
    from app.db.engine import get_engine

    return get_engine(get_settings().database_url)


def read_session() -> Session:
    """A session on the configured database (imported here, so `ceiling --help` stays light)."""
    from sqlmodel import Session

    return Session(engine())
