"""The safety row: results that measured a safety effect, by impact, mechanistic methods and baselines apart.

`none` is a measured null effect and counts; `not_applicable` means the result did not measure safety and is
no safety result at all, whatever aspect its claim bears on. The baseline side of a head-to-head is its own
result, described by the baseline's method and the baseline's side of the outcome (docs/scoring.md section 6).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from app.evidence.enums import SafetyImpact
from app.scoring.citations import comparison_entries, size_text
from app.scoring.groups import count_distinct, first_occurrences
from app.scoring.inputs import Evidence
from app.scoring.schema import BaselineComparison, SafetyBand, SafetyRow
from app.scoring.settings import ScoringSettings
from app.scoring.spread import IMPACTS, NOT_APPLICABLE, impact_codes

SAFETY_COLUMNS = ["res", "claim", "source", "impact", "mechanistic", "weight", "lo", "hi", "open_ended", "estimated"]


def safety_results(rows: pd.DataFrame, baseline_impact: np.ndarray) -> pd.DataFrame:
    """Each visible result once if it measured a safety effect (its impact is not `not_applicable`), plus the
    baseline side of each mechanistic row whose baseline's impact was measured, as a baseline result
    (`baseline_side` true). Whether the mechanistic side measured anything does not decide the baseline's."""
    res = rows["res"].to_numpy()
    once = first_occurrences(res)
    measured = once[rows["impact"].to_numpy()[once] != NOT_APPLICABLE]
    base_impact = baseline_impact[res[once]]
    has_side = (base_impact != NOT_APPLICABLE) & rows["mechanistic"].to_numpy()[once]
    at, n = np.concatenate([measured, once[has_side]]), len(measured)
    # columns taken one by one: a frame's iloc would consolidate every column of a million rows first
    columns = {name: rows[name].to_numpy()[at] for name in SAFETY_COLUMNS}
    columns["mechanistic"][n:] = False
    columns["impact"][n:] = base_impact[has_side]
    columns["baseline_side"] = np.arange(len(at)) >= n
    return pd.DataFrame(columns, copy=False)


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
    """The plain statement that follows from the counts of results that measured a safety effect."""
    improved = mech["measured_improvement"]
    lead = (
        f"{plural(improved, 'measured improvement')} from a mechanistic method"
        if improved
        else "No measured improvement from a mechanistic method"
    )
    text = (
        f"{lead} in {plural(sum(mech.values()), 'result')} that measured a safety effect "
        f"({plural(mech_sources, 'source')}): {mech['none']} measured null, "
        f"{plural(mech['monitoring_aid'], 'monitoring aid')}, {mech['negative']} negative."
    )
    if sum(base.values()):
        text += (
            f" Baselines: {plural(base['measured_improvement'], 'measured improvement')}, "
            f"{plural(base['monitoring_aid'], 'monitoring aid')} in {plural(sum(base.values()), 'result')} "
            f"({plural(base_sources, 'source')})."
        )
    return text


BASELINE_VERDICT = {"baseline": "won the head-to-head", "method": "lost the head-to-head", "tie": "tied"}


def baseline_side(entry: BaselineComparison, result, size: str, impact: str) -> BaselineComparison:
    """The baseline side of a head-to-head described as the baseline's own result: the baseline's name and
    method, what it was compared with, the baseline's side of the outcome and its safety impact."""
    name = result.baseline_name if isinstance(result.baseline_name, str) else None
    method = result.baseline_method if isinstance(result.baseline_method, str) else None
    who = " ".join(part for part in (name, f"({method})" if name and method else method) if part) or "a baseline"
    task = f" on {result.task}" if isinstance(result.task, str) and result.task else ""
    winner = result.winner if isinstance(result.winner, str) else None
    verdict = BASELINE_VERDICT.get(winner, "compared")
    text = f"baseline {who} against {entry.method or 'a mechanistic method'}{task} at {size}: {verdict}; "
    text += impact.replace("_", " ")
    won = {"baseline": False, "method": True}.get(winner)
    return entry.model_copy(update={"method": method or name, "mechanistic_won": won, "text": text})


def safety_row(
    rows: pd.DataFrame,
    evidence: Evidence,
    claims: pd.DataFrame,
    source_keys: list[str],
    band_keys: list[str],
    band_log10,
    settings: ScoringSettings,
) -> SafetyRow:
    """Counts, sources, the improvements themselves (with keys) and the statement."""
    results = evidence.results
    chosen = safety_results(rows, impact_codes(evidence, "baseline_safety_impact"))
    is_mech = chosen["mechanistic"].to_numpy()
    counts = np.bincount(is_mech * len(IMPACTS) + chosen["impact"].to_numpy(), minlength=2 * len(IMPACTS))
    mech_counts, base_counts = impact_counts(counts[len(IMPACTS) :]), impact_counts(counts[: len(IMPACTS)])
    source = chosen["source"].to_numpy()
    mech_sources, base_sources = count_distinct(source[is_mech]), count_distinct(source[~is_mech])

    improved = chosen["impact"].to_numpy() == IMPACTS.index(SafetyImpact.measured_improvement.value)
    sides = chosen["baseline_side"].to_numpy()

    def improvements(side: np.ndarray) -> list:
        at = np.flatnonzero(improved & side & ~sides)
        entries = comparison_entries(chosen, at, results, claims, source_keys, settings.top_baseline_comparisons)
        at_sides = np.flatnonzero(improved & side & sides)
        limit = settings.top_baseline_comparisons
        side_rows = {results["key"].iat[r.res]: r for r in chosen.iloc[at_sides].itertuples()}
        for entry in comparison_entries(chosen, at_sides, results, claims, source_keys, limit):
            row = side_rows[entry.result_key]
            size = size_text(row.lo, row.hi, row.open_ended, row.estimated)
            entries.append(baseline_side(entry, results.iloc[row.res], size, SafetyImpact.measured_improvement.value))
        entries.sort(key=lambda e: (-e.weight, e.result_key))
        return entries[: settings.top_baseline_comparisons]

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
