"""`ceiling db upgrade|current|revision`: the database schema, by Alembic migrations."""

from __future__ import annotations

import typer

from app.config import get_settings

db_cli = typer.Typer(help="Database schema (Alembic migrations).", no_args_is_help=True)


@db_cli.command("upgrade")
def db_upgrade(revision: str = typer.Argument("head", help="Target revision.")) -> None:
    """Migrate the database to the latest schema (or to REVISION)."""
    from app.db import migrate

    migrate.upgrade(get_settings().database_url, revision)
    typer.echo(f"database at {revision}: {_safe_url()}")


@db_cli.command("current")
def db_current() -> None:
    """Show the database's migration revision."""
    from app.db import migrate

    migrate.current(get_settings().database_url)


@db_cli.command("revision")
def db_revision(message: str = typer.Option(..., "-m", "--message", help="What the migration does.")) -> None:
    """Autogenerate a migration from the difference between the models and the database (for developers)."""
    from app.db import migrate

    migrate.revision(get_settings().database_url, message)


def _safe_url() -> str:
    from sqlalchemy.engine import make_url

    return make_url(get_settings().database_url).render_as_string(hide_password=True)
