"""Finding the record a page is about, or a 404 page."""

from __future__ import annotations

from typing import TypeVar

from sqlmodel import Session, SQLModel

Row = TypeVar("Row", bound=SQLModel)


class PageNotFound(Exception):
    """A page for a record that does not exist (or is deleted and the visitor may not see it)."""


def row_or_404(session: Session, model: type[Row], row_id: int, *, include_deleted: bool = False) -> Row:
    """The row with this id; deleted rows only when asked for (analysts see them, to restore them)."""
    row = session.get(model, row_id)
    if row is None or (not include_deleted and getattr(row, "deleted_at", None) is not None):
        raise PageNotFound(f"No {model.__name__.lower()} {row_id}.")
    return row
