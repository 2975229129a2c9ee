"""The review workflow over REST: status moves, dual extractions, the review queue and agreement.

Roles are checked in the services (app/evidence/services/review.py has the matrix); here the
caller's token gives the actor and the role. Extraction values are for signed-in analysts only,
and neither analyst sees the other's until both have submitted.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel, Field
from sqlmodel import Session

from app.api.crud import RowId
from app.api.deps import ApiSession, CallerDep, Principal, ReaderDep, WriterDep, forbidden, unauthorized
from app.api.problems import problem_responses
from app.auth import service as auth
from app.auth.roles import Role
from app.evidence import agreement as agreement_stats
from app.evidence.enums import ClaimStatus
from app.evidence.errors import EvidenceError
from app.evidence.history import Actor
from app.evidence.models import Claim
from app.evidence.schemas.common import Key
from app.evidence.schemas.review import ExtractionIn, RequestIn, ResolutionIn
from app.evidence.services import extraction, queue, review
from app.evidence.services.common import get_or_404
from app.evidence.services.filters import check_vocabulary_values

router = APIRouter(tags=["review"])


def member(principal: CallerDep) -> Principal:
    """Any valid token of an analyst, editor or admin (extraction values are not public)."""
    if principal is None:
        raise unauthorized("the review workflow needs a token: Authorization: Bearer <token>")
    if not auth.role_at_least(principal.user.role, Role.analyst):
        raise forbidden(f"a {principal.user.role} takes no part in reviews")
    return principal


MemberDep = Annotated[Principal, Depends(member)]


class StatusIn(BaseModel):
    status: ClaimStatus
    reason: str | None = Field(default=None, max_length=20_000, description="Required (10+ characters) to reject.")
    version: int | None = Field(
        default=None, ge=1, le=2**31 - 1, description="The claim's version you read; a stale one gives 412."
    )


class StatusPublic(BaseModel):
    id: int
    key: str
    status: str
    status_reason: str | None
    status_changed_at: dt.datetime | None
    version: int


class RequestPublic(BaseModel):
    id: int
    claim_id: int
    status: str
    note: str | None
    requested_by: str
    first_analyst: str
    second_analyst: str
    resolved_by: str | None
    resolved_at: dt.datetime | None
    created_at: dt.datetime
    comparison: list[dict[str, Any]] | None = Field(
        None, description="Field by field, once both analysts have submitted (null before)."
    )


class QueueItemPublic(BaseModel):
    kind: str
    claim_id: int
    claim_key: str
    since: dt.datetime
    request_id: int | None
    detail: str | None
    href: str


def analyst_actor(session: Session, username: str, field: str) -> Actor:
    """A named analyst of a dual extraction: an active user who holds at least the analyst role."""
    user = auth.get_user(session, username)
    if user is None or not user.is_active or not auth.role_at_least(user.role, Role.analyst):
        raise EvidenceError(f"no active analyst {username!r}", field=field)
    return Actor(user.username, user.id, user.role)


def _request_public(session: Session, row) -> RequestPublic:
    compared = None if row.status == "open" else extraction.comparison(session, row)
    return RequestPublic.model_validate({**row.model_dump(), "comparison": compared})


@router.post(
    "/claims/{claim_id}/status",
    response_model=StatusPublic,
    responses=problem_responses(401, 403, 404, 409, 412, 422),
)
def move_claim(claim_id: RowId, data: StatusIn, session: ApiSession, principal: WriterDep) -> StatusPublic:
    """Move a claim through the review workflow (draft -> in_review -> reviewed, or rejected with a reason)."""
    claim = get_or_404(session, Claim, claim_id)
    review.move(session, claim, data.status, principal.actor, principal.user.role, data.reason, data.version)
    return StatusPublic.model_validate(claim, from_attributes=True)


@router.post(
    "/claims/{claim_id}/extractions",
    status_code=201,
    response_model=RequestPublic,
    responses=problem_responses(401, 403, 404, 409, 422),
)
def request_extraction(claim_id: RowId, data: RequestIn, session: ApiSession, principal: WriterDep) -> RequestPublic:
    """Ask two analysts for independent extractions of a claim's results (an editor's step)."""
    claim = get_or_404(session, Claim, claim_id)
    first = analyst_actor(session, data.first_analyst, "first_analyst")
    second = analyst_actor(session, data.second_analyst, "second_analyst")
    row = extraction.start(session, claim, principal.actor, principal.user.role, first, second, data.note)
    return _request_public(session, row)


@router.get("/extractions/{request_id}", response_model=RequestPublic, responses=problem_responses(401, 403, 404))
def read_extraction(request_id: RowId, session: ApiSession, principal: MemberDep) -> RequestPublic:
    """A dual extraction; its field-by-field comparison once both analysts have submitted."""
    return _request_public(session, extraction.get(session, request_id))


@router.get("/extractions/{request_id}/source", responses=problem_responses(401, 403, 404))
def blind_view(request_id: RowId, session: ApiSession, principal: MemberDep) -> dict[str, Any]:
    """What an extracting analyst sees: the source, the claim's text and the results to read (no values)."""
    view = extraction.blind_view(session, extraction.get(session, request_id))
    return {**view, "dual": _request_public(session, view["dual"]).model_dump(exclude={"comparison"})}


@router.put("/extractions/{request_id}/mine", status_code=201, responses=problem_responses(401, 403, 404, 409, 422))
def submit_extraction(request_id: RowId, data: ExtractionIn, session: ApiSession, principal: WriterDep) -> Response:
    """Submit your extraction (once); when both analysts have, the comparison opens."""
    extraction.submit(session, extraction.get(session, request_id), principal.actor, data)
    return Response(status_code=201)


@router.post(
    "/extractions/{request_id}/resolution",
    response_model=RequestPublic,
    responses=problem_responses(401, 403, 404, 409, 422),
)
def resolve_extraction(
    request_id: RowId, data: ResolutionIn, session: ApiSession, principal: WriterDep
) -> RequestPublic:
    """Resolve the disagreements (an editor who extracted neither): the claim takes the values and is reviewed."""
    row = extraction.get(session, request_id)
    extraction.resolve(session, row, principal.actor, principal.user.role, data.choices, data.reason)
    return _request_public(session, row)


@router.get("/review/queue", response_model=list[QueueItemPublic], responses=problem_responses(401, 403))
def review_queue(
    session: ApiSession,
    principal: MemberDep,
    kind: Annotated[str | None, Query(pattern="^(review|extract|resolve|rework)$")] = None,
    aspect: Annotated[Key | None, Query(description="Only claims on this aspect.")] = None,
) -> list[QueueItemPublic]:
    """What waits for the caller, oldest first (kinds: review, extract, resolve, rework)."""
    check_vocabulary_values(session, "aspect", [aspect] if aspect else [])
    items = queue.waiting_for(session, principal.user.id, principal.user.role, kind=kind, aspect=aspect)
    return [QueueItemPublic.model_validate({**item.__dict__, "href": item.href}) for item in items]


@router.get("/agreement", responses=problem_responses(401))
def agreement(session: ApiSession, principal: ReaderDep) -> dict[str, Any]:
    """Per field and analyst pair: Cohen's kappa, Krippendorff's alpha, the items behind them, poor ones flagged."""
    return {
        "poor_below": agreement_stats.POOR,
        "few_items_below": agreement_stats.FEW_ITEMS,
        "data": agreement_stats.agreement_rows(session),
    }
