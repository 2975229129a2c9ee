"""The safety row: results by safety impact, mechanistic methods and baselines apart."""

from __future__ import annotations

import numpy as np
import pandas as pd

from app.evidence.enums import SafetyImpact
from app.scoring.citations import comparison_entries
from app.scoring.schema import SafetyBand, SafetyRow
from app.scoring.settings import ScoringSettings


def safety_results(rows: pd.DataFrame, safety_aspect: int | None, results: pd.DataFrame) -> pd.DataFrame:
    """Each visible result once if it bears on the safety aspect or reports a safety impact, plus the
    baseline side of each head-to-head row that reports the baseline's impact, as a baseline result."""
    on_aspect = (rows["aspect"] == safety_aspect) if safety_aspect is not None else False
    chosen = rows[on_aspect | (rows["safety_impact"] != "not_applicable")].drop_duplicates("res")
    base_impact = results["baseline_safety_impact"].to_numpy()[chosen["res"].to_numpy()]
    sides = chosen[(base_impact != "not_applicable") & chosen["mechanistic"].to_numpy()]
    sides = sides.assign(
        mechanistic=False, safety_impact=results["baseline_safety_impact"].to_numpy()[sides["res"].to_numpy()]
    )
    return pd.concat([chosen, sides], ignore_index=True)


def band_of(rows: pd.DataFrame, band_log10: np.ndarray) -> np.ndarray:
    """Band index of each row's log-midpoint size, -1 when unsized or in no band."""
    mid = (rows["lo"].to_numpy() + rows["hi"].to_numpy()) / 2
    inside = (mid[:, None] >= band_log10[None, :, 0]) & (mid[:, None] < band_log10[None, :, 1])
    return np.where(inside.any(axis=1), inside.argmax(axis=1), -1)


def by_band(chosen: pd.DataFrame, band_keys: list[str], band_log10) -> list[SafetyBand]:
    """Impact counts per band (and unsized), mechanistic methods and baselines side by side."""
    bands = pd.Series(band_of(chosen, band_log10), index=chosen.index)
    out = []
    for b, key in [*enumerate(band_keys), (-1, "unsized")]:
        here = chosen[bands == b]
        if here.empty:
            continue
        mech, base = impact_counts(here[here["mechanistic"]]), impact_counts(here[~here["mechanistic"]])
        out.append(SafetyBand(band_key=key, mechanistic=mech, baseline=base, statement=band_statement(mech, base)))
    return out


def band_statement(mech: dict[str, int], base: dict[str, int]) -> str:
    """One band's impacts in words, mechanistic first."""

    def words(counts: dict[str, int]) -> str:
        named = [f"{n} {k.replace('_', ' ')}" for k, n in counts.items() if n and k != "not_applicable"]
        return ", ".join(named) or "no result"

    return f"mechanistic: {words(mech)}; baselines: {words(base)}"


def impact_counts(rows: pd.DataFrame) -> dict[str, int]:
    """Number of results per safety impact, every impact listed."""
    counts = rows["safety_impact"].value_counts()
    return {impact.value: int(counts.get(impact.value, 0)) for impact in SafetyImpact}


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
    results: pd.DataFrame,
    claims: pd.DataFrame,
    source_keys: list[str],
    band_keys: list[str],
    band_log10,
    settings: ScoringSettings,
) -> SafetyRow:
    """Counts, sources, the improvements themselves (with keys) and the statement."""
    chosen = safety_results(rows, safety_aspect, results)
    mech, base = chosen[chosen["mechanistic"]], chosen[~chosen["mechanistic"]]
    mech_counts, base_counts = impact_counts(mech), impact_counts(base)
    mech_sources, base_sources = int(mech["source"].nunique()), int(base["source"].nunique())

    def improvements(frame: pd.DataFrame) -> list:
        improved = frame[frame["safety_impact"] == "measured_improvement"]
        return comparison_entries(improved, results, claims, source_keys, settings.top_baseline_comparisons)

    return SafetyRow(
        by_band=by_band(chosen, band_keys, band_log10),
        mechanistic=mech_counts,
        baseline=base_counts,
        mechanistic_sources=mech_sources,
        baseline_sources=base_sources,
        mechanistic_improvements=improvements(mech),
        baseline_improvements=improvements(base),
        statement=safety_statement(mech_counts, mech_sources, base_counts, base_sources),
    )
