"""Which stored source an incoming reference is: the same key, or a possible duplicate (DOI, arXiv id, title + year)."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from app.evidence.history import diff_fields
from app.evidence.models import Source
from app.evidence.schemas.common import normalize_title
from app.evidence.schemas.sources import SourceIn
from app.evidence.services import sources as source_service


def identity(values: dict[str, Any]) -> list[tuple[str, Any]]:
    """The identifiers that make two references the same work."""
    out = []
    if values.get("doi"):
        out.append(("same DOI", values["doi"]))
    if values.get("arxiv_id"):
        out.append(("same arXiv id", values["arxiv_id"]))
    if values.get("title"):
        out.append(("same title and year", (normalize_title(values["title"]), values.get("year"))))
    return out


def store_duplicates(session: Session, data: SourceIn) -> list[tuple[Source, list[str]]]:
    """Stored sources (deleted ones included) sharing the DOI, the arXiv id, or the title with a compatible year."""
    found = []
    for row in source_service.find_duplicates(session, data):
        reasons = []
        if data.doi and row.doi == data.doi:
            reasons.append("same DOI")
        if data.arxiv_id and row.arxiv_id == data.arxiv_id:
            reasons.append("same arXiv id")
        same_title = row.title_normalized == normalize_title(data.title)
        if same_title and (row.year is None or data.year is None or row.year == data.year):
            reasons.append("same title and year")
        if reasons:
            found.append((row, reasons))
    return found


def stored_values(row: Source) -> dict[str, Any]:
    """A stored source in the shape of SourceIn."""
    return {name: getattr(row, name) for name in SourceIn.model_fields}


def overlay(row: Source, incoming: dict[str, Any]) -> SourceIn:
    """The stored source with the file's values on top: what the file does not give is kept; extra is merged."""
    merged = stored_values(row)
    for name, value in incoming.items():
        if name == "key":
            continue
        if name == "extra":
            merged["extra"] = {**(row.extra or {}), **value}
        elif value not in (None, "", []):
            merged[name] = value
    return SourceIn.model_validate(merged)


def changes_of(row: Source, data: SourceIn) -> dict[str, list[Any]]:
    """Field -> [stored, incoming] for every field the write would change."""
    return diff_fields(row, source_service.columns(data))
