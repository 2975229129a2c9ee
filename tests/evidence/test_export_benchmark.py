"""Benchmark of the export (database -> the engine's frames) at 1M results on SQLite and PostgreSQL: a full
columnar read, the read after one write (the per-process export patched from the revision log), and the
whole first assessment after a write (patched export, Evidence, engine, shared cache), which is what the
background refresh after a save pays. Marked slow (`make bench`): building the store takes minutes."""

from __future__ import annotations

import sys

import pytest
from sqlmodel import Session, select

from app.assessment.live import current_assessment
from app.config import PROJECT_ROOT, Settings
from app.db.session import session_scope
from app.evidence.export.frames import evidence_frames
from app.evidence.history import Actor
from app.evidence.models import Result
from app.evidence.schemas.results import ResultIn
from app.evidence.services import results
from tests.support.export import live_frames

sys.path.insert(0, str(PROJECT_ROOT / "tests" / "api"))
from bench_api import generate  # noqa: E402

pytestmark = pytest.mark.slow
N_CLAIMS = 100_000  # x 10 results each


@pytest.fixture(scope="module")
def million(request, databases):
    backend = request.param
    url = databases.fresh(backend, seeded=True)
    from app.db.engine import build_engine

    engine = build_engine(url)
    with session_scope(engine) as session:
        generate(session, N_CLAIMS, 10)
    yield engine
    engine.dispose()


def _one_write(engine) -> None:
    """Save one result through the service, to evidence never seen before (a new metric value and the other
    outcome), so the engine must run: a write that came back to earlier evidence would find its assessment."""
    with Session(engine) as session:
        row = session.exec(select(Result).where(Result.deleted_at.is_(None)).limit(1)).one()
        keyed = {"method": "method_key", "baseline_method": "baseline_method_key"}  # the form names a key
        values = {name: getattr(row, keyed.get(name, name)) for name in ResultIn.model_fields}
        values["outcome"] = "failure" if row.outcome != "failure" else "success"
        values["metric_value"] = (row.metric_value or 0.0) + 1.0
        results.update(session, row, ResultIn.model_validate(values), Actor("bench"), row.version)
        session.commit()


@pytest.mark.parametrize("million", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True)
def test_export_1m_full_read(benchmark, million):
    with million.connect() as connection:
        frames = benchmark.pedantic(evidence_frames, args=(connection,), rounds=2, iterations=1)
    assert len(frames["results"]) >= N_CLAIMS * 10


@pytest.mark.parametrize("million", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True)
def test_export_1m_after_one_write(benchmark, million):
    with million.connect() as connection:
        live_frames(connection)  # the export the process holds before the save

    def after_a_write():
        _one_write(million)
        with million.connect() as connection:
            return live_frames(connection)

    frames = benchmark.pedantic(after_a_write, rounds=3, iterations=1)
    assert len(frames["results"]) >= N_CLAIMS * 10


@pytest.mark.parametrize("million", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True)
def test_assessment_1m_after_one_write(benchmark, million):
    settings = Settings(publish_reviewed_only=False)
    with Session(million) as session:
        before = current_assessment(session, settings)  # the process holds the export and an assessment

    def after_a_write():
        _one_write(million)
        with Session(million) as session:
            return current_assessment(session, settings)

    after = benchmark.pedantic(after_a_write, rounds=3, iterations=1)
    assert after.fingerprint != before.fingerprint
    assert sum(row.counts.results_in_fit for row in after.aspects) > 0
