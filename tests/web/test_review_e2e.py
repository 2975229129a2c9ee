"""In a real headless Chromium, with CEILING_PUBLISH_REVIEWED_ONLY on: an analyst submits a draft for
review, an editor asks two analysts for a dual extraction, both extract blind, a disagreement appears,
the editor resolves it, and the live report changes only then. Screenshots go to tests/artifacts/."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from app.db.engine import build_engine
from app.db.session import session_scope
from app.evidence.history import Actor
from app.evidence.schemas.claims import ClaimIn
from app.evidence.services import claims
from tests.web.e2e_support import live_server, page_of

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]
MARKER = "Okapi dictionaries stay monosemantic at nine hundred billion"
KEY = "zz-e2e"
OUTCOME = f"results.{KEY}.r1.outcome"


@pytest.fixture(scope="module")
def server(web_template, tmp_path_factory):
    yield from live_server(web_template, tmp_path_factory.mktemp("review-e2e"), publish_reviewed_only=True)


@pytest.fixture(scope="module")
def claim_id(server) -> int:
    engine = build_engine(server.settings.database_url)
    with session_scope(engine) as session:
        data = ClaimIn.model_validate(
            {
                "key": KEY, "source": "karvonen2025_saebench", "text": MARKER + " parameters.",
                "aspects": ["features"], "questions": ["q1"], "method": "sae", "stance": "supports",
                "kind": "finding", "confidence": 0.9,
                "results": [{"key": f"{KEY}.r1", "model_name": "Okapi-900B", "params_basis": "disclosed",
                             "params": 9e11, "method": "sae", "outcome": "success"}],
            }
        )  # fmt: skip
        created = claims.create(session, data, Actor("analyst"))
        session.flush()
        claim_id = created.id
    engine.dispose()
    return claim_id


def extract(page, server, outcome: str) -> None:
    page.goto(f"{server.base}/review")
    page.click("table a:has-text('Extraction to submit')")
    expect(page.locator("h1")).to_contain_text("Your extraction")
    expect(page.locator(f"select[name='{OUTCOME}']")).to_have_value("")  # nothing stored or typed by others shown
    expect(page.locator(f"input[name='results.{KEY}.r1.params']")).to_have_value("")
    page.select_option("select[name='claim.stance']", "supports")
    page.fill("input[name='claim.confidence']", "0.9")
    page.select_option(f"select[name='{OUTCOME}']", outcome)
    page.select_option(f"select[name='results.{KEY}.r1.safety_impact']", "none")
    page.select_option(f"select[name='results.{KEY}.r1.params_basis']", "disclosed")
    page.fill(f"input[name='results.{KEY}.r1.params']", "900B")
    page.select_option(f"select[name='results.{KEY}.r1.method']", "sae")
    page.click("text=Submit my extraction")
    expect(page.locator(".flash.ok")).to_contain_text("Extraction submitted")


def test_two_analysts_extract_a_disagreement_appears_an_editor_resolves_and_only_then_the_report_changes(
    browser, server, claim_id, artifacts_dir
):
    analyst, analyst2, editor = (page_of(browser, server, name) for name in ("analyst", "analyst2", "editor"))
    analyst.goto(f"{server.base}/claims/{claim_id}")
    analyst.click("button:has-text('Submit for review')")
    expect(analyst.locator(".flash.ok")).to_contain_text("now in review")

    editor.goto(f"{server.base}/claims/{claim_id}")
    editor.select_option("#first_analyst", "analyst")
    editor.select_option("#second_analyst", "analyst2")
    editor.fill("#note", "Check the outcome at 900B.")
    editor.click("text=Ask for two independent extractions")
    expect(editor.locator("body")).to_contain_text("stay hidden until both analysts have submitted")
    extraction_url = editor.url

    extract(analyst, server, "success")
    analyst.goto(extraction_url)
    expect(analyst.locator("body")).to_contain_text("stay hidden")  # the first cannot see anything yet
    extract(analyst2, server, "failure")

    editor.goto(f"{server.base}/assessment")
    expect(editor.locator("body")).not_to_contain_text(MARKER)
    editor.goto(extraction_url)
    expect(editor.locator("body")).to_contain_text("1 of 12 fields differ")
    expect(editor.locator(f"tr.differs[data-path='{OUTCOME}']")).to_contain_text("success")
    expect(editor.locator(f"tr.differs[data-path='{OUTCOME}']")).to_contain_text("failure")
    editor.screenshot(path=str(artifacts_dir / "review-disagreement.png"), full_page=True)
    editor.goto(f"{server.base}/assessment")
    expect(editor.locator("body")).not_to_contain_text(MARKER)  # a disagreement changes nothing yet

    editor.goto(extraction_url)
    editor.select_option(f"select[name='{OUTCOME}']", "failure")
    editor.click("text=Resolve and mark the claim reviewed")
    expect(editor.locator(".flash.ok")).to_contain_text("resolved")
    expect(editor.locator("dl.facts")).to_contain_text("reviewed")
    editor.goto(f"{server.base}/assessment")
    expect(editor.locator("body")).to_contain_text(MARKER)  # the resolution is what counts
    editor.screenshot(path=str(artifacts_dir / "review-resolved-report.png"), full_page=True)
    analyst.goto(f"{server.base}/agreement")
    expect(analyst.locator("table.agreement")).to_contain_text("outcome")
    expect(analyst.locator("table.agreement")).to_contain_text("analyst and analyst2")
