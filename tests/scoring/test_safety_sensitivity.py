"""The safety row counts only measured safety effects; sensitivity says what moves (ceiling, grade, band status)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from app.scoring import ScoringSettings, assess
from app.scoring.records import build_evidence


def safety_evidence():
    sources = [{"key": "sae-paper"}, {"key": "bench"}, {"key": "wmdp"}]
    claims = [
        {"key": "unlearn", "source_key": "sae-paper", "method": "sae", "aspects": ["features", "safety"]},
        {"key": "toy-bench", "source_key": "bench", "method": "circuits", "aspects": ["circuits", "safety"]},
        {"key": "rmu", "source_key": "wmdp", "method": "representation_engineering", "aspects": ["safety"]},
    ]
    results = [
        {
            "key": "unlearn.r1",
            "claim_key": "unlearn",
            "params": 2.5e9,
            "method": "sae",
            "task": "unlearning WMDP-Bio by clamping many SAE features",
            "baseline_name": "RMU",
            "baseline_method": "representation_engineering",
            "winner": "baseline",
            "outcome": "failure",
            "safety_impact": "none",
            "baseline_safety_impact": "measured_improvement",
        },
        {"key": "toy-bench.r1", "claim_key": "toy-bench", "params": 1e3, "outcome": "partial"},  # not_applicable
        {"key": "rmu.r1", "claim_key": "rmu", "params": 7e9, "safety_impact": "measured_improvement"},
    ]
    return build_evidence(sources, claims, results)


def test_only_results_that_measured_a_safety_effect_count():
    safety = assess(safety_evidence()).safety
    # the toy benchmark bears on the safety aspect but measured no safety effect: it is no safety result
    assert sum(safety.mechanistic.values()) == 1 and safety.mechanistic["none"] == 1
    assert safety.mechanistic_sources == 1
    # a measured null is a safety result: the SAE unlearning counts as 'none'
    assert "1 measured null" in safety.statement
    assert safety.baseline["measured_improvement"] == 2  # RMU's own paper and RMU's side of the head-to-head


def test_the_baseline_side_of_a_head_to_head_is_described_by_the_baseline():
    side = next(e for e in assess(safety_evidence()).safety.baseline_improvements if e.result_key == "unlearn.r1")
    assert side.method == "representation_engineering" and side.baseline_name == "RMU"
    assert side.text.startswith("baseline RMU (representation_engineering) against sae")
    assert "won the head-to-head; measured improvement" in side.text
    assert "failure" not in side.text and side.mechanistic_won is False


def test_safety_has_no_status_by_scale_nor_a_ceiling_in_the_sensitivity():
    a = assess(safety_evidence())
    assert {c.aspect_key for c in a.scale_table} == {"features", "circuits", "evaluation"}
    safety = next(s for s in a.sensitivity if s.aspect_key == "safety")
    assert safety.sources == [] and safety.without_estimates is None


def scale_evidence(extra_results=()):
    """Circuits validated at 100M, 1B and 30B (three sources) and at 70B (a fourth)."""
    sources = [{"key": k} for k in ("toy", "small", "mid", "chinchilla")]
    claims = [
        {"key": f"c-{s['key']}", "source_key": s["key"], "method": "circuits", "aspects": ["circuits"]} for s in sources
    ]
    sizes = {"toy": 1e8, "small": 1e9, "mid": 3e10, "chinchilla": 7e10}
    results = [{"key": f"r-{k}", "claim_key": f"c-{k}", "params": p} for k, p in sizes.items()]
    return build_evidence(sources, claims, [*results, *extra_results])


def test_sensitivity_reports_band_status_and_grade_moves_with_real_sizes():
    circuits = next(s for s in assess(scale_evidence()).sensitivity if s.aspect_key == "circuits")
    by_source = {s.source_key: s for s in circuits.sources}
    assert by_source, "the circuits row has influential sources"
    for influence in circuits.sources:
        assert influence.grade in {"high", "moderate", "low", "very_low"} and influence.grade_without
        assert ("grade and band statuses unchanged" in influence.text) == (
            influence.grade == influence.grade_without and not influence.band_changes
        )
        for change in influence.band_changes:
            assert f"{change.band_key} band {change.status.replace('_', ' ')}" in influence.text
    moved = [s for s in circuits.sources if s.band_changes]
    assert moved, "leaving out the only source of a band changes that band's status"
    # the largest remaining model is named at its own size, never at a bin's centre or edge (75B, 33B)
    assert "to unnamed model, 30B" in by_source["chinchilla"].text
    assert "to unnamed model, 70B" in by_source["toy"].text
    assert not any(size in s.text for s in circuits.sources for size in ("75B", "33B"))
    assert by_source["toy"].band_changes[0].model_dump() == {
        "band_key": "toy",
        "status": "partial",
        "status_without": "no_evidence",
    }


def test_without_estimated_sizes_reports_grade_and_band_statuses():
    estimated = {
        "key": "r-frontier",
        "claim_key": "c-chinchilla",
        "params_basis": "undisclosed",
        "params_low": 2e11,
        "params_high": 5e11,
    }
    circuits = next(s for s in assess(scale_evidence([estimated])).sensitivity if s.aspect_key == "circuits")
    without = circuits.without_estimates
    assert without is not None and without.results_left_out == 1
    assert [(c.band_key, c.status_without) for c in without.band_changes] == [("large", "no_evidence")]
    assert "large band" in without.text and without.grade_without is not None
    assert "70B" in without.statement_without


def test_a_range_is_named_by_its_ends_not_by_a_quadrature_point():
    sources = [{"key": k} for k in ("toy", "small", "family")]
    claims = [
        {"key": f"c-{s['key']}", "source_key": s["key"], "method": "circuits", "aspects": ["circuits"]} for s in sources
    ]
    results = [
        {"key": "r-toy", "claim_key": "c-toy", "params": 1e8},
        {"key": "r-small", "claim_key": "c-small", "params": 1e9},
        # a model family of 20B-60B (an analyst's range): its largest quadrature point is about 52B
        {
            "key": "r-family",
            "claim_key": "c-family",
            "params_basis": "estimated",
            "params_low": 2e10,
            "params_high": 6e10,
        },
    ]
    circuits = next(
        s for s in assess(build_evidence(sources, claims, results)).sensitivity if s.aspect_key == "circuits"
    )
    by_source = {s.source_key: s for s in circuits.sources}
    assert "20B to 60B by analyst estimate" in by_source["toy"].text and "52B" not in by_source["toy"].text
    assert circuits.without_estimates.statement_without.endswith("to unnamed model, 1B")


def test_the_grade_on_segments_summed_by_band_and_source_is_the_grade(monkeypatch):
    """Sensitivity regrades on segments summed by (band, source) and claims by (source, tier): every domain
    must come out the same."""
    from app.scoring import assessment
    from app.scoring.grade import grade_aspect
    from app.scoring.sensitivity import NO_OVERRIDES, Rework
    from tests.support.synthetic import synthetic_evidence

    seen = []
    real = assessment.grade_inputs
    monkeypatch.setattr(assessment, "grade_inputs", lambda *args: seen.append(real(*args)) or seen[-1])
    assess(synthetic_evidence(5000, seed=11))
    assert len(seen) == 4
    for inputs in seen:
        whole = grade_aspect(inputs, NO_OVERRIDES, ScoringSettings())
        summed = Rework(inputs, whole.suggested, {"x": np.zeros(0), "w_validity": np.zeros(0)}, ScoringSettings())
        again = grade_aspect(replace(summed.inputs, fit=inputs.fit), NO_OVERRIDES, ScoringSettings())
        assert [d.downgrade for d in again.domains] == [d.downgrade for d in whole.domains]
        assert [d.reason for d in again.domains] == [d.reason for d in whole.domains]


def test_a_row_without_a_ceiling_has_no_ceiling_to_move_in_the_sensitivity():
    """Circuits validated in about half the results at every scale: the row says no dependence on scale, so
    leaving a source out moves its rate, not a ceiling; no shift is printed or returned, and the rate decides
    which sources are reported first."""
    sources = [{"key": f"s{i}"} for i in range(8)]
    claims = [{"key": f"c{i}", "source_key": f"s{i}", "method": "circuits", "aspects": ["circuits"]} for i in range(8)]
    sizes, outcomes = [1e8, 1e8, 1e9, 1e9, 1e10, 1e10, 1e11, 1e11], ["success", "failure"] * 4
    results = [
        {"key": f"r{i}", "claim_key": f"c{i}", "params": p, "outcome": o}
        for i, (p, o) in enumerate(zip(sizes, outcomes, strict=True))
    ]
    a = assess(build_evidence(sources, claims, results))
    row = next(r for r in a.aspects if r.aspect_key == "circuits")
    assert row.ceiling.state == "no_scale_dependence"
    circuits = next(s for s in a.sensitivity if s.aspect_key == "circuits")
    assert circuits.sources
    for influence in circuits.sources:
        assert influence.shift_decades is None and "ceiling moves" not in influence.text
        assert "the row reads: no dependence on scale shown" in influence.text or "too thin" in influence.text
