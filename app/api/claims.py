"""/api/v1/claims: what sources claim, each read with its results and the critiques that target it.

A claim's results can be written with it (`results` in the body of POST, PUT or PATCH: listed
results are created or updated by key, live ones not listed are deleted) or one by one at
/api/v1/results. A PUT or PATCH without `results` leaves them alone.
"""

from __future__ import annotations

from sqlmodel import Session

from app.api.crud import Entity, entity_router
from app.evidence.models import Claim
from app.evidence.schemas.claims import ClaimDetail, ClaimIn, ClaimPatch, ClaimPublic, ClaimsPublic
from app.evidence.services import claims, listing, read, review

state = claims.input_values


def create(session: Session, data: ClaimIn, actor) -> Claim:
    review.check_direct_status(None, data.status)
    return claims.create(session, data, actor)


def update(session: Session, row: Claim, data: ClaimIn, actor, expected: int, fields: set[str]) -> dict:
    review.check_direct_status(row.status, data.status)
    return claims.update(session, row, data, actor, expected, with_results="results" in fields)


CLAIMS = Entity(
    kind="claim",
    plural="claims",
    model=Claim,
    service=claims,
    public=ClaimPublic,
    detail=ClaimDetail,
    page=ClaimsPublic,
    filters=listing.ClaimFilters,
    list_fn=listing.list_claims,
    create_in=ClaimIn,
    update_in=ClaimIn,
    patch_in=ClaimPatch,
    state=state,
    read=lambda session, row, deleted: read.claim_detail(session, row, include_deleted=deleted),
    create=create,
    update=update,
)
router = entity_router(CLAIMS)
