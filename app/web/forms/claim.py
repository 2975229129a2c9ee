"""New and edit claim with its results inline (rows added and removed without JavaScript), delete, restore."""

from __future__ import annotations

from functools import partial

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError
from sqlmodel import Session, select

from app.auth.models import User
from app.evidence.enums import (
    ClaimKind,
    ClaimStatus,
    Outcome,
    ParamsBasis,
    SafetyImpact,
    SizeEstimateKind,
    Stance,
    Winner,
)
from app.evidence.errors import EvidenceError, StaleVersion
from app.evidence.models import Claim, Source
from app.evidence.services import claims as claim_service
from app.evidence.services import vocabulary
from app.web.csrf import CsrfForm
from app.web.forms import claim_values as cv
from app.web.forms.editing import conflict_view, delete_or_restore
from app.web.forms.formdata import service_error, validation_errors
from app.web.lookup import row_or_404
from app.web.movement import save_and_describe
from app.web.render import announce, render
from app.web.signin import Analyst, PageSession, actor, load_user

router = APIRouter(dependencies=[Depends(load_user)], include_in_schema=False)


def _choices(enum) -> list[tuple[str, str]]:
    return [(member.value, member.value.replace("_", " ")) for member in enum]


def options(session: Session) -> dict:
    """The choices of the claim form's selects and checkboxes."""
    sources = session.exec(select(Source).where(Source.deleted_at.is_(None)).order_by(Source.key))
    return {
        "sources": [(s.key, f"{s.key} — {s.title[:90]}") for s in sources],
        "aspects": [(a.key, a.name) for a in vocabulary.all_of(session, "aspects")],
        "questions": [(q.key, f"Q{q.number}: {q.title}") for q in vocabulary.all_of(session, "questions")],
        "methods": [(m.key, m.name) for m in vocabulary.all_of(session, "methods")],
        "stances": _choices(Stance),
        "kinds": _choices(ClaimKind),
        "bases": _choices(ParamsBasis),
        "outcomes": [
            (o, "not assessed (reach only)" if o == Outcome.not_assessed else text) for o, text in _choices(Outcome)
        ],
        "reach_outcomes": [(o, text) for o, text in _choices(Outcome) if o != Outcome.not_assessed],
        "standards": list(cv.STANDARD_HELP.items()),
        "impacts": _choices(SafetyImpact),
        "estimate_kinds": _choices(SizeEstimateKind),
        "winners": _choices(Winner),
        "yes_no": [("yes", "yes"), ("no", "no")],
    }


def _page(request, session, values, rows, errors, *, claim=None, status=200, **extra) -> HTMLResponse:
    context = {"values": values, "rows": rows, "errors": errors, "claim": claim, "labels": cv.RESULT_LABELS}
    context.update(options(session), **extra)
    return render(request, "claim_form.html", context, status_code=status)


@router.get("/claims/new", response_class=HTMLResponse)
def new_claim_page(request: Request, session: PageSession, user: Analyst, source: str = "") -> HTMLResponse:
    """An empty claim form with one result row (the source chosen when given)."""
    values = {"source": source, "aspects": [], "questions": [], "status": "draft", "kind": "finding"}
    return _page(request, session, values, [dict(cv.BLANK_ROW)], {})


@router.get("/claims/{claim_id:int}/edit", response_class=HTMLResponse)
def edit_claim_page(request: Request, claim_id: int, session: PageSession, user: Analyst) -> HTMLResponse:
    """The claim form filled with the saved claim, its results and its version."""
    claim = row_or_404(session, Claim, claim_id)
    values, rows = cv.claim_values(session, claim)
    stamp = cv.results_stamp(session, claim.id)
    return _page(request, session, values, rows, {}, claim=claim, version=claim.version, stamp=stamp)


def _conflict(request, session: Session, claim: Claim, values: dict, rows: list[dict]) -> HTMLResponse:
    """Both versions side by side; the form keeps the analyst's and carries the new version."""
    session.rollback()
    current = row_or_404(session, Claim, claim.id, include_deleted=True)
    theirs, their_rows = cv.claim_values(session, current)
    labels = {**cv.CLAIM_LABELS, "results": "Results"}
    conflict = conflict_view(
        session, "claim", current, labels, cv.comparable(theirs, their_rows), cv.comparable(values, rows)
    )
    stamp = cv.results_stamp(session, current.id)
    return _page(
        request, session, values, rows, {}, claim=current, version=current.version, stamp=stamp, conflict=conflict,
        status=409,
    )  # fmt: skip


def _save(request: Request, form, session: Session, user: User, claim: Claim | None):
    values, rows = cv.typed_claim(form)
    values["status"] = claim.status if claim is not None else ClaimStatus.draft.value  # moves by review only
    if claim is not None:
        values["key"] = claim.key
    version, stamp = int(form.get("version") or 0) or None, str(form.get("stamp") or "")
    extra = {"claim": claim, "version": version, "stamp": stamp}
    action = str(form.get("action") or "save")
    if action == "add_result":
        return _page(request, session, values, [*rows, dict(cv.BLANK_ROW)], {}, **extra)
    if action.startswith("remove_result:"):
        index = int(action.split(":", 1)[1]) if action.split(":", 1)[1].isdigit() else -1
        return _page(request, session, values, [r for i, r in enumerate(rows) if i != index], {}, **extra)
    rows = [row for row in rows if not cv.is_blank(row)]
    known = cv.known_fields(len(rows))
    try:
        data = cv.to_claim_in(session, values, rows)
    except ValidationError as error:
        return _page(request, session, values, rows, validation_errors(error, known), status=422, **extra)
    if claim is not None and stamp != cv.results_stamp(session, claim.id):
        return _conflict(request, session, claim, values, rows)
    try:
        saved = save_and_describe(
            request,
            session,
            claim,
            lambda: claim_service.create(session, data, actor(user)),
            lambda: claim_service.update(session, claim, data, actor(user), expected_version=version),
        )
    except StaleVersion:
        return _conflict(request, session, claim, values, rows)
    except EvidenceError as error:
        session.rollback()
        return _page(request, session, values, rows, service_error(error, known), status=422, **extra)
    announce(request, f"Claim {saved.key} saved with {len(data.results)} result(s).")
    return RedirectResponse(f"/claims/{saved.id}", status_code=303)


@router.post("/claims/new", response_class=HTMLResponse)
def create_claim(request: Request, form: CsrfForm, session: PageSession, user: Analyst):
    """Save a new claim with its results, or add/remove a result row and show the form again."""
    return _save(request, form, session, user, None)


@router.post("/claims/{claim_id:int}/edit", response_class=HTMLResponse)
def update_claim(request: Request, claim_id: int, form: CsrfForm, session: PageSession, user: Analyst):
    """Save an edited claim and its results; if someone saved it meanwhile, show both versions instead."""
    return _save(request, form, session, user, row_or_404(session, Claim, claim_id))


@router.post("/claims/{claim_id:int}/delete")
def delete_claim(request: Request, claim_id: int, form: CsrfForm, session: PageSession, user: Analyst):
    """Soft-delete a claim; it stays in the history and an admin can restore it."""
    claim = row_or_404(session, Claim, claim_id)
    done = f"Claim {claim.key} deleted; an admin can restore it from this page."
    write = partial(claim_service.delete, session, claim, actor(user))
    return delete_or_restore(request, session, write, done, f"/claims/{claim_id}")


@router.post("/claims/{claim_id:int}/restore")
def restore_claim(request: Request, claim_id: int, form: CsrfForm, session: PageSession, user: Analyst):
    """Restore a soft-deleted claim (an admin: the store's one rule for restores)."""
    claim = row_or_404(session, Claim, claim_id, include_deleted=True)
    write = partial(claim_service.restore, session, claim, actor(user))
    return delete_or_restore(request, session, write, f"Claim {claim.key} restored.", f"/claims/{claim_id}")
