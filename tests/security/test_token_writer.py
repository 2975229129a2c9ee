"""A token never holds the SQLite writer: a read with a bearer token takes no write lock while it runs, so a
concurrent save does not wait for it; the token's use is still recorded, after the response."""

from __future__ import annotations

import sqlite3

from fastapi.testclient import TestClient
from sqlalchemy.engine import make_url
from sqlmodel import Session, select

from app.api import stats as stats_route
from app.auth.models import ApiToken
from app.main import create_app
from tests.api.conftest import add_tokens
from tests.conftest import make_settings


def _write_now(url: str) -> str:
    """Take SQLite's write lock from another connection without waiting: 'ok', or SQLite's refusal."""
    connection = sqlite3.connect(make_url(url).database, timeout=0, isolation_level=None)
    try:
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("ROLLBACK")
        return "ok"
    except sqlite3.OperationalError as error:
        return str(error)
    finally:
        connection.close()


def test_a_read_with_a_token_lets_a_concurrent_save_take_the_write_lock(
    sqlite_seeded_url, engine_for, tmp_path, monkeypatch
):
    tokens = add_tokens(sqlite_seeded_url, engine_for)
    real = stats_route.stats.cached_facet_counts
    seen = []

    def counts_then_save_beside_them(session, filters):
        answer = real(session, filters)  # the read's own queries have run on the request's session
        seen.append(_write_now(sqlite_seeded_url))
        return answer

    monkeypatch.setattr(stats_route.stats, "cached_facet_counts", counts_then_save_beside_them)
    with TestClient(create_app(make_settings(sqlite_seeded_url, tmp_path))) as client:
        assert client.get("/api/v1/stats", headers=tokens.viewer).status_code == 200
    assert seen == ["ok"]
    with Session(engine_for(sqlite_seeded_url)) as session:
        used = session.exec(select(ApiToken).where(ApiToken.name == "viewer")).one()
        assert used.last_used_at is not None  # recorded after the response, in its own transaction


def test_a_token_used_again_within_the_minute_writes_nothing(sqlite_seeded_url, engine_for, tmp_path, monkeypatch):
    tokens = add_tokens(sqlite_seeded_url, engine_for)
    recorded = []
    from app.auth import service

    real = service.record_token_use
    monkeypatch.setattr(
        service, "record_token_use", lambda engine, token_id: recorded.append(token_id) or real(engine, token_id)
    )
    with TestClient(create_app(make_settings(sqlite_seeded_url, tmp_path))) as client:
        for _ in range(3):
            assert client.get("/api/v1/claims?limit=1", headers=tokens.viewer).status_code == 200
    assert len(recorded) == 1
