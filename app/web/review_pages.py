"""Review pages: a claim's status moves and dual extractions, the blind extraction form, the side-by-side
comparison with the editor's resolution, the review queue and the agreement page. Thin adapters over
app/evidence/services/review.py, extraction.py and queue.py, which check the roles."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError
from sqlmodel import Session, select

from app.auth.models import User
from app.auth.roles import Role, role_at_least
from app.evidence import agreement as agreement_stats
from app.evidence.enums import ClaimStatus, Outcome, ParamsBasis, SafetyImpact, Stance
from app.evidence.errors import EvidenceError, NotAllowed, NotFound
from app.evidence.history import Actor
from app.evidence.models import Claim
from app.evidence.schemas.review import ExtractionIn
from app.evidence.services import extraction, queue, review, vocabulary
from app.web.csrf import CsrfForm
from app.web.forms.formdata import blank_to_none, exact_number, number, text, validation_errors
from app.web.lookup import PageNotFound, row_or_404
from app.web.movement import write_and_describe
from app.web.render import announce, flash, render
from app.web.signin import Analyst, PageSession, Reader, actor, load_user

router = APIRouter(dependencies=[Depends(load_user)], include_in_schema=False)


def _request_or_404(session: Session, request_id: int):
    try:
        return extraction.get(session, request_id)
    except NotFound as error:
        raise PageNotFound(error.message) from None


def _choices(enum) -> list[tuple[str, str]]:
    return [(m.value, m.value.replace("_", " ")) for m in enum]


def analysts(session: Session) -> list[User]:
    users = session.exec(select(User).where(User.is_active).order_by(User.username))
    return [u for u in users if role_at_least(u.role, Role.analyst)]


def claim_review_context(session: Session, claim: Claim, user: Any) -> dict:
    """The review box of a claim's page: the moves this user may make and the claim's dual extractions."""
    role = getattr(user, "role", None)
    return {
        "moves": [(to.value, review.verb(claim.status, to)) for to in review.moves_for(claim.status, role)],
        "requests": extraction.requests_for_claim(session, claim.id),
        "can_request": role is not None and Role(role) in review.EDITORS and claim.status in ("draft", "in_review"),
        "analysts": [(u.username, u.username) for u in analysts(session)],
    }


def _status_page(request, session, claim, values: dict, errors: dict, status_code: int) -> HTMLResponse:
    context = {
        "claim": claim,
        "values": values,
        "errors": errors,
        **claim_review_context(session, claim, request.state.who),
    }
    return render(request, "claim_review.html", context, status_code=status_code)


def _code(error: EvidenceError) -> int:
    """403 when the store refused the user's role or part, 422 for anything else wrong with the form."""
    return 403 if isinstance(error, NotAllowed) else 422


@router.post("/claims/{claim_id:int}/status", response_class=HTMLResponse)
def move_claim(request: Request, claim_id: int, form: CsrfForm, session: PageSession, user: Analyst):
    """Move the claim through the review workflow (reject needs a reason); shown again with the error."""
    claim = row_or_404(session, Claim, claim_id)
    values = {"status": text(form, "status"), "reason": text(form, "reason")}
    if values["status"] not in {s.value for s in ClaimStatus}:
        return _status_page(request, session, claim, values, {"status": "Choose a status."}, 422)
    try:
        write_and_describe(
            request,
            session,
            lambda: review.move(session, claim, values["status"], actor(user), user.role, values["reason"]),
        )
    except EvidenceError as error:
        session.rollback()
        claim = row_or_404(session, Claim, claim_id)
        return _status_page(request, session, claim, values, {error.field or "status": error.message}, _code(error))
    announce(request, f"Claim {claim.key} is now {values['status'].replace('_', ' ')}.")
    return RedirectResponse(f"/claims/{claim_id}", status_code=303)


@router.post("/claims/{claim_id:int}/extractions", response_class=HTMLResponse)
def request_extraction(request: Request, claim_id: int, form: CsrfForm, session: PageSession, user: Analyst):
    """Ask two analysts for independent extractions of the claim (an editor's step)."""
    claim = row_or_404(session, Claim, claim_id)
    values = {name: text(form, name) for name in ("first_analyst", "second_analyst", "note")}
    try:
        people = []
        for field in ("first_analyst", "second_analyst"):
            found = next((u for u in analysts(session) if u.username == values[field]), None)
            if found is None:
                raise EvidenceError("Choose an analyst.", field=field)
            people.append(Actor(found.username, found.id, found.role))
        row = extraction.start(session, claim, actor(user), user.role, *people, values["note"])
    except EvidenceError as error:
        session.rollback()
        claim = row_or_404(session, Claim, claim_id)
        errors = {error.field or "first_analyst": error.message}
        return _status_page(request, session, claim, values, errors, _code(error))
    flash(request, f"Dual extraction {row.id} asked of {row.first_analyst} and {row.second_analyst}.", "ok")
    return RedirectResponse(f"/extractions/{row.id}", status_code=303)


def _form_values(form) -> dict[str, str]:
    return {name: text(form, name) for name in form.keys() if name.startswith(("claim.", "results."))}


def _extraction_in(values: dict[str, str]) -> dict:
    out: dict = {"claim": {}, "results": {}}
    for path, value in values.items():
        scope, rest = path.split(".", 1)
        if scope == "claim":
            out["claim"][rest] = number(value) if rest == "confidence" else value
        else:
            key, field = rest.rsplit(".", 1)
            out["results"].setdefault(key, {})[field] = number(value) if field == "params" else blank_to_none(value)
    return out


def _extraction_page(request, session, row, values, errors, status_code=200) -> HTMLResponse:
    context = {
        **extraction.blind_view(session, row),
        "values": values,
        "errors": errors,
        "stances": _choices(Stance),
        "outcomes": _choices(Outcome),
        "impacts": _choices(SafetyImpact),
        "bases": _choices(ParamsBasis),
        "methods": [(m.key, m.name) for m in vocabulary.all_of(session, "methods")],
        "mine": extraction.extraction_of(session, row, request.state.who.id),
        "is_analyst": extraction.is_analyst_of(row, request.state.who.id),
    }
    return render(request, "extraction_form.html", context, status_code=status_code)


@router.get("/extractions/{request_id:int}/mine", response_class=HTMLResponse)
def extraction_form(request: Request, request_id: int, session: PageSession, user: Analyst) -> HTMLResponse:
    """The blind extraction form: the source and the claim's text, not the other analyst's values."""
    return _extraction_page(request, session, _request_or_404(session, request_id), {}, {})


@router.post("/extractions/{request_id:int}/mine", response_class=HTMLResponse)
def submit_extraction(request: Request, request_id: int, form: CsrfForm, session: PageSession, user: Analyst):
    """Submit your extraction (once); errors are shown next to their fields with what was typed."""
    row = _request_or_404(session, request_id)
    values = _form_values(form)
    try:
        data = ExtractionIn.model_validate(_extraction_in(values))
        extraction.submit(session, row, actor(user), data)
    except ValidationError as error:
        return _extraction_page(request, session, row, values, validation_errors(error, set(values)), 422)
    except EvidenceError as error:
        session.rollback()
        return _extraction_page(request, session, row, values, {error.field or "form": error.message}, 422)
    flash(request, "Extraction submitted.", "ok")
    return RedirectResponse(f"/extractions/{request_id}", status_code=303)


def _display(value: Any, path: str) -> str:
    if value is None:
        return "none"
    if path.endswith(".params"):
        return exact_number(value)
    return str(value).replace("_", " ")


def _compare_page(request, session, row, values, errors, status_code=200) -> HTMLResponse:
    who = request.state.who
    compared = [] if row.status == "open" else extraction.comparison(session, row)
    context = {
        **extraction.blind_view(session, row),
        "rows": [
            {**r, "shown": {k: _display(r[k], r["path"]) for k in ("first", "second", "stored")}} for r in compared
        ],
        "can_resolve": row.status == "submitted"
        and who is not None
        and Role(who.role) in review.EDITORS
        and not extraction.is_analyst_of(row, who.id),
        "mine": who is not None and extraction.is_analyst_of(row, who.id),
        "values": values,
        "errors": errors,
    }
    return render(request, "extraction_compare.html", context, status_code=status_code)


@router.get("/extractions/{request_id:int}", response_class=HTMLResponse)
def extraction_page(request: Request, request_id: int, session: PageSession, user: Analyst) -> HTMLResponse:
    """A dual extraction: who extracts, and once both have submitted, the fields side by side."""
    return _compare_page(request, session, _request_or_404(session, request_id), {}, {})


@router.post("/extractions/{request_id:int}/resolve", response_class=HTMLResponse)
def resolve_extraction(request: Request, request_id: int, form: CsrfForm, session: PageSession, user: Analyst):
    """The editor's resolution: the chosen values are written to the claim, which becomes reviewed."""
    row = _request_or_404(session, request_id)
    values = _form_values(form)
    choices = {path: (number(v) if path.endswith((".params", ".confidence")) else v) for path, v in values.items()}
    try:
        write_and_describe(request, session, lambda: extraction.resolve(session, row, actor(user), user.role, choices))
    except EvidenceError as error:
        session.rollback()
        row = _request_or_404(session, request_id)
        return _compare_page(request, session, row, values, {error.field or "form": error.message}, _code(error))
    announce(request, f"Dual extraction {request_id} resolved; the claim is reviewed.")
    return RedirectResponse(f"/claims/{row.claim_id}", status_code=303)


@router.get("/review", response_class=HTMLResponse)
def review_queue(request: Request, session: PageSession, user: Analyst, kind: str = "", aspect: str = ""):
    """What waits for me, oldest first, filtered by kind and aspect."""
    kind = kind if kind in queue.KINDS else ""
    items = queue.waiting_for(session, user.id, user.role, kind=kind or None, aspect=aspect or None)
    context = {
        "items": items,
        "kinds": list(queue.KINDS.items()),
        "aspects": [(a.key, a.name) for a in vocabulary.all_of(session, "aspects")],
        "values": {"kind": kind, "aspect": aspect},
        "errors": {},
    }
    return render(request, "review_queue.html", context)


@router.get("/agreement", response_class=HTMLResponse)
def agreement_page(request: Request, session: PageSession, reader: Reader) -> HTMLResponse:
    """Agreement of dual extractions per field and analyst pair; poor agreement flagged."""
    context = {
        "rows": agreement_stats.agreement(session),
        "poor": agreement_stats.POOR,
        "few": agreement_stats.FEW_ITEMS,
    }
    return render(request, "agreement.html", context)
