"""Parameter counts as people write them: 70B, 1.3e9, 7e10, 350M, 70 billion, 70 bn, ranges 2B-9B; and back.

The one reader of sizes: the input schemas (so the API, YAML seed files and the forms), the API's params_min and
params_max filters and the bulk CSV import all read the same text the same way and refuse what they cannot read
with the same words (SIZE_HELP).
"""

from __future__ import annotations

import math
import re

SIZE_WORDS = {
    "k": 1e3,
    "thousand": 1e3,
    "m": 1e6,
    "mn": 1e6,
    "million": 1e6,
    "b": 1e9,
    "bn": 1e9,
    "billion": 1e9,
    "t": 1e12,
    "tn": 1e12,
    "trillion": 1e12,
}
SIZE_HELP = "Write a parameter count such as 70B, 1.3e9, 7e10, 350M or 70 billion."

_NUMBER = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)"
_SIZE = re.compile(rf"(?P<number>{_NUMBER})(?:e(?P<exponent>[-+]?\d+))?\s*(?P<unit>[a-z]+)?", re.IGNORECASE)
_RANGE = re.compile(r"(?P<low>[^-]+?)\s*(?:-|–|\.\.|\bto\b)\s*(?P<high>[^-]+)", re.IGNORECASE)


class SizeError(ValueError):
    """Text that is not a parameter count; the message says what was typed and how to write one."""

    def __init__(self, typed: str) -> None:
        super().__init__(f"{typed!r} is not a parameter count. {SIZE_HELP}")


def parse_size(value: str | float | int) -> float:
    """A parameter count from text (70B, 1.3e9, 70 billion, '7,000,000') or a number; SizeError otherwise."""
    if isinstance(value, bool):
        raise SizeError(str(value))
    if isinstance(value, int | float):
        if not math.isfinite(value):
            raise SizeError(str(value))
        return float(value)
    typed = str(value)
    cleaned = typed.strip().replace(",", "").replace("_", "")
    match = _SIZE.fullmatch(cleaned)
    unit = (match.group("unit") or "").lower() if match else ""
    if not match or (unit and unit not in SIZE_WORDS):
        raise SizeError(typed)
    size = float(f"{match.group('number')}e{match.group('exponent') or 0}") * SIZE_WORDS.get(unit, 1.0)
    if not math.isfinite(size):
        raise SizeError(typed)
    return size


def range_ends(value: str) -> tuple[str, str] | None:
    """The two ends of a written range as typed (2B-9B, 2B to 9B, 2B..9B, 70 billion - 100 billion), or None
    when the text is one size or no range: the ends are left to the one parser, so a bad end gets its message."""
    typed = str(value).strip()
    try:
        parse_size(typed)
        return None
    except SizeError:
        match = _RANGE.fullmatch(typed)
    return (match.group("low").strip(), match.group("high").strip()) if match else None


def parse_size_range(value: str) -> tuple[float, float]:
    """A range of parameter counts (2B-9B, 2B to 9B, 2B..9B), or one count as a range of width zero."""
    typed = str(value)
    try:
        size = parse_size(typed)
        return size, size
    except SizeError:
        match = _RANGE.fullmatch(typed.strip())
        if not match:
            raise
    low, high = parse_size(match.group("low")), parse_size(match.group("high"))
    if low > high:
        raise ValueError(f"{typed!r}: the low end of the range is above its high end.")
    return low, high


def size_or_none(value: object) -> object:
    """The schemas' reading of a size field: blank is none, text or a number is a parameter count."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, str | int | float):
        return parse_size(value)
    return value


def number(value: str) -> str | float | None:
    """A form's number as typed (sizes allowed: 70B, 1.3T); left as text when it is not one, so the schema
    names the field when it reports it."""
    if not value.strip():
        return None
    try:
        return parse_size(value)
    except SizeError:
        return value


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
