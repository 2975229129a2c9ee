"""/api/v1/confidence-overrides: analysts' overrides of the engine's suggested confidence grades."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Path, Response
from pydantic import BaseModel, ConfigDict, Field

from app.api.deps import ApiSession, ReaderDep, WriterDep
from app.api.problems import problem_responses
from app.evidence.enums import Grade
from app.evidence.services import overrides

router = APIRouter(prefix="/confidence-overrides", tags=["assessment"])
AspectKey = Path(pattern=r"^[a-z0-9][a-z0-9_.\-]*$", max_length=120, description="The aspect, e.g. `circuits`.")


class OverrideIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"grade": "low", "reason": "The only frontier evidence is one lab's report."}]},
    )

    grade: Grade
    reason: str = Field(min_length=overrides.MIN_REASON_CHARS, max_length=20_000)


class OverridePublic(BaseModel):
    aspect_key: str
    grade: Grade
    reason: str
    author: str | None
    updated_at: dt.datetime


@router.get("", response_model=list[OverridePublic], responses=problem_responses(401))
def list_overrides(session: ApiSession, principal: ReaderDep) -> list[OverridePublic]:
    """Every override of a confidence grade, with its reason and author."""
    return [OverridePublic.model_validate(row, from_attributes=True) for row in overrides.all_overrides(session)]


@router.put("/{aspect_key}", response_model=OverridePublic, responses=problem_responses(401, 403, 404, 422))
def put_override(
    data: OverrideIn, session: ApiSession, principal: WriterDep, aspect_key: str = AspectKey
) -> OverridePublic:
    """Set an aspect's confidence grade, overriding the engine's suggestion (both are shown)."""
    row = overrides.set_override(session, aspect_key, data.grade, data.reason, principal.actor)
    return OverridePublic.model_validate(row, from_attributes=True)


@router.delete("/{aspect_key}", status_code=204, responses=problem_responses(401, 403, 404, 422))
def delete_override(session: ApiSession, principal: WriterDep, aspect_key: str = AspectKey) -> Response:
    """Remove an aspect's override: the engine's grade applies again."""
    overrides.clear_override(session, aspect_key, principal.actor)
    return Response(status_code=204)
