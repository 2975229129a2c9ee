"""CSL-JSON (Zotero's and Better BibTeX's JSON export, citeproc's input) in and out.

A file is a JSON list of items (or {"items": [...]}), each validated by CslItem. Mapping
(docs/import-export.md): id -> key, type -> kind, author (else editor) -> authors ("Family, Given"
or a literal name), title, issued.date-parts -> year and date, container-title -> venue, publisher ->
organization, URL, DOI, arXiv id from custom.arxiv_id, a 10.48550 DOI, number/archive_location or
the URL; note -> notes; custom.ceiling_* carry Ceiling's own fields. Other fields go to extra["csl"].
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from app.evidence.interchange.details import details_from_csl, details_to_csl
from app.evidence.interchange.identifiers import (
    YEARS,
    Incoming,
    arxiv_of,
    as_record,
    derived_key,
    make_key,
    multiline,
    not_a_web_address,
    split_doi,
    web_address,
    year_of,
)
from app.evidence.messages import describe

KIND_OF_TYPE = {"article-journal": "paper", "paper-conference": "paper", "chapter": "paper", "book": "paper",
                "thesis": "paper", "report": "paper", "article": "preprint", "manuscript": "preprint",
                "post-weblog": "blog", "post": "blog", "webpage": "blog", "dataset": "dataset",
                "software": "dataset", "speech": "talk", "interview": "statement"}  # fmt: skip
TYPE_OF_KIND = {"paper": "article-journal", "survey": "article-journal", "preprint": "article", "blog": "post-weblog",
                "model_card": "report", "benchmark": "dataset", "dataset": "dataset", "statement": "webpage",
                "talk": "speech"}  # fmt: skip
USED = {"id", "type", "title", "author", "editor", "issued", "container-title", "publisher", "URL", "DOI", "note",
        "custom", "number", "archive_location", "page", "ISBN", "ISSN"}  # fmt: skip


class CslName(BaseModel):
    model_config = ConfigDict(extra="allow")
    family: str | None = None
    given: str | None = None
    literal: str | None = None
    non_dropping_particle: str | None = Field(None, alias="non-dropping-particle")

    def text(self) -> str:
        if self.literal:
            return self.literal.strip()
        family = " ".join(p for p in (self.non_dropping_particle, self.family) if p)
        return f"{family}, {self.given}" if self.given else family


class CslDate(BaseModel):
    model_config = ConfigDict(extra="allow")
    date_parts: list[list[int | str]] | None = Field(None, alias="date-parts")
    raw: str | None = None


class CslItem(BaseModel):
    """One CSL-JSON item: the fields Ceiling maps are typed; every other field is allowed and kept."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)
    id: str | int
    type: str = "article"
    title: str | None = None
    author: list[CslName] = Field(default_factory=list)
    editor: list[CslName] = Field(default_factory=list)
    issued: CslDate | None = None
    container_title: str | None = Field(None, alias="container-title")
    publisher: str | None = None
    URL: str | None = None
    DOI: str | None = None
    note: str | None = None
    number: str | int | None = None
    archive_location: str | None = None
    custom: dict[str, Any] = Field(default_factory=dict)


def parse(text: str, label: str) -> tuple[list[Incoming], list[str]]:
    """The items of a CSL-JSON file as Incoming records, and the file's problems."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        return [], [f"{label}:{error.lineno}: not valid JSON: {error.msg}"]
    except RecursionError:
        return [], [f"{label}:1: the JSON nests too deeply to read (CSL-JSON items are a few levels deep)"]
    items = document.get("items") if isinstance(document, dict) else document
    if not isinstance(items, list):
        return [], [f"{label}:1: expected a JSON list of CSL items (or an object with `items`)"]
    records, problems, seen = [], [], {}
    for index, raw in enumerate(items):
        name = raw.get("id", "?") if isinstance(raw, dict) else "?"
        where = f"{label}: item {index + 1} (id {name!r})"
        try:
            item = CslItem.model_validate(raw)
        except ValidationError as error:
            fields = describe(error.errors())
            problems.append(f"{where}: {fields}")
            continue
        if str(item.id) in seen:
            problems.append(f"{where}: duplicate id (also item {seen[str(item.id)]})")
        seen[str(item.id)] = index + 1
        records.append(_record(item, raw, where))
    return records, problems


def _record(item: CslItem, raw: dict[str, Any], where: str) -> Incoming:  # noqa: C901 - one branch per CSL-JSON field, in the order the format lists them
    record = Incoming(where, {})
    values = record.values
    custom = item.custom
    values["authors"] = [n.text() for n in (item.author or item.editor) if n.text()]
    if item.title:
        values["title"] = " ".join(item.title.split())
    kept = {k: v for k, v in raw.items() if k not in USED}
    _dates(item.issued, values, kept, record.notes)
    if item.container_title:
        values["venue"] = item.container_title.strip()
    details = details_from_csl(raw, custom)
    if item.publisher and not custom.get("ceiling_publisher"):
        values["organization"] = item.publisher.strip()
    url = (item.URL or "").strip()
    if web_address(url):
        values["url"] = url
    elif url:
        kept["URL"] = item.URL
        record.notes.append(not_a_web_address("URL", item.URL))
    try:
        doi, arxiv_doi = split_doi(item.DOI)
        if doi:
            values["doi"] = doi
    except ValueError:
        arxiv_doi = None
        kept["DOI"] = item.DOI
        record.notes.append(f"DOI: {item.DOI!r} is not a DOI; kept as text")
    arxiv = arxiv_of(custom.get("arxiv_id"), arxiv_doi, str(item.number or ""), item.archive_location, item.URL)
    if arxiv:
        values["arxiv_id"] = arxiv
    values["kind"] = (
        custom.get("ceiling_kind")
        or ("preprint" if arxiv and item.type in {"article", "article-journal"} and not item.container_title else None)
        or KIND_OF_TYPE.get(item.type, "paper")
    )
    if not custom.get("ceiling_kind"):
        record.inferred.add("kind")
    if item.note:
        values["notes"] = multiline(item.note)
    for name in ("peer_reviewed", "verification", "report_labels"):
        if f"ceiling_{name}" in custom:
            values[name] = custom[f"ceiling_{name}"]
    values["key"] = make_key(str(item.id)) if str(item.id).strip() else derived_key(values)
    if item.number is not None and not arxiv:
        kept["number"] = item.number
    if item.type != TYPE_OF_KIND.get(values["kind"]):
        kept["type"] = item.type
    values["extra"] = {**({"csl": kept} if kept else {}), **({"bibtex": details} if details else {})}
    return record


def _dates(issued: CslDate | None, values: dict[str, Any], kept: dict[str, Any], notes: list[str]) -> None:
    """`issued.date-parts` (else `raw`) gives the year, and the date when it is complete; an issued date the store
    cannot hold as it is (before 1900, free text, not a calendar date) is kept as it came in extra."""
    if issued is None:
        return
    parts = (issued.date_parts or [[]])[0]
    if not parts and issued.raw:
        parts = issued.raw[:10].split("-")
    try:
        numbers = [int(p) for p in parts]
        year = numbers[0] if numbers and numbers[0] in YEARS else None
        date = dt.date(*numbers) if len(numbers) == 3 and year else None  # noqa: DTZ001 - a calendar date
    except (ValueError, TypeError):
        numbers, year, date = [], year_of(issued.raw or "")[0], None
    if year:
        values["year"] = year
    if date:
        values["published_date"] = date
    if not year or (len(numbers) == 3 and not date) or (not numbers and issued.raw):
        kept["issued"] = issued.model_dump(by_alias=True, exclude_none=True)
        notes.append(f"issued {kept['issued']} kept as it came" + (f"; year {year}" if year else ""))


def item(s: dict[str, Any], for_citeproc: bool = False) -> dict[str, Any]:
    """One source as a CSL item; for citeproc without `et al.` (the style abbreviates) or Ceiling's fields."""
    kept = dict((s.get("extra") or {}).get("csl") or {})
    out: dict[str, Any] = {"id": s["key"], "type": kept.pop("type", None) or TYPE_OF_KIND[s["kind"]]}
    names = [n for n in s.get("authors") or [] if not (for_citeproc and n == "et al.")]
    out["author"] = [_name(n) for n in names]
    out["title"] = s["title"]
    issued = kept.pop("issued", None)
    if s.get("published_date"):
        date = dt.date.fromisoformat(str(s["published_date"])[:10])
        out["issued"] = {"date-parts": [[date.year, date.month, date.day]]}
    elif issued and _issued_year(issued) == s.get("year"):
        out["issued"] = issued  # as the file gave it: `1850`, or free text
    elif s.get("year"):
        out["issued"] = {"date-parts": [[s["year"]]]}
    for field, name in (("venue", "container-title"), ("organization", "publisher"), ("url", "URL"), ("doi", "DOI")):
        if s.get(field):
            out[name] = s[field]
    details = details_to_csl((s.get("extra") or {}).get("bibtex") or {}, has_organization=bool(s.get("organization")))
    if s.get("notes") and not for_citeproc:
        out["note"] = s["notes"]
    if for_citeproc:
        return out
    out["custom"] = {
        "ceiling_kind": s["kind"],
        "ceiling_peer_reviewed": bool(s.get("peer_reviewed")),
        "ceiling_verification": s.get("verification") or "partial",
        "ceiling_report_labels": list(s.get("report_labels") or []),
        **({"arxiv_id": s["arxiv_id"]} if s.get("arxiv_id") else {}),
        **({"ceiling_publisher": True} if details.pop("ceiling_publisher", False) else {}),
    }
    out.update({k: v for k, v in details.items() if k not in out})
    out.update({k: v for k, v in kept.items() if k not in out})
    return out


def _issued_year(issued: dict[str, Any]) -> int | None:
    try:
        return _year_in(CslDate.model_validate(issued))
    except ValueError:
        return None


def _year_in(issued: CslDate) -> int | None:
    values: dict[str, Any] = {}
    _dates(issued, values, {}, [])
    return values.get("year")


def _name(text: str) -> dict[str, str]:
    """`Family, Given` as its parts when they give the name back exactly; any other name as a literal."""
    family, _, given = text.partition(",")
    parts = {"family": family.strip(), "given": given.strip()}
    exact = parts["family"] and parts["given"] and text == f"{parts['family']}, {parts['given']}"
    return parts if exact else {"literal": text}


def write(sources: Iterable[Any]) -> str:
    """Sources as a CSL-JSON list that parse() reads back to the same values."""
    return json.dumps([item(as_record(s)) for s in sources], indent=2, ensure_ascii=False) + "\n"
