"""The columns that cite evidence: key evidence, path forward and the baseline comparisons.

Ties in weight are broken by the canonical row order of the evidence (see inputs.py), which does
not depend on the order the rows arrived in.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from app.scoring.bands import excerpt
from app.scoring.ceiling import format_params, r6
from app.scoring.groups import first_occurrences
from app.scoring.schema import BaselineComparison, EvidenceRef
from app.scoring.settings import ScoringSettings


def top_positions(weights: np.ndarray, mask: np.ndarray, limit: int) -> np.ndarray:
    """Positions of the `limit` largest weights under mask, ties by position."""
    chosen = np.flatnonzero(mask & (weights > 0))
    if len(chosen) > limit > 0:  # only the entries at or above the limit-th weight can be picked
        w = weights[chosen]
        chosen = chosen[w >= -np.partition(-w, limit - 1)[limit - 1]]
    order = np.lexsort((chosen, -weights[chosen]))
    return chosen[order[:limit]]


def top_claims(
    claims: pd.DataFrame, mask: np.ndarray, proposals: bool, limit: int, settings: ScoringSettings, by: str = "weight"
) -> list[EvidenceRef]:
    """The top claims under mask by a weight column: proposals only, or everything but proposals."""
    picked = top_positions(claims[by].to_numpy(), mask & (claims["proposal"].to_numpy() == proposals), limit)
    rows = claims.iloc[picked]
    return [
        EvidenceRef(
            claim_key=key,
            source_key=row.source_key,
            kind=row.kind,
            stance=row.stance,
            text=excerpt(row.text, settings),
            weight=r6(row.weight),
        )
        for key, row in zip(rows.index, rows.itertuples(), strict=True)
    ]


def size_text(lo: float, hi: float, open_ended: bool = False, estimated: bool = False) -> str:
    """A result's size in words: '9B', '2B-28B (est.)', '>=10B (est.)' or 'unknown size'."""
    if np.isnan(lo):
        return "unknown size"
    flag = " (est.)" if estimated else ""
    if open_ended:
        return f">={format_params(lo)}{flag}"
    if lo == hi:
        return format_params(lo) + flag
    return f"{format_params(lo)}-{format_params(hi)}{flag or ' (range)'}"


def _value(v: float) -> str:
    return f"{v:.3g}"


def comparison_text(result, method: str | None, mechanistic: bool, size: str) -> tuple[str, bool | None]:
    """Plain sentence for one result beside a row, and whether the mechanistic method won."""
    method = method or "unnamed method"
    if not mechanistic:
        task = f" on {result.task}" if isinstance(result.task, str) and result.task else ""
        return f"baseline {method}{task} at {size}: {result.outcome}", None
    base = result.baseline_method or result.baseline_name or "a baseline"
    if isinstance(result.winner, str):
        verdict = {"method": f"{method} beat {base}", "baseline": f"{base} beat {method}"}.get(
            result.winner, f"{method} tied with {base}"
        )
        won = {"method": True, "baseline": False}.get(result.winner)
        return f"{verdict} at {size} (head-to-head)", won
    metric, baseline = result.metric_value, result.baseline_value
    if np.isnan(metric) or np.isnan(baseline):
        return f"{method} compared with {base} at {size}: {result.outcome}", None
    if pd.isna(result.higher_is_better) or metric == baseline:
        return f"{method} vs {base} at {size}: {_value(metric)} vs {_value(baseline)}", None
    if (metric > baseline) == bool(result.higher_is_better):
        return f"{method} beat {base} at {size} ({_value(metric)} vs {_value(baseline)})", True
    return f"{base} beat {method} at {size} ({_value(baseline)} vs {_value(metric)})", False


def comparison_entries(
    rows: pd.DataFrame,
    at: np.ndarray,
    results: pd.DataFrame,
    claims: pd.DataFrame,
    source_keys: list[str],
    limit: int,
    first: np.ndarray | None = None,
) -> list[BaselineComparison]:
    """Top-weighted comparison entries of the (visible, exploded) result rows at the given positions, each
    result once; rows marked `first` come before the others whatever their weight."""
    once = first_occurrences(rows["res"].to_numpy()[at])
    weights = rows["weight"].to_numpy()[at[once]]
    if first is not None:
        weights = weights + np.where(first[once], 1.0 + float(weights.max(initial=0.0)), 0.0)
    picked = rows.iloc[at[once][top_positions(weights, np.ones(len(weights), bool), limit)]]
    entries = []
    for row in picked.itertuples():
        result = results.iloc[row.res]
        method = result.method if result.method is not None else claims["method"].iat[row.claim]
        size = size_text(row.lo, row.hi, row.open_ended, row.estimated)
        text, won = comparison_text(result, method, row.mechanistic, size)
        params = None if np.isnan(row.lo) else r6(10 ** ((row.lo + row.hi) / 2))
        entries.append(
            BaselineComparison(
                result_key=result.key,
                claim_key=result.claim_key,
                source_key=source_keys[row.source],
                method=method,
                baseline_name=result.baseline_name,
                params=params,
                params_estimated=bool(row.estimated),
                mechanistic_won=won,
                text=text,
                weight=r6(row.weight),
            )
        )
    return entries


def baseline_comparisons(
    rows: pd.DataFrame, results: pd.DataFrame, claims: pd.DataFrame, source_keys: list[str], limit: int
) -> list[BaselineComparison]:
    """Baseline results and mechanistic-versus-baseline results of one aspect, top-weighted first.

    The comparisons that matter come first: results of the simple baselines themselves and the
    mechanistic results of the same claims (the two sides of one comparison); then mechanistic
    results measured against anything else (ground truth, random controls)."""
    mechanistic = rows["mechanistic"].to_numpy()
    at = np.flatnonzero(~mechanistic | rows["compared"].to_numpy())
    claim, baseline = rows["claim"].to_numpy()[at], ~mechanistic[at]
    first = baseline | rows["head_to_head"].to_numpy()[at] | np.isin(claim, claim[baseline])
    return comparison_entries(rows, at, results, claims, source_keys, limit, first)
