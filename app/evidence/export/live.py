"""The last export of each database, kept per process and brought up to date from the revision log.

Every tracked write records a Revision (entity kind and id). After a write, only the rows it names are
read again, with the rows that depend on them: a changed source re-reads its claims, a changed claim
its aspects, questions and results. The small frames (sources, critiques, vocabularies, overrides) are
read whole every time. Patching replaces rows by id, so applying a revision twice is harmless.

Each patch also records what it changed (the rows it took out, as they were, and the rows it put in;
the small frames that differ), numbered by a generation, so a caller holding something derived from an
earlier generation (the engine's Evidence: app/assessment/live.py) can bring it up to date from the changes
instead of rebuilding it from a million rows.

Two safety nets: revision ids are handed out before commit, so on PostgreSQL a write may commit after
a later id was seen; the last REVISION_WINDOW ids are therefore read again and those not yet applied
are applied. And when a table's row count changed without a revision of that kind (a bulk load that
bypassed the services), the export is read whole.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd
from pandas.api.extensions import ExtensionArray
from sqlalchemy import Connection

from app.evidence.export import arrow
from app.evidence.export.frames import read_all, read_frame, tidy
from app.evidence.export.queries import COUNTS_SQL, HIGH_SQL, PATCHABLE, QUERIES, query
from app.evidence.publication import published_changes

log = logging.getLogger("ceiling.export")
REVISION_WINDOW = 1000
MAX_OVERLAID = 5000  # ids a patchable frame holds apart before it is put together whole again
FIRST_GENERATION = 1
KEPT_CHANGES = 32  # patches remembered: a caller more generations behind rebuilds from the frames
SMALL = [name for name in QUERIES if name not in PATCHABLE]
ID_COLUMNS = {"claims": "_id", "claim_aspects": "_claim_id", "claim_questions": "_claim_id", "results": "_id"}


ArrayLike = np.ndarray | ExtensionArray
Changes = dict[str, "pd.DataFrame | tuple[pd.DataFrame, pd.DataFrame]"]  # whole frame, or (removed, added)


@dataclass(frozen=True, eq=False)
class _Overlaid:
    """A patchable frame as it was last read whole, and the rows that replaced some of its ids since: a
    write then costs the rows it changed, not a copy of a million rows."""

    base: pd.DataFrame
    column: str  # the id column
    replaced: frozenset[int] = frozenset()  # ids whose base rows are superseded by `extra`
    extra: pd.DataFrame | None = None

    @cached_property
    def whole(self) -> pd.DataFrame:
        if self.extra is None:
            return self.base
        return _stacked(self.base[~self.base[self.column].isin(self.replaced).to_numpy()], self.extra)

    def rows_of(self, ids: set[int]) -> pd.DataFrame:
        """The current rows of these ids."""
        base = self.base[self.base[self.column].isin(ids - self.replaced).to_numpy()]
        if self.extra is None:
            return base
        return _stacked(base, self.extra[self.extra[self.column].isin(ids).to_numpy()])

    def replace(self, ids: set[int], fresh: pd.DataFrame) -> _Overlaid:
        """The frame with the rows of `ids` replaced by `fresh` (read whole again past MAX_OVERLAID ids)."""
        if self.extra is None:
            extra = fresh
        else:
            kept = self.extra[~self.extra[self.column].isin(ids).to_numpy()]
            extra = _stacked(kept, fresh)
        patched = _Overlaid(self.base, self.column, self.replaced | ids, extra)
        return _Overlaid(patched.whole, self.column) if len(patched.replaced) > MAX_OVERLAID else patched


@dataclass
class _Export:
    frames: dict[str, pd.DataFrame | _Overlaid]
    high: int  # highest revision id applied
    applied: set[int] = field(default_factory=set)  # applied ids within the window below `high`
    counts: tuple = ()
    generation: int = 0
    changes: list[tuple[int, Changes, Changes]] = field(default_factory=list)  # the last patches, oldest first,
    # each as every view sees it and as a reviewed-only view sees it


@dataclass(frozen=True)
class LiveExport:
    """The export at one generation, with what changed since earlier ones (frames with hidden id columns)."""

    held: dict[str, pd.DataFrame | _Overlaid]
    generation: int
    log: tuple[tuple[int, Changes, Changes], ...]

    @cached_property
    def frames(self) -> dict[str, pd.DataFrame]:
        return {name: _whole(frame) for name, frame in self.held.items()}

    def changes_since(self, generation: int, published_only: bool = False) -> list[Changes] | None:
        """Each patch's changes after `generation`, in order (as a reviewed-only view sees them if asked);
        None when they are not all remembered."""
        if generation == self.generation:
            return []
        if generation > self.generation or not self.log or self.log[0][0] > generation + 1:
            return None
        return [published if published_only else every for n, every, published in self.log if n > generation]


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


def _whole(frame: pd.DataFrame | _Overlaid) -> pd.DataFrame:
    return frame.whole if isinstance(frame, _Overlaid) else frame


def _read_whole(
    connection: Connection, pending: arrow.PendingRead | None
) -> tuple[dict[str, pd.DataFrame], int, tuple]:
    """Every frame, the highest revision id and the row counts: through Arrow in a read transaction of its
    own where the store allows it and is large (app/evidence/export/arrow.py), else on the connection."""
    url = connection.engine.url
    try:
        if pending is None and arrow.supported(url):
            results = connection.exec_driver_sql("SELECT count(*) FROM result").scalar()
            pending = arrow.whole_read(url) if results >= arrow.ARROW_MIN_RESULTS else None
        if pending is not None:
            read, (high, counts) = pending.result(arrow_text=PATCHABLE)
            return {name: tidy(name, frame) for name, frame in read.items()}, int(high[0]), counts
    except arrow.ArrowReadFailed:
        log.warning("the Arrow read failed; reading through the DBAPI driver instead", exc_info=True)
    high = int(connection.exec_driver_sql(HIGH_SQL).scalar())
    return read_all(connection), high, tuple(connection.exec_driver_sql(COUNTS_SQL).one())


def _full(connection: Connection, generation: int) -> _Export:
    """The export read whole. A read started early (arrow.prefetch) may have seen an older state than the
    connection sees: it is brought up to the connection's from the revision log, so an assessment is never
    stored under a data version newer than its evidence."""
    prefetched = arrow.take_prefetched(connection.engine.url)
    frames, high, counts = _read_whole(connection, prefetched)
    frames.update({name: _Overlaid(frames[name], column) for name, column in ID_COLUMNS.items()})
    export = _Export(frames, high, {row[0] for row in _window(connection, high)}, counts, generation)
    if prefetched is None:
        return export
    return _patch(connection, export) or _full(connection, generation + 1)


def early_published(connection: Connection) -> dict[str, pd.DataFrame] | None:
    """The published view's frames (hidden id columns included) from the first stage of a read started early,
    while the rest is still being read: a worker's first assessment need not wait for the drafts' rows. Only
    before the first export of this database (it will be generation FIRST_GENERATION, of the same read), and
    only if the read saw what the connection sees now; else None."""
    url = connection.engine.url
    with _lock:
        if str(url) in _exports:
            return None
    pending = arrow.prefetched(url)
    if pending is None:
        return None
    try:
        frames, (high, counts) = pending.stage(0, arrow_text=PATCHABLE)
    except arrow.ArrowReadFailed:  # the whole read says it again and falls back
        return None
    now = (int(connection.exec_driver_sql(HIGH_SQL).scalar()), tuple(connection.exec_driver_sql(COUNTS_SQL).one()))
    if (int(high[0]), tuple(counts)) != now:
        return None
    return {name: tidy(name, frame) for name, frame in frames.items()}


def _joined(old: ArrayLike, new: ArrayLike) -> ArrayLike:
    """old + new values of one column, keeping old's numeric type where the new values allow it, and old's
    Arrow strings (the new rows, read through the DBAPI driver, are few)."""
    if isinstance(old.dtype, pd.ArrowDtype):
        return pd.concat([pd.Series(old), pd.Series(pd.array(new, dtype=old.dtype))], ignore_index=True).array
    old, new = np.asarray(old), np.asarray(new)
    if old.dtype.kind in "fi" and new.dtype != old.dtype:
        new = pd.to_numeric(pd.Series(new, dtype=object)).to_numpy(dtype=float)
        old = old.astype(float)
    return np.concatenate([old, new])


def _stacked(top: pd.DataFrame, bottom: pd.DataFrame) -> pd.DataFrame:
    """The rows of both frames, column by column (no pandas concat: its dtype rules for empty columns move)."""
    return pd.DataFrame({c: _joined(top[c].array, bottom[c].array) for c in top.columns}, copy=False)


def _patch(connection: Connection, export: _Export) -> _Export | None:
    """Bring the export up to date; None when it must be read whole instead."""
    revisions = _window(connection, export.high)
    new = [row for row in revisions if row[0] > export.high or row[0] not in export.applied]
    counts = tuple(connection.exec_driver_sql(COUNTS_SQL).one())
    kinds = {kind for _, kind, _ in new}
    for kind, before, now in zip(("source", "claim", "result"), export.counts, counts, strict=True):
        if before != now and kind not in kinds:
            return None
    changed = {kind: {entity_id for _, k, entity_id in new if k == kind} for kind in ("source", "claim", "result")}
    frames, changes = dict(export.frames), {}
    for name in SMALL:
        frames[name] = tidy(name, read_frame(connection, query(name)))
        if not frames[name].equals(export.frames[name]):
            changes[name] = frames[name]
    claims = set(changed["claim"])
    if changed["source"]:
        claims |= _ids(connection, f"SELECT id FROM claim WHERE source_id IN ({_in(changed['source'])})")
    results = set(changed["result"])
    if claims:
        results |= _ids(connection, f"SELECT id FROM result WHERE claim_id IN ({_in(claims)})")
    for name in ID_COLUMNS:
        ids = results if name == "results" else claims
        if ids:
            fresh = tidy(name, read_frame(connection, query(name, f"AND {PATCHABLE[name]} IN ({_in(ids)})")))
            changes[name] = (export.frames[name].rows_of(ids), fresh)
            frames[name] = export.frames[name].replace(ids, fresh)
    high = max([export.high, *(row[0] for row in revisions)])
    applied = {row[0] for row in revisions if row[0] > high - REVISION_WINDOW}
    if not changes:
        return _Export(frames, high, applied, counts, export.generation, export.changes)
    generation = export.generation + 1
    published = published_changes(
        export.frames["claims"].whole, {name: _whole(frames[name]) for name in ("claims", "critiques")}, changes
    )
    log = [*export.changes, (generation, changes, published)][-KEPT_CHANGES:]
    return _Export(frames, high, applied, counts, generation, log)


def patched_export(connection: Connection) -> LiveExport:
    """The export of the evidence the connection sees (frames with hidden id columns), reusing the last one."""
    url = str(connection.engine.url)
    with _lock:
        export = _exports.get(url)
        fresh = _patch(connection, export) if export is not None else None
        if fresh is None:
            fresh = _full(connection, export.generation + 1 if export is not None else FIRST_GENERATION)
        _exports[url] = fresh
        return LiveExport(dict(fresh.frames), fresh.generation, tuple(fresh.changes))
