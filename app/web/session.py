"""Sign-in sessions: a signed, HttpOnly, SameSite=Lax cookie holding the user id, and role checks.

The cookie is signed with settings.secret_key (itsdangerous, via Starlette's SessionMiddleware) and
marked Secure when settings.secure_cookies is on. Besides the user id it holds a fingerprint of the
password hash and the sign-in time: a changed password, a deactivated user or an expired session
signs the browser out on its next request. Every page and action checks the role on the server.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from app.auth.models import User
from app.auth.service import role_at_least
from app.deps import SessionDep, SettingsDep
from app.evidence.enums import Role
from app.evidence.history import Actor
from app.web import csrf

COOKIE = "ceiling_session"

PageSession = SessionDep


@dataclass(frozen=True)
class SignedIn:
    """What the pages show of the signed-in user; plain data, safe to use after the request's session ends."""

    id: int
    username: str
    role: str
    display_name: str | None


def _remember(request: Request, user: User | None) -> None:
    request.state.user = user
    request.state.who = SignedIn(user.id, user.username, user.role, user.display_name) if user is not None else None


class SignInRequired(Exception):
    """The page needs a signed-in user; the visitor is sent to the sign-in page."""


class Forbidden(Exception):
    """The signed-in user's role is too low for the page or action."""

    def __init__(self, needed: Role):
        super().__init__(needed)
        self.needed = needed


def _password_fingerprint(user: User) -> str:
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def sign_in(request: Request, user: User) -> None:
    """Start a fresh session for the user (nothing of the anonymous session is kept but a new CSRF token)."""
    request.session.clear()
    request.session.update(uid=user.id, pw=_password_fingerprint(user), at=int(time.time()))
    csrf.rotate(request)
    _remember(request, user)


def sign_out(request: Request) -> None:
    request.session.clear()
    csrf.rotate(request)
    _remember(request, None)


def load_user(request: Request, session: PageSession, settings: SettingsDep) -> User | None:
    """The signed-in user of this request, or None; an invalid session is cleared."""
    if hasattr(request.state, "user"):
        return request.state.user
    user = None
    uid = request.session.get("uid")
    if uid is not None:
        candidate = session.get(User, uid)
        fresh = time.time() - request.session.get("at", 0) < settings.session_max_age_s
        if (
            candidate is not None
            and candidate.is_active
            and fresh
            and request.session.get("pw") == _password_fingerprint(candidate)
        ):
            user = candidate
        else:
            sign_out(request)
    _remember(request, user)
    return user


CurrentUser = Annotated[User | None, Depends(load_user)]


def require(role: Role):
    """A dependency that yields the signed-in user holding at least `role`."""

    def dependency(user: CurrentUser) -> User:
        if user is None:
            raise SignInRequired()
        if not role_at_least(user.role, role):
            raise Forbidden(role)
        return user

    return dependency


def reader(user: CurrentUser, settings: SettingsDep) -> User | None:
    """Anyone when reads are public (settings.public_reads), otherwise a signed-in user."""
    if user is None and not settings.public_reads:
        raise SignInRequired()
    return user


Reader = Annotated[User | None, Depends(reader)]
Analyst = Annotated[User, Depends(require(Role.analyst))]
Editor = Annotated[User, Depends(require(Role.editor))]
Admin = Annotated[User, Depends(require(Role.admin))]


def actor(user: User) -> Actor:
    """The user as the author of a write in the revision log."""
    return Actor(user.username, user.id)
