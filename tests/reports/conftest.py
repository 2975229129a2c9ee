"""Report test helpers: settings with a private reports folder, and edits of claims through the services."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import select

from app.config import Settings
from app.db.engine import get_engine
from app.db.session import session_scope
from app.evidence.history import Actor
from app.evidence.models import Claim
from app.evidence.schemas.claims import ClaimIn
from app.evidence.services import claims as claim_service
from app.reports.models import ReportSnapshot
from tests.conftest import make_settings

EDITOR = Actor("report-tests")


def edit_claim(settings: Settings, key: str, **changes) -> None:
    """Update one claim through the claims service (results left as they are)."""
    with session_scope(get_engine(settings.database_url)) as session:
        row = session.exec(select(Claim).where(Claim.key == key)).one()
        values = {**claim_service.input_values(session, row), **changes}
        claim_service.update(session, row, ClaimIn.model_validate(values), EDITOR, with_results=False)


def snapshot_rows(settings: Settings) -> list[ReportSnapshot]:
    with session_scope(get_engine(settings.database_url)) as session:
        rows = list(session.exec(select(ReportSnapshot).order_by(ReportSnapshot.id)))
        session.expunge_all()
        return rows


def visible_entries(reports_dir: Path) -> list[str]:
    """What a reader of the reports folder sees (hidden staging folders excluded)."""
    return sorted(p.name for p in reports_dir.iterdir() if not p.name.startswith(".")) if reports_dir.exists() else []


@pytest.fixture
def report_settings(sqlite_seeded_url, tmp_path) -> Settings:
    """Settings on a fresh seeded SQLite database with an empty reports folder."""
    return make_settings(sqlite_seeded_url, tmp_path)


@pytest.fixture
def backend_settings(seeded_url, tmp_path) -> Settings:
    """Settings on a fresh seeded database of each backend."""
    return make_settings(seeded_url, tmp_path)


# The claim the edit tests change: a sized, reviewed finding on features.
EDITED_CLAIM = "karvonen2025.proxy-metrics-dont-predict"
