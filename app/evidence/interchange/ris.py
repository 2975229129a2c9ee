"""RIS (.ris) in and out, parsed and written by rispy.

Mapping (docs/import-export.md): TY -> kind, ID -> key, AU/A1 -> authors (one tag per author, in
order), TI/T1 -> title, PY/Y1 and DA -> year and date, JO/T2/JF -> venue, PB -> organization, UR ->
url, DO -> doi, an arxiv.org URL or `arXiv:` id anywhere -> arXiv id, N1 -> notes; C1..C5 carry
Ceiling's kind, peer review, verification, report labels and arXiv id. Every other tag is kept in extra["ris"].
A record must end with `ER  -`: one that does not (a file cut short) is skipped, naming its line.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any

import rispy
from rispy.writer import RisWriter

from app.evidence.interchange.details import details_from_ris, details_to_ris
from app.evidence.interchange.identifiers import (
    Incoming,
    arxiv_of,
    as_record,
    derived_key,
    doi_in_url,
    make_key,
    multiline,
    not_a_web_address,
    split_doi,
    split_labels,
    truthy,
    web_address,
    year_of,
)

KIND_OF_TYPE = {"JOUR": "paper", "JFULL": "paper", "CONF": "paper", "CPAPER": "paper", "CHAP": "paper",
                "BOOK": "paper", "THES": "paper", "RPRT": "paper", "BLOG": "blog", "WEB": "blog", "ELEC": "blog",
                "DATA": "dataset", "DBASE": "dataset", "UNPB": "preprint", "MANSCPT": "preprint",
                "SLIDE": "talk", "VIDEO": "talk", "SOUND": "talk", "GEN": "paper"}  # fmt: skip
TYPE_OF_KIND = {"paper": "JOUR", "survey": "JOUR", "preprint": "UNPB", "blog": "BLOG", "model_card": "RPRT",
                "benchmark": "DATA", "dataset": "DATA", "statement": "GEN", "talk": "SLIDE"}  # fmt: skip
USED = {"type_of_reference", "id", "authors", "first_authors", "title", "primary_title", "year", "publication_year",
        "date", "journal_name", "secondary_title", "alternate_title3", "publisher", "urls", "doi", "notes",
        "custom1", "custom2", "custom3", "custom4", "custom5", "custom6", "unknown_tag", "start_page", "end_page",
        "issn"}  # fmt: skip
_BREAKS = re.compile(r"[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]")  # what str.splitlines() breaks at
_FULL_DATE = re.compile(r"(\d{4})[/-](\d{1,2})[/-](\d{1,2})/?")
_TAG_LINE = re.compile(r"^([A-Z][A-Z0-9])  - ?(.*)$")


class _Writer(RisWriter):
    def set_header(self, count: int) -> str:  # no "1." line before each record: plain RIS
        return ""


def _spans(lines: list[str]) -> list[tuple[int, int | None, str]]:
    """Each record as (its TY line, its ER line or None, why it has none), numbered from 1."""
    spans, open_at = [], None
    for number, line in enumerate(lines, 1):
        match = _TAG_LINE.match(line.rstrip())
        if not match:
            continue
        if match.group(1) == "TY":
            if open_at is not None:
                spans.append((open_at, None, "record has no `ER  -` line before the next TY"))
            open_at = number
        elif match.group(1) == "ER" and open_at is not None:
            spans.append((open_at, number, ""))
            open_at = None
    if open_at is not None:
        spans.append((open_at, None, "record has no `ER  -` line (the file ends inside it: truncated?)"))
    return spans


def parse(text: str, label: str) -> tuple[list[Incoming], list[str]]:
    """The records of a .ris file as Incoming records, and the file's problems (each naming its line). A record
    that never reaches its `ER  -` may be cut short: it is skipped with that reason, the others are read."""
    lines = text.lstrip("\ufeff").splitlines()
    spans = _spans(lines)
    if not spans:
        return [], [f"{label}:1: no RIS record found (each starts with `TY  - ` and ends with `ER  - `)"]
    whole = [(start, end) for start, end, _ in spans if end is not None]
    try:
        references = rispy.loads("\n".join(line for start, end in whole for line in lines[start - 1 : end]))
    except (OSError, ValueError, KeyError) as error:
        return [], [f"{label}: not valid RIS: {error}"]
    if len(references) != len(whole):
        return [], [f"{label}: not valid RIS: {len(whole)} records end with `ER  -`, {len(references)} were read"]
    read = iter(references)
    records = []
    for index, (start, end, why) in enumerate(spans):
        where = f"{label}:{start}: record {index + 1}"
        records.append(_record(next(read), where) if end is not None else Incoming(where, {}, problems=[why]))
    return records, []


def _record(ref: dict[str, Any], where: str) -> Incoming:  # noqa: C901 - one branch per RIS tag, in the order the format lists them
    record = Incoming(where, {})
    values = record.values
    values["authors"] = [" ".join(a.split()) for a in (ref.get("authors") or ref.get("first_authors") or [])]
    title = ref.get("title") or ref.get("primary_title") or ref.get("short_title")  # ST when there is nothing else
    if title:
        values["title"] = " ".join(title.split())
    urls = ref.get("urls") or []
    arxiv = arxiv_of(ref.get("custom5"), *urls, ref.get("doi"), ref.get("journal_name"), *(ref.get("notes") or []))
    values["kind"] = ref.get("custom1") or KIND_OF_TYPE.get(ref.get("type_of_reference", "GEN"), "paper")
    if not ref.get("custom1"):
        record.inferred.add("kind")
    kept = {k: v for k, v in ref.items() if k not in USED}
    _dates(ref, values, kept, record.notes)
    venue = ref.get("journal_name") or ref.get("secondary_title") or ref.get("alternate_title3")
    if venue:
        values["venue"] = " ".join(venue.split())
    details = details_from_ris(ref)
    if ref.get("publisher") and "publisher" not in details:
        values["organization"] = ref["publisher"].strip()
    _links(urls, values, kept, record.notes)
    try:
        doi = split_doi(ref.get("doi"))[0] or doi_in_url(urls[0] if urls else None)
        if doi:
            values["doi"] = doi
    except ValueError:
        record.notes.append(f"DO: {ref['doi']!r} is not a DOI; kept as text")
        details["tag_DO"] = ref["doi"]
    if arxiv:
        values["arxiv_id"] = arxiv
    if ref.get("notes"):
        values["notes"] = multiline("\n".join(n.rstrip() for n in ref["notes"]))
    if "custom2" in ref:
        values["peer_reviewed"] = truthy(ref["custom2"])
    if ref.get("custom3"):
        values["verification"] = ref["custom3"].strip()
    if "custom4" in ref:
        values["report_labels"] = split_labels(ref["custom4"])
    values["key"] = make_key(ref["id"]) if ref.get("id") else derived_key(values)
    record.key_made_up = not ref.get("id")
    if "tag_DO" in details:
        kept["doi"] = details.pop("tag_DO")
    kept.update({f"tag_{tag}": v for tag, v in (ref.get("unknown_tag") or {}).items()})
    if ref.get("type_of_reference", "GEN") != TYPE_OF_KIND.get(values["kind"]):
        kept["type_of_reference"] = ref.get("type_of_reference", "GEN")
    values["extra"] = {**({"ris": kept} if kept else {}), **({"bibtex": details} if details else {})}
    return record


def _links(urls: list[str], values: dict[str, Any], kept: dict[str, Any], notes: list[str]) -> None:
    """The first UR is the url when it is a web address; the others (or all) are kept in extra."""
    link = web_address(urls[0].strip()) if urls else None
    if link:
        values["url"] = link
    elif urls:
        notes.append(not_a_web_address("UR", urls[0]))
    if urls[1 if link else 0 :]:
        kept["urls"] = urls[1 if link else 0 :]


def _dates(ref: dict[str, Any], values: dict[str, Any], kept: dict[str, Any], notes: list[str]) -> None:
    """PY `2024` or `2024/05/21/` gives the year; DA `2024/05/21` (or PY's full form) the date. A PY the store
    cannot hold as it is (`Autumn 2001`, `1850`) keeps its text in extra, and the year in it where there is one."""
    year_text = str(ref.get("year") or ref.get("publication_year") or ref.get("date") or "").strip()
    year = None
    if year_text:
        year, says_more = year_of(year_text)
        if says_more and not _FULL_DATE.fullmatch(year_text) and not re.fullmatch(r"\d{4}/*", year_text):
            kept["year"] = year_text
            notes.append(f"PY {year_text!r} kept as text" + (f"; year {year}" if year else ""))
        if year:
            values["year"] = year
    for text in (ref.get("date"), ref.get("year")):
        match = _FULL_DATE.fullmatch(str(text or "").strip())
        if match:
            try:
                date = dt.date(*(int(g) for g in match.groups()))
            except ValueError:
                date = None
            if date and date.year == year:
                values["published_date"] = date
            elif text == ref.get("date"):
                kept["date"] = text
            return


def write(sources: Iterable[Any]) -> str:
    """Sources as a .ris file that parse() reads back to the same values."""
    references = [_reference(as_record(item)) for item in sources]
    return rispy.dumps(references, implementation=_Writer) if references else ""


def _reference(s: dict[str, Any]) -> dict[str, Any]:
    kept = dict((s.get("extra") or {}).get("ris") or {})
    unknown = {k.removeprefix("tag_"): v for k, v in kept.items() if k.startswith("tag_")}
    extra_urls = kept.pop("urls", [])
    ref: dict[str, Any] = {"type_of_reference": kept.pop("type_of_reference", None) or TYPE_OF_KIND[s["kind"]]}
    ref["id"] = s["key"]
    if s.get("authors"):
        ref["authors"] = list(s["authors"])
    ref["title"] = s["title"]
    year_text = kept.pop("year", None)
    if year_text and year_of(year_text)[0] == s.get("year"):
        ref["year"] = year_text  # as the file wrote it
    elif s.get("year"):
        ref["year"] = str(s["year"])
    if s.get("published_date"):
        ref["date"] = str(s["published_date"])[:10].replace("-", "/")
    if s.get("venue"):
        ref["journal_name"] = s["venue"]
    if s.get("organization"):
        ref["publisher"] = s["organization"]
    details = details_to_ris((s.get("extra") or {}).get("bibtex") or {}, has_organization=bool(s.get("organization")))
    urls = ([s["url"]] if s.get("url") else []) + list(extra_urls)
    if urls:
        ref["urls"] = urls
    if s.get("doi"):
        ref["doi"] = s["doi"]
    if s.get("notes"):
        ref["notes"] = s["notes"].splitlines()  # one N1 per line: a RIS value cannot hold a line break
    ref.update(
        custom1=s["kind"],
        custom2="true" if s.get("peer_reviewed") else "false",
        custom3=s.get("verification") or "partial",
        custom4="; ".join(s.get("report_labels") or []),
    )
    if s.get("arxiv_id"):
        ref["custom5"] = f"arXiv:{s['arxiv_id']}"
    ref.update({k: v for k, v in kept.items() if not k.startswith("tag_")})
    ref.update({k: v for k, v in details.items() if k not in ref})
    if unknown:
        ref["unknown_tag"] = unknown
    return {name: _one_line(value) for name, value in ref.items()}


def _one_line(value: Any) -> Any:
    """A RIS value cannot hold a line break: one inside a field would end it and could forge the next tag
    (`ER  -`, then a record of its own). Breaks become spaces (notes are written one N1 per line before this)."""
    if isinstance(value, str):
        return " ".join(value.splitlines()) if _BREAKS.search(value) else value
    if isinstance(value, list):
        return [_one_line(v) for v in value]
    if isinstance(value, dict):
        return {k: _one_line(v) for k, v in value.items()}
    return value
