"""The assessment as of a past instant: the evidence and grade overrides of then (app/evidence/export/asof.py)
through the engine with the scoring settings of then.

The settings of an instant are, in order: the last scoring_settings_record at or before it (recorded
whenever the app starts or a report is built with settings that differ from the last record); else the
settings stored in the last snapshot built at or before it; else today's settings (`settings_basis` says
which). docs/reports.md lists what is and is not reconstructable for older instants.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, col, select

from app.assessment.cache import ScoringSettingsRecord
from app.assessment.live import assess_cached, load_evidence, scoring_settings
from app.config import Settings
from app.db.session import session_scope
from app.evidence.export.asof import as_utc, store_as_of
from app.reports.models import ReportSnapshot
from app.scoring import Assessment, ScoringSettings

log = logging.getLogger("ceiling.asof")
SettingsBasis = Literal["recorded", "snapshot", "current"]


class InstantInFuture(ValueError):
    """An as-of instant later than now."""


@dataclass(frozen=True)
class AsOfAssessment:
    """The assessment at an instant, and where its scoring settings came from."""

    as_of: dt.datetime
    assessment: Assessment
    settings_basis: SettingsBasis


def parse_instant(text: str) -> dt.datetime:
    """An ISO 8601 instant ('2026-11-01T12:00Z', '2026-11-01 12:00:00+01:00', '2026-11-01'); naive is UTC."""
    value = text.strip()
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    try:
        return as_utc(dt.datetime.fromisoformat(value))
    except (ValueError, OverflowError):  # OverflowError: year 1 or 9999 shifted out of range by its offset
        raise ValueError(f"not an ISO 8601 instant: {text[:60]!r} (e.g. 2026-11-01T12:00Z)") from None


def record_scoring_settings(session: Session, scoring: ScoringSettings) -> bool:
    """Log the settings in force from now on, unless the last record holds the same; True when written."""
    settings_json = scoring.model_dump_json()
    digest = hashlib.sha256(settings_json.encode()).hexdigest()
    last = session.exec(select(ScoringSettingsRecord).order_by(col(ScoringSettingsRecord.id).desc()).limit(1)).first()
    if last is not None and last.settings_sha256 == digest:
        return False
    session.add(ScoringSettingsRecord(settings_sha256=digest, settings_json=settings_json))
    session.flush()
    return True


def record_settings_in_force(engine: Engine, settings: Settings) -> None:
    """At start-up and before each report build: log the scoring settings if they changed (never fatal)."""
    try:
        with session_scope(engine) as session:
            record_scoring_settings(session, scoring_settings(settings))
    except SQLAlchemyError as error:  # e.g. a database not migrated yet: as-of falls back, nothing else breaks
        log.warning("scoring settings not recorded: %s", type(error).__name__)


def settings_as_of(session: Session, instant: dt.datetime, current: ScoringSettings) -> tuple[ScoringSettings, str]:
    """The scoring settings in force at the instant, and their basis (recorded, snapshot or current)."""
    instant = as_utc(instant)
    record = session.exec(
        select(ScoringSettingsRecord)
        .where(ScoringSettingsRecord.at <= instant)
        .order_by(col(ScoringSettingsRecord.id).desc())
        .limit(1)
    ).first()
    if record is not None:
        return ScoringSettings.model_validate_json(record.settings_json), "recorded"
    snapshot = session.exec(
        select(ReportSnapshot.assessment_json)
        .where(ReportSnapshot.created_at <= instant)
        .order_by(col(ReportSnapshot.id).desc())
        .limit(1)
    ).first()
    if snapshot is not None:
        stored = json.loads(snapshot).get("settings")
        if stored:
            try:
                return ScoringSettings.model_validate(stored), "snapshot"
            except ValueError:
                pass  # written by an engine whose settings no longer validate: fall back to today's
    return current, "current"


def checked_instant(instant: dt.datetime) -> dt.datetime:
    """The instant in UTC; one in the future has no assessment yet."""
    instant = as_utc(instant)
    if instant > dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1):
        raise InstantInFuture(f"{instant:%Y-%m-%dT%H:%M:%SZ} is in the future")
    return instant


@contextlib.contextmanager
def as_of(
    session: Session, instant: dt.datetime, settings: Settings | None = None, reviewed_only: bool = False
) -> Iterator[tuple[AsOfAssessment, Session]]:
    """The assessment at `instant`, and a read-only Session on the store as it stood then (for the report).

    reviewed_only weighs only the claims that were reviewed at that instant (CEILING_PUBLISH_REVIEWED_ONLY)."""
    instant = checked_instant(instant)
    scoring, basis = settings_as_of(session, instant, scoring_settings(settings))
    with store_as_of(session, instant) as engine, Session(engine) as then:
        yield AsOfAssessment(instant, assess_cached(load_evidence(then, reviewed_only), scoring, session), basis), then


def assessment_as_of(
    session: Session, instant: dt.datetime, settings: Settings | None = None, reviewed_only: bool = False
) -> AsOfAssessment:
    """The assessment of the evidence, overrides and settings as they stood at `instant` (UTC)."""
    with as_of(session, instant, settings, reviewed_only) as (answer, _then):
        return answer
