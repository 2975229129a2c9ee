"""Finding the record a page is about, or a 404 page."""

from __future__ import annotations

from typing import TypeVar

from sqlmodel import Session, SQLModel

from app.evidence.errors import NotFound
from app.evidence.services.common import get_or_404

Row = TypeVar("Row", bound=SQLModel)


class PageNotFound(Exception):
    """A page for a record that does not exist (or is deleted and the visitor may not see it)."""


def row_or_404(session: Session, model: type[Row], row_id: int, *, include_deleted: bool = False) -> Row:
    """The row with this id, found as the API finds it (common.get_or_404): deleted rows only when asked for
    (analysts see them, to restore them), never a row the session's reader may not see."""
    try:
        return get_or_404(session, model, row_id, include_deleted=include_deleted)
    except NotFound:
        raise PageNotFound(f"No {model.__name__.lower()} {row_id}.") from None
