"""Server-side sign-in sessions: the browser holds a random id (in the signed cookie), the database its
SHA-256, so revoking a row signs that browser out at once, on every replica.

Revocation: sign-out revokes the one session; a password change, a deactivation or an admin's
"sign out everywhere" revokes all of the user's sessions (service.revoke_sessions).
"""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import delete, update
from sqlmodel import Session, select

from app.auth.models import User, UserSession
from app.auth.service import _aware, _digest
from app.evidence.base import utcnow


def start(session: Session, user: User, max_age_s: int, client: str | None = None) -> str:
    """A new session for the user; returns the plain id for the cookie (only its digest is stored).
    Rows past their expiry are deleted on the way (revoked ones stay until then, as a record)."""
    session.exec(delete(UserSession).where(UserSession.expires_at < utcnow()))
    plain = secrets.token_urlsafe(32)
    session.add(
        UserSession(
            user_id=user.id,
            token_hash=_digest(plain),
            client=(client or "")[:100] or None,
            expires_at=utcnow() + dt.timedelta(seconds=max_age_s),
        )
    )
    session.flush()
    return plain


def user_for(session: Session, plain: str) -> User | None:
    """The active user of an unrevoked, unexpired session, or None."""
    row = session.exec(select(UserSession).where(UserSession.token_hash == _digest(plain))).first()
    if row is None or row.revoked_at is not None or _aware(row.expires_at) <= utcnow():
        return None
    user = session.get(User, row.user_id)
    return user if user is not None and user.is_active else None


def revoke(session: Session, plain: str) -> None:
    """End one session (sign-out)."""
    session.exec(
        update(UserSession)
        .where(UserSession.token_hash == _digest(plain), UserSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
