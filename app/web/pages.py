"""Page routes of the web app: thin adapters that call the services and render templates."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.templating import Jinja2Templates
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app.deps import SessionDep
from app.evidence import stats

WEB_DIR = Path(__file__).resolve().parent
templates = Jinja2Templates(directory=WEB_DIR / "templates")
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


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def home(request: Request, session: SessionDep) -> HTMLResponse:
    """Home page: what the store holds, by aspect, and the way to the latest report."""
    context = {"totals": stats.totals(session), "aspects": stats.counts_by_aspect(session)}
    return templates.TemplateResponse(request, "home.html", context)
