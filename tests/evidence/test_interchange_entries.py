"""Per-entry outcomes: a real library imports what it can, says why it skipped the rest, and never merges
works its identifiers tell apart."""

from __future__ import annotations

import csv
import io
import json

from sqlmodel import Session, select

from app.evidence.history import Actor
from app.evidence.interchange import bibtex
from app.evidence.interchange.outcomes import report_csv, report_json
from app.evidence.interchange.preview import run_import
from app.evidence.models import Source

ANALYST = Actor("analyst")
LIBRARY = r"""@article{good2020, author = {Smith, Jane and Doe, John}, title = {A good entry}, year = {2020}}
@misc{notitle, author = {Nobody, N.}, year = {2021}}
@article{good2020, title = {Same key again}, year = {2022}}
@book{reprint, title = {Old book}, year = {1875 [2004]}}
@article{autumn, title = {Seasonal}, year = {Autumn 2001}}
@article{ancient, title = {Very old}, year = {1850}}
@Article{, Title = {Keyless one}, Author = {Roe, Richard and Poe, Edgar}, Year = {2019}, Month = may}
@Article{, title = {Keyless two}, year = {2019}}
@article{broken, title = {Never closes}
"""


def import_text(engine, text: str, **options):
    with Session(engine) as session:
        preview = run_import(session, text.encode(), "lib.bib", ANALYST, **options)
        session.commit()
    return preview


def test_a_library_with_bad_entries_stores_every_good_one_and_says_why_it_skipped_the_others(
    sqlite_seeded_url, engine_for
):
    engine = engine_for(sqlite_seeded_url)
    preview = import_text(engine, LIBRARY, commit=True)
    assert preview.ok and preview.committed
    skipped = {r.where.split(": ")[0]: r.reason for r in preview.rows if r.action == "skipped"}
    assert skipped["lib.bib:2"] == "no title"
    assert skipped["lib.bib:3"] == "duplicate citation key in the file (the entry at line 1 is imported)"
    assert skipped["lib.bib:9"].startswith("not valid BibTeX")
    assert preview.actions == {"created": 6, "skipped": 3}
    with Session(engine) as session:
        stored = {s.key: s for s in session.exec(select(Source))}
    assert stored["reprint"].year == 2004 and stored["reprint"].extra["bibtex"]["year"] == "1875 [2004]"
    assert stored["autumn"].year == 2001 and stored["autumn"].extra["bibtex"]["year"] == "Autumn 2001"
    assert stored["ancient"].year is None and stored["ancient"].extra["bibtex"]["year"] == "1850"
    keyless = {s.title: s for s in stored.values() if s.title.startswith("Keyless")}
    assert keyless["Keyless one"].key == "roe_2019_keyless" and keyless["Keyless two"].key == "2019_keyless"
    assert keyless["Keyless one"].authors == ["Roe, Richard", "Poe, Edgar"]  # `Author =` read as author
    assert keyless["Keyless one"].extra["bibtex"]["month"] == "5"
    again = import_text(engine, LIBRARY, commit=True)
    assert again.actions == {"unchanged": 6, "skipped": 3}  # the keyless entries are found again, not re-created


def test_strict_mode_keeps_all_or_nothing(sqlite_seeded_url, engine_for):
    engine = engine_for(sqlite_seeded_url)
    preview = import_text(engine, LIBRARY, commit=True, strict=True)
    assert not preview.ok and not preview.committed
    assert preview.problems[0] == "lib.bib:2: entry 'notitle': no title"
    with Session(engine) as session:
        assert session.exec(select(Source).where(Source.key == "good2020")).first() is None


def test_the_report_names_each_entry_its_action_and_reason_in_csv_and_json(sqlite_seeded_url, engine_for):
    preview = import_text(engine_for(sqlite_seeded_url), LIBRARY)
    rows = list(csv.DictReader(io.StringIO(report_csv(preview))))
    assert len(rows) == 9 and rows[0]["action"] == "created" and rows[0]["authors"] == "Smith, Jane; Doe, John"
    assert rows[1]["action"] == "skipped" and rows[1]["reason"] == "no title"
    assert "year '1875 [2004]' kept as text; year 2004" in rows[3]["notes"]
    body = json.loads(report_json(preview))
    assert body["actions"] == {"created": 6, "skipped": 3} and body["committed"] is False
    assert [e["key"] for e in body["entries"]][:2] == ["good2020", "notitle"]


def test_doi_prefixes_in_any_spacing_and_arxiv_dois_normalise():
    text = (
        "@article{a, title={A}, doi={doi: 10.1234/ABC}}\n@article{b, title={B}, doi={ https://DOI.org/ 10.1234/d}}\n"
        "@article{c, title={C}, doi={10.48550/arXiv.2401.00001}}\n@article{d, title={D}, doi={not a doi}}\n"
    )
    records, _ = bibtex.parse(text, "d.bib")
    a, b, c, d = (r.values for r in records)
    assert a["doi"] == "10.1234/abc" and b["doi"] == "10.1234/d"
    assert c["arxiv_id"] == "2401.00001" and "doi" not in c
    assert "doi" not in d and d["extra"]["bibtex"]["doi"] == "not a doi" and records[3].problems == []


def test_an_arxiv_doi_and_a_later_eprint_are_the_same_work(sqlite_seeded_url, engine_for):
    engine = engine_for(sqlite_seeded_url)
    import_text(engine, "@article{x1, title={Sparse things}, doi={10.48550/arXiv.2401.00001}}", commit=True)
    later = import_text(engine, "@misc{x2, title={Sparse things v4}, eprint={arXiv:2401.00001v4}}")
    assert later.rows[0].status == "duplicate" and later.rows[0].duplicates[0]["reasons"] == ["same arXiv id"]


def test_works_whose_dois_differ_are_never_duplicates_whatever_their_titles(sqlite_seeded_url, engine_for):
    engine = engine_for(sqlite_seeded_url)
    import_text(engine, "@article{ed0, title={Editorial}, year={2020}, doi={10.1234/ed.0}}", commit=True)
    text = (
        "@article{ed1, title={Editorial}, year={2020}, doi={10.1234/ed.1}}\n"
        "@article{ed2, title={Editorial}, year={2020}, doi={10.1234/ed.2}}\n"
        "@article{ed3, title={Editorial}, year={2020}, eprint={2401.00002}, archivePrefix={arXiv}}\n"
    )
    preview = import_text(engine, text, commit=True)
    assert [r.status for r in preview.rows] == ["new", "new", "duplicate"]  # ed3 has no DOI to tell it apart
    with Session(engine) as session:
        assert len(session.exec(select(Source).where(Source.title == "Editorial")).all()) == 3


def test_a_merge_fills_empty_fields_and_keeps_curated_authors_and_kind(sqlite_seeded_url, engine_for):
    engine = engine_for(sqlite_seeded_url)
    with Session(engine) as session:
        curated = session.exec(select(Source).where(Source.kind == "benchmark", Source.doi.is_(None))).first()
        authors, kind = list(curated.authors), curated.kind
    text = f"@article{{other, title={{{curated.title}}}, author={{Someone, S.}}, doi={{10.1234/filled}}}}"
    preview = import_text(engine, text, default_choice="merge", commit=True)
    row = preview.rows[0]
    assert row.status == "duplicate" and row.changes["doi"] == [None, "10.1234/filled"]
    assert row.conflicts["authors"] == [authors, ["Someone, S."]]
    with Session(engine) as session:
        merged = session.get(Source, curated.id)
        assert merged.doi == "10.1234/filled" and merged.authors == authors and merged.kind == kind


def test_a_dotted_key_takes_a_choice_and_a_field_choice(sqlite_seeded_url, engine_for):
    engine = engine_for(sqlite_seeded_url)
    import_text(engine, "@article{first.one, title={Dotted}, author={Kept, K.}}", commit=True)
    text = "@article{k.v2, title={Dotted}, author={File, F.}, doi={10.1234/dotted}}"
    choices = {"k.v2": "merge", "k.v2.authors": "file"}
    preview = import_text(engine, text, choices=choices, commit=True)
    assert preview.rows[0].action == "updated"
    with Session(engine) as session:
        merged = session.exec(select(Source).where(Source.key == "first.one")).one()
        assert merged.authors == ["File, F."] and merged.doi == "10.1234/dotted"
