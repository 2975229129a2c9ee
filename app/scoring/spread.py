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
so it counts in neither the fit nor the band cells of that dimension (it is counted as censored).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from app.scoring.inputs import Evidence
from app.scoring.settings import ScoringSettings

OUTCOME_VALUE = {"success": 1.0, "partial": 0.5, "failure": 0.0}


@dataclass(frozen=True)
class ScaleData:
    """Results exploded by aspect, their band segments and their fit points."""

    aspect_keys: list[str]
    band_keys: list[str]
    band_log10: np.ndarray  # shape (n_bands, 2): [low, high) in log10 params, +-inf when open
    source_keys: list[str]  # the "source" code of segments and points indexes this list
    rows: pd.DataFrame  # one row per visible (result, aspect)
    segments: pd.DataFrame  # one row per (sized mechanistic row, band cell)
    points: pd.DataFrame  # quadrature points of the segments, for the fit


def ordered_keys(frame: pd.DataFrame) -> list[str]:
    """Keys of an aspects or bands frame in sort_order, then key."""
    order = frame.assign(_o=frame["sort_order"].fillna(0)).sort_values(["_o", "key"])
    return order["key"].tolist()


def log10_sizes(results: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Low and high log10(params) of each result: equal for a point size, high = inf for an open-ended
    bound, NaN when unsized."""
    point = results["params"].to_numpy(float)
    low = results["params_low"].to_numpy(float)
    high = results["params_high"].to_numpy(float)
    high = np.where(~np.isnan(low) & (low > 0) & np.isnan(high) & np.isnan(point), np.inf, high)
    has_range = ~np.isnan(low) & ~np.isnan(high) & (high > 0) & (low > 0)
    use_point = (results["params_basis"].to_numpy() == "disclosed") | ~has_range
    use_point &= ~np.isnan(point) & (point > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        lo = np.where(use_point, np.log10(point), np.where(has_range, np.log10(low), np.nan))
        hi = np.where(use_point, np.log10(point), np.where(has_range, np.log10(high), np.nan))
    return lo, hi


def baseline_loss(results: pd.DataFrame) -> np.ndarray:
    """True where the result lost to its baseline: the recorded winner, else the metric and baseline values."""
    metric = results["metric_value"].to_numpy(float)
    base = results["baseline_value"].to_numpy(float)
    hib = results["higher_is_better"].to_numpy(object)
    known = ~np.isnan(metric) & ~np.isnan(base) & pd.notna(hib)
    higher = np.array([bool(v) if v is not None else True for v in hib], dtype=bool)
    by_values = known & np.where(higher, metric < base, metric > base)
    winner = results["winner"].to_numpy(object)
    return np.where(pd.notna(winner), winner == "baseline", by_values)


def result_rows(evidence: Evidence, claims: pd.DataFrame, settings: ScoringSettings) -> pd.DataFrame:
    """Visible results (weight > 0) as integer codes: result, claim and source positions, and values.

    "res" indexes evidence.results, "claim" the claims table, "source" evidence.sources; strings
    are looked up only for what is cited, so a million results stay cheap.
    """
    res = evidence.results
    at = claims.index.get_indexer(res["claim_key"])
    method = res["method"].where(res["method"].notna(), claims["method"].to_numpy()[at])
    families = dict(zip(evidence.methods["key"], evidence.methods["family"], strict=True))
    codes, uniques = pd.factorize(method, use_na_sentinel=True)
    family_of = np.array(
        [families.get(m, settings.unknown_method_family) for m in uniques] + [settings.unknown_method_family]
    )
    mechanistic = family_of[codes] == "mechanistic"
    y = res["outcome"].map(OUTCOME_VALUE).to_numpy(float)
    if settings.baseline_loss_is_failure:
        y = np.where(baseline_loss(res) & mechanistic, 0.0, y)
    reach = res["reach_outcome"].map(OUTCOME_VALUE).to_numpy(float)
    reach = np.where(np.isnan(reach), 1.0, reach)
    lo, hi = log10_sizes(res)
    open_ended = np.isinf(hi)
    hi = np.where(open_ended, lo, hi)
    source_index = pd.Index(evidence.sources["key"])
    rows = pd.DataFrame(
        {
            "res": np.arange(len(res)),
            "claim": at,
            "source": source_index.get_indexer(claims["source_key"].to_numpy()[at]),
            "weight": claims["weight"].to_numpy()[at],
            "mechanistic": mechanistic,
            "y": y,
            "y_reach": reach,
            "lo": lo,
            "hi": hi,
            "open_ended": open_ended,
            "estimated": ~np.isnan(lo) & (res["params_basis"].to_numpy() != "disclosed"),
            "compared": (res["baseline_name"].notna() | res["baseline_method"].notna()).to_numpy(),
            "head_to_head": np.array([families.get(m) == "baseline" for m in res["baseline_method"]], dtype=bool),
            "safety_impact": res["safety_impact"].to_numpy(),
        }
    )
    return rows[rows["weight"] > 0]


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


def _segments(rows: pd.DataFrame, cells: np.ndarray, cell_band: np.ndarray) -> pd.DataFrame:
    lo, hi = rows["lo"].to_numpy(), rows["hi"].to_numpy()
    point = lo == hi
    p_idx = np.flatnonzero(point)
    p_cell = np.searchsorted(cells[1:, 0], lo[p_idx], side="right")
    seg_row = [p_idx]
    seg_cell = [p_cell]
    seg_frac = [np.ones(len(p_idx))]
    seg_a, seg_b = [lo[p_idx]], [lo[p_idx]]
    r_idx = np.flatnonzero(~point)
    if len(r_idx):
        a = np.maximum(lo[r_idx, None], cells[None, :, 0])
        b = np.minimum(hi[r_idx, None], cells[None, :, 1])
        ri, ci = np.nonzero(b > a)
        seg_row.append(r_idx[ri])
        seg_cell.append(ci)
        seg_frac.append((b[ri, ci] - a[ri, ci]) / (hi[r_idx[ri]] - lo[r_idx[ri]]))
        seg_a.append(a[ri, ci])
        seg_b.append(b[ri, ci])
    segments = pd.DataFrame(
        {
            "row": np.concatenate(seg_row),
            "cell": np.concatenate(seg_cell),
            "frac": np.concatenate(seg_frac),
            "a": np.concatenate(seg_a),
            "b": np.concatenate(seg_b),
        }
    )
    segments["band"] = cell_band[segments["cell"].to_numpy()]
    return segments


def _points(segments: pd.DataFrame, q: int) -> pd.DataFrame:
    a, b = segments["a"].to_numpy(), segments["b"].to_numpy()
    n = np.where(a == b, 1, q)
    seg = np.repeat(np.arange(len(segments)), n)
    k = np.arange(len(seg)) - np.repeat(np.cumsum(n) - n, n)
    x = a[seg] + (k + 0.5) / n[seg] * (b[seg] - a[seg])
    return pd.DataFrame(
        {
            "segment": seg,
            "x": x,
            "wn": segments["wn"].to_numpy()[seg] / n[seg],
            "y": segments["y"].to_numpy()[seg],
            "aspect": segments["aspect"].to_numpy()[seg],
            "source": segments["source"].to_numpy()[seg],
            "row": segments["row"].to_numpy()[seg],
            "is_range": (a != b)[seg],
            "estimated": segments["estimated"].to_numpy()[seg],
            **{
                f"{kind}_{d}": segments[f"{kind}_{d}"].to_numpy()[seg] * (1 / n[seg] if kind == "w" else 1)
                for kind in ("w", "y")
                for d in ("validity", "reach")
            },
        }
    )


def scale_data(evidence: Evidence, claims: pd.DataFrame, settings: ScoringSettings) -> ScaleData:
    """Explode visible results by aspect and spread the sized mechanistic ones over bands and points."""
    aspect_keys, band_keys = ordered_keys(evidence.aspects), ordered_keys(evidence.bands)
    results = result_rows(evidence, claims, settings)
    links = evidence.claim_aspects.drop_duplicates()
    links = pd.DataFrame(
        {
            "claim": claims.index.get_indexer(links["claim_key"]),
            "aspect": pd.Index(aspect_keys).get_indexer(links["aspect_key"]),
        }
    )
    rows = results.merge(links, on="claim", how="inner", sort=False).reset_index(drop=True)
    rows["sized"] = ~np.isnan(rows["lo"].to_numpy())
    cells, cell_band, band_log10 = band_cells(evidence.bands, band_keys)
    fit_rows = rows[rows["sized"] & rows["mechanistic"]]
    segments = _segments(fit_rows, cells, cell_band)
    segments["row"] = fit_rows.index.to_numpy()[segments["row"].to_numpy()]
    at = segments["row"].to_numpy()
    for column in ("aspect", "source", "y", "weight", "estimated"):
        segments[column] = rows[column].to_numpy()[at]
    share = segments.groupby(["source", "aspect", "cell"], sort=False)["frac"].transform("sum").clip(lower=1.0)
    segments["wn"] = segments["weight"].to_numpy() * segments["frac"].to_numpy() / share.to_numpy()
    censored = rows["open_ended"].to_numpy()[at]
    for d, y in (("validity", rows["y"].to_numpy()[at]), ("reach", rows["y_reach"].to_numpy()[at])):
        segments[f"y_{d}"] = y
        segments[f"w_{d}"] = np.where(censored & (y == 0.0), 0.0, segments["wn"].to_numpy())
    points = _points(segments, settings.points_per_range_segment)
    return ScaleData(aspect_keys, band_keys, band_log10, evidence.sources["key"].tolist(), rows, segments, points)
