"""Calibration study: synthetic literatures drawn from known true curves, scored by the engine.

Every synthetic result is a faithful draw from its curve, so every claim has full confidence: the study
checks the statistics, not the analysts' weights.

Each literature has a true ceiling (1e7..1e13), a true slope and lapse (not the engine's), sources that
cluster (each shifts the true ceiling by its own offset and studies models in its own window), partial
outcomes, and missing sizes (unsized results, analyst ranges, open-ended lower bounds). The engine sees only
the evidence. The study reports how often the 90% interval covers the truth, the bias and error of the
median in decades, and what the engine says when the truth lies outside the sized evidence (it should give
a bound or "not established", not a number). `ceiling calibrate` prints the table; docs/scoring.md has it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import expit

from app.scoring.assessment import assess
from app.scoring.records import build_evidence
from app.scoring.settings import ScoringSettings

ASPECT = "features"


@dataclass(frozen=True)
class Literature:
    """One synthetic literature and its truth."""

    evidence: object
    true_log10: float


def simulate(rng: np.random.Generator) -> Literature:
    """One literature from a known curve, with clustering, partial outcomes and missing sizes."""
    truth = float(rng.uniform(7.0, 13.0))
    slope = float(rng.uniform(0.7, 3.0))
    lapse = float(rng.uniform(0.0, 0.1))
    sources, claims, results = [], [], []
    for s in range(int(rng.integers(3, 13))):
        offset = float(rng.normal(0.0, 0.3))
        centre = float(rng.uniform(6.0, 13.5))
        key = f"s{s}"
        sources.append({"key": key, "kind": str(rng.choice(["paper", "preprint", "benchmark"]))})
        claims.append({"key": f"c{s}", "source_key": key, "method": "sae", "confidence": 1.0})
        for r in range(int(rng.integers(1, 6))):
            x = float(rng.normal(centre, 0.7))
            p = lapse + (1 - 2 * lapse) * float(expit(slope * (truth + offset - x)))
            outcome = "success" if rng.random() < p else "failure"
            if abs(p - 0.5) < 0.25 and rng.random() < 0.2:
                outcome = "partial"
            results.append({"key": f"r{s}-{r}", "claim_key": f"c{s}", "outcome": outcome, **_size(rng, x)})
    return Literature(build_evidence(sources, claims, results), truth)


def _size(rng: np.random.Generator, x: float) -> dict:
    """How the literature reports a size: disclosed (65%), unsized (15%), an analyst range (15%), a bound (5%)."""
    u = rng.random()
    if u < 0.65:
        return {"params_basis": "disclosed", "params": 10**x}
    if u < 0.80:
        return {"params_basis": "undisclosed"}
    if u < 0.95:
        centre = x + float(rng.uniform(-0.3, 0.3))
        half = float(rng.uniform(0.2, 0.7))
        return {
            "params_basis": "undisclosed",
            "params_low": 10 ** (centre - half),
            "params_high": 10 ** (centre + half),
            "params_estimate_kind": "external_estimate",
        }
    return {
        "params_basis": "undisclosed",
        "params_low": 10 ** (x - float(rng.uniform(0.0, 0.5))),
        "params_estimate_kind": "frontier_class",
    }


def score_one(literature: Literature, settings: ScoringSettings) -> dict:
    """What the engine said about one literature, beside the truth."""
    row = next(r for r in assess(literature.evidence, settings).aspects if r.aspect_key == ASPECT)
    c = row.ceiling
    truth = literature.true_log10
    lo = None if c.smallest_observed_params is None else float(np.log10(c.smallest_observed_params))
    hi = None if c.largest_observed_params is None else float(np.log10(c.largest_observed_params))
    inside = lo is not None and lo <= truth <= hi
    record = {"true_log10": truth, "state": c.state, "truth_inside_data": inside, "covered": None, "error": None}
    if c.crossing_log10_params is not None:
        record["error"] = c.crossing_log10_params - truth
        record["covered"] = c.crossing_low_log10 <= truth <= c.crossing_high_log10
    record["statement_true"] = {
        "estimated": record["covered"],
        "not_reached": hi is not None and truth > hi,
        "below_range": lo is not None and truth < lo,
        "not_established": lo is not None and truth < lo,
    }.get(c.state)
    return record


def study_settings(**overrides) -> ScoringSettings:
    """The default settings (or overrides), without the gaps and source probes that do not touch the ceiling."""
    return ScoringSettings(top_gaps=0, top_influential_sources=0, **overrides)


def run_study(n_literatures: int, seed: int = 11, progress=None, **overrides) -> pd.DataFrame:
    """Score n synthetic literatures; one row each (deterministic for a seed)."""
    rng = np.random.default_rng(seed)
    settings = study_settings(**overrides)
    rows = []
    for i in range(n_literatures):
        rows.append(score_one(simulate(rng), settings))
        if progress is not None:
            progress(i + 1)
    return pd.DataFrame(rows)


def summary_table(study: pd.DataFrame) -> pd.DataFrame:
    """The published table: by where the truth lies, coverage, bias, error and what the engine said."""

    def summarise(group: pd.DataFrame) -> dict:
        estimated = group[group["state"] == "estimated"]
        located = group[group["error"].notna()]
        bounds = group["state"].isin(["not_reached", "below_range", "not_established"])
        judged = group[group["statement_true"].notna()]
        return {
            "literatures": len(group),
            "estimated": len(estimated),
            "coverage_90": _share(estimated["covered"]),
            "coverage_90_all_fits": _share(located["covered"]),
            "bias_decades": _round(located["error"].median()),
            "mean_abs_error_decades": _round(located["error"].abs().mean()),
            "bound_or_not_established": _round(bounds.mean()),
            "insufficient": _round((group["state"] == "insufficient").mean()),
            "statement_true": _share(judged["statement_true"]),
        }

    parts = {
        "all": study,
        "truth inside the sized evidence": study[study["truth_inside_data"]],
        "truth outside the sized evidence": study[~study["truth_inside_data"]],
        "true ceiling 1e7-1e9": study[study["true_log10"] < 9],
        "true ceiling 1e9-1e11": study[(study["true_log10"] >= 9) & (study["true_log10"] < 11)],
        "true ceiling 1e11-1e13": study[study["true_log10"] >= 11],
    }
    return pd.DataFrame({name: summarise(group) for name, group in parts.items() if len(group)}).T


def _share(values: pd.Series) -> float | None:
    values = values.dropna()
    return None if values.empty else round(float(values.astype(bool).mean()), 3)


def _round(value) -> float | None:
    return None if value is None or pd.isna(value) else round(float(value), 3)


def markdown_table(table: pd.DataFrame) -> str:
    """The summary as a Markdown table (blank where a figure is undefined)."""
    header = ["", *table.columns]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for name, row in table.iterrows():
        cells = ["" if pd.isna(v) else (f"{v:g}" if isinstance(v, float) else str(v)) for v in row]
        lines.append("| " + " | ".join([str(name), *cells]) + " |")
    return "\n".join(lines) + "\n"
