"""Is there a fall with scale at all? Marginal likelihoods of a fall and of a flat P(works), by standard.

Two models of the evidence of one aspect, each within evaluation standards (strata):

- flat: in each stratum P(works) is one rate p_s at every scale, p_s on a grid of levels under the Beta prior
  of the band cells;
- fall: P_s(x) = f_s + (h_s - f_s) expit(k (c - x)) with a crossing c shared by the strata, inside the tested
  range, and per-stratum levels h_s > f_s (height below the crossing, floor above it) uniform on the grid.

Every stratum has its own levels in both models, and a stratum whose own tested range does not contain the
crossing is given its flat likelihood under the fall model too: it can say nothing about a fall it does not
span. So a stratum judged leniently at small scale and another judged strictly at large scale are explained
exactly as well without a fall: a change of standard cannot pose as a change with scale; only a fall inside a
stratum's own evidence favours the fall model. The crossing
is restricted to the tested range because a fall outside it predicts a flat world where the evidence lies, and
so cannot be told from one. p_fall is the posterior probability of the fall model (prior odds in the settings).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import betaincinv, expit, logsumexp

from app.scoring.settings import ScoringSettings


@dataclass(frozen=True)
class Stratum:
    """The binned evidence of one evaluation standard: scales, weights and weighted successes."""

    standard: str
    x: np.ndarray
    w: np.ndarray
    wy: np.ndarray

    @property
    def weight(self) -> float:
        return float(self.w.sum())


def levels(settings: ScoringSettings) -> np.ndarray:
    """Midpoints of the level grid (0.05, 0.15, ... 0.95 with 10 cells)."""
    n = settings.fall_level_cells
    return (np.arange(n) + 0.5) / n


def flat_log_ml(stratum: Stratum, settings: ScoringSettings) -> float:
    """log marginal likelihood of one flat rate, under the cells' Beta prior, on the level grid."""
    p = levels(settings)
    log_prior = (settings.prior_alpha - 1) * np.log(p) + (settings.prior_beta - 1) * np.log1p(-p)
    log_prior -= logsumexp(log_prior)
    wy, w = float(stratum.wy.sum()), stratum.weight
    return float(logsumexp(log_prior + wy * np.log(p) + (w - wy) * np.log1p(-p)))


def fall_log_ml_by_crossing(stratum: Stratum, c: np.ndarray, settings: ScoringSettings) -> np.ndarray:
    """log likelihood of one stratum at each crossing in c, its height and floor integrated out."""
    p = levels(settings)
    floor, height = np.meshgrid(p, p, indexing="ij")
    pairs = floor < height
    f, h = floor[pairs], height[pairs]
    curve = expit(settings.logistic_slope_per_decade * (c[None, :] - stratum.x[:, None]))  # bins x crossings
    prob = f[:, None, None] + (h - f)[:, None, None] * curve[None]
    ll = np.einsum("b,pbc->pc", stratum.wy, np.log(prob))
    ll += np.einsum("b,pbc->pc", stratum.w - stratum.wy, np.log1p(-prob))
    log_prior = settings.fall_drop_power * np.log(h - f)
    log_prior -= logsumexp(log_prior)
    return logsumexp(ll + log_prior[:, None], axis=0)


def crossing_grid(strata: list[Stratum], settings: ScoringSettings) -> np.ndarray:
    """Candidate crossings for the test: the tested range of the strata, in steps of the setting."""
    xs = np.concatenate([s.x[s.w > 0] for s in strata]) if strata else np.zeros(0)
    if len(xs) == 0 or xs.max() - xs.min() <= 0:
        return np.zeros(0)
    step = settings.fall_grid_step_decades
    n = max(int(np.ceil((xs.max() - xs.min()) / step)), 1) + 1
    return np.linspace(xs.min(), xs.max(), n)


def spans(stratum: Stratum, c: np.ndarray) -> np.ndarray:
    """Where a crossing lies inside a stratum's own tested range: only there can the stratum show it."""
    x = stratum.x[stratum.w > 0]
    return (c >= x.min()) & (c <= x.max())


def p_fall(strata: list[Stratum], settings: ScoringSettings) -> float:
    """Posterior probability that P(works) falls with scale inside the tested range (0 with no range)."""
    strata = [s for s in strata if s.weight > 0]
    c = crossing_grid(strata, settings)
    if len(c) == 0:
        return 0.0
    log_prior_c = -0.5 * ((c - settings.ceiling_prior_mean_log10) / settings.ceiling_prior_sd_decades) ** 2
    log_prior_c -= logsumexp(log_prior_c)
    flats = [flat_log_ml(s, settings) for s in strata]
    fall_by_c = sum(
        np.where(spans(s, c), fall_log_ml_by_crossing(s, c, settings), flat)
        for s, flat in zip(strata, flats, strict=True)
    )
    fall = float(logsumexp(log_prior_c + fall_by_c))
    flat = sum(flats)
    log_odds = np.log(settings.fall_prior_odds) + fall - flat
    return float(expit(log_odds))


def rate_interval(w: float, wy: float, settings: ScoringSettings) -> tuple[float, float, float]:
    """Posterior mean and central credible interval of a flat rate (the Beta prior of the band cells)."""
    a, b = settings.prior_alpha + wy, settings.prior_beta + w - wy
    tail = (1 - settings.credible_mass) / 2
    return a / (a + b), float(betaincinv(a, b, tail)), float(betaincinv(a, b, 1 - tail))
