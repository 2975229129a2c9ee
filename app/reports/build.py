"""Building a report snapshot: assess, capture the evidence, compare with the latest, render, publish and record
(or stage a candidate for an editor), one build at a time across processes and replicas (the build lock).

`ceiling report build`, the schedule (app/reports/schedule.py) and an editor's approval all come here.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from filelock import FileLock, Timeout
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlmodel import Session, col, select

from app.assessment.asof import record_settings_in_force
from app.assessment.live import current_assessment, load_evidence, weighs_reviewed_only
from app.config import Settings
from app.db.engine import get_engine
from app.db.session import session_scope
from app.ops.metrics import REPORT_BUILDS
from app.reports import publish
from app.reports.attribution import attribution
from app.reports.capture import canonical_json, capture_evidence, report_fingerprint
from app.reports.content import ReportDocument
from app.reports.diff import diff_documents
from app.reports.models import ReportFile, ReportSnapshot, SnapshotStatus
from app.reports.render import FILE_NAMES, MEDIA_TYPES
from app.reports.snapshots import FORMAT_VERSION, _document, _parts, _point, latest, render_files, snapshot_meta
from app.reports.trajectory import snapshot_points
from app.webhooks.events import enqueue_publication

log = logging.getLogger("ceiling.reports")
STAGES = ("assess", "capture evidence", "compare with latest", "render and write files", "publish", "record")


@dataclass(frozen=True)
class BuildOutcome:
    """What a build did: built a new snapshot, or found the evidence unchanged and wrote nothing."""

    built: bool
    snapshot_id: int | None
    fingerprint: str
    directory: str | None
    message: str


def build_snapshot(
    settings: Settings, force: bool = False, progress: Callable[[str], None] | None = None
) -> BuildOutcome:
    """Build and publish a snapshot of the current evidence, unless it equals the latest one.

    With settings.publish_requires_approval the build is staged instead: a candidate row, no files,
    until an editor approves it (app/reports/approval.py)."""
    try:
        outcome = _build(settings, force, progress)
    except BaseException:
        REPORT_BUILDS.labels("failed").inc()
        raise
    REPORT_BUILDS.labels("built" if outcome.built else "unchanged").inc()
    return outcome


def _build(settings: Settings, force: bool, progress: Callable[[str], None] | None) -> BuildOutcome:
    step = progress or (lambda _stage: None)
    reports_dir = Path(settings.reports_dir)
    engine = get_engine(settings.database_url)
    with Session(engine) as session:
        step("assess")
        assessment = current_assessment(session, settings)
        step("capture evidence")
        evidence = capture_evidence(session, settings.citation_style, weighs_reviewed_only(settings))
        step("compare with latest")
        fingerprint = report_fingerprint(assessment.fingerprint, evidence, FORMAT_VERSION)
        previous = latest(session)
        if previous is not None and previous.fingerprint == fingerprint and not force:
            return BuildOutcome(
                False,
                previous.id,
                fingerprint,
                previous.directory,
                f"unchanged since snapshot {previous.id} ({previous.directory}): nothing written (--force rebuilds)",
            )
        staged = _last_staged(session) if settings.publish_requires_approval else None
        if staged is not None and staged.fingerprint == fingerprint and not force:
            return BuildOutcome(
                False, staged.id, fingerprint, None, f"unchanged since {staged.status} {staged.id}: nothing written"
            )
        previous_parts = _parts(previous) if previous else None
        if previous_parts is not None:  # which new evidence moved each row: tested now, while the frames are here
            evidence["attribution"] = attribution(
                previous_parts,
                assessment.model_dump(mode="json"),
                evidence,
                load_evidence(session, weighs_reviewed_only(settings)),
            )
        history = snapshot_points(session)
        taken = set(session.exec(select(ReportSnapshot.directory)))
    created = dt.datetime.now(dt.UTC).replace(microsecond=0)
    publish.remove_stale_staging(reports_dir)
    name = publish.free_name(reports_dir, f"{created:%Y-%m-%d}-{fingerprint[:12]}", taken)
    row = ReportSnapshot(
        created_at=created,
        fingerprint=fingerprint,
        engine_version=assessment.engine_version,
        schema_version=assessment.schema_version,
        directory=name,
        assessment_json=assessment.model_dump_json(),
        evidence_json=canonical_json(evidence),
    )
    if settings.publish_requires_approval:
        step("record")
        return _stage(engine, row)

    def record(session: Session) -> int:
        session.add(row)
        session.flush()
        announce(session, settings, row, previous)
        return row.id

    parts = _parts(row)
    doc = _document(parts, previous_parts, history, _point(row, parts))
    snapshot_id = publish_and_record(engine, reports_dir, name, doc, record, step)
    return BuildOutcome(True, snapshot_id, fingerprint, name, f"built snapshot {snapshot_id}: {reports_dir / name}")


def publish_and_record(
    engine, reports_dir: Path, name: str, doc: ReportDocument, record: Callable[[Session], int], step=lambda _: None
) -> int:
    """Write the files, point latest at them, then record in the database; a failed record undoes the publish."""
    step("render and write files")
    texts = {file_name: produce() for file_name, produce in render_files(doc).items()}
    before = publish.current_latest(reports_dir)
    publish.publish(reports_dir, name, {file_name: (lambda t=t: t) for file_name, t in texts.items()})
    step("publish")
    try:
        publish.point_latest(reports_dir, name)
        step("record")
        with session_scope(engine) as session:
            snapshot_id = record(session)
            media = {FILE_NAMES[fmt]: MEDIA_TYPES[fmt] for fmt in FILE_NAMES}
            for file_name, content in texts.items():
                session.add(
                    ReportFile(snapshot_id=snapshot_id, name=file_name, media_type=media[file_name], content=content)
                )
            return snapshot_id
    except BaseException:
        log.error("recording snapshot %s failed: the publish is undone and latest restored", name)
        publish.unpublish(reports_dir, name, before)
        raise


def announce(session: Session, settings: Settings, row: ReportSnapshot, previous: ReportSnapshot | None) -> None:
    """Put the webhook events of this publication in the outbox, in the publishing transaction."""
    changes = diff_documents(_parts(previous), _parts(row)) if previous is not None else None
    summary = {"id": row.id, "fingerprint": row.fingerprint, "created_at": snapshot_meta(row)["created_at"]}
    enqueue_publication(session, summary, previous.id if previous else None, changes, settings.public_url)


def _last_staged(session: Session) -> ReportSnapshot | None:
    """The newest candidate or rejected build: a build equal to it is not staged again."""
    query = select(ReportSnapshot).where(ReportSnapshot.status != SnapshotStatus.published)
    return session.exec(query.order_by(col(ReportSnapshot.id).desc()).limit(1)).first()


def _stage(engine, row: ReportSnapshot) -> BuildOutcome:
    """Record the build as the one candidate awaiting an editor; an older pending candidate is superseded."""
    row.status = SnapshotStatus.candidate
    with session_scope(engine) as session:
        for older in session.exec(select(ReportSnapshot).where(ReportSnapshot.status == SnapshotStatus.candidate)):
            older.status, older.reviewed_by = SnapshotStatus.rejected, "scheduler"
            older.reviewed_at, older.review_reason = dt.datetime.now(dt.UTC), "superseded by a newer candidate"
            session.add(older)
        session.add(row)
        session.flush()
        snapshot_id, fingerprint = row.id, row.fingerprint
    message = f"built candidate {snapshot_id}: awaiting an editor's approval at /reports/candidates/{snapshot_id}"
    return BuildOutcome(True, snapshot_id, fingerprint, None, message)


ADVISORY_LOCK_KEY = 0x0CE1_11_4E_B0  # "ceiling report build": one bigint shared by every replica


def _lock_file(settings: Settings) -> Path:
    database = make_url(settings.database_url).database
    if database and database != ":memory:":
        return Path(database).with_name(Path(database).name + ".report-build.lock")
    return Path(settings.reports_dir) / ".report-build.lock"


@contextlib.contextmanager
def build_lock(settings: Settings) -> Iterator[bool]:
    """Yields True when this process holds the build lock, False when another one does."""
    if settings.is_sqlite:
        path = _lock_file(settings)
        path.parent.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(path))
        try:
            lock.acquire(timeout=0)
        except Timeout:
            yield False
            return
        try:
            yield True
        finally:
            lock.release()
        return
    with get_engine(settings.database_url).connect() as connection:
        acquired = bool(connection.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": ADVISORY_LOCK_KEY}).scalar())
        connection.commit()
        try:
            yield acquired
        finally:
            if acquired:
                connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": ADVISORY_LOCK_KEY})
                connection.commit()


def build_once(settings: Settings, force: bool = False, progress=None) -> BuildOutcome | None:
    """One build under the lock; None when another process holds it."""
    with build_lock(settings) as acquired:
        if not acquired:
            log.info("report build skipped: another process is building")
            return None
        record_settings_in_force(get_engine(settings.database_url), settings)
        return build_snapshot(settings, force=force, progress=progress)
