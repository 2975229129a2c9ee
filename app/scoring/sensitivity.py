"""Sensitivity: what moves when one source, or every estimated size, is left out of an aspect.

Three things can move and each is recomputed, not guessed: the ceiling (the exact posterior without the
evidence, and the state of the fit of the rest), the suggested grade (the five domains on the rest) and the
status of every band (the Beta cells on the rest). Sizes in the sentences are those of the remaining
evidence (its exact range), never bin centres. Safety is counted, not fitted: it has no ceiling to move.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import numpy as np
import pandas as pd
from scipy.stats import beta as beta_dist

from app.scoring.bands import status_of
from app.scoring.ceiling import (
    FitResult,
    aspect_bins,
    ceiling_output,
    evidence_range,
    fit_dimension,
    r6,
    sources_with_weight,
)
from app.scoring.grade import GradeInputs, grade_aspect
from app.scoring.posterior import log_likelihood, log_prior, p_works, summarise
from app.scoring.schema import AspectSensitivity, EstimateSensitivity, SourceInfluence, StatusChange
from app.scoring.settings import ScoringSettings

CANDIDATES_PER_SLOT = 3
DIM = "validity"
NO_OVERRIDES = pd.DataFrame({"grade": [], "reason": []})


def approximate_shifts(fit: FitResult, points, settings: ScoringSettings) -> tuple[np.ndarray, np.ndarray]:
    """The aspect's sources and a cheap score of how much each one's removal could move the row.

    With a crossing, each point's residual at the ceiling (scored at its bin centre, where the fit sees it);
    without one, each source's weight.
    """
    w = np.asarray(points[f"w_{DIM}"])
    source = np.asarray(points["source"])
    if fit.crossing is None:
        score = np.bincount(source, weights=w)
    else:
        width = settings.fit_bin_decades
        index = np.floor(np.asarray(points["x"]) / width + 0.5).astype(np.int64)
        low = int(index.min())
        centres = (np.arange(int(index.max()) - low + 1) + low) * width
        p = p_works(np.array([fit.crossing]), centres, settings)[:, 0][index - low]
        score = np.abs(np.bincount(source, weights=w * np.asarray(points[f"y_{DIM}"]) - w * p))
    sources = np.flatnonzero(np.bincount(source))
    return sources, score[sources]


def log_posterior(bins: pd.DataFrame, settings: ScoringSettings) -> np.ndarray:
    """The unnormalised log posterior of the crossing on the grid, from an aspect's bins."""
    x, w, wy = bins["x"].to_numpy(), bins[f"w_{DIM}"].to_numpy(), bins[f"wy_{DIM}"].to_numpy()
    return log_prior(settings) + log_likelihood(x, w, wy, settings)


def refit_without(own: pd.DataFrame, bins: pd.DataFrame, n_sources: int, rest_range, settings) -> FitResult:
    """The fit of the rest: the aspect's bins less one source's, within the exact range of what remains."""
    at = np.searchsorted(bins["bin"].to_numpy(), own["bin"].to_numpy())  # bins are sorted by bin, own's are in them
    rest = bins.assign(w_reach=0.0, wy_reach=0.0)
    for column in (f"w_{DIM}", f"wy_{DIM}", "w_est"):
        mine_by_bin = np.zeros(len(bins))
        mine_by_bin[at] = own[column].to_numpy()
        rest[column] = (bins[column].to_numpy() - mine_by_bin).clip(0.0)
    others = n_sources - int((own[f"w_{DIM}"] > 0).any())
    return fit_dimension(rest[rest[f"w_{DIM}"] > 1e-12], others, DIM, settings, rest_range)


def band_statuses(segments: pd.DataFrame, n_bands: int, settings: ScoringSettings) -> list[str]:
    """The status of every band of one aspect from its segments, as the scale table computes it."""
    band, w = segments["band"].to_numpy(), segments["w_validity"].to_numpy()
    keep = (band >= 0) & (w > 0)
    weight = np.bincount(band[keep], weights=w[keep], minlength=n_bands)
    wy = np.bincount(band[keep], weights=(w * segments["y_validity"].to_numpy())[keep], minlength=n_bands)
    counts = np.bincount(band[keep], minlength=n_bands)
    tail = (1 - settings.credible_mass) / 2
    low = beta_dist.ppf(tail, settings.prior_alpha + wy, settings.prior_beta + (weight - wy))
    return [status_of(low[b], int(counts[b]), weight[b], settings) for b in range(n_bands)]


class Rework:
    """One aspect's row recomputed without some of its evidence: band statuses (cheap, a bincount) and the
    suggested grade (the five domains, dearer: only for the sources reported)."""

    def __init__(self, inputs: GradeInputs, grade: str, points, settings: ScoringSettings):
        self.inputs, self.grade, self.points, self.settings = inputs, grade, points, settings
        self.statuses = band_statuses(inputs.segments, len(inputs.band_keys), settings)

    def band_changes(self, segment_kept: np.ndarray) -> list[StatusChange]:
        g = self.inputs
        statuses = band_statuses(g.segments[segment_kept], len(g.band_keys), self.settings)
        return [
            StatusChange(band_key=key, status=before, status_without=after)
            for key, before, after in zip(g.band_keys, self.statuses, statuses, strict=True)
            if before != after
        ]

    def grade_without(self, fit: FitResult, segment_kept: np.ndarray, point_kept: np.ndarray, claim_kept=None) -> str:
        g, pts = self.inputs, self.points
        used = point_kept & (np.asarray(pts[f"w_{DIM}"]) > 0)
        rest = replace(
            g,
            fit=fit,
            segments=g.segments[segment_kept],
            x=np.asarray(pts["x"])[used],
            w=np.asarray(pts[f"w_{DIM}"])[used],
            claims=g.claims if claim_kept is None else g.claims[claim_kept],
        )
        return grade_aspect(rest, NO_OVERRIDES, self.settings).suggested


def moved_text(grade: str, grade_without: str, changes: list[StatusChange]) -> str:
    """'; grade low -> very low; mid band partial -> fragmentary' or '; grade and band statuses unchanged'."""
    parts = [] if grade == grade_without else [f"grade {words(grade)} -> {words(grade_without)}"]
    parts += [f"{c.band_key} band {words(c.status)} -> {words(c.status_without)}" for c in changes]
    return "; " + "; ".join(parts) if parts else "; grade and band statuses unchanged"


def words(value: str) -> str:
    return value.replace("_", " ")


Statement = Callable[[FitResult, tuple[str, object]], str]  # the rest's statement, given what was left out


def plain_statement(segments: pd.DataFrame, settings: ScoringSettings) -> Statement:
    """The rest's statement with its sizes named from the results that remain: the smallest and largest end of
    their sizes or ranges (a model's size or a bound), never a quadrature point or a bin's centre or edge. An
    engine that names models passes its own (the left-out part is ("source", code) or ("estimated", True))."""

    def statement(rest: FitResult, left_out: tuple[str, object]) -> str:
        column, value = left_out
        kept = segments[(segments[column].to_numpy() != value) & (segments["w_validity"].to_numpy() > 0)]
        if len(kept) and rest.x_min is not None:
            rest = replace(rest, x_min=float(kept["a"].min()), x_max=float(kept["b"].max()))
        return ceiling_output(rest, settings).statement

    return statement


def ceiling_text(rest: FitResult, shift: float | None, where: str) -> str:
    """How the ceiling of the rest reads against the row's."""
    if rest.state == "insufficient":
        return "the rest is too thin to fit"
    if shift is None or abs(shift) < 0.005:
        return f"the ceiling: {where}"
    return f"the ceiling moves {'up' if shift > 0 else 'down'} {abs(shift):.2f} orders of magnitude ({where})"


def source_influences(
    fit: FitResult,
    bins: pd.DataFrame,
    points,
    source_keys: list[str],
    rework: Rework,
    statement: Statement,
    settings: ScoringSettings,
) -> list[SourceInfluence]:
    """The sources whose removal moves the row most: its ceiling, its suggested grade, its band statuses."""
    limit = settings.top_influential_sources
    if fit.state == "insufficient" or limit == 0 or not points.size:
        return []
    sources, scores = approximate_shifts(fit, points, settings)
    candidates = limit * CANDIDATES_PER_SLOT
    if len(sources) > candidates:
        keep = np.argpartition(-scores, candidates - 1)[:candidates]
        sources, scores = sources[keep], scores[keep]
    order = sorted(zip(sources.tolist(), scores.tolist(), strict=True), key=lambda p: (-p[1], source_keys[p[0]]))
    posterior = log_posterior(bins, settings) if fit.crossing is not None else None
    point_source = np.asarray(points["source"])
    segment_source = rework.inputs.segments["source"].to_numpy()
    claim_source = rework.inputs.claims["source_code"].to_numpy()
    found = []
    for source, _ in order:
        kept = point_source != source
        own = aspect_bins(points.where(np.flatnonzero(~kept)), settings)
        rest = refit_without(own, bins, fit.n_sources, evidence_range(points.where(kept), DIM), settings)
        shift = None
        if posterior is not None:
            x, w, wy = (own[c].to_numpy() for c in ("x", f"w_{DIM}", f"wy_{DIM}"))
            mine = log_likelihood(x, w, wy, settings)
            shift = summarise(posterior - mine, settings).median - fit.crossing
        changes = rework.band_changes(segment_source != source)
        moved = int(rest.state != fit.state) + len(changes)
        found.append((-moved, -abs(shift or 0.0), source_keys[source], source, kept, rest, shift, changes))
    influences = []
    for *_, source, kept, rest, shift, changes in sorted(found, key=lambda f: f[:3])[:limit]:
        grade_without = rework.grade_without(rest, segment_source != source, kept, claim_source != source)
        text = (
            f"without {source_keys[source]} {ceiling_text(rest, shift, statement(rest, ('source', source)))}"
            f"{moved_text(rework.grade, grade_without, changes)}"
        )
        influences.append(
            SourceInfluence(
                source_key=source_keys[source],
                shift_decades=r6(shift),
                state_without=rest.state,
                grade=rework.grade,
                grade_without=grade_without,
                band_changes=changes,
                text=text,
            )
        )
    return influences


def without_estimates(
    fit: FitResult, points, left_out: int, rework: Rework, statement: Statement, settings
) -> EstimateSensitivity | None:
    """The row from disclosed sizes only, beside the one that uses the analysts' estimates."""
    if left_out == 0:
        return None
    kept = ~np.asarray(points["estimated"]).astype(bool)
    measured_points = points.where(kept)
    sources = sources_with_weight(measured_points, DIM)
    rest = fit_dimension(
        aspect_bins(measured_points, settings), sources, DIM, settings, evidence_range(measured_points, DIM)
    )
    where = statement(rest, ("estimated", True))
    shift = None if rest.crossing is None or fit.crossing is None else rest.crossing - fit.crossing
    segment_kept = ~rework.inputs.segments["estimated"].to_numpy().astype(bool)
    changes = rework.band_changes(segment_kept)
    grade_without = rework.grade_without(rest, segment_kept, kept)
    return EstimateSensitivity(
        results_left_out=left_out,
        shift_decades=r6(shift),
        state_without=rest.state,
        statement_without=where,
        grade=rework.grade,
        grade_without=grade_without,
        band_changes=changes,
        text=(
            f"without the {left_out} result(s) whose size is an estimate {ceiling_text(rest, shift, where)}"
            f"{moved_text(rework.grade, grade_without, changes)}"
        ),
    )


def aspect_sensitivity(
    aspect_key: str,
    fit: FitResult,
    bins: pd.DataFrame,
    points,
    inputs: GradeInputs,
    grade: str,
    left_out: int,
    source_keys: list[str],
    settings: ScoringSettings,
    statement: Statement | None = None,
) -> AspectSensitivity:
    """Most influential sources of one aspect and the effect of its estimated sizes; none for measured impact."""
    if inputs.role == "impact":
        return AspectSensitivity(aspect_key=aspect_key, sources=[], without_estimates=None)
    rework = Rework(inputs, grade, points, settings)
    statement = statement or plain_statement(inputs.segments, settings)
    return AspectSensitivity(
        aspect_key=aspect_key,
        sources=source_influences(fit, bins, points, source_keys, rework, statement, settings),
        without_estimates=without_estimates(fit, points, left_out, rework, statement, settings),
    )
