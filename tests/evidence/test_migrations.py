"""The models and the migration head describe the same schema, on SQLite and on PostgreSQL."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from app.db.migrate import include_object
from app.db.tables import metadata


def test_autogenerate_finds_no_difference_between_models_and_migrations(empty_url, engine_for):
    engine = engine_for(empty_url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True, "include_object": include_object})
        differences = compare_metadata(context, metadata)
    assert differences == []


def test_every_table_of_the_models_exists_after_upgrade(empty_url, engine_for):
    tables = set(inspect(engine_for(empty_url)).get_table_names())
    assert set(metadata.tables) <= tables
