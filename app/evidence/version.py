"""The store's data version: a marker that changes whenever the evidence does, so caches of counts and of the
assessment are keyed by it; and whether a session holds writes not yet committed (no cache may then be keyed)."""

from __future__ import annotations

import hashlib

from sqlalchemy import event
from sqlmodel import Session, func, select

from app.evidence.models import Aspect, GradeOverride, Method, ResearchQuestion, Revision, ScaleBand

_FLUSHED = "ceiling.flushed"


@event.listens_for(Session, "after_flush")
def _note_flush(session, _context) -> None:
    session.info[_FLUSHED] = True


@event.listens_for(Session, "after_transaction_end")
def _forget_flush(session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(_FLUSHED, None)


def has_pending_writes(session: Session) -> bool:
    """Whether the session flushed writes not yet committed: what it sees may still be rolled back, so no
    cache may be keyed by its data version."""
    return bool(session.info.get(_FLUSHED))


def data_version(session: Session) -> str:
    """A marker that changes whenever the evidence does: every tracked write records a Revision, and
    the small vocabulary and override tables are summarised by their row count and latest update."""
    parts = [str(session.exec(select(func.max(Revision.id))).one() or 0)]
    for model in (Aspect, ResearchQuestion, ScaleBand, Method):
        count, latest = session.exec(select(func.count(), func.max(model.updated_at)).select_from(model)).one()
        parts.append(f"{count}@{latest}")
    overrides = session.exec(select(GradeOverride.aspect_key, GradeOverride.grade, GradeOverride.reason)).all()
    parts.append(hashlib.sha256(repr(sorted(overrides)).encode()).hexdigest()[:16])
    return "-".join(parts)
