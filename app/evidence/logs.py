"""What the revision log of evidence rows does not hold but an as-of assessment needs: the grade
overrides and the scoring settings in force at each moment, recorded as they change.

Both are append-only. Recording began with migration i12a1b2c3d4e; docs/reports.md says what an
as-of query can and cannot reconstruct for instants before it.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, CheckConstraint, Column, DateTime, Index, Text
from sqlmodel import Field, SQLModel

from app.evidence.base import utcnow


class GradeOverrideRevision(SQLModel, table=True):
    """One change of an aspect's grade override: its state before and after ({grade, reason, author} or null)."""

    __tablename__ = "grade_override_revision"
    __table_args__ = (
        CheckConstraint("action IN ('set', 'clear')", name="action_valid"),
        Index("ix_grade_override_revision_at", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    at: dt.datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True), nullable=False)
    aspect_key: str = Field(foreign_key="aspect.key", max_length=120, index=True)
    action: str = Field(max_length=10)
    before: dict | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    after: dict | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    actor: str = Field(max_length=100)


class ScoringSettingsRecord(SQLModel, table=True):
    """The scoring settings in force from `at` on (a row is added only when they differ from the last one)."""

    __tablename__ = "scoring_settings_record"

    id: int | None = Field(default=None, primary_key=True)
    at: dt.datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True), nullable=False, index=True)
    settings_sha256: str = Field(max_length=64)
    settings_json: str = Field(sa_type=Text)
