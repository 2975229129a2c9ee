"""The claim form: results inline (rows added and removed without JavaScript), errors beside their fields with
the input kept, both versions shown on a conflicting save, soft delete and restore, critiques."""

from __future__ import annotations

import html
import re

from sqlmodel import select

from app.evidence.models import Claim, Critique, Result
from tests.web.forms import claim_form, critique_form, location_id, result_row, visible_text


def _claim(web, claim_id: int) -> Claim:
    with web.session() as session:
        return session.get(Claim, claim_id)


def test_a_claim_with_two_results_is_saved_and_shown(analyst):
    response = analyst.post("/claims/new", claim_form())
    assert response.status_code == 303
    claim_id = location_id(response)
    page = analyst.get(f"/claims/{claim_id}").text
    assert "Claim karvonen2025_saebench.circuit-discovery-recovers-faithful saved with 2 result(s)." in page
    assert "Model-0" in page and "Model-1" in page and "70B" in page and "7B" in page
    with analyst.session() as session:
        results = session.exec(select(Result).where(Result.claim_id == claim_id).order_by(Result.id)).all()
        assert [(r.key.rsplit(".", 1)[1], r.params) for r in results] == [("r1", 7e9), ("r2", 7e10)]
        assert all(r.method_key == "circuits" for r in results)


def test_the_page_says_how_the_assessment_moved_after_a_save(analyst):
    analyst.get("/assessment")  # the assessment before the save is computed (as the warm start does)
    response = analyst.post("/claims/new", claim_form())
    page = analyst.get(response.headers["location"]).text
    if 'class="flash movement pending"' in page:  # not recomputed yet: the page's script asks the poll
        assert 'data-movement-poll="/assessment/movement"' in page
        lines = analyst.get("/assessment/movement").json()["lines"]
    else:  # recomputed already: the flash says it
        lines = [html.unescape(text) for text in re.findall(r'<p class="flash movement"[^>]*>(.*?)</p>', page)]
    assert lines and (lines[0].startswith("Assessment: ") or lines[0] == "The assessment did not move.")


def test_add_result_row_rerenders_with_everything_typed_and_one_more_row(analyst):
    data = claim_form(results=1, text="Typed text that must survive", action="add_result")
    response = analyst.post("/claims/new", data)
    assert response.status_code == 200
    assert "Typed text that must survive" in response.text
    assert 'name="results.0.model_name" value="Model-0"' in response.text
    assert 'name="results.1.model_name" value=""' in response.text
    assert "Remove result 2" in response.text
    with analyst.session() as session:
        assert session.exec(select(Claim).where(Claim.text == "Typed text that must survive")).first() is None


def test_remove_result_row_drops_that_row_and_renumbers_the_rest(analyst):
    data = claim_form(results=3, action="remove_result:1")
    data["results.2.model_name"] = "Third"
    response = analyst.post("/claims/new", data)
    assert response.status_code == 200
    assert 'name="results.0.model_name" value="Model-0"' in response.text
    assert 'name="results.1.model_name" value="Third"' in response.text
    assert "results.2.model_name" not in response.text


def test_invalid_claim_shows_errors_beside_fields_and_keeps_the_input(analyst):
    data = claim_form(text="   ", confidence="1.7", **result_row(0, params="-5", model_name="Kept-Model"))
    response = analyst.post("/claims/new", data)
    assert response.status_code == 422
    page = response.text
    assert 'id="text-error"' in page and "Required." in page
    assert 'id="confidence-error"' in page and 'value="1.7"' in page
    assert 'id="results-0-params-error"' in page and "Enter a number above 0." in page
    assert 'name="results.0.params" value="-5"' in page and 'value="Kept-Model"' in page
    assert 'aria-invalid="true"' in page
    assert 'value="circuits" checked' in page  # the ticked aspect is still ticked


def test_a_row_level_rule_is_shown_on_its_row(analyst):
    data = claim_form(results=1, **result_row(0, params_basis="estimated", params="70B", params_note=""))
    response = analyst.post("/claims/new", data)
    assert response.status_code == 422
    assert "an estimated parameter count needs params and params_low..params_high" in response.text


def test_unknown_source_is_an_error_on_the_source_field(analyst):
    response = analyst.post("/claims/new", claim_form(source="no-such-source"))
    assert response.status_code == 422
    assert 'id="source-error"' in response.text and "no source with key" in response.text


def test_empty_result_rows_are_ignored(analyst):
    data = claim_form(results=1)
    data.update({f"results.1.{k}": "" for k in ("model_name", "params", "task", "outcome")})
    response = analyst.post("/claims/new", data)
    assert response.status_code == 303
    with analyst.session() as session:
        assert len(session.exec(select(Result).where(Result.claim_id == location_id(response))).all()) == 1


def test_edit_keeps_results_and_removing_a_row_soft_deletes_its_result(analyst):
    claim_id = location_id(analyst.post("/claims/new", claim_form()))
    form = analyst.get(f"/claims/{claim_id}/edit").text
    assert 'name="results.1.key"' in form and 'name="version" value="1"' in form
    data = claim_form(text="Edited text", results=1)
    data["results.0.key"] = f"{_claim(analyst, claim_id).key}.r1"
    data.update(version="1", stamp=_stamp(form))
    assert analyst.post(f"/claims/{claim_id}/edit", data).status_code == 303
    with analyst.session() as session:
        results = session.exec(select(Result).where(Result.claim_id == claim_id).order_by(Result.id)).all()
        assert [r.deleted_at is None for r in results] == [True, False]
        assert session.get(Claim, claim_id).text == "Edited text"


def _stamp(form_html: str) -> str:
    start = form_html.index('name="stamp" value="') + len('name="stamp" value="')
    return form_html[start : form_html.index('"', start)]


def test_a_second_save_of_the_same_version_shows_both_versions_and_overwrites_nothing(make_web):
    first, second = make_web("analyst"), make_web("analyst2")
    claim_id = location_id(first.post("/claims/new", claim_form()))
    form = first.get(f"/claims/{claim_id}/edit").text
    key = _claim(first, claim_id).key
    base = {"version": "1", "stamp": _stamp(form), "results.0.key": f"{key}.r1", "results.1.key": f"{key}.r2"}
    assert first.post(f"/claims/{claim_id}/edit", {**claim_form(text="Theirs: saved first"), **base}).status_code == 303
    response = second.post(f"/claims/{claim_id}/edit", {**claim_form(text="Mine: saved second"), **base})
    assert response.status_code == 409
    page = visible_text(response.text)
    assert "Someone else saved this meanwhile" in page and "analyst saved version 2" in page
    assert "Theirs: saved first" in page and "Mine: saved second" in page
    assert 'name="version" value="2"' in response.text  # saving again is a deliberate overwrite
    assert _claim(first, claim_id).text == "Theirs: saved first"


def test_a_change_to_results_alone_is_a_conflict_too(make_web):
    first, second = make_web("analyst"), make_web("analyst2")
    claim_id = location_id(first.post("/claims/new", claim_form()))
    form = first.get(f"/claims/{claim_id}/edit").text
    key = _claim(first, claim_id).key
    base = {"version": "1", "stamp": _stamp(form), "results.0.key": f"{key}.r1", "results.1.key": f"{key}.r2"}
    theirs = {**claim_form(), **base, **result_row(1, model_name="Renamed by them", params="70B")}
    theirs["results.1.key"] = f"{key}.r2"
    assert first.post(f"/claims/{claim_id}/edit", theirs).status_code == 303
    response = second.post(f"/claims/{claim_id}/edit", {**claim_form(), **base})
    assert response.status_code == 409
    assert "Renamed by them" in response.text


def test_delete_hides_a_claim_and_an_admin_restores_it(analyst, admin):
    claim_id = location_id(analyst.post("/claims/new", claim_form()))
    assert analyst.post(f"/claims/{claim_id}/delete").status_code == 303
    assert _claim(analyst, claim_id).deleted_at is not None
    page = analyst.get(f"/claims/{claim_id}").text
    assert "This claim is deleted" in page and "Restore claim" not in page and "An admin can restore it" in page
    assert analyst.post(f"/claims/{claim_id}/restore").status_code == 403
    assert _claim(analyst, claim_id).deleted_at is not None
    assert "Restore claim" in admin.get(f"/claims/{claim_id}").text
    assert admin.post(f"/claims/{claim_id}/restore").status_code == 303
    assert _claim(analyst, claim_id).deleted_at is None


def test_a_critique_is_saved_and_shown_against_the_claim_and_by_its_critic(analyst):
    target = location_id(analyst.post("/claims/new", claim_form()))
    critic = location_id(analyst.post("/claims/new", claim_form(text="A rival claim that critiques the first one")))
    critic_key = _claim(analyst, critic).key
    response = analyst.post(f"/claims/{target}/critiques/new", critique_form(critic_claim=critic_key))
    assert response.status_code == 303
    assert "Same prompts used to find" not in analyst.get(f"/claims/{critic}").text
    assert "the same prompts used to find the circuit" in analyst.get(f"/claims/{target}").text
    assert "the same prompts used to find the circuit" in analyst.get(f"/claims/{critic}").text
    with analyst.session() as session:
        critique = session.exec(select(Critique).where(Critique.target_claim_id == target)).one()
        assert critique.critic_claim_id == critic and critique.key.endswith(".critique")


def test_a_critique_without_critic_or_text_is_refused_with_the_input_kept(analyst):
    target = location_id(analyst.post("/claims/new", claim_form()))
    response = analyst.post(
        f"/claims/{target}/critiques/new", critique_form(critic_source="", text="", severity="0.35")
    )
    assert response.status_code == 422
    assert 'id="text-error"' in response.text and 'value="0.35"' in response.text


def test_a_critique_can_be_edited_deleted_and_restored_by_an_admin(analyst, admin):
    target = location_id(analyst.post("/claims/new", claim_form()))
    analyst.post(f"/claims/{target}/critiques/new", critique_form())
    with analyst.session() as session:
        critique_id = session.exec(select(Critique.id).where(Critique.target_claim_id == target)).one()
    edit = analyst.get(f"/critiques/{critique_id}/edit")
    assert edit.status_code == 200 and 'name="version" value="1"' in edit.text
    edited = analyst.post(f"/critiques/{critique_id}/edit", critique_form(status="accepted", version="1"))
    assert edited.status_code == 303
    stale = analyst.post(f"/critiques/{critique_id}/edit", critique_form(status="rejected", version="1"))
    assert stale.status_code == 409 and "Someone else saved this meanwhile" in stale.text
    assert analyst.post(f"/critiques/{critique_id}/delete").status_code == 303
    assert "Restore critique" not in analyst.get(f"/claims/{target}").text
    assert analyst.post(f"/critiques/{critique_id}/restore").status_code == 403
    assert "Restore critique" in admin.get(f"/claims/{target}").text
    assert admin.post(f"/critiques/{critique_id}/restore").status_code == 303
    with analyst.session() as session:
        critique = session.get(Critique, critique_id)
        assert critique.deleted_at is None and critique.status == "accepted"


def test_a_reach_only_result_is_saved_with_its_standard_and_sample_size_and_shown_again(analyst):
    row = result_row(0, outcome="not_assessed", evaluation_standard="internal_metric", sample_size="16")
    response = analyst.post("/claims/new", claim_form(results=1, **row))
    assert response.status_code == 303
    claim_id = location_id(response)
    with analyst.session() as session:
        saved = session.exec(select(Result).where(Result.claim_id == claim_id)).one()
    assert (saved.outcome, saved.evaluation_standard, saved.sample_size) == ("not_assessed", "internal_metric", 16)
    edit = analyst.get(f"/claims/{claim_id}/edit").text
    assert '<option value="not_assessed" selected>not assessed (reach only)</option>' in edit
    assert '<option value="internal_metric" selected>' in edit and 'name="results.0.sample_size" value="16"' in edit
    assert "judged by internal metric" in visible_text(analyst.get(f"/claims/{claim_id}").text)


def test_a_mechanistic_simple_baseline_is_refused_beside_its_field_with_the_input_kept(analyst):
    row = result_row(0, evaluation_standard="simple_baseline", baseline_method="sae", sample_size="7")
    response = analyst.post("/claims/new", claim_form(results=1, **row))
    assert response.status_code == 422
    page = response.text
    assert 'id="results-0-baseline_method-error"' in page
    assert "sae is a mechanistic method: record this as mechanistic_comparison, or name the simple baseline" in page
    assert '<option value="simple_baseline" selected>' in page and 'name="results.0.sample_size" value="7"' in page
    assert '<option value="sae" selected>' in page
    with analyst.session() as session:
        assert session.exec(select(Result).where(Result.sample_size == 7)).first() is None


def test_the_reach_select_offers_no_not_assessed(analyst):
    page = analyst.get("/claims/new").text
    reach = page[page.index('id="results-0-reach_outcome"') :]
    reach = reach[: reach.index("</select>")]
    assert "not_assessed" not in reach and 'value="failure"' in reach
    assert "ground truth: a known circuit, a planted feature" in page
