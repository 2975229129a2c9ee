"""The shared assessment cache: computed assessments stored in the database, so every process and replica
reuses one computation instead of each recomputing it in its own memory. Beside it, the record of the scoring
settings in force at each moment, which as-of assessments read (app/assessment/asof.py).

Two small tables: `assessment_cache` holds an assessment's JSON by its engine input fingerprint, and
`assessment_version` maps a data version of the store (with the scoring settings) to that fingerprint,
so a reader at an unchanged data version never even loads the evidence. Only the newest entries are kept.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from sqlalchemy import DateTime, Text, delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, Session, SQLModel, col, select

from app.evidence.base import utcnow

KEEP = 8


class AssessmentCache(SQLModel, table=True):
    __tablename__ = "assessment_cache"

    fingerprint: str = Field(max_length=64, primary_key=True)
    assessment_json: str = Field(sa_type=Text)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True), nullable=False, index=True)


class AssessmentVersion(SQLModel, table=True):
    __tablename__ = "assessment_version"

    version_key: str = Field(max_length=64, primary_key=True)
    fingerprint: str = Field(foreign_key="assessment_cache.fingerprint", max_length=64, index=True, ondelete="CASCADE")
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True), nullable=False, index=True)


def version_key(data_version: str, settings_json: str) -> str:
    return hashlib.sha256(f"{data_version}\n{settings_json}".encode()).hexdigest()


def fingerprint_at(session: Session, key: str) -> str | None:
    """The fingerprint of the assessment computed at this version key, if any replica computed it."""
    return session.exec(select(AssessmentVersion.fingerprint).where(AssessmentVersion.version_key == key)).first()


def json_of(session: Session, fingerprint: str) -> str | None:
    return session.exec(
        select(AssessmentCache.assessment_json).where(AssessmentCache.fingerprint == fingerprint)
    ).first()


def store(session: Session, fingerprint: str, assessment_json: str | None, key: str | None) -> None:
    """Record an assessment (when given) and the version key that led to it, in a transaction of its own
    (a savepoint), so two replicas storing the same entry at once never fail the caller's request."""
    try:
        with session.begin_nested():
            if assessment_json is not None and session.get(AssessmentCache, fingerprint) is None:
                session.add(AssessmentCache(fingerprint=fingerprint, assessment_json=assessment_json))
                session.flush()
            if key is not None and session.get(AssessmentVersion, key) is None:
                session.add(AssessmentVersion(version_key=key, fingerprint=fingerprint))
                session.flush()
    except IntegrityError:
        return  # another process stored the same entry first: it holds the same content
    _prune(session)


def _prune(session: Session) -> None:
    """Keep the newest entries only (version keys are cheap, so more of them)."""
    newest = col(AssessmentVersion.created_at).desc()
    cutoff = session.exec(select(AssessmentVersion.created_at).order_by(newest).offset(KEEP * 4).limit(1)).first()
    if cutoff is not None:
        session.exec(delete(AssessmentVersion).where(AssessmentVersion.created_at <= cutoff))
    newest = col(AssessmentCache.created_at).desc()
    cutoff = session.exec(select(AssessmentCache.created_at).order_by(newest).offset(KEEP).limit(1)).first()
    if cutoff is not None:
        in_use = select(AssessmentVersion.fingerprint)
        session.exec(
            delete(AssessmentCache).where(
                AssessmentCache.created_at <= cutoff, col(AssessmentCache.fingerprint).not_in(in_use)
            )
        )


class ScoringSettingsRecord(SQLModel, table=True):
    """The scoring settings in force from `at` on (a row is added only when they differ from the last one)."""

    __tablename__ = "scoring_settings_record"

    id: int | None = Field(default=None, primary_key=True)
    at: dt.datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True), nullable=False, index=True)
    settings_sha256: str = Field(max_length=64)
    settings_json: str = Field(sa_type=Text)
