"""/api/v1/assessment: the current Assessment of the scoring engine, cached by its fingerprint.

The ETag is the fingerprint (a hash of the evidence and the scoring settings), so a dashboard that
polls with If-None-Match gets 304 until the evidence or the settings change. Between writes the
assessment is reused by the store's data version without reloading the evidence (app/assessment.py).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header
from fastapi.responses import JSONResponse, Response

from app.api.deps import ApiSession, ReaderDep
from app.api.problems import problem_responses
from app.assessment import current_assessment
from app.deps import SettingsDep
from app.scoring import Assessment

router = APIRouter(tags=["dashboards"])


def _matches(if_none_match: str | None, tag: str) -> bool:
    if not if_none_match:
        return False
    tags = {part.strip().removeprefix("W/") for part in if_none_match.split(",")}
    return "*" in tags or tag in tags


@router.get(
    "/assessment",
    summary="The current assessment",
    responses={
        200: {"model": Assessment, "description": "The Assessment."},
        304: {"description": "Not modified: the If-None-Match fingerprint is current."},
        **problem_responses(401, 422),
    },
)
def current(
    session: ApiSession,
    principal: ReaderDep,
    settings: SettingsDep,
    if_none_match: Annotated[str | None, Header(alias="If-None-Match", max_length=1000)] = None,
) -> Response:
    """The ceiling table, grades and bands as JSON; ETag = fingerprint, 304 on a matching If-None-Match."""
    assessment = current_assessment(session, settings)
    tag = f'"{assessment.fingerprint}"'
    headers = {"ETag": tag, "Cache-Control": "no-cache"}
    if _matches(if_none_match, tag):
        return Response(status_code=304, headers=headers)
    return JSONResponse(assessment.model_dump(mode="json"), headers=headers)
