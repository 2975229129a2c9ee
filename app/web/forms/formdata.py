"""From a posted form to input schemas and back: typed values kept as typed, errors keyed by field.

Field names in the HTML are the schema's field paths (`title`, `results.0.params`), so a pydantic
error location or a service error's `field` maps straight onto the field it belongs to.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from pydantic import ValidationError
from starlette.datastructures import FormData

from app.evidence.errors import EvidenceError
from app.evidence.sizes import exact_number, number  # noqa: F401  (the forms' number fields)

FRIENDLY = {
    "missing": "Required.",
    "string_too_short": "Required.",
    "list_too_short": "Choose at least one.",
    "string_pattern_mismatch": "Use lower-case letters, digits, '.', '_' or '-' (starting with a letter or digit).",
    "float_parsing": "Enter a number.",
    "int_parsing": "Enter a whole number.",
    "date_from_datetime_parsing": "Enter a date as YYYY-MM-DD.",
}


def text(form: FormData, name: str) -> str:
    """The field's value as typed ('' when absent or a file)."""
    value = form.get(name, "")
    return value if isinstance(value, str) else ""


def typed(form: FormData, names: Iterable[str]) -> dict[str, str]:
    """The typed values of the named fields, untouched, to render the form again."""
    return {name: text(form, name) for name in names}


def blank_to_none(value: str) -> str | None:
    value = value.strip()
    return value or None


def lines(value: str, separators: str = "\n") -> list[str]:
    """Non-empty items of a textarea (one per line) or a comma list."""
    pattern = "[" + re.escape(separators) + "]"
    return [item.strip() for item in re.split(pattern, value) if item.strip()]


def _message(error: dict) -> str:
    if error["type"] in FRIENDLY:
        return FRIENDLY[error["type"]]
    message = error["msg"]
    return message.removeprefix("Value error, ")


def field_for(loc: str, known: set[str]) -> str:
    """The form field an error location belongs to: the longest known prefix, or 'form'."""
    parts = loc.split(".") if loc else []
    while parts:
        candidate = ".".join(parts)
        if candidate in known:
            return candidate
        parts.pop()
    return "form"


def validation_errors(error: ValidationError, known: set[str]) -> dict[str, str]:
    """A pydantic error as field -> message (the first message per field)."""
    errors: dict[str, str] = {}
    for item in error.errors():
        loc = ".".join(str(part) for part in item["loc"])
        errors.setdefault(field_for(loc, known), _message(item))
    return errors


def service_error(error: EvidenceError, known: set[str]) -> dict[str, str]:
    """A service's refusal (unknown key, duplicate DOI...) placed on its field."""
    return {field_for(error.field or "", known): error.message}
