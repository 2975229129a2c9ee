"""Helpers shared by the entity services."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlmodel import Session, SQLModel, select

from app.evidence.errors import NotFound
from app.evidence.services import visibility

Row = TypeVar("Row", bound=SQLModel)


def get_or_404(session: Session, model: type[Row], row_id: int, *, include_deleted: bool = False) -> Row:
    """The row with this id; NotFound when there is none, when it is deleted (unless asked for) and when the
    session's reader may not see it (an unpublished claim, its results and critiques: visibility.py)."""
    row = session.get(model, row_id)
    if (
        row is None
        or (not include_deleted and getattr(row, "deleted_at", None) is not None)
        or visibility.hidden(session, row)
    ):
        raise NotFound(f"{model.__name__.lower()} {row_id} not found")
    return row


def by_key(session: Session, model: type[Row], key: str) -> Row | None:
    return session.exec(select(model).where(model.key == key)).first()


def key_to_id(session: Session, model: type[Any], key: str, field: str) -> int:
    """Resolve a referenced row's key; a missing or deleted row is an error on that input field."""
    row = by_key(session, model, key)
    if row is None or getattr(row, "deleted_at", None) is not None:
        raise NotFound(f"no {model.__name__.lower()} with key {key!r}", field=field)
    return row.id
