"""The ceiling of an aspect: the median of the grid posterior of its crossing, stated only inside the data.

The posterior comes from app/scoring/posterior.py (a psychometric model with lapses). The ceiling is
reported as a number only when its median lies within the range of the sized evidence; otherwise it is a
bound ("below the smallest scale tested", "not reached up to"), and when every sized result fails it is
"not established at any scale". Each aspect has two ceilings: validity (validated or useful there) and reach
(the method could be applied there); docs/scoring.md argues each choice.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from app.scoring.naming import NONE, TestedModels, format_params
from app.scoring.posterior import posterior_summary
from app.scoring.schema import Ceiling
from app.scoring.settings import ScoringSettings

DIMENSIONS = ("validity", "reach")


@dataclass(frozen=True)
class FitResult:
    """The fitted ceiling of one aspect in one dimension, and what is needed to state it."""

    state: str
    crossing: float | None
    low: float | None
    high: float | None
    weight: float
    n_sources: int
    x_min: float | None
    x_max: float | None
    reason: str
    estimated_sizes: bool = False

    @property
    def width(self) -> float | None:
        return None if self.low is None else self.high - self.low


BINNED = ("x", "source", "estimated", "y_validity", "y_reach", "w_validity", "w_reach")  # what the fits read


def aspect_bins(points, settings: ScoringSettings) -> pd.DataFrame:
    """One aspect's points summed into its log10 bins (dense bincount: no sort, no hashing)."""
    width = settings.fit_bin_decades
    x = np.asarray(points["x"])
    if len(x) == 0:
        columns = ["bin", "x", "x_lo", "x_hi", "w_est"] + [f"{k}_{d}" for d in DIMENSIONS for k in ("w", "wy")]
        return pd.DataFrame({c: np.zeros(0) for c in columns})
    index = np.floor(x / width + 0.5).astype(np.int64)
    low = int(index.min())
    index -= low
    keep = np.flatnonzero(np.bincount(index) > 0)
    frame = {"bin": keep + low}
    frame["x"] = frame["bin"] * width
    frame["x_lo"], frame["x_hi"] = frame["x"] - width / 2, frame["x"] + width / 2
    estimated = np.asarray(points["w_validity"]) * np.asarray(points["estimated"])
    frame["w_est"] = np.bincount(index, weights=estimated)[keep]
    for d in DIMENSIONS:
        w = np.asarray(points[f"w_{d}"])
        frame[f"w_{d}"] = np.bincount(index, weights=w)[keep]
        frame[f"wy_{d}"] = np.bincount(index, weights=w * np.asarray(points[f"y_{d}"]))[keep]
    return pd.DataFrame(frame, copy=False)


def evidence_range(points, dimension: str) -> tuple[float, float] | None:
    """The exact smallest and largest scale with weight in one dimension."""
    x = np.asarray(points["x"])[np.asarray(points[f"w_{dimension}"]) > 0]
    return (float(x.min()), float(x.max())) if len(x) else None


def sources_with_weight(points, dimension: str) -> int:
    """How many sources have weight in one dimension."""
    source = np.asarray(points["source"])[np.asarray(points[f"w_{dimension}"]) > 0]
    return int(np.count_nonzero(np.bincount(source))) if len(source) else 0


def fit_dimension(
    bins: pd.DataFrame,
    n_sources: int,
    dimension: str,
    settings: ScoringSettings,
    x_range: tuple[float, float] | None = None,
) -> FitResult:
    """Fit one aspect's ceiling in one dimension from its bins, or say why there is no number.

    x_range is the exact range of the evidence; without it the outer edges of the used bins stand in.
    """
    w, wy, x = bins[f"w_{dimension}"].to_numpy(), bins[f"wy_{dimension}"].to_numpy(), bins["x"].to_numpy()
    used = w > 0
    weight = float(w.sum())
    if x_range is None and used.any():
        x_range = (float(bins["x_lo"].to_numpy()[used].min()), float(bins["x_hi"].to_numpy()[used].max()))
    x_min, x_max = x_range if x_range is not None and used.any() else (None, None)
    estimated = bool("w_est" in bins and (bins["w_est"].to_numpy() > 0).any())
    if weight < settings.min_fit_weight or n_sources < settings.min_fit_sources or weight <= 0:
        reason = (
            f"too thin to fit: sized weight {weight:.2f} (needs {settings.min_fit_weight:g}) "
            f"from {n_sources} source(s) (needs {settings.min_fit_sources})"
        )
        return FitResult("insufficient", None, None, None, weight, n_sources, x_min, x_max, reason, estimated)
    summary = posterior_summary(x[used], w[used], wy[used], settings)
    if float(wy.sum()) <= 1e-12:
        state = "not_established"
    elif summary.median < x_min:
        state = "below_range"
    elif summary.median > x_max:
        state = "not_reached"
    else:
        state = "estimated"
    return FitResult(state, summary.median, summary.low, summary.high, weight, n_sources, x_min, x_max, "", estimated)


def tested_range_texts(fit: FitResult, models: TestedModels, dimension: str) -> tuple[str, str, str]:
    """The smallest and largest model behind a fit, and its frontier applications, in words.

    Without names (a refit in the sensitivity section) the exact range of the evidence is printed.
    """
    smallest = models.smallest.text() if models.smallest else format_params(fit.x_min)
    frontier = models.frontier_text()
    if models.largest_bounded is None:
        return smallest, frontier or format_params(fit.x_max), ""
    verb = "applied to" if dimension == "reach" else "tested on"
    return smallest, models.largest_bounded.text(), f"; also {verb} frontier models: {frontier}" if frontier else ""


def ceiling_output(
    fit: FitResult, settings: ScoringSettings, models: TestedModels = NONE, dimension: str = "validity"
) -> Ceiling:
    """The Ceiling model of a fit, with its plain statement; no number outside the sized evidence, and every
    size in the statement a named model's or an analyst's bound (app/scoring/naming.py)."""
    smallest = None if fit.x_min is None else r6(10**fit.x_min)
    observed = None if fit.x_max is None else r6(10**fit.x_max)
    flag = " (sizes include analyst estimates)" if fit.estimated_sizes else ""
    base = {
        "largest_observed_params": observed,
        "smallest_observed_params": smallest,
        "estimated_sizes": fit.estimated_sizes,
        "smallest_model": models.smallest.text() if models.smallest else None,
        "largest_model": (models.largest_bounded or models.largest).text() if models.largest else None,
        "frontier_models": [m.text() for m in models.frontier],
    }
    if fit.state == "insufficient":
        return Ceiling(state="insufficient", statement=fit.reason, **base)
    c, low, high = fit.crossing, fit.low, fit.high
    common = {**base, "crossing_log10_params": r6(c), "crossing_low_log10": r6(low), "crossing_high_log10": r6(high)}
    mass = round(settings.credible_mass * 100)
    small, large, frontier = tested_range_texts(fit, models, dimension)
    if fit.state == "not_established":
        text = f"not established at any scale: every sized result fails (tested from {small} to {large}){frontier}"
        return Ceiling(state="not_established", statement=text + flag, **common)
    if fit.state == "below_range":
        text = f"below the smallest model tested ({small}){flag}"
        return Ceiling(state="below_range", bound_params=smallest, statement=text, **common)
    if fit.state == "not_reached":
        text = f"not reached up to the largest model tested ({large}){frontier}{flag}"
        return Ceiling(state="not_reached", bound_params=observed, statement=text, **common)
    low_text = f"below the smallest model tested ({small})" if low < fit.x_min else format_params(low)
    high_text = f"above the largest model tested ({large})" if high > fit.x_max else format_params(high)
    return Ceiling(
        state="estimated",
        params=r6(10**c),
        params_low=r6(10 ** max(low, fit.x_min)),
        params_high=r6(10 ** min(high, fit.x_max)),
        statement=f"about {format_params(c)}; {mass}% interval from {low_text} to {high_text}{flag}",
        **common,
    )


def r6(value: float | None) -> float | None:
    """Round to 6 significant digits, so the JSON is short and stable."""
    if value is None or not np.isfinite(value):
        return None
    return float(f"{value:.6g}")
