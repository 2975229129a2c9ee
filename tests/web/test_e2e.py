"""End to end, in a real headless Chromium against a live server: an analyst signs in, adds a source,
a claim with two results and a critique, finds them again; invalid input, missing CSRF tokens, a
viewer at the forms and two browsers editing one claim. Screenshots go to tests/artifacts/."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.web.e2e_support import live_server, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


@pytest.fixture(scope="module")
def server(web_template, tmp_path_factory):
    yield from live_server(web_template, tmp_path_factory.mktemp("e2e"))


@pytest.fixture
def new_page(browser):
    contexts = []

    def make(username: str | None, server, viewport=None):
        context = browser.new_context(viewport=viewport or {"width": 1280, "height": 900})
        contexts.append(context)
        page = context.new_page()
        page.on("dialog", lambda dialog: dialog.accept())
        if username:
            sign_in(page, server.base, username)
        return page

    yield make
    for context in contexts:
        context.close()


def shot(page, artifacts_dir, name: str) -> None:
    page.screenshot(path=str(artifacts_dir / f"web-{name}.png"), full_page=True)


def test_an_analyst_adds_a_source_a_claim_with_two_results_and_a_critique_and_finds_them(
    server, new_page, artifacts_dir
):
    page = new_page(None, server)
    page.goto(f"{server.base}/login")
    shot(page, artifacts_dir, "login")
    sign_in(page, server.base, "analyst")
    expect(page.locator("header.site")).to_contain_text("analyst")
    shot(page, artifacts_dir, "home")

    page.goto(f"{server.base}/sources/new")
    page.fill("#title", "Okapi circuits survive at seventy billion parameters")
    page.select_option("#kind", "preprint")
    page.fill("#authors", "Doe, J.\nRoe, R.")
    page.fill("#year", "2026")
    page.fill("#arxiv_id", "2611.04321")
    shot(page, artifacts_dir, "source-form")
    page.click("text=Save source")
    expect(page.locator("h1")).to_contain_text("Okapi circuits survive")
    source_key = page.locator("p.crumbs code").inner_text()

    page.click("text=New claim from this source")
    expect(page.locator("#source")).to_have_value(source_key)
    page.fill("#text", "Okapi circuit discovery stays faithful from 7B to 70B parameters.")
    page.get_by_label("Circuits", exact=True).check()
    page.select_option("#method", "circuits")
    page.select_option("#stance", "supports")
    page.fill("#confidence", "0.7")
    page.fill("#results-0-model_name", "Okapi-7B")
    page.fill("#results-0-params", "7B")
    page.select_option("#results-0-outcome", "success")
    page.click("text=Add a result row")
    expect(page.locator("#results-0-model_name")).to_have_value("Okapi-7B")  # kept across the round trip
    page.fill("#results-1-model_name", "Okapi-70B")
    page.fill("#results-1-params", "70B")
    page.select_option("#results-1-outcome", "partial")
    shot(page, artifacts_dir, "claim-form")
    page.click("text=Save claim")
    expect(page.locator(".flash.ok")).to_contain_text("saved with 2 result(s)")
    expect(page.locator(".flash.movement")).to_be_visible()
    claim_url = page.url

    page.click("text=New critique of this claim")
    page.select_option("#critic_source", "karvonen2025_saebench")
    page.fill("#text", "Okapi faithfulness is measured on the discovery prompts.")
    page.fill("#severity", "0.4")
    page.click("text=Save critique")
    expect(page.locator("#critiques")).to_contain_text("Okapi faithfulness is measured")
    expect(page.locator("table")).to_contain_text("Okapi-70B")
    expect(page.locator("table")).to_contain_text("70B")
    expect(page.locator("section", has_text="History")).to_contain_text("create critique")
    shot(page, artifacts_dir, "claim-page")

    page.goto(f"{server.base}/claims")
    page.fill("#q", "okapi")
    page.select_option("#facet-aspect", "circuits")
    page.select_option("#facet-band", "mid")
    page.click("form.facets button[type=submit]")
    expect(page.locator("ol.cards")).to_contain_text("Okapi circuit discovery stays faithful")
    shot(page, artifacts_dir, "claims-search")
    page.select_option("#facet-aspect", "safety")
    page.click("form.facets button[type=submit]")
    expect(page.locator("ol.cards")).to_contain_text("No claim matches")

    page.goto(f"{server.base}/results?q=okapi&outcome=partial")
    expect(page.locator("table")).to_contain_text("Okapi-70B")
    expect(page.locator("table")).not_to_contain_text("Okapi-7B ")
    shot(page, artifacts_dir, "results")
    page.goto(f"{server.base}/sources?q=okapi")
    expect(page.locator("table")).to_contain_text("Okapi circuits survive")
    shot(page, artifacts_dir, "sources")

    phone = new_page("analyst", server, viewport={"width": 390, "height": 844})
    phone.goto(claim_url)
    expect(phone.locator("h1")).to_contain_text("Okapi circuit discovery")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390 + 1  # nothing overflows sideways
    shot(phone, artifacts_dir, "claim-page-phone")


def test_an_invalid_claim_shows_its_errors_with_the_input_kept(server, new_page, artifacts_dir):
    page = new_page("analyst", server)
    page.goto(f"{server.base}/claims/new?source=karvonen2025_saebench")
    page.fill("#text", "")
    page.get_by_label("Features (sparse autoencoders and dictionary learning)").check()
    page.select_option("#stance", "mixed")
    page.fill("#confidence", "0.6")
    page.fill("#results-0-model_name", "Negative-Model")
    page.fill("#results-0-params", "-5")
    page.select_option("#results-0-outcome", "failure")
    page.click("text=Save claim")
    expect(page.locator("#text-error")).to_have_text("Required.")
    expect(page.locator("#results-0-params-error")).to_contain_text("Enter a number above 0.")
    expect(page.locator("#results-0-params")).to_have_value("-5")
    expect(page.locator("#results-0-model_name")).to_have_value("Negative-Model")
    expect(page.locator("#confidence")).to_have_value("0.6")
    expect(page.locator("#stance")).to_have_value("mixed")
    expect(page.get_by_label("Features (sparse autoencoders and dictionary learning)")).to_be_checked()
    shot(page, artifacts_dir, "claim-form-errors")


def test_a_post_without_the_csrf_token_is_refused(server, new_page):
    page = new_page("analyst", server)
    response = page.request.post(f"{server.base}/claims/1/delete", form={"csrf_token": "forged"})
    assert response.status == 403
    page.goto(f"{server.base}/claims/1")
    page.evaluate("document.querySelectorAll('input[name=csrf_token]').forEach(e => e.remove())")
    page.click("text=Delete claim")
    expect(page.locator("h1")).to_have_text("Form refused")
    page.goto(f"{server.base}/claims/1")
    expect(page.locator("h1")).not_to_contain_text("deleted")
    expect(page.locator("text=Restore claim")).to_have_count(0)


def test_a_viewer_cannot_open_the_forms(server, new_page, artifacts_dir):
    page = new_page("viewer", server)
    expect(page.locator("header.site")).not_to_contain_text("New claim")
    for path in ("/claims/new", "/sources/new", "/claims/1/edit", "/claims/1/critiques/new", "/admin/users"):
        response = page.goto(server.base + path)
        assert response.status == 403, path
        expect(page.locator("h1")).to_have_text("Not allowed")
    shot(page, artifacts_dir, "viewer-refused")
    page.goto(f"{server.base}/claims/1")
    expect(page.locator("text=Edit claim")).to_have_count(0)


def test_two_browsers_editing_one_claim_the_second_save_shows_the_conflict(server, new_page, artifacts_dir):
    first, second = new_page("analyst", server), new_page("analyst2", server)
    for page in (first, second):
        page.goto(f"{server.base}/claims/2/edit")
    first.fill("#text", "First editor's wording of the claim.")
    first.click("text=Save claim")
    expect(first.locator(".flash.ok")).to_contain_text("saved")
    second.fill("#text", "Second editor's wording of the claim.")
    second.click("text=Save claim")
    conflict = second.locator("section.conflict")
    expect(conflict).to_contain_text("Someone else saved this meanwhile")
    expect(conflict).to_contain_text("First editor's wording")
    expect(conflict).to_contain_text("Second editor's wording")
    expect(second.locator("#text")).to_have_value("Second editor's wording of the claim.")
    shot(second, artifacts_dir, "claim-conflict")
    first.goto(f"{server.base}/claims/2")
    expect(first.locator("h1")).to_contain_text("First editor's wording")


def test_admin_pages_render_in_the_browser(server, new_page, artifacts_dir):
    page = new_page("admin", server)
    page.goto(f"{server.base}/admin/users")
    expect(page.locator("table")).to_contain_text("analyst2")
    shot(page, artifacts_dir, "admin-users")
    page.goto(f"{server.base}/admin/tokens")
    page.select_option("#username", "analyst")
    page.fill("#name", "e2e notebook")
    page.click("text=Create token")
    token = page.locator("#new-token").input_value()
    assert re.fullmatch(r"ceil_[\w-]{20,}", token)
    shot(page, artifacts_dir, "admin-tokens")


def _review(url: str, text: str) -> None:
    """An editor's verdict on the new draft: submitted, then marked reviewed (the review workflow's own moves)."""
    from sqlmodel import Session, select

    from app.db.engine import build_engine
    from app.evidence.history import Actor
    from app.evidence.models import Claim
    from app.evidence.services import review

    engine = build_engine(url)
    with Session(engine) as session:
        claim = session.exec(select(Claim).where(Claim.text.startswith(text))).one()
        review.move(session, claim, "in_review", Actor("analyst", None, "analyst"), "analyst")
        review.move(session, claim, "reviewed", Actor("editor", None, "editor"), "editor")
        session.commit()
    engine.dispose()


def test_a_built_report_shows_evidence_added_through_the_forms(server, new_page, artifacts_dir):
    from app.reports.build import build_snapshot

    page = new_page("analyst", server)
    page.goto(f"{server.base}/claims/new?source=karvonen2025_saebench")
    page.fill("#text", "Pangolin probes generalise across model sizes.")
    page.get_by_label("Evaluation", exact=True).check()
    page.get_by_label("Q4: The evaluation problem").check()
    page.select_option("#stance", "supports")
    page.fill("#confidence", "0.65")
    page.fill("#results-0-model_name", "Pangolin-13B")
    page.fill("#results-0-params", "13B")
    page.select_option("#results-0-outcome", "success")
    page.click("text=Save claim")
    page.click("text=New critique of this claim")
    page.select_option("#critic_source", "karvonen2025_saebench")
    page.fill("#text", "Pangolin probes were tuned on the test split.")
    page.fill("#severity", "0.5")
    page.click("text=Save critique")
    expect(page.locator("#critiques")).to_contain_text("Pangolin probes were tuned")
    _review(server.settings.database_url, "Pangolin probes generalise")  # reports publish reviewed claims only

    outcome = build_snapshot(server.settings, force=True)
    assert outcome.built and outcome.snapshot_id is not None
    page.goto(f"{server.base}/reports/latest")
    question = page.locator("#question-q4")
    expect(question).to_contain_text("Pangolin probes generalise across model sizes.")
    expect(question).to_contain_text("Pangolin probes were tuned on the test split.")
    shot(page, artifacts_dir, "report-with-new-evidence")


def test_an_analyst_imports_a_bibtex_file_after_its_dry_run(server, new_page, artifacts_dir):
    fixture = Path(__file__).parents[1] / "evidence" / "fixtures" / "interchange" / "awkward.bib"
    page = new_page("analyst", server)
    page.goto(f"{server.base}/import")
    page.set_input_files("#file", str(fixture))
    page.click("text=Preview the import")
    expect(page.locator("#preview-heading")).to_contain_text("Dry run of awkward.bib")
    expect(page.locator("table.import-preview tbody tr")).to_have_count(5)
    shot(page, artifacts_dir, "import-preview")
    page.select_option("select[id^='choice-']", "merge")  # the duplicate's choice (not a field's)
    page.click("text=Commit this import")
    expect(page.locator(".flash.ok")).to_contain_text("Imported awkward.bib")
    page.goto(f"{server.base}/sources?q=biology")
    expect(page.locator("table")).to_contain_text("On the Biology of a Large Language Model")
    shot(page, artifacts_dir, "import-done")
