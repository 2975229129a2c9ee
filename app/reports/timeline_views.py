"""The report over time: the Atom feed of published reports and the trajectory of each ceiling (page and API)."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from app.api.deps import ReaderDep
from app.deps import SessionDep, SettingsDep
from app.reports.feed import atom_feed
from app.web.session import load_user, reader

ATOM = "application/atom+xml; charset=utf-8"
pages = APIRouter(dependencies=[Depends(load_user), Depends(reader)], include_in_schema=False)
api = APIRouter(prefix="/api/v1/reports", tags=["reports"])


@pages.get("/reports/feed.atom")
def feed_page(session: SessionDep, settings: SettingsDep) -> Response:
    """The Atom feed of published reports."""
    return Response(atom_feed(session, settings.public_url), media_type=ATOM)


@api.get(
    "/feed.atom",
    response_class=Response,
    responses={200: {"content": {"application/atom+xml": {}}, "description": "Atom 1.0: one entry per snapshot."}},
)
def feed(session: SessionDep, settings: SettingsDep, _reader: ReaderDep) -> Response:
    """The Atom feed of published reports (the same as /reports/feed.atom)."""
    return Response(atom_feed(session, settings.public_url), media_type=ATOM)
