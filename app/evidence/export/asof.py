"""The evidence as it stood at a past instant, rebuilt from the revision log.

Every tracked write records field -> [before, after] (app/evidence/history.py), so the store at an
instant is the store now with every later revision undone, newest first: a create removes the row, an
update puts the `before` values back (the claim's aspect and question links too), a delete or restore
puts `deleted_at` back. Grade overrides are undone the same way from grade_override_revision. Undoing
costs one pass over the revisions after the instant, so recent instants are the cheapest.

The rebuilt rows go into a private in-memory SQLite database with the store's own tables, read by the
same code as the live store (the export's queries for the engine, the report's capture), so an as-of
answer and a live answer cannot be built differently.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from typing import Any

from sqlalchemy import Date, DateTime, Engine, MetaData, Table, create_engine, insert, select
from sqlalchemy.pool import StaticPool
from sqlmodel import Session

from app.evidence.models import (
    Aspect,
    Claim,
    ClaimAspect,
    ClaimQuestion,
    Critique,
    GradeOverride,
    GradeOverrideRevision,
    Method,
    ResearchQuestion,
    Result,
    Revision,
    ScaleBand,
    Source,
)

TRACKED: dict[str, type] = {"source": Source, "claim": Claim, "result": Result, "critique": Critique}
VOCABULARIES = (Method, Aspect, ScaleBand, ResearchQuestion)
LINKS = {"aspects": (ClaimAspect, "aspect_key"), "questions": (ClaimQuestion, "question_key")}


def as_utc(instant: dt.datetime) -> dt.datetime:
    """An aware UTC instant (a naive one is read as UTC, as every stored time is)."""
    return instant.replace(tzinfo=dt.UTC) if instant.tzinfo is None else instant.astimezone(dt.UTC)


def _table(model: type) -> Table:
    return model.__table__  # type: ignore[attr-defined]


_COPY = MetaData()  # the tables the export reads, apart from the app's metadata (which also holds users etc.)
for _model in (*VOCABULARIES, *TRACKED.values(), ClaimAspect, ClaimQuestion, GradeOverride):
    _table(_model).to_metadata(_COPY)


def _typed(table: Table, name: str, value: Any) -> Any:
    """A value from the revision log (JSON-plain) back in the column's Python type."""
    column = table.columns.get(name)
    if column is None or not isinstance(value, str):
        return value
    if isinstance(column.type, DateTime):
        return dt.datetime.fromisoformat(value)
    if isinstance(column.type, Date):
        return dt.date.fromisoformat(value[:10])
    return value


def _rows(session: Session, model: type) -> list[dict[str, Any]]:
    return [dict(row._mapping) for row in session.execute(select(_table(model)))]


class _Store:
    """The tracked rows by kind and id, and each claim's links, as the undo pass changes them."""

    def __init__(self, session: Session):
        self.rows = {kind: {r["id"]: r for r in _rows(session, model)} for kind, model in TRACKED.items()}
        self.links: dict[str, dict[int, set[str]]] = {name: {} for name in LINKS}
        for name, (model, column) in LINKS.items():
            for row in _rows(session, model):
                self.links[name].setdefault(row["claim_id"], set()).add(row[column])

    def undo(self, kind: str, entity_id: int, action: str, changes: dict) -> None:
        rows, table = self.rows[kind], _table(TRACKED[kind])
        if action == "create":
            rows.pop(entity_id, None)
            if kind == "claim":
                for links in self.links.values():
                    links.pop(entity_id, None)
            return
        row = rows.get(entity_id)
        if row is None:
            return  # a row the log knows but the store lost: nothing to put back
        for name, pair in changes.items():
            if name in LINKS and kind == "claim":
                self.links[name][entity_id] = set(pair[0] or [])
            elif name in row and isinstance(pair, list) and len(pair) == 2:
                row[name] = _typed(table, name, pair[0])


def _overrides_as_of(session: Session, instant: dt.datetime) -> list[dict[str, Any]]:
    """The grade overrides in force at the instant: today's, with every later change undone."""
    state = {row["aspect_key"]: row for row in _rows(session, GradeOverride)}
    later = session.execute(
        select(GradeOverrideRevision.aspect_key, GradeOverrideRevision.before)
        .where(GradeOverrideRevision.at > instant)
        .order_by(GradeOverrideRevision.id.desc())
    )
    now = dt.datetime.now(dt.UTC)
    for aspect_key, before in later:
        if before is None:
            state.pop(aspect_key, None)
        else:
            fill = {"created_at": now, "updated_at": now, "version": 1, "id": None}
            state[aspect_key] = {**fill, **state.get(aspect_key, {}), **before, "aspect_key": aspect_key}
    return [{k: v for k, v in row.items() if k != "id"} for row in state.values()]


def _copy_of(session: Session, store: _Store, overrides: list[dict[str, Any]]) -> Engine:
    """An in-memory SQLite database holding the rebuilt rows in the store's own tables."""
    engine = create_engine("sqlite://", poolclass=StaticPool)
    _COPY.create_all(engine)
    with engine.begin() as connection:
        for model in VOCABULARIES:
            _insert(connection, model, _rows(session, model))
        for kind, model in TRACKED.items():
            _insert(connection, model, list(store.rows[kind].values()))
        for name, (model, column) in LINKS.items():
            claims = store.rows["claim"]
            pairs = [{"claim_id": c, column: k} for c, keys in store.links[name].items() if c in claims for k in keys]
            _insert(connection, model, pairs)
        _insert(connection, GradeOverride, overrides)
    return engine


def _insert(connection, model: type, rows: list[dict[str, Any]]) -> None:
    if rows:
        connection.execute(insert(_table(model)), rows)


@contextlib.contextmanager
def store_as_of(session: Session, instant: dt.datetime) -> Iterator[Engine]:
    """An in-memory copy of the store (evidence, vocabularies, grade overrides) as it stood at `instant`.

    Read it with the same code as the live store: export.evidence_frames, or a Session on it."""
    instant = as_utc(instant)
    store = _Store(session)
    later = session.execute(
        select(Revision.entity_kind, Revision.entity_id, Revision.action, Revision.changes)
        .where(Revision.at > instant)
        .order_by(Revision.id.desc())
    )
    for kind, entity_id, action, changes in later:
        if kind in TRACKED:
            store.undo(kind, entity_id, action, changes or {})
    engine = _copy_of(session, store, _overrides_as_of(session, instant))
    try:
        yield engine
    finally:
        engine.dispose()
