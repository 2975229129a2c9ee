"""/api/v1/assessment: the current Assessment of the scoring engine, cached by its fingerprint.

The ETag is the fingerprint (a hash of the evidence and the scoring settings), so a dashboard that
polls with If-None-Match gets 304 until the evidence or the settings change. Between writes the
assessment is reused by the store's data version (app.evidence.stats.data_version) without
reloading the evidence.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Annotated

from fastapi import APIRouter, Header
from fastapi.responses import JSONResponse, Response
from sqlmodel import Session

from app.api.deps import ApiSession, ReaderDep
from app.api.problems import problem_responses
from app.assessment import current_assessment
from app.config import Settings
from app.deps import SettingsDep
from app.evidence import stats
from app.scoring import Assessment

router = APIRouter(tags=["dashboards"])
_by_version: OrderedDict[tuple[str, str, str], Assessment] = OrderedDict()
_lock = threading.Lock()


def assessment_now(session: Session, settings: Settings) -> Assessment:
    """current_assessment, skipped while the data version is unchanged (the fingerprint itself needs
    every row loaded, which on a million results costs seconds per request)."""
    key = (str(session.get_bind().url), stats.data_version(session), settings.model_dump_json())
    with _lock:
        if key in _by_version:
            return _by_version[key]
    assessment = current_assessment(session, settings)
    with _lock:
        _by_version[key] = assessment
        while len(_by_version) > 4:
            _by_version.popitem(last=False)
    return assessment


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
        **problem_responses(401),
    },
)
def current(
    session: ApiSession,
    principal: ReaderDep,
    settings: SettingsDep,
    if_none_match: Annotated[str | None, Header(alias="If-None-Match", max_length=1000)] = None,
) -> Response:
    """The ceiling table, grades and bands as JSON; ETag = fingerprint, 304 on a matching If-None-Match."""
    assessment = assessment_now(session, settings)
    tag = f'"{assessment.fingerprint}"'
    headers = {"ETag": tag, "Cache-Control": "no-cache"}
    if _matches(if_none_match, tag):
        return Response(status_code=304, headers=headers)
    return JSONResponse(assessment.model_dump(mode="json"), headers=headers)
