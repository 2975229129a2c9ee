"""The diff names the evidence responsible for each change, tested by leaving it out, not every new source."""

from __future__ import annotations

from app.reports import attribution as attribution_module
from app.reports.attribution import attribution
from app.reports.diff import UNTESTED, diff_documents
from app.scoring import assess
from app.scoring.records import build_evidence

BASE = {
    "sources": [{"key": "toy-paper"}, {"key": "small-paper"}],
    "claims": [
        {"key": "toy", "source_key": "toy-paper", "method": "circuits", "aspects": ["circuits"]},
        {"key": "small", "source_key": "small-paper", "method": "circuits", "aspects": ["circuits"]},
    ],
    "results": [
        {"key": "toy.r1", "claim_key": "toy", "params": 1e8},
        {"key": "small.r1", "claim_key": "small", "params": 3e9},
    ],
}
ADDED = {
    # a failure at 30B: the only evidence of the mid band
    "sources": [{"key": "mid-paper"}, {"key": "other-toy"}],
    "claims": [
        {
            "key": "mid",
            "source_key": "mid-paper",
            "method": "circuits",
            "aspects": ["circuits"],
            "stance": "undermines",
        },
        {"key": "toy2", "source_key": "other-toy", "method": "circuits", "aspects": ["circuits"]},
    ],
    "results": [
        {"key": "mid.r1", "claim_key": "mid", "params": 3e10, "outcome": "failure"},
        {"key": "toy2.r1", "claim_key": "toy2", "params": 2e8},
    ],
}


def parts(tables: dict, fingerprint: str) -> tuple[dict, object]:
    """A snapshot's parts as a report stores them (assessment, captured evidence, meta) and the Evidence."""
    evidence = build_evidence(tables["sources"], tables["claims"], tables["results"])
    captured = {
        "sources": [dict(s) for s in tables["sources"]],
        "claims": [{"stance": "supports", **c} for c in tables["claims"]],
        "results": [dict(r) for r in tables["results"]],
        "critiques": [],
    }
    assessment = assess(evidence).model_dump(mode="json")
    return {"assessment": assessment, "evidence": captured, "meta": {"fingerprint": fingerprint}}, evidence


def merged(extra: dict) -> dict:
    return {k: BASE[k] + extra.get(k, []) for k in BASE}


def test_only_the_evidence_whose_removal_undoes_a_change_is_named():
    old, _ = parts(BASE, "old")
    new, evidence = parts(merged(ADDED), "new")
    record = attribution(old, new["assessment"], new["evidence"], evidence)
    assert record["previous"] == "old"
    mid = record["responsible"]["band:circuits:mid"]
    assert any("mid.r1" in label for label in mid) and not any("toy2" in label for label in mid)
    new["evidence"]["attribution"] = record
    diff = diff_documents(old, new)
    (band,) = [b for b in diff["bands"] if b["band"] == "mid"]
    assert band["before"] == "no_evidence" and band["responsible"] == mid
    assert not any(UNTESTED in who for move in diff["ceilings"] + diff["bands"] for who in move["responsible"])
    # the lines the Markdown report and the Atom feed print name the same evidence
    (line,) = [x for x in diff["lines"] if x.startswith("circuits at mid scale")]
    assert "because of source mid-paper" in line and "other-toy" not in line


def test_a_change_no_new_source_explains_says_so():
    old, _ = parts(BASE, "old")
    new, evidence = parts(merged(ADDED), "new")
    new["assessment"]["scale_table"][0] = {**new["assessment"]["scale_table"][0], "status": "tractable"}  # a fake move
    diff = diff_documents(old, new)
    record = attribution(old, new["assessment"], new["evidence"], evidence)
    key = f"band:{diff['bands'][0]['aspect']}:{diff['bands'][0]['band']}"
    assert record["responsible"][key][0].startswith("no new evidence of this row alone explains it")


def test_the_leave_out_assessments_are_capped(monkeypatch):
    monkeypatch.setattr(attribution_module, "MAX_SOURCES", 1)
    old, _ = parts(BASE, "old")
    new, evidence = parts(merged(ADDED), "new")
    calls = []
    real = attribution_module.assess
    monkeypatch.setattr(attribution_module, "assess", lambda *a, **k: calls.append(1) or real(*a, **k))
    record = attribution(old, new["assessment"], new["evidence"], evidence)
    assert len(calls) == 1
    assert any(label.startswith("not tested (past 1") for labels in record["responsible"].values() for label in labels)


def test_an_untested_diff_says_it_is_untested_and_a_shift_has_the_sign_of_the_numbers_shown():
    old, _ = parts(BASE, "old")
    new, _ = parts(merged(ADDED), "other")
    diff = diff_documents(old, new)  # no attribution stored: the candidates are named as untested
    moved = diff["ceilings"] + diff["bands"]
    # evaluation's sentence counts how every result was judged, so it moves with the other aspects' evidence
    own = [move for move in moved if move["aspect"] != "evaluation"]
    assert own and all(move["responsible"][0] == UNTESTED for move in own)
    for move in diff["ceilings"]:
        if move["shift_decades"]:
            line = next(x for x in diff["lines"] if x.startswith(f"{move['aspect']} ceiling"))
            assert ("(up " in line) == (move["shift_decades"] > 0)
