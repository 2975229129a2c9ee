"""The Arrow read of the export (a child process through ADBC) gives the DBAPI reader's frames, value for value
and type for type, on both backends; when it cannot run, the export is read through the DBAPI driver."""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import text

from app.evidence.export import arrow, live
from app.evidence.export.frames import read_all, tidy
from app.evidence.export.queries import PATCHABLE, QUERIES, query


def _read(url, queries, scalars, arrow_text=()):
    """One stage's frames and the scalar rows, read by the child process."""
    return arrow.PendingRead(url, [queries], scalars).result(arrow_text)


def _arrow_frames(engine) -> dict[str, pd.DataFrame]:
    read, _ = _read(engine.url, {name: query(name) for name in QUERIES}, ["SELECT 1"])
    return {name: tidy(name, frame) for name, frame in read.items()}


def test_the_arrow_read_equals_the_dbapi_read(seeded_url, engine_for):
    engine = engine_for(seeded_url)
    with engine.begin() as connection:  # values the seed lacks: a result without any number, an empty frame
        connection.execute(
            text(
                "INSERT INTO result (key, claim_id, model_name, params_basis, outcome, safety_impact, "
                "created_at, updated_at, version) SELECT 'no-numbers', id, 'Ünïcode <b>', 'undisclosed', 'failure', "
                "'none', created_at, updated_at, 1 FROM claim ORDER BY id LIMIT 1"
            )
        )
        connection.execute(text("DELETE FROM grade_override"))
    with engine.connect() as connection:
        expected = read_all(connection)
    got = _arrow_frames(engine)
    assert set(got) == set(expected)
    for name, frame in expected.items():
        pd.testing.assert_frame_equal(got[name], frame, check_dtype=True, obj=name)
    read, _ = _read(engine.url, {name: query(name) for name in PATCHABLE}, ["SELECT 1"], PATCHABLE)
    for name, frame in read.items():  # the large frames' text kept as Arrow strings: the same values
        text_columns = [column for column in frame.columns if isinstance(frame[column].dtype, pd.ArrowDtype)]
        assert "claim_key" in text_columns or "key" in text_columns, name
        as_objects = tidy(name, frame).astype({column: object for column in text_columns})
        as_objects = as_objects.mask(as_objects.isna(), None)
        pd.testing.assert_frame_equal(as_objects, expected[name], check_dtype=True, obj=name)


def test_the_scalars_and_frames_come_from_one_read(seeded_url, engine_for):
    engine = engine_for(seeded_url)
    frames, rows = _read(engine.url, {"results": "SELECT id FROM result"}, ["SELECT count(*) FROM result"])
    assert rows == [(len(frames["results"]),)]


def test_a_failed_arrow_read_falls_back_to_the_dbapi_reader(sqlite_seeded_url, engine_for, monkeypatch, caplog):
    engine = engine_for(sqlite_seeded_url)

    def refuse(read, *_args, **_kwargs):
        read.close()
        raise arrow.ArrowReadFailed("driver missing")

    monkeypatch.setattr(arrow.PendingRead, "result", refuse)
    monkeypatch.setattr(arrow, "ARROW_MIN_RESULTS", 0)
    with engine.connect() as connection:
        frames, high, counts = live._read_whole(connection, None)
        assert len(frames["results"]) == connection.execute(text("SELECT count(*) FROM result")).scalar()
    assert "the Arrow read failed" in caplog.text


def test_an_unreadable_store_is_a_clear_error(tmp_path):
    from sqlalchemy.engine import make_url

    with pytest.raises(arrow.ArrowReadFailed):
        _read(make_url(f"sqlite:///{tmp_path / 'missing' / 'none.db'}"), {"x": "SELECT 1"}, ["SELECT 1"])


def test_the_export_read_through_arrow_is_patched_like_the_dbapi_read(seeded_url, engine_for, monkeypatch):
    """With the Arrow read on whatever the size, the export read whole, then patched after a write, gives the
    engine the same evidence as a full DBAPI read."""
    from app.evidence.export.frames import evidence_frames
    from app.scoring import Evidence
    from app.scoring.inputs import fingerprint
    from tests.support.export import live_frames

    monkeypatch.setattr(arrow, "ARROW_MIN_RESULTS", 0)
    engine = engine_for(seeded_url)
    with engine.connect() as connection:
        assert live._read_whole(connection, None)[1] >= 0
    for step in ("whole", "patched"):
        with engine.connect() as connection:
            patched, full = live_frames(connection), evidence_frames(connection)
        assert fingerprint(Evidence(**patched), "") == fingerprint(Evidence(**full), ""), step
        with engine.begin() as connection:
            connection.execute(text("UPDATE claim SET confidence = 0.11 WHERE id = (SELECT min(id) FROM claim)"))
            connection.execute(
                text(
                    "INSERT INTO revision (entity_kind, entity_id, entity_key, action, version, actor, at, changes) "
                    "SELECT 'claim', id, key, 'update', version, 'test', updated_at, '{}' FROM claim "
                    "WHERE id = (SELECT min(id) FROM claim)"
                )
            )


def test_a_text_column_filled_only_after_many_empty_rows_is_read_through_arrow(tmp_path):
    """The SQLite driver types a column from the rows it reads first: a field that only later rows fill
    (here after 70,000 empty ones) must not fail the read over to the slow reader."""
    import sqlite3

    from sqlalchemy.engine import make_url

    path = tmp_path / "late.db"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, note TEXT, weight FLOAT)")
        connection.executemany("INSERT INTO t (note, weight) VALUES (?, ?)", [(None, None)] * 70_000)
        connection.execute("INSERT INTO t (note, weight) VALUES ('late <b>text</b>', 2.5)")
    frames, _ = _read(make_url(f"sqlite:///{path}"), {"t": "SELECT note, weight FROM t"}, ["SELECT 1"])
    assert frames["t"]["note"].iloc[-1] == "late <b>text</b>"
    assert frames["t"]["weight"].iloc[-1] == 2.5
    assert frames["t"]["note"].isna().sum() == 70_000


_RESULT_WITHOUT_NUMBERS = (
    "INSERT INTO result (id, key, claim_id, model_name, params_basis, outcome, safety_impact, created_at, "
    "updated_at, version) SELECT {id}, '{key}', id, 'Ünïcode <b>', 'undisclosed', 'failure', 'none', created_at, "
    "updated_at, 1 FROM claim ORDER BY id LIMIT 1"
)
_NEXT_ID = "(SELECT max(id) + 1 FROM result)"


def test_a_frame_read_in_parts_equals_the_dbapi_read(seeded_url, engine_for):
    """The results cut into ranges of ids are read at once and put together; a range whose rows leave a
    column empty (here one result without any number) takes the column's type from the others."""
    engine = engine_for(seeded_url)
    with engine.begin() as connection:
        last = connection.execute(text("SELECT max(id) FROM result")).scalar()
        connection.execute(text(_RESULT_WITHOUT_NUMBERS.format(id=_NEXT_ID, key="no-numbers")))
    parts = [query("results", f"AND r.id <= {last}"), query("results", f"AND r.id > {last}")]
    read, _ = _read(engine.url, {"results": parts}, ["SELECT 1"])
    with engine.connect() as connection:
        expected = read_all(connection)["results"].sort_values("_id", ignore_index=True)
    got = tidy("results", read["results"]).sort_values("_id", ignore_index=True)
    pd.testing.assert_frame_equal(got, expected, check_dtype=True)
    assert got["key"].iloc[-1] == "no-numbers"


def test_parts_holding_values_of_different_types_are_refused():
    import pyarrow as pa

    with pytest.raises(arrow.ArrowReadFailed, match="column size"):
        arrow._together([pa.table({"size": [1.5]}), pa.table({"size": ["large"]})])


def test_the_readers_of_parts_see_one_state_of_the_store(seeded_url, engine_for, monkeypatch):
    """A write committed while the readers open: PostgreSQL's second reader shares the first one's snapshot;
    on SQLite it sees the write, so the frame is read on the first reader alone."""
    engine = engine_for(seeded_url)
    backend = engine.url.get_backend_name()
    target = engine.url.database if backend == "sqlite" else arrow._libpq(engine.url)
    request = {"backend": backend, "target": target, "queries": {}, "scalars": ["SELECT count(*) FROM result"]}
    with engine.connect() as connection:
        before = connection.execute(text("SELECT count(*) FROM result")).scalar()
    opened, open_reader = [], arrow._Reader.__init__

    def open_then_write(reader, *args):
        open_reader(reader, *args)
        opened.append(reader)
        if len(opened) == 1:
            import adbc_driver_manager

            database, writer = arrow._connect(backend, target)  # the driver's own SQLite: one copy in this process
            statement = adbc_driver_manager.AdbcStatement(writer)
            statement.set_sql_query(_RESULT_WITHOUT_NUMBERS.format(id=_NEXT_ID, key="written-meanwhile"))
            statement.execute_update()
            statement.close()
            writer.commit()
            writer.close()
            database.close()

    monkeypatch.setattr(arrow._Reader, "__init__", open_then_write)
    readers = arrow._readers(request, arrow._Reader(request), 2)
    try:
        assert [reader.scalars for reader in readers] == [[[before]]] * len(readers)
        assert len(readers) == (2 if backend == "postgresql" else 1)
    finally:
        for reader in readers:
            reader.close()


def test_the_results_are_cut_into_parts_of_about_as_many_rows(seeded_url, engine_for):
    """Ids far apart (a bulk load after a purge) must not leave one part with nearly every row."""
    engine = engine_for(seeded_url)
    with engine.begin() as connection:
        for n in range(4):
            connection.execute(text(_RESULT_WITHOUT_NUMBERS.format(id=10_000_000 + n, key=f"far-{n}")))
    with engine.connect() as connection:
        total = connection.execute(text("SELECT count(*) FROM result")).scalar()
        parts = arrow.cut(QUERIES["results"], "result", "r.id", 3, lambda sql: connection.exec_driver_sql(sql).scalar())
        sizes = [len(connection.exec_driver_sql(part).all()) for part in parts]
    assert len(parts) == 3
    assert sum(sizes) == total
    assert max(sizes) - min(sizes) <= 1


def test_the_frames_file_between_the_processes_is_removed_after_the_read(seeded_url, engine_for, tmp_path, monkeypatch):
    monkeypatch.setattr(arrow.tempfile, "tempdir", str(tmp_path))
    frames, _ = _read(engine_for(seeded_url).url, {"results": query("results")}, ["SELECT 1"])
    assert len(frames["results"]) > 0
    with pytest.raises(arrow.ArrowReadFailed):
        _read(engine_for(seeded_url).url, {"results": "SELECT * FROM no_such_table"}, ["SELECT 1"])
    assert list(tmp_path.iterdir()) == []


def test_a_read_that_failed_says_so_again_when_asked_again(tmp_path):
    """The worker asks a read started early for its first stage, then for the whole: a failed read must fail
    the same way both times (the whole read then falls back to the DBAPI driver), not break on a closed pipe."""
    from sqlalchemy.engine import make_url

    pending = arrow.PendingRead(make_url(f"sqlite:///{tmp_path / 'missing' / 'none.db'}"), [{"x": "SELECT 1"}], [])
    with pytest.raises(arrow.ArrowReadFailed) as first:
        pending.stage(0)
    with pytest.raises(arrow.ArrowReadFailed) as again:
        pending.result()
    assert str(again.value) == str(first.value)
