"""The report over time: the Atom feed of published reports and the trajectory of each ceiling (page and API)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup
from pydantic import BaseModel, Field

from app.api.deps import ReaderDep
from app.api.problems import problem_responses
from app.assessment.asof import InstantInFuture, parse_instant
from app.db.session import SessionDep, SettingsDep
from app.reports.feed import atom_feed
from app.reports.trajectory import MAX_AS_OF_POINTS, evenly_spaced, trajectory, trajectory_csv
from app.reports.trajectory_plot import numbered_jumps, trajectory_svg
from app.web.lookup import PageNotFound
from app.web.reports import site_page
from app.web.signin import load_user, reader

ATOM = "application/atom+xml; charset=utf-8"
CSV = "text/csv; charset=utf-8"
pages = APIRouter(dependencies=[Depends(load_user), Depends(reader)], include_in_schema=False)
api = APIRouter(prefix="/api/v1/reports", tags=["reports"])


@pages.get("/reports/feed.atom")
def feed_page(session: SessionDep, settings: SettingsDep) -> Response:
    """The Atom feed of published reports."""
    return Response(atom_feed(session, settings.public_url), media_type=ATOM)


@api.get(
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


@api.get("/trajectory", response_model=TrajectoryPublic, response_model_by_alias=True,
         responses=problem_responses(401, 422))  # fmt: skip
def trajectory_json(
    session: SessionDep, settings: SettingsDep, _reader: ReaderDep, points: Points = 0, as_of: Instants = None
) -> dict:
    """Each aspect's ceiling over time, with every jump and the evidence responsible."""
    return _data(session, settings, points, as_of or [])


@api.get(
    "/trajectory.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "description": "CSV."}, **problem_responses(401, 422)},
)
def trajectory_table(
    session: SessionDep, settings: SettingsDep, _reader: ReaderDep, points: Points = 0, as_of: Instants = None
) -> Response:
    """The trajectory as CSV: one row per aspect and point, jumps with their shift and the evidence responsible."""
    return Response(trajectory_csv(_data(session, settings, points, as_of or [])), media_type=CSV)


@pages.get("/reports/trajectory", response_class=HTMLResponse)
def trajectory_page(request: Request, session: SessionDep, settings: SettingsDep, points: Points = 6) -> HTMLResponse:
    """The trajectory plot, the numbered jumps with the evidence responsible, and links to JSON and CSV."""
    data = trajectory(session, settings, evenly_spaced(session, points))
    context = {"data": data, "svg": Markup(trajectory_svg(data)), "jumps": numbered_jumps(data), "points": points}
    return site_page(request, "report_trajectory.html", context)


@pages.get("/reports/trajectory.{fmt}")
def trajectory_file(session: SessionDep, settings: SettingsDep, fmt: str, points: Points = 0) -> Response:
    """The trajectory as JSON or CSV (the same as under /api/v1/reports)."""
    if fmt not in ("json", "csv"):
        raise PageNotFound(f"No trajectory form .{fmt[:20]}: use .json or .csv.")
    data = trajectory(session, settings, evenly_spaced(session, points))
    if fmt == "csv":
        return Response(trajectory_csv(data), media_type=CSV)
    return Response(json.dumps(data, indent=2, sort_keys=True), media_type="application/json")
