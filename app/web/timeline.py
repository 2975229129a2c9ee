"""The report over time, as pages: the Atom feed of published reports and the trajectory of each ceiling."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup

from app.db.session import SessionDep, SettingsDep
from app.reports.feed import ATOM, atom_feed
from app.reports.trajectory import CSV, MAX_AS_OF_POINTS, evenly_spaced, trajectory, trajectory_csv
from app.reports.trajectory_plot import numbered_jumps, trajectory_svg
from app.web.lookup import PageNotFound
from app.web.reports import site_page
from app.web.signin import load_user, reader

router = APIRouter(dependencies=[Depends(load_user), Depends(reader)], include_in_schema=False)
Points = Annotated[
    int, Query(ge=0, le=MAX_AS_OF_POINTS, description="As-of points evenly spaced from the first revision to now.")
]


@router.get("/reports/feed.atom")
def feed_page(session: SessionDep, settings: SettingsDep) -> Response:
    """The Atom feed of published reports."""
    return Response(atom_feed(session, settings.public_url), media_type=ATOM)


@router.get("/reports/trajectory", response_class=HTMLResponse)
def trajectory_page(request: Request, session: SessionDep, settings: SettingsDep, points: Points = 6) -> HTMLResponse:
    """The trajectory plot, the numbered jumps with the evidence responsible, and links to JSON and CSV."""
    data = trajectory(session, settings, evenly_spaced(session, points))
    context = {"data": data, "svg": Markup(trajectory_svg(data)), "jumps": numbered_jumps(data), "points": points}
    return site_page(request, "report_trajectory.html", context)


@router.get("/reports/trajectory.{fmt}")
def trajectory_file(session: SessionDep, settings: SettingsDep, fmt: str, points: Points = 0) -> Response:
    """The trajectory as JSON or CSV (the same as under /api/v1/reports)."""
    if fmt not in ("json", "csv"):
        raise PageNotFound(f"No trajectory form .{fmt[:20]}: use .json or .csv.")
    data = trajectory(session, settings, evenly_spaced(session, points))
    if fmt == "csv":
        return Response(trajectory_csv(data), media_type=CSV)
    return Response(json.dumps(data, indent=2, sort_keys=True), media_type="application/json")
