"""Sensitivity: how far each aspect's ceiling moves without one source, and without the estimated sizes."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from app.scoring.ceiling import FitResult, aspect_bins, ceiling_output, evidence_range, fit_dimension, r6
from app.scoring.naming import NONE, TestedModels
from app.scoring.posterior import log_likelihood, log_prior, p_works, summarise
from app.scoring.schema import AspectSensitivity, EstimateSensitivity, SourceInfluence
from app.scoring.settings import ScoringSettings

CANDIDATES_PER_SLOT = 3
ModelsOf = Callable[[tuple[str, object]], TestedModels]  # (column, value): the models without those segments
DIM = "validity"


def approximate_shifts(fit: FitResult, points, settings: ScoringSettings) -> tuple[np.ndarray, np.ndarray]:
    """The aspect's sources and each one's score at the ceiling, a cheap ranking of whose removal moves it most.

    Each point is scored at its bin centre, where the fit sees it.
    """
    width = settings.fit_bin_decades
    index = np.floor(np.asarray(points["x"]) / width + 0.5).astype(np.int64)
    low = int(index.min())
    centres = (np.arange(int(index.max()) - low + 1) + low) * width
    p = p_works(np.array([fit.crossing]), centres, settings)[:, 0][index - low]
    w = np.asarray(points[f"w_{DIM}"])
    residual = w * np.asarray(points[f"y_{DIM}"]) - w * p
    source = np.asarray(points["source"])
    sources = np.flatnonzero(np.bincount(source))
    return sources, np.abs(np.bincount(source, weights=residual))[sources]


def log_posterior(bins: pd.DataFrame, settings: ScoringSettings) -> np.ndarray:
    """The unnormalised log posterior of the crossing on the grid, from an aspect's bins."""
    x, w, wy = bins["x"].to_numpy(), bins[f"w_{DIM}"].to_numpy(), bins[f"wy_{DIM}"].to_numpy()
    return log_prior(settings) + log_likelihood(x, w, wy, settings)


def refit_without(
    own: pd.DataFrame,
    bins: pd.DataFrame,
    posterior: np.ndarray,
    n_sources: int,
    settings: ScoringSettings,
    x_range: tuple[float, float] | None = None,
) -> tuple[float, FitResult]:
    """The exact posterior median without one source (its bins subtracted), and the fit of the rest."""
    mine = log_likelihood(own["x"].to_numpy(), own[f"w_{DIM}"].to_numpy(), own[f"wy_{DIM}"].to_numpy(), settings)
    median = summarise(posterior - mine, settings).median
    at = np.searchsorted(bins["bin"].to_numpy(), own["bin"].to_numpy())  # bins are sorted by bin, own's are in them
    rest = bins.assign(w_reach=0.0, wy_reach=0.0)
    for column in (f"w_{DIM}", f"wy_{DIM}", "w_est"):
        mine_by_bin = np.zeros(len(bins))
        mine_by_bin[at] = own[column].to_numpy()
        rest[column] = (bins[column].to_numpy() - mine_by_bin).clip(0.0)
    others = n_sources - int((own[f"w_{DIM}"] > 0).any())
    return median, fit_dimension(rest[rest[f"w_{DIM}"] > 1e-12], others, DIM, settings, x_range)


def source_influences(
    fit: FitResult,
    bins: pd.DataFrame,
    points,
    source_keys: list[str],
    settings: ScoringSettings,
    models_without: Callable[[int], TestedModels] = lambda source: NONE,
) -> list[SourceInfluence]:
    """The sources whose removal moves the ceiling most, with the exact shift and the state without them."""
    limit = settings.top_influential_sources
    if fit.crossing is None or limit == 0 or not points.size:
        return []
    sources, scores = approximate_shifts(fit, points, settings)
    candidates = limit * CANDIDATES_PER_SLOT
    if len(sources) > candidates:
        keep = np.argpartition(-scores, candidates - 1)[:candidates]
        sources, scores = sources[keep], scores[keep]
    order = sorted(zip(sources.tolist(), scores.tolist(), strict=True), key=lambda p: (-p[1], source_keys[p[0]]))
    order = [source for source, _ in order]
    refits = []
    posterior = log_posterior(bins, settings)
    for source in order:
        own = aspect_bins(points.where(np.flatnonzero(np.asarray(points["source"]) == source)), settings)
        others = points.where(np.flatnonzero(np.asarray(points["source"]) != source))
        median, rest = refit_without(own, bins, posterior, fit.n_sources, settings, evidence_range(others, DIM))
        refits.append((median - fit.crossing, source_keys[source], source, rest))
    refits.sort(key=lambda r: (-abs(r6(r[0])), r[1]))
    influences = []
    for shift, key, source, rest in refits[:limit]:  # only the reported ones are stated (naming costs a sort)
        where = (
            "the rest is too thin to fit"
            if rest.state == "insufficient"
            else ceiling_output(rest, settings, models_without(source)).statement
        )
        move = f"{'up' if shift >= 0 else 'down'} {abs(shift):.2f} orders of magnitude"
        text = f"without {key} the ceiling moves {move} ({where})"
        influences.append(SourceInfluence(source_key=key, shift_decades=r6(shift), state_without=rest.state, text=text))
    return influences


def without_estimates(
    fit: FitResult,
    measured: tuple[pd.DataFrame, int, tuple | None],
    left_out: int,
    settings,
    measured_models: TestedModels = NONE,
) -> EstimateSensitivity | None:
    """The ceiling from disclosed sizes only, beside the one that uses the analysts' estimates."""
    if left_out == 0:
        return None
    bins_measured, n_sources, x_range = measured
    rest = fit_dimension(bins_measured, n_sources, DIM, settings, x_range)
    statement = ceiling_output(rest, settings, measured_models).statement
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
    points,
    measured: tuple[pd.DataFrame, int, tuple | None],
    left_out: int,
    source_keys: list[str],
    settings: ScoringSettings,
    models: ModelsOf = lambda keep: NONE,
) -> AspectSensitivity:
    """Most influential sources of one aspect and the effect of its estimated sizes.

    models names the tested models of the aspect's results that a mask over its segments keeps, so each
    statement names real models (never a bin edge)."""
    return AspectSensitivity(
        aspect_key=aspect_key,
        sources=source_influences(fit, bins, points, source_keys, settings, lambda s: models(("source", s))),
        without_estimates=without_estimates(fit, measured, left_out, settings, models(("estimated", True))),
    )
