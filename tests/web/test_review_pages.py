"""Review pages without a browser: errors shown next to their field with what was typed, roles refused
on the server, and the queue and home-page counts."""

from __future__ import annotations

from sqlmodel import select

from app.evidence.models import Claim
from tests.review.support import ask_for_dual_extraction

CLAIM = "lieberum2023.chinchilla-circuit-scales"


def _claim(web) -> Claim:
    with web.session() as session:
        return session.exec(select(Claim).where(Claim.key == CLAIM)).one()


def _reopen(make_web) -> tuple[object, int]:
    editor = make_web("editor")
    claim_id = _claim(editor).id
    assert editor.post(f"/claims/{claim_id}/status", {"status": "in_review", "reason": ""}).status_code == 303
    return editor, claim_id


def test_a_rejection_without_a_reason_is_shown_next_to_the_field_and_keeps_what_was_typed(make_web):
    editor, claim_id = _reopen(make_web)
    page = editor.post(f"/claims/{claim_id}/status", {"status": "rejected", "reason": "too short"})
    assert page.status_code == 422
    assert 'id="reason-error"' in page.text and "at least 10 characters" in page.text
    assert ">too short</textarea>" in page.text
    assert _claim(editor).status == "in_review"
    done = editor.post(
        f"/claims/{claim_id}/status", {"status": "rejected", "reason": "The figure is from another model."}
    )
    assert done.status_code == 303 and _claim(editor).status == "rejected"
    assert "The figure is from another model." in editor.get(f"/claims/{claim_id}").text


def test_an_analyst_cannot_mark_a_claim_reviewed_and_a_viewer_cannot_move_it(make_web):
    _, claim_id = _reopen(make_web)
    refused = make_web("analyst").post(f"/claims/{claim_id}/status", {"status": "reviewed"})
    assert refused.status_code == 403 and "editor" in refused.text
    assert make_web("viewer").post(f"/claims/{claim_id}/status", {"status": "draft"}).status_code == 403
    assert _claim(make_web("analyst")).status == "in_review"


def test_an_invalid_extraction_is_shown_again_with_what_was_typed_and_errors_on_the_fields(make_web):
    analyst = make_web("analyst")
    with analyst.session() as session:
        claim = session.exec(select(Claim).where(Claim.key == CLAIM)).one()
        request = ask_for_dual_extraction(session, claim)
        session.commit()
        request_id = request.id
    form = analyst.get(f"/extractions/{request_id}/mine").text
    result_key = form.split('name="results.', 1)[1].split('.outcome"', 1)[0]
    page = analyst.post(
        f"/extractions/{request_id}/mine",
        {"claim.stance": "supports", "claim.confidence": "1.7", f"results.{result_key}.outcome": "success",
         f"results.{result_key}.safety_impact": "none", f"results.{result_key}.params_basis": "disclosed",
         f"results.{result_key}.params": "70B", f"results.{result_key}.method": ""},
    )  # fmt: skip
    assert page.status_code == 422
    assert 'id="claim-confidence-error"' in page.text and 'value="1.7"' in page.text and 'value="70B"' in page.text
    queue = make_web("analyst2").get("/review?kind=extract").text
    assert f'href="/extractions/{request_id}/mine"' in queue
    home = make_web("analyst2").get("/").text
    assert "extraction to submit: 1" in home and "in review" in home
