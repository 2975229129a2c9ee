"""The posterior of an aspect's ceiling on a grid of log10(params), under a psychometric model with lapses.

P(works at x | c) = lapse + (1 - 2 lapse) * expit(k (c - x)): the method works well below its ceiling c and
fails well above it, except for a small lapse rate either way. The lapse is what makes evidence far from the
crossing count for little: a failure on a 100-parameter network is, for any ceiling above 1e4, explained by a
lapse as well as by the ceiling, so it hardly changes the posterior where the ceiling plausibly lies; a success
two decades below the crossing likewise. The posterior is computed on a fixed grid (no optimiser, no seed),
and the reported ceiling is its median, with central quantiles as the interval.

Why quantiles of a grid posterior: a success multiplies the posterior by a likelihood that increases in c, so
the new posterior dominates the old in the likelihood-ratio order and every quantile (median, both interval
ends) can only rise; a failure can only lower them. That holds for any lapse and slope, with no concavity
needed, so the monotonicity that analysts rely on is a theorem, not a tuning accident (docs/scoring.md).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from app.scoring.settings import ScoringSettings


def grid(settings: ScoringSettings) -> np.ndarray:
    """The fixed grid of candidate ceilings, in log10 params."""
    step = settings.ceiling_grid_step_decades
    n = int(round((settings.ceiling_grid_max_log10 - settings.ceiling_grid_min_log10) / step)) + 1
    return settings.ceiling_grid_min_log10 + step * np.arange(n)


def p_works(c: np.ndarray, x: np.ndarray, settings: ScoringSettings) -> np.ndarray:
    """P(works) for every ceiling in c (columns) at every scale in x (rows)."""
    lapse = settings.lapse_rate
    t = settings.logistic_slope_per_decade * (np.asarray(c)[None, :] - np.asarray(x)[:, None])
    return lapse + (1 - 2 * lapse) / (1 + np.exp(-t))


def log_likelihood(x: np.ndarray, w: np.ndarray, wy: np.ndarray, settings: ScoringSettings) -> np.ndarray:
    """Weighted log-likelihood of binned evidence at every grid ceiling (successes wy, failures w - wy)."""
    c = grid(settings)
    if len(x) == 0:
        return np.zeros(len(c))
    p = p_works(c, x, settings)
    return wy @ np.log(p) + (w - wy) @ np.log1p(-p)


def log_prior(settings: ScoringSettings) -> np.ndarray:
    """Weak Gaussian prior on the ceiling."""
    c = grid(settings)
    return -0.5 * ((c - settings.ceiling_prior_mean_log10) / settings.ceiling_prior_sd_decades) ** 2


@dataclass(frozen=True)
class Summary:
    """Median and central interval of a posterior on the grid."""

    median: float
    low: float
    high: float


def summarise(log_post: np.ndarray, settings: ScoringSettings) -> Summary:
    """Median and central credible interval, by linear interpolation of the grid CDF."""
    c = grid(settings)
    weights = np.exp(log_post - log_post.max())
    cdf = np.cumsum(weights)
    cdf = cdf / cdf[-1]
    tail = (1 - settings.credible_mass) / 2

    def quantile(q: float) -> float:
        return float(np.interp(q, cdf, c))

    return Summary(median=quantile(0.5), low=quantile(tail), high=quantile(1 - tail))


def posterior_summary(x: np.ndarray, w: np.ndarray, wy: np.ndarray, settings: ScoringSettings) -> Summary:
    """Summary of the posterior of binned evidence."""
    return summarise(log_prior(settings) + log_likelihood(x, w, wy, settings), settings)
