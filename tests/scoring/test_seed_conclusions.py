"""On the seed dataset, the computed tables against the source report's qualitative conclusions.

Where the engine agrees, the test says so; where it honestly disagrees (circuits at toy scale), the
test pins the disagreement and its cause, and docs/scoring.md ("The seed against the report")
explains it. Neither the data nor the method is tuned to agree.
"""

from __future__ import annotations

import pytest
from sqlmodel import Session

from app.assessment.live import load_evidence
from app.scoring import ScoringSettings, assess


@pytest.fixture(scope="module")
def seeded(databases):
    from app.db.engine import build_engine

    engine = build_engine(databases.fresh("sqlite", seeded=True))
    with Session(engine) as session:
        evidence = load_evidence(session)
    engine.dispose()
    return evidence, assess(evidence)


def cell(assessment, aspect, band):
    return next(c for c in assessment.scale_table if c.aspect_key == aspect and c.band_key == band)


def row(assessment, aspect):
    return next(r for r in assessment.aspects if r.aspect_key == aspect)


def test_circuits_at_10_to_100b_were_applied_but_checked_only_by_their_own_interventions(seeded):
    """The report calls circuits 'partial at 10-100B' (Chinchilla 70B). The recoded seed judges Lieberum et al.
    by internal metrics (logit attribution and activation patching, the method's own causal tests), which
    cannot show validity (docs/scoring.md 5.1): the mid band has no validity evidence, while reach shows the
    method was applied there. A disagreement with the report's wording, pinned with its cause."""
    _, assessment = seeded
    circuits = row(assessment, "circuits")
    assert cell(assessment, "circuits", "mid").status == "no_evidence"
    said = {s.standard: s for s in circuits.ceiling.standards}
    assert not said["internal_metric"].shows_validity and said["internal_metric"].n_results >= 3
    assert circuits.reach_ceiling.largest_observed_params >= 7e10


def test_circuits_at_toy_scale_are_not_tractable_and_non_identifiability_stands_against_them(seeded):
    """The report calls toy circuits 'high fidelity, no barriers'. Meloux et al. (ICLR 2025) show circuits at
    toy scale are not identifiable, and the ground-truth evidence there is thin: the cell is not tractable and
    names the critique. This is a disagreement with the report, not an error."""
    _, assessment = seeded
    toy = cell(assessment, "circuits", "toy")
    assert toy.status in ("partial", "fragmentary")
    assert any("meloux" in b.key for b in toy.barriers)


def test_no_aspect_is_tractable_at_frontier_scale(seeded):
    _, assessment = seeded
    frontier = [c for c in assessment.scale_table if c.band_key == "frontier"]
    assert {c.aspect_key for c in frontier} == {r.aspect_key for r in assessment.aspects if r.role != "impact"}
    assert all(c.status in ("fragmentary", "no_evidence") for c in frontier)


def test_features_fall_short_of_the_simple_baselines_wherever_they_are_compared(seeded):
    evidence, assessment = seeded
    results = evidence.results.merge(
        evidence.methods[["key", "family"]], left_on="baseline_method", right_on="key", suffixes=("", "_baseline")
    )
    features_claims = set(evidence.claim_aspects.loc[evidence.claim_aspects["aspect_key"] == "features", "claim_key"])
    head_to_head = results[results["claim_key"].isin(features_claims) & (results["family"] == "baseline")]
    assert len(head_to_head) >= 2
    assert set(head_to_head["winner"]) == {"baseline"}
    shown = row(assessment, "features").baseline_comparisons
    assert any("head-to-head" in c.text and c.mechanistic_won is False for c in shown)
    simple = ("linear_probe", "representation_engineering")
    assert not any(c.mechanistic_won for c in shown if c.baseline_name and any(k in c.text for k in simple))


def test_no_ceiling_is_a_number_outside_the_sized_evidence(seeded):
    _, assessment = seeded
    for aspect in assessment.aspects:
        c = aspect.ceiling
        if c.state == "estimated":
            assert c.smallest_observed_params <= c.params_low <= c.params <= c.params_high <= c.largest_observed_params
        else:
            assert c.params is None


def test_no_scale_aspect_shows_a_fall_with_scale_on_the_seed(seeded):
    """v2 said features stop "below the smallest scale tested, 2.4B": a fall it never tested for. v3 tests first:
    the seed's features and circuits evidence is explained as well by a rate that does not depend on scale, so
    neither row states a ceiling; each gives its rate over the range tested instead (docs/scoring.md)."""
    _, assessment = seeded
    settings = ScoringSettings()
    for aspect in ("features", "circuits"):
        c = row(assessment, aspect).ceiling
        assert c.state in ("no_scale_dependence", "not_established"), (aspect, c.statement)
        assert c.p_fall < settings.min_p_fall and c.bound_params is None and c.params is None
    evaluation = row(assessment, "evaluation").ceiling  # no parameter "ceiling": where ground truth was checked
    assert (
        evaluation.state == "not_applicable" and evaluation.params is None and evaluation.crossing_log10_params is None
    )
    assert evaluation.statement.startswith("Checked against ground truth up to ")
    features = row(assessment, "features").ceiling
    assert features.statement.startswith("no dependence on scale shown: validated in")
    assert features.rate_low <= features.rate <= features.rate_high
    assert "evaluation" not in assessment.overall.aspects_included
    assert any(
        d.domain == "indirectness" and "evaluation" in d.reason for d in row(assessment, "features").confidence.domains
    )


def test_features_are_validated_less_often_than_circuits_and_not_shown_to_work_more_often_than_not(seeded):
    _, assessment = seeded
    features, circuits = (row(assessment, a).ceiling for a in ("features", "circuits"))
    assert features.rate < circuits.rate
    assert features.rate_high < 0.75 and features.rate_low < 0.5


def test_each_row_says_what_each_evaluation_standard_says(seeded):
    _, assessment = seeded
    for aspect in ("features", "circuits"):
        r = row(assessment, aspect)
        standards = r.ceiling.standards
        assert standards and len({s.standard for s in standards}) == len(standards)
        assert sum(s.n_results for s in standards) >= r.counts.results_in_fit
        for s in standards:
            if s.shows_validity and s.weight > 0:
                assert s.p_fall is not None and s.rate_low <= s.rate <= s.rate_high
                assert s.statement.startswith("validated in")


def test_frontier_results_enter_as_flagged_estimates_with_their_sensitivity(seeded):
    evidence, assessment = seeded
    frontier = evidence.results[evidence.results["params_estimate_kind"] == "frontier_class"]
    assert len(frontier) >= 7 and frontier["params_high"].isna().all()
    features = row(assessment, "features")
    assert features.ceiling.estimated_sizes and features.counts.results_estimated_size >= 4
    assert any(p.estimated for p in features.points)
    sensitivity = next(s for s in assessment.sensitivity if s.aspect_key == "features")
    assert sensitivity.without_estimates is not None and sensitivity.without_estimates.results_left_out >= 4


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
