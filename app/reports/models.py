"""Published report snapshots."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, Text
from sqlmodel import Field, SQLModel

from app.evidence.base import utcnow


class ReportSnapshot(SQLModel, table=True):
    """One published build of the report: its input fingerprint, engine version and Assessment JSON."""

    __tablename__ = "report_snapshot"

    id: int | None = Field(default=None, primary_key=True)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True), nullable=False, index=True)
    fingerprint: str = Field(max_length=64, index=True)
    engine_version: str = Field(max_length=50)
    schema_version: str = Field(max_length=20)
    directory: str = Field(max_length=200, unique=True)
    assessment_json: str = Field(sa_type=Text)
    evidence_json: str = Field(sa_type=Text)


class ReportFile(SQLModel, table=True):
    """One rendered form of a snapshot (report.html, .md, .json, .csv), kept in the database so that every
    replica on every host serves the same bytes; the reports folder is only an export of these."""

    __tablename__ = "report_file"

    snapshot_id: int = Field(foreign_key="report_snapshot.id", primary_key=True, ondelete="CASCADE")
    name: str = Field(max_length=50, primary_key=True)
    media_type: str = Field(max_length=100)
    content: str = Field(sa_type=Text)
