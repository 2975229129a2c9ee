"""How a save moved the assessment: the hook between the forms and app/assessment.py.

`app.assessment` (the integrator's) provides current_assessment(session) and
describe_movement(before, after) -> list[str]. Until it exists, saves say nothing about the
assessment; a failure of the engine never blocks a save, it is reported instead.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import Request
from sqlmodel import Session

log = logging.getLogger(__name__)
T = TypeVar("T")
UNAVAILABLE = object()


def _assessment_module():
    try:
        return importlib.import_module("app.assessment")
    except ImportError:
        return None


def snapshot(session: Session, settings: Any = None) -> Any:
    """The assessment of what the session sees now (flushed writes included), or UNAVAILABLE."""
    module = _assessment_module()
    if module is None:
        return UNAVAILABLE
    try:
        return module.current_assessment(session, settings)
    except Exception:  # the engine must never cost an analyst a save
        log.exception("assessment failed")
        return UNAVAILABLE


def describe(before: Any, after: Any) -> list[str]:
    """Sentences saying how the assessment moved, or that it did not."""
    if before is UNAVAILABLE or after is UNAVAILABLE:
        module = _assessment_module()
        return [] if module is None else ["The assessment could not be computed; see the server log."]
    try:
        moves = list(_assessment_module().describe_movement(before, after))
    except Exception:
        log.exception("describe_movement failed")
        return ["The assessment could not be compared; see the server log."]
    return ["Assessment: " + "; ".join(moves)] if moves else ["The assessment did not move."]


def write_and_describe(request: Request, session: Session, write: Callable[[], T]) -> tuple[T, list[str]]:
    """Run a write and say how it moved the assessment (both computed in this transaction)."""
    settings = request.app.state.settings
    before = snapshot(session, settings)
    outcome = write()
    session.flush()
    return outcome, describe(before, snapshot(session, settings))
