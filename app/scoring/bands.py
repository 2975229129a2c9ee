"""The scale table: a Beta posterior of 'the method works' per aspect x band, its status and barriers."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import beta as beta_dist

from app.scoring.ceiling import r6
from app.scoring.schema import BandCell, Barrier
from app.scoring.settings import ScoringSettings
from app.scoring.spread import ScaleData
from app.scoring.weights import effective_severity


def status_of(mean: float, n_results: int, weight: float, settings: ScoringSettings) -> str:
    """Status of a cell from its posterior mean; no evidence when no result falls in it, and fragmentary
    when its evidence weighs too little for the mean to move away from the prior's 0.5."""
    if n_results == 0:
        return "no_evidence"
    if weight < settings.min_status_weight:
        return "fragmentary"
    if mean >= settings.tractable_min_mean:
        return "tractable"
    if mean >= settings.partial_min_mean:
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
    seg = data.segments[data.segments["band"] >= 0]
    seg = seg.assign(wy=seg["wn"] * seg["y"])
    return seg.groupby(["aspect", "band"], sort=True).agg(
        weight=("wn", "sum"), wy=("wy", "sum"), n_results=("row", "nunique")
    )


def excerpt(text: str | None, settings: ScoringSettings) -> str:
    """The first characters of a text, cut at a word."""
    text = " ".join((text or "").split())
    if len(text) <= settings.excerpt_chars:
        return text
    return text[: settings.excerpt_chars].rsplit(" ", 1)[0] + "..."


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
                status=status_of(mean[i], int(counts[i]), weight[i], settings),
                weight=r6(weight[i]),
                n_results=int(counts[i]),
                barriers=cell_barriers,
            )
        )
    return cells


def band_ceiling(cells: list[BandCell], aspect_key: str, band_keys: list[str], settings: ScoringSettings) -> str | None:
    """The largest band with evidence whose posterior mean is at least the threshold."""
    best = None
    for cell in cells:
        if cell.aspect_key == aspect_key and cell.n_results > 0 and cell.mean >= settings.band_ceiling_min_mean:
            if best is None or band_keys.index(cell.band_key) > band_keys.index(best):
                best = cell.band_key
    return best
