"""As-of assessments: recorded in steps, each past instant answers exactly what was computed at that step."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import Session, select

from app.asof import InstantInFuture, assessment_as_of, parse_instant, record_scoring_settings
from app.assessment import current_assessment, scoring_settings
from app.evidence.history import Actor
from app.evidence.models import Claim
from app.evidence.schemas import ClaimIn
from app.evidence.services import claims, overrides
from tests.conftest import make_settings

WHO = Actor("asof-test")
NEW_CLAIM = {
    "key": "asof.new-circuit-claim",
    "source": "lieberum2023_chinchilla",
    "text": "Circuit discovery failed on a frontier model.",
    "aspects": ["circuits"],
    "questions": ["q2"],
    "method": "circuits",
    "stance": "undermines",
    "kind": "finding",
    "confidence": 0.9,
    "results": [
        {
            "key": "asof.new-circuit-claim.r1",
            "model_name": "Frontier-1T",
            "params_basis": "disclosed",
            "params": 1e12,
            "method": "circuits",
            "outcome": "failure",
        }
    ],
}


def _claim(session: Session, key: str) -> Claim:
    return session.exec(select(Claim).where(Claim.key == key)).one()


def _edit(session: Session, key: str, **changes) -> None:
    row = _claim(session, key)
    values = {**claims.input_values(session, row), **changes}
    claims.update(session, row, ClaimIn.model_validate(values), WHO, with_results="results" in changes)


STEPS = [
    lambda s: _edit(s, "lieberum2023.chinchilla-circuit-scales", status="retracted"),
    lambda s: claims.create(s, ClaimIn.model_validate(NEW_CLAIM), WHO),
    lambda s: _edit(s, NEW_CLAIM["key"], aspects=["features", "evaluation"], confidence=0.4),
    lambda s: _edit(s, NEW_CLAIM["key"], results=[{**NEW_CLAIM["results"][0], "params": 3e11, "outcome": "partial"}]),
    lambda s: claims.delete(s, _claim(s, "karvonen2025.proxy-metrics-dont-predict"), WHO),
    lambda s: overrides.set_override(s, "features", "very_low", "Set for the as-of test: a reason long enough.", WHO),
    lambda s: claims.restore(s, _claim(s, "karvonen2025.proxy-metrics-dont-predict"), WHO),
    lambda s: overrides.clear_override(s, "features", WHO),
    lambda s: claims.delete(s, _claim(s, NEW_CLAIM["key"]), WHO),
]


def test_each_past_instant_answers_the_assessment_computed_at_that_step(seeded_url, engine_for, tmp_path):
    settings = make_settings(seeded_url, tmp_path)
    engine = engine_for(seeded_url)
    recorded = []
    for step in [None, *STEPS]:
        if step is not None:
            with Session(engine) as session:
                step(session)
                session.commit()
        with Session(engine) as session:
            recorded.append((dt.datetime.now(dt.UTC), current_assessment(session, settings)))
    assert len({a.fingerprint for _, a in recorded}) > len(STEPS) // 2  # the steps did move the assessment
    with Session(engine) as session:
        for index, (instant, expected) in enumerate(recorded):
            answer = assessment_as_of(session, instant, settings)
            assert answer.assessment.model_dump() == expected.model_dump(), f"step {index}"


def test_before_any_evidence_every_ceiling_is_insufficient(seeded_url, engine_for, tmp_path):
    with Session(engine_for(seeded_url)) as session:
        answer = assessment_as_of(session, dt.datetime(2000, 1, 1, tzinfo=dt.UTC), make_settings(seeded_url, tmp_path))
    assert {row.ceiling.state for row in answer.assessment.aspects} == {"insufficient"}


def test_the_scoring_settings_of_then_are_used(sqlite_seeded_url, engine_for, tmp_path):
    old = make_settings(sqlite_seeded_url, tmp_path)
    new = make_settings(sqlite_seeded_url, tmp_path, scoring={"draft_factor": 0.1, "prior_alpha": 3.0})
    engine = engine_for(sqlite_seeded_url)
    with Session(engine) as session:
        assert record_scoring_settings(session, scoring_settings(old))
        assert not record_scoring_settings(session, scoring_settings(old))
        session.commit()
        between = dt.datetime.now(dt.UTC)
        record_scoring_settings(session, scoring_settings(new))
        session.commit()
        then = assessment_as_of(session, between, new)
        now = assessment_as_of(session, dt.datetime.now(dt.UTC), new)
        expected_then = current_assessment(session, old)
    assert then.settings_basis == "recorded"
    assert then.assessment.fingerprint == expected_then.fingerprint
    assert now.assessment.settings["prior_alpha"] == 3.0


def test_instants_are_parsed_in_utc_and_the_future_is_refused(sqlite_seeded_url, engine_for):
    assert parse_instant("2026-11-01T12:00Z") == dt.datetime(2026, 11, 1, 12, tzinfo=dt.UTC)
    assert parse_instant("2026-11-01T13:00+01:00") == dt.datetime(2026, 11, 1, 12, tzinfo=dt.UTC)
    assert parse_instant("2026-11-01") == dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    with pytest.raises(ValueError, match="ISO 8601"):
        parse_instant("yesterday")
    with Session(engine_for(sqlite_seeded_url)) as session, pytest.raises(InstantInFuture):
        assessment_as_of(session, dt.datetime.now(dt.UTC) + dt.timedelta(days=1))
