"""Benchmark of as-of assessments as the revision history grows: 10k and 100k revisions (marked slow; `make
bench` runs them). The history is the seed plus synthetic updates of claim confidences, consistent with the
rows (each claim ends at its last `after`), so undoing it rebuilds real earlier states."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import insert, select, update
from sqlmodel import Session

from app.assessment import live as assessment_module
from app.assessment.asof import assessment_as_of
from app.evidence.models import Claim, Revision


def _grow_history(engine, revisions: int, start: dt.datetime, span: dt.timedelta) -> None:
    with engine.begin() as connection:
        claims = list(connection.execute(select(Claim.id, Claim.key, Claim.confidence).order_by(Claim.id)))
        current = {claim_id: confidence for claim_id, _, confidence in claims}
        rows = []
        for i in range(revisions):
            claim_id, key, _ = claims[i % len(claims)]
            before = current[claim_id]
            after = round(0.3 + (i * 0.37) % 0.6, 3)
            current[claim_id] = after
            rows.append(
                {
                    "entity_kind": "claim",
                    "entity_id": claim_id,
                    "entity_key": key,
                    "action": "update",
                    "version": 2 + i // len(claims),
                    "actor": "bench",
                    "at": start + span * (i / revisions),
                    "changes": {"confidence": [before, after]},
                }
            )
        if rows:
            connection.execute(insert(Revision), rows)
        for claim_id, confidence in current.items():
            connection.execute(update(Claim).where(Claim.id == claim_id).values(confidence=confidence))


@pytest.mark.slow
@pytest.mark.parametrize("revisions", [0, 10_000, 100_000], ids=["seed", "10k", "100k"])
@pytest.mark.parametrize("where", ["recent", "oldest"])
def test_as_of_as_the_history_grows(benchmark, databases, engine_for, revisions, where):
    engine = engine_for(databases.fresh("sqlite", seeded=True))
    start = dt.datetime.now(dt.UTC) - dt.timedelta(days=30)
    _grow_history(engine, revisions, start, dt.timedelta(days=29))
    # recent: one day back, undoing ~3% of the history; oldest: before the synthetic history, undoing all of it
    instant = dt.datetime.now(dt.UTC) - dt.timedelta(days=1.5) if where == "recent" else start
    with Session(engine) as session:
        answer = benchmark.pedantic(
            assessment_as_of,
            args=(session, instant),
            setup=assessment_module._cache.clear,  # the engine runs every round, as for a new instant
            rounds=3,
            iterations=1,
        )
    assert len(answer.assessment.aspects) == 4
