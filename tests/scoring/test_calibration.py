"""The calibration study at a small size: deterministic, and its figures within the documented ranges.

The full table (docs/scoring.md) comes from `ceiling calibrate` at 400 literatures; here 40 keep the suite
fast, so the bounds allow for the sampling error of 40 (a binomial 90% coverage has a standard error of ~5%).
"""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from app.scoring.calibration import markdown_table, run_study, simulate, summary_table


@pytest.fixture(scope="module")
def study():
    return run_study(50, seed=5)


def test_the_study_is_deterministic(study):
    assert study.head(8).equals(run_study(8, seed=5))


def test_its_intervals_cover_the_truth_about_as_often_as_they_say(study):
    overall = summary_table(study).loc["all"]
    assert overall["literatures"] == 50
    assert 0.75 <= overall["coverage_90_all_fits"] <= 1.0
    assert abs(overall["bias_decades"]) < 0.5
    assert overall["statement_true"] >= 0.8


def test_outside_the_sized_evidence_the_engine_gives_a_bound_not_a_number(study):
    outside = study[~study["truth_inside_data"] & study["state"].ne("insufficient")]
    assert len(outside) >= 2
    assert (outside["state"] != "estimated").mean() >= 0.5


def test_synthetic_literatures_have_clusters_missing_sizes_and_a_truth_in_range():
    import numpy as np

    literature = simulate(np.random.default_rng(3))
    results = literature.evidence.results
    assert 7.0 <= literature.true_log10 <= 13.0
    assert results["params_basis"].eq("undisclosed").any() or len(results) < 8
    assert literature.evidence.sources["key"].nunique() >= 3


def test_calibrate_command_prints_the_table():
    from app.cli import cli

    result = CliRunner().invoke(cli, ["calibrate", "--literatures", "3", "--seed", "2"])
    assert result.exit_code == 0, result.output
    assert "| all | 3 |" in result.output and "coverage_90" in result.output
    assert CliRunner().invoke(cli, ["calibrate", "-n", "2", "--format", "xml"]).exit_code == 2
    assert markdown_table(summary_table(run_study(2, seed=2))).startswith("|  | literatures |")
