"""Tracked writes: every create, update, delete and restore of an evidence row bumps its version,
stamps updated_at and records a Revision (who, when, field -> [before, after]).

Services flush; the caller's boundary (request, CLI command, seed load) commits.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import update as sa_update
from sqlmodel import Session, SQLModel, select

from app.evidence.base import utcnow
from app.evidence.errors import StaleVersion
from app.evidence.models import Revision

EntityKind = Literal["source", "claim", "critique", "result"]


@dataclass(frozen=True)
class Actor:
    """Who writes: a signed-in user, a token's user, or a named process such as the seed loader.

    `role` is the user's role, for the rules that depend on it (services/common.check_restore); a process
    without one is refused wherever a role is needed, so an adapter that forgets to pass it grants nothing."""

    name: str
    user_id: int | None = None
    role: str | None = None


SEED_ACTOR = Actor("seed")


def _plain(value: Any) -> Any:
    """A JSON-safe form of a column value, for the revision log."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def diff_fields(row: SQLModel, values: dict[str, Any]) -> dict[str, list[Any]]:
    """The fields whose value would change: name -> [before, after]."""
    changes = {}
    for name, new in values.items():
        old = getattr(row, name)
        if _plain(old) != _plain(new):
            changes[name] = [_plain(old), _plain(new)]
    return changes


def record(
    session: Session, kind: EntityKind, row: Any, action: str, changes: dict, actor: Actor, note: str | None = None
) -> Revision:
    revision = Revision(
        entity_kind=kind,
        entity_id=row.id,
        entity_key=row.key,
        action=action,
        version=row.version,
        user_id=actor.user_id,
        actor=actor.name,
        changes=changes,
        note=note,
    )
    session.add(revision)
    return revision


def create_tracked(session: Session, kind: EntityKind, row: Any, actor: Actor) -> Any:
    """Insert a row and log its creation with all its fields."""
    session.add(row)
    session.flush()
    fields = {k: _plain(v) for k, v in row.model_dump().items() if k not in {"created_at", "updated_at", "version"}}
    record(session, kind, row, "create", fields, actor)
    return row


def claim_version(session: Session, row: Any, expected_version: int | None) -> None:
    """Move the row to its next version only if it is still at the expected one.

    The conditional UPDATE is the concurrency guard: of two writers holding the same version, the
    database lets exactly one through (PostgreSQL re-checks the WHERE after the first commits;
    SQLite serialises writers), and the other gets StaleVersion.
    """
    expected = row.version if expected_version is None else expected_version
    model = type(row)
    bumped = session.execute(
        sa_update(model)
        .where(model.id == row.id, model.version == expected)
        .values(version=expected + 1, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if bumped.rowcount != 1:
        session.refresh(row)
        raise StaleVersion(
            f"{kind_of(row)} {row.key} is at version {row.version}, not {expected}", current_version=row.version
        )
    session.refresh(row, attribute_names=["version", "updated_at"])


def kind_of(row: Any) -> str:
    return type(row).__name__.lower()


def update_tracked(
    session: Session,
    kind: EntityKind,
    row: Any,
    values: dict[str, Any],
    actor: Actor,
    *,
    expected_version: int | None = None,
    extra_changes: dict | None = None,
    note: str | None = None,
) -> dict[str, list[Any]]:
    """Apply the values that differ; bump the version and log the change. Nothing changes, nothing is written."""
    changes = diff_fields(row, values)
    changes.update(extra_changes or {})
    if expected_version is not None and expected_version != row.version:
        raise StaleVersion(f"{kind} {row.key} is at version {row.version}, not {expected_version}", row.version)
    if not changes:
        return {}
    claim_version(session, row, expected_version)
    for name in values:
        setattr(row, name, values[name])
    session.add(row)
    session.flush()
    record(session, kind, row, "update", changes, actor, note)
    return changes


def set_deleted(
    session: Session, kind: EntityKind, row: Any, deleted: bool, actor: Actor, *, expected_version: int | None = None
) -> None:
    """Soft delete (or restore) a row; it stays in the database and in its history."""
    if expected_version is not None and expected_version != row.version:
        raise StaleVersion(f"{kind} {row.key} is at version {row.version}, not {expected_version}", row.version)
    if (row.deleted_at is not None) == deleted:
        return
    before = _plain(row.deleted_at)
    claim_version(session, row, expected_version)
    row.deleted_at = utcnow() if deleted else None
    session.add(row)
    session.flush()
    record(
        session, kind, row, "delete" if deleted else "restore", {"deleted_at": [before, _plain(row.deleted_at)]}, actor
    )


def history(session: Session, kind: EntityKind, entity_id: int) -> list[Revision]:
    """The revisions of one row, oldest first."""
    query = select(Revision).where(Revision.entity_kind == kind, Revision.entity_id == entity_id)
    return list(session.exec(query.order_by(Revision.id)))
