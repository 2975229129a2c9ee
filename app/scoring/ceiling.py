"""The ceiling of an aspect: first a test that P(works) falls with scale, then the grid posterior of its crossing.

A ceiling is stated (located, or a bound) only when the evidence prefers a fall with scale over a flat
P(works), judged within evaluation standards (app/scoring/fall.py): p_fall >= settings.min_p_fall. Otherwise
the row says "no dependence on scale shown" with the flat rate. Where there is a fall, the crossing is the
median of the grid posterior of app/scoring/posterior.py, a number only inside the range of informative
evidence; every sized result failing is "not established at any scale". Each aspect has two ceilings:
validity and reach; docs/scoring.md argues each choice.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from app.scoring.fall import Stratum, p_fall, rate_interval
from app.scoring.naming import NONE, NamedSize, TestedModels, format_params
from app.scoring.posterior import posterior_summary
from app.scoring.schema import Ceiling, StandardFit
from app.scoring.settings import ScoringSettings
from app.scoring.spread import STANDARDS

DIMENSIONS = ("validity", "reach")
STATES_WITH_A_CEILING = ("estimated", "below_range", "not_reached")  # the row states a ceiling (or a bound on one)


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
    dimension: str = "validity"
    p_fall: float | None = None
    rate: tuple[float, float, float] | None = None  # flat rate: mean, low, high
    informative: tuple[float, float] | None = None  # the range of informative evidence, log10

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


def evidence_range(points, dimension: str, kept: np.ndarray | None = None) -> tuple[float, float] | None:
    """The exact smallest and largest scale with weight in one dimension (among the kept points)."""
    weighed = np.asarray(points[f"w_{dimension}"]) > 0
    x = np.asarray(points["x"])[weighed if kept is None else weighed & kept]
    return (float(x.min()), float(x.max())) if len(x) else None


def sources_with_weight(points, dimension: str) -> int:
    """How many sources have weight in one dimension."""
    source = np.asarray(points["source"])[np.asarray(points[f"w_{dimension}"]) > 0]
    return int(np.count_nonzero(np.bincount(source))) if len(source) else 0


def binned(x: np.ndarray, w: np.ndarray, y: np.ndarray, width: float) -> tuple[np.ndarray, ...]:
    """Points summed into log10 bins of a width: bin centres, weights, weighted successes (bins with weight)."""
    if len(x) == 0:
        return np.zeros(0), np.zeros(0), np.zeros(0)
    index = np.floor(x / width + 0.5).astype(np.int64)
    low = int(index.min())
    w_bin = np.bincount(index - low, weights=w)
    keep = np.flatnonzero(w_bin > 0)
    return (keep + low) * width, w_bin[keep], np.bincount(index - low, weights=w * y)[keep]


def strata_of(points, dimension: str, settings: ScoringSettings) -> list[Stratum]:
    """The evidence of one dimension by evaluation standard (reach: one stratum, standards do not matter), in
    bins of the test's crossing step: within 0.1 decades the fall model's curve moves by under 0.08 in logit."""
    x, w, y = (np.asarray(points[k]) for k in ("x", f"w_{dimension}", f"y_{dimension}"))
    standard = np.asarray(points["standard"]) if dimension == "validity" else np.zeros(len(x), np.int8)
    present = np.flatnonzero(np.bincount(standard[w > 0], minlength=len(STANDARDS))) if len(x) else []
    strata = []
    for code in present:
        mine = (standard == code) & (w > 0)
        strata.append(Stratum(STANDARDS[code], *binned(x[mine], w[mine], y[mine], settings.fall_grid_step_decades)))
    return strata


def informative_range(x: np.ndarray, crossing: float, settings: ScoringSettings) -> tuple[float, float]:
    """The scales tested that are informative about the crossing: none more than informative_decades away.

    Further than that from the crossing the curve is on its flat (lapse) part for every nearby crossing, so
    such a result says only "the crossing is above (or below) me", not where it is. The range runs from the
    smallest scale tested at most that far below the crossing to the largest at most that far above it; a
    number is stated only when evidence lies on both sides within that distance, so a study of 100-parameter
    networks cannot turn "below the smallest scale tested, 2B" into "about 16M", a number in an untested gap.
    With no scale that near on one side, that end is the nearest scale tested on it.
    """
    reach = settings.informative_decades
    above, below = x[x >= crossing - reach], x[x <= crossing + reach]
    low = float(above.min()) if len(above) else float(x.max())
    high = float(below.max()) if len(below) else float(x.min())
    return low, high


def fit_dimension(
    bins: pd.DataFrame,
    n_sources: int,
    dimension: str,
    settings: ScoringSettings,
    x_range: tuple[float, float] | None = None,
    strata: list[Stratum] | None = None,
    exact_x: np.ndarray | None = None,
) -> FitResult:
    """Fit one aspect's ceiling in one dimension from its bins, or say why there is no number.

    x_range is the exact range of the evidence and exact_x its exact scales; without them the used bins stand
    in. strata are the bins by evaluation standard for the test of a fall; without them, one stratum.
    """
    w, wy, x = bins[f"w_{dimension}"].to_numpy(), bins[f"wy_{dimension}"].to_numpy(), bins["x"].to_numpy()
    used = w > 0
    weight = float(w.sum())
    if x_range is None and used.any():
        x_range = (float(bins["x_lo"].to_numpy()[used].min()), float(bins["x_hi"].to_numpy()[used].max()))
    x_min, x_max = x_range if x_range is not None and used.any() else (None, None)
    estimated = bool("w_est" in bins and (bins["w_est"].to_numpy() > 0).any())
    base = {"weight": weight, "n_sources": n_sources, "x_min": x_min, "x_max": x_max, "estimated_sizes": estimated}
    base["dimension"] = dimension
    if weight < settings.min_fit_weight or n_sources < settings.min_fit_sources or weight <= 0:
        reason = (
            f"too thin to fit: sized weight {weight:.2f} (needs {settings.min_fit_weight:g}) "
            f"from {n_sources} source(s) (needs {settings.min_fit_sources})"
        )
        return FitResult("insufficient", None, None, None, reason=reason, **base)
    summary = posterior_summary(x[used], w[used], wy[used], settings)
    if strata is None:
        y = wy[used] / w[used]
        strata = [Stratum("not_recorded", *binned(x[used], w[used], y, settings.fall_grid_step_decades))]
    scales = exact_x[np.isfinite(exact_x)] if exact_x is not None and len(exact_x) else x[used]
    informative = informative_range(scales, summary.median, settings)
    fall = p_fall(strata, settings)
    if float(wy.sum()) <= 1e-12:
        state = "not_established"
    elif fall < settings.min_p_fall:
        state = "no_scale_dependence"
    elif summary.median < informative[0]:
        state = "below_range"
    elif summary.median > informative[1]:
        state = "not_reached"
    else:
        state = "estimated"
    rate = rate_interval(weight, float(wy.sum()), settings)
    extra = {"p_fall": fall, "rate": rate, "informative": informative}
    return FitResult(state, summary.median, summary.low, summary.high, reason="", **base, **extra)


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


VERB = {"validity": "validated", "reach": "applied"}


def informative_end(which: str, at_own_end: bool, own: str, named: NamedSize | None, log10_end: float) -> str:
    """One end of the informative range in words: the evidence's own end model, or the model tested at the
    informative end inside it (its size as recorded, a range where the end is a point of one), or, unnamed
    (a refit without names), the scale itself."""
    if at_own_end:
        return f"the {which} model tested ({own})"
    if named is not None:
        return f"the {which} informative model tested ({named.text()})"
    return f"the {which} informative scale tested, {format_params(log10_end)}"


def percent(value: float) -> str:
    """A rate as a whole percentage."""
    return f"{100 * value:.0f}%"


def ceiling_output(
    fit: FitResult,
    settings: ScoringSettings,
    models: TestedModels = NONE,
    dimension: str | None = None,
    standards: list[StandardFit] | None = None,
) -> Ceiling:
    """The Ceiling model of a fit, with its plain statement: no number outside the informative evidence, and
    every size in the statement a named model's or an analyst's bound (app/scoring/naming.py)."""
    dimension = dimension or fit.dimension
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
        "standards": standards or [],
    }
    if fit.state == "insufficient":
        return Ceiling(state="insufficient", statement=fit.reason, **base)
    c, low, high = fit.crossing, fit.low, fit.high
    lo_inf, hi_inf = fit.informative
    rate, rate_low, rate_high = fit.rate
    common = {
        **base,
        "crossing_log10_params": r6(c),
        "crossing_low_log10": r6(low),
        "crossing_high_log10": r6(high),
        "p_fall": r6(fit.p_fall),
        "rate": r6(rate),
        "rate_low": r6(rate_low),
        "rate_high": r6(rate_high),
        "informative_low_params": r6(10**lo_inf),
        "informative_high_params": r6(10**hi_inf),
    }
    mass = round(settings.credible_mass * 100)
    small, large, frontier = tested_range_texts(fit, models, dimension)
    if fit.state == "not_established":
        text = f"not established at any scale: every sized result fails (tested from {small} to {large}){frontier}"
        return Ceiling(state="not_established", statement=text + flag, **common)
    if fit.state == "no_scale_dependence":
        text = (
            f"no dependence on scale shown: {VERB[dimension]} in {percent(rate)} ({mass}% interval "
            f"{percent(rate_low)}-{percent(rate_high)}) of results at every scale tested, from {small} to "
            f"{large}{frontier}{flag}"
        )
        return Ceiling(state="no_scale_dependence", statement=text, **common)
    low_end = informative_end("smallest", lo_inf <= fit.x_min + 1e-9, small, models.informative_low, lo_inf)
    high_end = informative_end("largest", hi_inf >= fit.x_max - 1e-9, large, models.informative_high, hi_inf)
    if fit.state == "below_range":
        text = f"below {low_end}{flag}"
        return Ceiling(state="below_range", bound_params=r6(10**lo_inf), statement=text, **common)
    if fit.state == "not_reached":
        text = f"not reached up to {high_end}{frontier}{flag}"
        return Ceiling(state="not_reached", bound_params=r6(10**hi_inf), statement=text, **common)
    low_text = f"below {low_end}" if low < lo_inf else format_params(low)
    high_text = f"above {high_end}" if high > hi_inf else format_params(high)
    return Ceiling(
        state="estimated",
        params=r6(10**c),
        params_low=r6(10 ** max(low, lo_inf)),
        params_high=r6(10 ** min(high, hi_inf)),
        statement=f"about {format_params(c)}; {mass}% interval from {low_text} to {high_text}{flag}",
        **common,
    )


def standard_fits(strata: list[Stratum], segments: pd.DataFrame, settings: ScoringSettings) -> list[StandardFit]:
    """What each evaluation standard says about an aspect: its results, rate and own test of a fall."""
    by_name = {s.standard: s for s in strata}
    code, row = segments["standard"].to_numpy(), segments["row"].to_numpy()
    out = []
    for c in np.flatnonzero(np.bincount(code, minlength=len(STANDARDS))):
        name = STANDARDS[int(c)]
        mine = code == c
        rows = row[mine]  # a row's pieces are contiguous in the aspect-major segments
        n = int(len(rows) > 0) + int(np.count_nonzero(np.diff(rows)))
        shows = name in settings.validity_standards
        stratum = by_name.get(name)
        if not shows:
            y, w = segments["y"].to_numpy()[mine], segments["wn"].to_numpy()[mine]
            judged = ~np.isnan(y)
            weight, wy = float(w[judged].sum()), float((w * np.where(judged, y, 0.0)).sum())
            fall = None
        else:
            weight = stratum.weight if stratum else 0.0
            wy = float(stratum.wy.sum()) if stratum else 0.0
            fall = p_fall([stratum], settings) if stratum else None
        if weight <= 0:
            out.append(
                StandardFit(
                    standard=name,
                    shows_validity=shows,
                    n_results=n,
                    weight=0.0,
                    statement=("no validity outcome at a sized scale"),
                )
            )
            continue
        rate, low, high = rate_interval(weight, wy, settings)
        said = f"validated in {percent(rate)} ({percent(low)}-{percent(high)}) of {n} result(s)"
        if shows:
            said += f"; P(fall with scale) {fall:.2f}"
        else:
            said += "; cannot show validity, counts for reach only"
        out.append(
            StandardFit(
                standard=name,
                shows_validity=shows,
                n_results=n,
                weight=r6(weight),
                rate=r6(rate),
                rate_low=r6(low),
                rate_high=r6(high),
                p_fall=r6(fall),
                statement=said,
            )
        )
    return out


def r6(value: float | None) -> float | None:
    """Round to 6 significant digits, so the JSON is short and stable."""
    if value is None or not np.isfinite(value):
        return None
    return float(f"{value:.6g}")
