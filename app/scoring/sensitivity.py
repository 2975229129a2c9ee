"""Leave one source out: how far each aspect's ceiling moves, and the most influential sources."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import expit

from app.scoring.ceiling import FitResult, format_params, information, r6, solve_crossing
from app.scoring.schema import AspectSensitivity, SourceInfluence
from app.scoring.settings import ScoringSettings

CANDIDATES_PER_SLOT = 3


def one_step_shifts(
    fit: FitResult, source_bins: pd.DataFrame, total_info: float, settings: ScoringSettings
) -> pd.Series:
    """Newton-step estimate of each source's leave-out shift, to pick candidates for exact refits."""
    k = settings.logistic_slope_per_decade
    p = expit(k * (fit.crossing - source_bins["x"].to_numpy()))
    frame = pd.DataFrame(
        {
            "source": source_bins["source"].to_numpy(),
            "s": source_bins["wy"].to_numpy() - source_bins["w"].to_numpy() * p,
            "i": k * k * source_bins["w"].to_numpy() * p * (1 - p),
        }
    )
    per = frame.groupby("source", sort=True)[["s", "i"]].sum()
    return -per["s"] / np.maximum(total_info - per["i"], 1e-12)


def refit_without(
    source: int, bins: pd.DataFrame, source_bins: pd.DataFrame, settings: ScoringSettings
) -> tuple[float, float, int]:
    """Exact crossing, weight and source count of the aspect without one source."""
    own = source_bins[source_bins["source"] == source]
    at = np.searchsorted(bins["bin"].to_numpy(), own["bin"].to_numpy())
    w, wy = bins["w"].to_numpy().copy(), bins["wy"].to_numpy().copy()
    np.subtract.at(w, at, own["w"].to_numpy())
    np.subtract.at(wy, at, own["wy"].to_numpy())
    w, wy = np.clip(w, 0, None), np.clip(wy, 0, None)
    wy = np.minimum(wy, w)
    others = source_bins.loc[(source_bins["source"] != source) & (source_bins["w"] > 0), "source"].nunique()
    return solve_crossing(bins["x"].to_numpy(), w, wy, settings), float(w.sum()), int(others)


def aspect_sensitivity(
    aspect_key: str,
    fit: FitResult,
    bins: pd.DataFrame,
    source_bins: pd.DataFrame,
    source_x_max: pd.Series,
    source_keys: list[str],
    settings: ScoringSettings,
) -> AspectSensitivity:
    """The sources whose removal moves this aspect's ceiling most, with the exact shift."""
    limit = settings.top_influential_sources
    if fit.crossing is None or limit == 0:
        return AspectSensitivity(aspect_key=aspect_key, sources=[])
    info = information(fit.crossing, bins["x"].to_numpy(), bins["w"].to_numpy(), settings)
    approx = one_step_shifts(fit, source_bins, info, settings)
    order = sorted(approx.index, key=lambda s: (-abs(approx[s]), source_keys[s]))
    influences = []
    for source in order[: limit * CANDIDATES_PER_SLOT]:
        crossing, weight, others = refit_without(source, bins, source_bins, settings)
        rest = source_x_max.drop(index=source, errors="ignore")
        x_max = float(rest.max()) if len(rest) else None
        if weight < settings.min_fit_weight or others < settings.min_fit_sources or weight <= 0:
            state, where = "insufficient", "the rest is too thin to fit"
        elif x_max is not None and crossing > x_max:
            state, where = "not_reached", f"not reached up to {format_params(x_max)}"
        else:
            state, where = "estimated", f"about {format_params(crossing)}"
        shift = crossing - fit.crossing
        text = (
            f"without {source_keys[source]} the ceiling moves {'up' if shift >= 0 else 'down'} "
            f"{abs(shift):.2f} orders of magnitude ({where})"
        )
        influences.append(
            SourceInfluence(source_key=source_keys[source], shift_decades=r6(shift), state_without=state, text=text)
        )
    influences.sort(key=lambda s: (-abs(s.shift_decades), s.source_key))
    return AspectSensitivity(aspect_key=aspect_key, sources=influences[:limit])
