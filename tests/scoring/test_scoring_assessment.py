"""The assembled Assessment: grades and reasons, safety, overall, gaps, sensitivity, output and formats."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest

from app.scoring import Assessment, Evidence, ScoringSettings, assess
from app.scoring.formats import FORMATS, render
from app.scoring.inputs import COLUMNS, fingerprint
from app.scoring.records import build_evidence
from tests.support.synthetic import synthetic_evidence


def example(**extra):
    sources = [
        {"key": "paper-a"},
        {"key": "paper-b"},
        {"key": "blog-c", "kind": "blog", "peer_reviewed": False},
        {"key": "lab-d", "kind": "model_card", "peer_reviewed": False},
    ]
    claims = [
        {
            "key": "toy-circuits",
            "source_key": "paper-a",
            "method": "circuits",
            "aspects": ["circuits"],
            "text": "Circuits explain toy behaviours end to end",
        },
        {
            "key": "mid-partial",
            "source_key": "paper-b",
            "method": "circuits",
            "aspects": ["circuits"],
            "text": "Multiple-choice circuits in a 70B model are partial and brittle",
        },
        {
            "key": "frontier-fail",
            "source_key": "lab-d",
            "method": "attribution_graph",
            "stance": "undermines",
            "aspects": ["circuits"],
            "text": "Global circuits remain elusive at frontier scale",
        },
        {
            "key": "sae-vs-probe",
            "source_key": "paper-a",
            "method": "sae",
            "stance": "undermines",
            "aspects": ["features", "safety"],
            "text": "SAE probes underperform linear probes",
        },
        {
            "key": "repe",
            "source_key": "paper-b",
            "method": "representation_engineering",
            "aspects": ["safety"],
            "text": "Representation engineering unlearning reduces hazardous knowledge",
        },
        {
            "key": "automate",
            "source_key": "blog-c",
            "kind": "proposal",
            "aspects": ["circuits"],
            "text": "Automate circuit discovery with agents",
        },
    ]
    results = [
        {"key": "r1", "claim_key": "toy-circuits", "params": 1.2e8},
        {"key": "r2", "claim_key": "mid-partial", "params": 7e10, "outcome": "partial"},
        {
            "key": "r3",
            "claim_key": "frontier-fail",
            "params_basis": "undisclosed",
            "params_low": 1e12,
            "params_high": 3e12,
            "outcome": "failure",
        },
        {
            "key": "r4",
            "claim_key": "sae-vs-probe",
            "params": 9e9,
            "metric_value": 0.85,
            "baseline_value": 0.98,
            "baseline_name": "linear_probe",
            "higher_is_better": True,
            "safety_impact": "none",
        },
        {"key": "r5", "claim_key": "repe", "params": 7e9, "safety_impact": "measured_improvement"},
    ]
    critiques = [
        {
            "key": "brittle",
            "target_claim_key": "mid-partial",
            "critic_source_key": "blog-c",
            "kind": "scope_limitation",
            "severity": 0.6,
            "status": "open",
            "text": "breaks under variations",
        }
    ]
    return build_evidence(sources, claims, results, critiques, **extra)


def test_a_mechanistic_loss_to_a_baseline_counts_as_failure_and_is_shown_beside_the_row():
    a = assess(example())
    features = a.aspects[0]
    assert features.aspect_key == "features"
    assert [c.text for c in features.baseline_comparisons] == ["linear_probe beat sae at 9B (0.98 vs 0.85)"]
    assert features.baseline_comparisons[0].mechanistic_won is False
    small = next(c for c in a.scale_table if (c.aspect_key, c.band_key) == ("features", "small"))
    assert small.beta == 2.0 and small.alpha == 1.0


def test_safety_row_counts_mechanistic_and_baselines_apart():
    safety = assess(example()).safety
    assert safety.mechanistic["none"] == 1 and safety.mechanistic["measured_improvement"] == 0
    assert safety.baseline["measured_improvement"] == 1
    assert safety.statement.startswith(
        "No measured improvement from a mechanistic method in 1 result that measured a safety effect (1 source)"
    )
    assert "Baselines: 1 measured improvement" in safety.statement
    assert safety.baseline_improvements[0].claim_key == "repe"
    assert safety.baseline_improvements[0].source_key == "paper-b"


def test_every_row_has_a_grade_with_reasons_and_citations_carry_keys():
    a = assess(example())
    for row in a.aspects:
        assert row.confidence.final in {"high", "moderate", "low", "very_low"} and row.confidence.reasons
        for ref in row.key_evidence + row.path_forward:
            assert ref.claim_key and ref.source_key
    circuits = a.aspects[1]
    assert [p.claim_key for p in circuits.path_forward] == ["automate"]
    barriers = {b.key: b for c in a.scale_table for b in c.barriers}
    assert barriers["frontier-fail"].source_key == "lab-d"
    assert barriers["brittle"].claim_key == "mid-partial" and barriers["brittle"].source_key == "blog-c"


def test_grade_override_is_shown_beside_the_suggestion():
    a = assess(example(grade_overrides=[{"aspect_key": "circuits", "grade": "very_low", "reason": "analyst"}]))
    grade = a.aspects[1].confidence
    assert grade.override == "very_low" and grade.final == "very_low" and grade.override_reason == "analyst"
    assert grade.suggested != "very_low"


def one_band_grade(outcomes, kind="paper", critiques=None, sizes=None):
    sources = [{"key": f"s{i}", "kind": kind, "peer_reviewed": kind == "paper"} for i in range(len(outcomes))]
    claims = [{"key": f"c{i}", "source_key": f"s{i}", "method": "sae"} for i in range(len(outcomes))]
    sizes = sizes or [3e9] * len(outcomes)
    results = [
        {"key": f"r{i}", "claim_key": f"c{i}", "params": p, "outcome": o}
        for i, (o, p) in enumerate(zip(outcomes, sizes, strict=True))
    ]
    return assess(build_evidence(sources, claims, results, critiques)).aspects[0].confidence


def test_grade_goes_down_for_risk_of_bias():
    assert any(r.startswith("Risk of bias") for r in one_band_grade(["success"] * 4, kind="blog").reasons)


def test_grade_goes_down_when_sources_disagree_within_a_band():
    grade = one_band_grade(["success", "success", "failure", "failure"])
    inconsistency = next(d for d in grade.domains if d.domain == "inconsistency")
    assert inconsistency.downgrade == 1.0 and "within bands 0.50" in inconsistency.reason
    assert any(r.startswith("Inconsistency (-1)") for r in grade.reasons)


def test_grade_goes_down_for_an_extrapolated_ceiling():
    grade = one_band_grade(["success", "success", "failure", "failure"], sizes=[1e8, 1e8, 1e13, 1e13])
    assert any(r.startswith("Indirectness") for r in grade.reasons)


def test_grade_goes_down_for_a_serious_critique_of_the_top_evidence():
    critiques = [{"key": "k", "target_claim_key": "c0", "critic_source_key": "s1", "severity": 0.8, "status": "open"}]
    grade = one_band_grade(["success"] * 3, critiques=critiques)
    assert any(r.startswith("Risk of bias") and "k on c0" in r for r in grade.reasons)


def test_one_source_is_two_levels_down_for_imprecision():
    features = assess(example()).aspects[0].confidence
    assert any(r.startswith("Imprecision (-2): Very serious") for r in features.reasons)


def test_no_evidence_at_all_is_very_low():
    assert assess(example()).aspects[2].confidence.suggested == "very_low"  # evaluation


def test_overall_puts_scale_aspects_side_by_side_and_leaves_out_evaluation_and_safety():
    overall = assess(example()).overall
    assert [p.aspect_key for p in overall.parts] == ["features", "circuits"]
    assert overall.parts[0].state == "insufficient" and overall.parts[0].statement.startswith("Features: too thin")
    assert overall.statement.startswith(overall.parts[0].statement + ". " + overall.parts[1].statement + ".")
    assert overall.aspects_excluded["safety"].startswith("measured impact")
    assert overall.aspects_excluded["evaluation"].startswith("qualifies")


def test_gaps_and_sensitivity_point_at_cells_and_sources():
    a = assess(example())
    assert a.gaps and all(g.shift_if_success_decades >= 0 >= g.shift_if_failure_decades for g in a.gaps)
    circuits = next(s for s in a.sensitivity if s.aspect_key == "circuits")
    assert 1 <= len(circuits.sources) <= 3
    assert {s.source_key for s in circuits.sources} <= {"paper-a", "paper-b", "lab-d"}


def test_same_input_gives_byte_identical_json_and_reordered_rows_too():
    evidence = synthetic_evidence(3000, seed=5)
    first = assess(evidence).model_dump_json()
    assert assess(evidence).model_dump_json() == first
    frames = {
        name: getattr(evidence, name).sample(frac=1.0, random_state=1)
        for name in (
            "sources",
            "claims",
            "claim_aspects",
            "claim_questions",
            "results",
            "critiques",
            "methods",
            "aspects",
            "bands",
            "questions",
            "grade_overrides",
        )
    }
    assert assess(Evidence(**frames)).model_dump_json() == first


def test_text_given_as_arrow_strings_is_the_same_evidence():
    """The export hands its large frames' text over as Arrow strings (app/evidence/export/arrow.py): the engine
    must code them to the same evidence, missing values included, and say the same thing to the byte."""
    import pyarrow as pa

    evidence = synthetic_evidence(3000, seed=5)
    frames = {}
    for name in ("claims", "claim_aspects", "claim_questions", "results"):
        frame = getattr(evidence, name)
        text = [column for column in frame.columns if frame[column].dtype == object and column != "higher_is_better"]
        frames[name] = frame.astype({column: pd.ArrowDtype(pa.string()) for column in text})
    assert frames["results"]["params_estimate_kind"].isna().any()  # a column with missing values among the text
    as_arrow = Evidence(**{name: frames.get(name, getattr(evidence, name)) for name in COLUMNS})
    assert fingerprint(as_arrow, "") == fingerprint(evidence, "")
    assert assess(as_arrow).model_dump_json() == assess(evidence).model_dump_json()


def test_fingerprint_covers_settings_and_as_of_and_the_engine_version(monkeypatch):
    evidence = example()
    base = assess(evidence)
    assert assess(evidence, ScoringSettings(draft_factor=0.4)).fingerprint != base.fingerprint
    dated = assess(evidence, as_of=dt.date(2026, 1, 1))
    assert dated.fingerprint != base.fingerprint and dated.settings["as_of"] == "2026-01-01"
    # the caches find an assessment by its fingerprint: an upgraded engine must not be served the old output
    monkeypatch.setattr("app.scoring.inputs.ENGINE_VERSION", "0.0.0-before")
    assert assess(evidence).fingerprint != base.fingerprint


def test_assessment_round_trips_through_json():
    a = assess(example())
    assert Assessment.model_validate_json(a.model_dump_json()) == a
    assert a.schema_version and len(a.fingerprint) == 64


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_renders(fmt):
    text = render(assess(example()), fmt)
    assert "circuits" in text.lower()
    if fmt == "json":
        assert json.loads(text)["aspects"][1]["aspect_key"] == "circuits"
    if fmt == "csv":
        assert text.startswith("aspect,name,ceiling") and "\n\naspect,band,status" in text


def test_unknown_vocabulary_is_refused():
    from app.scoring import EvidenceError

    with pytest.raises(EvidenceError, match="outcome"):
        build_evidence(
            [{"key": "s"}], [{"key": "c", "source_key": "s"}], [{"key": "r", "claim_key": "c", "outcome": "worked"}]
        )
