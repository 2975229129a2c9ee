"""Benchmarks of the review workflow's computations (slow: `make bench` runs them with timing on).

Figures measured are in docs/review.md."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from app.evidence.agreement import cohen_kappa, krippendorff_alpha
from app.evidence.publication import only_published
from tests.support.synthetic import synthetic_evidence

pytestmark = pytest.mark.slow


def test_reviewed_only_filter_of_the_engine_frames_at_1m_results(benchmark):
    evidence = synthetic_evidence(1_000_000, seed=7)
    frames = {f.name: getattr(evidence, f.name) for f in dataclasses.fields(evidence)}
    kept = benchmark.pedantic(lambda: only_published(frames), rounds=3, iterations=1)
    assert set(kept["claims"]["status"]) <= {"reviewed", "retracted"}
    assert 0 < len(kept["results"]) < len(frames["results"])


def test_kappa_and_alpha_of_10k_items(benchmark):
    rng = np.random.default_rng(3)
    first = rng.choice(["success", "partial", "failure"], 10_000).tolist()
    second = [v if rng.random() < 0.8 else "failure" for v in first]
    kappa, alpha = benchmark.pedantic(
        lambda: (cohen_kappa(first, second), krippendorff_alpha(first, second, "nominal")), rounds=5, iterations=1
    )
    assert 0.5 < kappa < 0.9 and 0.5 < alpha < 0.9
