"""Parameter counts as people write them: 70B, 1.3e9, 350M, and back (7e10 -> '70B').

Shared by the web forms and the bulk CSV import, so both read the same text the same way.
"""

from __future__ import annotations

import re

SIZE_SUFFIX = {"k": 1e3, "m": 1e6, "b": 1e9, "t": 1e12}


def number(value: str) -> str | float | None:
    """A number as typed, allowing a size suffix (70B, 1.3T, 350M); left as text when it is not one,
    so the schema reports it."""
    value = value.strip().replace(",", "").replace("_", "")
    if not value:
        return None
    match = re.fullmatch(r"([-+]?\d+(?:\.\d*)?(?:e[-+]?\d+)?)\s*([kmbt])?", value, flags=re.IGNORECASE)
    if not match:
        return value
    return float(match.group(1)) * SIZE_SUFFIX.get((match.group(2) or "").lower(), 1.0)


def exact_number(value: float | None) -> str:
    """A stored number as an analyst would type it, without losing precision: 7e10 -> '70B', 2.6e9 -> '2.6B'."""
    if value is None:
        return ""
    for suffix, size in (("T", 1e12), ("B", 1e9), ("M", 1e6)):
        if abs(value) >= size:
            scaled = round(value / size, 6)
            if abs(scaled * size - value) <= abs(value) * 1e-12:
                return f"{scaled:g}{suffix}"
    return f"{value:g}" if abs(float(f"{value:g}") - value) <= abs(value) * 1e-12 else repr(value)
