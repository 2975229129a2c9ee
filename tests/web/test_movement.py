"""A save never waits for the engine: the page after it says how the assessment moved once the
background recompute is done, and the assessment is shared through the database, not process memory."""

from __future__ import annotations

import threading
import uuid

from sqlmodel import select

from app.assessment import live
from app.assessment.cache import AssessmentCache, AssessmentVersion
from app.scoring import assess as real_assess
from tests.web.forms import claim_form


def test_a_save_answers_while_the_engine_is_still_running(analyst, monkeypatch):
    analyst.get("/assessment")
    live.wait_for_refresh()  # the one background thread is free (other tests' recomputes are done)
    started, release = threading.Event(), threading.Event()

    def slow_assess(evidence, settings):
        started.set()
        assert release.wait(30)
        return real_assess(evidence, settings)

    monkeypatch.setattr(live, "assess", slow_assess)
    try:
        # evidence no other test has saved: an assessment of the same evidence is reused, not recomputed
        unique = claim_form(text=f"Circuit discovery recovers faithful circuits, run {uuid.uuid4().hex}.")
        response = analyst.post("/claims/new", unique)
        assert response.status_code == 303, "the save answered without waiting for the engine"
        assert started.wait(60), "the recompute started in the background after the commit"
        page = analyst.get(response.headers["location"]).text
        assert "Working out how the assessment moved" in page and "saved with 2 result(s)" in page
    finally:
        release.set()
    body = analyst.get("/assessment/movement").json()
    assert body["ready"] and (body["lines"][0].startswith("Assessment: ") or "did not move" in body["lines"][0])
    assert analyst.get("/assessment/movement").json() == {"ready": False, "lines": []}, "delivered once"


def test_the_recomputed_assessment_is_stored_for_every_process(analyst):
    analyst.get("/assessment")
    analyst.post("/claims/new", claim_form())
    live.wait_for_refresh()
    with analyst.session() as session:
        assert len(session.exec(select(AssessmentVersion)).all()) >= 2
        stored = set(session.exec(select(AssessmentCache.fingerprint)))
        live._parsed.clear()  # forget this process's memo: what is left is the shared table
        assert live.cached_assessment(session, analyst.client.app.state.settings).fingerprint in stored
