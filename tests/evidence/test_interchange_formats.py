"""BibTeX, RIS and CSL-JSON as their specifications and real exports write them: awkward corners, round trips."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from app.evidence.interchange import bibtex, csljson, ris
from app.evidence.schemas.sources import SourceIn

FIXTURES = Path(__file__).parent / "fixtures" / "interchange"


def by_key(records):
    return {r.values["key"]: r.values for r in records}


def test_bibtex_decodes_accents_braces_corporate_authors_months_strings_and_crossref():
    records, problems = bibtex.parse((FIXTURES / "awkward.bib").read_text(), "awkward.bib")
    assert problems == []
    found = by_key(records)
    scaling = found["templeton2024scaling"]
    assert scaling["authors"] == ["Templeton, Adly", "Conerly, Tom", "Müller, Jörg", "François, Renée", "et al."]
    assert scaling["title"] == "Scaling Monosemanticity: Extracting Interpretable Features from Claude 3 Sonnet"
    assert scaling["venue"] == "Transformer Circuits Thread"  # @string + concatenation
    assert scaling["doi"] == "10.1234/tc.2024.scaling"  # resolver prefix and case normalised
    assert scaling["extra"]["bibtex"] == {"pages": "1--60", "month": "5"}  # month macro `may`, nothing lost
    report = found["openai2023gpt4"]
    assert report["authors"] == ["OpenAI"] and report["organization"] == "OpenAI"
    assert report["arxiv_id"] == "2303.08774"  # eprint + archivePrefix, version dropped
    biology = found["lindsey_biology"]
    assert biology["authors"][1:] == ["Google DeepMind", "Østergaard, Søren"]
    assert biology["kind"] == "preprint" and biology["arxiv_id"] == "2503.01234"
    assert biology["published_date"] == dt.date(2025, 3, 27)
    assert biology["notes"].endswith("50% of the features are uninterpretable")
    assert found["wang2022ioi"]["venue"].startswith("The Eleventh International Conference")  # from its crossref
    assert found["wang2022ioi"]["year"] == 2023
    assert [r.where for r in records][0] == "awkward.bib:7: entry 'Templeton2024Scaling'"


def test_ris_reads_repeated_authors_dates_and_arxiv_urls_and_keeps_unknown_tags():
    records, problems = ris.parse((FIXTURES / "zotero.ris").read_text(), "zotero.ris")
    assert problems == []
    first, report, preprint = (r.values for r in records)
    assert first["authors"] == ["Templeton, Adly", "Conerly, Tom", "Müller, Jörg"]
    assert first["published_date"] == dt.date(2024, 5, 21) and first["year"] == 2024
    assert first["extra"]["ris"]["keywords"] == ["sparse autoencoders", "interpretability"]
    assert report["arxiv_id"] == "2303.08774" and report["organization"] == "OpenAI"
    assert preprint["authors"] == ["Ōta, Hiroshi", "Nguyễn, Thị Minh", "Søndergaard, Åse"]
    assert preprint["arxiv_id"] == "2601.04567" and preprint["kind"] == "preprint"
    assert preprint["extra"]["ris"]["tag_ZZ"] == ["a tag no specification defines"]
    assert [r.where.split(": ")[0] for r in records] == ["zotero.ris:1", "zotero.ris:17", "zotero.ris:26"]


def test_csl_json_reads_date_parts_particles_literals_and_non_ascii_names():
    records, problems = csljson.parse((FIXTURES / "betterbibtex.json").read_text(), "betterbibtex.json")
    assert problems == []
    scaling, gpt4, blog = (r.values for r in records)
    assert scaling["authors"][-1] == "van Beethoven, Ludwig"
    assert scaling["published_date"] == dt.date(2024, 5, 21)  # date-parts given as strings
    assert scaling["extra"] == {"csl": {"language": "en"}, "bibtex": {"pages": "1-60"}}  # details by BibTeX names
    assert gpt4["arxiv_id"] == "2303.08774" and "doi" not in gpt4  # the arXiv DOI is the arXiv id
    assert gpt4["authors"] == ["OpenAI"] and gpt4["kind"] == "preprint"
    assert blog["title"] == "追踪思维：大型语言模型的电路" and blog["authors"][0] == "张, 伟"


def test_a_bad_csl_item_is_named_with_its_field():
    records, problems = csljson.parse('[{"id": "a", "author": "not a list"}, {"title": "no id"}]', "x.json")
    assert records == []
    assert problems[0].startswith("x.json: item 1 (id 'a'): author")
    assert problems[1].startswith("x.json: item 2 (id '?'): id")


AWKWARD_SOURCE = {
    "key": "k.awkward_1",
    "kind": "preprint",
    "title": 'A {braced} title & 50% of #1 $x$ \\ok~ "quoted" — ü',
    "authors": ["Müller, Jörg", "Google DeepMind", "et al."],
    "year": 2024,
    "published_date": dt.date(2024, 5, 2),
    "venue": "NeurIPS_2024",
    "organization": "Org & Co",
    "url": "https://example.org/a_b%20c?x=1#frag",
    "doi": "10.1234/ab_c",
    "arxiv_id": "2401.00001",
    "notes": "note: ü, 100% sure\nsecond line\n\na paragraph",
    "peer_reviewed": True,
    "verification": "yes",
    "report_labels": ["[1]", "web:3"],
    "extra": {},
}


@pytest.mark.parametrize("module", [bibtex, ris, csljson], ids=["bibtex", "ris", "csljson"])
def test_each_format_reads_back_what_it_writes(module):
    written = module.write([AWKWARD_SOURCE, {**AWKWARD_SOURCE, "key": "k2", "doi": None, "arxiv_id": None}])
    records, problems = module.parse(written, "roundtrip")
    assert problems == []
    first = SourceIn.model_validate(records[0].values).model_dump()
    assert first == SourceIn.model_validate(AWKWARD_SOURCE).model_dump()
    assert records[1].values["key"] == "k2" and "doi" not in records[1].values


def test_bibtex_duplicate_keys_and_truncated_entries_are_skipped_alone_and_named_by_line():
    records, problems = bibtex.parse((FIXTURES / "duplicate-keys.bib").read_text(), "duplicate-keys.bib")
    assert problems == [] and [r.problems for r in records] == [
        [],
        ["duplicate citation key in the file (the entry at line 1 is imported)"],
    ]
    assert records[1].where == "duplicate-keys.bib:3: entry 'same'"
    records, problems = bibtex.parse((FIXTURES / "truncated.bib").read_text(), "truncated.bib")
    skipped = [r for r in records if r.problems]
    assert problems == [] and skipped[0].where.startswith("truncated.bib:3")
    assert skipped[0].problems[0].startswith("not valid BibTeX")


def test_a_ris_record_without_its_er_line_is_skipped_alone_and_named_by_line():
    records, problems = ris.parse((FIXTURES / "truncated.ris").read_text(), "truncated.ris")
    assert problems == [] and [r.values.get("title") for r in records] == ["Complete", None]
    assert records[1].where == "truncated.ris:5: record 2"
    assert records[1].problems == ["record has no `ER  -` line (the file ends inside it: truncated?)"]
    text = "TY  - JOUR\nTI  - Never closed\n\nTY  - JOUR\nTI  - Closed\nER  - \n"
    records, problems = ris.parse(text, "mid.ris")
    assert problems == [] and [(r.where, r.problems) for r in records] == [
        ("mid.ris:1: record 1", ["record has no `ER  -` line before the next TY"]),
        ("mid.ris:4: record 2", []),
    ]
    assert records[1].values["title"] == "Closed"


@pytest.mark.parametrize("field", ["title", "author", "note", "journal", "howpublished", "abstract"])
def test_href_in_any_bibtex_field_is_read_as_its_words_not_a_crash(field):
    """Better BibTeX writes \\href{url}{text}; pylatexenc once raised IndexError on it (a 500 at the API)."""
    other = "title = {T}, " if field != "title" else ""
    text = f"@misc{{a, {other}{field} = {{See \\href{{https://x.org/a_b}}{{the page}} and \\href{{u}}}}}}"
    records, problems = bibtex.parse(text, "h.bib")
    assert problems == [] and records[0].problems == []
    values = records[0].values
    shown = (values.get("authors") or [""])[0] if field == "author" else str(values)
    assert "the page" in shown


def test_a_line_break_inside_a_ris_field_cannot_forge_another_record():
    forged = {**AWKWARD_SOURCE, "title": "Real\nER  - \n\nTY  - JOUR\nTI  - Forged", "venue": "A\u2028B\rC"}
    written = ris.write([forged])
    tags = [line[:6] for line in written.splitlines()]
    assert tags.count("TY  - ") == 1 and tags.count("ER  - ") == 1  # the text stays inside its TI line
    records, problems = ris.parse(written, "f.ris")
    assert problems == [] and len(records) == 1
    assert records[0].values["title"] == "Real ER - TY - JOUR TI - Forged" and records[0].values["venue"] == "A B C"


def test_csl_and_ris_keep_a_year_the_store_cannot_hold_and_write_it_back():
    item = '[{"id": "old", "title": "Old", "issued": {"date-parts": [[1850]]}, "page": "3-9", "ISBN": "978-1"}]'
    (record,), _ = csljson.parse(item, "o.json")
    assert "year" not in record.values and record.values["extra"]["csl"]["issued"] == {"date-parts": [[1850]]}
    assert record.values["extra"]["bibtex"] == {"pages": "3-9", "isbn": "978-1"}
    again = csljson.item(SourceIn.model_validate(record.values).model_dump())
    assert again["issued"] == {"date-parts": [[1850]]} and again["page"] == "3-9" and again["ISBN"] == "978-1"
    (record,), _ = ris.parse("TY  - JOUR\nTI  - Seasonal\nPY  - Autumn 2001\nSP  - 12\nEP  - 19\nER  - \n", "s.ris")
    assert record.values["year"] == 2001 and record.values["extra"]["ris"]["year"] == "Autumn 2001"
    assert record.values["extra"]["bibtex"]["pages"] == "12--19"
    written = ris.write([SourceIn.model_validate(record.values).model_dump()])
    assert "PY  - Autumn 2001" in written and "SP  - 12" in written and "EP  - 19" in written
