"""The report of a past instant: the as-of assessment (app/assessment/asof.py) with the evidence of then, compared
with the last report published at or before that instant. Nothing is stored."""

from __future__ import annotations

import datetime as dt
import json

from sqlmodel import Session, col, select

from app.assessment.asof import as_of
from app.assessment.live import weighs_reviewed_only
from app.config import Settings
from app.reports.capture import capture_evidence, report_fingerprint
from app.reports.content import ReportDocument
from app.reports.diff import diff_documents
from app.reports.models import ReportSnapshot, SnapshotStatus
from app.reports.snapshots import FORMAT_VERSION, snapshot_meta
from app.reports.trajectory import Point, snapshot_points, with_point


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
    reviewed_only = weighs_reviewed_only(settings, with_drafts)
    with as_of(session, instant, settings, reviewed_only) as (answer, then):
        assessment = answer.assessment.model_dump(mode="json")
        evidence = capture_evidence(then, settings.citation_style, reviewed_only, agreement=False)
    label = f"{answer.as_of:%Y-%m-%d %H:%M:%S} UTC"
    meta = {
        "created_at": label,
        "as_of": label,
        "settings_basis": answer.settings_basis,
        "live": False,
        "fingerprint": report_fingerprint(assessment["fingerprint"], evidence, FORMAT_VERSION),
        "directory": None,
        "engine_version": assessment["engine_version"],
        "schema_version": assessment["schema_version"],
        "format_version": FORMAT_VERSION,
    }
    parts = {"assessment": assessment, "evidence": evidence, "meta": meta}
    over_time = with_point(snapshot_points(session), Point(answer.as_of, "as_of", None, parts))
    row = published_before(session, answer.as_of)
    if row is None:
        return ReportDocument(assessment, evidence, meta, trajectory=over_time)
    previous = {"assessment": json.loads(row.assessment_json), "evidence": json.loads(row.evidence_json)}
    changes = diff_documents(previous, parts)
    return ReportDocument(assessment, evidence, meta, changes, snapshot_meta(row), over_time, previous["assessment"])
