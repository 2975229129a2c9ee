"""CEILING_ASSESSMENT_WORKER=external: web processes never read the engine's input; one worker assesses each
new data version, whichever process wrote it; a reader the worker has not answered in time gets a 503."""

from __future__ import annotations

import threading

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.assessment import live, worker
from app.db.session import session_scope
from app.evidence.export import live as export_live
from app.evidence.history import Actor
from app.evidence.models import Claim
from app.evidence.schemas.results import ResultIn
from app.evidence.services import results
from app.main import create_app
from tests.conftest import make_settings


@pytest.fixture
def external(sqlite_seeded_url, engine_for, tmp_path):
    """One published view (every claim public), so each new data version is one assessment for the worker."""
    settings = make_settings(
        sqlite_seeded_url, tmp_path, assessment_worker="external", assessment_wait_s=0.3, publish_reviewed_only=False
    )
    return settings, engine_for(sqlite_seeded_url)


@pytest.fixture
def reads(monkeypatch):
    """Processes that read the engine's input, by name of the caller (the web app must never)."""
    calls = []
    original = export_live.patched_export

    def counted(connection):
        calls.append(threading.current_thread().name)
        return original(connection)

    monkeypatch.setattr(live, "patched_export", counted)
    return calls


def _save_a_result(engine) -> None:
    with session_scope(engine) as session:
        claim = session.query(Claim).order_by(Claim.id).first()
        data = ResultIn(key="worker-test", model_name="worker-test", params_basis="disclosed", params=3e9,
                        outcome="failure", safety_impact="none")  # fmt: skip
        results.create(session, data, claim.id, Actor("test"))


def test_a_reader_gets_503_until_the_worker_has_assessed_then_the_workers_answer(external, reads):
    settings, engine = external
    with TestClient(create_app(settings)) as client:
        pending = client.get("/api/v1/assessment")
        assert pending.status_code == 503
        assert pending.headers["retry-after"] == "2"
        assert pending.headers["content-type"].startswith("application/problem+json")
        assert client.get("/assessment").status_code == 503
        assert reads == []  # the web process never read the evidence
        assert worker.work_once(engine, settings) == 1
        answered = client.get("/api/v1/assessment")
        assert answered.status_code == 200
        with Session(engine) as session:
            assert answered.json()["fingerprint"] == live.cached_assessment(session, settings).fingerprint
        assert worker.work_once(engine, settings) == 0  # nothing new: the worker only polls
    assert len(reads) == 1


def test_a_save_through_any_process_is_assessed_by_the_workers_next_poll(external):
    settings, engine = external
    worker.work_once(engine, settings)
    with Session(engine) as session:
        before = live.current_assessment(session, settings)
    _save_a_result(engine)  # as another process would: nothing asks for a recompute
    with Session(engine) as session:
        with pytest.raises(live.AssessmentPending):
            live.current_assessment(session, settings)
    assert worker.work_once(engine, settings) == 1
    with Session(engine) as session:
        after = live.current_assessment(session, settings)
    assert after.fingerprint != before.fingerprint


def test_the_worker_assesses_the_analysts_view_too_when_only_reviewed_claims_are_published(
    sqlite_seeded_url, engine_for, tmp_path
):
    settings = make_settings(
        sqlite_seeded_url, tmp_path, assessment_worker="external", assessment_wait_s=0, publish_reviewed_only=True
    )
    engine = engine_for(sqlite_seeded_url)
    assert worker.work_once(engine, settings) == 2
    with Session(engine) as session:  # no wait (assessment_wait_s=0): both views are in the cache
        assert live.current_assessment(session, settings) is not None
        assert live.current_assessment(session, settings, with_drafts=True) is not None


def test_the_worker_keeps_running_after_a_failed_run(external, monkeypatch, caplog):
    settings, engine = external
    stop, runs = threading.Event(), []

    def failing(*_args):
        runs.append(1)
        if len(runs) == 2:
            stop.set()
        raise RuntimeError("database gone")

    monkeypatch.setattr(worker, "work_once", failing)
    worker.serve_forever(engine, settings.model_copy(update={"assessment_poll_s": 0.01}), stop)
    assert len(runs) == 2
    assert "retrying at the next poll" in caplog.text


def test_a_worker_started_on_a_current_cache_holds_the_evidence_so_the_next_save_costs_its_rows(external, monkeypatch):
    """Another process assessed the current version before this worker started: the worker still loads the
    evidence at start, so the first save after it is revised from the rows it changed, not read whole."""
    settings, engine = external
    worker.work_once(engine, settings)
    monkeypatch.setattr(live, "_evidence", {})  # a new process: nothing held, the shared cache is current
    stop = threading.Event()
    monkeypatch.setattr(worker, "work_once", lambda *_args: stop.set() or 0)
    worker.serve_forever(engine, settings, stop)
    assert list(live._evidence) == [(str(engine.url), False)]
    monkeypatch.undo()
    monkeypatch.setattr(live, "_evidence", dict(live._evidence))
    revisions, full_reads = [], []
    monkeypatch.setattr(live, "revised", lambda held, patch: revisions.append(1) or real_revised(held, patch))
    monkeypatch.setattr(live, "Evidence", lambda **frames: full_reads.append(1) or RealEvidence(**frames))
    _save_a_result(engine)
    assert worker.work_once(engine, settings) == 1
    assert revisions == [1] and full_reads == []


real_revised, RealEvidence = live.revised, live.Evidence
