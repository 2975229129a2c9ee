"""/api/v1/assessment: the current Assessment of the scoring engine, cached by its fingerprint.

The ETag is the fingerprint (a hash of the evidence and the scoring settings), so a dashboard that
polls with If-None-Match gets 304 until the evidence or the settings change. Between writes the
assessment is reused by the store's data version without reloading the evidence (app/assessment/live.py).
With `as_of`, the assessment of a past instant is recomputed from the revision history (app/assessment/asof.py).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response

from app.api.deps import ApiSession, ReaderDep, forbidden, unauthorized
from app.api.problems import problem_responses
from app.assessment.asof import assessment_as_of, parse_instant
from app.assessment.live import current_assessment, weighs_reviewed_only
from app.auth.roles import Role, role_at_least
from app.db.session import SettingsDep
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
        200: {
            "model": Assessment,
            "description": "The Assessment. With as_of, the headers Ceiling-As-Of (the instant, UTC) and "
            "Ceiling-Settings-Basis (recorded, snapshot or current: where the scoring settings of then came from).",
        },
        304: {"description": "Not modified: the If-None-Match fingerprint is current."},
        **problem_responses(401, 422),
    },
)
def current(
    session: ApiSession,
    principal: ReaderDep,
    settings: SettingsDep,
    if_none_match: Annotated[str | None, Header(alias="If-None-Match", max_length=1000)] = None,
    with_drafts: Annotated[
        bool, Query(description="Weigh drafts too when CEILING_PUBLISH_REVIEWED_ONLY is on (analysts' tokens).")
    ] = False,
    as_of: Annotated[
        str | None,
        Query(
            max_length=100,
            description="An ISO 8601 instant in the past (UTC unless an offset is given): the assessment as it "
            "stood then, recomputed from the revision history.",
            examples=["2026-11-01T12:00Z"],
        ),
    ] = None,
) -> Response:
    """The ceiling table, grades and bands as JSON; ETag = fingerprint, 304 on a matching If-None-Match."""
    if with_drafts and principal is None:
        raise unauthorized("with_drafts needs an analyst's token")
    if with_drafts and not role_at_least(principal.user.role, Role.analyst):
        raise forbidden("only analysts see the assessment with drafts")
    headers = {"Cache-Control": "no-cache"}
    if as_of is None:
        assessment = current_assessment(session, settings, with_drafts=with_drafts)
    else:
        try:
            answer = assessment_as_of(
                session, parse_instant(as_of), settings, reviewed_only=weighs_reviewed_only(settings, with_drafts)
            )
        except ValueError as error:
            raise RequestValidationError(
                [{"loc": ("query", "as_of"), "msg": str(error), "type": "value_error"}]
            ) from None
        assessment = answer.assessment
        headers["Ceiling-As-Of"] = f"{answer.as_of:%Y-%m-%dT%H:%M:%S.%fZ}"
        headers["Ceiling-Settings-Basis"] = answer.settings_basis
    tag = f'"{assessment.fingerprint}"'
    headers["ETag"] = tag
    if _matches(if_none_match, tag):
        return Response(status_code=304, headers=headers)
    return JSONResponse(assessment.model_dump(mode="json"), headers=headers)
