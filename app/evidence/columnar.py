"""The last export of each database, kept per process and brought up to date from the revision log.

Every tracked write records a Revision (entity kind and id). After a write, only the rows it names are
read again, with the rows that depend on them: a changed source re-reads its claims, a changed claim
its aspects, questions and results. The small frames (sources, critiques, vocabularies, overrides) are
read whole every time. Patching replaces rows by id, so applying a revision twice is harmless.

Two safety nets: revision ids are handed out before commit, so on PostgreSQL a write may commit after
a later id was seen; the last REVISION_WINDOW ids are therefore read again and those not yet applied
are applied. And when a table's row count changed without a revision of that kind (a bulk load that
bypassed the services), the export is read whole.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sqlalchemy import Connection

from app.evidence.export import PATCHABLE, QUERIES, query, read_all, read_frame, tidy

REVISION_WINDOW = 1000
SMALL = [name for name in QUERIES if name not in PATCHABLE]
_COUNTS_SQL = "SELECT (SELECT count(*) FROM source), (SELECT count(*) FROM claim), (SELECT count(*) FROM result)"


@dataclass
class _Export:
    frames: dict[str, pd.DataFrame]
    high: int  # highest revision id applied
    applied: set[int] = field(default_factory=set)  # applied ids within the window below `high`
    counts: tuple = ()


_exports: dict[str, _Export] = {}
_lock = threading.Lock()


def _ids(connection: Connection, sql: str) -> set[int]:
    return {row[0] for row in connection.exec_driver_sql(sql).all()}


def _in(ids: set[int]) -> str:
    return ", ".join(str(int(i)) for i in sorted(ids))


def _window(connection: Connection, high: int) -> list:
    low = max(0, high - REVISION_WINDOW)
    sql = f"SELECT id, entity_kind, entity_id FROM revision WHERE id > {low} ORDER BY id"
    return connection.exec_driver_sql(sql).all()


def _full(connection: Connection) -> _Export:
    high = int(connection.exec_driver_sql("SELECT coalesce(max(id), 0) FROM revision").scalar())
    counts = tuple(connection.exec_driver_sql(_COUNTS_SQL).one())
    frames = read_all(connection)
    return _Export(frames, high, {row[0] for row in _window(connection, high)}, counts)


def _joined(old: np.ndarray, new: np.ndarray) -> np.ndarray:
    """old + new values of one column, keeping old's numeric type where the new values allow it."""
    if old.dtype.kind in "fi" and new.dtype != old.dtype:
        new = pd.to_numeric(pd.Series(new, dtype=object)).to_numpy(dtype=float)
        old = old.astype(float)
    return np.concatenate([old, new])


def _replace(frame: pd.DataFrame, column: str, ids: set[int], fresh: pd.DataFrame) -> pd.DataFrame:
    """The frame without the rows of `ids`, plus their fresh rows (column by column: no pandas concat)."""
    keep = ~frame[column].isin(ids).to_numpy()
    columns = {name: _joined(frame[name].to_numpy()[keep], fresh[name].to_numpy()) for name in frame.columns}
    return pd.DataFrame(columns, copy=False)


def _patch(connection: Connection, export: _Export) -> _Export | None:
    """Bring the export up to date; None when it must be read whole instead."""
    revisions = _window(connection, export.high)
    new = [row for row in revisions if row[0] > export.high or row[0] not in export.applied]
    counts = tuple(connection.exec_driver_sql(_COUNTS_SQL).one())
    kinds = {kind for _, kind, _ in new}
    for kind, before, now in zip(("source", "claim", "result"), export.counts, counts, strict=True):
        if before != now and kind not in kinds:
            return None
    changed = {kind: {entity_id for _, k, entity_id in new if k == kind} for kind in ("source", "claim", "result")}
    frames = dict(export.frames)
    for name in SMALL:
        frames[name] = tidy(name, read_frame(connection, query(name)))
    claims = set(changed["claim"])
    if changed["source"]:
        claims |= _ids(connection, f"SELECT id FROM claim WHERE source_id IN ({_in(changed['source'])})")
    results = set(changed["result"])
    if claims:
        results |= _ids(connection, f"SELECT id FROM result WHERE claim_id IN ({_in(claims)})")
    for name, ids, column in (
        ("claims", claims, "_id"),
        ("claim_aspects", claims, "_claim_id"),
        ("claim_questions", claims, "_claim_id"),
        ("results", results, "_id"),
    ):
        if ids:
            fresh = tidy(name, read_frame(connection, query(name, f"AND {PATCHABLE[name]} IN ({_in(ids)})")))
            frames[name] = _replace(frames[name], column, ids, fresh)
    high = max([export.high, *(row[0] for row in revisions)])
    applied = {row[0] for row in revisions if row[0] > high - REVISION_WINDOW}
    return _Export(frames, high, applied, counts)


def patched_frames(connection: Connection) -> dict[str, pd.DataFrame]:
    """The frames (with hidden id columns) of the evidence the connection sees, reusing the last export."""
    url = str(connection.engine.url)
    with _lock:
        export = _exports.get(url)
        fresh = _patch(connection, export) if export is not None else None
        if fresh is None:
            fresh = _full(connection)
        _exports[url] = fresh
        return fresh.frames
