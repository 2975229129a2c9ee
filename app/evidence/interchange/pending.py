"""An upload waiting between its preview and its commit, kept in the database so that any replica can commit
it; it expires after CEILING_IMPORT_PENDING_HOURS and belongs to the user who uploaded it."""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import DateTime, Text, delete
from sqlmodel import Field, Session, SQLModel

from app.evidence.base import utcnow


class PendingImport(SQLModel, table=True):
    """The text of an uploaded file (as its preview decoded it), its name and format, and who may commit it."""

    __tablename__ = "pending_import"

    token: str = Field(primary_key=True, max_length=64)
    owner: str = Field(max_length=200)
    filename: str = Field(max_length=500)
    format: str = Field(max_length=20)
    content: str = Field(sa_type=Text)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True), nullable=False)
    expires_at: dt.datetime = Field(sa_type=DateTime(timezone=True), nullable=False, index=True)


def save(session: Session, owner: str, filename: str, fmt: str, content: str, hours: float) -> str:
    """Keep an upload's text for `hours`; the token that names it (and the stale uploads are swept)."""
    sweep(session)
    token = secrets.token_urlsafe(24)
    expires = utcnow() + dt.timedelta(hours=hours)
    session.add(PendingImport(token=token, owner=owner, filename=filename, format=fmt, content=content,
                              expires_at=expires))  # fmt: skip
    session.flush()
    return token


def get(session: Session, token: str, owner: str) -> PendingImport | None:
    """The upload of this owner under this token, unless it expired."""
    row = session.get(PendingImport, token) if token else None
    if row is None or row.owner != owner or _aware(row.expires_at) <= utcnow():
        return None
    return row


def drop(session: Session, token: str) -> None:
    """Forget an upload (it was committed)."""
    session.exec(delete(PendingImport).where(PendingImport.token == token))


def sweep(session: Session) -> int:
    """Forget every expired upload; how many."""
    return session.exec(delete(PendingImport).where(PendingImport.expires_at <= utcnow())).rowcount


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
