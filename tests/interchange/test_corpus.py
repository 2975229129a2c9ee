"""The conformance corpus: real files from public test suites (tests/interchange/corpus/README.md names the
origin, version and licence of each), imported whole; each file's entries are counted without our parser
(entry heads `@type{`, `TY  -` lines), and every entry is either stored or skipped with its reason."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlmodel import Session

from app.evidence.history import Actor
from app.evidence.interchange.preview import run_import

CORPUS = Path(__file__).parent / "corpus"
_BIB_HEAD = re.compile(r"^\s*@\s*([a-z]+)\s*[{(]", re.IGNORECASE | re.MULTILINE)
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
}


def entry_heads(path: Path) -> int:
    """Entries as a reader counts them: `@type{` heads that are not @string/@comment/@preamble, or `TY  -` tags."""
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix == ".ris":
        return len(_RIS_HEAD.findall(text))
    return sum(1 for kind in _BIB_HEAD.findall(text) if kind.lower() not in NOT_ENTRIES)


@pytest.mark.parametrize("name", sorted(p.name for p in CORPUS.iterdir() if p.suffix in {".bib", ".ris"}))
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
