"""Editor approval of staged reports (settings.publish_requires_approval).

A build then records a candidate snapshot and writes no files. An editor compares it with the published
report and either approves it, which publishes its files, points `latest` at them and marks the row
published in one transaction (the same atomic path as a build, under the same build lock), or rejects
it with a reason. Readers' queries (snapshots.latest/get/get_all) only ever see published rows.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from app.config import Settings
from app.db.engine import get_engine
from app.evidence.errors import Conflict, EvidenceError, NotFound
from app.reports import publish, snapshots
from app.reports.build import announce, build_lock, publish_and_record
from app.reports.models import ReportSnapshot, SnapshotStatus

MIN_REASON_CHARS = 10


def candidates(session: Session, limit: int = 50) -> list[ReportSnapshot]:
    """Candidates and rejected builds, newest first."""
    query = select(ReportSnapshot).where(ReportSnapshot.status != SnapshotStatus.published)
    return list(session.exec(query.order_by(col(ReportSnapshot.id).desc()).limit(limit)))


def get_candidate(session: Session, snapshot_id: int) -> ReportSnapshot:
    """A staged build (candidate or rejected)."""
    row = session.get(ReportSnapshot, snapshot_id)
    if row is None or row.status == SnapshotStatus.published:
        raise NotFound(f"no candidate report {snapshot_id}")
    return row


def review(session: Session, row: ReportSnapshot) -> dict[str, Any]:
    """What an editor decides on: the candidate, the published report it would replace, and the diff."""
    published = snapshots.latest(session)
    return {
        "candidate": row,
        "published": published,
        "diff": snapshots.diff_rows(published, row) if published is not None else None,
    }


def _pending(session: Session, snapshot_id: int) -> ReportSnapshot:
    row = get_candidate(session, snapshot_id)
    if row.status != SnapshotStatus.candidate:
        raise Conflict(f"report {snapshot_id} is {row.status}, not a candidate awaiting review")
    return row


def _mark(session: Session, snapshot_id: int, status: SnapshotStatus, editor: str, reason: str | None) -> None:
    """Move a candidate to its decision, only if it is still a candidate (two editors cannot both decide)."""
    done = session.execute(
        update(ReportSnapshot)
        .where(ReportSnapshot.id == snapshot_id, ReportSnapshot.status == SnapshotStatus.candidate)
        .values(status=status, reviewed_by=editor, reviewed_at=dt.datetime.now(dt.UTC), review_reason=reason)
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:
        raise Conflict(f"report {snapshot_id} was decided by someone else meanwhile")
    session.expire_all()


def reject(session: Session, snapshot_id: int, editor: str, reason: str) -> None:
    """Refuse a candidate with the reason; nothing is published. The caller commits."""
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON_CHARS:
        raise EvidenceError(f"give the reason in at least {MIN_REASON_CHARS} characters", field="reason")
    if "\x00" in reason or len(reason) > 5000:
        raise EvidenceError("the reason has at most 5000 characters and no NUL", field="reason")
    _pending(session, snapshot_id)
    _mark(session, snapshot_id, SnapshotStatus.rejected, editor, reason)


def approve(settings: Settings, snapshot_id: int, editor: str) -> ReportSnapshot:
    """Publish a candidate: its files, then `latest`, then the row marked published with its webhook events."""
    engine = get_engine(settings.database_url)
    reports_dir = Path(settings.reports_dir)
    with build_lock(settings) as acquired:
        if not acquired:
            raise Conflict("a report build is running; approve again when it has finished")
        with Session(engine) as session:
            row = _pending(session, snapshot_id)
            newest = snapshots.latest(session)
            if newest is not None and newest.id > row.id:
                raise Conflict(f"report {newest.id}, newer than candidate {snapshot_id}, was published meanwhile")
            previous = snapshots.previous_of(session, row)
            doc = snapshots.document(session, row)
            session.expunge_all()
        publish.remove_stale_staging(reports_dir)

        def record(session: Session) -> int:
            _mark(session, snapshot_id, SnapshotStatus.published, editor, None)
            announce(session, settings, row, previous)
            return snapshot_id

        publish_and_record(engine, reports_dir, row.directory, doc, record)
    with Session(engine) as session:
        return session.get(ReportSnapshot, snapshot_id)
