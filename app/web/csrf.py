"""CSRF protection: one random token per session, required in every POSTed form.

The token lives in the signed session cookie and is echoed in a hidden field; a POST whose field is
missing or differs is refused with 403 before the route runs. Together with SameSite=Lax cookies this
stops cross-site form posts.
"""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import Depends, Request
from starlette.datastructures import FormData

FIELD = "csrf_token"
SESSION_KEY = "csrf"


class CsrfRefused(Exception):
    """A POST without the session's CSRF token."""


def token(request: Request) -> str:
    """The session's CSRF token, created on first use."""
    value = request.session.get(SESSION_KEY)
    if not value:
        value = secrets.token_urlsafe(32)
        request.session[SESSION_KEY] = value
    return value


def rotate(request: Request) -> None:
    """A fresh token (after sign-in and sign-out)."""
    request.session[SESSION_KEY] = secrets.token_urlsafe(32)


async def checked_form(request: Request) -> FormData:
    """The POSTed form, once its CSRF token has been checked against the session's."""
    form = await request.form()
    sent = form.get(FIELD)
    expected = request.session.get(SESSION_KEY)
    if not isinstance(sent, str) or not expected or not secrets.compare_digest(sent, expected):
        raise CsrfRefused()
    return form


CsrfForm = Annotated[FormData, Depends(checked_form)]
