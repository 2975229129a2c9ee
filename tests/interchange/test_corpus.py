"""The conformance corpus: real files from public test suites (tests/interchange/corpus/README.md names the
origin, version and licence of each), imported whole; each file's entries are counted without our parser
(entry heads `@type{`, `TY  -` lines, the items of a CSL-JSON list), and every entry is either stored or skipped
with its reason."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from sqlmodel import Session

from app.evidence.history import Actor
from app.evidence.interchange.preview import run_import

CORPUS = Path(__file__).parent / "corpus"
_BIB_HEAD = re.compile(r"^\s*@\s*([a-z][\w:.+-]*)\s*[{(]", re.IGNORECASE | re.MULTILINE)  # `@web_page{`
_RIS_HEAD = re.compile(r"^(?:\ufeff)?\s*TY  -", re.MULTILINE)
NOT_ENTRIES = {"string", "comment", "preamble"}
# file -> (stored, skipped); a skipped count other than 0 is explained in the README
EXPECTED = {
    "IEEEtran.bib": (4, 1),  # IEEEexample:BSTcontrol: a style-control entry with no title
    "cyrillic.bib": (5, 0),
    "extrafields.bib": (1, 0),
    "tugboat.bib": (2714, 6),  # six entries with no title (programme listings, anonymous notes)
    "xampl.bib": (33, 3),  # whole-journal, misc-minimal, random-note-crossref: no title, by design of the file
    "example_basic.ris": (1, 0),
    "example_bom.ris": (0, 1),  # a record with only TY and DO: no title
    "example_custom_list_tags.ris": (0, 1),  # authors and SNs only: no title
    "example_extraneous_data.ris": (1, 1),  # both records have ID 12345: the second is a duplicate key
    "example_full.ris": (1, 1),  # the same
    "example_full_without_whitespace.ris": (1, 1),  # the same
    "example_full_write.ris": (2, 0),
    "example_multi_unknown_tags.ris": (1, 0),
    "example_single_unknown_tag.ris": (1, 0),
    "example_starting_newlines.ris": (1, 0),
    "example_utf_chars.ris": (1, 0),  # no TI: its ST (short title) is the title
    "multiline.ris": (1, 0),
    # Better BibTeX's import fixtures (test/fixtures/import/, renamed): skips explained in the README
    "bbt-biblatex-improvements-549.bib": (9, 0),
    "bbt-biblatex-patent-1060.bib": (2, 0),
    "bbt-dois-2555.bib": (1, 0),
    "bbt-endnote.bib": (1, 0),  # `@article{` with no key and no comma (EndNote)
    "bbt-entries-discarded-873.bib": (973, 15),  # 14 keys given twice (the same work); 1 same DOI
    "bbt-href-spaces-2504.bib": (4, 0),
    "bbt-jabref-groups-717-3.8.bib": (4, 0),
    "bbt-jabref-groups-97.bib": (901, 10),  # 10 with no title
    "bbt-jabref-groups-lost-1730-5.bib": (4, 0),
    "bbt-jabref5-groups-1641.bib": (20, 0),
    "bbt-literal-names.bib": (1, 0),
    "bbt-mendeley-web-page.bib": (486, 26),  # 25 keys given twice (the same work); 1 same DOI
    "bbt-percent-preamble-95-96.bib": (1, 0),
    "bbt-plus-in-field-name-2660.bib": (208, 75),  # 74 APA name examples with no title; 1 same DOI
    "bbt-preamble-def-732.bib": (1, 0),
    "bbt-qiqqa.bib": (2, 0),
    "bbt-round-braces-871.bib": (1, 0),
    "bbt-software-biblatex-1544.bib": (1, 0),
    "bbt-space-after-citekey-716.bib": (2, 0),
    "bbt-string-substitution-154.bib": (1, 0),
    "bbt-unabbreviate-1436-2.bib": (1051, 2),  # 1 with no title; Jacobsson_2016 given twice
    "bbt-unabbreviate-1436-3.bib": (7163, 3),  # 3 book chapters sharing a DOI (4 with choi_2016's arXiv id stored)
    "bbt-unparsed-author-names-92.bib": (1, 0),
    # python-bibtexparser v1.4.1, bibtexparser/tests/data/
    "bibtexparser-biber-examples.bib": (96, 22),  # 20 with no title (sets, name tests); 1 same arXiv id; 1 key twice
    "bibtexparser-bom.bib": (1, 0),
    "bibtexparser-capital-and.bib": (1, 0),
    "bibtexparser-comma-first.bib": (2, 0),
    "bibtexparser-crossref-entries.bib": (14, 0),
    "bibtexparser-fieldname.bib": (0, 1),  # only `Dc.Date`: no title
    "bibtexparser-missing-comma.bib": (4, 0),
    "bibtexparser-traps.bib": (1, 0),
    "bibtexparser-wrong.bib": (0, 2),  # authors only: no title
    # citation-js, packages/plugin-bibtex/test/
    "citationjs-biblatex-csl.json": (28, 0),
    "citationjs-biblatex-input.bib": (28, 0),
    "citationjs-bibtex-csl.json": (16, 0),
    "citationjs-bibtex-input.bib": (16, 0),
    "citationjs-capitalized-types.bib": (1, 0),
    "citationjs-commands.bib": (5, 0),
    "citationjs-crossref.bib": (5, 1),  # f: an article in a periodical, with no title of its own
    "citationjs-date-range.bib": (0, 1),  # a date only: no title
    "citationjs-different-delimiters.bib": (1, 1),  # `@book{b, ... )`: opened with { and closed with )
    "citationjs-uppercase-and.bib": (1, 0),
    "citationjs-year-month-date.bib": (0, 1),  # dates only: no title
    # JabRef, jablib/src/test/resources/
    "jabref-authors.bib": (212, 0),
    "jabref-biblatex-software.bib": (9, 0),
    "jabref-chocolate.bib": (15, 0),
    "jabref-complex.bib": (19, 1),  # 1025014 has the DOI of 10250999
    "jabref-crossref.bib": (4, 0),
    "jabref-importer-examples.bib": (2, 2),  # two biblatex @set entries: no title
    "jabref-months.bib": (0, 2),  # month only: no title
    "jabref-ris-5a.ris": (1, 0),
    "jabref-ris-8-date.ris": (1, 0),
    "jabref-ris-doi-journal.ris": (0, 1),  # DOI and journal only: no title
    "jabref-ris-doi.ris": (1, 0),
    "jabref-ris-science.ris": (1, 0),  # its UR `//www...` is kept as text
    "jabref-ris-scopus.ris": (1, 0),
    "jabref-test.bib": (18, 1),  # 10250999 has the DOI of 1025014
    "jabref-testjabref.bib": (156, 0),
    "jabref-twente.bib": (1, 0),
    "jabref-user-comments.bib": (2, 0),
    "jabref-utf8-bom.bib": (1, 1),  # Hsu1993, a @Collection with a booktitle and no title
    # JabRef's encoding fixtures: the text decoded by its byte-order mark or its `% Encoding:` line
    "jabref-encoding-us-ascii-with-header.bib": (1, 0),
    "jabref-encoding-utf-16BE-with-header.bib": (1, 0),
    "jabref-encoding-utf-16BE-without-header.bib": (1, 0),  # no `% Encoding:` line, a byte-order mark
    "jabref-encoding-utf-8-with-header.bib": (1, 0),
    "jabref-encoding-windows-1252-with-header.bib": (0, 1),  # an abstract (`25\u00b0 C`) and no title
}
# files a reader must refuse whole, and the start of the message that says why
REFUSED = {
    "jabref-encoding-windows-1252-but-utf-8-declared--decoding-fails.bib": (
        "jabref-encoding-windows-1252-but-utf-8-declared--decoding-fails.bib:4: byte 0xa0 is not UTF-8"
    ),
}
# how a reader who knows these files decodes them (the rest are UTF-8)
ENCODING = {
    "jabref-encoding-utf-16BE-with-header.bib": "utf-16",
    "jabref-encoding-utf-16BE-without-header.bib": "utf-16",
    "jabref-encoding-windows-1252-with-header.bib": "cp1252",
}


def entry_heads(path: Path) -> int:
    """Entries as a reader counts them: `@type{` heads that are not @string/@comment/@preamble, `TY  -` tags, or the
    items of a CSL-JSON list."""
    text = path.read_text(encoding=ENCODING.get(path.name, "utf-8-sig"))
    if path.suffix == ".json":
        items = json.loads(text)
        return len(items["items"] if isinstance(items, dict) else items)
    if path.suffix == ".ris":
        return len(_RIS_HEAD.findall(text))
    return sum(1 for kind in _BIB_HEAD.findall(text) if kind.lower() not in NOT_ENTRIES)


@pytest.mark.parametrize(
    "name", sorted(p.name for p in CORPUS.iterdir() if p.suffix in {".bib", ".ris", ".json"} and p.name not in REFUSED)
)
def test_every_entry_of_a_real_file_is_stored_or_skipped_with_its_reason(sqlite_seeded_url, engine_for, name):
    path = CORPUS / name
    with Session(engine_for(sqlite_seeded_url)) as session:
        preview = run_import(session, path.read_bytes(), name, Actor("corpus"), default_choice="new", commit=True)
    stored = sum(1 for r in preview.rows if r.action != "skipped")
    skipped = [r for r in preview.rows if r.action == "skipped"]
    assert preview.ok, preview.problems
    assert all(r.reason or r.status == "duplicate" for r in skipped)
    assert stored + len(skipped) == entry_heads(path)
    assert (stored, len(skipped)) == EXPECTED[name]


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_a_real_file_that_cannot_be_read_is_refused_with_its_line(sqlite_seeded_url, engine_for, name):
    with Session(engine_for(sqlite_seeded_url)) as session:
        preview = run_import(session, (CORPUS / name).read_bytes(), name, Actor("corpus"), commit=True)
    assert not preview.ok and not preview.committed
    assert preview.problems[0].startswith(REFUSED[name]), preview.problems
