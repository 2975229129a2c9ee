"""On the seed dataset, the computed tables against the source report's qualitative conclusions.

Where the engine agrees, the test says so; where it honestly disagrees (circuits at toy scale), the
test pins the disagreement and its cause, and docs/scoring.md ("The seed against the report")
explains it. Neither the data nor the method is tuned to agree.
"""

from __future__ import annotations

import pytest
from sqlmodel import Session

from app.assessment import load_evidence
from app.scoring import assess


@pytest.fixture(scope="module")
def seeded(databases):
    from app.db import build_engine

    engine = build_engine(databases.fresh("sqlite", seeded=True))
    with Session(engine) as session:
        evidence = load_evidence(session)
    engine.dispose()
    return evidence, assess(evidence)


def cell(assessment, aspect, band):
    return next(c for c in assessment.scale_table if c.aspect_key == aspect and c.band_key == band)


def row(assessment, aspect):
    return next(r for r in assessment.aspects if r.aspect_key == aspect)


def test_circuits_are_partial_at_10_to_100b_as_the_report_says(seeded):
    _, assessment = seeded
    mid = cell(assessment, "circuits", "mid")
    assert mid.status == "partial"
    assert any(b.claim_key.startswith("lieberum2023") for b in mid.barriers)


def test_circuits_at_toy_scale_work_more_often_than_not_but_non_identifiability_keeps_them_partial(seeded):
    """The report calls toy circuits 'high fidelity, no barriers'. The engine finds them working more
    often than not (mean > 0.5) but below the tractable threshold,
    because Meloux et al. (ICLR 2025) show circuits at toy scale are not identifiable and the evidence
    there is thin (four sources). This is a disagreement with the report, not an error."""
    _, assessment = seeded
    toy = cell(assessment, "circuits", "toy")
    assert toy.mean > 0.5
    assert toy.status == "partial"
    assert any("meloux" in b.key for b in toy.barriers)


def test_no_aspect_is_tractable_at_frontier_scale(seeded):
    _, assessment = seeded
    frontier = [c for c in assessment.scale_table if c.band_key == "frontier"]
    assert {c.aspect_key for c in frontier} == {r.aspect_key for r in assessment.aspects}
    assert all(c.status in ("fragmentary", "no_evidence") for c in frontier)


def test_features_fall_short_of_the_simple_baselines_wherever_they_are_compared(seeded):
    evidence, assessment = seeded
    results = evidence.results.merge(
        evidence.methods[["key", "family"]], left_on="method", right_on="key", suffixes=("", "_method")
    )
    features_claims = set(evidence.claim_aspects.loc[evidence.claim_aspects["aspect_key"] == "features", "claim_key"])
    compared = 0
    for claim_key, group in results[results["claim_key"].isin(features_claims)].groupby("claim_key"):
        families = set(group["family"])
        if families == {"mechanistic", "baseline"}:
            compared += 1
            assert set(group.loc[group["family"] == "mechanistic", "outcome"]) <= {"failure", "partial"}, claim_key
            assert "success" in set(group.loc[group["family"] == "baseline", "outcome"]), claim_key
    assert compared >= 2
    shown = row(assessment, "features").baseline_comparisons
    assert any(c.method in ("linear_probe", "representation_engineering") for c in shown)
    assert not any(c.mechanistic_won for c in shown if c.baseline_name and "probe" in c.baseline_name.lower())


def test_safety_row_reports_no_measured_improvement_from_mechanistic_methods_and_shows_the_baselines(seeded):
    _, assessment = seeded
    safety = assessment.safety
    assert safety.mechanistic["measured_improvement"] == 0
    assert safety.mechanistic_improvements == []
    assert safety.baseline["measured_improvement"] >= 1
    assert any(c.method == "representation_engineering" for c in safety.baseline_improvements)
    assert safety.statement.startswith("No measured improvement from a mechanistic method")


def test_every_row_has_its_confidence_and_reasons(seeded):
    _, assessment = seeded
    for aspect in assessment.aspects:
        assert aspect.confidence.final in ("high", "moderate", "low", "very_low")
        if aspect.confidence.suggested != "high":
            assert aspect.confidence.reasons, aspect.aspect_key
    assert assessment.overall.confidence in ("high", "moderate", "low", "very_low")
    assert assessment.overall.statement
