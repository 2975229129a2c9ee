"""DOIs, arXiv ids and keys found in imported fields, normalised the way the store keeps them."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from app.evidence.schemas.common import normalize_arxiv_id, normalize_doi

_ARXIV_URL = re.compile(r"arxiv\.org/(?:abs|pdf)/([^?#\s]+?)(?:\.pdf)?(?:[?#].*)?$", re.IGNORECASE)
_ARXIV_TEXT = re.compile(r"arxiv[:\s]+(\d{4}\.\d{4,5}(?:v\d+)?|[a-z\-]+(?:\.[A-Z]{2})?/\d{7}(?:v\d+)?)", re.IGNORECASE)
_ARXIV_DOI = re.compile(r"^10\.48550/arxiv\.(.+)$", re.IGNORECASE)
_DOI_URL = re.compile(r"^https?://(dx\.)?doi\.org/", re.IGNORECASE)


@dataclass
class Incoming:
    """One record read from a file: where it is, the SourceIn values it gives, and what it could not map."""

    where: str  # "refs.bib:12: entry 'smith2020'"
    values: dict[str, Any]
    problems: list[str] = field(default_factory=list)
    key_made_up: bool = False  # the file gave no key (RIS without ID): never matched to a stored key


def doi_of(value: str | None) -> str | None:
    """A normalised DOI from a DOI field or a doi.org URL; ValueError when it is not a DOI."""
    return normalize_doi(value) if value and value.strip() else None


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
    key = re.sub(r"[^a-z0-9_.\-]+", "_", folded).strip("_.-")[:100]
    return key or "imported"


def derived_key(values: dict[str, Any]) -> str:
    """A key for a record without one: first author's family name, year, first word of the title."""
    authors = values.get("authors") or []
    family = authors[0].split(",")[0].split()[-1] if authors and authors[0].strip() else ""
    words = re.findall(r"[A-Za-z0-9]{3,}", values.get("title") or "")
    return make_key(family, str(values.get("year") or ""), words[0] if words else "")


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
