"""Self-service API tokens: every signed-in user lists, creates and revokes their own (read scope for viewers,
write for analysts and up; app/auth/service.py refuses a write token to a viewer whatever the form says)."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlmodel import Session
from starlette.datastructures import FormData

from app.auth import service
from app.auth.models import TokenScope, User
from app.auth.roles import Role, role_at_least
from app.evidence.base import utcnow
from app.evidence.errors import EvidenceError
from app.web.csrf import CsrfForm
from app.web.forms.formdata import text
from app.web.render import flash, render
from app.web.signin import Member, PageSession, load_user

router = APIRouter(prefix="/account/tokens", dependencies=[Depends(load_user)], include_in_schema=False)
MAX_DAYS = 3650


def scopes_for(user: User) -> list[TokenScope]:
    """The scopes this user may hold: write only for analysts and up."""
    return [s for s in TokenScope if s is TokenScope.read or role_at_least(user.role, Role.analyst)]


def read_token_form(form: FormData, names: tuple[str, ...]) -> tuple[dict, dict, dt.datetime | None]:
    """The typed values of a token form, the errors beside their fields and the expiry they ask for."""
    values = {name: text(form, name) for name in names}
    errors = {}
    if not values["name"].strip():
        errors["name"] = "Required: what the token is for."
    if values["scope"] not in TokenScope.__members__:
        errors["scope"] = "Choose read or write."
    days = values["expires_days"].strip()
    if days and (not days.isdigit() or not 1 <= int(days) <= MAX_DAYS):
        errors["expires_days"] = f"A whole number of days from 1 to {MAX_DAYS}, or empty for no expiry."
    expires = utcnow() + dt.timedelta(days=int(days)) if days and "expires_days" not in errors else None
    return values, errors, expires


def _page(request: Request, session: Session, user: User, values=None, errors=None, created=None) -> HTMLResponse:
    context = {
        "tokens": service.tokens_of(session, user.id),
        "scopes": [(s.value, s.value) for s in scopes_for(user)],
        "values": values or {"scope": "read", "expires_days": "90"},
        "errors": errors or {},
        "created": created,
    }
    response = render(request, "account_tokens.html", context, status_code=422 if errors else 200)
    response.headers["Cache-Control"] = "no-store"  # the page may hold a token's secret
    return response


@router.get("", response_class=HTMLResponse)
def my_tokens(request: Request, session: PageSession, user: Member) -> HTMLResponse:
    """Your API tokens (never their secret) and the form to create one."""
    return _page(request, session, user)


@router.post("", response_class=HTMLResponse)
def create_my_token(request: Request, form: CsrfForm, session: PageSession, user: Member) -> HTMLResponse:
    """Create a token for yourself; its secret is shown on this page once and never again."""
    values, errors, expires = read_token_form(form, ("name", "scope", "expires_days"))
    if errors:
        return _page(request, session, user, values, errors)
    try:
        token, plain = service.create_token(session, user, values["name"].strip(), TokenScope(values["scope"]), expires)
    except EvidenceError as error:
        session.rollback()
        return _page(request, session, user, values, {error.field or "form": error.message})
    return _page(request, session, user, created={"token": token, "plain": plain})


@router.post("/{token_id:int}/revoke")
def revoke_my_token(request: Request, token_id: int, form: CsrfForm, session: PageSession, user: Member):
    """Revoke one of your tokens at once; another user's token is not found here."""
    try:
        service.revoke_token(session, token_id, owner_id=user.id)
        flash(request, f"Token {token_id} revoked.", "ok")
    except EvidenceError as error:
        flash(request, error.message, "error")
    return RedirectResponse("/account/tokens", status_code=303)
