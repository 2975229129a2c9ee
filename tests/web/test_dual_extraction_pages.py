"""The dual extraction's pages in the user's words: rows labelled "Result 1 - GPT-4", the stored values shown
truly (a method inherited from the claim, a size stored as a range), every unresolved field marked at once with
no option preselected, and the claim's own author never offered as an extractor."""

from __future__ import annotations

import re

from sqlmodel import select

from app.evidence.models import Claim, ExtractionRequest
from tests.web.forms import claim_form, location_id, result_row

RANGE_ROW = result_row(
    0, model_name="GPT-4", params_basis="undisclosed", params="", params_low="200B", params_high="2T",
    params_estimate_kind="external_estimate", params_note="Published outside estimates.", method="",
)  # fmt: skip


def _extract(web, request_id: int, key: str, stance: str, outcome: str) -> None:
    form = {"claim.stance": stance, "claim.confidence": "0.6", f"results.{key}.outcome": outcome,
            f"results.{key}.safety_impact": "none", f"results.{key}.params_basis": "undisclosed",
            f"results.{key}.params": "", f"results.{key}.method": ""}  # fmt: skip
    assert web.post(f"/extractions/{request_id}/mine", form).status_code == 303


def _dual(make_web):
    editor = make_web("editor")
    claim_id = location_id(editor.post("/claims/new", {**claim_form(results=0), **RANGE_ROW}))
    picker = editor.get(f"/claims/{claim_id}").text
    offered = re.findall(r'<option value="([^"]+)"', picker.split('name="first_analyst"', 1)[1].split("</select>")[0])
    assert "editor" not in offered and {"analyst", "analyst2"} <= set(offered)  # the author is not offered
    asked = editor.post(f"/claims/{claim_id}/extractions", {"first_analyst": "analyst", "second_analyst": "analyst2"})
    assert asked.status_code == 303
    with editor.session() as session:
        request_id = session.exec(select(ExtractionRequest.id).where(ExtractionRequest.claim_id == claim_id)).one()
    mine = make_web("analyst").get(f"/extractions/{request_id}/mine").text
    assert "Result 1 - <bdi>GPT-4</bdi>" in mine
    key = re.search(r'name="results\.(.+?)\.outcome"', mine).group(1)
    _extract(make_web("analyst"), request_id, key, "supports", "success")
    _extract(make_web("analyst2"), request_id, key, "mixed", "partial")
    return make_web("admin"), request_id, key


def test_rows_are_labelled_and_stored_values_shown_truly(make_web):
    admin, request_id, key = _dual(make_web)
    page = admin.get(f"/extractions/{request_id}").text
    assert "Outcome of Result 1 - GPT-4" in page and f"of {key}<" not in page
    assert "as the claim (circuits)" in page and "range 200B to 2T" in page
    selects = re.findall(r"<select id=\"[^\"]+\" name=\"([^\"]+)\".*?</select>", page, flags=re.DOTALL)
    assert set(selects) == {"claim.stance", f"results.{key}.outcome"}
    assert page.count("selected disabled>— choose —") == 2  # no analyst's value looks chosen


def test_resolving_with_nothing_chosen_marks_every_unresolved_field(make_web):
    admin, request_id, key = _dual(make_web)
    refused = admin.post(f"/extractions/{request_id}/resolve", {})
    assert refused.status_code == 422
    for path in ("claim-stance", f"results-{key}-outcome".replace(".", "-")):
        assert f'id="{path}-error"' in refused.text, path
    assert (
        "Choose a value for Stance." in refused.text
        and "Choose a value for Outcome of Result 1 - GPT-4." in refused.text
    )
    half = admin.post(f"/extractions/{request_id}/resolve", {"claim.stance": "mixed"})
    assert half.status_code == 422 and 'id="claim-stance-error"' not in half.text
    done = admin.post(
        f"/extractions/{request_id}/resolve", {"claim.stance": "mixed", f"results.{key}.outcome": "partial"}
    )
    assert done.status_code == 303


def test_an_editor_may_enter_a_value_of_their_own_with_a_reason(make_web):
    admin, request_id, key = _dual(make_web)
    own = {"own.claim.stance": "undermines", f"results.{key}.outcome": "partial"}
    without = admin.post(f"/extractions/{request_id}/resolve", own)
    assert without.status_code == 422 and 'id="reason-error"' in without.text
    assert 'value="undermines"' in without.text  # what was typed is kept
    reason = "Section 5 retracts the claim: the probe fails on held-out prompts."
    assert admin.post(f"/extractions/{request_id}/resolve", {**own, "reason": reason}).status_code == 303
    with admin.session() as session:
        row = session.get(ExtractionRequest, request_id)
        assert row.resolution["own"] == ["claim.stance"] and row.resolution["reason"] == reason
        assert session.get(Claim, row.claim_id).stance == "undermines"
