"""When PostgreSQL goes away the app answers 503 problem+json with Retry-After, and when it comes back the
app recovers by itself; no write that was answered 201 is lost. The test runs its own cluster."""

from __future__ import annotations

import threading
import time

import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from app.auth import service as auth
from app.auth.models import TokenScope, User
from app.auth.roles import Role
from app.db.engine import build_engine
from app.db.migrate import upgrade
from app.db.session import session_scope
from app.evidence.models import Source
from app.main import create_app
from tests.conftest import make_settings
from tests.ops.pgcluster import Cluster

pytestmark = pytest.mark.postgres


@pytest.fixture
def cluster():
    server = Cluster()
    server.start()
    yield server
    server.remove()


def _writer(client, headers, stop: threading.Event, outcomes: list) -> None:
    """A bounded load: one write at a time, at most ~50 a second, each outcome recorded with its key."""
    n = 0
    while not stop.is_set() and n < 2000:
        n += 1
        key = f"outage-{n}"
        response = client.post("/api/v1/sources", json={"key": key, "kind": "paper", "title": key}, headers=headers)
        outcomes.append((key, response.status_code, response.headers.get("retry-after"), response.headers))
        time.sleep(0.02)


def test_an_outage_answers_503_then_recovers_without_losing_a_committed_write(cluster, tmp_path):
    with psycopg.connect(f"postgresql://postgres@127.0.0.1:{cluster.port}/postgres", autocommit=True) as admin:
        admin.execute("CREATE DATABASE ceiling")
    url = cluster.url("ceiling")
    upgrade(url)
    engine = build_engine(url)
    with session_scope(engine) as session:
        user = User(username="writer", password_hash="unused", role=Role.analyst.value)
        session.add(user)
        session.flush()
        headers = {"Authorization": "Bearer " + auth.create_token(session, user, "load", TokenScope.write)[1]}
    outcomes: list = []
    stop = threading.Event()
    with TestClient(create_app(make_settings(url, tmp_path))) as client:
        load = threading.Thread(target=_writer, args=(client, headers, stop, outcomes))
        load.start()
        try:
            time.sleep(1.0)
            cluster.stop("immediate")  # a crash: no checkpoint, connections cut
            time.sleep(1.5)
            down = client.get("/readyz")
            cluster.start()
            deadline = time.time() + 30
            while time.time() < deadline and client.get("/readyz").status_code != 200:
                time.sleep(0.2)
            time.sleep(1.0)
        finally:
            stop.set()
            load.join(60)
        assert client.get("/readyz").status_code == 200, "recovered by itself"
    statuses = [status for _, status, _, _ in outcomes]
    assert down.status_code == 503 and down.headers["content-type"] == "application/problem+json"
    assert 503 in statuses and statuses[-1] == 201, statuses
    assert set(statuses) <= {201, 503}, "never a server error"
    unavailable = [o for o in outcomes if o[1] == 503]
    assert all(retry and int(retry) > 0 for _, _, retry, _ in unavailable)
    assert all(h["content-type"] == "application/problem+json" for _, _, _, h in unavailable)
    committed = {key for key, status, _, _ in outcomes if status == 201}
    with session_scope(engine) as session:
        stored = set(session.exec(select(Source.key).where(Source.key.like("outage-%"))))
    engine.dispose()
    assert committed <= stored, f"lost committed writes: {sorted(committed - stored)}"
