"""Build Evidence from plain lists of dicts with sensible defaults: for tests, examples and loaders."""

from __future__ import annotations

from typing import Any

from app.scoring.inputs import Evidence

SEED_BANDS = [
    {"key": "toy", "name": "Toy (<1B)", "min_params": None, "max_params": 1e9, "sort_order": 1},
    {"key": "small", "name": "Small (1B-10B)", "min_params": 1e9, "max_params": 1e10, "sort_order": 2},
    {"key": "mid", "name": "Mid (10B-100B)", "min_params": 1e10, "max_params": 1e11, "sort_order": 3},
    {"key": "large", "name": "Large (100B-1T)", "min_params": 1e11, "max_params": 1e12, "sort_order": 4},
    {"key": "frontier", "name": "Frontier (1T+)", "min_params": 1e12, "max_params": None, "sort_order": 5},
]
SEED_ASPECTS = [
    {"key": "features", "name": "Features", "sort_order": 1},
    {"key": "circuits", "name": "Circuits", "sort_order": 2},
    {"key": "evaluation", "name": "Evaluation", "sort_order": 3},
    {"key": "safety", "name": "Safety impact", "sort_order": 4},
]
SEED_METHODS = [
    {"key": "sae", "name": "Sparse autoencoder", "family": "mechanistic"},
    {"key": "circuits", "name": "Circuit analysis", "family": "mechanistic"},
    {"key": "steering", "name": "Feature steering", "family": "mechanistic"},
    {"key": "linear_probe", "name": "Linear probe", "family": "baseline"},
    {"key": "representation_engineering", "name": "Representation engineering", "family": "baseline"},
]

DEFAULTS: dict[str, dict[str, Any]] = {
    "sources": {"kind": "paper", "peer_reviewed": True},
    "claims": {"kind": "finding", "stance": "supports", "status": "reviewed", "confidence": 1.0},
    "results": {
        "params_basis": "disclosed",
        "outcome": "success",
        "safety_impact": "not_applicable",
        "baseline_safety_impact": "not_applicable",
        "evaluation_standard": None,
        "sample_size": None,
    },
    "critiques": {"kind": "methodological", "severity": 0.5, "status": "open"},
}


def build_evidence(
    sources: list[dict] | None = None,
    claims: list[dict] | None = None,
    results: list[dict] | None = None,
    critiques: list[dict] | None = None,
    *,
    aspects: list[dict] | None = None,
    bands: list[dict] | None = None,
    methods: list[dict] | None = None,
    grade_overrides: list[dict] | None = None,
) -> Evidence:
    """Evidence from dicts; a claim may list its 'aspects' (keys), and defaults fill the rest.

    Defaults: the seed's bands and aspects, a few methods, peer-reviewed papers, reviewed findings
    with confidence 1, disclosed sizes and successes. A result's params_low/high default to None.
    """
    claim_rows, links, questions = [], [], []
    for claim in claims or []:
        row = {**DEFAULTS["claims"], **{k: v for k, v in claim.items() if k not in ("aspects", "questions")}}
        claim_rows.append(row)
        links += [{"claim_key": claim["key"], "aspect_key": a} for a in claim.get("aspects", ["features"])]
        questions += [{"claim_key": claim["key"], "question_key": q} for q in claim.get("questions", [])]
    question_keys = sorted({q["question_key"] for q in questions})
    return Evidence.from_records(
        sources=[{**DEFAULTS["sources"], **s} for s in sources or []],
        claims=claim_rows,
        claim_aspects=links,
        claim_questions=questions,
        results=[{**DEFAULTS["results"], **r} for r in results or []],
        critiques=[{**DEFAULTS["critiques"], **c} for c in critiques or []],
        methods=SEED_METHODS if methods is None else methods,
        aspects=SEED_ASPECTS if aspects is None else aspects,
        bands=SEED_BANDS if bands is None else bands,
        questions=[{"key": q, "number": i + 1, "title": q} for i, q in enumerate(question_keys)],
        grade_overrides=grade_overrides or [],
    )
