"""How a save moved the assessment, without the save waiting for the engine.

A save notes two data versions in the visitor's session, before and after its write, and asks for a
recompute once it commits (app/assessment/live.refresh_after_commit). The next page shows how the
assessment moved as soon as both assessments are in the shared cache; until then it shows a notice
that /assessment/movement completes (JavaScript polls it; without JavaScript the next page shows it).
A failure of the engine never blocks a save; it is reported instead.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlmodel import Session

from app.assessment import live
from app.assessment.movement import movement_message

log = logging.getLogger(__name__)
T = TypeVar("T")
PENDING = "movement"
POLL_URL = "/assessment/movement"
WORKING = "Working out how the assessment moved…"
router = APIRouter(include_in_schema=False)


def save_and_describe(
    request: Request, session: Session, row: T | None, create: Callable[[], T], update: Callable[[], object]
) -> T:
    """Create (row is None) or update the row; how that moved the assessment follows on the next page."""
    if row is None:
        return write_and_describe(request, session, create)
    write_and_describe(request, session, update)
    return row


def write_and_describe(request: Request, session: Session, write: Callable[[], T]) -> T:
    """Run a write and queue the message saying how it moved the assessment (nothing is computed here)."""
    settings = request.app.state.settings
    before = live.version_key(session, settings)
    outcome = write()
    session.flush()
    request.session[PENDING] = {"from": before, "to": live.version_key(session, settings)}
    live.refresh_after_commit(session, settings)
    return outcome


def resolve(request: Request, session: Session, *, wait: bool = False) -> list[str] | None:
    """The movement lines of the visitor's last save (and forget it), or None while they are not ready.

    With wait=True (the poll) the background recompute is awaited and, if the store has moved on
    since, the current assessment is computed here: the poll may wait, the save did not.
    """
    pending = request.session.get(PENDING)
    if not isinstance(pending, dict):
        return None
    settings = request.app.state.settings
    try:
        if wait:
            live.wait_for_refresh()
        after = live.assessment_at(session, str(pending.get("to")))
        if after is None and wait:
            after = live.current_assessment(session, settings)
        if after is None:
            return None
        lines = movement_message(live.assessment_at(session, str(pending.get("from"))), after)
    except Exception:  # the engine must never cost an analyst a page
        log.exception("assessment failed")
        lines = ["The assessment could not be computed; see the server log."]
    request.session.pop(PENDING, None)
    return lines


def pending_flashes(request: Request) -> list[list[str]]:
    """For every page: the movement of the last save when ready, else a notice that the poll fills in."""
    if PENDING not in request.session:
        return []
    with Session(request.app.state.engine) as session:
        lines = resolve(request, session)
    if lines is None:
        return [["movement pending", WORKING]]
    return [["movement", line] for line in lines]


@router.get(POLL_URL)
def movement(request: Request) -> JSONResponse:
    """How the visitor's last save moved the assessment, once it is computed (JSON for the page's script)."""
    with Session(request.app.state.engine) as session:
        lines = resolve(request, session, wait=True)
    return JSONResponse({"ready": lines is not None, "lines": lines or []}, headers={"Cache-Control": "no-store"})
