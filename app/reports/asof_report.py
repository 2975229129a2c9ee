"""The report of a past instant: the as-of assessment (app/assessment/asof.py) with the evidence of then, compared
with the last report published at or before that instant. Nothing is stored but the as-of points' cache, which
the trajectory shares (on a large store they are computed in the background: app/reports/trajectory.py)."""

from __future__ import annotations

import datetime as dt
import json

from sqlmodel import Session, col, select

from app.assessment.asof import checked_instant, settings_as_of
from app.assessment.live import scoring_settings, weighs_reviewed_only
from app.config import Settings
from app.reports.capture import report_fingerprint
from app.reports.content import ReportDocument
from app.reports.diff import diff_documents
from app.reports.models import ReportSnapshot, SnapshotStatus
from app.reports.snapshots import FORMAT_VERSION, snapshot_meta
from app.reports.trajectory import Point, as_of_parts, snapshot_points, with_point


def published_before(session: Session, instant: dt.datetime) -> ReportSnapshot | None:
    """The last published snapshot built at or before the instant."""
    query = select(ReportSnapshot).where(
        ReportSnapshot.created_at <= instant, ReportSnapshot.status == SnapshotStatus.published
    )
    return session.exec(query.order_by(col(ReportSnapshot.id).desc()).limit(1)).first()


def as_of_document(
    session: Session, instant: dt.datetime, settings: Settings, with_drafts: bool = False
) -> ReportDocument:
    """The report of the evidence, overrides and settings as they stood at the instant."""
    instant = checked_instant(instant)
    cached = as_of_parts(session, instant, settings, weighs_reviewed_only(settings, with_drafts))
    assessment, evidence = cached["assessment"], cached["evidence"]
    label = f"{instant:%Y-%m-%d %H:%M:%S} UTC"
    meta = {
        "created_at": label,
        "as_of": label,
        "settings_basis": settings_as_of(session, instant, scoring_settings(settings))[1],
        "live": False,
        "fingerprint": report_fingerprint(assessment["fingerprint"], evidence, FORMAT_VERSION),
        "directory": None,
        "engine_version": assessment["engine_version"],
        "schema_version": assessment["schema_version"],
        "format_version": FORMAT_VERSION,
    }
    parts = {"assessment": assessment, "evidence": evidence, "meta": meta}
    over_time = with_point(snapshot_points(session), Point(instant, "as_of", None, parts))
    row = published_before(session, instant)
    if row is None:
        return ReportDocument(assessment, evidence, meta, trajectory=over_time)
    previous = {"assessment": json.loads(row.assessment_json), "evidence": json.loads(row.evidence_json)}
    changes = diff_documents(previous, parts)
    return ReportDocument(assessment, evidence, meta, changes, snapshot_meta(row), over_time, previous["assessment"])
