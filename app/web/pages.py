"""Page routes of the web app: thin adapters that call the services and render templates."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from app.auth.roles import Role, role_at_least
from app.evidence import stats
from app.evidence.services import queue
from app.web.render import render
from app.web.signin import PageSession, load_user

router = APIRouter()


@router.get("/", response_class=HTMLResponse, include_in_schema=False, dependencies=[Depends(load_user)])
def home(request: Request, session: PageSession) -> HTMLResponse:
    """Home page: what the store holds, by aspect, and the way to the latest report."""
    context = dict(stats.cached_home_counts(session))
    who = request.state.who
    if who is not None and role_at_least(who.role, Role.analyst):
        waiting = queue.waiting_for(session, who.id, who.role)
        context["review"] = {
            "statuses": queue.status_counts(session),
            "waiting": {name: sum(1 for item in waiting if item.kind == kind) for kind, name in queue.KINDS.items()},
        }
    return render(request, "home.html", context)
