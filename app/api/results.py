"""/api/v1/results: the empirical results behind claims (model, size, method, metric, outcome)."""

from __future__ import annotations

from sqlmodel import Session

from app.api.crud import Entity, entity_router
from app.evidence.models import Claim, Result
from app.evidence.schemas.results import ResultCreate, ResultIn, ResultPatch, ResultPublic, ResultsPublic
from app.evidence.services import listing, read, results
from app.evidence.services.common import key_to_id


def state(session: Session, row: Result) -> dict:
    """The stored result in the shape of ResultIn."""
    return results.input_values(row)


def create(session: Session, data: ResultCreate, actor) -> Result:
    claim_id = key_to_id(session, Claim, data.claim, "claim")
    return results.create(session, ResultIn.model_validate(data.model_dump(exclude={"claim"})), claim_id, actor)


def read_one(session: Session, row: Result, _deleted: bool) -> ResultPublic:
    return read.result_views(session, [row])[0]


RESULTS = Entity(
    kind="result",
    plural="results",
    model=Result,
    service=results,
    public=ResultPublic,
    detail=ResultPublic,
    page=ResultsPublic,
    filters=listing.ResultFilters,
    list_fn=listing.list_results,
    create_in=ResultCreate,
    update_in=ResultIn,
    patch_in=ResultPatch,
    state=state,
    read=read_one,
    create=create,
    update=lambda session, row, data, actor, expected, _fields: results.update(session, row, data, actor, expected),
)
router = entity_router(RESULTS)
