"""From .bib text to bibtexparser's library, forgiving what the BibTeX tools forgive: an entry without a key
(`@Article{,` from JabRef, `@article{` then a field from EndNote), a line commented out with `%` between
entries, and a field given twice (the first value is kept, as BibTeX and biber keep it)."""

from __future__ import annotations

import re

from bibtexparser import Library, middlewares
from bibtexparser.model import DuplicateFieldKeyBlock, Entry
from bibtexparser.splitter import Splitter

NO_KEY = "ceiling-no-key-"
_NAME = r"[A-Za-z][\w:.+-]*"  # an entry type or field name: `web_page`, `AUTHOR+an:username`
_KEYLESS = re.compile(rf"(@(?!(?:string|preamble|comment)\b){_NAME}\s*[{{(])(\s*)(?:,|(?={_NAME}\s*=))", re.I)
_ESCAPED_BRACE = re.compile(r"\\[{}]")


def read(text: str) -> tuple[Library, dict[int, list[str]]]:
    """The library bibtexparser reads (strings resolved, enclosing braces removed, field names lower-case,
    month macros as numbers), and per entry's start line the fields it gives twice."""
    library = Splitter(_uncommented(_keyed(text))).split()
    repeated = {}
    for block in library.failed_blocks:
        if isinstance(block, DuplicateFieldKeyBlock):
            entry = _first_values(block.ignore_error_block)
            library.replace(block, entry, fail_on_duplicate_key=False)
            repeated[entry.start_line] = sorted(block.duplicate_keys)
    stack = [*middlewares.default_parse_stack(), middlewares.NormalizeFieldKeys(), middlewares.MonthIntMiddleware(True)]
    for middleware in stack:
        library = middleware.transform(library)
    return library, repeated


def _keyed(text: str) -> str:
    """Each entry without a key gets a placeholder one (NO_KEY and a number), on the same line."""
    numbered = iter(range(1, 10_000_000))
    return _KEYLESS.sub(lambda m: f"{m.group(1)}{NO_KEY}{next(numbered)},{m.group(2)}", text)


def _uncommented(text: str) -> str:
    """Lines that start with `%` outside any entry are blanked, keeping the line numbers: biber, JabRef and
    Better BibTeX read them as comments, so `%@article{...` is an entry taken out, not one to import."""
    lines, depth = text.split("\n"), 0
    for number, line in enumerate(lines):
        if depth == 0 and line.lstrip().startswith("%"):
            lines[number] = ""
            continue
        plain = _ESCAPED_BRACE.sub("", line)
        depth = max(0, depth + plain.count("{") - plain.count("}"))
    return "\n".join(lines)


def _first_values(entry: Entry) -> Entry:
    first = {}
    for field in entry.fields:
        first.setdefault(field.key, field)
    entry.fields = list(first.values())
    return entry
