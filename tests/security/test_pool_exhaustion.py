"""Pool exhaustion on PostgreSQL: a burst of concurrent writes larger than the pool answers 503 with Retry-After
(problem+json) to the requests that find no free connection, never 500; and every 201 is stored."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from app.evidence.models import Source
from app.main import create_app
from tests.api.conftest import add_tokens
from tests.conftest import make_settings

pytestmark = pytest.mark.postgres


def _source(n: int) -> dict:
    return {"key": f"burst-{n}", "kind": "preprint", "title": f"Burst source number {n}", "year": 2024}


def test_a_burst_of_50_writes_past_the_pool_answers_503_not_500(databases, engine_for, tmp_path):
    url = databases.fresh("postgres", seeded=True)
    tokens = add_tokens(url, engine_for)
    settings = make_settings(url, tmp_path, database_pool_size=2, database_max_overflow=0, database_pool_timeout_s=0.05)
    app = create_app(settings)
    assert app.state.engine.pool.size() == 2
    with TestClient(app) as client:
        with ThreadPoolExecutor(max_workers=50) as pool:
            answers = list(
                pool.map(lambda n: client.post("/api/v1/sources", json=_source(n), headers=tokens.analyst), range(50))
            )
    statuses = sorted({a.status_code for a in answers})
    assert set(statuses) <= {201, 503}, statuses
    busy = [a for a in answers if a.status_code == 503]
    assert busy, "the burst never exhausted a pool of 2: the test proves nothing"
    for answer in busy:
        assert answer.headers["content-type"] == "application/problem+json" and answer.headers["retry-after"]
        assert "busy" in answer.json()["detail"]
    with Session(engine_for(url)) as session:
        stored = session.exec(select(func.count()).select_from(Source).where(Source.key.startswith("burst-"))).one()
    assert stored == sum(a.status_code == 201 for a in answers)
