"""`ceiling seed`: load the seed dataset."""

from __future__ import annotations

from pathlib import Path

import typer

from app.cli.common import engine, fail


def seed(
    seed_dir: Path = typer.Option(
        None,
        "--dir",
        help="Seed folder (default: CEILING_SEED_DIR, data/seed); may be partial: absent files mean none.",
    ),
    if_empty: bool = typer.Option(False, "--if-empty", help="Load only when the database has no evidence yet."),
) -> None:
    """Load the seed dataset (idempotent: unchanged entries are left alone, edited ones updated in place)."""
    from app.config import get_settings
    from app.db.session import session_scope
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
