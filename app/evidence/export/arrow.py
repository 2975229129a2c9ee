"""The full read of the export through Arrow (ADBC), in a child process: every frame in one read transaction.

The DBAPI reader (frames.read_frame) makes a Python object of every value: at a million results that is
16 million objects, about 2 GB and most of the time of a first assessment. The ADBC drivers for SQLite
and PostgreSQL (C; PostgreSQL's binary COPY) hand over Arrow columns instead, and pyarrow turns them into
the same pandas columns with each repeated text value one shared object. docs/performance.md has the
figures and why ADBC rather than connectorx or DuckDB.

The read runs in a child process (`python -m app.evidence.export.arrow`), which sends the frames back as
Arrow IPC streams on its stdout. The ADBC SQLite driver carries its own copy of SQLite, and two copies of
SQLite in one process break each other's POSIX locks on the same file: a read in this process saw a state
older than the last commit, and SQLite warns that writes can corrupt the file. Across processes the locks
hold. The child also keeps the driver's peak memory out of the long-lived process.

All frames, the revision high-water mark and the row counts are read in one transaction (REPEATABLE READ
on PostgreSQL, a read transaction on SQLite), so they describe one state of the store. The frames equal
the DBAPI reader's (tests/evidence/test_export.py); stores the drivers cannot open (an in-memory SQLite
database) are read by the DBAPI reader instead.
"""

from __future__ import annotations

import json
import subprocess
import sys
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


def read_frames(url: URL, queries: dict[str, str], scalars: list[str]) -> tuple[dict[str, pd.DataFrame], list[tuple]]:
    """Each query's frame and each scalar query's one row, all from one state of the store."""
    import pyarrow as pa

    request = {
        "backend": url.get_backend_name(),
        "target": url.database if url.get_backend_name() == "sqlite" else _libpq(url),
        "queries": queries,
        "scalars": scalars,
    }
    child = subprocess.Popen(
        [sys.executable, "-m", "app.evidence.export.arrow"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        child.stdin.write(json.dumps(request).encode())
        child.stdin.close()
        rows = json.loads(child.stdout.readline() or "null")
        frames = {}
        if rows is not None:
            for name in queries:
                table = pa.ipc.open_stream(child.stdout).read_all()
                frames[name] = table.to_pandas(split_blocks=True, self_destruct=True, deduplicate_objects=True)
        error = child.stderr.read().decode(errors="replace")
        if child.wait(timeout=TIMEOUT_S) != 0 or rows is None:
            raise ArrowReadFailed(error.strip().splitlines()[-1] if error.strip() else f"exit {child.returncode}")
    except (OSError, pa.ArrowInvalid) as problem:
        raise ArrowReadFailed(str(problem)) from problem
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    return frames, [tuple(row) for row in rows]


def _libpq(url: URL) -> str:
    return url.set(drivername="postgresql", query={}).render_as_string(hide_password=False)


def _connect(backend: str, target: str) -> Any:
    if backend == "sqlite":
        import adbc_driver_sqlite.dbapi as sqlite

        return sqlite.connect(target)
    import adbc_driver_postgresql.dbapi as postgresql

    return postgresql.connect(target)


def _serve(request: dict, out) -> None:
    """The child's side: read every scalar and query in one transaction and write them to `out`."""
    import pyarrow as pa

    connection = _connect(request["backend"], request["target"])
    try:
        with connection.cursor() as cursor:
            if request["backend"] == "sqlite":
                cursor.adbc_statement.set_options(**{"adbc.sqlite.query.batch_rows": SQLITE_BATCH_ROWS})
            else:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            rows = []
            for sql in request["scalars"]:  # on SQLite the read transaction begins here, at the first read
                cursor.execute(sql)
                rows.append(list(cursor.fetchone()))
            out.write(json.dumps(rows).encode() + b"\n")
            for sql in request["queries"].values():
                cursor.execute(sql)
                table = cursor.fetch_arrow_table()
                with pa.ipc.new_stream(out, table.schema) as writer:
                    writer.write_table(table)
    finally:
        connection.rollback()
        connection.close()


if __name__ == "__main__":
    _serve(json.loads(sys.stdin.buffer.read()), sys.stdout.buffer)
