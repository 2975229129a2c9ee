"""The source form: duplicates found by DOI, arXiv id or title before saving, errors beside their fields,
conflicting saves shown side by side, soft delete (refused while claims live) and restore."""

from __future__ import annotations

from sqlmodel import select

from app.evidence.models import Source
from tests.web.forms import SOURCE_KEY, claim_form, location_id, source_form, visible_text


def _source(web, key: str) -> Source | None:
    with web.session() as session:
        return session.exec(select(Source).where(Source.key == key)).first()


def test_a_new_source_is_saved_with_its_lists_parsed(analyst):
    response = analyst.post("/sources/new", source_form())
    assert response.status_code == 303
    source = _source(analyst, SOURCE_KEY)
    assert source.authors == ["Doe, J.", "Roe, R."] and source.report_labels == ["[w1]"]
    assert source.arxiv_id == "2609.01234"
    assert "Circuit Discovery Holds Up" in analyst.get(response.headers["location"]).text


def test_an_empty_key_is_derived_from_title_and_year(analyst):
    response = analyst.post("/sources/new", source_form(key=""))
    assert response.status_code == 303
    assert _source(analyst, "circuit-discovery-holds-up-2026") is not None


def test_a_same_title_is_shown_as_a_possible_duplicate_and_can_be_saved_anyway(analyst):
    seeded = "SAEBench: A Comprehensive Benchmark for Sparse Autoencoders in Language Model Interpretability"
    data = source_form(title=seeded.upper() + "!", arxiv_id="")
    response = analyst.post("/sources/new", data)
    assert response.status_code == 409
    page = visible_text(response.text)
    assert "This source may already be stored" in page and "karvonen2025_saebench" in page and "same title" in page
    assert 'value="save_anyway"' in response.text and 'value="Doe, J.' not in response.text
    assert "Doe, J.\nRoe, R." in response.text  # what was typed is kept
    assert _source(analyst, SOURCE_KEY) is None
    assert analyst.post("/sources/new", {**data, "action": "save_anyway"}).status_code == 303
    assert _source(analyst, SOURCE_KEY) is not None


def test_a_same_arxiv_id_blocks_saving_and_points_to_the_stored_source(analyst):
    response = analyst.post("/sources/new", source_form(arxiv_id="arXiv:2503.09532v2"))
    assert response.status_code == 409
    assert "same arXiv id" in response.text and 'value="save_anyway"' not in response.text
    forced = analyst.post("/sources/new", {**source_form(arxiv_id="2503.09532"), "action": "save_anyway"})
    assert forced.status_code == 422 and 'id="arxiv_id-error"' in forced.text
    assert _source(analyst, SOURCE_KEY) is None


def test_invalid_fields_are_shown_beside_them_with_the_input_kept(analyst):
    response = analyst.post("/sources/new", source_form(doi="not a doi", year="1492", title=""))
    assert response.status_code == 422
    page = response.text
    assert 'id="doi-error"' in page and "not a DOI" in page and 'value="not a doi"' in page
    assert 'id="year-error"' in page and 'value="1492"' in page
    assert 'id="title-error"' in page


def test_an_edit_on_a_stale_version_shows_both_versions(make_web):
    first, second = make_web("analyst"), make_web("analyst2")
    source_id = location_id(first.post("/sources/new", source_form()))
    assert 'name="version" value="1"' in first.get(f"/sources/{source_id}/edit").text
    assert first.post(f"/sources/{source_id}/edit", source_form(venue="Theirs", version="1")).status_code == 303
    response = second.post(f"/sources/{source_id}/edit", source_form(venue="Mine", version="1"))
    assert response.status_code == 409
    page = visible_text(response.text)
    assert "Someone else saved this meanwhile" in page and "Venue differs Theirs Mine" in page
    assert _source(first, SOURCE_KEY).venue == "Theirs"


def test_a_source_with_live_claims_cannot_be_deleted(analyst):
    source_id = location_id(analyst.post("/sources/new", source_form()))
    analyst.post("/claims/new", claim_form(source=SOURCE_KEY))
    response = analyst.post(f"/sources/{source_id}/delete", follow=True)
    assert "still has 1 claim(s)" in response.text
    assert _source(analyst, SOURCE_KEY).deleted_at is None


def test_a_source_is_soft_deleted_and_restored_by_an_admin(analyst, viewer, admin):
    source_id = location_id(analyst.post("/sources/new", source_form()))
    analyst.post(f"/sources/{source_id}/delete")
    assert _source(analyst, SOURCE_KEY).deleted_at is not None
    assert viewer.get(f"/sources/{source_id}").status_code == 404
    assert SOURCE_KEY not in viewer.get("/sources?q=Seventy").text
    assert SOURCE_KEY in analyst.get("/sources?q=Seventy&include_deleted=on").text
    assert analyst.post(f"/sources/{source_id}/restore").status_code == 403
    assert _source(analyst, SOURCE_KEY).deleted_at is not None
    assert admin.post(f"/sources/{source_id}/restore").status_code == 303
    assert _source(analyst, SOURCE_KEY).deleted_at is None
    history = visible_text(analyst.get(f"/sources/{source_id}").text)
    assert "restore source" in history and "delete source" in history and "create source" in history
