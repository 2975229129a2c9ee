"""The confidence page: analysts override a suggested grade with a reason; bad input keeps what was typed."""

from __future__ import annotations

REASON = "Only one lab has looked at this scale; the tier given to model cards is too generous here."


def test_an_analyst_overrides_a_grade_and_the_page_shows_both(make_web):
    analyst = make_web("analyst")
    page = analyst.get("/confidence")
    assert page.status_code == 200 and "Suggested" in page.text
    saved = analyst.post("/confidence", {"aspect": "circuits", "grade": "high", "reason": REASON})
    assert saved.status_code == 303
    shown = analyst.get("/confidence").text
    assert REASON in shown and "Confidence of circuits set to high" in shown
    report = analyst.get("/assessment").text
    assert REASON in report
    cleared = analyst.post("/confidence/circuits/clear", {})
    assert cleared.status_code == 303
    assert REASON not in analyst.get("/confidence").text


def test_a_short_reason_is_refused_next_to_its_field_with_the_input_kept(make_web):
    analyst = make_web("analyst")
    refused = analyst.post("/confidence", {"aspect": "features", "grade": "low", "reason": "too thin"})
    assert refused.status_code == 422
    assert 'id="reason-error"' in refused.text and "at least 20 characters" in refused.text
    assert ">too thin</textarea>" in refused.text
    assert '<option value="features" selected>' in refused.text
    missing = analyst.post("/confidence/circuits/clear", {})
    assert missing.status_code == 404
