"""The scale table: a Beta posterior of 'the method works' per aspect x band, its status and barriers."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import betaincinv

from app.scoring.ceiling import r6
from app.scoring.groups import group_index, stable_order
from app.scoring.schema import BandCell, Barrier, Ceiling
from app.scoring.settings import ScoringSettings
from app.scoring.spread import ScaleData
from app.scoring.weights import effective_severity
from app.text import shorten


def status_of(low: float, n_results: int, weight: float, settings: ScoringSettings) -> str:
    """Status of a cell from the lower end of its credible interval, never from its prior-dominated mean:
    tractable when even the lower end says it works more often than not, partial when it rules out
    near-certain failure, fragmentary when it does not; a light cell has too little evidence to say."""
    if n_results == 0:
        return "no_evidence"
    if weight < settings.min_status_weight:
        return "too_little_evidence"
    if low >= settings.tractable_min_low:
        return "tractable"
    if low >= settings.partial_min_low:
        return "partial"
    return "fragmentary"


def posterior(weight: float, weighted_successes: float, settings: ScoringSettings) -> tuple[float, ...]:
    """Alpha, beta, mean and the central credible interval of one cell."""
    a = settings.prior_alpha + weighted_successes
    b = settings.prior_beta + (weight - weighted_successes)
    tail = (1 - settings.credible_mass) / 2
    low, high = betaincinv(a, b, [tail, 1 - tail])
    return a, b, a / (a + b), float(low), float(high)


def cell_sums(data: ScaleData) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Weight, weighted successes, number of results and number of sources of every (aspect, band) cell,
    aspect-major.

    A result's pieces in one band are one result: with contiguous bands each band is one cell, so a
    result has at most one piece per band and counting pieces counts results.
    """
    seg = data.segments
    band, w = seg["band"].to_numpy(), seg["w_validity"].to_numpy()
    keep = (band >= 0) & (w > 0)
    n_cells = len(data.aspect_keys) * len(data.band_keys)
    code = seg["aspect"].to_numpy()[keep] * len(data.band_keys) + band[keep]
    weight = np.bincount(code, weights=w[keep], minlength=n_cells)
    wy = np.bincount(code, weights=(w * seg["y_validity"].to_numpy())[keep], minlength=n_cells)
    _, (cell_of_pair, _) = group_index([code, seg["source"].to_numpy()[keep]])
    return weight, wy, np.bincount(code, minlength=n_cells), np.bincount(cell_of_pair, minlength=n_cells)


def excerpt(text: str | None, settings: ScoringSettings) -> str:
    """The text, shortened at a sentence end or a word, never mid-word; pages link it to its claim."""
    return shorten(text, settings.excerpt_chars)


def _top_per_cell(cell: np.ndarray, weight: np.ndarray, order: np.ndarray, limit: int) -> np.ndarray:
    """Positions of the `limit` heaviest entries of each cell (ties by order), cells ascending.

    Each cell is cut to the entries at or above its limit-th weight before the sort, so only a few are sorted.
    """
    by_cell = stable_order(cell)
    sorted_cells = cell[by_cell]
    bounds = np.flatnonzero(np.concatenate([[True], sorted_cells[1:] != sorted_cells[:-1], [True]]))
    picked = [np.zeros(0, np.intp)]
    for start, end in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
        members = by_cell[start:end]
        if len(members) > limit > 0:
            w = weight[members]
            members = members[w >= -np.partition(-w, limit - 1)[limit - 1]]
        picked.append(members[np.lexsort((order[members], -weight[members]))][:limit])
    return np.concatenate(picked)


def barrier_candidates(
    data: ScaleData, claims: pd.DataFrame, critiques: pd.DataFrame, critic_weights: pd.Series, settings: ScoringSettings
) -> pd.DataFrame:
    """Undermining or failing claims, and standing critiques of claims, per aspect x band (top few of each)."""
    seg = data.segments
    band = seg["band"].to_numpy()
    keep = band >= 0
    n_claims, n_bands = len(claims), len(data.band_keys)
    claim = data.rows["claim"].to_numpy()[seg["row"].to_numpy()[keep]]
    cell = seg["aspect"].to_numpy()[keep] * n_bands + band[keep]
    against_claim = np.isin(claims["stance"].to_numpy(), ["undermines", "mixed"])
    against_row = against_claim[claim] | (seg["y"].to_numpy()[keep] == 0)
    _, (t_cell, t_claim) = group_index([cell[against_row], claim[against_row]])  # (cell, claim) with a failure
    limit = settings.top_barriers
    weights = claims["weight"].to_numpy()
    picked = _top_per_cell(t_cell, weights[t_claim], t_claim, limit)
    at = t_claim[picked]
    claim_rows = pd.DataFrame(
        {
            "aspect": t_cell[picked] // n_bands,
            "band": t_cell[picked] % n_bands,
            "kind": "claim",
            "key": claims.index.to_numpy()[at],
            "claim_key": claims.index.to_numpy()[at],
            "source_key": claims["source_key"].to_numpy()[at],
            "text": claims["text"].to_numpy()[at],
            "weight": weights[at],
            "order": at,
        }
    )
    severity = effective_severity(critiques, settings)
    standing = critiques[(critiques["kind"] != "support") & (severity > 0)]
    target = standing["target_claim"].to_numpy()
    critique_weight = (severity[standing.index] * critic_weights[standing.index]).to_numpy()
    by_claim = pd.DataFrame({"claim": target, "critique": np.arange(len(standing))})
    targeted = np.zeros(n_claims, bool)
    targeted[target] = True
    on_target = targeted[claim]
    _, (p_cell, p_claim) = group_index([cell[on_target], claim[on_target]])  # (cell, claim) of critiqued claims
    pairs = pd.DataFrame({"cell": p_cell, "claim": p_claim}).merge(by_claim, on="claim", how="inner")
    c_cell, c_index = pairs["cell"].to_numpy(), pairs["critique"].to_numpy()
    chosen = _top_per_cell(c_cell, critique_weight[c_index], n_claims + c_index, limit)
    c_cell, c_index = c_cell[chosen], c_index[chosen]
    crit_rows = pd.DataFrame(
        {
            "aspect": c_cell // n_bands,
            "band": c_cell % n_bands,
            "kind": "critique",
            "key": standing["key"].to_numpy()[c_index],
            "claim_key": standing["target_claim_key"].to_numpy()[c_index],
            "source_key": standing["critic_source_key"]
            .where(standing["critic_source_key"].notna(), standing["critic_claim_key"].map(claims["source_key"]))
            .to_numpy()[c_index],
            "text": standing["text"].to_numpy()[c_index],
            "weight": critique_weight[c_index],
            "order": n_claims + c_index,
        }
    )
    both = pd.concat([claim_rows, crit_rows], ignore_index=True)
    both = both[both["weight"] > 0].sort_values(
        ["aspect", "band", "weight", "order"], ascending=[True, True, False, True], kind="stable"
    )
    return both.groupby(["aspect", "band"], sort=False).head(limit)


def scale_table(
    data: ScaleData, claims: pd.DataFrame, critiques: pd.DataFrame, critic_weights: pd.Series, settings: ScoringSettings
) -> list[BandCell]:
    """Every aspect x band cell, in aspect then band order."""
    n_aspects, n_bands = len(data.aspect_keys), len(data.band_keys)
    grid = pd.MultiIndex.from_product([range(n_aspects), range(n_bands)], names=["aspect", "band"])
    weight, wy, counts, sources = cell_sums(data)
    alpha, beta_ = settings.prior_alpha + wy, settings.prior_beta + (weight - wy)
    tail = (1 - settings.credible_mass) / 2
    alpha, beta_ = np.asarray(alpha, dtype=float), np.asarray(beta_, dtype=float)
    low, high = betaincinv(alpha, beta_, tail), betaincinv(alpha, beta_, 1 - tail)
    mean = alpha / (alpha + beta_)
    barriers = barrier_candidates(data, claims, critiques, critic_weights, settings)
    by_cell = {key: group for key, group in barriers.groupby(["aspect", "band"], sort=False)}
    cells = []
    for i, (a, b) in enumerate(grid):
        found = by_cell.get((a, b))
        cell_barriers = (
            []
            if found is None
            else [
                Barrier(
                    kind=r.kind,
                    key=r.key,
                    claim_key=r.claim_key,
                    source_key=None if pd.isna(r.source_key) else r.source_key,
                    text=excerpt(r.text, settings),
                    weight=r6(r.weight),
                )
                for r in found.itertuples()
            ]
        )
        cells.append(
            BandCell(
                aspect_key=data.aspect_keys[a],
                band_key=data.band_keys[b],
                alpha=r6(alpha[i]),
                beta=r6(beta_[i]),
                mean=r6(mean[i]),
                low=r6(low[i]),
                high=r6(high[i]),
                status=status_of(low[i], int(counts[i]), weight[i], settings),
                weight=r6(weight[i]),
                n_results=int(counts[i]),
                n_sources=int(sources[i]),
                single_study=int(sources[i]) == 1,
                barriers=cell_barriers,
            )
        )
    return cells


NO_STOP_STATES = ("not_established", "below_range", "not_applicable")


def band_middle(band_log10: np.ndarray) -> np.ndarray:
    """The log10 middle of each band; an open end counts one decade beyond the closed one."""
    low, high = band_log10[:, 0], band_log10[:, 1]
    with np.errstate(invalid="ignore"):
        middle = np.where(np.isinf(low), high - 1, np.where(np.isinf(high), low + 1, (low + high) / 2))
    return np.where(np.isfinite(middle), middle, 0.0)


def band_ceiling(
    cells: list[BandCell], aspect_key: str, band_keys: list[str], ceiling: Ceiling, band_log10: np.ndarray
) -> str | None:
    """The largest band up to which every band, from the first with evidence, is at least partial.

    The walk never skips a failing or empty band. It is then held to the ceiling of the same row, so the
    two never tell different stories: no band ceiling when the row says the method works at no scale tested
    (not established, below the smallest model tested); with no dependence on scale shown, the walk stands
    as it is (a flat rate high enough for partial bands reads like "not reached"); and never a band lying
    mostly above the upper end of a located ceiling's interval (its log10 middle above that end).
    """
    if ceiling.state in NO_STOP_STATES:
        return None
    statuses = {c.band_key: c.status for c in cells if c.aspect_key == aspect_key}
    ordered = [statuses.get(k, "no_evidence") for k in band_keys]
    start = next((i for i, status in enumerate(ordered) if status != "no_evidence"), None)
    best = None
    for i in range(start if start is not None else len(ordered), len(ordered)):
        if ordered[i] not in ("partial", "tractable"):
            break
        best = i
    if best is not None and ceiling.state == "estimated" and ceiling.crossing_high_log10 is not None:
        middle = band_middle(band_log10)
        while best is not None and middle[best] > ceiling.crossing_high_log10:
            best = best - 1 if best > start else None
    return None if best is None else band_keys[best]


def rests_on_one_source(cells: list[BandCell], aspect_key: str, band_key: str | None) -> bool:
    """True when the band a band ceiling reaches rests on a single source (the "single study" flag)."""
    return any(c.single_study for c in cells if c.aspect_key == aspect_key and c.band_key == band_key)
