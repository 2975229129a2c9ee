"""CEILING_PUBLISH_REVIEWED_ONLY: a draft never reaches a public page or a published report, the report
says how many drafts it left out, and analysts can still see the assessment with drafts."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from app.db.engine import build_engine
from app.db.session import session_scope
from app.evidence.history import Actor
from app.evidence.schemas.claims import ClaimIn
from app.evidence.schemas.critiques import CritiqueIn
from app.evidence.services import claims, critiques
from app.main import create_app
from app.reports.build import build_snapshot
from tests.conftest import make_settings
from tests.web.conftest import add_users

MARKER = "Zebrafish-okapi dictionaries stay monosemantic"


@pytest.fixture
def draft_url(databases) -> str:
    """A seeded database with the web test users, one draft claim that would move the assessment and a
    critique the draft makes of a reviewed claim."""
    url = databases.fresh("sqlite", seeded=True)
    add_users(url)
    engine = build_engine(url)
    with session_scope(engine) as session:
        data = ClaimIn.model_validate(
            {
                "key": "zz-draft", "source": "karvonen2025_saebench", "text": MARKER + " at 900B parameters.",
                "aspects": ["features"], "questions": ["q1"], "method": "sae", "stance": "supports",
                "kind": "finding", "confidence": 0.95,
                "results": [{"key": "zz-draft.r1", "model_name": "Okapi-900B", "params_basis": "disclosed",
                             "params": 9e11, "method": "sae", "outcome": "success"}],
            }
        )  # fmt: skip
        claims.create(session, data, Actor("test"))
        critique = CritiqueIn(
            key="zz-draft-critique", target="karvonen2025.proxy-metrics-dont-predict", critic_claim="zz-draft",
            kind="rebuttal", text=MARKER + ", says the draft.", severity=0.4,
        )  # fmt: skip
        critiques.create(session, critique, Actor("test"))
    engine.dispose()
    return url


def app_client(url, tmp_path, reviewed_only: bool) -> TestClient:
    return TestClient(create_app(make_settings(url, tmp_path, publish_reviewed_only=reviewed_only)))


PUBLIC_PAGES = ["/assessment", "/reports/latest", "/api/v1/assessment"]


def test_a_draft_reaches_no_public_page_and_the_report_says_drafts_are_left_out_uncounted(draft_url, tmp_path):
    settings = make_settings(draft_url, tmp_path, publish_reviewed_only=True)
    with app_client(draft_url, tmp_path, True) as client:
        for path in PUBLIC_PAGES:
            page = client.get(path)
            assert page.status_code == 200 and MARKER not in page.text and "zz-draft" not in page.text, path
        assert "Only reviewed claims are weighed" in client.get("/assessment").text
        assert "1 draft" not in client.get("/assessment").text
        outcome = build_snapshot(settings)
        for name in ("report.html", "report.md", "report.json", "report.csv"):
            text = (settings.reports_dir / outcome.directory / name).read_text()
            assert MARKER not in text and "zz-draft" not in text, name
        report_md = (settings.reports_dir / outcome.directory / "report.md").read_text()
        assert "Only reviewed claims are weighed" in report_md and "1 draft" not in report_md
        for path in ["/reports/latest", f"/reports/{outcome.snapshot_id}.md", f"/reports/{outcome.snapshot_id}"]:
            assert MARKER not in client.get(path).text, path


def test_without_the_setting_the_same_draft_counts_so_the_check_above_can_fail(draft_url, tmp_path):
    with app_client(draft_url, tmp_path, False) as published, app_client(draft_url, tmp_path, True) as reviewed:
        assert MARKER in published.get("/assessment").text
        with_draft = published.get("/api/v1/assessment").json()["fingerprint"]
        assert reviewed.get("/api/v1/assessment").json()["fingerprint"] != with_draft


def test_analysts_see_the_assessment_with_drafts_beside_the_published_one(draft_url, tmp_path):
    from tests.web.conftest import Web

    with app_client(draft_url, tmp_path, True) as client:
        anonymous = client.get("/assessment", params={"with_drafts": "true"}, follow_redirects=False)
        assert anonymous.status_code in (302, 303) and "/login" in anonymous.headers["location"]
        analyst = Web(client, draft_url).sign_in("analyst")
        live = analyst.get("/assessment").text
        assert MARKER not in live and 'href="/assessment?with_drafts=true"' in live
        assert MARKER in analyst.get("/assessment?with_drafts=true").text
        assert client.get("/api/v1/assessment", params={"with_drafts": "true"}).status_code == 401
