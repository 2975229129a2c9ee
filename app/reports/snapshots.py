"""Report snapshots: build (assess, capture, render, publish atomically, record), list, load and compare.

A build whose fingerprint equals the latest snapshot's writes nothing unless forced. The four rendered
forms are stored in the database with the snapshot row (`report_file`), so every replica on every
host serves the same bytes; the reports folder is an export of them. Files are published before the
rows are inserted; if the insert fails, the publish is undone, so a failure at any stage leaves the
previous `latest` and its row as they were (docs/reports.md).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from sqlmodel import Session, col, select

from app.assessment.live import current_assessment, version_key, weighs_reviewed_only
from app.config import Settings
from app.evidence.version import has_pending_writes
from app.reports.capture import capture_evidence, report_fingerprint
from app.reports.content import ReportDocument
from app.reports.diff import diff_documents
from app.reports.models import ReportFile, ReportSnapshot, SnapshotStatus
from app.reports.render import FILE_NAMES, RENDERERS
from app.reports.trajectory import Point, snapshot_points, with_point

log = logging.getLogger("ceiling.reports")
FORMAT_VERSION = "1"


class SnapshotNotFound(LookupError):
    """No snapshot with that id (or no snapshot at all, for 'latest')."""


def snapshot_meta(row: ReportSnapshot) -> dict[str, Any]:
    created = row.created_at if row.created_at.tzinfo else row.created_at.replace(tzinfo=dt.UTC)
    return {
        "created_at": created.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "fingerprint": row.fingerprint,
        "directory": row.directory,
        "engine_version": row.engine_version,
        "schema_version": row.schema_version,
        "format_version": FORMAT_VERSION,
        "live": False,
    }


def _parts(row: ReportSnapshot) -> dict[str, Any]:
    return {
        "assessment": json.loads(row.assessment_json),
        "evidence": json.loads(row.evidence_json),
        "meta": snapshot_meta(row),
    }


def _published():
    """Readers see published snapshots only: never a candidate awaiting an editor, nor a rejected one."""
    return select(ReportSnapshot).where(ReportSnapshot.status == SnapshotStatus.published)


def latest(session: Session) -> ReportSnapshot | None:
    """The newest published snapshot row."""
    return session.exec(_published().order_by(col(ReportSnapshot.id).desc()).limit(1)).first()


def get(session: Session, snapshot_id: int) -> ReportSnapshot:
    row = session.get(ReportSnapshot, snapshot_id)
    if row is None or row.status != SnapshotStatus.published:
        raise SnapshotNotFound(f"no report snapshot {snapshot_id}")
    return row


def resolve(session: Session, ref: str | int) -> ReportSnapshot:
    """A snapshot by id, or 'latest'."""
    if str(ref) == "latest":
        row = latest(session)
        if row is None:
            raise SnapshotNotFound("no report has been built yet")
        return row
    if not str(ref).isdigit() or len(str(ref)) > 12:
        raise SnapshotNotFound(f"no report snapshot {ref!r}")
    return get(session, int(ref))


def get_all(session: Session, limit: int = 200) -> list[ReportSnapshot]:
    """Published snapshots, newest first."""
    return list(session.exec(_published().order_by(col(ReportSnapshot.id).desc()).limit(limit)))


def previous_of(session: Session, row: ReportSnapshot) -> ReportSnapshot | None:
    """The published snapshot before this one (a candidate's is the report it would replace)."""
    query = _published().where(ReportSnapshot.id < row.id).order_by(col(ReportSnapshot.id).desc())
    return session.exec(query.limit(1)).first()


def _document(
    parts: dict[str, Any], previous: dict[str, Any] | None, history: list[Point] = (), point: Point | None = None
) -> ReportDocument:
    """The report of `parts`; with `point`, its trajectory over `history` (the published snapshots) too."""
    changes = diff_documents(previous, parts) if previous is not None else None
    return ReportDocument(
        parts["assessment"],
        parts["evidence"],
        parts["meta"],
        changes,
        previous["meta"] if previous else None,
        with_point(list(history), point) if point is not None else None,
        previous["assessment"] if previous else None,
    )


def _point(row: ReportSnapshot, parts: dict[str, Any]) -> Point:
    created = row.created_at if row.created_at.tzinfo else row.created_at.replace(tzinfo=dt.UTC)
    return Point(created, "snapshot", row.id, parts)


def document(session: Session, row: ReportSnapshot) -> ReportDocument:
    """The renderable report of a stored snapshot, with its changes since the snapshot before it."""
    previous = previous_of(session, row)
    parts = _parts(row)
    history = snapshot_points(session, until_id=row.id)
    return _document(parts, _parts(previous) if previous else None, history, _point(row, parts))


def diff(session: Session, a: str | int, b: str | int) -> dict[str, Any]:
    """The difference from snapshot `a` to snapshot `b`."""
    return diff_rows(resolve(session, a), resolve(session, b))


def diff_rows(old: ReportSnapshot, new: ReportSnapshot) -> dict[str, Any]:
    """The difference between two snapshot rows (a candidate too)."""
    return {
        "from": {"id": old.id, **snapshot_meta(old)},
        "to": {"id": new.id, **snapshot_meta(new)},
        **diff_documents(_parts(old), _parts(new)),
    }


_live_documents: OrderedDict[tuple, ReportDocument] = OrderedDict()
_live_lock = threading.Lock()


def live_document(session: Session, settings: Settings, with_drafts: bool = False) -> ReportDocument:
    """A report of the evidence as it is now, compared with the latest snapshot (nothing is stored); made
    once per data version, scoring settings, citation style and latest snapshot in each process."""
    if has_pending_writes(session):
        return _live_document(session, settings, with_drafts)
    row = latest(session)
    key = (
        str(session.get_bind().url),
        version_key(session, settings, with_drafts),
        settings.citation_style,
        row.id if row else None,
    )
    with _live_lock:
        if key in _live_documents:
            _live_documents.move_to_end(key)
            return _live_documents[key]
    doc = _live_document(session, settings, with_drafts)
    with _live_lock:
        _live_documents[key] = doc
        while len(_live_documents) > 4:
            _live_documents.popitem(last=False)
    return doc


def _live_document(session: Session, settings: Settings, with_drafts: bool) -> ReportDocument:
    assessment = current_assessment(session, settings, with_drafts=with_drafts).model_dump(mode="json")
    evidence = capture_evidence(session, settings.citation_style, weighs_reviewed_only(settings, with_drafts))
    meta = {
        "created_at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "live": True,
        "fingerprint": report_fingerprint(assessment["fingerprint"], evidence, FORMAT_VERSION),
        "directory": None,
        "engine_version": assessment["engine_version"],
        "schema_version": assessment["schema_version"],
        "format_version": FORMAT_VERSION,
    }
    row = latest(session)
    parts = {"assessment": assessment, "evidence": evidence, "meta": meta}
    now = Point(dt.datetime.now(dt.UTC), "as_of", None, parts)
    return _document(parts, _parts(row) if row else None, snapshot_points(session), now)


def render_files(doc: ReportDocument) -> dict[str, Callable[[], str]]:
    """File name -> producer of its text, for every form of the report."""
    return {FILE_NAMES[fmt]: (lambda render=render: render(doc)) for fmt, render in RENDERERS.items()}


def stored_file(session: Session, row: ReportSnapshot, fmt: str) -> str | None:
    """The stored text of one form of a snapshot (None for snapshots built before forms were stored)."""
    stored = session.get(ReportFile, (row.id, FILE_NAMES[fmt]))
    return stored.content if stored is not None else None
