"""Past MAX_CAPTURED_ROWS a report captures the claims it shows (a few per research question, in the report's
order) with their sources and critiques, and counts the rest with aggregates: the same numbers as a full
capture, a bounded snapshot, and a link to the rest."""

from __future__ import annotations

import json

import pytest
from sqlmodel import Session

from app.reports import capture
from app.reports.content import counts, questions
from app.reports.render import render_html, render_json
from app.reports.snapshots import live_document
from tests.conftest import make_settings


@pytest.fixture
def small_bounds(monkeypatch):
    monkeypatch.setattr(capture, "MAX_CAPTURED_ROWS", 10)
    monkeypatch.setattr(capture, "CLAIMS_PER_QUESTION", 2)


@pytest.mark.parametrize("reviewed_only", [False, True])
def test_a_bounded_capture_counts_what_a_full_capture_holds(session, monkeypatch, reviewed_only):
    full = capture.capture_evidence(session, reviewed_only=reviewed_only)
    assert "totals" not in full  # a store within the bound is captured row by row, as before
    monkeypatch.setattr(capture, "MAX_CAPTURED_ROWS", 10)
    monkeypatch.setattr(capture, "CLAIMS_PER_QUESTION", 2)
    bounded = capture.capture_evidence(session, reviewed_only=reviewed_only)
    assert bounded["totals"] == counts(full)
    assert bounded["results"] == []
    expected = {q["key"]: len(q["claims"]) for q in questions(full)}
    assert {key: n for key, n in bounded["question_totals"].items() if n} == {k: n for k, n in expected.items() if n}


def test_a_bounded_capture_keeps_the_first_claims_of_each_question_in_the_reports_order(session, monkeypatch):
    full = capture.capture_evidence(session)
    full_order = {q["key"]: [c["key"] for c in q["claims"]] for q in questions(full)}
    monkeypatch.setattr(capture, "MAX_CAPTURED_ROWS", 10)
    monkeypatch.setattr(capture, "CLAIMS_PER_QUESTION", 2)
    bounded = capture.capture_evidence(session)
    for question in questions(bounded):
        keys, everything = [c["key"] for c in question["claims"]], full_order[question["key"]]
        assert keys[:2] == everything[:2]  # the first two, then any claim shown under another question too
        assert keys == [key for key in everything if key in keys]  # in the report's order
        assert question["more"] == len(everything) - len(keys)
    assert {c["source_key"] for c in bounded["claims"]} <= {s["key"] for s in bounded["sources"]}
    claim_keys = {c["key"] for c in bounded["claims"]}
    assert bounded["critiques"] == [k for k in full["critiques"] if k["target_claim_key"] in claim_keys]


def test_the_live_report_of_a_bounded_capture_links_to_the_rest(sqlite_seeded_url, engine_for, tmp_path, small_bounds):
    with Session(engine_for(sqlite_seeded_url)) as session:
        doc = live_document(session, make_settings(sqlite_seeded_url, tmp_path))
    html = render_html(doc, {"links": [], "method_href": "/reports/method"})
    assert 'more claims: <a href="/claims?question=' in html
    totals = doc.evidence["totals"]  # counted by aggregates, not from the bounded rows: the JSON summary says all
    summary = json.loads(render_json(doc))["report"]["summary"][0]
    assert f"This report weighs {totals['claims']} claims ({totals['retracted']} retracted)" in summary
