"""Admin pages: users (list, create, role, deactivate, password) and API tokens (list, create once, revoke)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlmodel import Session, select

from app.auth import service
from app.auth.models import TokenScope, User
from app.auth.roles import Role
from app.evidence.base import utcnow
from app.evidence.errors import EvidenceError
from app.web.account_tokens import read_token_form
from app.web.csrf import CsrfForm
from app.web.forms.formdata import text
from app.web.lookup import row_or_404
from app.web.render import flash, render
from app.web.signin import Admin, PageSession, load_user

router = APIRouter(prefix="/admin", dependencies=[Depends(load_user)], include_in_schema=False)
ROLES = [(r.value, r.value) for r in Role]


def _users_page(request: Request, session: Session, values=None, errors=None, status=200) -> HTMLResponse:
    users = list(session.exec(select(User).order_by(User.id)))
    context = {"users": users, "roles": ROLES, "values": values or {"role": "analyst"}, "errors": errors or {}}
    return render(request, "admin_users.html", context, status_code=status)


@router.get("/users", response_class=HTMLResponse)
def users_page(request: Request, session: PageSession, admin: Admin) -> HTMLResponse:
    """All users with their roles, and the form to add one."""
    return _users_page(request, session)


@router.post("/users", response_class=HTMLResponse)
def create_user(request: Request, form: CsrfForm, session: PageSession, admin: Admin):
    """Create a user with a role and an initial password."""
    values = {name: text(form, name) for name in ("username", "display_name", "role")}
    try:
        role = Role(values["role"])
        user = service.create_user(
            session, values["username"], text(form, "password"), role, values["display_name"].strip() or None
        )
    except ValueError:
        return _users_page(request, session, values, {"role": "Choose a role."}, status=422)
    except EvidenceError as error:
        session.rollback()
        return _users_page(request, session, values, {error.field or "username": error.message}, status=422)
    flash(request, f"User {user.username} created ({user.role}).", "ok")
    return RedirectResponse("/admin/users", status_code=303)


def _other_user(session: Session, user_id: int, admin: User) -> User | None:
    """The user to change; an admin cannot demote or deactivate themselves (no lock-out)."""
    return None if user_id == admin.id else row_or_404(session, User, user_id)


@router.post("/users/{user_id:int}/role")
def change_role(request: Request, user_id: int, form: CsrfForm, session: PageSession, admin: Admin):
    """Change a user's role."""
    user = _other_user(session, user_id, admin)
    if user is None:
        flash(request, "You cannot change your own role; ask another admin.", "error")
    elif text(form, "role") not in Role.__members__:
        flash(request, "Unknown role.", "error")
    else:
        user.role = text(form, "role")
        user.version += 1
        user.updated_at = utcnow()
        session.add(user)
        flash(request, f"{user.username} is now {user.role}.", "ok")
    return RedirectResponse("/admin/users", status_code=303)


@router.post("/users/{user_id:int}/active")
def set_active(request: Request, user_id: int, form: CsrfForm, session: PageSession, admin: Admin):
    """Deactivate a user (signed out everywhere, tokens stop working) or reactivate them."""
    user = _other_user(session, user_id, admin)
    if user is None:
        flash(request, "You cannot deactivate yourself.", "error")
    else:
        service.set_active(session, user, text(form, "active") == "yes")
        flash(request, f"{user.username} {'reactivated' if user.is_active else 'deactivated'}.", "ok")
    return RedirectResponse("/admin/users", status_code=303)


@router.post("/users/{user_id:int}/sessions/revoke")
def revoke_sessions(request: Request, user_id: int, form: CsrfForm, session: PageSession, admin: Admin):
    """Sign a user out everywhere: every open session of theirs is revoked."""
    user = row_or_404(session, User, user_id)
    ended = service.revoke_sessions(session, user.id)
    flash(request, f"{user.username} signed out everywhere ({ended} session(s) ended).", "ok")
    return RedirectResponse("/admin/users", status_code=303)


@router.post("/users/{user_id:int}/password")
def reset_password(request: Request, user_id: int, form: CsrfForm, session: PageSession, admin: Admin):
    """Set a user's password (their sessions end and their API tokens are revoked)."""
    user = row_or_404(session, User, user_id)
    try:
        revoked = service.set_password(session, user, text(form, "password"))
        flash(request, f"Password of {user.username} changed; {revoked} API token(s) of theirs revoked.", "ok")
    except EvidenceError as error:
        flash(request, f"{user.username}: {error.message}", "error")
    return RedirectResponse("/admin/users", status_code=303)


def _tokens_page(request: Request, session: Session, values=None, errors=None, **extra) -> HTMLResponse:
    users = {u.id: u for u in session.exec(select(User).order_by(User.username))}
    context = {
        "tokens": service.tokens_of(session),
        "users": users,
        "user_options": [(u.username, f"{u.username} ({u.role})") for u in users.values()],
        "scopes": [(s.value, s.value) for s in TokenScope],
        "values": values or {"scope": "read"},
        "errors": errors or {},
        **extra,
    }
    response = render(request, "admin_tokens.html", context, status_code=422 if errors else 200)
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/tokens", response_class=HTMLResponse)
def tokens_page(request: Request, session: PageSession, admin: Admin) -> HTMLResponse:
    """All API tokens (never their secret) and the form to create one."""
    return _tokens_page(request, session)


@router.post("/tokens", response_class=HTMLResponse)
def create_token(request: Request, form: CsrfForm, session: PageSession, admin: Admin) -> HTMLResponse:
    """Create a token; its secret is shown on this page once and never again."""
    values, errors, expires = read_token_form(form, ("username", "name", "scope", "expires_days"))
    owner = service.get_user(session, values["username"])
    if owner is None:
        errors["username"] = "Choose a user."
    if errors:
        return _tokens_page(request, session, values, errors)
    try:
        token, plain = service.create_token(
            session, owner, values["name"].strip(), TokenScope(values["scope"]), expires
        )
    except EvidenceError as error:
        session.rollback()
        return _tokens_page(request, session, values, {error.field or "form": error.message})
    return _tokens_page(request, session, created={"token": token, "plain": plain, "owner": owner})


@router.post("/tokens/{token_id:int}/revoke")
def revoke_token(request: Request, token_id: int, form: CsrfForm, session: PageSession, admin: Admin):
    """Revoke a token at once."""
    try:
        service.revoke_token(session, token_id)
        flash(request, f"Token {token_id} revoked.", "ok")
    except EvidenceError as error:
        flash(request, error.message, "error")
    return RedirectResponse("/admin/tokens", status_code=303)
