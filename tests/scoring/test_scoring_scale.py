"""Placing results on the scale axis, the band posteriors and the ceiling fit, on hand-computed cases."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.special import expit

from app.scoring import ScoringSettings, assess
from app.scoring.bands import posterior, status_of
from app.scoring.ceiling import format_params
from app.scoring.posterior import posterior_summary
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
    ("low", "n", "weight", "status"),
    [
        (0.55, 5, 4.0, "tractable"),  # even the interval's lower end says it works more often than not
        (0.22, 1, 1.0, "partial"),  # one full success: Beta(2, 1), lower end sqrt(0.05)
        (0.135, 2, 2.0, "partial"),  # one success and one failure: Beta(2, 2)
        (0.05, 4, 3.0, "fragmentary"),  # near-certain failure is not ruled out
        (0.5, 0, 0.0, "no_evidence"),
        (0.3, 1, 0.4, "too_little_evidence"),  # light: too little to say, whatever its interval
        (0.01, 1, 0.4, "too_little_evidence"),  # light, even when its interval reaches down to failure
    ],
)
def test_status_follows_the_interval_not_the_mean(low, n, weight, status):
    assert status_of(low, n, weight, S) == status


def test_one_success_is_partial_not_tractable_because_its_interval_is_wide():
    cell = cells(two_sources([{"params": 2e9}]))["small"]
    assert cell.mean == pytest.approx(2 / 3) and cell.low == pytest.approx(math.sqrt(0.05), abs=1e-5)
    assert cell.status == "partial"


def test_band_ceiling_never_skips_a_failing_band():
    works = {"params": 3e10, "outcome": "success"}
    ev = two_sources(
        [{"params": 1e8, "outcome": "failure"}, {"params": 2e8, "outcome": "failure"}, works],
        [{"params": 1.5e8, "outcome": "failure"}, works],
    )
    row = assess(ev).aspects[0]
    assert {b: c.status for b, c in cells(ev).items()}["toy"] == "fragmentary"
    assert row.band_ceiling is None  # mid works, but toy fails below it


def test_band_ceiling_runs_from_the_first_band_with_evidence():
    ev = two_sources([{"params": 3e9}, {"params": 3e10}], [{"params": 5e9}, {"params": 4e10}])
    assert assess(ev).aspects[0].band_ceiling == "mid"


def grid_median(x, w, wy, quantile=0.5):
    """An independent computation of the posterior quantile: adaptive quadrature, no grid."""
    from scipy.integrate import quad
    from scipy.optimize import brentq

    def density(c):
        p = S.lapse_rate + (1 - 2 * S.lapse_rate) * expit(S.logistic_slope_per_decade * (c - np.asarray(x)))
        log = np.sum(np.asarray(wy) * np.log(p) + (np.asarray(w) - np.asarray(wy)) * np.log1p(-p))
        return math.exp(log - 0.5 * ((c - S.ceiling_prior_mean_log10) / S.ceiling_prior_sd_decades) ** 2)

    lo, hi = S.ceiling_grid_min_log10, S.ceiling_grid_max_log10
    total = quad(density, lo, hi, points=[8, 10, 12], limit=200)[0]
    return brentq(lambda c: quad(density, lo, c, limit=200)[0] / total - quantile, lo + 1e-6, hi - 1e-6)


def test_symmetric_success_and_failure_cross_at_the_midpoint_but_two_results_show_no_fall():
    ev = two_sources([{"params": 1e9}], [{"params": 1e11, "outcome": "failure"}])
    ceiling = assess(ev).aspects[0].ceiling
    assert ceiling.crossing_log10_params == pytest.approx(10.0, abs=0.02)
    assert ceiling.crossing_log10_params == pytest.approx(grid_median([9, 11], [1, 1], [1, 0]), abs=0.02)
    assert ceiling.state == "no_scale_dependence" and ceiling.p_fall < S.min_p_fall and ceiling.params is None


def many_sources(outcomes_by_log10):
    """One source per result: (log10 params, outcome) pairs."""
    claims = [{"key": f"c{i}", "source_key": f"s{i}", "method": "sae"} for i in range(len(outcomes_by_log10))]
    results = [
        {"key": f"r{i}", "claim_key": f"c{i}", "params": 10.0**x, "outcome": o, "model_name": f"model-{i}"}
        for i, (x, o) in enumerate(outcomes_by_log10)
    ]
    return build_evidence([{"key": f"s{i}"} for i in range(len(claims))], claims, results)


def test_successes_below_and_failures_above_show_a_fall_and_locate_it_between_them():
    ev = many_sources([(x, "success") for x in (8, 8.3, 8.6, 9)] + [(x, "failure") for x in (10.5, 10.8, 11, 11.5)])
    ceiling = assess(ev).aspects[0].ceiling
    assert ceiling.p_fall >= S.min_p_fall
    assert ceiling.state == "estimated" and 9 < ceiling.crossing_log10_params < 10.5
    assert ceiling.statement.startswith("about ")


def test_toy_successes_do_not_turn_a_bound_into_a_number_in_the_untested_gap():
    """Successes on 100-400 parameter networks and failures from 2B up: the crossing's median lies in the
    untested gap, more than two decades from any scale tested below it, so the row gives the bound."""
    toys = [(x, "success") for x in (2, 2.3, 2.6)]
    failures = [(x, "failure") for x in (9.3, 9.6, 10, 10.8)]
    ceiling = assess(many_sources(toys + failures)).aspects[0].ceiling
    assert ceiling.state == "below_range"
    assert ceiling.bound_params == pytest.approx(10**9.3, rel=1e-5)
    assert ceiling.informative_low_params == pytest.approx(10**9.3, rel=1e-5)
    assert ceiling.statement == "below the smallest informative model tested (model-3, 2B)"


def test_an_informative_end_inside_a_range_names_the_model_with_its_recorded_range():
    """The informative end falls on a quadrature point of an analyst's range: the statement names that model
    with the range as recorded, never the point."""
    toys = [(x, "success") for x in (2, 2.3, 2.6)]
    failures = [(x, "failure") for x in (9.6, 10, 10.8)]
    ev = many_sources(toys + failures)
    ranged = {"params": None, "params_low": 2e9, "params_high": 8e9, "params_basis": "estimated"}
    ev.results.loc[ev.results["key"] == "r3", list(ranged)] = list(ranged.values())
    ceiling = assess(ev).aspects[0].ceiling
    assert ceiling.state == "below_range"
    assert 2e9 < ceiling.informative_low_params < 8e9  # a quadrature point of the range
    assert ceiling.statement == (
        "below the smallest informative model tested (model-3, 2B to 8B by analyst estimate)"
        " (sizes include analyst estimates)"
    )


def test_posterior_quantiles_match_an_independent_integration():
    x, w, wy = np.array([9.0, 10.0, 11.0]), np.array([1.0, 2.0, 1.0]), np.array([1.0, 1.0, 0.0])
    summary = posterior_summary(x, w, wy, S)
    assert summary.median == pytest.approx(grid_median(x, w, wy), abs=0.02)
    assert summary.low == pytest.approx(grid_median(x, w, wy, 0.05), abs=0.03)
    assert summary.high == pytest.approx(grid_median(x, w, wy, 0.95), abs=0.03)


def test_all_successes_show_no_dependence_on_scale_with_the_flat_rate():
    ev = two_sources([{"params": 1e9}, {"params": 1e10}], [{"params": 7e10}])
    ceiling = assess(ev).aspects[0].ceiling
    assert ceiling.state == "no_scale_dependence" and ceiling.params is None and ceiling.bound_params is None
    assert ceiling.largest_observed_params == pytest.approx(7e10)
    assert ceiling.largest_model == "unnamed model, 70B" and ceiling.smallest_model == "unnamed model, 1B"
    # three full-weight successes (in three cells): Beta(4, 1), whose quantiles are q ** (1 / 4)
    assert ceiling.rate == pytest.approx(0.8) and ceiling.rate_low == pytest.approx(0.05**0.25, abs=1e-5)
    assert ceiling.rate_high == pytest.approx(0.95**0.25, abs=1e-5)
    assert ceiling.statement == (
        "no dependence on scale shown: validated in 80% (90% interval 47%-99%) of results at every scale tested,"
        " from unnamed model, 1B to unnamed model, 70B"
    )


def test_all_failures_mean_not_established_at_any_scale():
    ev = two_sources([{"params": 1e9, "outcome": "failure"}], [{"params": 7e10, "outcome": "failure"}])
    ceiling = assess(ev).aspects[0].ceiling
    assert ceiling.state == "not_established" and ceiling.params is None
    assert ceiling.statement.startswith("not established at any scale")
    assert assess(ev).aspects[0].band_ceiling is None


def test_failures_everywhere_but_one_partial_show_no_fall():
    ev = two_sources(
        [{"params": 1e9, "outcome": "failure"}, {"params": 3e9, "outcome": "partial"}],
        [{"params": 2e9, "outcome": "failure"}, {"params": 7e10, "outcome": "failure"}],
    )
    ceiling = assess(ev).aspects[0].ceiling
    assert ceiling.state == "no_scale_dependence" and ceiling.statement.startswith("no dependence on scale shown")


def test_one_source_is_too_thin_and_says_why():
    ev = two_sources([{"params": 1e9}, {"params": 1e12, "outcome": "failure"}])
    ceiling = assess(ev).aspects[0].ceiling
    assert ceiling.state == "insufficient" and ceiling.params is None and "1 source" in ceiling.statement


def test_a_failure_known_only_within_a_range_moves_the_ceiling_less_than_at_its_low_end():
    def crossing(failure):
        ev = two_sources([{"params": 1e9}, {"params": 3e9}], [failure])
        return assess(ev).aspects[0].ceiling.crossing_log10_params

    at_low = crossing({"params": 1e10, "outcome": "failure"})
    ranged = crossing(
        {
            "params_basis": "undisclosed",
            "params_low": 1e10,
            "params_high": 1e12,
            "outcome": "failure",
            "params_estimate_kind": "external_estimate",
        }
    )
    at_high = crossing({"params": 1e12, "outcome": "failure"})
    assert at_low < ranged < at_high


def test_an_open_ended_size_is_censored_success_at_the_bound_failure_left_out():
    def row(extra):
        base = {"params_basis": "undisclosed", "params_low": 1e11, "params_estimate_kind": "frontier_class"}
        ev = two_sources([{"params": 1e9}, {"params": 1e10, "outcome": "failure"}], [{**base, **extra}])
        return assess(ev).aspects[0]

    success, failure = row({"outcome": "success"}), row({"outcome": "failure"})
    assert success.ceiling.largest_observed_params == pytest.approx(1e11)  # counted at its bound
    assert success.ceiling.estimated_sizes and "analyst estimates" in success.ceiling.statement
    assert failure.counts.results_censored == 1 and failure.ceiling.largest_observed_params == pytest.approx(1e10)


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
    assert (cell.band_key, cell.n_results, cell.status) == ("all", 1, "partial")


def test_a_result_whose_validity_was_not_assessed_counts_for_reach_only():
    validated = [{"params": 1e9}, {"params": 1e10, "outcome": "failure"}]
    base = assess(two_sources(validated, [{"params": 3e9}])).aspects[0]
    reach_only = {"params": 1e12, "outcome": "not_assessed", "evaluation_standard": "internal_metric"}
    with_suite = assess(two_sources(validated, [{"params": 3e9}, reach_only])).aspects[0]
    said = {s.standard: s for s in with_suite.ceiling.standards}
    assert not said["internal_metric"].shows_validity and said["internal_metric"].weight == 0
    assert with_suite.ceiling.model_copy(update={"standards": []}) == base.ceiling.model_copy(update={"standards": []})
    assert with_suite.counts.results_in_fit == base.counts.results_in_fit
    assert with_suite.counts.results_censored == base.counts.results_censored == 0
    assert base.reach_ceiling.largest_observed_params == pytest.approx(1e10)
    assert with_suite.reach_ceiling.largest_observed_params == pytest.approx(1e12)


def test_a_reach_outcome_is_never_not_assessed():
    with pytest.raises(ValueError, match="reach_outcome"):
        two_sources([{"params": 1e9, "reach_outcome": "not_assessed"}])
