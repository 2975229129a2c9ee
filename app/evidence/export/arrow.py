"""The full read of the export through Arrow (ADBC), in a child process: every frame in one read transaction.

The DBAPI reader (frames.read_frame) makes a Python object of every value: at a million results that is
16 million objects, about 2 GB and most of the time of a first assessment. The ADBC drivers for SQLite
and PostgreSQL (C; PostgreSQL's binary COPY) hand over Arrow columns instead, and pyarrow turns them into
the same pandas columns with each repeated text value one shared object. docs/performance.md has the
figures and why ADBC rather than connectorx or DuckDB.

The read runs in a child process (`python -m app.evidence.export.arrow`), which writes the frames as Arrow
IPC streams to a temporary file that the parent memory-maps (through a pipe the copy cost 0.7 s more at 1M
results) and sends the scalar rows on its stdout. The ADBC SQLite driver carries its own copy of SQLite,
and two copies of SQLite in one process break each other's POSIX locks on the same file: a read in this
process saw a state older than the last commit, and SQLite warns that writes can corrupt the file. Across
processes the locks hold. The child also keeps the driver's peak memory out of the long-lived process.

Several parts of one frame (ranges of result ids) are read at once, one connection and thread each (the
drivers release the GIL): PostgreSQL's connections share the first one's snapshot (pg_export_snapshot);
SQLite's must agree on the revision high-water mark and the row counts, else the first reads alone.

All frames, the revision high-water mark and the row counts are read in one transaction (REPEATABLE READ
on PostgreSQL, a read transaction on SQLite), so they describe one state of the store. The frames equal
the DBAPI reader's (tests/evidence/test_export.py); stores the drivers cannot open (an in-memory SQLite
database) are read by the DBAPI reader instead.
"""

from __future__ import annotations

import json
import queue
import subprocess
import sys
import tempfile
import threading
from collections.abc import Collection
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the child process imports neither
    import pandas as pd
    from sqlalchemy.engine import URL

# One batch per query: the SQLite driver infers each column's type from its first batch and then refuses a
# value of another type, so a text column empty in the first 65,536 rows (a field only newer results fill)
# made the whole read fail over to the DBAPI reader. One batch is also faster (the results at 1M: 2.6 s
# instead of 3.4 s) and no larger. A text column over 2 GB in one frame fails the read (Arrow's 32-bit
# offsets), and the DBAPI reader takes over.
SQLITE_BATCH_ROWS = "1000000000"
TIMEOUT_S = 600


class ArrowReadFailed(RuntimeError):
    """The child process could not read the store (its error is in the message)."""


def supported(url: URL) -> bool:
    """Whether the store at this URL can be read through ADBC (a SQLite file or PostgreSQL)."""
    if url.get_backend_name() == "sqlite":
        return bool(url.database) and url.database != ":memory:" and not url.database.startswith("file:")
    return url.get_backend_name() == "postgresql"


def read_frames(
    url: URL, queries: dict[str, str | list[str]], scalars: list[str], arrow_text: Collection[str] = ()
) -> tuple[dict[str, pd.DataFrame], list[tuple]]:
    """Each query's frame and each scalar query's one row, all from one state of the store. A query given as a
    list of SQL texts is a frame cut into parts (ranges of ids, say): they are read at once on connections that
    see the same state, and put together in the order given.

    The text columns of the frames named in `arrow_text` stay Arrow strings (pandas' ArrowDtype) instead of
    becoming Python objects: at a million results that skips making 16 million objects (0.9 s), and the
    engine codes such a column in Arrow (app/scoring/inputs.py)."""
    import pyarrow as pa

    request = {
        "backend": url.get_backend_name(),
        "target": url.database if url.get_backend_name() == "sqlite" else _libpq(url),
        "queries": {name: [sql] if isinstance(sql, str) else sql for name, sql in queries.items()},
        "scalars": scalars,
    }
    child = subprocess.Popen(
        [sys.executable, "-m", "app.evidence.export.arrow"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    frames = {}
    with tempfile.TemporaryDirectory(prefix="ceiling-read-") as folder:
        request["into"] = str(Path(folder) / "frames.arrows")
        try:
            child.stdin.write(json.dumps(request).encode())
            child.stdin.close()
            rows = json.loads(child.stdout.readline() or "null")
            error = child.stderr.read().decode(errors="replace")
            if child.wait(timeout=TIMEOUT_S) != 0 or rows is None:
                raise ArrowReadFailed(error.strip().splitlines()[-1] if error.strip() else f"exit {child.returncode}")
            with pa.memory_map(request["into"]) as source:
                for name in queries:
                    table = pa.ipc.open_stream(source).read_all()
                    mapper = _arrow_strings if name in arrow_text else None
                    frames[name] = table.to_pandas(
                        split_blocks=True, self_destruct=True, deduplicate_objects=True, types_mapper=mapper
                    )
        except (OSError, pa.ArrowInvalid) as problem:
            raise ArrowReadFailed(str(problem)) from problem
        finally:
            if child.poll() is None:
                child.kill()
                child.wait()
    return frames, [tuple(row) for row in rows]


def _arrow_strings(arrow_type):
    import pandas as pd
    import pyarrow as pa

    return pd.ArrowDtype(arrow_type) if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type) else None


def _libpq(url: URL) -> str:
    return url.set(drivername="postgresql", query={}).render_as_string(hide_password=False)


def _connect(backend: str, target: str) -> Any:
    if backend == "sqlite":
        import adbc_driver_sqlite.dbapi as sqlite

        return sqlite.connect(target)
    import adbc_driver_postgresql.dbapi as postgresql

    return postgresql.connect(target)


class _Reader:
    """One connection in a read transaction, and the rows of the scalar queries as it sees them."""

    def __init__(self, request: dict, snapshot: str | None = None) -> None:
        self.connection = _connect(request["backend"], request["target"])
        self.cursor = self.connection.cursor()
        self.snapshot = None
        if request["backend"] == "sqlite":
            self.cursor.adbc_statement.set_options(**{"adbc.sqlite.query.batch_rows": SQLITE_BATCH_ROWS})
        else:
            self.cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            if snapshot:
                self.cursor.execute(f"SET TRANSACTION SNAPSHOT '{snapshot}'")
            else:
                self.cursor.execute("SELECT pg_export_snapshot()")
                self.snapshot = self.cursor.fetchone()[0]
        self.scalars = []
        for sql in request["scalars"]:  # on SQLite the read transaction begins here, at the first read
            self.cursor.execute(sql)
            self.scalars.append(list(self.cursor.fetchone()))

    def table(self, sql: str):
        self.cursor.execute(sql)
        return self.cursor.fetch_arrow_table()

    def close(self) -> None:
        self.cursor.close()
        self.connection.rollback()
        self.connection.close()


def _readers(request: dict, width: int) -> list[_Reader]:
    """`width` readers of one state of the store. PostgreSQL shares the first transaction's snapshot; SQLite
    has no such thing, so its readers must see the same revision high-water mark and row counts (every write
    through the services records a revision, and SQLite commits them in order), else fewer are used."""
    first = _Reader(request)
    readers = [first]
    for _attempt in range(3):
        while len(readers) < width:
            readers.append(_Reader(request, first.snapshot))
        if all(reader.scalars == first.scalars for reader in readers):
            return readers
        for reader in readers[1:]:
            reader.close()
        readers = [first]
    return readers


def _together(tables: list) -> Any:
    """Parts of one frame as one table. The SQLite driver types a column from the values it sees, so a part
    without a value in some column has another type there: that column takes the type of the parts that have
    values (two parts with values of different types are an error)."""
    import pyarrow as pa

    if len(tables) == 1:
        return tables[0]
    fields = []
    for i, name in enumerate(tables[0].column_names):
        typed = {table.schema.field(i).type for table in tables if table.column(i).null_count < table.num_rows}
        if len(typed) > 1:
            raise ArrowReadFailed(f"column {name} holds values of types {sorted(map(str, typed))}")
        fields.append(pa.field(name, typed.pop() if typed else tables[0].schema.field(i).type))
    schema = pa.schema(fields)

    def typed(table):
        columns = zip(table.columns, schema, strict=True)
        return pa.table([c if c.type == f.type else pa.nulls(len(c), f.type) for c, f in columns], schema=schema)

    return pa.concat_tables([typed(table) for table in tables])


def _read_all(readers: list[_Reader], queries: dict[str, list[str]]) -> dict[str, Any]:
    """Every query's table, the parts spread over the readers (one thread each: the drivers release the GIL)."""
    jobs = queue.SimpleQueue()
    for name, parts in sorted(queries.items(), key=lambda item: -len(item[1])):  # the cut frames first
        for i, sql in enumerate(parts):
            jobs.put((name, i, sql))
    tables, failures = {}, []

    def work(reader: _Reader) -> None:
        while not failures:
            try:
                name, i, sql = jobs.get_nowait()
            except queue.Empty:
                return
            try:
                tables[name, i] = reader.table(sql)
            except Exception as problem:  # noqa: BLE001 - the main thread raises it
                failures.append(problem)

    threads = [threading.Thread(target=work, args=(reader,)) for reader in readers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]
    return {name: _together([tables[name, i] for i in range(len(parts))]) for name, parts in queries.items()}


def _serve(request: dict, out) -> None:
    """The child's side: read every scalar and query in one state of the store; the frames go to the file
    `request["into"]`, then the scalar rows to `out`."""
    import pyarrow as pa

    width = max(len(parts) for parts in request["queries"].values())
    readers = _readers(request, width)
    try:
        tables = _read_all(readers, request["queries"])
        with pa.OSFile(request["into"], "wb") as into:
            for table in tables.values():
                with pa.ipc.new_stream(into, table.schema) as writer:
                    writer.write_table(table)
        out.write(json.dumps(readers[0].scalars).encode() + b"\n")
    finally:
        for reader in readers:
            reader.close()


if __name__ == "__main__":
    _serve(json.loads(sys.stdin.buffer.read()), sys.stdout.buffer)
