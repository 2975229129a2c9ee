"""One catalogue of validation messages in plain words: what the forms show beside a field, what the API's
problem+json `errors[].message` says and what the CLI (seed, import) prints, for every pydantic error type.

pydantic's own texts ("List should have at least 1 item after validation, not 0", "Input should be less than or
equal to 2100") describe the validator, not the field; a person needs to know what to type. Our own validators
already raise plain sentences (ValueError), which pass through without pydantic's "Value error, " prefix. A type
missing from the catalogue gets a neutral sentence rather than pydantic's phrasing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.evidence.sizes import exact_number

KEY_HELP = "Use lower-case letters, digits, '.', '_' or '-', starting with a letter or digit."
FALLBACK = "This value cannot be used here."

# Words pydantic uses that a plain message never needs: a page or an answer that shows one leaks validator text.
PYDANTIC_PHRASES = (
    "Input should",
    "should have at least",
    "should have at most",
    "after validation",
    "Field required",
    "Value error,",
    "String should",
    "Extra inputs",
    "valid dictionary",
    "unable to parse",
    "errors.pydantic.dev",
)


def _number(value: Any) -> str:
    """A bound as a person reads it: 2100, 0.5, 10000T (sizes in the analyst's units)."""
    if isinstance(value, int | float) and abs(value) >= 1e6:
        return exact_number(float(value))
    return f"{value:g}" if isinstance(value, float) else str(value)


def _items(count: Any) -> str:
    return "one" if count == 1 else str(count)


def _choices(ctx: dict) -> str:
    expected = str(ctx.get("expected", "")).replace("'", "")
    return f"Choose one of: {expected}." if expected else "Choose one of the listed values."


def _pattern(ctx: dict) -> str:
    """A key's pattern gets the key's rule; a `^(a|b)$` pattern is a choice."""
    pattern = str(ctx.get("pattern", ""))
    if pattern.startswith("^(") and pattern.endswith(")$") and "[" not in pattern:
        return "Choose one of: " + ", ".join(pattern[2:-2].split("|")) + "."
    return KEY_HELP


CATALOGUE: dict[str, Callable[[dict], str]] = {
    "missing": lambda ctx: "Required.",
    "string_too_short": lambda ctx: (
        "Required." if ctx.get("min_length") == 1 else f"Write at least {ctx['min_length']} characters."
    ),
    "string_too_long": lambda ctx: f"Write at most {ctx['max_length']:,} characters.",
    "too_short": lambda ctx: f"Choose at least {_items(ctx.get('min_length', 1))}.",
    "too_long": lambda ctx: f"Give at most {_items(ctx.get('max_length'))}.",
    "string_pattern_mismatch": _pattern,
    "greater_than": lambda ctx: f"Enter a number above {_number(ctx['gt'])}.",
    "greater_than_equal": lambda ctx: f"Enter a number of at least {_number(ctx['ge'])}.",
    "less_than": lambda ctx: f"Enter a number below {_number(ctx['lt'])}.",
    "less_than_equal": lambda ctx: f"Enter a number no larger than {_number(ctx['le'])}.",
    "finite_number": lambda ctx: "Enter a finite number.",
    "float_parsing": lambda ctx: "Enter a number.",
    "float_type": lambda ctx: "Enter a number.",
    "int_parsing": lambda ctx: "Enter a whole number.",
    "int_type": lambda ctx: "Enter a whole number.",
    "int_from_float": lambda ctx: "Enter a whole number.",
    "int_parsing_size": lambda ctx: "Enter a smaller whole number.",
    "bool_parsing": lambda ctx: "Choose yes or no (true or false).",
    "bool_type": lambda ctx: "Choose yes or no (true or false).",
    "enum": _choices,
    "literal_error": _choices,
    "string_type": lambda ctx: "Enter text.",
    "string_unicode": lambda ctx: "Enter text.",
    "list_type": lambda ctx: "Give a list of values.",
    "dict_type": lambda ctx: "Give a mapping of names to values.",
    "model_type": lambda ctx: "Give a mapping of field names to values.",
    "model_attributes_type": lambda ctx: "Give a mapping of field names to values.",
    "extra_forbidden": lambda ctx: "Not a field here; check its spelling.",
    "date_parsing": lambda ctx: "Enter a date as YYYY-MM-DD.",
    "date_type": lambda ctx: "Enter a date as YYYY-MM-DD.",
    "date_from_datetime_parsing": lambda ctx: "Enter a date as YYYY-MM-DD.",
    "date_from_datetime_inexact": lambda ctx: "Enter a date as YYYY-MM-DD, without a time.",
    "datetime_parsing": lambda ctx: "Enter a date and time as YYYY-MM-DDTHH:MM:SSZ.",
    "datetime_type": lambda ctx: "Enter a date and time as YYYY-MM-DDTHH:MM:SSZ.",
    "datetime_from_date_parsing": lambda ctx: "Enter a date and time as YYYY-MM-DDTHH:MM:SSZ.",
    "json_invalid": lambda ctx: "The body is not valid JSON.",
    "json_type": lambda ctx: "The body is not valid JSON.",
    "url_parsing": lambda ctx: "Enter a web address starting with http:// or https://.",
    "url_scheme": lambda ctx: "Enter a web address starting with http:// or https://.",
}
OWN_WORDS = {"value_error", "assertion_error"}  # our validators' sentences, already in plain words


def plain_message(error: dict) -> str:
    """The catalogue's message for one pydantic error dict (from ValidationError.errors())."""
    kind = str(error.get("type", ""))
    if kind in OWN_WORDS:
        text = str((error.get("ctx") or {}).get("error") or error.get("msg", "")).removeprefix("Value error, ").strip()
        return text or FALLBACK
    make = CATALOGUE.get(kind)
    if make is None:
        return FALLBACK
    try:
        return make(dict(error.get("ctx") or {}))
    except (KeyError, TypeError, ValueError):
        return FALLBACK


def describe(errors: list[dict]) -> str:
    """Errors as one line for the CLI and seed files: `results.0.params: <message>; ...`."""
    return "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'entry'}: {plain_message(e)}" for e in errors)
