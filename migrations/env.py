"""Alembic environment: the URL comes from Ceiling's settings (or the caller), the metadata from app.db.tables."""

from alembic import context

from app.config import get_settings
from app.db.engine import build_engine
from app.db.migrate import include_object
from app.db.tables import metadata

config = context.config


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = config.get_main_option("sqlalchemy.url") or get_settings().database_url
    engine = build_engine(url)
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_object=include_object,
        # one transaction per migration: a SQLite table rebuild can switch foreign keys off only
        # outside a transaction that has already written (the review-workflow migration needs it)
        transaction_per_migration=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; run `ceiling db upgrade` against a database")
run_migrations_online()
