"""The current assessment: reused between writes, recomputed after one, never confused by a rollback."""

from __future__ import annotations

from sqlmodel import Session, select

from app.assessment.live import current_assessment
from app.assessment.movement import describe_movement
from app.evidence.history import Actor
from app.evidence.models import Claim
from app.evidence.schemas.claims import ClaimIn
from app.evidence.services import claims
from tests.conftest import make_settings


def _retract(session: Session, key: str) -> None:
    claim = session.exec(select(Claim).where(Claim.key == key)).one()
    data = ClaimIn.model_validate({**claims.input_values(session, claim), "status": "retracted"})
    claims.update(session, claim, data, Actor("test"), with_results=False)


def test_reused_between_writes_and_recomputed_after_one(seeded_url, engine_for, tmp_path):
    settings = make_settings(seeded_url, tmp_path)
    engine = engine_for(seeded_url)
    with Session(engine) as session:
        first = current_assessment(session, settings)
        assert current_assessment(session, settings) is first
        _retract(session, "wang2022.ioi-circuit")  # IOI, checked against ground truth: evaluation's grade moves
        session.commit()
    with Session(engine) as session:
        after = current_assessment(session, settings)
    assert after.fingerprint != first.fingerprint
    moves = describe_movement(first, after)
    assert moves and all(move.split()[0] in {row.aspect_key for row in after.aspects} for move in moves), moves


def test_an_uncommitted_write_that_rolls_back_leaves_no_trace_in_the_cache(seeded_url, engine_for, tmp_path):
    settings = make_settings(seeded_url, tmp_path)
    engine = engine_for(seeded_url)
    with Session(engine) as session:
        before = current_assessment(session, settings)
        _retract(session, "lieberum2023.chinchilla-circuit-scales")
        session.flush()
        during = current_assessment(session, settings, uncommitted=True)
        assert during.fingerprint != before.fingerprint
        session.rollback()
    with Session(engine) as session:
        _retract(session, "wang2022.ioi-circuit")  # another write that may reuse the rolled-back revision ids
        session.commit()
    with Session(engine) as session:
        now = current_assessment(session, settings)
    assert now.fingerprint not in (before.fingerprint, during.fingerprint)


def test_a_new_engine_is_not_served_the_cached_output_of_the_old(seeded_url, engine_for, tmp_path, monkeypatch):
    """The shared cache is keyed by evidence, settings and the engine's version: after an upgrade that keeps the
    same evidence and settings, every process computes the new engine's assessment instead of reading the old."""
    from app.assessment import live

    settings = make_settings(seeded_url, tmp_path)
    with Session(engine_for(seeded_url)) as session:
        now = live.version_key(session, settings)
        monkeypatch.setattr(live, "ENGINE_VERSION", "99.0.0")
        assert live.version_key(session, settings) != now
