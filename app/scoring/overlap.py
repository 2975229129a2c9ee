"""Double counting: a finding that counts as a failure result of one claim must not also discount, as a
critique, another claim's result in the same aspect x band cell (docs/scoring.md, section 1)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from app.scoring.inputs import Evidence
from app.scoring.settings import ScoringSettings
from app.scoring.spread import band_cells, baseline_loss, log10_sizes, of_family, ordered_keys


def mechanistic_results(evidence: Evidence, settings: ScoringSettings) -> np.ndarray:
    """Which results are of a mechanistic method (their own, else their claim's), as the fit decides."""
    unknown = settings.unknown_method_family
    own = of_family(evidence, "results", "method", "mechanistic", unknown)
    of_claim = of_family(evidence, "claims", "method", "mechanistic", unknown)[
        evidence.positions("results", "claim_key")
    ]
    return np.where(own >= 0, own, np.where(of_claim >= 0, of_claim, unknown == "mechanistic")).astype(bool)


def result_cells(evidence: Evidence, keep: np.ndarray, failures_only: bool) -> pd.DataFrame:
    """Distinct (claim, aspect, band) cells where a kept result lies, or, with failures_only, fails.

    A range covers every band it overlaps; an open-ended bound counts at its bound, and a failure above
    a bound is censored (it counts in no band), as in the fit (app/scoring/spread.py).
    """
    results = evidence.results
    lo, hi = log10_sizes(evidence)
    open_ended = np.isinf(hi)
    hi = np.where(open_ended, lo, hi)
    keep = keep & ~np.isnan(lo)
    if failures_only:
        keep &= ((results["outcome"].to_numpy() == "failure") | baseline_loss(evidence)) & ~open_ended
    cells, cell_band, _ = band_cells(evidence.bands, ordered_keys(evidence.bands))
    edges = cells[1:, 0]
    first = np.searchsorted(edges, lo[keep], side="right")
    last = np.maximum(np.searchsorted(edges, hi[keep], side="left"), first)
    n = last - first + 1
    claim = np.repeat(evidence.positions("results", "claim_key")[keep], n)
    cell = np.repeat(first, n) + np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n)
    by_claim = pd.DataFrame({"claim": claim, "band": cell_band[cell]})
    links = pd.DataFrame(
        {
            "claim": evidence.positions("claim_aspects", "claim_key"),
            "aspect": evidence.positions("claim_aspects", "aspect_key"),
        }
    )
    return by_claim[by_claim["band"] >= 0].merge(links, on="claim").drop_duplicates(ignore_index=True)


def already_counted(evidence: Evidence, settings: ScoringSettings) -> np.ndarray:
    """True for a critique whose critic claim has its own mechanistic failure result in every aspect x band
    cell where the target has a sized result: that failure already counts there, so the critique does not
    count again.

    A critique that carries the finding to a scale or aspect where its failure does not count still
    discounts: there it is the only way the finding reaches the target. Only the claims of critiques with
    a critic claim are placed on bands, so the cost follows the critiques, not the results.
    """
    critic = evidence.positions("critiques", "critic_claim_key")
    flags = np.zeros(len(critic), bool)
    if not (critic >= 0).any() or evidence.results.empty:
        return flags
    target = evidence.positions("critiques", "target_claim_key")
    claim_of_result = evidence.positions("results", "claim_key")
    involved = np.zeros(len(evidence.claims), bool)
    involved[target[critic >= 0]] = True
    targets = result_cells(evidence, involved[claim_of_result], failures_only=False)
    involved[:] = False
    involved[critic[critic >= 0]] = True
    mechanistic = mechanistic_results(evidence, settings)
    failures = result_cells(evidence, involved[claim_of_result] & mechanistic, failures_only=True)
    pairs = pd.DataFrame({"critique": np.arange(len(critic)), "critic": critic, "claim": target})
    pairs = pairs[pairs["critic"] >= 0].merge(targets, on="claim")
    if pairs.empty:
        return flags
    failures = failures.rename(columns={"claim": "critic"}).assign(covered=True)
    pairs = pairs.merge(failures, on=["critic", "aspect", "band"], how="left")
    covered = pairs["covered"].astype("boolean").fillna(False).astype(bool).groupby(pairs["critique"]).all()
    flags[covered.index[covered.to_numpy()].to_numpy()] = True
    return flags
