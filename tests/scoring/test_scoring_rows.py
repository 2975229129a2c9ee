"""The rows a reader signs: named sizes, the overall row side by side, single-study flags, the band table
agreeing with its row, double counting, and what would change each row."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from app.scoring import assess
from app.scoring.bands import band_ceiling
from app.scoring.evaluation import evaluation_ceiling
from app.scoring.formats import render
from app.scoring.inputs import Coded
from app.scoring.naming import ModelIndex, format_params, named_models
from app.scoring.overlap import already_counted
from app.scoring.records import SEED_BANDS, build_evidence
from app.scoring.schema import BandCell, Ceiling
from app.scoring.settings import ScoringSettings
from app.scoring.spread import sample_size_factors
from app.scoring.weights import claim_weights
from tests.scoring.test_scoring_scale import two_sources

SONNET = {
    "model_name": "Claude 3 Sonnet",
    "params_basis": "undisclosed",
    "params_low": 1e10,
    "params_estimate_kind": "frontier_class",
}
GEMMA_FAMILY = {
    "model_name": "Gemma-family chat model",
    "params_basis": "undisclosed",
    "params_low": 2e9,
    "params_high": 2.8e10,
    "params_estimate_kind": "family_range",
}


def results_frame(rows: list[dict]) -> pd.DataFrame:
    base = {"params": np.nan, "params_low": np.nan, "params_high": np.nan, "params_basis": "disclosed"}
    return pd.DataFrame([{**base, **r} for r in rows], columns=[*base, "model_name"])


@pytest.mark.parametrize(
    ("params", "text"),
    [
        (2.5e9, "2.5B"),
        (7.06e10, "71B"),
        (7e10, "70B"),
        (1.75e11, "175B"),
        (1.24e8, "124M"),
        (1e10, "10B"),
        (240, "240"),
    ],
)
def test_sizes_print_at_two_significant_digits_or_whole_units(params, text):
    assert format_params(np.log10(params)) == text


def test_smallest_model_is_a_real_disclosed_one_not_the_low_end_of_a_family_range():
    frame = results_frame([GEMMA_FAMILY, {"model_name": "gemma-2b-it", "params": 2.5e9}, SONNET])
    models = named_models(frame, np.arange(3))
    assert models.smallest.text() == "gemma-2b-it, 2.5B"
    assert models.largest.text() == "Claude 3 Sonnet, size undisclosed, at least 10B by analyst bound"
    assert models.largest_bounded.text() == "Gemma-family chat model, 2B to 28B by analyst estimate"


def test_frontier_applications_are_named_once_per_model_with_their_bound():
    haiku = {**SONNET, "model_name": "Claude 3.5 Haiku (and an 18-layer research model)"}
    demo = {**SONNET, "model_name": "Claude 3 Sonnet (Golden Gate Claude demo)"}
    models = named_models(results_frame([SONNET, demo, haiku]), np.arange(3))
    assert (
        models.frontier_text() == "Claude 3 Sonnet, Claude 3.5 Haiku; sizes undisclosed, at least 10B by analyst bound"
    )
    opus = {**SONNET, "model_name": "Claude Opus 4.6", "params_low": 1e11}
    mixed = named_models(results_frame([SONNET, opus]), np.arange(2)).frontier_text()
    assert mixed == "Claude Opus 4.6 (at least 100B), Claude 3 Sonnet (at least 10B); sizes undisclosed, analyst bounds"


def test_statements_name_the_models_never_a_quadrature_point_of_a_range():
    ev = two_sources(
        [{**GEMMA_FAMILY, "outcome": "failure"}, {"model_name": "gemma-2b-it", "params": 2.5e9, "outcome": "failure"}],
        [{"model_name": "Llama 3 8B", "params": 8e9, "outcome": "failure"}, {**SONNET, "outcome": "partial"}],
    )
    row = assess(ev).aspects[0]
    assert row.ceiling.state == "no_scale_dependence"  # failures at 2.5-8B and a partial above: no fall shown
    assert row.ceiling.statement.endswith(
        "of results at every scale tested, from gemma-2b-it, 2.5B to Gemma-family chat model, 2B to 28B by analyst "
        "estimate; also tested on frontier models: Claude 3 Sonnet; size undisclosed, at least 10B by analyst bound "
        "(sizes include analyst estimates)"
    )
    assert (
        "also applied to frontier models: Claude 3 Sonnet; size undisclosed, at least 10B by analyst bound"
        in row.reach_ceiling.statement
    )
    for text in (row.ceiling.statement, row.reach_ceiling.statement):
        assert "2.4B" not in text and "25B" not in text  # the first and last quadrature points of the range


def test_overall_row_keeps_each_scale_aspect_with_its_own_statement_and_names_frontier_reach():
    ev = two_sources(
        [{"params": 7e7}, {"params": 1.24e8}, {"model_name": "Chinchilla", "params": 7e10, "outcome": "partial"}],
        [{"params": 2.8e9}, {**SONNET, "model_name": "Claude 3.5 Haiku", "outcome": "partial"}],
        aspects=("circuits",),
    )
    features = two_sources(
        [{"model_name": "gemma-2b-it", "params": 2.5e9, "outcome": "failure"}],
        [{"model_name": "Llama 3 8B", "params": 8e9, "outcome": "failure"}],
    )
    both = build_evidence(
        [{"key": "a"}, {"key": "b"}, {"key": "c"}, {"key": "d"}],
        [
            {"key": "c1", "source_key": "a", "method": "circuits", "aspects": ["circuits"]},
            {"key": "c2", "source_key": "b", "method": "circuits", "aspects": ["circuits"]},
            {"key": "f1", "source_key": "c", "method": "sae", "aspects": ["features"]},
            {"key": "f2", "source_key": "d", "method": "sae", "aspects": ["features"]},
        ],
        [{**r, "claim_key": "c1" if r["claim_key"] == "ca" else "c2"} for r in ev.results.to_dict("records")]
        + [
            {**r, "key": "f" + r["key"], "claim_key": "f1" if r["claim_key"] == "ca" else "f2"}
            for r in features.results.to_dict("records")
        ],
    )
    overall = assess(both).overall
    parts = {p.aspect_key: p for p in overall.parts}
    assert parts["features"].state == "not_established" and parts["circuits"].state == "no_scale_dependence"
    assert parts["features"].statement.startswith("Features: not validated at any scale tested")
    assert parts["circuits"].statement.startswith("Circuits: no dependence on scale shown: validated in")
    assert "Chinchilla, 70B" in parts["circuits"].statement
    assert "Methods have been applied to frontier models: Claude 3.5 Haiku" in overall.statement
    assert "limited by" not in overall.statement  # no minimum over aspects
    assert overall.statement.endswith(f"confidence (features very low, circuits {parts['circuits'].confidence}).")


def test_a_cell_resting_on_one_source_is_flagged_single_study_and_shown_in_words():
    ev = two_sources([{"params": 1e8}, {"params": 2e9}, {"params": 7e10}], [{"params": 2e8}, {"params": 3e9}])
    assessment = assess(ev)
    cells = {c.band_key: c for c in assessment.scale_table if c.aspect_key == "features"}
    assert cells["toy"].n_sources == 2 and not cells["toy"].single_study
    assert cells["mid"].n_sources == 1 and cells["mid"].single_study
    row = assessment.aspects[0]
    assert row.band_ceiling == "mid" and row.band_ceiling_single_study
    text = render(assessment, "markdown")
    assert "| mid (single study) |" in text and "| partial (single study) |" in text


def test_a_light_cell_says_too_little_evidence_not_fragmentary():
    ev = two_sources([{"params": 2e9}], [{"params": 3e9}])
    ev_light = build_evidence(
        [{"key": "a"}],
        [{"key": "ca", "source_key": "a", "method": "sae", "confidence": 0.3}],
        [{"key": "r", "claim_key": "ca", "params": 2e9, "outcome": "failure"}],
    )
    light = assess(ev_light).scale_table
    assert {c.status for c in light if c.band_key == "small" and c.aspect_key == "features"} == {"too_little_evidence"}
    assert next(c for c in assess(ev).scale_table if c.band_key == "small").status == "partial"


@pytest.mark.parametrize(("high_log10", "band"), [(10.3, "small"), (10.6, "mid"), (9.4, "toy")])
def test_no_band_ceiling_beside_a_located_ceiling_whose_interval_ends_below_most_of_the_band(high_log10, band):
    """A located ceiling about 2B (interval to 2e10) must not stand beside 'at least partial up to 10B-100B'."""
    keys = [b["key"] for b in SEED_BANDS]
    edges = np.array([[-np.inf, 9], [9, 10], [10, 11], [11, 12], [12, np.inf]], dtype=float)
    cells = [
        BandCell(
            aspect_key="features",
            band_key=k,
            alpha=3,
            beta=1,
            mean=0.75,
            low=0.3,
            high=0.95,
            status="partial" if k in ("toy", "small", "mid") else "no_evidence",
            weight=2,
            n_results=2,
            barriers=[],
        )
        for k in keys
    ]
    ceiling = Ceiling(state="estimated", crossing_log10_params=9.3, crossing_high_log10=high_log10, statement="")
    assert band_ceiling(cells, "features", keys, ceiling, edges) == band
    flat = Ceiling(state="no_scale_dependence", statement="")  # no stop located: the walk stands as it is
    assert band_ceiling(cells, "features", keys, flat, edges) == "mid"
    nowhere = Ceiling(state="not_established", statement="")
    assert band_ceiling(cells, "features", keys, nowhere, edges) is None


def critique_case(critic_result: dict, target_size: float, aspects=("features",)):
    claims = [
        {"key": "target", "source_key": "a", "method": "sae", "aspects": ["features"]},
        {"key": "critic", "source_key": "b", "method": "sae", "stance": "undermines", "aspects": list(aspects)},
    ]
    results = [
        {"key": "rt", "claim_key": "target", "params": target_size},
        {"key": "rc", "claim_key": "critic", **critic_result},
    ]
    critiques = [
        {"key": "k", "target_claim_key": "target", "critic_claim_key": "critic", "severity": 0.8, "status": "accepted"}
    ]
    return build_evidence([{"key": "a"}, {"key": "b"}], claims, results, critiques)


def target_weight(evidence) -> float:
    return float(claim_weights(evidence, ScoringSettings()).loc["target", "weight"])


def test_a_critique_whose_failure_already_counts_in_the_targets_band_does_not_discount_it_again():
    same_band = critique_case({"params": 3e9, "outcome": "failure"}, target_size=8e9)
    assert already_counted(same_band, ScoringSettings()).tolist() == [True]
    assert target_weight(same_band) == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("critic_result", "aspects"),
    [
        ({"params": 3e9, "outcome": "failure"}, ("circuits",)),  # its failure counts in another aspect
        ({"params": 3e8, "outcome": "failure"}, ("features",)),  # at another scale: the critique carries it
        ({"params": 3e9, "outcome": "success"}, ("features",)),  # no failure of its own
        ({**SONNET, "outcome": "failure"}, ("features",)),  # a failure above a bound is censored: counts nowhere
        ({"params": 3e9, "outcome": "failure", "method": "linear_probe"}, ("features",)),  # a baseline's failure
    ],
)
def test_a_critique_discounts_where_its_finding_does_not_already_count(critic_result, aspects):
    evidence = critique_case(critic_result, target_size=8e9 if "params" in critic_result else 1.5e10, aspects=aspects)
    assert already_counted(evidence, ScoringSettings()).tolist() == [False]
    assert target_weight(evidence) == pytest.approx(1 - 0.8)


def one_source_each(pairs):
    """One source per result: (log10 params, outcome)."""
    claims = [{"key": f"c{i}", "source_key": f"s{i}", "method": "sae"} for i in range(len(pairs))]
    results = [
        {"key": f"r{i}", "claim_key": f"c{i}", "params": 10.0**x, "outcome": o} for i, (x, o) in enumerate(pairs)
    ]
    return build_evidence([{"key": f"s{i}"} for i in range(len(pairs))], claims, results)


def test_each_row_says_what_evidence_would_change_it_most():
    falls = [(8.0, "success"), (8.3, "success"), (8.6, "success"), (9.0, "success"), (9.3, "partial")]
    falls += [(9.7, "failure"), (10.0, "failure"), (10.4, "failure"), (10.8, "failure")]
    assessment = assess(one_source_each(falls))
    row = assessment.aspects[0]
    assert row.ceiling.state == "estimated"
    first = next(g for g in assessment.gaps if g.aspect_key == "features")
    band = next(b.name for b in assessment.bands if b.key == first.band_key)
    assert row.what_would_change.startswith(f"One validated result in {band} would move the ceiling up ")
    assert f"{first.shift_if_success_decades:.1f} orders of magnitude" in row.what_would_change
    assert next(r for r in assessment.aspects if r.role == "impact").what_would_change == ""
    assert row.what_would_change in render(assessment, "markdown")


def test_a_row_that_states_no_ceiling_is_not_told_what_would_move_one():
    """Beside "no dependence on scale shown" there is no ceiling for a new result to move: the row and its gaps
    speak of band statuses only (they spoke of moving "the ceiling", the median of a crossing the row rejects)."""
    ev = two_sources([{"params": 7e7}, {"params": 1.24e8}, {"params": 7e10, "outcome": "partial"}], [{"params": 2.8e9}])
    assessment = assess(ev, ScoringSettings(top_gaps=100))  # every gap, not the five largest of all aspects
    row = assessment.aspects[0]
    assert row.ceiling.state == "no_scale_dependence"
    gaps = [g for g in assessment.gaps if g.aspect_key == "features"]
    assert gaps and all(g.shift_if_success_decades == g.shift_if_failure_decades == 0 for g in gaps)
    assert all("has no ceiling to move (the row states none)" in g.text for g in gaps)
    assert "ceiling" not in row.what_would_change
    assert (
        row.what_would_change.startswith("One validated result in ")
        and "the band would go from" in row.what_would_change
    )


def test_sensitivity_names_the_largest_model_left_not_a_bin_edge():
    """Without the source that tested Chinchilla, the bound is the next real model, said by name; v2 said the
    edge of a 0.05-decade bin ('75B' for Chinchilla's 70B, '11B' for a 10B bound)."""
    claims = [{"key": k, "source_key": k, "method": "circuits", "aspects": ["circuits"]} for k in "abc"]
    results = [
        {"key": "r1", "claim_key": "a", "model_name": "Chinchilla", "params": 7e10},
        {"key": "r2", "claim_key": "b", "model_name": "Pythia-2.8B", "params": 2.8e9},
        {"key": "r3", "claim_key": "c", "model_name": "GPT-2 small", "params": 1.24e8},
        {"key": "r4", "claim_key": "b", "model_name": "Pythia-70M", "params": 7e7},
    ]
    ev = build_evidence([{"key": k} for k in "abc"], claims, results)
    assessment = assess(ev)
    assert assessment.aspects[1].ceiling.statement.endswith("from Pythia-70M, 70M to Chinchilla, 70B")
    texts = [s.text for s in next(x for x in assessment.sensitivity if x.aspect_key == "circuits").sources]
    assert any(t.startswith("without a ") and "to Pythia-2.8B, 2.8B" in t for t in texts)
    assert any(t.startswith("without b ") and "to Chinchilla, 70B" in t for t in texts)
    assert not any("75B" in t for t in texts)
    moving = {s.aspect_key for s in assessment.sensitivity if s.sources or s.without_estimates}
    assert moving <= {"features", "circuits"}  # evaluation and safety have no ceiling to move


@pytest.mark.parametrize(("n", "factor"), [(None, 1.0), (1, 1.0), (10, 1.5), (100, 2.0), (113, 2.0), (10_000, 2.0)])
def test_a_result_aggregating_more_tasks_weighs_more_within_a_bound(n, factor):
    frame = pd.DataFrame({"sample_size": [np.nan if n is None else float(n)]})
    assert sample_size_factors(frame, ScoringSettings())[0] == pytest.approx(factor)


def test_sample_size_factor_grows_with_n_and_never_passes_its_cap():
    sizes = np.array([1, 2, 4, 13, 50, 99, 100, 1e6])
    factors = sample_size_factors(pd.DataFrame({"sample_size": sizes}), ScoringSettings())
    assert np.all(np.diff(factors) >= 0) and factors.max() == pytest.approx(2.0) and factors.min() == 1.0


def evaluation_case(standards: list[str | None], sizes: list[float], outcomes: list[float]):
    rows = pd.DataFrame(
        {
            "res": np.arange(len(sizes)),
            "source": np.arange(len(sizes)) % 2,
            "mechanistic": True,
            "y": outcomes,
            "lo": np.log10(sizes),
            "hi": np.log10(sizes),
        }
    )
    results = results_frame([{"model_name": f"m{i}", "params": p} for i, p in enumerate(sizes)])
    codes, uniques = pd.factorize(pd.Series(standards, dtype=object))
    return evaluation_ceiling(rows, Coded(codes, np.asarray(uniques)), ModelIndex.of(results))


def test_evaluation_row_says_where_explanations_were_checked_against_ground_truth_and_how_beyond():
    ceiling = evaluation_case(
        ["ground_truth", "ground_truth", "simple_baseline", "simple_baseline", "internal_metric"],
        [1e6, 1.24e8, 2.5e9, 8e9, 7e10],
        [1.0, 0.5, 0.0, 0.0, 1.0],
    )
    assert ceiling.state == "not_applicable" and ceiling.params is None
    assert ceiling.statement == (
        "Checked against ground truth up to m1, 124M: 2 result(s) from 2 source(s): 1 validated, 1 partial, 0 failed; "
        "beyond it, results were judged against simple baselines (2), by internal metrics (1), "
        "none against ground truth."
    )


def test_evaluation_row_without_ground_truth_or_without_records_says_so():
    none = evaluation_case(["simple_baseline", "demonstration"], [2e9, 1e10], [0.0, 1.0])
    assert none.statement == (
        "No explanation has been checked against ground truth; results were judged "
        "by demonstrations (1), against simple baselines (1)."  # ties in the order of the standards' names
    )
    unknown = evaluation_case([None, None], [2e9, 1e10], [0.0, 1.0])
    assert "not known" in unknown.statement and "ground truth" in unknown.statement


def test_a_benchmark_of_many_tasks_outweighs_a_one_case_study_in_its_cell():
    one_case = two_sources([{"params": 2e9, "sample_size": 1}], [{"params": 3e9, "outcome": "failure"}])
    benchmark = two_sources([{"params": 2e9, "sample_size": 113}], [{"params": 3e9, "outcome": "failure"}])
    unknown = two_sources([{"params": 2e9}], [{"params": 3e9, "outcome": "failure"}])

    def small(evidence):
        return next(c for c in assess(evidence).scale_table if c.aspect_key == "features" and c.band_key == "small")

    assert small(one_case).weight == pytest.approx(2.0) and small(unknown).weight == pytest.approx(2.0)
    assert small(benchmark).weight == pytest.approx(3.0)  # 2 for 113 tasks, 1 for the one-case failure
    assert small(benchmark).mean > small(one_case).mean


def test_the_evaluation_row_in_the_assessment_has_no_parameter_ceiling():
    claims = [
        {"key": "truth", "source_key": "a", "method": "circuits", "aspects": ["evaluation", "circuits"]},
        {"key": "probe", "source_key": "b", "method": "sae", "aspects": ["evaluation", "features"]},
    ]
    results = [
        {"key": "r1", "claim_key": "truth", "model_name": "GPT-2 small", "params": 1.24e8},
        {"key": "r2", "claim_key": "truth", "model_name": "Tracr", "params": 1e5, "outcome": "partial"},
        {"key": "r3", "claim_key": "probe", "model_name": "gemma-2b-it", "params": 2.5e9, "outcome": "failure"},
    ]
    standards = {"r1": "ground_truth", "r2": "ground_truth", "r3": "simple_baseline"}
    results = [{**r, "evaluation_standard": standards[r["key"]]} for r in results]
    assessment = assess(build_evidence([{"key": "a"}, {"key": "b"}], claims, results))
    row = next(r for r in assessment.aspects if r.aspect_key == "evaluation")
    assert row.ceiling.state == "not_applicable" and row.ceiling.params is None and row.band_ceiling is None
    assert row.ceiling.statement == (
        "Checked against ground truth up to GPT-2 small, 124M: 2 result(s) from 1 source(s): 1 validated, "
        "1 partial, 0 failed; beyond it, results were judged against simple baselines (1), none against ground truth."
    )
    assert row.curve == [] and row.reach_ceiling.state == "not_applicable"
    assert "Evaluation: checked against ground truth up to GPT-2 small" in assessment.overall.statement
    larger = "One explanation checked against ground truth on a model larger than GPT-2 small, 124M would extend it."
    assert row.what_would_change == larger


def test_an_aspect_that_works_nowhere_says_how_its_failures_were_judged():
    """A change of standard can pose as a change of scale: the overall clause says what the failures were."""
    ev = two_sources(
        [
            {
                "model_name": "gemma-2b-it",
                "params": 2.5e9,
                "outcome": "failure",
                "evaluation_standard": "simple_baseline",
            },
            {"model_name": "Llama 3 8B", "params": 8e9, "outcome": "failure", "evaluation_standard": "simple_baseline"},
        ],
        [
            {
                "model_name": "Gemma-2-2B",
                "params": 2.6e9,
                "outcome": "failure",
                "evaluation_standard": "internal_metric",
            },
            {"model_name": "Gemma-2-9B", "params": 9e9, "outcome": "failure", "evaluation_standard": "ground_truth"},
        ],
    )
    part = assess(ev).overall.parts[0]
    assert part.statement.startswith(
        "Features: not validated at any scale tested (smallest model tested: gemma-2b-it, 2.5B); "
        "its failures were judged against simple baselines (2)"
    )
    assert "against ground truth (1)" in part.statement
    assert "internal metrics" not in part.statement  # an internal metric cannot show validity: not in the fit


def test_an_evaluation_row_without_any_result_is_too_thin_not_a_statement_about_ground_truth():
    ceiling = evaluation_case([], [], [])
    assert ceiling.state == "insufficient" and "No result yet" in ceiling.statement
