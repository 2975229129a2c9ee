"""The home page opens with the answer: a card per aspect in the engine's words, from the latest report (or the live
assessment before the first), and the Summary of Findings; with reads not public, a visitor is asked to sign in."""

from __future__ import annotations

from fastapi.testclient import TestClient

from app.main import create_app
from app.reports.build import build_snapshot
from tests.conftest import make_settings


def test_home_shows_each_aspects_statement_and_grade_before_and_after_the_first_report(sqlite_seeded_url, tmp_path):
    settings = make_settings(sqlite_seeded_url, tmp_path)
    with TestClient(create_app(settings)) as client:
        before = client.get("/").text
        assert "From the live assessment (no report published yet)" in before
        build_snapshot(settings)
        page = client.get("/").text
        assessment = client.get("/api/v1/reports/latest").json()["assessment"]
    assert "From the report published" in page and 'id="summary-of-findings"' in page
    for aspect in assessment["aspects"]:
        statement = assessment["safety"]["statement"] if aspect["role"] == "impact" else aspect["ceiling"]["statement"]
        card = page.split(f'id="card-{aspect["aspect_key"]}"')[1].split("</li>")[0]
        assert (
            statement.replace("&", "&amp;") in card
            and f"{aspect['confidence']['final'].replace('_', ' ')} confidence" in card
        )
        assert 'href="/reports/latest#aspect-' in card
        assert ("<svg" in card) == (aspect["role"] != "impact")  # safety is counted, not plotted against scale
    assert page.index('id="answer"') < page.index('id="summary-of-findings"') < page.index("The evidence</h2>")


def test_without_public_reads_the_home_page_asks_a_visitor_to_sign_in(sqlite_seeded_url, tmp_path):
    settings = make_settings(sqlite_seeded_url, tmp_path, public_reads=False)
    with TestClient(create_app(settings)) as client:
        page = client.get("/")
    assert page.status_code == 200 and 'href="/login"' in page.text
    assert 'id="answer"' not in page.text and "confidence" not in page.text
