"""Which scale bands a parameter count or range falls in."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol


class BandLike(Protocol):
    key: str
    min_params: float | None
    max_params: float | None


def bands_spanned(bands: Iterable[BandLike], low: float | None, high: float | None) -> list[str]:
    """Keys of the bands that the range [low, high] touches; none when the size is unknown.

    A low without a high is an open-ended bound ("at least low") and touches every band from low up.
    """
    if low is None:
        return []
    high = float("inf") if high is None else high
    spanned = []
    for band in bands:
        starts_before_high = band.min_params is None or band.min_params <= high
        ends_after_low = band.max_params is None or band.max_params > low
        if starts_before_high and ends_after_low:
            spanned.append(band.key)
    return spanned
