"""Every page of the web app in one router, and its wiring: the session middleware and the error pages."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.middleware.sessions import SessionMiddleware

from app.config import Settings
from app.web import (
    account_tokens,
    admin,
    admin_webhooks,
    auth_pages,
    browse,
    detail,
    grade_overrides,
    import_pages,
    movement,
    pages,
    report_review,
    reports,
    review_pages,
    timeline,
)
from app.web.csrf import CsrfRefused
from app.web.forms import claim as claim_form
from app.web.forms import critique as critique_form
from app.web.forms import source as source_form
from app.web.lookup import PageNotFound
from app.web.render import render
from app.web.signin import COOKIE, Forbidden, SignInRequired

PAGE_MODULES = (
    pages,
    report_review,
    timeline,
    reports,
    auth_pages,
    browse,
    source_form,
    claim_form,
    critique_form,
    detail,
    grade_overrides,
    admin,
    account_tokens,
    import_pages,
    review_pages,
    admin_webhooks,
    movement,  # JSON for the pages' script, not a page
)
router = APIRouter()
for module in PAGE_MODULES:
    router.include_router(module.router)


def _error_page(request: Request, status: int, title: str, message: str) -> HTMLResponse:
    return render(request, "error.html", {"title": title, "message": message}, status_code=status)


async def _csrf_refused(request: Request, _error: Exception) -> HTMLResponse:
    message = (
        "This form was sent without a valid security token, so it was refused. This happens when the page was "
        "open for a long time or you signed in or out in another tab. Go back, reload the page and send it again."
    )
    return _error_page(request, 403, "Form refused", message)


async def _sign_in_required(request: Request, _error: Exception) -> RedirectResponse:
    target = request.url.path if request.method == "GET" else "/"
    if request.method == "GET" and request.url.query:
        target += "?" + request.url.query
    return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)


async def _forbidden(request: Request, error: Exception) -> HTMLResponse:
    needed = getattr(error, "needed", "a higher role")
    return _error_page(request, 403, "Not allowed", f"This page or action needs the {needed} role.")


async def _not_found(request: Request, error: Exception) -> HTMLResponse:
    return _error_page(request, 404, "Not found", str(error) or "There is nothing at this address.")


def install(app: FastAPI, settings: Settings) -> None:
    """Add the signed session cookie and the error pages to the app."""
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key,
        session_cookie=COOKIE,
        max_age=settings.session_max_age_s,
        same_site="lax",
        https_only=settings.secure_cookies,
    )
    app.add_exception_handler(CsrfRefused, _csrf_refused)
    app.add_exception_handler(SignInRequired, _sign_in_required)
    app.add_exception_handler(Forbidden, _forbidden)
    app.add_exception_handler(PageNotFound, _not_found)
