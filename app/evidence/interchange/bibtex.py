"""BibTeX (.bib) in and out, parsed by bibtexparser 2.

Mapping (docs/import-export.md): the citation key becomes the key; author (else editor), title,
year/date, journal/booktitle/howpublished -> venue, institution/organization/school -> organization,
url, doi, eprint + archivePrefix (or an arxiv.org URL) -> arXiv id, note -> notes; `ceiling_kind`,
`ceiling_peer_reviewed`, `ceiling_verification`, `ceiling_labels` carry Ceiling's own fields; every
other field and the entry type are kept in extra["bibtex"]. LaTeX accents and braces are decoded,
`and others` becomes `et al.`, a braced corporate author `{OpenAI}` stays one name, month macros and
@string abbreviations are resolved, and `crossref` fills what the child entry lacks from its parent.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any

import bibtexparser
from bibtexparser.model import DuplicateBlockKeyBlock, Entry, Field

from app.evidence.interchange.bibtex_blocks import NO_KEY, read
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
from app.evidence.interchange.latex import decode, encode

DECODED = {"title", "author", "editor", "journal", "journaltitle", "booktitle", "howpublished", "publisher",
           "institution", "organization", "school", "note", "series", "address"}  # fmt: skip
USED = DECODED - {"publisher", "series", "address"} | {
    "year", "date", "url", "doi", "eprint", "archiveprefix", "eprinttype",
    "ceiling_kind", "ceiling_peer_reviewed", "ceiling_verification", "ceiling_labels", "crossref",
}  # fmt: skip
KIND_OF_TYPE = {"article": "paper", "inproceedings": "paper", "conference": "paper", "incollection": "paper",
                "book": "paper", "inbook": "paper", "phdthesis": "paper", "mastersthesis": "paper",
                "proceedings": "paper", "techreport": "paper", "report": "paper", "online": "blog",
                "electronic": "blog", "www": "blog", "dataset": "dataset", "unpublished": "preprint"}  # fmt: skip
TYPE_OF_KIND = {"paper": "article", "survey": "article", "preprint": "misc", "blog": "online", "dataset": "misc",
                "model_card": "techreport", "benchmark": "misc", "statement": "misc", "talk": "misc"}  # fmt: skip
VERBATIM = {"url", "doi", "eprint", "file", "pdf", "verba", "verbb", "verbc"}  # biblatex's verbatim fields: no LaTeX
VENUE_FIELD = {"article": "journal", "inproceedings": "booktitle", "incollection": "booktitle"}
_HEAD = re.compile(r"@[A-Za-z][\w:.+-]*\s*[{(]\s*([^,\s]*)")
PARTS = {"inbook", "incollection", "inproceedings", "conference", "bookinbook", "suppbook", "suppcollection",
         "inreference"}  # fmt: skip
_AND = re.compile(r"\s+and\s+", re.IGNORECASE)


def _name(raw: str) -> str:
    name = decode(raw).strip()
    return "et al." if name == "others" else " ".join(name.split())


def split_names(value: str) -> list[str]:
    """`A and {B and C} and D` -> A, {B and C}, D: `and` between names at brace depth 0 (an escaped `\\{` is no
    brace; bibtexparser's own splitter drops it)."""
    names, depth, start, index = [], 0, 0, 0
    while index < len(value):
        char = value[index]
        if char == "\\":
            index += 2
            continue
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth == 0 and char.isspace():
            match = _AND.match(value, index)
            if match:
                names.append(value[start:index])
                start = index = match.end()
                continue
        index += 1
    names.append(value[start:])
    return [name.strip() for name in names if name.strip()]


def _concatenated(value: str, strings: dict[str, str]) -> str:
    """`tc # " Thread"`: string concatenation, which bibtexparser leaves as written."""
    if " # " not in value:
        return value
    parts = []
    for part in value.split(" # "):
        part = part.strip()
        if part[:1] in '{"' and part[-1:] in '}"':
            parts.append(part[1:-1])
        else:
            parts.append(strings.get(part.lower(), part))
    return "".join(parts)


def parse(text: str, label: str) -> tuple[list[Incoming], list[str]]:
    """The entries of a .bib file as Incoming records (an entry that cannot be read carries its reason as a
    problem, so the import skips it alone), and the file's own problems (none: BibTeX has no file-level frame)."""
    library, repeated = read(text)
    failed = []
    for block in library.failed_blocks:
        line = block.start_line + 1
        if isinstance(block, DuplicateBlockKeyBlock):
            first = block.previous_block.start_line + 1
            reason = f"duplicate citation key in the file (the entry at line {first} is imported)"
            values = {"key": make_key(block.key), "title": _title_of(block.ignore_error_block)}
            failed.append(Incoming(f"{label}:{line}: entry {block.key!r}", values, [reason]))
        else:
            error = (str(block.error).strip().splitlines() or ["a syntax error, or an entry that never closes"])[-1]
            head = _HEAD.match(block.raw or "")
            key = head.group(1).strip() if head else ""
            where = f"{label}:{line}: entry {key!r}" if key else f"{label}:{line}"
            failed.append(Incoming(where, {"key": make_key(key)}, [f"not valid BibTeX: {error}"]))
    strings = {s.key.lower(): s.value for s in library.strings}
    entries = {e.key: e for e in library.entries}
    records, cited_as = [], {}
    for entry in library.entries:
        fields = {f.key.lower(): f.value for f in entry.fields}
        for parent in _ancestors(entry, entries):
            _inherit(fields, parent, entry.entry_type.lower())
        fields = {k: _concatenated(v, strings) if isinstance(v, str) else v for k, v in fields.items()}
        shown = "" if entry.key.startswith(NO_KEY) else entry.key
        record = _record(entry, fields, f"{label}:{entry.start_line + 1}: entry {shown!r}")
        record.notes += [f"{name} given twice; the first kept" for name in repeated.get(entry.start_line, [])]
        _free_if_folded(record, entry.key, cited_as)
        records.append(record)
    records += failed
    records.sort(key=_line_of)
    return records, []


def _title_of(entry: Entry) -> str | None:
    """The title of an entry that is skipped, to show in the report."""
    field = {f.key.lower(): f.value for f in entry.fields}.get("title") if isinstance(entry, Entry) else None
    return " ".join(decode(field.strip('{}"')).split()) if isinstance(field, str) else None


def _line_of(record: Incoming) -> int:
    match = re.search(r":(\d+)(?::|$)", record.where)
    return int(match.group(1)) if match else 0


def _ancestors(entry: Entry, entries: dict[str, Entry]) -> Iterable[Entry]:
    """The entries a `crossref` chain leads to (a cascade, as biber follows it), each once; none for a biblatex
    `@set`, whose crossref names its first member, not a parent."""
    seen = {entry.key}
    crossref = entry.fields_dict.get("crossref") if entry.entry_type.lower() != "set" else None
    while crossref is not None and str(crossref.value) in entries and str(crossref.value) not in seen:
        parent = entries[str(crossref.value)]
        seen.add(parent.key)
        yield parent
        crossref = parent.fields_dict.get("crossref")


def _inherit(fields: dict[str, Any], parent: Entry, child_type: str) -> None:
    """crossref, as biber reads it: missing fields are copied; the parent's title is the booktitle of a part
    (`inproceedings`, `incollection`...), the journal of an article in a `periodical`, else the title."""
    if parent.entry_type.lower() == "periodical":
        title_as = "journaltitle" if child_type in {"article", "suppperiodical"} else "title"
    else:
        title_as = "booktitle" if child_type in PARTS else "title"
    for f in parent.fields:
        name = f.key.lower()
        target = title_as if name == "title" else name
        if target not in fields and name not in {"crossref"}:
            fields[target] = f.value


def _free_if_folded(record: Incoming, cited: str, cited_as: dict[str, str]) -> None:
    """Keys the file tells apart but the store does not (`Chen_2017`, `chen_2017`): the later one gets a free key
    at import, like an entry without a key, instead of being taken for the first."""
    if record.key_made_up:
        return
    key = record.values["key"]
    first = cited_as.setdefault(key, cited)
    if first != cited:
        record.key_made_up = True
        record.notes.append(f"keys {first!r} and {cited!r} are one key in the store, {key!r}: stored under a free key")


def _record(entry: Entry, fields: dict[str, Any], where: str) -> Incoming:  # noqa: C901 - one branch per BibTeX field, in the order the format lists them
    made_up = entry.key.startswith(NO_KEY)
    record = Incoming(where, {"key": make_key(entry.key)}, key_made_up=made_up)
    values, notes = record.values, record.notes
    text = {k: decode(v) if k not in VERBATIM and isinstance(v, str) else v for k, v in fields.items()}
    names = split_names(str(fields.get("author") or fields.get("editor") or ""))
    values["authors"] = [_name(n) for n in names if n.strip()]
    entry_type = entry.entry_type.lower()
    kept = {k: str(v) for k, v in text.items() if k not in USED and k != "month"}
    doi, arxiv = _identifiers(fields, text, kept, notes)
    values["kind"] = fields.get("ceiling_kind")
    if not values["kind"]:  # a guess from the entry type: it never replaces a stored kind (matching.overlay)
        preprint = arxiv and entry_type in {"misc", "unpublished", "article"} and not _venue(text)
        values["kind"] = "preprint" if preprint else KIND_OF_TYPE.get(entry_type, "paper")
        record.inferred.add("kind")
    for name, value in (("title", text.get("title")), ("venue", _venue(text)), ("notes", text.get("note"))):
        if value:
            values[name] = " ".join(value.split()) if name != "notes" else multiline(value)
    organization = text.get("institution") or text.get("organization") or text.get("school")
    if organization:
        values["organization"] = " ".join(organization.split())
    _dates(fields, values, kept, notes)
    url = str(fields.get("url") or "").strip()
    if web_address(url):
        values["url"] = url
    elif url:
        kept["url"] = url
        notes.append(not_a_web_address("url", url))
    if doi:
        values["doi"] = doi
    if arxiv:
        values["arxiv_id"] = arxiv
    _own_fields(text, values)
    if "howpublished" in text and _venue(text) != text["howpublished"]:
        kept["howpublished"] = text["howpublished"]
    if "month" in fields:
        kept["month"] = str(fields["month"])
    if entry_type != TYPE_OF_KIND.get(values["kind"]):
        kept["entry_type"] = entry_type
    values["extra"] = {"bibtex": kept} if kept else {}
    if made_up:  # `@Article{,`: a key from author, year and title, made free of stored keys at import
        values["key"] = derived_key(values)
    return record


def _identifiers(fields: dict[str, Any], text: dict[str, Any], kept: dict, notes: list) -> tuple[str | None, ...]:
    """The DOI (`doi`, or a doi.org `url`) and the arXiv id (`eprint`, an arXiv DOI, an arxiv.org `url`, `arXiv:`
    in `journal`); a `doi` that is not a DOI is kept as text in extra."""
    try:
        doi, arxiv_doi = split_doi(fields.get("doi"))
        doi = doi or doi_in_url(fields.get("url"))
    except ValueError:
        doi, arxiv_doi = None, None
        kept["doi"] = fields["doi"]
        notes.append(f"doi: {fields['doi']!r} is not a DOI; kept as text")
    eprint_is_arxiv = str(fields.get("archiveprefix") or fields.get("eprinttype") or "arxiv").lower() == "arxiv"
    try:
        eprint = fields.get("eprint") if eprint_is_arxiv else None
        return doi, arxiv_of(eprint, arxiv_doi, fields.get("url"), text.get("journal"))
    except ValueError:
        return doi, None


def _own_fields(fields: dict[str, Any], values: dict[str, Any]) -> None:
    """Ceiling's fields, which its own export writes."""
    if "ceiling_peer_reviewed" in fields:
        values["peer_reviewed"] = truthy(fields["ceiling_peer_reviewed"])
    if fields.get("ceiling_verification"):
        values["verification"] = fields["ceiling_verification"].strip()
    if "ceiling_labels" in fields:
        values["report_labels"] = split_labels(fields["ceiling_labels"])


def _venue(text: dict[str, Any]) -> str | None:
    """journal, booktitle or howpublished; a howpublished that is only a \\url{...} is a link, not a venue."""
    howpublished = text.get("howpublished")
    if howpublished and re.fullmatch(r"<?https?://\S+>?", howpublished.strip()):
        howpublished = None
    return text.get("journal") or text.get("journaltitle") or text.get("booktitle") or howpublished


def _dates(fields: dict[str, Any], values: dict[str, Any], kept: dict[str, str], notes: list[str]) -> None:
    """`year` (else the start of `date`) gives the year; a full `date` in that year the date.

    A year the store cannot hold as it is (`Autumn 2001`, `1875 [2004]`, `1850`) keeps its text in extra and
    the first year of 1900-2100 in it, if any; a date that is not a calendar date keeps its text in extra."""
    date = str(fields.get("date") or "").strip()
    year_text = str(fields.get("year") or "").strip()
    if year_text:
        year, says_more = year_of(year_text)
        if says_more:
            kept["year"] = year_text
            notes.append(f"year {year_text!r} kept as text" + (f"; year {year}" if year else ""))
    else:
        year, _ = year_of(date[:4]) if date else (None, False)
    if year:
        values["year"] = year
    if not date:
        return
    try:
        published = dt.date.fromisoformat(date) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", date) else None
    except ValueError:
        published = None
    if published and published.year == year:
        values["published_date"] = published
    else:
        kept["date"] = date


def write(sources: Iterable[Any]) -> str:
    """Sources as a .bib file that parse() reads back to the same values."""
    library = bibtexparser.Library()
    for item in sources:
        library.add(_entry(as_record(item)))
    return bibtexparser.write_string(library)


def _entry(s: dict[str, Any]) -> Entry:
    kept = dict((s.get("extra") or {}).get("bibtex") or {})
    entry_type = kept.pop("entry_type", None) or TYPE_OF_KIND.get(s["kind"], "misc")
    fields: list[tuple[str, str]] = []
    if s.get("authors"):
        fields.append(("author", " and ".join(_bib_name(n) for n in s["authors"])))
    fields.append(("title", "{" + encode(s["title"], braced=True) + "}"))
    year_text = kept.pop("year", None)
    if year_text and year_of(year_text)[0] == s.get("year"):
        fields.append(("year", encode(year_text)))  # as the file wrote it: `Autumn 2001`
    elif s.get("year"):
        fields.append(("year", str(s["year"])))
    if s.get("published_date"):
        fields.append(("date", str(s["published_date"])[:10]))
    if s.get("venue"):
        fields.append((VENUE_FIELD.get(entry_type, "howpublished"), encode(s["venue"])))
    if s.get("organization"):
        fields.append(("institution", encode(s["organization"])))
    for name in ("url", "doi"):
        if s.get(name):
            fields.append((name, _value(name, s[name])))
    if s.get("arxiv_id"):
        fields += [("eprint", s["arxiv_id"]), ("archiveprefix", "arXiv")]
    if s.get("notes"):
        fields.append(("note", encode(s["notes"])))
    fields += [
        ("ceiling_kind", s["kind"]),
        ("ceiling_peer_reviewed", "true" if s.get("peer_reviewed") else "false"),
        ("ceiling_verification", s.get("verification") or "partial"),
        ("ceiling_labels", encode("; ".join(s.get("report_labels") or []))),
    ]
    written = dict(fields)
    fields += [(name, _value(name, value)) for name, value in sorted(kept.items()) if name not in written]
    return Entry(entry_type, s["key"], [Field(name, value) for name, value in fields])


def _value(name: str, value: str) -> str:
    """A field's value as written: verbatim fields (url, doi, file) as they are unless their braces do not
    balance; every other field LaTeX-escaped, which parse() decodes."""
    if name in VERBATIM and _balanced(value):
        return value
    return encode(value)


def _balanced(value: str) -> bool:
    depth = 0
    for char in value.replace("\\\\", "").replace("\\{", "").replace("\\}", ""):
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0 and not value.endswith("\\")


def _bib_name(name: str) -> str:
    """`Family, Given` as it is; a name without a comma (OpenAI, Google DeepMind) braced as one corporate name."""
    if name == "et al.":
        return "others"
    if "," in name and not _AND.search(name):
        return encode(name)
    return "{" + encode(name, braced=True) + "}"  # a name with ` and ` in it is braced, or it would be two
