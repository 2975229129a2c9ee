"""What the conformance corpus (tests/interchange/corpus/) showed the importer getting wrong, each reduced to the
few lines of the real file that did it."""

from __future__ import annotations

import json

from sqlmodel import Session, select

from app.evidence.history import Actor
from app.evidence.interchange import bibtex, csljson, ris
from app.evidence.interchange.preview import run_import
from app.evidence.models import Source

ANALYST = Actor("analyst")


def by_key(records):
    return {r.values["key"]: r for r in records}


def import_text(engine, text: str, filename: str = "lib.bib", **options):
    with Session(engine) as session:
        preview = run_import(session, text.encode(), filename, ANALYST, commit=True, **options)
        session.commit()
    return preview


def test_a_keyless_entry_of_a_type_with_an_underscore_lends_its_fields_to_no_other_entry():
    # Mendeley writes `@web_page{,`: it was read with the key "", and every entry without a crossref took its DOI
    text = """@article{thomas2015, title = {We always talk about race}, year = {2015}}
@web_page{,
   doi = {10.3886/ICPSR35596.v1},
   title = {Survey of Public Participation in the Arts},
   year = {2014},
}
@article{reese2000, title = {Native Americans in children's literature}, year = {2000}}
"""
    records, problems = bibtex.parse(text, "mendeley.bib")
    assert problems == [] and all(not r.problems for r in records)
    doi_of = {r.values["title"]: r.values.get("doi") for r in records}
    assert doi_of["We always talk about race"] is None and doi_of["Native Americans in children's literature"] is None
    assert doi_of["Survey of Public Participation in the Arts"] == "10.3886/icpsr35596.v1"
    assert [r.key_made_up for r in records] == [False, True, False]


def test_an_endnote_entry_without_a_key_or_a_comma_is_read_as_a_keyless_entry():
    text = "\n\t@article{\n\t  author = {Huang, Y. and Mucke, L.},\n\t  title = {Alzheimer mechanisms},\n\t}\n"
    (record,), _ = bibtex.parse(text, "endnote.bib")
    assert not record.problems and record.key_made_up
    assert record.values["title"] == "Alzheimer mechanisms" and record.values["authors"] == ["Huang, Y.", "Mucke, L."]
    assert record.where == "endnote.bib:2: entry ''"


def test_an_entry_commented_out_with_percent_is_not_imported_in_place_of_the_real_one():
    text = """%@ARTICLE{10.1:18,
%  TITLE          = {An old draft},
%}

@ARTICLE{10.1:18,
  TITLE          = {From this article},
  DATE           = {2019-01-15},
}
"""
    (record,), _ = bibtex.parse(text, "apa.bib")
    assert not record.problems and record.values["title"] == "From this article"
    assert record.where == "apa.bib:5: entry '10.1:18'"


def test_a_field_given_twice_keeps_the_first_value_and_says_so():
    text = "@inproceedings{berleant97,\n title = {Qualitative simulation},\n keywords = {a},\n keywords = {b}\n}\n"
    (record,), _ = bibtex.parse(text, "aij.bib")
    assert not record.problems
    assert record.values["extra"]["bibtex"]["keywords"] == "a"
    assert record.notes == ["keywords given twice; the first kept"]


def test_crossref_cascades_and_places_the_parent_title_as_biber_does():
    text = """@software{cgal, title = {The Computational Geometry Algorithms Library}, year = 2020}
@softwareversion{cgal:5, version = {5.0.2}, crossref = {cgal}}
@softwaremodule{cgal:voronoi, author = {Karavelas, Menelaos}, crossref = {cgal:5}}
@inproceedings{paper, title = {A paper}, crossref = {proc}}
@proceedings{proc, title = {The Proceedings}, year = 2001}
@article{f, author = {Roe, R.}, crossref = {e}}
@periodical{e, title = {A Journal}}
@set{set, crossref = {paper}, entryset = {paper}}
"""
    found = by_key(bibtex.parse(text, "crossref.bib")[0])
    assert found["cgal_voronoi"].values["title"] == "The Computational Geometry Algorithms Library"
    assert found["cgal_voronoi"].values["year"] == 2020
    assert found["paper"].values["venue"] == "The Proceedings"
    assert "title" not in found["f"].values and found["f"].values["venue"] == "A Journal"
    assert "title" not in found["set"].values  # a @set groups entries; its crossref names a member, not a parent


def test_keys_that_differ_only_in_case_are_two_works_and_both_are_stored(sqlite_seeded_url, engine_for):
    text = """@article{chen_2017, title = {Optical Gain Analysis}, year = {2017}, doi = {10.1364/OE.25.025183}}
@article{Chen_2017, title = {Highly Linearly Polarized White Light}, year = {2017}, doi = {10.7567/APEX.10.012101}}
"""
    engine = engine_for(sqlite_seeded_url)
    preview = import_text(engine, text)
    assert preview.actions == {"created": 2}
    assert preview.rows[1].key == "chen_2017-2"
    assert preview.rows[1].notes == ["keys 'chen_2017' and 'Chen_2017' are one key in the store, 'chen_2017': "
                                     "stored under a free key"]  # fmt: skip
    with Session(engine) as session:
        titles = {s.key: s.title for s in session.exec(select(Source).where(Source.key.like("chen_2017%")))}
    assert titles == {"chen_2017": "Optical Gain Analysis", "chen_2017-2": "Highly Linearly Polarized White Light"}
    assert import_text(engine, text).actions == {"unchanged": 2}


def test_a_url_that_is_not_a_web_address_is_kept_as_text_and_the_entry_stored(sqlite_seeded_url, engine_for):
    bib = '@inproceedings{ghallab98, title = {PDDL}, year = 1998, url = "citeseer.nj.nec.com/ghallab98pddl.html" }\n'
    ris_text = "TY  - JOUR\nTI  - Phase field\nUR  - //www.sciencedirect.com/science/article/pii/S1\nER  - \n"
    csl = json.dumps([{"id": "x", "type": "article", "title": "Local file", "URL": "paper.pdf"}])
    engine = engine_for(sqlite_seeded_url)
    for text, name in ((bib, "lib.bib"), (ris_text, "lib.ris"), (csl, "lib.json")):
        preview = import_text(engine, text, name)
        assert preview.actions == {"created": 1}, (name, preview.rows)
        assert "is not a web address (http:// or https://); kept as text" in preview.rows[0].notes[0]
    with Session(engine) as session:
        stored = {s.title: s for s in session.exec(select(Source).where(Source.title.in_(["PDDL", "Phase field",
                                                                                          "Local file"])))}  # fmt: skip
    assert all(s.url is None for s in stored.values())
    assert stored["PDDL"].extra["bibtex"]["url"] == "citeseer.nj.nec.com/ghallab98pddl.html"
    assert stored["Phase field"].extra["ris"]["urls"] == ["//www.sciencedirect.com/science/article/pii/S1"]
    assert stored["Local file"].extra["csl"]["URL"] == "paper.pdf"


def test_a_url_kept_as_text_goes_out_again_in_every_format():
    source = {"key": "k", "kind": "paper", "title": "T", "authors": [], "url": None,
              "extra": {"bibtex": {"url": "citeseer.nj.nec.com/x.html"}, "ris": {"urls": ["ftp://h/x.ps"]},
                        "csl": {"URL": "paper.pdf"}}}  # fmt: skip
    assert bibtex.parse(bibtex.write([source]), "k.bib")[0][0].values["extra"]["bibtex"]["url"] == source[
        "extra"]["bibtex"]["url"]  # fmt: skip
    assert ris.parse(ris.write([source]), "k.ris")[0][0].values["extra"]["ris"]["urls"] == ["ftp://h/x.ps"]
    assert csljson.parse(csljson.write([source]), "k.json")[0][0].values["extra"]["csl"]["URL"] == "paper.pdf"


def test_an_arxiv_id_another_work_holds_is_kept_as_text_and_the_entry_stored(sqlite_seeded_url, engine_for):
    # Mendeley gave five papers with five DOIs one arXiv id: the papers are five works, the id is one's
    text = """@article{choi_2016, title = {Edge plasma}, year = {2016}, doi = {10.1088/0741-3335/58/1/014001},
  eprint = {arXiv:1011.1669v3}}
@article{kim_2017, title = {Core transport}, year = {2017}, doi = {10.1063/1.4978001}, eprint = {arXiv:1011.1669v3}}
"""
    engine = engine_for(sqlite_seeded_url)
    preview = import_text(engine, text)
    assert preview.actions == {"created": 2}
    assert preview.rows[1].notes == ["arxiv_id: '1011.1669' already belongs to source choi_2016, another work; "
                                     "kept as text"]  # fmt: skip
    with Session(engine) as session:
        kim = session.exec(select(Source).where(Source.key == "kim_2017")).one()
        choi = session.exec(select(Source).where(Source.key == "choi_2016")).one()
        assert (choi.arxiv_id, kim.arxiv_id, kim.doi) == ("1011.1669", None, "10.1063/1.4978001")
        assert kim.extra["bibtex"]["eprint"] == "1011.1669"
        written = bibtex.write([kim.model_dump()])
    assert "1011.1669" in written
    assert import_text(engine, text).actions == {"unchanged": 2}


def _import_bytes(engine, data: bytes, filename: str):
    with Session(engine) as session:
        preview = run_import(session, data, filename, ANALYST, commit=True)
        session.commit()
    return preview


def _title_of(engine, key: str) -> str | None:
    with Session(engine) as session:
        source = session.exec(select(Source).where(Source.key == key)).first()
        return source.title if source else None


def test_files_in_another_encoding_are_read_by_their_byte_order_mark_or_their_jabref_encoding_line(
    sqlite_seeded_url, engine_for
):
    # JabRef's encoding fixtures: UTF-16 with a byte-order mark and CR line ends, Windows-1252 under its header
    engine = engine_for(sqlite_seeded_url)
    utf16 = "\ufeff% Encoding: UTF-16BE\r\r@article{umlaut,\r  title = {\u00dc ist ein Umlaut},\r}\r".encode(
        "utf-16-be"
    )
    preview = _import_bytes(engine, utf16, "utf16.bib")
    assert preview.committed and preview.counts == {"new": 1}
    assert preview.notes == ["utf16.bib: read as UTF-16-BE (its byte-order mark)"]
    assert _title_of(engine, "umlaut") == "\u00dc ist ein Umlaut"
    cp1252 = "% Encoding: windows-1252\n\n@Article{degrees,\n  title = {25\u00b0 C \u2013 caf\u00e9},\n}\n"
    preview = _import_bytes(engine, cp1252.encode("cp1252"), "cp1252.bib")
    assert preview.committed and preview.notes == ["cp1252.bib: read as windows-1252 (its `% Encoding:` line)"]
    assert _title_of(engine, "degrees") == "25\u00b0 C \u2013 caf\u00e9"
    # the same file re-saved as UTF-8 by another editor, its JabRef line left as it was: the bytes decide
    resaved = cp1252.replace("degrees", "resaved").replace("\u00b0 C", "\u00b0 F").encode("utf-8")
    preview = _import_bytes(engine, resaved, "resaved.bib")
    assert preview.notes == [
        "resaved.bib: read as UTF-8, which its bytes are, although its first line says `% Encoding: windows-1252`"
    ]
    assert _title_of(engine, "resaved") == "25\u00b0 F \u2013 caf\u00e9"


def test_bytes_that_are_not_the_declared_encoding_are_refused_with_their_line_and_nothing_is_stored(
    sqlite_seeded_url, engine_for
):
    engine = engine_for(sqlite_seeded_url)
    latin = "@misc{ok, title={Fine}}\n@misc{accent, title={Caf\u00e9}}\n".encode("latin-1")
    for header, said in ((b"", "not UTF-8 (a Latin-1 or Windows-1252 file?)"), (b"% Encoding: UTF-8\n", "not UTF-8")):
        preview = _import_bytes(engine, header + latin, "latin.bib")
        line = 2 + header.count(b"\n")
        assert not preview.ok and preview.problems[0].startswith(f"latin.bib:{line}: byte 0xe9 is {said}")
    utf16_without_mark = "@misc{x, title={Y}}\n".encode("utf-16-le")
    preview = _import_bytes(engine, utf16_without_mark, "nomark.bib")
    assert preview.problems[0].startswith(
        "nomark.bib:1: holds NUL bytes: a binary file, or UTF-16 without a byte-order mark"
    )
    assert _title_of(engine, "ok") is None and _title_of(engine, "x") is None
