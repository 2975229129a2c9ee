"""Benchmark of assess on synthetic evidence: 1k in every run; 100k and 1M are marked slow, which
the default options deselect (`make bench` runs them with timing enabled).
"""

from __future__ import annotations

import pytest

from app.scoring import assess
from tests.support.synthetic import synthetic_evidence


def run(benchmark, n_results: int, rounds: int) -> None:
    evidence = synthetic_evidence(n_results, seed=7)
    assessment = benchmark.pedantic(assess, args=(evidence,), rounds=rounds, iterations=1, warmup_rounds=0)
    fitted = [row for row in assessment.aspects if row.role != "impact"]  # safety is counted: no status by band
    assert len(assessment.aspects) == 4 and len(assessment.scale_table) == 5 * len(fitted) == 15
    assert sum(row.counts.results_in_fit for row in assessment.aspects) > 0


def test_assess_1k_results(benchmark):
    run(benchmark, 1_000, rounds=5)


@pytest.mark.slow
@pytest.mark.parametrize("n_results", [100_000, 1_000_000], ids=["100k", "1M"])
def test_assess_large(benchmark, n_results):
    run(benchmark, n_results, rounds=3)
