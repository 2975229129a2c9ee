"""Sign-in sessions: a signed, HttpOnly, SameSite=Lax cookie holding a random session id, and role checks.

The cookie is signed with settings.secret_key (itsdangerous, via Starlette's SessionMiddleware) and
marked Secure when settings.secure_cookies is on. The session id names a `user_session` row
(app/auth/sessions.py): signing out, a changed password, a deactivated user, an admin's "sign out
everywhere" or the end of its lifetime revokes the row, and the old cookie is refused from then on,
on every replica. Every page and action checks the role on the server.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request, Response
from itsdangerous import BadSignature, URLSafeSerializer
from sqlmodel import Session

from app.auth import sessions
from app.auth.models import User
from app.auth.roles import Role, role_at_least
from app.auth.throttle import Attempt, Limits, device_id
from app.auth.usernames import skeleton
from app.config import Settings
from app.db.session import SessionDep, SettingsDep
from app.evidence.history import Actor
from app.evidence.services import visibility
from app.web import csrf
from app.web.render import can

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


def _client(request: Request) -> str | None:
    return request.client.host if request.client else None


DEVICE_COOKIE = "ceiling_device"
DEVICE_MAX_AGE_S = 365 * 24 * 3600


def _devices(settings: Settings) -> URLSafeSerializer:
    return URLSafeSerializer(settings.secret_key, salt="ceiling.device")


def attempt(request: Request, settings: Settings, username: str) -> Attempt:
    """A password check by this client; with a valid device cookie for this name, counted per device."""
    device = None
    try:
        held = _devices(settings).loads(request.cookies.get(DEVICE_COOKIE, ""))
        if isinstance(held, dict) and held.get("user") == skeleton(username) and isinstance(held.get("nonce"), str):
            device = device_id(held["nonce"])
    except BadSignature:
        pass
    return Attempt(username, _client(request), device)


def remember_device(response: Response, settings: Settings, username: str) -> None:
    """After a right password: this browser is known for this user (its own throttle, docs/security.md)."""
    value = _devices(settings).dumps({"user": skeleton(username), "nonce": secrets.token_urlsafe(24)})
    response.set_cookie(
        DEVICE_COOKIE, value, max_age=DEVICE_MAX_AGE_S, httponly=True, samesite="lax", secure=settings.secure_cookies
    )


def limits(settings: Settings) -> Limits:
    return Limits(
        settings.login_max_failures,
        settings.login_client_max_failures,
        settings.login_global_max_failures,
        settings.login_window_s,
    )


def sign_in(request: Request, session: Session, user: User, max_age_s: int) -> None:
    """Start a fresh session for the user (nothing of the anonymous session is kept but a new CSRF token)."""
    old = request.session.get("sid")
    if old:
        sessions.revoke(session, old)
    request.session.clear()
    request.session["sid"] = sessions.start(session, user, max_age_s, _client(request))
    csrf.rotate(request)
    _remember(request, user)


def sign_out(request: Request, session: Session | None = None) -> None:
    """End the session: its row is revoked (when a database session is given) and the cookie emptied."""
    sid = request.session.get("sid")
    if sid and session is not None:
        sessions.revoke(session, sid)
    request.session.clear()
    csrf.rotate(request)
    _remember(request, None)


def load_user(request: Request, session: PageSession) -> User | None:
    """The signed-in user of this request, or None; a revoked, expired or unknown session is cleared.

    An analyst (or above) sees unpublished claims too (app/evidence/services/visibility.py)."""
    if hasattr(request.state, "user"):
        return request.state.user
    user = None
    sid = request.session.get("sid")
    if sid:
        user = sessions.user_for(session, str(sid))
        if user is None:
            sign_out(request)
    elif "uid" in request.session:  # a cookie from before server-side sessions: no longer valid
        sign_out(request)
    _remember(request, user)
    if can(user, "analyst"):
        visibility.restrict(session, False)
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
Member = Annotated[User, Depends(require(Role.viewer))]
Analyst = Annotated[User, Depends(require(Role.analyst))]
Editor = Annotated[User, Depends(require(Role.editor))]
Admin = Annotated[User, Depends(require(Role.admin))]


def actor(user: User) -> Actor:
    """The user as the author of a write in the revision log."""
    return Actor(user.username, user.id, user.role)
