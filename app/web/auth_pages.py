"""Sign-in, sign-out and changing one's own password."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from app.auth import service, throttle
from app.auth.roles import Role
from app.db.session import SettingsDep
from app.evidence.errors import EvidenceError
from app.web.csrf import CsrfForm
from app.web.render import flash, render
from app.web.signin import (
    CurrentUser,
    PageSession,
    attempt,
    limits,
    load_user,
    remember_device,
    require,
    sign_in,
    sign_out,
)

router = APIRouter(dependencies=[Depends(load_user)], include_in_schema=False)


def safe_next(target: str | None) -> str:
    """A local path to go to after sign-in; anything else (another site, a scheme) becomes '/'."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, user: CurrentUser, next: str = "/") -> HTMLResponse:
    """The sign-in form."""
    return render(request, "login.html", {"values": {"username": ""}, "errors": {}, "next": safe_next(next)})


def checked_password(request: Request, session, settings, username: str, password: str):
    """The active user whose password this is, None when wrong, or THROTTLED when the sign-in throttle refuses
    to check it at all (app/auth/throttle.py: the attempt is reserved first, released when right)."""
    engine = request.app.state.engine
    reservation = throttle.reserve(engine, attempt(request, settings, username), limits(settings))
    if reservation is None:
        return THROTTLED
    user = service.authenticate(session, username, password)
    if user is not None:
        throttle.release(engine, reservation, settings.login_window_s)
    return user


THROTTLED = object()


def _throttled(request: Request, template: str, context: dict, settings, field: str) -> HTMLResponse:
    minutes = max(1, settings.login_window_s // 60)
    context["errors"][field] = f"Too many wrong passwords. Try again in about {minutes} minutes."
    response = render(request, template, context, status_code=429)
    response.headers["Retry-After"] = str(settings.login_window_s)
    return response


@router.post("/login", response_class=HTMLResponse)
def login(request: Request, form: CsrfForm, session: PageSession, settings: SettingsDep):
    """Check the name and password; failed attempts are counted and throttled per name and client."""
    username = str(form.get("username", "")).strip()
    password = str(form.get("password", ""))
    target = safe_next(str(form.get("next", "/")))
    context = {"values": {"username": username}, "errors": {}, "next": target}
    user = checked_password(request, session, settings, username, password) if username and password else None
    if user is THROTTLED:
        return _throttled(request, "login.html", context, settings, "form")
    if user is None:
        context["errors"]["form"] = "The name or password is wrong (or the account is deactivated)."
        return render(request, "login.html", context, status_code=401)
    sign_in(request, session, user, settings.session_max_age_s)
    flash(request, f"Signed in as {user.username}.", "ok")
    response = RedirectResponse(target, status_code=303)
    remember_device(response, settings, user.username)
    return response


@router.post("/logout")
def logout(request: Request, form: CsrfForm, session: PageSession) -> RedirectResponse:
    """Sign out: the session is revoked on the server and the cookie emptied."""
    sign_out(request, session)
    flash(request, "Signed out.", "ok")
    return RedirectResponse("/", status_code=303)


@router.get("/account/password", response_class=HTMLResponse)
def password_page(request: Request, user=Depends(require(Role.viewer))) -> HTMLResponse:
    """The form to change one's own password."""
    return render(request, "password.html", {"errors": {}})


@router.post("/account/password", response_class=HTMLResponse)
def change_password(
    request: Request, form: CsrfForm, session: PageSession, settings: SettingsDep, user=Depends(require(Role.viewer))
):
    """Change one's own password (the current one is asked again); other sessions end, API tokens are revoked."""
    current, new, again = (str(form.get(name, "")) for name in ("current", "new", "again"))
    errors, revoked = {}, 0
    checked = checked_password(request, session, settings, user.username, current) if current else None
    if checked is THROTTLED:
        return _throttled(request, "password.html", {"errors": errors}, settings, "current")
    if checked is None:
        errors["current"] = "This is not your current password."
    elif new != again:
        errors["again"] = "The two new passwords differ."
    else:
        try:
            revoked = service.set_password(session, user, new)
        except EvidenceError as error:
            errors["new"] = error.message
    if errors:
        return render(request, "password.html", {"errors": errors}, status_code=422)
    sign_in(request, session, user, settings.session_max_age_s)
    tokens = f" and your {revoked} API token(s) revoked (make new ones)" if revoked else ""
    flash(request, f"Password changed. Other sessions of yours are signed out{tokens}.", "ok")
    return RedirectResponse("/", status_code=303)
