"""New critique on a claim, edit critique, soft delete and restore."""

from __future__ import annotations

from functools import partial

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError
from sqlmodel import Session, select

from app.auth.models import User
from app.evidence.enums import CritiqueKind, CritiqueStatus
from app.evidence.errors import EvidenceError, StaleVersion
from app.evidence.models import Claim, Critique, Source
from app.evidence.schemas.critiques import CritiqueIn
from app.evidence.services import critiques as critique_service
from app.web.csrf import CsrfForm
from app.web.forms.editing import conflict_view, delete_or_restore, free_key
from app.web.forms.formdata import blank_to_none, number, service_error, typed, validation_errors
from app.web.lookup import row_or_404
from app.web.movement import save_and_describe
from app.web.render import announce, render
from app.web.signin import Analyst, PageSession, actor, load_user

router = APIRouter(dependencies=[Depends(load_user)], include_in_schema=False)

LABELS = {
    "key": "Key",
    "critic_source": "Critic: a source",
    "critic_claim": "Critic: a claim (its key)",
    "kind": "Kind",
    "text": "The critique",
    "severity": "Severity",
    "status": "Status",
}
FIELDS = set(LABELS) | {"target", "form"}


def values_of(session: Session, critique: Critique) -> dict[str, str]:
    """A saved critique as the form shows it."""
    source = session.get(Source, critique.critic_source_id) if critique.critic_source_id else None
    claim = session.get(Claim, critique.critic_claim_id) if critique.critic_claim_id else None
    return {
        "key": critique.key,
        "critic_source": source.key if source else "",
        "critic_claim": claim.key if claim else "",
        "kind": critique.kind,
        "text": critique.text,
        "severity": f"{critique.severity:g}",
        "status": critique.status,
    }


def parse(session: Session, values: dict[str, str], target: Claim) -> CritiqueIn:
    data = {name: blank_to_none(values[name]) for name in LABELS}
    data["severity"] = number(values["severity"])
    data["target"] = target.key
    if data["key"] is None:
        data["key"] = free_key(session, Critique, f"{target.key}.critique")
    return CritiqueIn.model_validate({k: v for k, v in data.items() if v is not None})


def _page(request, session, values, errors, target: Claim, *, critique=None, status=200, **extra) -> HTMLResponse:
    sources = session.exec(select(Source).where(Source.deleted_at.is_(None)).order_by(Source.key))
    context = {
        "values": values,
        "errors": errors,
        "target": target,
        "critique": critique,
        "sources": [(s.key, f"{s.key} — {s.title[:90]}") for s in sources],
        "kinds": [(k.value, k.value.replace("_", " ")) for k in CritiqueKind],
        "statuses": [(s.value, s.value) for s in CritiqueStatus],
        **extra,
    }
    return render(request, "critique_form.html", context, status_code=status)


@router.get("/claims/{claim_id:int}/critiques/new", response_class=HTMLResponse)
def new_critique_page(request: Request, claim_id: int, session: PageSession, user: Analyst) -> HTMLResponse:
    """An empty critique form against the claim."""
    target = row_or_404(session, Claim, claim_id)
    return _page(request, session, {"status": "open", "kind": "methodological"}, {}, target)


@router.get("/critiques/{critique_id:int}/edit", response_class=HTMLResponse)
def edit_critique_page(request: Request, critique_id: int, session: PageSession, user: Analyst) -> HTMLResponse:
    """The critique form filled with the saved critique and its version."""
    critique = row_or_404(session, Critique, critique_id)
    target = session.get(Claim, critique.target_claim_id)
    return _page(
        request, session, values_of(session, critique), {}, target, critique=critique, version=critique.version
    )


def _save(request: Request, form, session: Session, user: User, target: Claim, critique: Critique | None):
    values = typed(form, LABELS)
    if critique is not None:
        values["key"] = critique.key
    version = int(form.get("version") or 0) or None
    extra = {"critique": critique, "version": version}
    try:
        data = parse(session, values, target)
    except ValidationError as error:
        return _page(request, session, values, validation_errors(error, FIELDS), target, status=422, **extra)
    try:
        saved = save_and_describe(
            request,
            session,
            critique,
            lambda: critique_service.create(session, data, actor(user)),
            lambda: critique_service.update(session, critique, data, actor(user), expected_version=version),
        )
    except StaleVersion:
        session.rollback()
        current = row_or_404(session, Critique, critique.id, include_deleted=True)
        conflict = conflict_view(session, "critique", current, LABELS, values_of(session, current), values)
        extra.update(critique=current, version=current.version, conflict=conflict)
        return _page(request, session, values, {}, target, status=409, **extra)
    except EvidenceError as error:
        session.rollback()
        return _page(request, session, values, service_error(error, FIELDS), target, status=422, **extra)
    announce(request, f"Critique {saved.key} saved.")
    return RedirectResponse(f"/claims/{target.id}#critiques", status_code=303)


@router.post("/claims/{claim_id:int}/critiques/new", response_class=HTMLResponse)
def create_critique(request: Request, claim_id: int, form: CsrfForm, session: PageSession, user: Analyst):
    """Save a new critique of the claim."""
    return _save(request, form, session, user, row_or_404(session, Claim, claim_id), None)


@router.post("/critiques/{critique_id:int}/edit", response_class=HTMLResponse)
def update_critique(request: Request, critique_id: int, form: CsrfForm, session: PageSession, user: Analyst):
    """Save an edited critique; if someone saved it meanwhile, show both versions instead."""
    critique = row_or_404(session, Critique, critique_id)
    return _save(request, form, session, user, session.get(Claim, critique.target_claim_id), critique)


@router.post("/critiques/{critique_id:int}/delete")
def delete_critique(request: Request, critique_id: int, form: CsrfForm, session: PageSession, user: Analyst):
    """Soft-delete a critique."""
    critique = row_or_404(session, Critique, critique_id)
    done = f"Critique {critique.key} deleted; an admin can restore it from the claim page."
    write = partial(critique_service.delete, session, critique, actor(user))
    return delete_or_restore(request, session, write, done, f"/claims/{critique.target_claim_id}#critiques")


@router.post("/critiques/{critique_id:int}/restore")
def restore_critique(request: Request, critique_id: int, form: CsrfForm, session: PageSession, user: Analyst):
    """Restore a soft-deleted critique (an admin: the store's one rule for restores)."""
    critique = row_or_404(session, Critique, critique_id, include_deleted=True)
    done = f"Critique {critique.key} restored."
    write = partial(critique_service.restore, session, critique, actor(user))
    return delete_or_restore(request, session, write, done, f"/claims/{critique.target_claim_id}#critiques")
