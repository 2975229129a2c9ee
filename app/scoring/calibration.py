"""Calibration study: synthetic literatures drawn from known worlds, scored by the engine.

Four kinds of world (docs/scoring.md, section 12):

- ceiling: P(works) falls with scale along a logistic curve with lapses (true ceiling 1e7..1e13, true slope
  and lapse not the engine's);
- step: P(works) drops at a true step from a high rate to a low one (the step is the true ceiling);
- flat: P(works) is the same p at every scale, p in 0.1..0.9: there is no ceiling to find;
- standard_shift: small-scale sources judge by an internal metric, large-scale sources against a simple
  baseline, each at its own flat rate (higher for the internal metric): no ceiling, only a change of standard.

Every world shares the literature's shape: 3 to 12 sources that study models in their own window, partial
outcomes near one half, and missing sizes (unsized results, analyst ranges, open-ended lower bounds). Every
synthetic result is a faithful draw, so every claim has full confidence: the study checks the statistics, not
the analysts' weights. The engine sees only the evidence.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import expit

from app.scoring.assessment import assess
from app.scoring.inputs import Evidence
from app.scoring.records import SEED_ASPECTS, build_evidence
from app.scoring.settings import ScoringSettings

ASPECT = "features"
STUDY_ASPECTS = [a for a in SEED_ASPECTS if a["key"] == ASPECT]  # the others would have no evidence: time only
KINDS = ("ceiling", "step", "flat", "standard_shift")
STATES = ("insufficient", "not_established", "no_scale_dependence", "below_range", "not_reached", "estimated")
STATES_A_CEILING = ("estimated", "below_range")
FLAT_RATES = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
FORMATS = ("table", "markdown", "csv", "json")


@dataclass(frozen=True)
class World:
    """A true curve: P(works) at log10 size x for a source offset by `offset` decades, and how it judges."""

    p_works: Callable[[float, float, str | None], float]
    true_log10: float | None = None  # the ceiling, where one exists
    flat_rate: float | None = None  # P(works) of a flat world
    standard_switch_log10: float | None = None  # sources centred above it judge against a simple baseline


def ceiling_world(rng: np.random.Generator) -> World:
    """A logistic fall with lapses around a true ceiling; each source shifts the ceiling by its offset."""
    truth, slope, lapse = float(rng.uniform(7.0, 13.0)), float(rng.uniform(0.7, 3.0)), float(rng.uniform(0.0, 0.1))
    return World(lambda x, offset, _: lapse + (1 - 2 * lapse) * float(expit(slope * (truth + offset - x))), truth)


def step_world(rng: np.random.Generator) -> World:
    """A step down from a high rate (0.7..0.95) to a low one (0.05..0.3) at the true ceiling."""
    truth, high, low = float(rng.uniform(7.0, 13.0)), float(rng.uniform(0.7, 0.95)), float(rng.uniform(0.05, 0.3))
    return World(lambda x, offset, _: high if x < truth + offset else low, truth)


def flat_world(rng: np.random.Generator) -> World:
    """The same P(works) at every scale."""
    rate = float(rng.choice(FLAT_RATES))
    return World(lambda x, offset, _: rate, flat_rate=rate)


def standard_shift_world(rng: np.random.Generator) -> World:
    """Internal metrics below a switch (rate 0.6..0.9), simple baselines above it (0.1..0.4), each flat."""
    internal, baseline = float(rng.choice(FLAT_RATES[5:])), float(rng.choice(FLAT_RATES[:4]))
    switch = float(rng.uniform(8.5, 11.0))
    rates = {"internal_metric": internal, "simple_baseline": baseline}
    return World(lambda x, offset, standard: rates[standard], standard_switch_log10=switch)


WORLDS = {"ceiling": ceiling_world, "step": step_world, "flat": flat_world, "standard_shift": standard_shift_world}


@dataclass(frozen=True)
class Literature:
    """One synthetic literature, its truth, and the true range of the results the engine can place."""

    kind: str
    evidence: Evidence
    true_log10: float | None
    flat_rate: float | None
    sized_range: tuple[float, float] | None
    results: tuple[dict, ...]


def simulate(rng: np.random.Generator, kind: str = "ceiling") -> Literature:
    """One literature of a kind of world, with clustering, partial outcomes and missing sizes.

    A shifted world's results carry `evaluation_standard`; Evidence.from_records keeps only the contract's
    columns, so the engine reads the standard exactly when its input contract has the column.
    """
    world = WORLDS[kind](rng)
    sources, claims, results, placed = [], [], [], []
    for s in range(int(rng.integers(3, 13))):
        offset = float(rng.normal(0.0, 0.3))
        centre = float(rng.uniform(6.0, 13.5))
        standard = None
        if world.standard_switch_log10 is not None:
            standard = "internal_metric" if centre < world.standard_switch_log10 else "simple_baseline"
        key = f"s{s}"
        sources.append({"key": key, "kind": str(rng.choice(["paper", "preprint", "benchmark"]))})
        claims.append({"key": f"c{s}", "source_key": key, "method": "sae", "confidence": 1.0})
        for r in range(int(rng.integers(1, 6))):
            x = float(rng.normal(centre, 0.7))
            p = world.p_works(x, offset, standard)
            outcome = "success" if rng.random() < p else "failure"
            if abs(p - 0.5) < 0.25 and rng.random() < 0.2:
                outcome = "partial"
            size = _size(rng, x)
            if "params" in size or "params_high" in size:
                placed.append(x)
            result = {"key": f"r{s}-{r}", "claim_key": f"c{s}", "outcome": outcome, **size}
            results.append(result if standard is None else {**result, "evaluation_standard": standard})
    sized_range = (min(placed), max(placed)) if placed else None
    evidence = build_evidence(sources, claims, results, aspects=STUDY_ASPECTS)
    return Literature(kind, evidence, world.true_log10, world.flat_rate, sized_range, tuple(results))


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
    """What the engine said about one literature, beside the truth.

    "Inside the data" uses the true sizes of the results the engine can place (disclosed or an analyst range),
    so it does not depend on how the engine draws its own range.
    """
    c = next(r for r in assess(literature.evidence, settings).aspects if r.aspect_key == ASPECT).ceiling
    truth, span = literature.true_log10, literature.sized_range
    inside = truth is not None and span is not None and span[0] <= truth <= span[1]
    covered = error = None
    if truth is not None and c.crossing_log10_params is not None:
        covered = bool(c.crossing_low_log10 <= truth <= c.crossing_high_log10)
        error = c.crossing_log10_params - truth
    stated = c.state in STATES_A_CEILING
    return {
        "kind": literature.kind,
        "true_log10": truth,
        "flat_rate": literature.flat_rate,
        "state": c.state,
        "states_a_ceiling": stated,
        "truth_inside_data": inside,
        "covered": covered,
        "error": error,
        "found": bool(inside and stated and covered),
        "p_fall": getattr(c, "p_fall", None),  # engine v3: P(P(works) falls with scale | evidence)
    }


LEAN = {  # lists that do not touch the ceiling: without them a literature scores about a quarter faster
    "top_gaps": 0,
    "top_influential_sources": 0,
    "top_key_evidence": 0,
    "top_path_forward": 0,
    "top_barriers": 0,
    "top_baseline_comparisons": 0,
}


def study_settings(**overrides) -> ScoringSettings:
    """The default settings (or overrides), without the lists (gaps, citations, probes) that leave the ceiling be."""
    return ScoringSettings(**(LEAN | overrides))


def run_study(
    n_literatures: int,
    seed: int = 11,
    kinds: tuple[str, ...] = KINDS,
    progress: Callable[[str, int], None] | None = None,
    **overrides,
) -> pd.DataFrame:
    """Score n synthetic literatures of each kind; one row each.

    Each kind draws from its own stream (seed, kind), so a kind's rows are the same whichever kinds run with it.
    """
    unknown = [k for k in kinds if k not in WORLDS]
    if unknown:
        raise ValueError(f"worlds: unknown kinds {unknown}; choose from {', '.join(KINDS)}")
    settings = study_settings(**overrides)
    rows = []
    for kind in kinds:
        rng = np.random.default_rng([seed, KINDS.index(kind)])
        for i in range(n_literatures):
            rows.append(score_one(simulate(rng, kind), settings))
            if progress is not None:
                progress(kind, i + 1)
    return pd.DataFrame(rows)


def summary_table(study: pd.DataFrame) -> pd.DataFrame:
    """The published table: per kind of world, false ceilings, power, coverage, bias and the states said.

    false_ceiling: share of literatures of a world without a ceiling where the engine states one (estimated or
    below_range). power: share of literatures whose true ceiling lies inside the data where the engine states a
    ceiling whose 90% interval covers it. coverage_90, bias and error: over the estimated ceilings.
    median_p_fall: the engine's probability of a fall, where it gives one (engine v3).
    """

    def summarise(group: pd.DataFrame) -> dict:
        has_ceiling = group["true_log10"].notna().all()
        estimated = group[group["state"] == "estimated"]
        inside = group[group["truth_inside_data"]]
        row = {
            "literatures": len(group),
            "false_ceiling": None if has_ceiling else _share(group["states_a_ceiling"]),
            "power": _share(inside["found"]) if has_ceiling else None,
            "coverage_90": _share(estimated["covered"]) if has_ceiling else None,
            "bias_decades": _median(estimated["error"]) if has_ceiling else None,
            "mean_abs_error_decades": _round(estimated["error"].abs().mean()) if has_ceiling else None,
        }
        row["median_p_fall"] = _median(group["p_fall"])
        return row | {state: _round((group["state"] == state).mean()) for state in STATES}

    kind, rate = study["kind"], study["flat_rate"]
    parts = {
        "ceiling": kind == "ceiling",
        "ceiling, truth inside the data": (kind == "ceiling") & study["truth_inside_data"],
        "ceiling, truth outside the data": (kind == "ceiling") & ~study["truth_inside_data"],
        "step": kind == "step",
        "flat": kind == "flat",
        "flat, p 0.1-0.4": (kind == "flat") & (rate < 0.45),
        "flat, p 0.5-0.9": (kind == "flat") & (rate > 0.45),
        "standard shift": kind == "standard_shift",
    }
    summaries = {name: summarise(study[mask]) for name, mask in parts.items() if mask.any()}
    table = pd.DataFrame(summaries).T.astype(object).where(lambda t: t.notna(), None)
    return table.assign(literatures=table["literatures"].astype(int))


def _share(values: pd.Series) -> float | None:
    values = values.dropna()
    return None if values.empty else round(float(values.astype(bool).mean()), 3)


def _median(values: pd.Series) -> float | None:
    values = pd.to_numeric(values).dropna()
    return None if values.empty else _round(values.median())


def _round(value) -> float | None:
    return None if value is None or pd.isna(value) else round(float(value), 3)


def _cell(value) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    return f"{value:g}" if isinstance(value, float) else str(value)


def markdown_table(table: pd.DataFrame) -> str:
    """The summary as a Markdown table (blank where a figure is undefined)."""
    header = ["", *table.columns]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for name, row in table.iterrows():
        lines.append("| " + " | ".join([str(name), *map(_cell, row)]) + " |")
    return "\n".join(lines) + "\n"


def render_table(table: pd.DataFrame, format: str) -> str:
    """The summary as text: an aligned table, Markdown, CSV or JSON (blank or null where undefined)."""
    if format == "json":
        return table.to_json(orient="index", indent=2) + "\n"
    if format == "csv":
        return table.to_csv()
    if format == "markdown":
        return markdown_table(table)
    if format == "table":
        return table.map(_cell).to_string() + "\n"
    raise ValueError(f"format: unknown {format!r}; choose one of {', '.join(FORMATS)}")
