"""Bibliographic details no column holds (pages, ISBN, ISSN, a publisher that is not the organisation), kept
under their BibTeX names in extra["bibtex"] whichever format they came in, so that every format writes them
where it has a place (CSL-JSON page, ISBN, ISSN, publisher; RIS SP/EP, SN, PB) and reads them back to the
same place: an export re-imports unchanged whatever its format."""

from __future__ import annotations

import re
from typing import Any

_ISSN = re.compile(r"\d{4}-?\d{3}[\dXx]")
CSL_NAMES = {"pages": "page", "isbn": "ISBN", "issn": "ISSN"}


def details_from_csl(raw: dict[str, Any], custom: dict[str, Any]) -> dict[str, str]:
    """page, ISBN, ISSN (and publisher, when our export marked it as not the organisation) under BibTeX names."""
    out = {bib: str(raw[csl]).strip() for bib, csl in CSL_NAMES.items() if str(raw.get(csl) or "").strip()}
    if custom.get("ceiling_publisher") and str(raw.get("publisher") or "").strip():
        out["publisher"] = str(raw["publisher"]).strip()
    return out


def details_to_csl(bibtex: dict[str, Any], *, has_organization: bool) -> dict[str, Any]:
    """The CSL fields of the details; `ceiling_publisher` says `publisher` is not the organisation."""
    out: dict[str, Any] = {csl: bibtex[bib] for bib, csl in CSL_NAMES.items() if bibtex.get(bib)}
    if bibtex.get("publisher") and not has_organization:
        out.update(publisher=bibtex["publisher"], ceiling_publisher=True)
    return out


def details_from_ris(ref: dict[str, Any]) -> dict[str, str]:
    """SP (and EP: `SP--EP`), SN (an ISSN when it has that form, else an ISBN), and PB when C6 marks it."""
    out = {}
    start, end = str(ref.get("start_page") or "").strip(), str(ref.get("end_page") or "").strip()
    if start or end:
        out["pages"] = f"{start}--{end}" if start and end else start or end
    number = ref.get("issn") or ""
    number = "; ".join(number) if isinstance(number, list) else str(number).strip()  # SN may repeat
    if number:
        out["issn" if _ISSN.fullmatch(number) else "isbn"] = number
    if str(ref.get("custom6") or "").strip() == "publisher" and str(ref.get("publisher") or "").strip():
        out["publisher"] = ref["publisher"].strip()
    return out


def details_to_ris(bibtex: dict[str, Any], *, has_organization: bool) -> dict[str, Any]:
    """SP/EP from pages (split at `--` between two non-empty ends; otherwise all in SP), SN, and PB with C6 =
    publisher."""
    out: dict[str, Any] = {}
    pages = str(bibtex.get("pages") or "")
    if pages:
        start, dash, end = pages.partition("--")
        if dash and start.strip() == start != "" and end.strip() == end != "":
            out["start_page"], out["end_page"] = start, end
        else:  # "--", "5--", "--7" or " 5--7": all in SP, so it reads back as written
            out["start_page"] = pages
    if bibtex.get("isbn") or bibtex.get("issn"):
        out["issn"] = bibtex.get("isbn") or bibtex.get("issn")
    if bibtex.get("publisher") and not has_organization:
        out.update(publisher=bibtex["publisher"], custom6="publisher")
    return out
