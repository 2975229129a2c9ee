"""Sign-in, sign-out and changing one's own password."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from app.auth import service
from app.auth.roles import Role
from app.db.session import SettingsDep
from app.evidence.errors import EvidenceError
from app.web.csrf import CsrfForm
from app.web.render import flash, render
from app.web.signin import CurrentUser, PageSession, load_user, require, sign_in, sign_out

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


@router.post("/login", response_class=HTMLResponse)
def login(request: Request, form: CsrfForm, session: PageSession, settings: SettingsDep):
    """Check the name and password; failed attempts are counted and throttled per name and client."""
    username = str(form.get("username", "")).strip()
    password = str(form.get("password", ""))
    target = safe_next(str(form.get("next", "/")))
    context = {"values": {"username": username}, "errors": {}, "next": target}
    client = request.client.host if request.client else None
    if service.login_throttled(session, username, client, settings.login_max_failures, settings.login_window_s):
        minutes = max(1, settings.login_window_s // 60)
        context["errors"]["form"] = (
            f"Too many failed sign-ins for this name from here. Try again in about {minutes} minutes."
        )
        return render(request, "login.html", context, status_code=429)
    user = service.authenticate(session, username, password) if username and password else None
    if user is None:
        service.record_login_failure(session, username, client)
        context["errors"]["form"] = "The name or password is wrong (or the account is deactivated)."
        return render(request, "login.html", context, status_code=401)
    sign_in(request, session, user, settings.session_max_age_s)
    flash(request, f"Signed in as {user.username}.", "ok")
    return RedirectResponse(target, status_code=303)


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
    if service.authenticate(session, user.username, current) is None:
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
