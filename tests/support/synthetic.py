"""Synthetic evidence of any size, reproducible from a seed: for benchmarks and property tests."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import expit

from app.scoring.inputs import Evidence
from app.scoring.records import SEED_ASPECTS, SEED_BANDS, SEED_METHODS

TRUE_CEILING_LOG10 = {"features": 10.5, "circuits": 11.0, "evaluation": 10.0, "safety": 9.5}
SOURCE_KINDS = ["paper", "preprint", "blog", "model_card", "benchmark", "survey", "statement", "talk", "dataset"]


def _keys(prefix: str, n: int) -> np.ndarray:
    return np.array([f"{prefix}{i:07d}" for i in range(n)], dtype=object)


def _pick(rng: np.random.Generator, values: list, n: int, p: list[float] | None = None) -> np.ndarray:
    return np.array(values, dtype=object)[rng.choice(len(values), size=n, p=p)]


def synthetic_evidence(n_results: int, seed: int = 0) -> Evidence:
    """Evidence with n_results results whose success falls with scale around a known ceiling per aspect."""
    rng = np.random.default_rng(seed)
    n_sources, n_claims = max(5, n_results // 100), max(10, n_results // 5)
    aspect_keys = [a["key"] for a in SEED_ASPECTS]
    method_keys = [m["key"] for m in SEED_METHODS]
    sources = pd.DataFrame(
        {
            "key": _keys("src-", n_sources),
            "kind": _pick(rng, SOURCE_KINDS, n_sources, [0.3, 0.3, 0.1, 0.1, 0.05, 0.05, 0.04, 0.03, 0.03]),
            "peer_reviewed": rng.random(n_sources) < 0.4,
            "year": rng.integers(2019, 2027, n_sources),
            "published_date": None,
            "title": _keys("Synthetic source ", n_sources),
            "organization": _pick(rng, ["lab-a", "lab-b", "university", None], n_sources),
        }
    )
    claim_source = rng.integers(0, n_sources, n_claims)
    claim_kind = _pick(rng, ["finding", "critique", "position", "proposal"], n_claims, [0.8, 0.05, 0.05, 0.1])
    claims = pd.DataFrame(
        {
            "key": _keys("clm-", n_claims),
            "source_key": sources["key"].to_numpy()[claim_source],
            "text": _keys("Synthetic claim ", n_claims),
            "kind": claim_kind,
            "stance": _pick(rng, ["supports", "undermines", "mixed", "neutral"], n_claims, [0.5, 0.3, 0.1, 0.1]),
            "status": _pick(rng, ["reviewed", "draft", "retracted"], n_claims, [0.85, 0.12, 0.03]),
            "confidence": rng.uniform(0.3, 1.0, n_claims).round(2),
            "method": _pick(rng, method_keys, n_claims, [0.35, 0.25, 0.2, 0.1, 0.1]),
        }
    )
    first_aspect = rng.integers(0, len(aspect_keys), n_claims)
    second = rng.random(n_claims) < 0.3
    second_aspect = (first_aspect + 1 + rng.integers(0, len(aspect_keys) - 1, n_claims)) % len(aspect_keys)
    claim_aspects = pd.DataFrame(
        {
            "claim_key": np.concatenate([claims["key"].to_numpy(), claims["key"].to_numpy()[second]]),
            "aspect_key": np.array(aspect_keys, dtype=object)[np.concatenate([first_aspect, second_aspect[second]])],
        }
    )
    findings = np.flatnonzero(claim_kind == "finding")
    result_claim = findings[rng.integers(0, len(findings), n_results)]
    x = rng.uniform(7.0, 13.0, n_results)
    ceilings = np.array([TRUE_CEILING_LOG10[a] for a in aspect_keys])[first_aspect[result_claim]]
    p = expit(1.5 * (ceilings - x))
    u = rng.random(n_results)
    outcome = np.where(u < p - 0.1, "success", np.where(u < p + 0.1, "partial", "failure")).astype(object)
    basis = _pick(rng, ["disclosed", "estimated", "undisclosed"], n_results, [0.7, 0.2, 0.1])
    spread = rng.uniform(0.1, 1.0, n_results)
    params = np.where(basis == "undisclosed", np.nan, 10**x)
    no_range = (basis == "disclosed") | ((basis == "undisclosed") & (rng.random(n_results) < 0.2))
    low = np.where(no_range, np.nan, 10 ** (x - spread))
    high = np.where(no_range, np.nan, 10 ** (x + spread))
    open_ended = (basis == "undisclosed") & ~no_range & (rng.random(n_results) < 0.3)
    high = np.where(open_ended, np.nan, high)
    estimate_kind = np.where((basis == "undisclosed") & ~no_range, "external_estimate", None)
    estimate_kind = np.where(open_ended, "frontier_class", estimate_kind).astype(object)
    compared = rng.random(n_results) < 0.2
    metric = np.where(compared, rng.uniform(0.5, 1.0, n_results).round(3), np.nan)
    baseline = np.where(compared, rng.uniform(0.5, 1.0, n_results).round(3), np.nan)
    impacts = ["none", "monitoring_aid", "measured_improvement", "negative", "not_applicable"]
    results = pd.DataFrame(
        {
            "key": _keys("res-", n_results),
            "claim_key": claims["key"].to_numpy()[result_claim],
            "model_name": _pick(rng, ["model-a", "model-b", "model-c"], n_results),
            "params_basis": basis,
            "params": params,
            "params_low": low,
            "params_high": high,
            "params_estimate_kind": estimate_kind,
            "method": np.where(rng.random(n_results) < 0.8, None, _pick(rng, method_keys, n_results)),
            "task": _pick(rng, ["probing", "steering", "tracing"], n_results),
            "metric_name": np.where(compared, "accuracy", None),
            "metric_value": metric,
            "baseline_name": np.where(compared, "linear_probe", None),
            "baseline_value": baseline,
            "baseline_method": np.where(compared, "linear_probe", None),
            "winner": np.where(compared, np.where(metric >= baseline, "method", "baseline"), None),
            "higher_is_better": np.where(compared, True, None),
            "outcome": outcome,
            "reach_outcome": np.where(rng.random(n_results) < 0.05, "failure", "success").astype(object),
            "safety_impact": _pick(rng, impacts, n_results, [0.1, 0.05, 0.02, 0.03, 0.8]),
            "baseline_safety_impact": np.where(compared, "monitoring_aid", "not_applicable").astype(object),
            # derived, drawing nothing, so every other column stays what the same seed gave before
            "evaluation_standard": np.where(compared, "simple_baseline", "internal_metric").astype(object),
            "sample_size": np.where(compared, 1.0, np.nan),
        }
    )
    n_critiques = max(1, n_claims // 10)
    critiques = pd.DataFrame(
        {
            "key": _keys("crt-", n_critiques),
            "target_claim_key": claims["key"].to_numpy()[rng.integers(0, n_claims, n_critiques)],
            "critic_source_key": sources["key"].to_numpy()[rng.integers(0, n_sources, n_critiques)],
            "critic_claim_key": None,
            "kind": _pick(
                rng,
                ["methodological", "replication_failure", "scope_limitation", "confound", "rebuttal", "support"],
                n_critiques,
            ),
            "text": _keys("Synthetic critique ", n_critiques),
            "severity": rng.uniform(0, 1, n_critiques).round(2),
            "status": _pick(rng, ["open", "accepted", "rejected"], n_critiques),
        }
    )
    return Evidence(
        sources=sources,
        claims=claims,
        claim_aspects=claim_aspects,
        claim_questions=pd.DataFrame({"claim_key": [], "question_key": []}),
        results=results,
        critiques=critiques,
        methods=pd.DataFrame(SEED_METHODS),
        aspects=pd.DataFrame(SEED_ASPECTS),
        bands=pd.DataFrame(SEED_BANDS),
        questions=pd.DataFrame({"key": [], "number": [], "title": []}),
        grade_overrides=pd.DataFrame({"aspect_key": [], "grade": [], "reason": []}),
    )
