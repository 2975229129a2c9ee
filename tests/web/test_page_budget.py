"""No page a reader opens loads a whole table: on a store ten times larger than any page, each request loads
at most BUDGET rows as objects, and none reads the engine's input once the assessment is in the shared cache.

Counts, not wall time: a page that starts loading every claim or result fails here at a few thousand rows,
long before it would take seconds at a million (docs/performance.md).
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, func, select
from sqlalchemy.orm import Mapper
from sqlmodel import Session

from app.assessment import live
from app.db.session import session_scope
from app.evidence.export import live as export_live
from app.evidence.models import Claim, Result, Source
from app.main import create_app
from app.reports import capture
from tests.api.bench_api import generate
from tests.conftest import make_settings

BUDGET = 400  # rows loaded as objects by one request; the store below holds over 2,000 results and 480 claims
PAGES = ["/", "/claims", "/results", "/sources", "/assessment", "/reports/latest", "/claims?question=q1"]


@pytest.fixture
def large(databases, engine_for, monkeypatch):
    url = databases.fresh("sqlite", seeded=True)
    engine = engine_for(url)
    with session_scope(engine) as session:
        generate(session, n_claims=400, results_per_claim=5)
    monkeypatch.setattr(capture, "MAX_CAPTURED_ROWS", 200)  # the capture's bound, at this store's scale
    monkeypatch.setattr(capture, "CLAIMS_PER_QUESTION", 5)
    return url, engine


@pytest.fixture
def loads():
    """Rows loaded as ORM objects since the last reset, by table."""
    counted: dict[str, int] = {}

    def count(target, _context):
        name = type(target).__tablename__
        counted[name] = counted.get(name, 0) + 1

    event.listen(Mapper, "load", count)
    yield counted
    event.remove(Mapper, "load", count)


def test_no_page_loads_a_whole_table(large, loads, tmp_path, monkeypatch):
    url, engine = large
    with Session(engine) as session:
        sizes = [session.scalar(select(func.count()).select_from(m)) for m in (Source, Claim, Result)]
    assert sizes[1] > BUDGET and sizes[2] > 5 * BUDGET
    settings = make_settings(url, tmp_path, assessment_warm_start=False)
    with Session(engine) as session:
        live.current_assessment(session, settings)  # what the background refresh does after a write
        some_claim = session.scalar(select(Claim.id).order_by(Claim.id.desc()).limit(1))
        some_source = session.scalar(select(Source.id).order_by(Source.id.desc()).limit(1))
    reads = []
    monkeypatch.setattr(export_live, "_full", lambda *args: reads.append("full") or pytest.fail("read whole"))
    with TestClient(create_app(settings)) as client:
        for page in [*PAGES, f"/claims/{some_claim}", f"/sources/{some_source}"]:
            for visit in ("first", "warm"):
                loads.clear()
                response = client.get(page)
                assert response.status_code == 200, (page, response.text[:300])
                assert sum(loads.values()) <= BUDGET, f"{page} ({visit}) loaded {loads}"
    assert reads == []


def test_the_budget_catches_a_page_that_loads_every_result(large, loads):
    """The counter sees a whole-table load (so the test above can fail)."""
    _url, engine = large
    with Session(engine) as session:
        session.exec(select(Result)).all()
    assert loads["result"] > 5 * BUDGET
