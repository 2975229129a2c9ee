"""The report over time under /api/v1/reports: the Atom feed and the trajectory of each ceiling (JSON, CSV)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from pydantic import BaseModel, Field

from app.api.deps import ReaderDep
from app.api.problems import problem_responses
from app.assessment.asof import InstantInFuture, parse_instant
from app.db.session import SessionDep, SettingsDep
from app.reports.feed import ATOM, atom_feed
from app.reports.trajectory import CSV, MAX_AS_OF_POINTS, evenly_spaced, trajectory, trajectory_csv

router = APIRouter(prefix="/api/v1/reports", tags=["reports"])


@router.get(
    "/feed.atom",
    response_class=Response,
    responses={
        200: {"content": {"application/atom+xml": {}}, "description": "Atom 1.0: one entry per snapshot."},
        **problem_responses(401),
    },
)
def feed(session: SessionDep, settings: SettingsDep, _reader: ReaderDep) -> Response:
    """The Atom feed of published reports (the same as /reports/feed.atom)."""
    return Response(atom_feed(session, settings.public_url), media_type=ATOM)


class TrajectoryPoint(BaseModel):
    at: str = Field(description="UTC, ISO 8601.")
    kind: str = Field(description="snapshot (a published report) or as_of (recomputed from the revision history).")
    snapshot_id: int | None
    state: str | None = Field(description="estimated, not_reached or insufficient.")
    params: float | None = Field(description="The ceiling in parameters (estimated only).")
    params_low: float | None
    params_high: float | None
    statement: str | None
    confidence: str | None


class TrajectoryJump(BaseModel):
    """A move of the ceiling between two consecutive points, and the evidence responsible."""

    from_: str = Field(alias="from")
    to: str
    aspect: str
    before: str
    after: str
    shift_decades: float | None
    responsible: list[str]


class AspectTrajectory(BaseModel):
    aspect_key: str
    aspect_name: str
    points: list[TrajectoryPoint]
    jumps: list[TrajectoryJump]


class TrajectoryPublic(BaseModel):
    """Each aspect's ceiling and interval over time, from the published snapshots and the as-of points asked for."""

    points: int
    aspects: list[AspectTrajectory]
    pending: int = Field(
        0,
        description="As-of points asked for but still being computed in the background (a store over 20,000 "
        "results): ask again later to get them.",
    )


Points = Annotated[
    int, Query(ge=0, le=MAX_AS_OF_POINTS, description="As-of points evenly spaced from the first revision to now.")
]
Instants = Annotated[
    list[str] | None, Query(max_length=MAX_AS_OF_POINTS, description="As-of instants (ISO 8601, UTC).")
]


def _instants(session, points: int, as_of: list[str]) -> list[dt.datetime]:
    try:
        chosen = [parse_instant(text) for text in as_of]
    except ValueError as error:
        raise RequestValidationError([{"loc": ("query", "as_of"), "msg": str(error), "type": "value_error"}]) from None
    return sorted(chosen + evenly_spaced(session, points))


def _data(session, settings, points: int, as_of: list[str]) -> dict:
    try:
        return trajectory(session, settings, _instants(session, points, as_of))
    except InstantInFuture as error:
        raise RequestValidationError([{"loc": ("query", "as_of"), "msg": str(error), "type": "value_error"}]) from None


@router.get("/trajectory", response_model=TrajectoryPublic, response_model_by_alias=True,
         responses=problem_responses(401, 422))  # fmt: skip
def trajectory_json(
    session: SessionDep, settings: SettingsDep, _reader: ReaderDep, points: Points = 0, as_of: Instants = None
) -> dict:
    """Each aspect's ceiling over time, with every jump and the evidence responsible."""
    return _data(session, settings, points, as_of or [])


@router.get(
    "/trajectory.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "description": "CSV."}, **problem_responses(401, 422)},
)
def trajectory_table(
    session: SessionDep, settings: SettingsDep, _reader: ReaderDep, points: Points = 0, as_of: Instants = None
) -> Response:
    """The trajectory as CSV: one row per aspect and point, jumps with their shift and the evidence responsible."""
    return Response(trajectory_csv(_data(session, settings, points, as_of or [])), media_type=CSV)
