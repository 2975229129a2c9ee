"""Place each result on the scale axis: per aspect, per band, with one source's weight shared.

A result counts once for every aspect its claim bears on. A sized result becomes one segment per
band its log10(params) range overlaps (a point size gives one segment), carrying the fraction of
the range inside that band, and each segment becomes a few quadrature points in log10 space for
the ceiling fit. Results of one source in one aspect x band share one source's weight: each is
divided by the source's (fractional) number of results there, when that number exceeds one.

Each result carries two outcomes: validity (its outcome: validated or useful there) and reach (could the
method be applied there; when not recorded, a result on a model shows the method was applied). A size known
only as an open-ended bound ("at least L") is censored: a success or partial counts at L, because a method
that works above L works at L when P(works) falls with scale; a failure there could lie at any larger scale,
so it counts in neither the fit nor the band cells of that dimension (it is counted as censored); a partial
counts as its success half (censored_outcome). Validity counts only results judged by a standard that can
show validity (settings.validity_standards); the others, and results whose validity was not assessed,
count for reach only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from app.evidence.enums import SafetyImpact
from app.scoring.groups import group_index, stable_order
from app.scoring.inputs import Evidence
from app.scoring.settings import ScoringSettings

OUTCOME_VALUE = {"success": 1.0, "partial": 0.5, "failure": 0.0, "not_assessed": np.nan}
# How a result was judged (results.evaluation_standard); code 0 is "not recorded" (docs/scoring.md section 5).
STANDARDS = (
    "not_recorded",
    "internal_metric",
    "mechanistic_comparison",
    "simple_baseline",
    "ground_truth",
    "demonstration",
)
IMPACTS = [impact.value for impact in SafetyImpact]
NOT_APPLICABLE = IMPACTS.index(SafetyImpact.not_applicable.value)


@dataclass(frozen=True)
class ScaleData:
    """Results exploded by aspect, their band segments and their fit points."""

    aspect_keys: list[str]
    band_keys: list[str]
    band_log10: np.ndarray  # shape (n_bands, 2): [low, high) in log10 params, +-inf when open
    source_keys: list[str]  # the "source" code of segments and points indexes this list
    links: tuple[np.ndarray, np.ndarray]  # distinct (claim, aspect) pairs, by claim then aspect
    rows: pd.DataFrame  # one row per visible (result, aspect)
    segments: pd.DataFrame  # one row per (sized mechanistic row, band cell)
    points: Columns  # quadrature points of the segments, for the fit
    row_bounds: np.ndarray  # rows, segments and points are aspect-major: aspect a is [bounds[a], bounds[a + 1])
    segment_bounds: np.ndarray
    point_bounds: np.ndarray

    def rows_of(self, aspect: int) -> pd.DataFrame:
        return self.rows.iloc[self.row_bounds[aspect] : self.row_bounds[aspect + 1]]

    def segments_of(self, aspect: int) -> pd.DataFrame:
        return self.segments.iloc[self.segment_bounds[aspect] : self.segment_bounds[aspect + 1]]

    def points_of(self, aspect: int) -> Columns:
        window = slice(self.point_bounds[aspect], self.point_bounds[aspect + 1])
        return Columns({name: values[window] for name, values in self.points.items()})


def sample_size_factors(results: pd.DataFrame, settings: ScoringSettings) -> np.ndarray:
    """Weight factor of each result for the number of tasks, datasets or runs it aggregates.

    1 for one case or an unknown size, rising with log10(n) to sample_size_max_factor at
    sample_size_full_credit tasks and capped there: tasks within one result share a model, a method and
    its authors, so they are not independent replications and their information grows far slower than n.
    """
    n = results["sample_size"].to_numpy(float)
    n = np.where(np.isnan(n) | (n < 1), 1.0, n)
    share = np.minimum(np.log10(n) / np.log10(settings.sample_size_full_credit), 1.0)
    return 1.0 + (settings.sample_size_max_factor - 1.0) * share


def ordered_keys(frame: pd.DataFrame) -> list[str]:
    """Keys of an aspects or bands frame in sort_order, then key."""
    order = frame.assign(_o=frame["sort_order"].fillna(0)).sort_values(["_o", "key"])
    return order["key"].tolist()


def log10_sizes(evidence: Evidence) -> tuple[np.ndarray, np.ndarray]:
    """Low and high log10(params) of each result: equal for a point size, high = inf for an open-ended
    bound, NaN when unsized."""
    results = evidence.results
    point = results["params"].to_numpy(float)
    low = results["params_low"].to_numpy(float)
    high = results["params_high"].to_numpy(float)
    high = np.where(~np.isnan(low) & (low > 0) & np.isnan(high) & np.isnan(point), np.inf, high)
    has_range = ~np.isnan(low) & ~np.isnan(high) & (high > 0) & (low > 0)
    basis = evidence.coded("results", "params_basis")
    use_point = basis.take(basis.uniques == "disclosed", False).astype(bool) | ~has_range
    use_point &= ~np.isnan(point) & (point > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        lo = np.where(use_point, np.log10(point), np.where(has_range, np.log10(low), np.nan))
        hi = np.where(use_point, np.log10(point), np.where(has_range, np.log10(high), np.nan))
    return lo, hi


def baseline_loss(evidence: Evidence) -> np.ndarray:
    """True where the result lost to its baseline: the recorded winner, else the metric and baseline values."""
    res = evidence.results
    metric = res["metric_value"].to_numpy(float)
    base = res["baseline_value"].to_numpy(float)
    hib = evidence.coded("results", "higher_is_better")
    known = ~np.isnan(metric) & ~np.isnan(base) & (hib.codes >= 0)
    higher = hib.take([bool(v) for v in hib.uniques], True).astype(bool)
    by_values = known & np.where(higher, metric < base, metric > base)
    winner = evidence.coded("results", "winner")
    return np.where(winner.codes >= 0, winner.take(winner.uniques == "baseline", False).astype(bool), by_values)


def of_family(evidence: Evidence, table: str, column: str, family: str, unknown: str | None) -> np.ndarray:
    """1 where the entry's method is of the family (unknown methods count as `unknown`), 0 where it is
    another, -1 where there is no method; one lookup per distinct method."""
    families = dict(zip(evidence.methods["key"], evidence.methods["family"], strict=True))
    coded = evidence.coded(table, column)
    return coded.take(np.array([families.get(m, unknown) == family for m in coded.uniques], dtype=np.int8), -1)


def result_rows(evidence: Evidence, claims: pd.DataFrame, settings: ScoringSettings) -> pd.DataFrame:
    """Visible results (weight > 0) as integer codes: result, claim and source positions, and values.

    "res" indexes evidence.results, "claim" the claims table (in evidence.claims' order), "source"
    evidence.sources; strings are looked up only for what is cited, so a million results stay cheap.
    """
    res = evidence.results
    at = evidence.positions("results", "claim_key")
    unknown = settings.unknown_method_family
    own = of_family(evidence, "results", "method", "mechanistic", unknown)
    of_claim = of_family(evidence, "claims", "method", "mechanistic", unknown)[at]
    mechanistic = np.where(own >= 0, own, np.where(of_claim >= 0, of_claim, unknown == "mechanistic")).astype(bool)
    y = evidence.coded("results", "outcome").take(outcome_values(evidence, "outcome"), np.nan)
    if settings.baseline_loss_is_failure:
        y = np.where(baseline_loss(evidence) & mechanistic & ~np.isnan(y), 0.0, y)
    reach = evidence.coded("results", "reach_outcome").take(outcome_values(evidence, "reach_outcome"), 1.0)
    lo, hi = log10_sizes(evidence)
    open_ended = np.isinf(hi)
    hi = np.where(open_ended, lo, hi)
    weight = claims["weight"].to_numpy()[at] * sample_size_factors(res, settings)
    visible = weight > 0
    columns = {
        "res": np.arange(len(res)),
        "claim": at,
        "source": evidence.positions("claims", "source_key")[at],
        "weight": weight,
        "mechanistic": mechanistic,
        "y": y,
        "y_reach": reach,
        "lo": lo,
        "hi": hi,
        "open_ended": open_ended,
        "estimated": ~np.isnan(lo) & (res["params_basis"].to_numpy() != "disclosed"),
        "compared": (evidence.coded("results", "baseline_name").codes >= 0)
        | (evidence.coded("results", "baseline_method").codes >= 0),
        "head_to_head": of_family(evidence, "results", "baseline_method", "baseline", None) == 1,
        "impact": impact_codes(evidence, "safety_impact"),
        "standard": standard_codes(evidence),
    }
    return pd.DataFrame({name: values[visible] for name, values in columns.items()}, copy=False)


def standard_codes(evidence: Evidence) -> np.ndarray:
    """Each result's evaluation standard as its position in STANDARDS (0 when not recorded)."""
    coded = evidence.coded("results", "evaluation_standard")
    return coded.take([STANDARDS.index(v) for v in coded.uniques], 0).astype(np.int8)


def impact_codes(evidence: Evidence, column: str) -> np.ndarray:
    """Each result's safety impact as its position in IMPACTS."""
    coded = evidence.coded("results", column)
    return coded.take([IMPACTS.index(v) for v in coded.uniques], NOT_APPLICABLE).astype(np.int8)


def outcome_values(evidence: Evidence, column: str) -> np.ndarray:
    """The value of each distinct outcome of a results column (success 1, partial 0.5, failure 0)."""
    return np.array([OUTCOME_VALUE[o] for o in evidence.coded("results", column).uniques], dtype=float)


def band_cells(bands: pd.DataFrame, band_keys: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Partition of the log10 axis by band edges: cell edges, and the band index of each cell."""
    ordered = bands.set_index("key").loc[band_keys]
    with np.errstate(divide="ignore"):
        lows = np.log10(ordered["min_params"].fillna(0.0).to_numpy(float))
    highs = np.log10(ordered["max_params"].fillna(np.inf).to_numpy(float))
    edges = np.unique(np.concatenate([lows, highs]))
    edges = edges[np.isfinite(edges)]
    cell_lo = np.concatenate([[-np.inf], edges])
    cell_hi = np.concatenate([edges, [np.inf]])
    with np.errstate(invalid="ignore"):  # a single band open at both ends gives inf - inf, replaced below
        middle = (cell_lo + cell_hi) / 2
    probe = np.where(np.isinf(cell_lo), cell_hi - 1, np.where(np.isinf(cell_hi), cell_lo + 1, middle))
    probe = np.where(np.isfinite(probe), probe, 0.0)
    inside = (probe[:, None] >= lows[None, :]) & (probe[:, None] < highs[None, :])
    cell_band = np.where(inside.any(axis=1), inside.argmax(axis=1), -1)
    return np.column_stack([cell_lo, cell_hi]), cell_band, np.column_stack([lows, highs])


class Columns(dict):
    """Equal-length numpy columns by name: a lighter frame for the engine's largest exploded arrays."""

    def where(self, mask: np.ndarray, names: tuple[str, ...] | None = None) -> Columns:
        return Columns({name: self[name][mask] for name in names or self})

    @property
    def size(self) -> int:
        return len(next(iter(self.values()))) if self else 0


def _segments(lo: np.ndarray, hi: np.ndarray, cells: np.ndarray) -> tuple[np.ndarray, ...]:
    """Pieces of each sized row per band cell: row position, cell, fraction of its log-range, piece ends."""
    point = lo == hi
    p_idx = np.flatnonzero(point)
    parts = [(p_idx, np.searchsorted(cells[1:, 0], lo[p_idx], side="right"), np.ones(len(p_idx)), lo[p_idx], lo[p_idx])]
    r_idx = np.flatnonzero(~point)
    if len(r_idx):
        a = np.maximum(lo[r_idx, None], cells[None, :, 0])
        b = np.minimum(hi[r_idx, None], cells[None, :, 1])
        ri, ci = np.nonzero(b > a)
        rows = r_idx[ri]
        parts.append((rows, ci, (b[ri, ci] - a[ri, ci]) / (hi[rows] - lo[rows]), a[ri, ci], b[ri, ci]))
    return tuple(np.concatenate(column) for column in zip(*parts, strict=True))


def _points(segments: pd.DataFrame, q: int) -> tuple[Columns, np.ndarray]:
    """Quadrature points of the segments (one for a point size, q for a range piece), weights split evenly,
    and where each segment's points start."""
    a, b = segments["a"].to_numpy(), segments["b"].to_numpy()
    n = np.where(a == b, 1, q)
    starts = np.concatenate([[0], np.cumsum(n)])
    k = np.arange(starts[-1]) - np.repeat(starts[:-1], n)
    share = 1.0 / n
    points = Columns(x=np.repeat(a, n) + (k + 0.5) * np.repeat(share, n) * np.repeat(b - a, n))
    for name in ("source", "estimated", "standard", "y_validity", "y_reach"):
        points[name] = np.repeat(segments[name].to_numpy(), n)
    for name in ("w_validity", "w_reach"):
        points[name] = np.repeat(segments[name].to_numpy() * share, n)
    return points, starts


def aspect_links(evidence: Evidence, aspect_keys: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Distinct (claim position, aspect index in aspect_keys) pairs, sorted by claim, then aspect."""
    index_of = pd.Index(aspect_keys).get_indexer(evidence.aspects["key"])
    claim = evidence.positions("claim_aspects", "claim_key").astype(np.int64)
    aspect = index_of[evidence.positions("claim_aspects", "aspect_key")]
    pairs = np.sort(claim * len(aspect_keys) + aspect)
    pairs = pairs[np.concatenate([[True], pairs[1:] != pairs[:-1]])] if len(pairs) else pairs
    return pairs // len(aspect_keys), pairs % len(aspect_keys)


def _explode_by_aspect(results: pd.DataFrame, links: tuple[np.ndarray, np.ndarray], n_claims: int) -> pd.DataFrame:
    """One row per (result, aspect of its claim), aspect-major and in result order within an aspect."""
    link_claim, link_aspect = links
    per_claim = np.bincount(link_claim, minlength=n_claims)
    starts = np.concatenate([[0], np.cumsum(per_claim)[:-1]])
    claim = results["claim"].to_numpy()
    repeats = per_claim[claim]
    take = np.repeat(np.arange(len(results)), repeats)
    offset = np.arange(len(take)) - np.repeat(np.cumsum(repeats) - repeats, repeats)
    aspect = link_aspect[np.repeat(starts[claim], repeats) + offset]
    order = stable_order(aspect)
    take, aspect = take[order], aspect[order]
    columns = {name: results[name].to_numpy()[take] for name in results.columns}
    columns["sized"] = ~np.isnan(columns["lo"])
    return pd.DataFrame({**columns, "aspect": aspect}, copy=False)


def censored_outcome(y: np.ndarray, w: np.ndarray, censored: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The outcome and weight a fit point carries; not assessed (NaN) weighs nothing.

    At an open-ended bound ("at least L") only what a larger true size cannot undo counts at L: a success
    counts whole, a partial counts as its success half (half the weight, y = 1), because its failure half,
    like a failure above L, could lie at any larger scale and bounds nothing; a failure is left out.
    """
    w = np.where(np.isnan(y), 0.0, w)
    w = np.where(censored, np.where(y == 0.5, w / 2, np.where(y == 0.0, 0.0, w)), w)
    y = np.where(np.isnan(y), 0.0, np.where(censored & (y == 0.5), 1.0, y))
    return y, w


def scale_data(evidence: Evidence, claims: pd.DataFrame, settings: ScoringSettings) -> ScaleData:
    """Explode visible results by aspect and spread the sized mechanistic ones over bands and points."""
    aspect_keys, band_keys = ordered_keys(evidence.aspects), ordered_keys(evidence.bands)
    results = result_rows(evidence, claims, settings)
    links = aspect_links(evidence, aspect_keys)
    rows = _explode_by_aspect(results, links, len(claims))
    cells, cell_band, band_log10 = band_cells(evidence.bands, band_keys)
    fit_at = np.flatnonzero(rows["sized"].to_numpy() & rows["mechanistic"].to_numpy())
    lo, hi = rows["lo"].to_numpy()[fit_at], rows["hi"].to_numpy()[fit_at]
    seg_pos, cell, frac, a, b = _segments(lo, hi, cells)
    order = np.argsort(seg_pos, kind="stable")
    seg_pos, cell, frac, a, b = seg_pos[order], cell[order], frac[order], a[order], b[order]
    at = fit_at[seg_pos]
    aspect, source = rows["aspect"].to_numpy()[at], rows["source"].to_numpy()[at]
    inverse, _ = group_index([source, aspect, cell])
    together = np.maximum(np.bincount(inverse, weights=frac)[inverse], 1.0) if len(inverse) else frac
    share = 1.0 + (together - 1.0) * settings.within_source_correlation
    wn = rows["weight"].to_numpy()[at] * frac / share
    censored = rows["open_ended"].to_numpy()[at]
    standard = rows["standard"].to_numpy()[at]
    y_validity, w_validity = censored_outcome(rows["y"].to_numpy()[at], wn, censored)
    y_reach, w_reach = censored_outcome(rows["y_reach"].to_numpy()[at], wn, censored)
    shows_validity = np.isin(standard, [STANDARDS.index(s) for s in settings.validity_standards])
    w_validity = np.where(shows_validity, w_validity, 0.0)
    segments = pd.DataFrame(
        {
            "row": at,
            "cell": cell,
            "band": cell_band[cell],
            "frac": frac,
            "a": a,
            "b": b,
            "aspect": aspect,
            "source": source,
            "estimated": rows["estimated"].to_numpy()[at],
            "standard": standard,
            "y": rows["y"].to_numpy()[at],
            "weight": rows["weight"].to_numpy()[at],
            "wn": wn,
            "y_validity": y_validity,
            "y_reach": y_reach,
            "w_validity": w_validity,
            "w_reach": w_reach,
        },
        copy=False,
    )
    points, point_starts = _points(segments, settings.points_per_range_segment)
    n = len(aspect_keys)
    row_bounds, segment_bounds = (np.searchsorted(t["aspect"].to_numpy(), np.arange(n + 1)) for t in (rows, segments))
    return ScaleData(
        aspect_keys,
        band_keys,
        band_log10,
        evidence.sources["key"].tolist(),
        links,
        rows,
        segments,
        points,
        row_bounds,
        segment_bounds,
        point_starts[segment_bounds],
    )
