"""Analysts' overrides of the engine's suggested confidence grade, one per aspect, with a written reason.

Every set and clear is logged in grade_override_revision (before and after), so an as-of assessment
uses the overrides of then (app/evidence/export/asof.py)."""

from __future__ import annotations

from sqlmodel import Session, select

from app.evidence.base import utcnow
from app.evidence.enums import Grade
from app.evidence.errors import EvidenceError, NotFound
from app.evidence.history import Actor
from app.evidence.models import Aspect, GradeOverride, GradeOverrideRevision

MIN_REASON_CHARS = 20


def _state(row: GradeOverride | None) -> dict | None:
    return None if row is None else {"grade": row.grade, "reason": row.reason, "author": row.author}


def all_overrides(session: Session) -> list[GradeOverride]:
    return list(session.exec(select(GradeOverride).order_by(GradeOverride.aspect_key)))


def set_override(session: Session, aspect_key: str, grade: Grade, reason: str, actor: Actor) -> GradeOverride:
    """Set (or replace) the aspect's override; the reason is required, because readers see it beside the grade."""
    if session.get(Aspect, aspect_key) is None:
        raise NotFound(f"no aspect {aspect_key!r}")
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON_CHARS:
        raise EvidenceError(f"give the reason in at least {MIN_REASON_CHARS} characters", field="reason")
    if "\x00" in reason:
        raise EvidenceError("text must not contain NUL (\\x00) characters", field="reason")
    row = session.exec(select(GradeOverride).where(GradeOverride.aspect_key == aspect_key)).first()
    before = _state(row)
    if row is None:
        row = GradeOverride(aspect_key=aspect_key, grade=Grade(grade).value, reason=reason, author=actor.name)
    else:
        row.grade, row.reason, row.author = Grade(grade).value, reason, actor.name
        row.version += 1
        row.updated_at = utcnow()
    session.add(row)
    session.add(
        GradeOverrideRevision(aspect_key=aspect_key, action="set", before=before, after=_state(row), actor=actor.name)
    )
    session.flush()
    return row


def clear_override(session: Session, aspect_key: str, actor: Actor | None = None) -> None:
    row = session.exec(select(GradeOverride).where(GradeOverride.aspect_key == aspect_key)).first()
    if row is None:
        raise NotFound(f"aspect {aspect_key!r} has no override")
    name = actor.name if actor else (row.author or "unknown")
    session.add(
        GradeOverrideRevision(aspect_key=aspect_key, action="clear", before=_state(row), after=None, actor=name)
    )
    session.delete(row)
    session.flush()
