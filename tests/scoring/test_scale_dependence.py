"""Test before locating: a ceiling is stated only where the evidence shows a fall with scale (engine v3)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st
from test_scoring_properties import PROPERTY, evidence_parts

from app.scoring import ScoringSettings, assess
from app.scoring.ceiling import binned, fit_dimension
from app.scoring.fall import Stratum
from app.scoring.records import build_evidence

S = ScoringSettings(top_gaps=0, top_influential_sources=0)
STATES_A_CEILING = ("estimated", "below_range")


def flat_world(rng: np.random.Generator, rate: float):
    """A literature in which P(works) is the same at every scale: 3-12 sources, each in its own window."""
    sources, claims, results = [], [], []
    for s in range(int(rng.integers(3, 13))):
        centre = float(rng.uniform(6.0, 13.5))
        sources.append({"key": f"s{s}"})
        claims.append({"key": f"c{s}", "source_key": f"s{s}", "method": "sae"})
        for r in range(int(rng.integers(1, 6))):
            outcome = "success" if rng.random() < rate else "failure"
            size = 10 ** float(rng.normal(centre, 0.7))
            results.append({"key": f"r{s}-{r}", "claim_key": f"c{s}", "params": size, "outcome": outcome})
    return build_evidence(sources, claims, results)


def test_flat_worlds_rarely_get_a_ceiling():
    """P(works) = 0.3 or 0.6 at every scale: at most 10% of literatures state a ceiling (v2: 70-85%)."""
    rng = np.random.default_rng(20)
    for rate in (0.3, 0.6):
        states = [assess(flat_world(rng, rate), S).aspects[0].ceiling.state for _ in range(30)]
        stated = np.mean([state in STATES_A_CEILING for state in states])
        assert stated <= 0.1, (rate, states)
        assert states.count("no_scale_dependence") >= 20


def fit_of_strata(strata: list[Stratum]):
    """The validity fit of evidence given by standard (two sources)."""
    x = np.concatenate([s.x for s in strata])
    w, wy = np.concatenate([s.w for s in strata]), np.concatenate([s.wy for s in strata])
    bx, bw, bwy = binned(x, w, np.where(w > 0, wy / np.where(w > 0, w, 1), 0), S.fit_bin_decades)
    half = S.fit_bin_decades / 2
    bins = pd.DataFrame({"x": bx, "x_lo": bx - half, "x_hi": bx + half, "w_validity": bw, "wy_validity": bwy})
    return fit_dimension(bins, 2, "validity", S, (float(x.min()), float(x.max())), strata, x)


SCALES = st.lists(st.floats(6.0, 12.0), min_size=1, max_size=12)
WEIGHTS = st.floats(0.2, 1.0)


@PROPERTY
@given(SCALES, SCALES, WEIGHTS, WEIGHTS, st.floats(0.0, 3.0))
def test_a_change_of_standard_across_scale_alone_does_not_produce_a_ceiling(lenient, strict, w1, w2, gap):
    """Ground-truth checks all succeed at small scale, baseline comparisons all fail at larger scale (each
    standard flat): no ceiling, whatever the sizes, weights and the gap between them."""
    top = max(lenient)
    small = Stratum("ground_truth", np.array(lenient), np.full(len(lenient), w1), np.full(len(lenient), w1))
    large_x = np.array(strict) - min(strict) + top + gap
    large = Stratum("simple_baseline", large_x, np.full(len(strict), w2), np.zeros(len(strict)))
    fit = fit_of_strata([small, large])
    if fit.state == "insufficient":  # less than one full-weight result: nothing is tested
        return
    assert fit.p_fall < S.min_p_fall
    assert fit.state not in STATES_A_CEILING
    pooled = fit_of_strata(
        [
            Stratum(
                "not_recorded",
                *(np.concatenate(v) for v in zip(*[(s.x, s.w, s.wy) for s in (small, large)], strict=True)),
            )
        ]
    )
    if len(lenient) >= 4 and len(strict) >= 4 and gap >= 1.0:
        assert pooled.p_fall > fit.p_fall  # the same evidence, standards ignored, would look like a fall


def many_sources(pairs):
    """One source per result: (log10 params, outcome)."""
    claims = [{"key": f"c{i}", "source_key": f"s{i}", "method": "sae"} for i in range(len(pairs))]
    results = [
        {"key": f"r{i}", "claim_key": f"c{i}", "params": 10.0**x, "outcome": o} for i, (x, o) in enumerate(pairs)
    ]
    return build_evidence([{"key": f"s{i}"} for i in range(len(pairs))], claims, results)


OUTCOMES = st.sampled_from(["success", "partial", "failure"])


@PROPERTY
@given(
    st.lists(
        st.tuples(st.floats(9.3, 11.0), st.sampled_from(["failure", "failure", "partial"])), min_size=3, max_size=8
    ),
    st.lists(st.floats(1.0, 3.0), min_size=1, max_size=10),
    st.sampled_from(["success", "failure"]),
)
def test_toy_evidence_does_not_turn_a_bound_into_a_located_ceiling(llm, toy_scales, toy_outcome):
    """Evidence from 2B up that gives a bound keeps giving no number when toy studies (networks of 10 to
    1,000 parameters, each finding the same) are added: they are too far from any crossing they allow to
    make it a number. (Toy studies that themselves show a fall, or partials, which put P(works) at one half
    at their own scale, locate a crossing among the toys, as they should.)"""
    toys = [(x, toy_outcome) for x in toy_scales]
    before = assess(many_sources(llm), S).aspects[0].ceiling
    if before.state not in ("below_range", "not_established"):
        return
    after = assess(many_sources(llm + toys), S).aspects[0].ceiling
    assert after.state != "estimated", after.statement


def with_partial_at_bound(parts, low_log10):
    sources, claims, results, critiques = parts
    extra = {"key": "cb", "source_key": "sb", "method": "sae", "aspects": ["features"]}
    result = {"key": "rb", "claim_key": "cb", "outcome": "partial", "params_basis": "undisclosed"}
    result |= {"params_low": 10**low_log10, "params_estimate_kind": "frontier_class"}
    return build_evidence(sources + [{"key": "sb"}], claims + [extra], results + [result], critiques)


def crossing(evidence):
    return next(r for r in assess(evidence, S).aspects if r.aspect_key == "features").ceiling.crossing_log10_params


@PROPERTY
@given(evidence_parts(), st.floats(8.0, 12.0))
def test_a_partial_at_an_open_ended_bound_never_lowers_the_crossing(parts, low_log10):
    """At "at least L" a partial counts as its success half at L (its failure half, like a failure above L,
    bounds nothing), so it can only raise the crossing; counted whole at L it lowered any crossing above L."""
    sources, claims, results, critiques = parts
    without = crossing(build_evidence(sources + [{"key": "sb"}], claims, results, critiques))
    with_it = crossing(with_partial_at_bound(parts, low_log10))
    if without is not None and with_it is not None:
        assert with_it >= without - 1e-6


def judged(pairs):
    """One source per result: (log10 params, outcome, evaluation standard)."""
    claims = [{"key": f"c{i}", "source_key": f"s{i}", "method": "sae"} for i in range(len(pairs))]
    results = [
        {"key": f"r{i}", "claim_key": f"c{i}", "params": 10.0**x, "outcome": o, "evaluation_standard": std}
        for i, (x, o, std) in enumerate(pairs)
    ]
    return build_evidence([{"key": f"s{i}"} for i in range(len(pairs))], claims, results)


def test_internal_metric_successes_small_and_baseline_failures_large_are_no_ceiling():
    """The seed's features pattern: toy studies judge by internal metrics, 2-9B studies against simple
    baselines. Internal metrics cannot show validity, so the validity row rests on the baseline comparisons
    alone (all failures: not established); recorded without standards the same results would show a fall."""
    small = [(x, "success", "internal_metric") for x in (7.0, 7.5, 8.0, 8.3, 8.6)]
    large = [(x, "failure", "simple_baseline") for x in (9.3, 9.5, 9.8, 10.0, 10.4)]
    row = assess(judged(small + large), S).aspects[0]
    assert row.ceiling.state == "not_established"
    said = {s.standard: s for s in row.ceiling.standards}
    assert not said["internal_metric"].shows_validity and said["internal_metric"].n_results == 5
    assert said["simple_baseline"].shows_validity and said["simple_baseline"].rate < 0.2
    assert row.reach_ceiling.state == "no_scale_dependence"  # internal metrics still show the method ran
    unrecorded = [(x, o, None) for x, o, _ in small + large]
    assert assess(judged(unrecorded), S).aspects[0].ceiling.state in STATES_A_CEILING


def test_results_whose_validity_was_not_assessed_count_for_reach_only():
    applied = [(x, "not_assessed", None) for x in (9.0, 10.0, 11.0)]
    row = assess(judged(applied + [(9.5, "success", "ground_truth")]), S).aspects[0]
    assert row.ceiling.state == "insufficient" and row.counts.results_in_fit == 1
    assert row.reach_ceiling.state == "no_scale_dependence" and row.reach_ceiling.rate > 0.7


def test_no_dependence_on_scale_is_graded_by_the_precision_of_its_rate():
    """Three successes give Beta(4, 1), a 90% interval of 47%-99% (width over 0.5): one level for imprecision;
    forty concordant results from forty sources narrow it and the level goes."""
    few = many_sources([(9.0, "success"), (9.5, "success"), (10.0, "success")])
    many = many_sources([(9.0 + 0.05 * i, "success" if i % 2 else "failure") for i in range(40)])
    levels = {}
    for name, evidence in (("few", few), ("many", many)):
        row = assess(evidence, S).aspects[0]
        assert row.ceiling.state == "no_scale_dependence"
        domain = next(d for d in row.confidence.domains if d.domain == "imprecision")
        assert "flat rate's interval" in domain.reason
        levels[name] = domain.downgrade
    assert levels["few"] == 1.0 and levels["many"] < 0.5


def test_leaving_a_source_out_does_not_let_a_change_of_standard_pose_as_a_fall():
    """Ground-truth checks succeed on small models and baseline comparisons fail on large ones, each flat
    within its own standard: the row shows no dependence on scale, and so does every rest the sensitivity
    refits (within standards, as the row), where a pooled refit would find a fall at the change of standard."""
    small = [(x, "success", "ground_truth") for x in (7.0, 7.5, 8.0, 8.3, 8.6)]
    large = [(x, "failure", "simple_baseline") for x in (9.3, 9.5, 9.8, 10.0, 10.4)]
    a = assess(judged(small + large), ScoringSettings(top_gaps=0, top_influential_sources=3))
    assert a.aspects[0].ceiling.state == "no_scale_dependence"
    influences = next(s for s in a.sensitivity if s.aspect_key == a.aspects[0].aspect_key).sources
    assert len(influences) == 3
    for influence in influences:
        assert influence.state_without == "no_scale_dependence", influence.text
        assert "the row reads: no dependence on scale shown" in influence.text
