"""Name the models behind a fit: every size in a statement is a real model's or an analyst's bound, never a
quadrature point or a bin centre.

A result's size is a disclosed point, an analyst's range or point estimate, or an open-ended bound ("at least
L", a frontier model whose size was never disclosed). The smallest model tested is the one with the smallest
representative size (a point, the geometric middle of a range, the bound of an open-ended one); the largest
is the one with the largest upper end, an open-ended bound counting as unbounded. Open-ended bounds are the
frontier applications and are named apart, since their size is only "at least L".

Sizes print at two significant digits or whole units (7.06e10 is "71B", 1.75e11 "175B"): Llama-3.3-70B prints
as "Llama-3.3-70B, 71B", its name carrying the maker's rounded figure and the number the disclosed count.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


def format_params(log10_params: float) -> str:
    """Human form of a parameter count given in log10, at two significant digits or whole units:
    9.398 -> '2.5B', 10.849 -> '71B', 11.243 -> '175B'."""
    value = 10**log10_params
    for unit, size in (("T", 1e12), ("B", 1e9), ("M", 1e6), ("K", 1e3)):
        if value >= size:
            scaled = value / size
            return f"{scaled:.2g}{unit}" if scaled < 10 else f"{scaled:.0f}{unit}"
    return f"{value:.2g}" if value < 10 else f"{value:.0f}"


@dataclass(frozen=True)
class NamedSize:
    """One tested model and its size as the store records it."""

    model_name: str | None
    basis: str  # disclosed, estimated or undisclosed
    low: float  # params; equal to high for a point
    high: float  # params; inf for an open-ended bound

    @property
    def open_ended(self) -> bool:
        return bool(np.isinf(self.high))

    @property
    def representative(self) -> float:
        """The size that orders models from small to large: the point, a range's geometric middle, a bound."""
        return self.low if self.open_ended else float(np.sqrt(self.low * self.high))

    @property
    def name(self) -> str:
        return self.model_name or "unnamed model"

    def size_text(self) -> str:
        """The size in words, saying whose figure it is."""
        low = format_params(np.log10(self.low))
        if self.open_ended:
            return f"size undisclosed, at least {low} by analyst bound"
        if self.low == self.high:
            return low if self.basis == "disclosed" else f"about {low} by analyst estimate"
        return f"{low} to {format_params(np.log10(self.high))} by analyst estimate"

    def text(self) -> str:
        """'gemma-2b-it, 2.5B' or 'Claude 3 Sonnet, size undisclosed, at least 10B by analyst bound'."""
        return f"{self.name}, {self.size_text()}"


@dataclass(frozen=True)
class TestedModels:
    """The models behind one fit: the smallest, the largest, the largest of bounded size, the frontier ones."""

    smallest: NamedSize | None
    largest: NamedSize | None
    largest_bounded: NamedSize | None
    frontier: tuple[NamedSize, ...]

    def frontier_text(self) -> str:
        """'Claude 3 Sonnet, Claude 3.5 Haiku; sizes undisclosed, at least 10B by analyst bound' ('' if none)."""
        if not self.frontier:
            return ""
        models = {}  # one entry per model: "Claude 3 Sonnet (Golden Gate Claude demo)" is Claude 3 Sonnet
        for m in self.frontier:
            models.setdefault((m.name.split(" (")[0], m.low), m)
        lows = {low for _, low in models}
        plural = "s" if len(models) > 1 else ""
        if len(lows) == 1:
            names = ", ".join(name for name, _ in models)
            return f"{names}; size{plural} undisclosed, at least {format_params(np.log10(lows.pop()))} by analyst bound"
        names = ", ".join(f"{name} (at least {format_params(np.log10(low))})" for name, low in models)
        return f"{names}; sizes undisclosed, analyst bounds"


NONE = TestedModels(None, None, None, ())


def named_models(results: pd.DataFrame, positions: np.ndarray) -> TestedModels:
    """Name the smallest and largest tested model among the results at `positions` (rows of Evidence.results).

    One entry per distinct (model name, size); ties are broken by name so the choice is deterministic.
    """
    if len(positions) == 0:
        return NONE
    rows = results.iloc[np.unique(positions)]
    point, low, high = (rows[c].to_numpy(float) for c in ("params", "params_low", "params_high"))
    basis = rows["params_basis"].to_numpy()
    has_range = ~np.isnan(low) & (low > 0)
    use_point = ~np.isnan(point) & (point > 0) & ((basis == "disclosed") | ~has_range)
    lo = np.where(use_point, point, low)
    hi = np.where(use_point, point, np.where(np.isnan(high), np.inf, high))
    names = rows["model_name"].to_numpy()
    models = sorted(
        {
            NamedSize(None if pd.isna(n) else str(n), str(b), float(a), float(z))
            for n, b, a, z in zip(names, basis, lo, hi, strict=True)
            if not np.isnan(a) and a > 0
        },
        key=lambda m: (m.representative, m.high, m.name, m.basis),
    )
    if not models:
        return NONE
    bounded = [m for m in models if not m.open_ended]
    frontier = tuple(sorted((m for m in models if m.open_ended), key=lambda m: (-m.low, m.name)))
    by_top = sorted(models, key=lambda m: (m.high, m.representative, m.name))
    return TestedModels(
        smallest=models[0],
        largest=by_top[-1],
        largest_bounded=max(bounded, key=lambda m: (m.high, m.representative, m.name)) if bounded else None,
        frontier=frontier,
    )
