"""Sensitivity: how far each aspect's ceiling moves without one source, and without the estimated sizes."""

from __future__ import annotations

import numpy as np
import pandas as pd

from app.scoring.ceiling import FitResult, ceiling_output, fit_dimension, r6
from app.scoring.posterior import log_likelihood, log_prior, p_works, summarise
from app.scoring.schema import AspectSensitivity, EstimateSensitivity, SourceInfluence
from app.scoring.settings import ScoringSettings

CANDIDATES_PER_SLOT = 3
DIM = "validity"


def approximate_shifts(fit: FitResult, source_bins: pd.DataFrame, settings: ScoringSettings) -> pd.Series:
    """Each source's score at the ceiling, a cheap ranking of whose removal moves it most."""
    p = p_works(np.array([fit.crossing]), source_bins["x"].to_numpy(), settings)[:, 0]
    residual = source_bins[f"wy_{DIM}"].to_numpy() - source_bins[f"w_{DIM}"].to_numpy() * p
    return pd.Series(residual).groupby(source_bins["source"].to_numpy()).sum().abs()


def refit_without(
    source: int, bins: pd.DataFrame, source_bins: pd.DataFrame, settings: ScoringSettings
) -> tuple[float, FitResult]:
    """The exact posterior median without one source, and the fit of the rest (for its state)."""
    own = source_bins[source_bins["source"] == source]
    total = log_likelihood(bins["x"].to_numpy(), bins[f"w_{DIM}"].to_numpy(), bins[f"wy_{DIM}"].to_numpy(), settings)
    mine = log_likelihood(own["x"].to_numpy(), own[f"w_{DIM}"].to_numpy(), own[f"wy_{DIM}"].to_numpy(), settings)
    median = summarise(log_prior(settings) + total - mine, settings).median
    rest_sources = source_bins[source_bins["source"] != source]
    rest = rest_sources.groupby("bin", as_index=False).agg(
        {f"w_{DIM}": "sum", f"wy_{DIM}": "sum", "x": "first", "w_est": "sum", "x_lo": "min", "x_hi": "max"}
    )
    rest["w_reach"] = rest["wy_reach"] = 0.0
    return median, fit_dimension(rest, rest_sources, DIM, settings)


def source_influences(
    fit: FitResult, bins: pd.DataFrame, source_bins: pd.DataFrame, source_keys: list[str], settings: ScoringSettings
) -> list[SourceInfluence]:
    """The sources whose removal moves the ceiling most, with the exact shift and the state without them."""
    limit = settings.top_influential_sources
    if fit.crossing is None or limit == 0 or source_bins.empty:
        return []
    approx = approximate_shifts(fit, source_bins, settings)
    order = sorted(approx.index, key=lambda s: (-approx[s], source_keys[s]))
    influences = []
    for source in order[: limit * CANDIDATES_PER_SLOT]:
        median, rest = refit_without(source, bins, source_bins, settings)
        shift = median - fit.crossing
        where = (
            "the rest is too thin to fit" if rest.state == "insufficient" else ceiling_output(rest, settings).statement
        )
        text = (
            f"without {source_keys[source]} the ceiling moves {'up' if shift >= 0 else 'down'} "
            f"{abs(shift):.2f} orders of magnitude ({where})"
        )
        influences.append(
            SourceInfluence(
                source_key=source_keys[source], shift_decades=r6(shift), state_without=rest.state, text=text
            )
        )
    influences.sort(key=lambda s: (-abs(s.shift_decades), s.source_key))
    return influences[:limit]


def without_estimates(
    fit: FitResult, bins_measured: pd.DataFrame, source_bins_measured: pd.DataFrame, left_out: int, settings
) -> EstimateSensitivity | None:
    """The ceiling from disclosed sizes only, beside the one that uses the analysts' estimates."""
    if left_out == 0:
        return None
    rest = fit_dimension(bins_measured, source_bins_measured, DIM, settings)
    statement = ceiling_output(rest, settings).statement
    shift = None if rest.crossing is None or fit.crossing is None else rest.crossing - fit.crossing
    moved = "" if shift is None else f"moves {'up' if shift >= 0 else 'down'} {abs(shift):.2f} orders of magnitude: "
    return EstimateSensitivity(
        results_left_out=left_out,
        shift_decades=r6(shift),
        state_without=rest.state,
        statement_without=statement,
        text=f"without the {left_out} result(s) whose size is an estimate, the ceiling {moved}{statement}",
    )


def aspect_sensitivity(
    aspect_key: str,
    fit: FitResult,
    bins: pd.DataFrame,
    source_bins: pd.DataFrame,
    measured: tuple[pd.DataFrame, pd.DataFrame, int],
    source_keys: list[str],
    settings: ScoringSettings,
) -> AspectSensitivity:
    """Most influential sources of one aspect and the effect of its estimated sizes."""
    return AspectSensitivity(
        aspect_key=aspect_key,
        sources=source_influences(fit, bins, source_bins, source_keys, settings),
        without_estimates=without_estimates(fit, *measured, settings),
    )
