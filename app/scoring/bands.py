"""The scale table: a Beta posterior of 'the method works' per aspect x band, its status and barriers."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import beta as beta_dist

from app.scoring.ceiling import r6
from app.scoring.schema import BandCell, Barrier, Ceiling
from app.scoring.settings import ScoringSettings
from app.scoring.spread import ScaleData
from app.scoring.weights import effective_severity
from app.text import shorten


def status_of(low: float, n_results: int, weight: float, settings: ScoringSettings) -> str:
    """Status of a cell from the lower end of its credible interval, never from its prior-dominated mean:
    tractable when even the lower end says it works more often than not, partial when it rules out
    near-certain failure, fragmentary otherwise, and always fragmentary when the cell is light."""
    if n_results == 0:
        return "no_evidence"
    if weight < settings.min_status_weight:
        return "fragmentary"
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
    low, high = beta_dist.ppf([tail, 1 - tail], a, b)
    return a, b, a / (a + b), float(low), float(high)


def cell_sums(data: ScaleData) -> pd.DataFrame:
    """Weight, weighted successes and number of results per (aspect, band) with evidence."""
    seg = data.segments[(data.segments["band"] >= 0) & (data.segments["w_validity"] > 0)]
    seg = seg.assign(wy=seg["w_validity"] * seg["y_validity"])
    return seg.groupby(["aspect", "band"], sort=True).agg(
        weight=("w_validity", "sum"), wy=("wy", "sum"), n_results=("row", "nunique")
    )


def excerpt(text: str | None, settings: ScoringSettings) -> str:
    """The text, shortened at a sentence end or a word, never mid-word; pages link it to its claim."""
    return shorten(text, settings.excerpt_chars)


def barrier_candidates(
    data: ScaleData, claims: pd.DataFrame, critiques: pd.DataFrame, critic_weights: pd.Series, settings: ScoringSettings
) -> pd.DataFrame:
    """Undermining or failing claims, and standing critiques of claims, per aspect x band."""
    seg = data.segments[data.segments["band"] >= 0]
    placed = pd.DataFrame(
        {
            "aspect": seg["aspect"].to_numpy(),
            "band": seg["band"].to_numpy(),
            "claim": data.rows["claim"].to_numpy()[seg["row"].to_numpy()],
            "y": seg["y"].to_numpy(),
        }
    )
    stance = claims["stance"].to_numpy()[placed["claim"].to_numpy()]
    against = placed[np.isin(stance, ["undermines", "mixed"]) | (placed["y"].to_numpy() == 0.0)]
    against = against.drop_duplicates(["aspect", "band", "claim"])
    at = against["claim"].to_numpy()
    claim_rows = pd.DataFrame(
        {
            "aspect": against["aspect"].to_numpy(),
            "band": against["band"].to_numpy(),
            "kind": "claim",
            "key": claims.index.to_numpy()[at],
            "claim_key": claims.index.to_numpy()[at],
            "source_key": claims["source_key"].to_numpy()[at],
            "text": claims["text"].to_numpy()[at],
            "weight": claims["weight"].to_numpy()[at],
            "order": at,
        }
    )
    severity = effective_severity(critiques, settings)
    standing = critiques[(critiques["kind"] != "support") & (severity > 0)]
    standing = pd.DataFrame(
        {
            "claim": claims.index.get_indexer(standing["target_claim_key"]),
            "key": standing["key"].to_numpy(),
            "claim_key": standing["target_claim_key"].to_numpy(),
            "text": standing["text"].to_numpy(),
            "source_key": standing["critic_source_key"]
            .where(standing["critic_source_key"].notna(), standing["critic_claim_key"].map(claims["source_key"]))
            .to_numpy(),
            "weight": (severity[standing.index] * standing["key"].map(critic_weights).fillna(1.0)).to_numpy(),
            "order": len(claims) + np.arange(len(standing)),
        }
    )
    cells = placed.drop_duplicates(["aspect", "band", "claim"])[["aspect", "band", "claim"]]
    crit_rows = cells.merge(standing, on="claim", how="inner").assign(kind="critique")
    both = pd.concat([claim_rows, crit_rows.drop(columns="claim")], ignore_index=True)
    both = both[both["weight"] > 0].sort_values(
        ["aspect", "band", "weight", "order"], ascending=[True, True, False, True], kind="stable"
    )
    return both.groupby(["aspect", "band"], sort=False).head(settings.top_barriers)


def scale_table(
    data: ScaleData, claims: pd.DataFrame, critiques: pd.DataFrame, critic_weights: pd.Series, settings: ScoringSettings
) -> list[BandCell]:
    """Every aspect x band cell, in aspect then band order."""
    n_aspects, n_bands = len(data.aspect_keys), len(data.band_keys)
    grid = pd.MultiIndex.from_product([range(n_aspects), range(n_bands)], names=["aspect", "band"])
    sums = cell_sums(data).reindex(grid, fill_value=0)
    weight, wy, counts = (sums[c].to_numpy() for c in ("weight", "wy", "n_results"))
    alpha, beta_ = settings.prior_alpha + wy, settings.prior_beta + (weight - wy)
    tail = (1 - settings.credible_mass) / 2
    low, high = beta_dist.ppf(tail, alpha, beta_), beta_dist.ppf(1 - tail, alpha, beta_)
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
                barriers=cell_barriers,
            )
        )
    return cells


def band_ceiling(
    cells: list[BandCell], aspect_key: str, band_keys: list[str], ceiling: Ceiling, band_low_log10: np.ndarray
) -> str | None:
    """The largest band up to which every band, from the first with evidence, is at least partial.

    The walk never skips a failing or empty band. It is then held to the ceiling of the same row: no band
    ceiling when the ceiling is not established or lies below the smallest scale tested, and never a band
    that starts above the upper end of the ceiling's interval.
    """
    if ceiling.state in ("not_established", "below_range"):
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
        while best is not None and band_low_log10[best] > ceiling.crossing_high_log10:
            best = best - 1 if best > start else None
    return None if best is None else band_keys[best]
