"""/api/v1/stats: totals and facet counts for dashboards, over the same filters as the claim list."""

from __future__ import annotations

import hashlib
from typing import Annotated

from fastapi import APIRouter, Header, Query
from fastapi.responses import JSONResponse, Response

from app.api.deps import ApiSession, ReaderDep, allow_deleted
from app.api.problems import problem_responses
from app.api.schemas import Stats
from app.evidence import stats
from app.evidence.schemas.claims import ClaimFilters
from app.evidence.services.filters import check_vocabulary

router = APIRouter(tags=["dashboards"])


@router.get(
    "/stats",
    response_model=Stats,
    summary="Facet counts",
    responses={
        304: {"description": "Not modified since the ETag given in If-None-Match."},
        **problem_responses(401, 403, 422),
    },
)
def facet_stats(
    session: ApiSession,
    principal: ReaderDep,
    filters: Annotated[ClaimFilters, Query()],
    if_none_match: Annotated[str | None, Header(alias="If-None-Match", max_length=1000)] = None,
) -> Response:
    """Claims by aspect, stance, kind, status, method, source kind and year; results by band, outcome, safety impact."""
    allow_deleted(principal, filters.include_deleted)
    check_vocabulary(session, filters)
    counts, version = stats.cached_facet_counts(session, filters)
    digest = hashlib.sha256(f"{version}|{filters.model_dump_json()}".encode()).hexdigest()[:32]
    headers = {"ETag": f'"{digest}"', "Cache-Control": "no-cache"}
    if if_none_match and headers["ETag"] in {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}:
        return Response(status_code=304, headers=headers)
    return JSONResponse(Stats.model_validate(counts).model_dump(mode="json"), headers=headers)
