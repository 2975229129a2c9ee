"""DOIs, arXiv ids and keys found in imported fields, normalised the way the store keeps them."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from app.evidence.schemas.common import WEB_ADDRESS, normalize_arxiv_id, normalize_doi

_ARXIV_URL = re.compile(r"arxiv\.org/(?:abs|pdf)/([^?#\s]+?)(?:\.pdf)?(?:[?#].*)?$", re.IGNORECASE)
_ARXIV_TEXT = re.compile(r"arxiv[:\s]+(\d{4}\.\d{4,5}(?:v\d+)?|[a-z\-]+(?:\.[A-Z]{2})?/\d{7}(?:v\d+)?)", re.IGNORECASE)
_ARXIV_DOI = re.compile(r"^10\.48550/arxiv\.(.+)$", re.IGNORECASE)
_DOI_URL = re.compile(r"^https?://(dx\.)?doi\.org/", re.IGNORECASE)
_DOI_PREFIX = re.compile(r"^\s*(?:https?\s*:\s*//\s*(?:dx\.)?doi\.org\s*/|doi\s*:)\s*", re.IGNORECASE)
_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")
YEARS = range(1900, 2101)  # what the store accepts (SourceIn.year)


@dataclass
class Incoming:
    """One record read from a file: where it is, the SourceIn values it gives, and what it could not map."""

    where: str  # "refs.bib:12: entry 'smith2020'"
    values: dict[str, Any]
    problems: list[str] = field(default_factory=list)
    key_made_up: bool = False  # the file gave no key (RIS without ID): never matched to a stored key
    notes: list[str] = field(default_factory=list)  # what was kept in another place than a user may expect
    inferred: set[str] = field(default_factory=set)  # fields guessed (kind from the entry type), never curated


def year_of(text: str) -> tuple[int | None, bool]:
    """The store's year in a year field's text, and whether the text says more than that year.

    `2024` -> (2024, False); `Autumn 2001` -> (2001, True); `1875 [2004]` -> (2004, True): the first
    four-digit year the store accepts (1900-2100); `1850` or `n.d.` -> (None, True)."""
    text = text.strip()
    years = [int(y) for y in _YEAR.findall(text) if int(y) in YEARS]
    year = years[0] if years else None
    return year, text != str(year)


def doi_of(value: str | None) -> str | None:
    """A normalised DOI from a DOI field or a doi.org URL; ValueError when it is not a DOI."""
    if not value or not value.strip():
        return None
    return normalize_doi(_DOI_PREFIX.sub("", value.strip()))


def split_doi(value: str | None) -> tuple[str | None, str | None]:
    """(DOI, arXiv id) of a DOI field: an arXiv DOI (10.48550/arXiv.N) is the arXiv id N, not a DOI."""
    doi = doi_of(value)
    match = _ARXIV_DOI.match(doi or "")
    if match:
        return None, normalize_arxiv_id(match.group(1))
    return doi, None


def arxiv_of(*candidates: str | None) -> str | None:
    """The first arXiv id in eprint fields, arxiv.org URLs, 10.48550 DOIs or text such as 'arXiv:2401.00001v2'."""
    for value in candidates:
        if not value or not str(value).strip():
            continue
        text = str(value).strip()
        for pattern in (_ARXIV_URL, _ARXIV_DOI, _ARXIV_TEXT):
            match = pattern.search(text)
            if match:
                try:
                    return normalize_arxiv_id(match.group(1))
                except ValueError:
                    continue
        try:
            return normalize_arxiv_id(text)
        except ValueError:
            continue
    return None


def doi_in_url(url: str | None) -> str | None:
    if url and _DOI_URL.match(url.strip()):
        try:
            return normalize_doi(url)
        except ValueError:
            return None
    return None


def make_key(*parts: str | None) -> str:
    """A store key (lower-case ASCII letters, digits, `_ . -`) from a citation key or other text."""
    raw = "_".join(p for p in parts if p)
    folded = unicodedata.normalize("NFKD", raw).encode("ascii", "ignore").decode().lower()
    key = re.sub(r"[^a-z0-9_.\-]+", "_", folded).lstrip("_.-")[:100]  # a valid key stays as it is
    return key or "imported"


def derived_key(values: dict[str, Any]) -> str:
    """A key for a record without one: first author's family name, year, first word of the title."""
    authors = values.get("authors") or []
    family = authors[0].split(",")[0].split()[-1] if authors and authors[0].strip() else ""
    words = re.findall(r"[A-Za-z0-9]{3,}", values.get("title") or "")
    return make_key(family, str(values.get("year") or ""), words[0] if words else "")


def multiline(text: str) -> str:
    """Notes as the store keeps them: line breaks as `\n` whatever the file's (CRLF, CR, U+2028), ends trimmed."""
    return "\n".join(text.splitlines()).strip()


def split_labels(text: str | None) -> list[str]:
    return [part.strip() for part in (text or "").split(";") if part.strip()]


def truthy(text: Any) -> bool:
    return str(text).strip().lower() in {"true", "yes", "1", "y"}


def as_record(item: Any) -> dict[str, Any]:
    """A source (row, read model or dict) as a plain dict of SourceIn fields."""
    if isinstance(item, dict):
        return item
    return item.model_dump()


KIND_FIELDS = ("kind", "peer_reviewed", "verification", "report_labels")  # Ceiling's own fields, named in every format


def web_address(text: str | None) -> str | None:
    """The text when it is a URL the store holds (http or https), else None."""
    return text if text and WEB_ADDRESS.fullmatch(text) else None


def not_a_web_address(name: str, text: Any) -> str:
    """The note for a URL field the store cannot hold as a link (`citeseer.nj.nec.com/x.html`, `ftp://`)."""
    return f"{name}: {text!r} is not a web address (http:// or https://); kept as text"
