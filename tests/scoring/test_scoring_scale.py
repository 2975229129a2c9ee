"""Placing results on the scale axis, the band posteriors and the ceiling fit, on hand-computed cases."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.special import expit

from app.scoring import ScoringSettings, assess
from app.scoring.bands import posterior, status_of
from app.scoring.ceiling import format_params, solve_crossing
from app.scoring.records import build_evidence
from app.scoring.spread import scale_data
from app.scoring.weights import claim_weights

S = ScoringSettings()


def two_sources(results_a, results_b=(), aspects=("features",)):
    claims = [
        {"key": "ca", "source_key": "a", "method": "sae", "aspects": list(aspects)},
        {"key": "cb", "source_key": "b", "method": "sae", "aspects": list(aspects)},
    ]
    results = [{"key": f"ra{i}", "claim_key": "ca", **r} for i, r in enumerate(results_a)]
    results += [{"key": f"rb{i}", "claim_key": "cb", **r} for i, r in enumerate(results_b)]
    return build_evidence([{"key": "a"}, {"key": "b"}], claims, results)


def cells(evidence, aspect="features"):
    return {c.band_key: c for c in assess(evidence).scale_table if c.aspect_key == aspect}


def test_range_result_spreads_over_bands_by_log_length():
    ev = two_sources([{"params_basis": "undisclosed", "params_low": 5e9, "params_high": 5e10}])
    data = scale_data(ev, claim_weights(ev, S), S)
    frac = dict(zip(data.segments["band"], data.segments["frac"], strict=True))
    assert frac[1] == pytest.approx(1 - math.log10(5)) and frac[2] == pytest.approx(math.log10(5))
    got = cells(ev)
    assert got["small"].weight == pytest.approx(1 - math.log10(5), abs=1e-5)
    assert got["mid"].weight == pytest.approx(math.log10(5), abs=1e-5)


def test_estimated_size_uses_its_range_and_disclosed_its_point():
    ev = two_sources(
        [
            {"params_basis": "estimated", "params": 2e11, "params_low": 5e10, "params_high": 5e11},
            {"params_basis": "disclosed", "params": 2e11, "params_low": 2e11, "params_high": 2e11},
        ]
    )
    got = cells(ev)
    assert got["mid"].n_results == 1 and got["large"].n_results == 2


def test_one_source_shares_one_weight_within_a_band():
    ev = two_sources(
        [{"params": 2e9}, {"params": 3e9, "outcome": "failure"}, {"params": 4e9}],
        [{"params": 5e9, "outcome": "failure"}],
    )
    small = cells(ev)["small"]
    assert small.weight == pytest.approx(2.0, abs=1e-5)  # source a counts once (3 results x 1/3), b once
    assert small.alpha == pytest.approx(1 + 2 / 3, abs=1e-5) and small.beta == pytest.approx(1 + 1 / 3 + 1, abs=1e-5)


def test_unsized_results_count_but_stay_out_of_the_fit():
    ev = two_sources([{"params": 2e9}, {"params_basis": "undisclosed"}], [{"params": 3e9}])
    row = assess(ev).aspects[0]
    assert row.counts.results_in_fit == 2 and row.counts.results_without_size == 1


def test_beta_posterior_of_one_success():
    a, b, mean, low, high = posterior(1.0, 1.0, S)
    assert (a, b, mean) == (2.0, 1.0, pytest.approx(2 / 3))
    assert low == pytest.approx(math.sqrt(0.05)) and high == pytest.approx(math.sqrt(0.95))  # CDF x^2


def test_partial_counts_half_a_success():
    assert posterior(1.0, 0.5, S)[:2] == (1.5, 1.5)


@pytest.mark.parametrize(
    ("mean", "n", "weight", "status"),
    [
        (0.7, 3, 2.0, "tractable"),
        (0.65, 1, 1.0, "tractable"),
        (0.5, 1, 1.0, "partial"),
        (0.2, 4, 3.0, "fragmentary"),
        (0.5, 0, 0.0, "no_evidence"),
        (0.42, 1, 0.4, "fragmentary"),  # one light failure: the prior holds the mean near 0.5, not "partial"
        (0.58, 1, 0.4, "fragmentary"),  # one light success: too little to call it working
        (0.58, 1, 0.5, "partial"),
    ],
)
def test_status_thresholds(mean, n, weight, status):
    assert status_of(mean, n, weight, S) == status


def test_band_ceiling_is_largest_band_with_evidence_and_mean_at_least_half():
    ev = two_sources(
        [{"params": 1e8}, {"params": 3e10, "outcome": "partial"}], [{"params": 3e11, "outcome": "failure"}]
    )
    assert assess(ev).aspects[0].band_ceiling == "mid"


def test_symmetric_success_and_failure_cross_at_the_midpoint():
    ev = two_sources([{"params": 1e9}], [{"params": 1e11, "outcome": "failure"}])
    ceiling = assess(ev).aspects[0].ceiling
    assert ceiling.state == "estimated"
    assert ceiling.crossing_log10_params == pytest.approx(10.0, abs=1e-6)
    p = expit(1.5)
    info = 1.5**2 * 2 * p * (1 - p) + 1 / 9
    assert ceiling.crossing_sd_decades == pytest.approx(1 / math.sqrt(info), rel=1e-4)
    z = 1.6448536
    assert math.log10(ceiling.params_high) == pytest.approx(10 + z / math.sqrt(info), abs=1e-4)


def test_score_equation_solution_by_hand():
    x, w, wy = np.array([9.0, 10.0, 11.0]), np.array([1.0, 2.0, 1.0]), np.array([1.0, 1.0, 0.0])
    c = solve_crossing(x, w, wy, S)
    residual = np.sum(wy - w * expit(1.5 * (c - x))) - (c - 10) / 9
    assert abs(residual) < 1e-9


def test_all_successes_mean_not_reached_up_to_largest_scale():
    ev = two_sources([{"params": 1e9}, {"params": 1e10}], [{"params": 7e10}])
    ceiling = assess(ev).aspects[0].ceiling
    assert ceiling.state == "not_reached" and ceiling.params is None
    assert ceiling.largest_observed_params == pytest.approx(7e10)
    assert ceiling.statement == "not reached up to 70B (largest observed scale)"


def test_one_source_is_too_thin_and_says_why():
    ev = two_sources([{"params": 1e9}, {"params": 1e12, "outcome": "failure"}])
    ceiling = assess(ev).aspects[0].ceiling
    assert ceiling.state == "insufficient" and ceiling.params is None and "1 source" in ceiling.statement


def test_range_sizes_widen_the_interval():
    point = two_sources([{"params": 1e9}], [{"params": 1e11, "outcome": "failure"}])
    ranged = two_sources(
        [{"params": 1e9}],
        [{"params_basis": "undisclosed", "params_low": 1e10, "params_high": 1e12, "outcome": "failure"}],
    )
    sd_point = assess(point).aspects[0].ceiling.crossing_sd_decades
    sd_range = assess(ranged).aspects[0].ceiling.crossing_sd_decades
    assert sd_range > sd_point


def test_fit_recovers_a_known_ceiling():
    rng = np.random.default_rng(3)
    sources, claims, results = [], [], []
    for i in range(60):
        sources.append({"key": f"s{i}"})
        claims.append({"key": f"c{i}", "source_key": f"s{i}", "method": "sae"})
        x = rng.uniform(8, 13)
        works = rng.random() < expit(1.5 * (10.5 - x))
        results.append(
            {"key": f"r{i}", "claim_key": f"c{i}", "params": 10**x, "outcome": "success" if works else "failure"}
        )
    ceiling = assess(build_evidence(sources, claims, results)).aspects[0].ceiling
    assert ceiling.crossing_log10_params == pytest.approx(10.5, abs=0.5)
    assert ceiling.params_low < 10**10.5 < ceiling.params_high


@pytest.mark.parametrize(("log10", "text"), [(9.0, "1B"), (10.439, "27B"), (8.5, "316M"), (12.3, "2T")])
def test_format_params(log10, text):
    assert format_params(log10) == text


def test_bands_are_data_one_open_band_holds_everything():
    bands = [{"key": "all", "name": "All sizes", "min_params": None, "max_params": None, "sort_order": 1}]
    claims = [{"key": "c", "source_key": "s", "method": "sae"}]
    ev = build_evidence([{"key": "s"}], claims, [{"key": "r", "claim_key": "c", "params": 1e13}], bands=bands)
    cell = assess(ev).scale_table[0]
    assert (cell.band_key, cell.n_results, cell.status) == ("all", 1, "tractable")
