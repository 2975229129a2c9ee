"""Helpers shared by the entity services."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlmodel import Session, SQLModel, select

from app.auth.roles import Role, role_at_least
from app.evidence.errors import NotAllowed, NotFound
from app.evidence.history import Actor
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


RESTORER = Role.admin


def may_restore(role: str | None) -> bool:
    """Whether a user of this role may undo a delete: an admin only, so that nobody below an admin can bring
    back what an admin deleted (the API, the pages, the importers and a claim's results all follow this)."""
    return role is not None and role_at_least(role, RESTORER)


def check_restore(actor: Actor, kind: str, key: str) -> None:
    """Refuse (NotAllowed, 403) a restore by anyone but an admin."""
    if not may_restore(actor.role):
        raise NotAllowed(f"only an admin can restore a deleted {kind} ({kind} {key})", field="key")
