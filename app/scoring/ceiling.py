"""The ceiling of an aspect: where a weighted logistic model of P(works) on log10(params) crosses 0.5.

Model: P(works at x) = expit(k * (c - x)), x = log10(params), with the fall k per decade fixed
(a setting) and a weak Gaussian prior on the crossing c. The MAP c solves a score equation that is
strictly decreasing in c, and each success adds a positive term and each failure a negative one,
so a new success can never lower the ceiling and a new failure can never raise it
(docs/scoring.md explains why the slope is not fitted). The 90% interval is a Laplace interval
widened by a source-clustered sandwich and by the position uncertainty of range-sized results.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import brentq
from scipy.special import expit
from scipy.stats import norm

from app.scoring.schema import Ceiling
from app.scoring.settings import ScoringSettings
from app.scoring.spread import ScaleData


@dataclass(frozen=True)
class FitResult:
    """The fitted crossing of one aspect and what is needed to state it."""

    state: str
    crossing: float | None
    sd: float | None
    weight: float
    n_sources: int
    x_max: float | None
    reason: str


def bin_points(points: pd.DataFrame, settings: ScoringSettings, by: list[str]) -> pd.DataFrame:
    """Sum point weights by the given integer keys and log10 bin; x is the bin centre (k * width)."""
    width = settings.fit_bin_decades
    bins = np.floor(points["x"].to_numpy() / width + 0.5).astype(np.int64)
    columns = [points[c].to_numpy().astype(np.int64) for c in by] + [bins]
    if len(bins) == 0:
        return pd.DataFrame({**{c: np.zeros(0, np.int64) for c in [*by, "bin"]}, "w": [], "wy": [], "wy2": [], "x": []})
    lows = [c.min() for c in columns]
    sizes = [int(c.max() - low) + 1 for c, low in zip(columns, lows, strict=True)]
    code = np.zeros(len(bins), dtype=np.int64)
    for column, low, size in zip(columns, lows, sizes, strict=True):
        code = code * size + (column - low)
    keys, inverse = np.unique(code, return_inverse=True)
    w, y = points["wn"].to_numpy(), points["y"].to_numpy()
    out = {}
    for name, low, size in reversed(list(zip([*by, "bin"], lows, sizes, strict=True))):
        out[name] = keys % size + low
        keys = keys // size
    frame = pd.DataFrame({name: out[name] for name in [*by, "bin"]})
    frame["w"] = np.bincount(inverse, weights=w)
    frame["wy"] = np.bincount(inverse, weights=w * y)
    frame["wy2"] = np.bincount(inverse, weights=w * y * y)
    frame["x"] = frame["bin"] * width
    return frame


def score(c: float, x: np.ndarray, w: np.ndarray, wy: np.ndarray, settings: ScoringSettings) -> float:
    """Derivative of the log posterior in c: data residuals minus the prior's pull."""
    p = expit(settings.logistic_slope_per_decade * (c - x))
    prior = (c - settings.ceiling_prior_mean_log10) / settings.ceiling_prior_sd_decades**2
    return float(np.sum(wy - w * p) - prior)


def solve_crossing(x: np.ndarray, w: np.ndarray, wy: np.ndarray, settings: ScoringSettings) -> float:
    """The MAP crossing c (log10 params): the unique root of the decreasing score."""
    span = settings.ceiling_prior_sd_decades**2 * float(np.sum(w)) + 1.0
    mu = settings.ceiling_prior_mean_log10
    return float(brentq(score, mu - span, mu + span, args=(x, w, wy, settings), xtol=1e-10, rtol=1e-12))


def information(c: float, x: np.ndarray, w: np.ndarray, settings: ScoringSettings) -> float:
    """Observed information of c: k^2 sum w p (1 - p) plus the prior precision."""
    k = settings.logistic_slope_per_decade
    p = expit(k * (c - x))
    return float(k * k * np.sum(w * p * (1 - p)) + 1.0 / settings.ceiling_prior_sd_decades**2)


def crossing_sd(
    c: float, bins: pd.DataFrame, source_bins: pd.DataFrame, range_points: pd.DataFrame, settings: ScoringSettings
) -> float:
    """Standard error of c: max(model, source-clustered sandwich) plus range-position variance."""
    info = information(c, bins["x"].to_numpy(), bins["w"].to_numpy(), settings)
    k = settings.logistic_slope_per_decade
    p = expit(k * (c - source_bins["x"].to_numpy()))
    per_source = (source_bins["wy"] - source_bins["w"] * p).groupby(source_bins["source"].to_numpy()).sum()
    groups = len(per_source)
    sandwich = float(np.sum(per_source.to_numpy() ** 2)) / info**2 * groups / max(groups - 1, 1)
    variance = max(1.0 / info, sandwich)
    if len(range_points):
        pr = expit(k * (c - range_points["x"].to_numpy()))
        pull = (range_points["wn"] * k * pr * (1 - pr)).groupby(range_points["row"].to_numpy()).sum()
        width = range_points.groupby("row")["width"].first().loc[pull.index]
        variance += float(np.sum((pull.to_numpy() / info) ** 2 * width.to_numpy() ** 2 / 12.0))
    return float(np.sqrt(variance))


def fit_aspect(
    aspect: int, data: ScaleData, bins: pd.DataFrame, source_bins: pd.DataFrame, settings: ScoringSettings
) -> FitResult:
    """Fit one aspect's ceiling, or say why the evidence is too thin."""
    mine = bins[bins["aspect"] == aspect]
    mine_sources = source_bins[source_bins["aspect"] == aspect]
    weight = float(mine["w"].sum())
    n_sources = int(mine_sources.loc[mine_sources["w"] > 0, "source"].nunique())
    rows = data.rows.loc[data.segments.loc[data.segments["aspect"] == aspect, "row"].unique()]
    x_max = float(((rows["lo"] + rows["hi"]) / 2).max()) if len(rows) else None
    if weight < settings.min_fit_weight or n_sources < settings.min_fit_sources or weight <= 0:
        reason = (
            f"too thin to fit: sized weight {weight:.2f} (needs {settings.min_fit_weight:g}) "
            f"from {n_sources} source(s) (needs {settings.min_fit_sources})"
        )
        return FitResult("insufficient", None, None, weight, n_sources, x_max, reason)
    x, w, wy = mine["x"].to_numpy(), mine["w"].to_numpy(), mine["wy"].to_numpy()
    c = solve_crossing(x, w, wy, settings)
    pts = data.points
    range_points = pts[(pts["aspect"] == aspect) & pts["is_range"]]
    range_points = range_points.assign(
        width=(data.rows["hi"] - data.rows["lo"]).to_numpy()[range_points["row"].to_numpy()]
    )
    sd = crossing_sd(c, mine, mine_sources, range_points, settings)
    state = "not_reached" if x_max is not None and c > x_max else "estimated"
    return FitResult(state, c, sd, weight, n_sources, x_max, "")


def format_params(log10_params: float) -> str:
    """Human form of a parameter count given in log10: 9.95 -> '9B', 12.3 -> '2T'."""
    value = 10**log10_params
    for unit, size in (("T", 1e12), ("B", 1e9), ("M", 1e6), ("K", 1e3)):
        if value >= size:
            scaled = value / size
            return f"{scaled:.2g}{unit}" if scaled < 10 else f"{scaled:.0f}{unit}"
    return f"{value:.2g}"


def ceiling_output(fit: FitResult, settings: ScoringSettings) -> Ceiling:
    """The Ceiling model of a fit, with its plain statement."""
    z = float(norm.ppf(0.5 + settings.credible_mass / 2))
    observed = None if fit.x_max is None else r6(10**fit.x_max)
    if fit.state == "insufficient":
        return Ceiling(state="insufficient", largest_observed_params=observed, statement=fit.reason)
    c, sd = fit.crossing, fit.sd
    common = {"largest_observed_params": observed, "crossing_log10_params": r6(c), "crossing_sd_decades": r6(sd)}
    if fit.state == "not_reached":
        return Ceiling(
            state="not_reached",
            statement=f"not reached up to {format_params(fit.x_max)} (largest observed scale)",
            **common,
        )
    low, high = c - z * sd, c + z * sd
    mass = round(settings.credible_mass * 100)
    return Ceiling(
        state="estimated",
        params=r6(10**c),
        params_low=r6(10**low),
        params_high=r6(10**high),
        statement=f"about {format_params(c)} ({mass}% interval {format_params(low)} to {format_params(high)})",
        **common,
    )


def r6(value: float | None) -> float | None:
    """Round to 6 significant digits, so the JSON is short and stable."""
    if value is None or not np.isfinite(value):
        return None
    return float(f"{value:.6g}")
