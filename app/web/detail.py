"""Detail pages: a claim with its source, results, critiques (against it and by it) and history; a source
with its claims and history."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from sqlmodel import Session, select

from app.evidence.history import history
from app.evidence.models import Claim, Result, Source
from app.evidence.services import read
from app.web.lookup import row_or_404
from app.web.render import can, render
from app.web.review_pages import claim_review_context
from app.web.signin import PageSession, Reader, load_user

router = APIRouter(dependencies=[Depends(load_user)], include_in_schema=False)


def _timeline(session: Session, entries: list[tuple[str, str, int]]) -> list[dict]:
    """The revisions of several rows, newest first, each labelled with what it is about."""
    revisions = []
    for label, kind, entity_id in entries:
        for revision in history(session, kind, entity_id):
            revisions.append({"about": label, "revision": revision})
    revisions.sort(key=lambda item: (item["revision"].at, item["revision"].id), reverse=True)
    return revisions


@router.get("/claims/{claim_id:int}", response_class=HTMLResponse)
def claim_page(request: Request, claim_id: int, session: PageSession, reader: Reader) -> HTMLResponse:
    """A claim: its source, its results, the critiques against it and those it makes, and its history."""
    curator = can(request.state.who, "analyst")
    claim = row_or_404(session, Claim, claim_id, include_deleted=curator)
    detail = read.claim_detail(session, claim, include_deleted=curator)
    source = session.get(Source, claim.source_id)
    results = session.exec(select(Result.id, Result.key).where(Result.claim_id == claim.id)).all()
    timeline = _timeline(
        session,
        [("claim", "claim", claim.id)]
        + [(f"result {key}", "result", rid) for rid, key in results]
        + [(f"critique {c.key}", "critique", c.id) for c in detail.critiques],
    )
    context = {
        "claim": detail,
        "source": source,
        "made": read.critiques_made_by(session, claim),
        "timeline": timeline,
    }
    if curator:
        context.update(
            review_row=claim, values={}, errors={}, **claim_review_context(session, claim, request.state.who)
        )
    return render(request, "claim_detail.html", context)


@router.get("/sources/{source_id:int}", response_class=HTMLResponse)
def source_page(request: Request, source_id: int, session: PageSession, reader: Reader) -> HTMLResponse:
    """A source with all its claims and its history."""
    curator = can(request.state.who, "analyst")
    source = row_or_404(session, Source, source_id, include_deleted=curator)
    detail = read.source_detail(session, source, include_deleted=curator)
    context = {"source": detail, "timeline": _timeline(session, [("source", "source", source.id)])}
    return render(request, "source_detail.html", context)
