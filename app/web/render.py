"""Template rendering shared by every page: the signed-in user, the CSRF token and flash messages."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from app.auth.roles import Role, role_at_least
from app.evidence.services.common import may_restore
from app.text import shorten
from app.web import csrf

WEB_DIR = Path(__file__).resolve().parent
templates = Jinja2Templates(directory=WEB_DIR / "templates")

SUFFIXES = ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K"))


def format_params(value: float | None) -> str:
    """A parameter count for people: 7e10 -> '70B', 1.3e9 -> '1.3B'; empty when unknown."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    for size, suffix in SUFFIXES:
        if value >= size:
            return f"{value / size:.3g}{suffix}"
    return f"{value:g}"


def flash(request: Request, message: str, kind: str = "info") -> None:
    """Queue a message for the next page this visitor sees (kept in the signed session cookie)."""
    request.session.setdefault("flashes", []).append([kind, message[:400]])


def announce(request: Request, message: str) -> None:
    """Flash a save's outcome; how it moved the assessment follows when computed (app/web/movement.py)."""
    flash(request, message, "ok")


def _pop_flashes(request: Request) -> list[list[str]]:
    from app.web.movement import pending_flashes

    flashes = request.session.pop("flashes", []) if "flashes" in request.session else []
    return flashes + pending_flashes(request)


def can(user: Any, role: str) -> bool:
    """In templates: whether the signed-in user holds at least this role."""
    return user is not None and role_at_least(user.role, Role(role))


def review_badge(request: Request) -> int:
    """How many items wait in the signed-in analyst's review queue (0 for readers); counted once per page."""
    user = getattr(request.state, "who", None)
    if not can(user, "analyst"):
        return 0
    if not hasattr(request.state, "review_badge"):
        from app.db.session import session_scope
        from app.evidence.services import queue

        with session_scope(request.app.state.engine) as session:
            request.state.review_badge = queue.count_waiting(session, user.id, user.role)
    return request.state.review_badge


def render(request: Request, name: str, context: dict | None = None, status_code: int = 200) -> HTMLResponse:
    """Render a page with what every page needs: the user, a CSRF token factory and pending messages."""
    full = {
        "user": getattr(request.state, "who", None),
        "csrf_token": lambda: csrf.token(request),
        "flashes": _pop_flashes(request),
        "can": can,
        "may_restore": lambda user: user is not None and may_restore(user.role),
        "review_badge": lambda: review_badge(request),
    }
    full.update(context or {})
    return templates.TemplateResponse(request, name, full, status_code=status_code)


templates.env.filters["params"] = format_params
templates.env.filters["shorten"] = shorten
