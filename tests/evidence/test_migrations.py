"""The models and the migration head describe the same schema, on SQLite and on PostgreSQL; the results' engine v3
fields survive a downgrade and an upgrade."""

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from app.db.migrate import alembic_config, include_object
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


def _has_index(connection, name: str) -> bool:
    catalog = "sqlite_master WHERE type = 'index' AND" if connection.dialect.name == "sqlite" else "pg_indexes WHERE"
    column = "name" if connection.dialect.name == "sqlite" else "indexname"
    return connection.execute(text(f"SELECT count(*) FROM {catalog} {column} = :n"), {"n": name}).scalar() == 1


def _one_result(connection):
    return connection.execute(text("SELECT id, outcome, notes FROM result ORDER BY id LIMIT 1")).one()


def test_down_and_up_again_keeps_a_result_whose_validity_was_not_assessed(seeded_url, engine_for):
    engine = engine_for(seeded_url)
    bands = "SELECT count(*) FROM result_band"
    with engine.begin() as connection:
        result_id, _, notes = _one_result(connection)
        band_count = connection.execute(text(bands)).scalar()
        connection.execute(
            text("UPDATE result SET outcome = 'not_assessed', reach_outcome = NULL, sample_size = 4 WHERE id = :id"),
            {"id": result_id},
        )
    engine.dispose()
    command.downgrade(alembic_config(seeded_url), "i23a1scale01")
    with engine.connect() as connection:
        _, outcome, downgraded_notes = _one_result(connection)
    assert outcome == "success" and downgraded_notes.endswith("outcome copied from reach by a schema downgrade]")
    engine.dispose()
    command.upgrade(alembic_config(seeded_url), "head")
    with engine.connect() as connection:
        assert _one_result(connection) == (result_id, "not_assessed", notes)
        assert _has_index(connection, "ix_result_params_order")  # SQLite's table rebuild must not lose it
        assert connection.execute(text(bands)).scalar() == band_count > 0  # nor cascade-delete the bands


@pytest.mark.parametrize(
    "assignment",
    ["sample_size = 0", "reach_outcome = 'not_assessed'", "evaluation_standard = 'vibes'", "outcome = 'unknown'"],
)
def test_the_database_refuses_a_result_outside_the_new_vocabularies(seeded_url, engine_for, assignment):
    engine = engine_for(seeded_url)
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(text(f"UPDATE result SET {assignment} WHERE id = (SELECT min(id) FROM result)"))
