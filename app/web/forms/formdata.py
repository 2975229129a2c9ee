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
from app.evidence.messages import plain_message
from app.evidence.sizes import exact_number, number  # noqa: F401  (the forms' number fields)

DERIVED = frozenset({"key"})  # left empty, these are derived from other fields, which carry their own errors


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
    """A pydantic error as field -> message in plain words (the first message per field). An optional derived
    field left empty (a key) is not called "Required": the field it is derived from says what is missing."""
    errors: dict[str, str] = {}
    for item in error.errors():
        loc = ".".join(str(part) for part in item["loc"])
        errors.setdefault(field_for(loc, known), plain_message(item))
    derived_only = {f for f in DERIVED if errors.get(f) == "Required."}
    if len(errors) > len(derived_only):
        errors = {f: m for f, m in errors.items() if f not in derived_only}
    return errors


def service_error(error: EvidenceError, known: set[str]) -> dict[str, str]:
    """A service's refusal (unknown key, duplicate DOI...) placed on its field."""
    return {field_for(error.field or "", known): error.message}
