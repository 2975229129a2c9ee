"""Report snapshots: published ones, and (with editor approval on) candidates awaiting an editor."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import DateTime, Text
from sqlmodel import Field, SQLModel

from app.evidence.base import one_of, utcnow


class SnapshotStatus(StrEnum):
    """published: readers see it; candidate: built, awaiting an editor; rejected: an editor refused it."""

    published = "published"
    candidate = "candidate"
    rejected = "rejected"


class ReportSnapshot(SQLModel, table=True):
    """One build of the report: its input fingerprint, engine version and Assessment JSON."""

    __tablename__ = "report_snapshot"
    __table_args__ = (one_of("status", SnapshotStatus),)

    id: int | None = Field(default=None, primary_key=True)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True), nullable=False, index=True)
    fingerprint: str = Field(max_length=64, index=True)
    engine_version: str = Field(max_length=50)
    schema_version: str = Field(max_length=20)
    directory: str = Field(max_length=200, unique=True)
    assessment_json: str = Field(sa_type=Text)
    evidence_json: str = Field(sa_type=Text)
    status: str = Field(
        default=SnapshotStatus.published, max_length=20, index=True, sa_column_kwargs={"server_default": "published"}
    )
    reviewed_by: str | None = Field(default=None, max_length=100)
    reviewed_at: dt.datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    review_reason: str | None = Field(default=None, sa_type=Text)


class ReportFile(SQLModel, table=True):
    """One rendered form of a snapshot (report.html, .md, .json, .csv), kept in the database so that every
    replica on every host serves the same bytes; the reports folder is only an export of these."""

    __tablename__ = "report_file"

    snapshot_id: int = Field(foreign_key="report_snapshot.id", primary_key=True, ondelete="CASCADE")
    name: str = Field(max_length=50, primary_key=True)
    media_type: str = Field(max_length=100)
    content: str = Field(sa_type=Text)
