"""The store as plain pandas frames: the thin loader between the database and the pure scoring engine.

Only live rows are exported (soft-deleted ones are gone; a retracted claim stays, with its status, so
the engine can give it weight zero and say so). Column names and meanings are the engine's input
contract (app/scoring/inputs.py, docs/scoring.md).

Reading is columnar: one query per frame, its DBAPI rows fetched at once into a 2-D array and split
into columns (no ORM objects, no SQLAlchemy rows). At a million results that full read still takes
seconds, so the process keeps its last export and, after a write, re-reads only the rows that the
revision log names (and the rows depending on them): see app/evidence/export/live.py.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sqlalchemy import Connection

from app.evidence.export.queries import QUERIES, query


def _column(values: np.ndarray) -> np.ndarray:
    """Numbers as float/int arrays (missing -> NaN), everything else as objects with None."""
    return pd.Series(values, dtype=object, copy=False).infer_objects().to_numpy()


def read_frame(connection: Connection, sql: str) -> pd.DataFrame:
    """One query, its rows fetched from the driver in one call and cut into columns."""
    result = connection.exec_driver_sql(sql)
    names = list(result.keys())
    rows = result.cursor.fetchall()
    result.close()
    block = np.empty((len(rows), len(names)), dtype=object)
    if rows:
        block[:] = rows
    return pd.DataFrame({name: _column(block[:, i]) for i, name in enumerate(names)})


# Numeric columns, typed the same whatever the reader (the DBAPI rows or Arrow) and however many rows are missing.
FLOATS = {
    "claims": ("confidence",),
    "results": ("params", "params_low", "params_high", "metric_value", "baseline_value", "sample_size"),
    "critiques": ("severity",),
    "bands": ("min_params", "max_params"),
}
INTS = {
    "sources": ("year",),
    "claims": ("_id",),
    "claim_aspects": ("_claim_id",),
    "claim_questions": ("_claim_id",),
    "results": ("_id",),
    "aspects": ("sort_order",),
    "bands": ("sort_order",),
    "questions": ("number",),
}


def tidy(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Normalise what drivers and readers return differently (SQLite 0/1 booleans, date objects, the type of a
    column without values) to one form: floats as float64, whole numbers as int64 (float64 where some are missing)."""
    floats, ints = FLOATS.get(name, ()), INTS.get(name, ())
    if frame.empty:  # a driver types a column it saw no value of as it likes (ADBC's SQLite: int64)
        frame = frame.astype({c: object for c in frame.columns if c not in {*floats, *ints}})
    columns = {}  # put together once at the end: setting a column of a million rows copies it
    for column in frame.columns:
        values = frame[column]
        if column in floats:
            columns[column] = pd.to_numeric(values).to_numpy(dtype=float)
        elif column in ints:
            values = pd.to_numeric(values)
            columns[column] = values.to_numpy(dtype=np.int64 if values.dtype.kind in "iu" else float)
        elif values.dtype != object and values.isna().all():  # a text column without a value (ADBC's SQLite: NaN)
            columns[column] = np.full(len(frame), None, dtype=object)
        else:
            columns[column] = values.array
    frame = pd.DataFrame(columns, index=frame.index, copy=False)
    if name == "sources":
        frame["peer_reviewed"] = frame["peer_reviewed"].astype(bool)
        frame["published_date"] = frame["published_date"].map(lambda d: None if d is None else str(d)[:10])
    if name == "results":
        flags = frame["higher_is_better"].to_numpy(dtype=object)
        present = pd.notna(flags)
        out = np.full(len(flags), None, dtype=object)
        out[present] = flags[present].astype(bool)
        frame["higher_is_better"] = out
    return frame


def read_all(connection: Connection) -> dict[str, pd.DataFrame]:
    """Every frame with its hidden id columns."""
    return {name: tidy(name, read_frame(connection, query(name))) for name in QUERIES}


def public(frames: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The frames as the engine's contract has them: without the hidden id columns."""
    return {
        name: pd.DataFrame({c: frame[c].array for c in frame.columns if not c.startswith("_")}, copy=False)
        for name, frame in frames.items()
    }


def evidence_frames(connection: Connection) -> dict[str, pd.DataFrame]:
    """Every frame of the engine's input contract, read in one go from the live evidence."""
    return public(read_all(connection))
