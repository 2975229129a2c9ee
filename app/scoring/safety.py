"""The safety row: results by safety impact, mechanistic methods and baselines apart."""

from __future__ import annotations

import numpy as np
import pandas as pd

from app.evidence.enums import SafetyImpact
from app.scoring.citations import comparison_entries
from app.scoring.groups import count_distinct, first_occurrences
from app.scoring.inputs import Evidence
from app.scoring.schema import SafetyBand, SafetyRow
from app.scoring.settings import ScoringSettings
from app.scoring.spread import IMPACTS, NOT_APPLICABLE, impact_codes


def safety_results(rows: pd.DataFrame, safety_aspect: int | None, baseline_impact: np.ndarray) -> pd.DataFrame:
    """Each visible result once if it bears on the safety aspect or reports a safety impact, plus the
    baseline side of each head-to-head row that reports the baseline's impact, as a baseline result."""
    picked = rows["impact"].to_numpy() != NOT_APPLICABLE
    if safety_aspect is not None:
        picked |= rows["aspect"].to_numpy() == safety_aspect
    at = np.flatnonzero(picked)
    chosen = rows.iloc[at[first_occurrences(rows["res"].to_numpy()[at])]]
    base_impact = baseline_impact[chosen["res"].to_numpy()]
    has_side = (base_impact != NOT_APPLICABLE) & chosen["mechanistic"].to_numpy()
    sides = chosen[has_side].assign(mechanistic=False, impact=base_impact[has_side])
    return pd.concat([chosen, sides], ignore_index=True)


def band_of(rows: pd.DataFrame, band_log10: np.ndarray) -> np.ndarray:
    """Band index of each row's log-midpoint size, -1 when unsized or in no band."""
    mid = (rows["lo"].to_numpy() + rows["hi"].to_numpy()) / 2
    inside = (mid[:, None] >= band_log10[None, :, 0]) & (mid[:, None] < band_log10[None, :, 1])
    return np.where(inside.any(axis=1), inside.argmax(axis=1), -1)


def impact_counts(counts: np.ndarray) -> dict[str, int]:
    """Results per safety impact, every impact listed, from counts in IMPACTS order."""
    return dict(zip(IMPACTS, counts.tolist(), strict=True))


def by_band(chosen: pd.DataFrame, band_keys: list[str], band_log10) -> list[SafetyBand]:
    """Impact counts per band (and unsized), mechanistic methods and baselines side by side."""
    k, n = len(IMPACTS), len(band_keys) + 1
    cell = (band_of(chosen, band_log10) + 1) * 2 + chosen["mechanistic"].to_numpy()
    counts = np.bincount(cell * k + chosen["impact"].to_numpy(), minlength=n * 2 * k).reshape(n, 2, k)
    out = []
    for b, key in [*enumerate(band_keys), (-1, "unsized")]:
        if counts[b + 1].any():
            mech, base = impact_counts(counts[b + 1, 1]), impact_counts(counts[b + 1, 0])
            out.append(SafetyBand(band_key=key, mechanistic=mech, baseline=base, statement=band_statement(mech, base)))
    return out


def band_statement(mech: dict[str, int], base: dict[str, int]) -> str:
    """One band's impacts in words, mechanistic first."""

    def words(counts: dict[str, int]) -> str:
        named = [f"{n} {k.replace('_', ' ')}" for k, n in counts.items() if n and k != "not_applicable"]
        return ", ".join(named) or "no result"

    return f"mechanistic: {words(mech)}; baselines: {words(base)}"


def plural(n: int, word: str) -> str:
    """'1 result', '2 results'."""
    return f"{n} {word}{'' if n == 1 else 's'}"


def safety_statement(mech: dict[str, int], mech_sources: int, base: dict[str, int], base_sources: int) -> str:
    """The plain statement that follows from the counts."""
    improved = mech["measured_improvement"]
    lead = (
        f"{plural(improved, 'measured improvement')} from a mechanistic method"
        if improved
        else "No measured improvement from a mechanistic method"
    )
    text = (
        f"{lead} in {plural(sum(mech.values()), 'result')} from {plural(mech_sources, 'source')}; "
        f"{plural(mech['monitoring_aid'], 'monitoring aid')}, {mech['negative']} negative."
    )
    if sum(base.values()):
        text += (
            f" Baselines: {plural(base['measured_improvement'], 'measured improvement')} in "
            f"{plural(sum(base.values()), 'result')} from {plural(base_sources, 'source')}."
        )
    return text


def safety_row(
    rows: pd.DataFrame,
    safety_aspect: int | None,
    evidence: Evidence,
    claims: pd.DataFrame,
    source_keys: list[str],
    band_keys: list[str],
    band_log10,
    settings: ScoringSettings,
) -> SafetyRow:
    """Counts, sources, the improvements themselves (with keys) and the statement."""
    results = evidence.results
    chosen = safety_results(rows, safety_aspect, impact_codes(evidence, "baseline_safety_impact"))
    is_mech = chosen["mechanistic"].to_numpy()
    counts = np.bincount(is_mech * len(IMPACTS) + chosen["impact"].to_numpy(), minlength=2 * len(IMPACTS))
    mech_counts, base_counts = impact_counts(counts[len(IMPACTS) :]), impact_counts(counts[: len(IMPACTS)])
    source = chosen["source"].to_numpy()
    mech_sources, base_sources = count_distinct(source[is_mech]), count_distinct(source[~is_mech])

    improved = chosen["impact"].to_numpy() == IMPACTS.index(SafetyImpact.measured_improvement.value)

    def improvements(side: np.ndarray) -> list:
        at = np.flatnonzero(improved & side)
        return comparison_entries(chosen, at, results, claims, source_keys, settings.top_baseline_comparisons)

    return SafetyRow(
        by_band=by_band(chosen, band_keys, band_log10),
        mechanistic=mech_counts,
        baseline=base_counts,
        mechanistic_sources=mech_sources,
        baseline_sources=base_sources,
        mechanistic_improvements=improvements(is_mech),
        baseline_improvements=improvements(~is_mech),
        statement=safety_statement(mech_counts, mech_sources, base_counts, base_sources),
    )
