"""The confidence page: the engine's suggested grade per aspect, and analysts' overrides with their reasons."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlmodel import Session

from app.assessment.live import current_assessment
from app.evidence.enums import Grade
from app.evidence.errors import EvidenceError
from app.evidence.services import overrides
from app.evidence.services.vocabulary import all_of
from app.web.csrf import CsrfForm
from app.web.forms.formdata import typed
from app.web.movement import write_and_describe
from app.web.render import announce, render
from app.web.signin import Analyst, PageSession, actor, load_user

router = APIRouter(dependencies=[Depends(load_user)], include_in_schema=False)
GRADES = [(g.value, g.value.replace("_", " ")) for g in Grade]


def _page(request: Request, session: Session, values=None, errors=None, status: int = 200) -> HTMLResponse:
    assessment = current_assessment(session, request.app.state.settings)
    context = {
        "rows": assessment.aspects,
        "overrides": {row.aspect_key: row for row in overrides.all_overrides(session)},
        "aspects": [(a.key, a.name) for a in all_of(session, "aspects")],
        "grades": GRADES,
        "values": values or {},
        "errors": errors or {},
    }
    return render(request, "grade_overrides.html", context, status_code=status)


@router.get("/confidence", response_class=HTMLResponse)
def confidence_page(request: Request, session: PageSession, user: Analyst) -> HTMLResponse:
    """Each aspect's suggested confidence grade with its reasons, and the form to override it."""
    return _page(request, session)


@router.post("/confidence", response_class=HTMLResponse)
def set_confidence(request: Request, form: CsrfForm, session: PageSession, user: Analyst):
    """Override an aspect's confidence grade with a written reason (the suggestion stays visible)."""
    values = typed(form, ("aspect", "grade", "reason"))
    if values["grade"] not in {g.value for g in Grade}:
        return _page(request, session, values, {"grade": "Choose a grade."}, status=422)
    try:
        write_and_describe(
            request,
            session,
            lambda: overrides.set_override(session, values["aspect"], values["grade"], values["reason"], actor(user)),
        )
    except EvidenceError as error:
        session.rollback()
        return _page(request, session, values, {error.field or "aspect": error.message}, status=422)
    announce(request, f"Confidence of {values['aspect']} set to {values['grade'].replace('_', ' ')}.")
    return RedirectResponse("/confidence", status_code=303)


@router.post("/confidence/{aspect_key}/clear", response_class=HTMLResponse)
def clear_confidence(request: Request, aspect_key: str, form: CsrfForm, session: PageSession, user: Analyst):
    """Remove an aspect's override: the engine's grade applies again."""
    try:
        write_and_describe(request, session, lambda: overrides.clear_override(session, aspect_key, actor(user)))
    except EvidenceError as error:
        session.rollback()
        return _page(request, session, {}, {"aspect": error.message}, status=404)
    announce(request, f"Override of {aspect_key} removed.")
    return RedirectResponse("/confidence", status_code=303)
