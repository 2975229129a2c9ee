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
from scipy.special import betaincinv

from app.scoring.bands import status_of
from app.scoring.ceiling import (
    STATES_WITH_A_CEILING,
    FitResult,
    aspect_bins,
    ceiling_output,
    evidence_range,
    fit_dimension,
    r6,
    sources_with_weight,
    strata_of,
)
from app.scoring.fall import Stratum
from app.scoring.grade import GradeInputs, grade_aspect
from app.scoring.groups import group_index, group_sums
from app.scoring.naming import words
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


def strata_without(strata: list[Stratum], own: list[Stratum]) -> list[Stratum]:
    """The evidence by evaluation standard less one source's: its bins are among the aspect's (both binned
    with one width, so equal centres are equal floats)."""
    mine = {s.standard: s for s in own}
    rest = []
    for stratum in strata:
        part = mine.get(stratum.standard)
        if part is None:
            rest.append(stratum)
            continue
        at = np.searchsorted(stratum.x, part.x)
        w, wy = stratum.w.copy(), stratum.wy.copy()
        np.subtract.at(w, at, part.w)
        np.subtract.at(wy, at, part.wy)
        kept = w > 1e-12
        if kept.any():
            rest.append(Stratum(stratum.standard, stratum.x[kept], w[kept], wy[kept].clip(0.0)))
    return rest


def refit_without(
    own: pd.DataFrame, bins: pd.DataFrame, n_sources: int, rest_range, settings, strata=None, exact_x=None
) -> FitResult:
    """The fit of the rest: the aspect's bins less one source's, within the exact range of what remains, its
    test of a fall within evaluation standards as the row's (strata) and its informative range from the exact
    scales that remain (exact_x)."""
    at = np.searchsorted(bins["bin"].to_numpy(), own["bin"].to_numpy())  # bins are sorted by bin, own's are in them
    rest = bins.assign(w_reach=0.0, wy_reach=0.0)
    for column in (f"w_{DIM}", f"wy_{DIM}", "w_est"):
        mine_by_bin = np.zeros(len(bins))
        mine_by_bin[at] = own[column].to_numpy()
        rest[column] = (bins[column].to_numpy() - mine_by_bin).clip(0.0)
    others = n_sources - int((own[f"w_{DIM}"] > 0).any())
    return fit_dimension(rest[rest[f"w_{DIM}"] > 1e-12], others, DIM, settings, rest_range, strata, exact_x)


def statuses_of(weight: np.ndarray, successes: np.ndarray, counts: np.ndarray, settings: ScoringSettings) -> list:
    """Each band's status from its weight, weighted successes and number of pieces, as the scale table's."""
    tail = (1 - settings.credible_mass) / 2
    low = betaincinv(settings.prior_alpha + successes, settings.prior_beta + (weight - successes), tail)
    return [status_of(low[b], int(counts[b]), weight[b], settings) for b in range(len(weight))]


def band_statuses(band: np.ndarray, w: np.ndarray, wy: np.ndarray, n_bands: int, settings: ScoringSettings) -> list:
    """The status of every band of one aspect from its sized pieces with weight."""
    weight = np.bincount(band, weights=w, minlength=n_bands)
    successes = np.bincount(band, weights=wy, minlength=n_bands)
    return statuses_of(weight, successes, np.bincount(band, minlength=n_bands), settings)


def by_band_and_source(segments: pd.DataFrame, kept: np.ndarray) -> pd.DataFrame:
    """The kept segments summed by (band, source): all the grade reads of them (app/scoring/grade.py sums
    validity weight and weighted successes by band and source, or by source), so its domains come out the same
    on a frame a few hundred times smaller than the segments at a million results."""
    seg = segments[kept] if not kept.all() else segments
    w = seg["w_validity"].to_numpy()
    per = group_sums(
        {"band": seg["band"].to_numpy(), "source": seg["source"].to_numpy()},
        {"w_validity": w, "wy": w * seg["y_validity"].to_numpy()},
    )
    weight = per["w_validity"].to_numpy()
    rate = np.divide(per["wy"].to_numpy(), weight, out=np.zeros(len(per)), where=weight > 0)
    return per.assign(y_validity=rate)


class Rework:
    """One aspect's row recomputed without some of its evidence: band statuses (cheap: bincounts over numpy
    arrays) and the suggested grade (the five domains, dearer: only for the sources reported, on the segments
    summed by band and source)."""

    def __init__(self, inputs: GradeInputs, grade: str, points, settings: ScoringSettings):
        self.grade, self.points, self.settings = grade, points, settings
        seg, claims = inputs.segments, inputs.claims
        # the grade reads the claims' weight summed by tier and source, and each source's highest tier
        claims = claims.groupby(["source_code", "tier"], dropna=False, sort=True)["weight"].sum().reset_index()
        self.inputs = replace(inputs, segments=by_band_and_source(seg, np.ones(len(seg), bool)), claims=claims)
        band, w = seg["band"].to_numpy(), seg["w_validity"].to_numpy()
        self.sized = np.flatnonzero((band >= 0) & (w > 0))
        self.band, self.w = band[self.sized], w[self.sized]
        self.wy = self.w * seg["y_validity"].to_numpy()[self.sized]
        self.source = seg["source"].to_numpy()[self.sized]
        self.per_source: tuple | None = None  # sums by (source, band), made on first use
        self.statuses = band_statuses(self.band, self.w, self.wy, len(inputs.band_keys), settings)

    def band_changes(self, segment_kept: np.ndarray) -> list[StatusChange]:
        """The bands whose status differs on the kept segments."""
        keep = segment_kept[self.sized]
        n = len(self.inputs.band_keys)
        return self._changes(band_statuses(self.band[keep], self.w[keep], self.wy[keep], n, self.settings))

    def band_changes_without(self, source: int) -> list[StatusChange]:
        """The bands whose status differs without one source: the totals less that source's sums."""
        if self.per_source is None:
            n = len(self.inputs.band_keys)
            self.totals = [np.bincount(self.band, weights=v, minlength=n) for v in (self.w, self.wy, None)]
            inverse, (src, band) = group_index([self.source, self.band])
            sums = [np.bincount(inverse, weights=v, minlength=len(src)) for v in (self.w, self.wy, None)]
            self.per_source = (src, band, *sums)
        src, band, w, wy, n_pieces = self.per_source
        mine = src == source
        weight, successes, count = (t.copy() for t in self.totals)
        np.subtract.at(weight, band[mine], w[mine])
        np.subtract.at(successes, band[mine], wy[mine])
        np.subtract.at(count, band[mine], n_pieces[mine])
        return self._changes(statuses_of(weight.clip(0.0), successes.clip(0.0), count, self.settings))

    def _changes(self, statuses: list[str]) -> list[StatusChange]:
        return [
            StatusChange(band_key=key, status=before, status_without=after)
            for key, before, after in zip(self.inputs.band_keys, self.statuses, statuses, strict=True)
            if before != after
        ]

    def grade_without(self, fit: FitResult, segments: pd.DataFrame, point_kept: np.ndarray, claim_kept=None) -> str:
        """The suggested grade of the rest, given its segments summed by band and source."""
        g, pts = self.inputs, self.points
        used = point_kept & (np.asarray(pts[f"w_{DIM}"]) > 0)
        rest = replace(
            g,
            fit=fit,
            segments=segments,
            x=np.asarray(pts["x"])[used],
            w=np.asarray(pts[f"w_{DIM}"])[used],
            claims=g.claims if claim_kept is None else g.claims[claim_kept],
        )
        return grade_aspect(rest, NO_OVERRIDES, self.settings).suggested

    def without_source(self, source: int) -> pd.DataFrame:
        summed = self.inputs.segments
        return summed[summed["source"].to_numpy() != source]


def moved_text(grade: str, grade_without: str, changes: list[StatusChange]) -> str:
    """'; grade low -> very low; mid band partial -> fragmentary' or '; grade and band statuses unchanged'."""
    parts = [] if grade == grade_without else [f"grade {words(grade)} -> {words(grade_without)}"]
    parts += [f"{c.band_key} band {words(c.status)} -> {words(c.status_without)}" for c in changes]
    return "; " + "; ".join(parts) if parts else "; grade and band statuses unchanged"


Statement = Callable[[FitResult, tuple[str, object]], str]  # the rest's statement, given what was left out


def plain_statement(segments: pd.DataFrame, settings: ScoringSettings) -> Statement:
    """The rest's statement with its sizes named from the results that remain: the smallest and largest end of
    their sizes or ranges (a model's size or a bound), never a quadrature point or a bin's centre or edge. An
    engine that names models passes its own (the left-out part is ("source", code) or ("estimated", True))."""

    weighed = segments["w_validity"].to_numpy() > 0
    a, b = segments["a"].to_numpy(), segments["b"].to_numpy()

    def statement(rest: FitResult, left_out: tuple[str, object]) -> str:
        column, value = left_out
        kept = weighed & (segments[column].to_numpy() != value)
        if kept.any() and rest.x_min is not None:
            rest = replace(rest, x_min=float(a[kept].min()), x_max=float(b[kept].max()))
        return ceiling_output(rest, settings).statement

    return statement


def ceiling_shift(fit: FitResult, rest: FitResult, shift: float | None) -> float | None:
    """The move of the ceiling, only where the row and the rest both state one: beside "no dependence on scale
    shown" or "not established" there is no ceiling to move, only the posterior's median of a crossing."""
    both = fit.state in STATES_WITH_A_CEILING and rest.state in STATES_WITH_A_CEILING
    return shift if both else None


def movement(fit: FitResult, rest: FitResult, shift: float | None) -> float:
    """How far the rest moves from the row, to rank sources: the ceiling's shift in decades where both state
    one, else the change of the validated rate (a flat row has a rate, not a ceiling)."""
    if shift is not None:
        return abs(shift)
    if fit.rate is None or rest.rate is None:
        return 0.0
    return abs(rest.rate[0] - fit.rate[0])


def ceiling_text(fit: FitResult, rest: FitResult, shift: float | None, where: str) -> str:
    """How the rest reads against the row: its ceiling's move where both state one, else the rest's own words."""
    if rest.state == "insufficient":
        return "the rest is too thin to fit"
    if fit.state not in STATES_WITH_A_CEILING or rest.state not in STATES_WITH_A_CEILING:
        return f"the row {'reads' if rest.state == fit.state else 'becomes'}: {where}"
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
    strata: list[Stratum],
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
    point_source, point_x = np.asarray(points["source"]), np.asarray(points["x"])
    claim_source = rework.inputs.claims["source_code"].to_numpy()  # summed by source and tier
    found = []
    for source, _ in order:
        kept = point_source != source
        own_points = points.where(np.flatnonzero(~kept))
        own = aspect_bins(own_points, settings)
        rest_strata = strata_without(strata, strata_of(own_points, DIM, settings))
        weighed = kept & (np.asarray(points[f"w_{DIM}"]) > 0)
        rest = refit_without(
            own, bins, fit.n_sources, evidence_range(points, DIM, kept), settings, rest_strata, point_x[weighed]
        )
        shift = None
        if posterior is not None:
            x, w, wy = (own[c].to_numpy() for c in ("x", f"w_{DIM}", f"wy_{DIM}"))
            mine = log_likelihood(x, w, wy, settings)
            shift = ceiling_shift(fit, rest, summarise(posterior - mine, settings).median - fit.crossing)
        changes = rework.band_changes_without(source)
        moved = int(rest.state != fit.state) + len(changes)
        found.append((-moved, -movement(fit, rest, shift), source_keys[source], source, kept, rest, shift, changes))
    influences = []
    for *_, source, kept, rest, shift, changes in sorted(found, key=lambda f: f[:3])[:limit]:
        grade_without = rework.grade_without(rest, rework.without_source(source), kept, claim_source != source)
        text = (
            f"without {source_keys[source]} {ceiling_text(fit, rest, shift, statement(rest, ('source', source)))}"
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
    fit: FitResult, points, left_out: int, rework: Rework, statement: Statement, settings, segments: pd.DataFrame
) -> EstimateSensitivity | None:
    """The row from disclosed sizes only, beside the one that uses the analysts' estimates."""
    if left_out == 0:
        return None
    kept = ~np.asarray(points["estimated"]).astype(bool)
    measured_points = points.where(kept)
    sources = sources_with_weight(measured_points, DIM)
    rest = fit_dimension(
        aspect_bins(measured_points, settings),
        sources,
        DIM,
        settings,
        evidence_range(measured_points, DIM),
        strata_of(measured_points, DIM, settings),
        np.asarray(measured_points["x"])[np.asarray(measured_points[f"w_{DIM}"]) > 0],
    )
    where = statement(rest, ("estimated", True))
    moved = None if rest.crossing is None or fit.crossing is None else rest.crossing - fit.crossing
    shift = ceiling_shift(fit, rest, moved)
    segment_kept = ~np.asarray(segments["estimated"]).astype(bool)
    changes = rework.band_changes(segment_kept)
    grade_without = rework.grade_without(rest, by_band_and_source(segments, segment_kept), kept)
    return EstimateSensitivity(
        results_left_out=left_out,
        shift_decades=r6(shift),
        state_without=rest.state,
        statement_without=where,
        grade=rework.grade,
        grade_without=grade_without,
        band_changes=changes,
        text=(
            f"without the {left_out} result(s) whose size is an estimate {ceiling_text(fit, rest, shift, where)}"
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
    strata: list[Stratum] | None = None,
) -> AspectSensitivity:
    """Most influential sources of one aspect and the effect of its estimated sizes; none for measured impact."""
    if inputs.role == "impact":
        return AspectSensitivity(aspect_key=aspect_key, sources=[], without_estimates=None)
    rework = Rework(inputs, grade, points, settings)
    statement = statement or plain_statement(inputs.segments, settings)
    return AspectSensitivity(
        aspect_key=aspect_key,
        sources=source_influences(
            fit, bins, points, source_keys, rework, statement, settings, strata or strata_of(points, DIM, settings)
        ),
        without_estimates=without_estimates(fit, points, left_out, rework, statement, settings, inputs.segments),
    )
