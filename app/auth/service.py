"""Users, passwords, API tokens and sign-in throttling: the one implementation behind the API, pages and CLI."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets

from pwdlib import PasswordHash
from sqlalchemy import Engine, or_, update
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, select

from app.auth.models import ApiToken, TokenScope, User, UserSession
from app.auth.roles import Role, role_at_least
from app.auth.usernames import canonical, skeleton
from app.evidence.base import utcnow
from app.evidence.errors import Conflict, EvidenceError, NotFound

password_hash = PasswordHash.recommended()  # argon2id
TOKEN_PREFIX = "ceil_"
MIN_PASSWORD_LENGTH = 10
TOKEN_USE_GRANULARITY_S = 60  # a token's last use is recorded to the minute: at most one write a minute
log = logging.getLogger("ceiling.auth")


def _aware(moment: dt.datetime | None) -> dt.datetime | None:
    """SQLite returns naive datetimes; every stored time is UTC."""
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    return moment


def get_user(session: Session, username: str) -> User | None:
    """The user whose name looks like this one (usernames.skeleton: case, width and look-alike letters aside)."""
    return session.exec(select(User).where(User.username_key == skeleton(username))).first()


def create_user(session: Session, username: str, password: str, role: Role, display_name: str | None = None) -> User:
    username = canonical(username)
    if len(password) < MIN_PASSWORD_LENGTH:
        raise EvidenceError(f"a password has at least {MIN_PASSWORD_LENGTH} characters", field="password")
    if (twin := get_user(session, username)) is not None:
        same = "exists" if twin.username == username else f"looks the same as user {twin.username!r}"
        raise Conflict(f"user {username!r} {same}", field="username")
    user = User(
        username=username,
        password_hash=password_hash.hash(password),
        role=Role(role).value,
        display_name=display_name,
    )
    session.add(user)
    session.flush()
    return user


def set_password(session: Session, user: User, password: str) -> int:
    """Set a new password; every session and every API token of the user ends (a password change is what a
    user does who fears the old one leaked, and a token made with it may have leaked too). Returns the number
    of tokens revoked."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise EvidenceError(f"a password has at least {MIN_PASSWORD_LENGTH} characters", field="password")
    user.password_hash = password_hash.hash(password)
    user.version += 1
    user.updated_at = utcnow()
    session.add(user)
    session.flush()
    revoke_sessions(session, user.id)
    return revoke_tokens(session, user.id)


def revoke_tokens(session: Session, user_id: int) -> int:
    """Revoke every live API token of the user."""
    result = session.exec(
        update(ApiToken).where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None)).values(revoked_at=utcnow())
    )
    return result.rowcount or 0


def set_active(session: Session, user: User, active: bool) -> None:
    """Deactivate (every session of the user ends; tokens stop working) or reactivate a user."""
    user.is_active = active
    user.version += 1
    user.updated_at = utcnow()
    session.add(user)
    session.flush()
    if not active:
        revoke_sessions(session, user.id)


def revoke_sessions(session: Session, user_id: int) -> int:
    """End every open sign-in session of the user (their old cookies are refused from now on)."""
    result = session.exec(
        update(UserSession)
        .where(UserSession.user_id == user_id, UserSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    return result.rowcount or 0


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The active user whose password matches, or None; a hash is checked even for unknown names (timing)."""
    user = get_user(session, username)
    if user is None:
        password_hash.verify(password, _DUMMY_HASH)
        return None
    if not user.is_active or not password_hash.verify(password, user.password_hash):
        return None
    user.last_login_at = utcnow()
    session.add(user)
    return user


_DUMMY_HASH = password_hash.hash("not-a-real-password")


def _digest(token: str) -> str:
    """Tokens carry 256 random bits, so a plain SHA-256 is a safe one-way store (no salt or stretching needed)."""
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(
    session: Session, user: User, name: str, scope: TokenScope, expires_at: dt.datetime | None = None
) -> tuple[ApiToken, str]:
    """A new token for the user; the plain token is returned once and never stored."""
    if scope == TokenScope.write and not role_at_least(user.role, Role.analyst):
        raise EvidenceError(f"a {user.role} cannot hold a write token", field="scope")
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id,
        name=name,
        prefix=plain[:12],
        token_hash=_digest(plain),
        scope=TokenScope(scope).value,
        expires_at=expires_at,
    )
    session.add(token)
    session.flush()
    return token, plain


def user_for_token(session: Session, plain: str) -> tuple[User, ApiToken] | None:
    """The user and token for a bearer token that is known, unrevoked, unexpired and of an active user."""
    token = session.exec(select(ApiToken).where(ApiToken.token_hash == _digest(plain))).first()
    if token is None or token.revoked_at is not None:
        return None
    expires = _aware(token.expires_at)
    if expires is not None and expires <= utcnow():
        return None
    user = session.get(User, token.user_id)
    if user is None or not user.is_active:
        return None
    return user, token


def token_use_is_stale(token: ApiToken) -> bool:
    """Whether the token's recorded last use is older than TOKEN_USE_GRANULARITY_S (or missing)."""
    last = _aware(token.last_used_at)
    return last is None or utcnow() - last >= dt.timedelta(seconds=TOKEN_USE_GRANULARITY_S)


def record_token_use(engine: Engine, token_id: int) -> None:
    """Record that a token was used, in a transaction of its own on its own connection.

    Never in the request's transaction: on SQLite that UPDATE took the database's one write lock and held it
    until the request ended, so a long read with a token made every concurrent save wait (docs/security.md).
    Callers run this after the response is sent; a failure (the database busy) is logged and dropped, as the
    time is bookkeeping, to the nearest TOKEN_USE_GRANULARITY_S."""
    cutoff = utcnow() - dt.timedelta(seconds=TOKEN_USE_GRANULARITY_S)
    try:
        with engine.begin() as connection:
            connection.execute(
                update(ApiToken)
                .where(ApiToken.id == token_id)
                .where(or_(ApiToken.last_used_at.is_(None), ApiToken.last_used_at < cutoff))
                .values(last_used_at=utcnow())
            )
    except SQLAlchemyError as error:
        log.info("token %s use not recorded: %s", token_id, type(error).__name__)


def revoke_token(session: Session, token_id: int, owner_id: int | None = None) -> ApiToken:
    """Revoke a token; with owner_id, only a token of that user (another's is not found, so ids leak nothing)."""
    token = session.get(ApiToken, token_id)
    if token is None or (owner_id is not None and token.user_id != owner_id):
        raise NotFound(f"no token {token_id}", field="token_id")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        session.add(token)
        session.flush()
    return token


def tokens_of(session: Session, user_id: int | None = None) -> list[ApiToken]:
    query = select(ApiToken).order_by(ApiToken.id)
    if user_id is not None:
        query = query.where(ApiToken.user_id == user_id)
    return list(session.exec(query))


def bootstrap_admin(session: Session) -> tuple[User, str] | None:
    """On a database without users, create `admin` with a random password and return it (shown once)."""
    if session.exec(select(User.id).limit(1)).first() is not None:
        return None
    password = secrets.token_urlsafe(15)
    return create_user(session, "admin", password, Role.admin, "Administrator"), password
