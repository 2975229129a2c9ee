"""The `ceiling` command: a thin adapter over the services (db, seed, serve, and the commands of each concern)."""

from __future__ import annotations

from pathlib import Path

import typer
from sqlalchemy import Engine

from app.config import get_settings
from app.db.engine import get_engine
from app.db.session import session_scope

cli = typer.Typer(help="Ceiling: evidence database and tractability-ceiling assessment.", no_args_is_help=True)
db_cli = typer.Typer(help="Database schema (Alembic migrations).", no_args_is_help=True)
cli.add_typer(db_cli, name="db")


def fail(message: str, code: int = 1) -> None:
    """Print an error on stderr and exit: no stack trace for an expected failure."""
    typer.secho(f"error: {message}", err=True, fg=typer.colors.RED)
    raise typer.Exit(code)


def engine() -> Engine:
    return get_engine(get_settings().database_url)


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


@cli.command("seed")
def seed(
    seed_dir: Path = typer.Option(
        None,
        "--dir",
        help="Seed folder (default: CEILING_SEED_DIR, data/seed); may be partial: absent files mean none.",
    ),
    if_empty: bool = typer.Option(False, "--if-empty", help="Load only when the database has no evidence yet."),
) -> None:
    """Load the seed dataset (idempotent: unchanged entries are left alone, edited ones updated in place)."""
    from app.evidence.seed import SeedError, database_is_empty, load_seed

    folder = seed_dir or get_settings().seed_dir
    try:
        with session_scope(engine()) as session:
            if if_empty and not database_is_empty(session):
                typer.echo("database already holds evidence: seed not loaded (run `ceiling seed` to sync it)")
                return
            report = load_seed(session, folder)
    except SeedError as error:
        fail(str(error))
    typer.echo(f"seed {'loaded' if report.changed else 'unchanged'}: {report.summary()}")


@cli.command("serve")
def serve(
    host: str = typer.Option(None, help="Address (default CEILING_HOST)."),
    port: int = typer.Option(None, help="Port (default CEILING_PORT)."),
    reload: bool = typer.Option(False, help="Reload on code changes (development)."),
    workers: int = typer.Option(None, min=1, max=64, help="Worker processes (default CEILING_WORKERS, 1)."),
) -> None:
    """Serve the web app and the API (with --workers N, N processes share the port)."""
    import uvicorn

    settings = get_settings()
    count = workers or settings.workers
    if reload and count > 1:
        fail("--reload runs one process: leave out --workers")
    uvicorn.run(
        "app.cli:served_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        reload=reload,
        workers=count,
        log_level=settings.log_level.lower(),
        log_config=None,  # keep the handlers of app.ops.logs (JSON lines with request ids)
        access_log=False,  # app.ops.http logs each request once, with its id, route and time
    )


def _configure_logs() -> None:
    from app.ops import logs

    settings = get_settings()
    logs.configure(settings.log_level, settings.log_format)


def served_app():
    """The app as `ceiling serve` runs it: in each worker process, logs configured first."""
    from app.main import create_app

    _configure_logs()
    return create_app()


def main() -> None:
    _configure_logs()
    cli()


# Each concern registers its own commands on `cli`; imported last so that `cli` exists for them.
from app.cli import evidence as _evidence_commands  # noqa: E402, F401
from app.cli import interchange as _interchange_commands  # noqa: E402, F401
from app.cli import report as _report_commands  # noqa: E402, F401
from app.cli import users as _auth_commands  # noqa: E402, F401
from app.cli import webhooks as _webhook_commands  # noqa: E402, F401

if __name__ == "__main__":
    main()
