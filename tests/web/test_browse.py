"""Browsing: facets, full-text search, keyset pages, and the claim and source pages with their history."""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from app.db.engine import build_engine
from app.evidence.models import Claim, ClaimAspect
from app.main import create_app
from app.web.browse import CLAIM_FACETS, RESULT_FACETS, SOURCE_FACETS
from tests.conftest import make_settings
from tests.web.conftest import PASSWORD, add_users, csrf_of
from tests.web.forms import claim_form, critique_form, location_id, visible_text


def _claim_links(page: str) -> list[str]:
    return re.findall(r'<h2 class="card-title"><a href="/claims/(\d+)"', page)


def test_claims_list_shows_counts_and_facets_with_counts(anonymous):
    page = anonymous.get("/claims").text
    assert re.search(r"\d+ claims match", page)
    assert re.search(r'<option value="circuits">Circuits \(\d+\)</option>', page)
    for facet in ("aspect", "question", "method", "stance", "band", "status", "source_kind"):
        assert f'id="facet-{facet}"' in page


def test_a_facet_narrows_the_claims(anonymous):
    with Session(build_engine(anonymous.url)) as session:
        on_safety = session.exec(
            select(func.count()).select_from(ClaimAspect).where(ClaimAspect.aspect_key == "safety")
        ).one()
    page = anonymous.get("/claims?aspect=safety&stance=").text
    assert f"{on_safety} claims match" in page or (on_safety == 1 and "1 claim matches" in page)
    assert 'value="safety" selected' in page


def test_pages_follow_each_other_without_repeats(anonymous):
    first = anonymous.get("/claims?sort=key").text
    next_link = re.search(r'href="(\?[^"]*cursor=[^"]+)" rel="next"', first).group(1).replace("&amp;", "&")
    second = anonymous.get("/claims" + next_link).text
    assert len(_claim_links(first)) == 25 and _claim_links(second)
    assert not set(_claim_links(first)) & set(_claim_links(second))
    assert "First page" in second


def test_a_bad_cursor_or_filter_is_explained_not_a_crash(anonymous):
    page = anonymous.get("/claims?cursor=garbage&stance=sideways&sort=nonsense")
    assert page.status_code == 200
    text = visible_text(page.text)
    assert "Ignored the filter stance" in text and "Unknown sort" in text and "Showing the first page" in text


def test_search_finds_a_new_claim_and_its_result_and_source(analyst):
    claim_id = location_id(analyst.post("/claims/new", claim_form(text="Zyxwv quokka circuits hold at scale")))
    assert f'href="/claims/{claim_id}"' in analyst.get("/claims?q=quokka").text
    assert f'href="/claims/{claim_id}"' in analyst.get("/claims?q=quokka&aspect=circuits&method=circuits").text
    assert f'href="/claims/{claim_id}"' not in analyst.get("/claims?q=quokka&aspect=safety").text
    results = analyst.get("/results?q=quokka").text
    assert "Model-0" in results and "Model-1" in results
    assert "karvonen2025_saebench" in analyst.get("/sources?q=SAEBench").text


def test_results_and_sources_have_their_facets(anonymous):
    results = anonymous.get("/results?outcome=failure").text
    assert re.search(r"\d+ results match", results) and 'class="outcome success"' not in results
    sources = anonymous.get("/sources?kind=benchmark").text
    assert "karvonen2025_saebench" in sources


def test_the_claim_page_shows_source_results_critiques_both_ways_and_history(analyst):
    target = location_id(analyst.post("/claims/new", claim_form()))
    critic = location_id(analyst.post("/claims/new", claim_form(text="The critic claim says otherwise")))
    with analyst.session() as session:
        critic_key = session.get(Claim, critic).key
    analyst.post(f"/claims/{target}/critiques/new", critique_form(critic_claim=critic_key))
    page = visible_text(analyst.get(f"/claims/{target}").text)
    assert "SAEBench" in page and "Model-0" in page and "Model-1" in page
    assert "Critiques of this claim (1)" in page and "methodological" in page
    assert "create claim" in page and "create result" in page and "create critique" in page
    assert "Critiques this claim makes (1)" in visible_text(analyst.get(f"/claims/{critic}").text)


def test_an_edit_appears_in_the_history_with_before_and_after(analyst):
    claim_id = location_id(analyst.post("/claims/new", claim_form()))
    form = analyst.get(f"/claims/{claim_id}/edit").text
    stamp = re.search(r'name="stamp" value="([^"]+)"', form).group(1)
    keys = re.findall(r'name="(results\.\d\.key)" value="([^"]+)"', form)
    data = {**claim_form(confidence="0.55"), "version": "1", "stamp": stamp, **dict(keys)}
    assert analyst.post(f"/claims/{claim_id}/edit", data).status_code == 303
    page = visible_text(analyst.get(f"/claims/{claim_id}").text)
    assert "update claim (version 2)" in page and "confidence : 0.7 → 0.55" in page


def test_the_source_page_lists_its_claims(anonymous):
    with Session(build_engine(anonymous.url)) as session:
        claims = session.exec(select(Claim).where(Claim.source_id == 2, Claim.deleted_at.is_(None))).all()
    page = anonymous.get("/sources/2").text
    assert f"Claims from this source ({len(claims)})" in page
    assert all(f'href="/claims/{c.id}"' in page for c in claims)


@pytest.mark.postgres
def test_a_claim_saved_through_the_form_is_found_by_search_on_postgres(databases, tmp_path):
    url = databases.fresh("postgres", seeded=True)
    add_users(url)
    with TestClient(create_app(make_settings(url, tmp_path)), follow_redirects=False) as client:
        token = csrf_of(client.get("/login").text)
        client.post("/login", data={"username": "analyst", "password": PASSWORD, "csrf_token": token})
        token = csrf_of(client.get("/claims/new").text)
        response = client.post(
            "/claims/new", data={**claim_form(text="Wombat circuits everywhere"), "csrf_token": token}
        )
        assert response.status_code == 303
        assert response.headers["location"].split("/")[-1] in client.get("/claims?q=wombat").text


def test_every_facet_of_every_list_answers(anonymous):
    for path, facets in (
        ("/claims", {"aspect": "circuits", "question": "q2", "method": "sae", "stance": "supports", "band": "mid",
                     "status": "reviewed", "source_kind": "paper"}),
        ("/results", {"band": "large", "outcome": "success", "params_basis": "estimated", "aspect": "features"}),
        ("/sources", {"kind": "paper", "aspect": "safety", "verification": "yes"}),
    ):  # fmt: skip
        for name, value in facets.items():
            response = anonymous.get(f"{path}?{name}={value}")
            assert response.status_code == 200, (path, name)
            assert f'value="{value}" selected' in response.text, (path, name)


def test_a_form_sent_with_every_field_empty_is_no_filter_not_an_error(anonymous, analyst):
    # The filters refuse an empty value on the API (422); on the pages an empty form field means "any".
    for path, facets in (("/claims", CLAIM_FACETS), ("/results", RESULT_FACETS), ("/sources", SOURCE_FACETS)):
        empty = urlencode([("q", ""), *((facet, "") for facet in facets), ("sort", ""), ("cursor", "")])
        page = anonymous.get(f"{path}?{empty}")
        assert page.status_code == 200 and "Ignored the filter" not in page.text, path
        unfiltered = anonymous.get(path).text
        assert re.search(r"\d+ \w+ match", page.text).group() == re.search(r"\d+ \w+ match", unfiltered).group()
        exported = anonymous.get(f"/export{path}?{empty}&key=&format=csv")
        assert exported.status_code == 200 and exported.text == anonymous.get(f"/export{path}?format=csv").text
    assert analyst.get("/review?kind=&aspect=").status_code == 200


def test_a_key_outside_the_key_format_on_a_page_is_explained_not_an_error(anonymous):
    page = anonymous.get("/claims?aspect=Not%20an%20aspect")
    assert page.status_code == 200 and "Ignored the filter aspect" in visible_text(page.text)
