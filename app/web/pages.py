"""Page routes of the web app: thin adapters that call the services and render templates."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app.auth.service import role_at_least
from app.evidence import stats
from app.evidence.enums import Role
from app.evidence.services import queue
from app.web.render import WEB_DIR, render, templates  # noqa: F401  (WEB_DIR and templates: used by app.main)
from app.web.signin import PageSession, load_user

router = APIRouter()


@router.get("/healthz", tags=["health"])
def healthz(request: Request) -> JSONResponse:
    """Liveness and database check: 200 when the database answers, 503 with the reason when it does not."""
    try:
        with request.app.state.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        reason = str(error.orig if getattr(error, "orig", None) else error).splitlines()[0][:300]
        return JSONResponse({"status": "unavailable", "database": "down", "reason": reason}, status_code=503)
    return JSONResponse({"status": "ok", "database": "up"})


@router.get("/", response_class=HTMLResponse, include_in_schema=False, dependencies=[Depends(load_user)])
def home(request: Request, session: PageSession) -> HTMLResponse:
    """Home page: what the store holds, by aspect, and the way to the latest report."""
    context = {"totals": stats.totals(session), "aspects": stats.counts_by_aspect(session)}
    who = request.state.who
    if who is not None and role_at_least(who.role, Role.analyst):
        waiting = queue.waiting_for(session, who.id, who.role)
        context["review"] = {
            "statuses": queue.status_counts(session),
            "waiting": {name: sum(1 for item in waiting if item.kind == kind) for kind, name in queue.KINDS.items()},
        }
    return render(request, "home.html", context)
