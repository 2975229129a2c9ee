"""Page routes of the web app: thin adapters that call the services and render templates."""

from __future__ import annotations

import json

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup
from sqlmodel import Session

from app.assessment.live import current_assessment
from app.auth.roles import Role, role_at_least
from app.config import Settings
from app.db.session import SettingsDep
from app.evidence import stats
from app.evidence.services import queue
from app.reports import snapshots
from app.reports.render import ANSWER_CSS, answer, render_answer
from app.web.render import render
from app.web.signin import PageSession, load_user

router = APIRouter()


def _answer(session: Session, settings: Settings) -> dict:
    """The answer of the latest published report (with its direction since the one before), or, before the
    first report, of the live assessment."""
    row = snapshots.latest(session)
    if row is None:
        live = current_assessment(session, settings).model_dump(mode="json")
        return {"view": answer(live), "source": "live", "row": None}
    previous = snapshots.previous_of(session, row)
    before = json.loads(previous.assessment_json) if previous else None
    since = snapshots.snapshot_meta(previous)["created_at"] if previous else None
    return {"view": answer(json.loads(row.assessment_json), before, since), "source": "report", "row": row}


@router.get("/", response_class=HTMLResponse, include_in_schema=False, dependencies=[Depends(load_user)])
def home(request: Request, session: PageSession, settings: SettingsDep) -> HTMLResponse:
    """Home page: the answer (one card per aspect and the Summary of Findings), then what the store holds."""
    who = request.state.who
    if who is None and not settings.public_reads:  # reads need a sign-in: the page only says where to sign in
        return render(request, "home.html", {"signed_out": True})
    found = _answer(session, settings)
    context = {
        "answer_html": render_answer(found["view"], "/reports/latest"),
        "answer_css": Markup(ANSWER_CSS),
        "report": found["row"] and snapshots.snapshot_meta(found["row"]),
        **stats.cached_home_counts(session),
    }
    if who is not None and role_at_least(who.role, Role.analyst):
        waiting = queue.waiting_for(session, who.id, who.role)
        context["review"] = {
            "statuses": queue.status_counts(session),
            "waiting": {name: sum(1 for item in waiting if item.kind == kind) for kind, name in queue.KINDS.items()},
        }
    return render(request, "home.html", context)
