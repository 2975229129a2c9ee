"""/api/v1/stats: totals and facet counts for dashboards, over the same filters as the claim list."""

from __future__ import annotations

import hashlib
import json
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
    counts, _version = stats.cached_facet_counts(session, filters)
    body = Stats.model_validate(counts).model_dump(mode="json")
    # The ETag is a digest of the answer itself, not of the store's data version: a draft saved in
    # reviewed-only mode changes the version but not what an anonymous reader sees, and must not show.
    digest = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:32]
    headers = {"ETag": f'"{digest}"', "Cache-Control": "no-cache"}
    if if_none_match and headers["ETag"] in {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}:
        return Response(status_code=304, headers=headers)
    return JSONResponse(body, headers=headers)
