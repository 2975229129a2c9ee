"""Users, API tokens, sign-in throttling and the revision log shared by the API and the web pages."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import DateTime, Index, event
from sqlmodel import Field, SQLModel

from app.auth.roles import Role
from app.auth.usernames import skeleton
from app.evidence.base import Tracked, one_of, utcnow


class TokenScope(StrEnum):
    read = "read"
    write = "write"


class User(Tracked, table=True):
    __tablename__ = "app_user"
    __table_args__ = (one_of("role", Role),)

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=100, unique=True)
    username_key: str = Field(default="", max_length=200, unique=True)  # its skeleton: app/auth/usernames.py
    display_name: str | None = Field(default=None, max_length=200)
    password_hash: str = Field(max_length=500)
    role: str = Field(default=Role.viewer, max_length=20)
    is_active: bool = True
    last_login_at: dt.datetime | None = Field(default=None, sa_type=DateTime(timezone=True))


@event.listens_for(User, "before_insert")
@event.listens_for(User, "before_update")
def _keep_username_key(_mapper, _connection, user: User) -> None:
    """Whoever writes a user (the service, a backup restore, a test), its look-alike key follows its name."""
    user.username_key = skeleton(user.username)


class ApiToken(SQLModel, table=True):
    """A bearer token; only its SHA-256 is stored, the token itself is shown once."""

    __tablename__ = "api_token"
    __table_args__ = (one_of("scope", TokenScope),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    name: str = Field(max_length=200)
    prefix: str = Field(max_length=20)
    token_hash: str = Field(max_length=64, unique=True)
    scope: str = Field(max_length=10)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True), nullable=False)
    expires_at: dt.datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    revoked_at: dt.datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    last_used_at: dt.datetime | None = Field(default=None, sa_type=DateTime(timezone=True))


class LoginFailure(SQLModel, table=True):
    """A password check counted by the sign-in throttle (app/auth/throttle.py), kept across app replicas: taken
    before the check, deleted when the password was right, so the rows in a window are its failures."""

    __tablename__ = "login_failure"
    __table_args__ = (
        Index("ix_login_failure_username_at", "username", "at"),
        Index("ix_login_failure_username_client_at", "username", "client", "at"),
        Index("ix_login_failure_client_at", "client", "at"),
        Index("ix_login_failure_device_at", "device", "at"),
        Index("ix_login_failure_at", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=100)  # the skeleton of the name tried (app/auth/usernames.py)
    client: str | None = Field(default=None, max_length=100)
    device: str | None = Field(default=None, max_length=64)  # SHA-256 of a known browser's device cookie
    at: dt.datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True), nullable=False)


class UserSession(SQLModel, table=True):
    """A signed-in browser; the cookie carries a random id whose SHA-256 is stored here, so a session can be
    revoked server-side (sign-out, password change, deactivation, an admin) and its old cookie is refused."""

    __tablename__ = "user_session"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    token_hash: str = Field(max_length=64, unique=True)
    client: str | None = Field(default=None, max_length=100)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True), nullable=False)
    expires_at: dt.datetime = Field(sa_type=DateTime(timezone=True), nullable=False)
    revoked_at: dt.datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
