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


def words(value: str) -> str:
    """A key as words: 'no_evidence' -> 'no evidence'."""
    return value.replace("_", " ")


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
    informative_low: NamedSize | None = None  # the models at the ends of the fit's informative range
    informative_high: NamedSize | None = None

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


FRONTIER_NAMED = 5  # frontier models named in a statement; more are counted


@dataclass(frozen=True)
class ModelIndex:
    """Every result's model and size as arrays, built once per assessment so naming a subset is one sort."""

    name: np.ndarray  # object: the model name, "" when unnamed
    name_rank: np.ndarray  # position of the name in sorted order, for ties
    basis: np.ndarray
    low: np.ndarray  # params; NaN when unsized
    high: np.ndarray  # params; inf for an open-ended bound
    middle: np.ndarray  # the representative size that orders models
    sized: np.ndarray  # bool: the result has a size to name

    @classmethod
    def of(cls, results: pd.DataFrame) -> ModelIndex:
        point, low, high = (results[c].to_numpy(float) for c in ("params", "params_low", "params_high"))
        basis = results["params_basis"].to_numpy()
        has_range = ~np.isnan(low) & (low > 0)
        use_point = ~np.isnan(point) & (point > 0) & ((basis == "disclosed") | ~has_range)
        lo = np.where(use_point, point, np.where(has_range, low, np.nan))
        hi = np.where(use_point, point, np.where(np.isnan(high), np.inf, high))
        codes, uniques = pd.factorize(results["model_name"].to_numpy(), sort=True)
        names = np.array([str(u) for u in uniques] + [""], dtype=object)
        with np.errstate(invalid="ignore"):
            middle = np.where(np.isinf(hi), lo, np.sqrt(lo * hi))
        return cls(names[codes], codes, basis, lo, hi, middle, ~np.isnan(lo) & (lo > 0))

    def model(self, i: int) -> NamedSize:
        return NamedSize(self.name[i] or None, str(self.basis[i]), float(self.low[i]), float(self.high[i]))


FRONTIER_NAMED = 5  # frontier models named in a statement, the largest bounds first


def named_models(
    index: ModelIndex | pd.DataFrame, positions: np.ndarray, ends: tuple[float, float] | None = None
) -> TestedModels:
    """Name the smallest and largest tested model among the results at `positions` (rows of Evidence.results),
    and, given the log10 ends of a fit's informative range, the models at them (model_at).

    Ties are broken by name, so the choice is deterministic; at most FRONTIER_NAMED frontier models are kept.
    """
    if isinstance(index, pd.DataFrame):
        index = ModelIndex.of(index)
    at = np.asarray(positions, dtype=np.int64)  # repeats are harmless: they sort next to each other
    at = at[index.sized[at]]
    if not len(at):
        return NONE
    rank, high, middle = index.name_rank[at], index.high[at], index.middle[at]
    smallest = index.model(int(at[first_of(at, (middle, high, rank), (1, 1, 1))]))
    largest = index.model(int(at[first_of(at, (high, middle, rank), (-1, -1, 1))]))
    bounded = np.flatnonzero(np.isfinite(high))
    largest_bounded = None
    if len(bounded):
        pick = first_of(bounded, (high[bounded], middle[bounded], rank[bounded]), (-1, -1, 1))
        largest_bounded = index.model(int(at[bounded[pick]]))
    frontier = []  # distinct (bound, name), largest bound first, then by name: one pass per bound named
    remaining = at[~np.isfinite(high)]
    while len(remaining) and len(frontier) < FRONTIER_NAMED:
        lows = index.low[remaining]
        top = lows == lows.max()
        here = remaining[top]
        _, first = np.unique(index.name_rank[here], return_index=True)
        frontier += [index.model(int(i)) for i in here[first][: FRONTIER_NAMED - len(frontier)]]
        remaining = remaining[~top]
    at_ends = (None, None) if ends is None else (model_at(index, at, ends[0]), model_at(index, at, ends[1]))
    return TestedModels(smallest, largest, largest_bounded, tuple(frontier), *at_ends)


def model_at(index: ModelIndex, at: np.ndarray, log10_size: float) -> NamedSize | None:
    """The tested model whose recorded size holds a scale of the fit (a point of it, or a quadrature point of
    a range): a point size there first, else the narrowest range or bound holding it, ties by name."""
    size = 10**log10_size
    low, high = index.low[at], index.high[at]
    holds = np.flatnonzero((low <= size * (1 + 1e-9)) & (size <= high * (1 + 1e-9)))
    if not len(holds):
        return None
    with np.errstate(divide="ignore", invalid="ignore"):
        width = np.log10(high[holds] / low[holds])
    pick = first_of(holds, (width, index.name_rank[at[holds]]), (1, 1))
    return index.model(int(at[holds[pick]]))


def first_of(at: np.ndarray, keys: tuple[np.ndarray, ...], signs: tuple[int, ...]) -> int:
    """Position of the first entry ordered by keys (sign 1 ascending, -1 descending), without a full sort."""
    candidates = np.arange(len(at))
    for key, sign in zip(keys, signs, strict=True):
        values = key[candidates] * sign
        candidates = candidates[values == values.min()]
        if len(candidates) == 1:
            break
    return int(candidates[0])
