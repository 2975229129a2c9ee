"""The app at its simplest: a health check that tells the truth about the database, and a home page with real counts."""

from __future__ import annotations

from fastapi.testclient import TestClient

from app.main import create_app
from tests.conftest import make_settings


def test_healthz_reports_the_database_up(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "up"}


def test_healthz_answers_503_with_a_reason_when_the_database_is_down(tmp_path):
    url = "postgresql+psycopg://postgres@127.0.0.1:1/nowhere"
    with TestClient(create_app(make_settings(url, tmp_path))) as client:
        response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["database"] == "down"
    assert body["reason"]


def test_home_page_shows_seed_counts_by_aspect(client, session):
    from app.evidence import stats

    page = client.get("/")
    assert page.status_code == 200
    totals = stats.totals(session)
    assert totals["claims"] >= 40
    assert f"<strong>{totals['claims']}</strong> claims" in page.text
    for aspect in stats.counts_by_aspect(session):
        assert aspect["name"] in page.text
    assert 'href="/reports/latest"' in page.text
