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
import logging
import os
import queue
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Collection
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.evidence.export.queries import COUNTS_SQL, HIGH_SQL, published_first

if TYPE_CHECKING:  # neither the child process nor a worker's early read imports these
    import pandas as pd
    from sqlalchemy.engine import URL

log = logging.getLogger("ceiling.export")

# One batch per query: the SQLite driver infers each column's type from its first batch and then refuses a
# value of another type, so a text column empty in the first 65,536 rows (a field only newer results fill)
# made the whole read fail over to the DBAPI reader. One batch is also faster (the results at 1M: 2.6 s
# instead of 3.4 s) and no larger. A text column over 2 GB in one frame fails the read (Arrow's 32-bit
# offsets), and the DBAPI reader takes over.
SQLITE_BATCH_ROWS = "1000000000"
TIMEOUT_S = 600
# Below this many results the DBAPI reader is quicker than starting the child process.
ARROW_MIN_RESULTS = 20_000
MAX_READ_PARTS = 4  # ranges of result ids read at once (one connection and thread each)


class ArrowReadFailed(RuntimeError):
    """The child process could not read the store (its error is in the message)."""


def supported(url: URL) -> bool:
    """Whether the store at this URL can be read through ADBC (a SQLite file or PostgreSQL)."""
    if url.get_backend_name() == "sqlite":
        return bool(url.database) and url.database != ":memory:" and not url.database.startswith("file:")
    return url.get_backend_name() == "postgresql"


class PendingRead:
    """A read running in its child process (started by the constructor), in stages: each stage's frames are
    handed over as soon as that stage is read (`stage`), and `result` puts every stage together. All come from
    one state of the store. A query given as a list of SQL texts is a frame cut into parts (ranges of ids, say):
    they are read at once on connections that see the same state, and put together in the order given."""

    def __init__(
        self,
        url: URL,
        stages: list[dict[str, str | list[str]]],
        scalars: list[str],
        cut: dict[str, tuple[str, str]] | None = None,
    ) -> None:
        self._stages: list[dict] = []  # each stage's Arrow tables, as they arrive
        self._frames: dict[tuple, dict] = {}  # a stage's pandas frames, once asked for
        self._scalars: list | None = None
        self._failed: str | None = None
        self._names = [list(queries) for queries in stages]
        self._folder = tempfile.TemporaryDirectory(prefix="ceiling-read-")
        self._files = [str(Path(self._folder.name) / f"stage-{i}.arrows") for i in range(len(stages))]
        request = {
            "backend": url.get_backend_name(),
            "target": url.database if url.get_backend_name() == "sqlite" else _libpq(url),
            "stages": [{name: [sql] if isinstance(sql, str) else sql for name, sql in q.items()} for q in stages],
            "scalars": scalars,
            "cut": cut or {},
            "into": self._files,
        }
        self._child = subprocess.Popen(
            [sys.executable, "-m", "app.evidence.export.arrow"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        try:
            self._child.stdin.write(json.dumps(request).encode())
            self._child.stdin.close()
        except OSError as problem:
            self.close()
            raise ArrowReadFailed(str(problem)) from problem

    def _tables(self, number: int) -> dict:
        """The Arrow tables of stage `number`, waiting for the child to hand it over (its line on stdout comes
        once the stage's file is whole)."""
        import pyarrow as pa

        if self._failed is not None:  # asked again after it failed (its first stage, then the whole read)
            raise ArrowReadFailed(self._failed)
        try:
            while len(self._stages) <= number:
                rows = json.loads(self._child.stdout.readline() or "null")
                if rows is None:
                    error = self._child.stderr.read().decode(errors="replace").strip()
                    self._child.wait(timeout=TIMEOUT_S)
                    raise ArrowReadFailed(error.splitlines()[-1] if error else f"exit {self._child.returncode}")
                self._scalars = rows
                with pa.memory_map(self._files[len(self._stages)]) as source:
                    names = self._names[len(self._stages)]
                    self._stages.append({name: pa.ipc.open_stream(source).read_all() for name in names})
        except (OSError, pa.ArrowInvalid, ArrowReadFailed) as problem:
            self._failed = str(problem)
            self.close()
            if isinstance(problem, ArrowReadFailed):
                raise
            raise ArrowReadFailed(self._failed) from problem
        return self._stages[number]

    def stage(self, number: int, arrow_text: Collection[str] = ()) -> tuple[dict[str, pd.DataFrame], list[tuple]]:
        """The frames of one stage and each scalar query's one row (the child may still be reading the next)."""
        key = (number, frozenset(arrow_text))
        if key not in self._frames:
            self._frames[key] = {
                name: _pandas(table, name in arrow_text) for name, table in self._tables(number).items()
            }
        return dict(self._frames[key]), self._rows()

    def result(self, arrow_text: Collection[str] = ()) -> tuple[dict[str, pd.DataFrame], list[tuple]]:
        """Each frame (the union of its rows in every stage) and each scalar query's one row. The text columns
        of the frames named in `arrow_text` stay Arrow strings (pandas' ArrowDtype) instead of becoming Python
        objects: at a million results that skips making 16 million objects (0.9 s), and the engine codes such a
        column in Arrow (app/scoring/inputs.py)."""
        try:
            stages = [self._tables(number) for number in range(len(self._names))]
        finally:
            self.close()
        names = list(dict.fromkeys(name for tables in stages for name in tables))
        together = {name: _together([tables[name] for tables in stages if name in tables]) for name in names}
        return {name: _pandas(table, name in arrow_text) for name, table in together.items()}, self._rows()

    def _rows(self) -> list[tuple]:
        return [tuple(row) for row in self._scalars]

    def close(self) -> None:
        """Remove the files. A child that has handed every stage over is left to end on its own (a thread reaps
        it: it tidies up for 0.2 s at 1M); one that has not is stopped."""
        for stream in (self._child.stdout, self._child.stderr):
            stream.close()
        if self._child.poll() is None:
            if len(self._stages) < len(self._names):
                self._child.kill()
            threading.Thread(target=self._child.wait, daemon=True).start()
        self._folder.cleanup()


def _pandas(table, arrow_text: bool):
    mapper = _arrow_strings if arrow_text else None
    return table.to_pandas(split_blocks=True, deduplicate_objects=True, types_mapper=mapper)


def whole_read(url: URL) -> PendingRead:
    """The whole export's read, started, in two stages: the published view's frames first, then the other
    claims' rows (queries.published_first). The child cuts the results into as many ranges of ids (of about as
    many rows each) as it may use CPUs, and reads them at once."""
    return PendingRead(url, published_first(), [HIGH_SQL, COUNTS_SQL], cut={"results": ("result", "r.id")})


def cut(template: str, table: str, column: str, parts: int, value: Callable[[str], Any]) -> list[str]:
    """The template's query for `parts` ranges of the table's ids (`column` in the query) holding about as many
    rows each; `value` runs a query of one value. Finding an edge costs tens of ms at 1M: no row is decoded."""
    total = value(f"SELECT count(*) FROM {table}")
    edges = [value(f"SELECT id FROM {table} ORDER BY id LIMIT 1 OFFSET {total * i // parts}") for i in range(1, parts)]
    edges = [edge for edge in edges if edge is not None]  # none if the table shrank since it was counted
    if not edges:
        return [template.replace("{only}", "")]
    ranges = [f"AND {column} <= {edges[0]}"]
    ranges += [f"AND {column} > {a} AND {column} <= {b}" for a, b in pairwise(edges)]
    ranges.append(f"AND {column} > {edges[-1]}")
    return [template.replace("{only}", where) for where in ranges]


_prefetched: dict[str, PendingRead] = {}


def use_system_allocator() -> None:
    """Arrow allocates through the C library's malloc in this process and its readers (unless
    ARROW_DEFAULT_MEMORY_POOL says otherwise). With its default, mimalloc, the first use of fresh memory made
    a worker's first assessment at 1M results 0.4 s slower (docs/performance.md). Call before pyarrow loads."""
    os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")


def prefetch(database_url: str) -> None:
    """Start the whole read of the store now, for the export's first read to take (`take_prefetched`). The
    worker calls it first thing, so the child reads while the worker imports pandas and the engine."""
    from sqlalchemy.engine import make_url

    url = make_url(database_url)
    if not supported(url):
        return
    try:
        _prefetched[str(url)] = whole_read(url)
    except ArrowReadFailed:  # the first read starts its own, and says what is wrong
        log.warning("could not start reading the store early", exc_info=True)


def take_prefetched(url: URL) -> PendingRead | None:
    """The read `prefetch` started for this database, once."""
    return _prefetched.pop(str(url), None)


def prefetched(url: URL) -> PendingRead | None:
    """The read `prefetch` started for this database, left for `take_prefetched`."""
    return _prefetched.get(str(url))


def _arrow_strings(arrow_type):
    import pandas as pd
    import pyarrow as pa

    return pd.ArrowDtype(arrow_type) if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type) else None


def _libpq(url: URL) -> str:
    return url.set(drivername="postgresql", query={}).render_as_string(hide_password=False)


def _connect(backend: str, target: str) -> tuple[Any, Any]:
    """A database and a connection in a transaction, through the drivers' own API: their DB-API module imports
    pyarrow.dataset and pandas, which made the child start in 0.63 s instead of 0.15 s."""
    import adbc_driver_manager as adbc

    if backend == "sqlite":
        import adbc_driver_sqlite as driver
    else:
        import adbc_driver_postgresql as driver
    database = driver.connect(target)
    connection = adbc.AdbcConnection(database)
    connection.set_autocommit(False)
    return database, connection


class _Reader:
    """One connection in a read transaction, and the rows of the scalar queries as it sees them."""

    def __init__(self, request: dict, snapshot: str | None = None) -> None:
        self.sqlite = request["backend"] == "sqlite"
        self.database, self.connection = _connect(request["backend"], request["target"])
        self.snapshot = None
        if not self.sqlite:
            self._run("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            if snapshot:
                self._run(f"SET TRANSACTION SNAPSHOT '{snapshot}'")
            else:
                self.snapshot = self.value("SELECT pg_export_snapshot()")
        self.scalars = []
        for sql in request["scalars"]:  # on SQLite the read transaction begins here, at the first read
            self.scalars.append([column[0].as_py() for column in self.table(sql).columns])

    def _statement(self, sql: str) -> Any:
        import adbc_driver_manager as adbc

        statement = adbc.AdbcStatement(self.connection)
        if self.sqlite:
            statement.set_options(**{"adbc.sqlite.query.batch_rows": SQLITE_BATCH_ROWS})
        statement.set_sql_query(sql)
        return statement

    def _run(self, sql: str) -> None:
        statement = self._statement(sql)
        try:
            statement.execute_update()
        finally:
            statement.close()

    def table(self, sql: str):
        import pyarrow as pa

        statement = self._statement(sql)
        try:
            stream, _rows = statement.execute_query()
            return pa.RecordBatchReader.from_stream(stream).read_all()
        finally:
            statement.close()

    def value(self, sql: str) -> Any:
        """The first value of the query's first row."""
        return self.table(sql).column(0)[0].as_py()

    def close(self) -> None:
        self.connection.rollback()
        self.connection.close()
        self.database.close()


def _readers(request: dict, first: _Reader, width: int) -> list[_Reader]:
    """`width` readers of one state of the store. PostgreSQL shares the first transaction's snapshot; SQLite
    has no such thing, so its readers must see the same revision high-water mark and row counts (every write
    through the services records a revision, and SQLite commits them in order), else fewer are used."""
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
    """The child's side: read every scalar and every stage's queries in one state of the store; each stage's
    frames go to its file in `request["into"]`, then the scalar rows to `out` as one line, so the parent can
    take a stage while the next is read."""
    import pyarrow as pa

    first = _Reader(request)
    width = min(MAX_READ_PARTS, len(os.sched_getaffinity(0)))
    stages = []
    for queries in request["stages"]:
        for name, (table, column) in request["cut"].items():
            if name in queries:
                queries[name] = cut(queries[name][0], table, column, width, first.value)
        stages.append({name: [sql.replace("{only}", "") for sql in parts] for name, parts in queries.items()})
    readers = _readers(request, first, max(len(parts) for queries in stages for parts in queries.values()))
    try:
        for number, (queries, path) in enumerate(zip(stages, request["into"], strict=True)):
            # later stages on one reader: the parent is working on the first one meanwhile, on the other core
            tables = _read_all(readers if number == 0 else readers[:1], queries)
            with pa.OSFile(path, "wb") as into:
                for table in tables.values():
                    with pa.ipc.new_stream(into, table.schema) as writer:
                        writer.write_table(table)
            out.write(json.dumps(readers[0].scalars).encode() + b"\n")
            out.flush()
    finally:
        for reader in readers:
            reader.close()


if __name__ == "__main__":
    _serve(json.loads(sys.stdin.buffer.read()), sys.stdout.buffer)
