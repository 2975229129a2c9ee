"""Export the selection of a list (sources, claims, results; the API's filters) as BibTeX, RIS, CSL-JSON or CSV.

Sources export as references; claims and results export their sources as references, or themselves
as the bulk CSV that the import reads back (one row per result).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, select

from app.evidence.interchange import bibtex, bulk, csljson, ris
from app.evidence.interchange.csvsafe import csv_text
from app.evidence.models import Claim, Result, Source
from app.evidence.services import listing, read

REFERENCE_WRITERS = {"bibtex": bibtex.write, "ris": ris.write, "csljson": csljson.write}
EXPORT_FORMATS = ("bibtex", "ris", "csljson", "csv")
LISTS = {"sources": listing.list_sources, "claims": listing.list_claims, "results": listing.list_results}
MEDIA = {
    "bibtex": ("application/x-bibtex; charset=utf-8", "bib"),
    "ris": ("application/x-research-info-systems; charset=utf-8", "ris"),
    "csljson": ("application/vnd.citationstyles.csl+json; charset=utf-8", "json"),
    "csv": ("text/csv; charset=utf-8", "csv"),
}


@dataclass
class ExportFile:
    text: str
    media_type: str
    filename: str


def export_list(session: Session, list_name: str, filters: Any, fmt: str) -> ExportFile:
    """The rows of a list matching the filters, in one of EXPORT_FORMATS."""
    items = list(listing.iter_all(LISTS[list_name], session, filters))
    media, extension = MEDIA[fmt]
    if fmt == "csv":
        text = _sources_csv(items) if list_name == "sources" else _claims_csv(session, list_name, items)
    else:
        text = REFERENCE_WRITERS[fmt](_sources_of(session, list_name, items))
    return ExportFile(text, media, f"{list_name}.{extension}")


def _sources_of(session: Session, list_name: str, items: list[Any]) -> list[Any]:
    if list_name == "sources":
        return items
    keys = {item.source for item in items} if list_name == "claims" else _claim_sources(session, items)
    rows = session.exec(select(Source).where(Source.key.in_(keys)).order_by(Source.key)).all() if keys else []
    return read.source_views(rows)


def _claim_sources(session: Session, results: list[Any]) -> set[str]:
    return {c.source for c in _claims_by_key(session, {r.claim for r in results})}


def _claims_by_key(session: Session, keys: set[str]) -> list[Any]:
    rows = session.exec(select(Claim).where(Claim.key.in_(sorted(keys))).order_by(Claim.id)).all() if keys else []
    return read.claim_views(session, rows)


def _sources_csv(items: Iterable[Any]) -> str:
    header = list(read.SourcePublic.model_fields)
    return csv_text(header, (item.model_dump() for item in items))


def _claims_csv(session: Session, list_name: str, items: list[Any]) -> str:
    """Claims (with their live results) or results (with their claims) as the bulk CSV."""
    if list_name == "claims":
        claims, wanted = items, None
    else:
        wanted = {r.key for r in items}
        claims = _claims_by_key(session, {r.claim for r in items})
    rows = []
    for claim in claims:
        results = session.exec(
            select(Result).where(Result.claim_id == claim.id, Result.deleted_at.is_(None)).order_by(Result.key)
        ).all()
        shaped = [r.model_dump() for r in read.result_views(session, results) if wanted is None or r.key in wanted]
        rows += bulk.claim_rows({**claim.model_dump(), "results": shaped})
    return csv_text(bulk.COLUMNS, rows)
