"""How a save moved the assessment: the hook between the forms and app/assessment.py.

A failure of the engine never blocks a save; it is reported on the page instead.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import Request
from sqlmodel import Session

from app.assessment import current_assessment, describe_movement

log = logging.getLogger(__name__)
T = TypeVar("T")
UNAVAILABLE = object()


def snapshot(session: Session, settings: Any = None, *, uncommitted: bool = False) -> Any:
    """The assessment of what the session sees now (flushed writes included), or UNAVAILABLE."""
    try:
        return current_assessment(session, settings, uncommitted=uncommitted)
    except Exception:  # the engine must never cost an analyst a save
        log.exception("assessment failed")
        return UNAVAILABLE


def describe(before: Any, after: Any) -> list[str]:
    """Sentences saying how the assessment moved, or that it did not."""
    if before is UNAVAILABLE or after is UNAVAILABLE:
        return ["The assessment could not be computed; see the server log."]
    try:
        moves = list(describe_movement(before, after))
    except Exception:
        log.exception("describe_movement failed")
        return ["The assessment could not be compared; see the server log."]
    return ["Assessment: " + "; ".join(moves)] if moves else ["The assessment did not move."]


def save_and_describe(
    request: Request, session: Session, row: T | None, create: Callable[[], T], update: Callable[[], object]
) -> tuple[T, list[str]]:
    """Create (row is None) or update the row, and say how that moved the assessment."""
    if row is None:
        return write_and_describe(request, session, create)
    _, moves = write_and_describe(request, session, update)
    return row, moves


def write_and_describe(request: Request, session: Session, write: Callable[[], T]) -> tuple[T, list[str]]:
    """Run a write and say how it moved the assessment (both computed in this transaction)."""
    settings = request.app.state.settings
    before = snapshot(session, settings)
    outcome = write()
    session.flush()
    return outcome, describe(before, snapshot(session, settings, uncommitted=True))
