"""In headless Chromium: the dual extraction of an estimated size range (an undisclosed frontier size), through to
the resolved value. Two analysts extract the range with its basis blind, they disagree on its low end, the editor
sees the rows in words and the stored range truly, picks one, and the claim's result holds it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from app.db.engine import build_engine
from app.db.session import session_scope
from app.evidence.history import Actor
from app.evidence.models import Result
from app.evidence.schemas.claims import ClaimIn
from app.evidence.services import claims
from tests.web.e2e_support import live_server, page_of

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]
KEY = "zz-range"
P = f"results.{KEY}.r1."


@pytest.fixture(scope="module")
def server(web_template, tmp_path_factory):
    yield from live_server(web_template, tmp_path_factory.mktemp("range-e2e"))


@pytest.fixture(scope="module")
def claim_id(server) -> int:
    engine = build_engine(server.settings.database_url)
    with session_scope(engine) as session:
        data = ClaimIn.model_validate(
            {
                "key": KEY, "source": "karvonen2025_saebench", "text": "Probes recover the feature in GPT-4.",
                "aspects": ["features"], "questions": ["q1"], "method": "sae", "stance": "supports",
                "kind": "finding", "confidence": 0.6,
                "results": [{"key": f"{KEY}.r1", "model_name": "GPT-4", "params_basis": "undisclosed",
                             "params_low": 1e11, "params_high": 2e12, "params_estimate_kind": "external_estimate",
                             "params_note": "Outside estimates.", "outcome": "success"}],
            }
        )  # fmt: skip
        claim_id = claims.create(session, data, Actor("editor")).id
    engine.dispose()
    return claim_id


def extract(page, url: str, low: str) -> None:
    page.goto(url + "/mine")
    expect(page.locator("legend", has_text="Result 1 - GPT-4")).to_be_visible()
    page.select_option("select[name='claim.stance']", "supports")
    page.fill("input[name='claim.confidence']", "0.6")
    page.select_option(f"select[name='{P}outcome']", "success")
    page.select_option(f"select[name='{P}safety_impact']", "none")
    page.select_option(f"select[name='{P}params_basis']", "undisclosed")
    page.fill(f"input[name='{P}params_low']", low)
    page.fill(f"input[name='{P}params_high']", "2T")
    page.select_option(f"select[name='{P}params_estimate_kind']", "external_estimate")
    page.fill(f"input[name='{P}params_note']", "Outside estimates.")
    page.click("text=Submit my extraction")
    expect(page.locator(".flash.ok")).to_contain_text("Extraction submitted")


def test_a_range_is_double_extracted_and_the_resolved_low_end_is_stored(browser, server, claim_id, artifacts_dir):
    editor = page_of(browser, server, "editor")
    editor.goto(f"{server.base}/claims/{claim_id}")
    editor.select_option("#first_analyst", "analyst")
    editor.select_option("#second_analyst", "analyst2")
    editor.click("text=Ask for two independent extractions")
    expect(editor.locator("body")).to_contain_text("stay hidden until both analysts have submitted")
    url = editor.url
    extract(page_of(browser, server, "analyst"), url, "200B")
    extract(page_of(browser, server, "analyst2"), url, "500 billion")

    editor.goto(url)
    low = editor.locator(f"tr.differs[data-path='{P}params_low']")
    expect(low.locator("th")).to_have_text("Size range from of Result 1 - GPT-4")
    expect(low).to_contain_text("200B")
    expect(low).to_contain_text("500B")
    expect(low).to_contain_text("100B")  # what is stored now, truly
    expect(editor.locator(f"tr[data-path='{P}params']")).to_contain_text("range 100B to 2T")
    editor.click("text=Resolve and mark the claim reviewed")  # nothing chosen: the field is marked, nothing stored
    expect(editor.locator(f"#{P.replace('.', '-')}params_low-error")).to_contain_text("Choose a value")
    editor.select_option(f"select[name='{P}params_low']", label="500B (analyst2)")
    editor.screenshot(path=str(artifacts_dir / "review-range-resolution.png"), full_page=True)
    editor.click("text=Resolve and mark the claim reviewed")
    expect(editor.locator(".flash.ok")).to_contain_text("resolved")

    engine = build_engine(server.settings.database_url)
    with session_scope(engine) as session:
        result = session.exec(select(Result).where(Result.key == f"{KEY}.r1")).one()
        assert (result.params_basis, result.params_low, result.params_high) == ("undisclosed", 5e11, 2e12)
        assert result.params_estimate_kind == "external_estimate"
    engine.dispose()
