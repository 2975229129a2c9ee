"""The import flow on a real database: a dry run first, one all-or-nothing commit, duplicates, hostile files."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session, func, select

from app.db.backup import export_all
from app.evidence.history import Actor
from app.evidence.interchange.exports import export_list
from app.evidence.interchange.preview import run_import
from app.evidence.models import Claim, Critique, Result, Revision, Source
from app.evidence.services import listing

FIXTURES = Path(__file__).parent / "fixtures" / "interchange"
ANALYST = Actor("analyst")


def counts(session: Session) -> dict[str, int]:
    models = (Source, Claim, Result, Critique, Revision)
    return {m.__name__: session.exec(select(func.count()).select_from(m)).one() for m in models}


def run(engine, name: str, **options):
    with Session(engine) as session:
        preview = run_import(session, (FIXTURES / name).read_bytes(), name, ANALYST, **options)
        session.commit()
    return preview


def test_a_dry_run_writes_nothing_a_commit_writes_it_and_a_second_import_changes_nothing(seeded_url, engine_for):
    engine = engine_for(seeded_url)
    with Session(engine) as session:
        before = counts(session)
    dry = run(engine, "awkward.bib")
    assert dry.ok and not dry.committed
    assert dry.counts == {"new": 4, "duplicate": 1}  # the seed holds Scaling Monosemanticity already
    scaling = next(r for r in dry.rows if r.status == "duplicate")
    assert scaling.duplicates[0]["key"] == "templeton2024_scaling_monosemanticity"
    assert scaling.changes["doi"] == [None, "10.1234/tc.2024.scaling"]  # what a merge would change
    with Session(engine) as session:
        assert counts(session) == before
    done = run(engine, "awkward.bib", commit=True)
    assert done.committed and done.counts == {"new": 4, "duplicate": 1}
    with Session(engine) as session:
        stored = session.exec(select(Source).where(Source.key == "openai2023gpt4")).one()
        assert stored.extra == {"bibtex": {"primaryclass": "cs.CL", "month": "3", "entry_type": "techreport"}}
        after = counts(session)
        assert after["Source"] == before["Source"] + 4
    again = run(engine, "awkward.bib", commit=True)
    assert again.counts == {"unchanged": 4, "duplicate": 1}
    with Session(engine) as session:
        assert counts(session) == after


def test_an_edited_file_shows_each_changed_field_and_keeps_what_the_file_does_not_give(sqlite_seeded_url, engine_for):
    engine = engine_for(sqlite_seeded_url)
    text = "@misc{my_ref, title={A title}, year={2020}, note={first}}"
    with Session(engine) as session:
        run_import(session, text.encode(), "a.bib", ANALYST, commit=True)
        session.commit()
        source = session.exec(select(Source).where(Source.key == "my_ref")).one()
        source.organization = "Kept Org"
        session.add(source)
        session.commit()
    edited = "@misc{my_ref, title={A better title}, year={2021}, note={first}}"
    with Session(engine) as session:
        preview = run_import(session, edited.encode(), "a.bib", ANALYST)
    row = preview.rows[0]
    assert row.status == "updated"
    assert row.changes["title"] == ["A title", "A better title"] and row.changes["year"] == [2020, 2021]
    assert "organization" not in row.changes


def test_possible_duplicates_by_doi_arxiv_or_title_follow_the_choice(sqlite_seeded_url, engine_for):
    engine = engine_for(sqlite_seeded_url)
    with Session(engine) as session:
        seeded = session.exec(select(Source).where(Source.arxiv_id.is_not(None))).first()
        titled = session.exec(select(Source).where(Source.key == "wang2022_ioi")).one()
    text = (
        f"@misc{{other_key, title={{Something else}}, eprint={{{seeded.arxiv_id}v3}}, archivePrefix={{arXiv}},"
        " pages={12--13}}\n"
        f"@article{{ioi_again, title={{{titled.title.upper()}}}, year={{{titled.year}}}, journal={{ICLR}}}}\n"
    )
    with Session(engine) as session:
        preview = run_import(session, text.encode(), "d.bib", ANALYST)
    first, second = preview.rows
    assert first.status == "duplicate" and first.duplicates[0]["key"] == seeded.key
    assert first.duplicates[0]["reasons"] == ["same arXiv id"] and first.choice == "skip"
    assert first.conflicts == {"title": [seeded.title, "Something else"]}  # a merge keeps the stored title
    assert first.changes == {"extra": [seeded.extra, {**seeded.extra, "bibtex": {"pages": "12--13"}}]}
    assert second.duplicates[0] == {
        "key": "wang2022_ioi",
        "id": titled.id,
        "reasons": ["same title and year"],
        "title": titled.title,
    }
    choices = {"other_key": "merge", "other_key.title": "file", "ioi_again": "new"}
    with Session(engine) as session:
        preview = run_import(session, text.encode(), "d.bib", ANALYST, choices=choices, commit=True)
        assert preview.ok, preview.problems
        session.commit()
        merged = session.get(Source, seeded.id)
        assert merged.title == "Something else" and merged.extra["bibtex"]["pages"] == "12--13"
        assert merged.kind == seeded.kind  # the kind the file's entry type suggests never replaces the curated one
        assert session.exec(select(Source).where(Source.key == "other_key")).first() is None
        assert session.exec(select(Source).where(Source.key == "ioi_again")).one().venue == "ICLR"
    with Session(engine) as session:
        again = run_import(session, text.encode(), "d.bib", ANALYST, choices=choices)
    assert [r.status for r in again.rows] == ["unchanged", "unchanged"]


def test_duplicates_inside_the_file_are_caught_and_the_first_wins(sqlite_seeded_url, engine_for):
    text = "@misc{a, title={One}, doi={10.5555/x.1}}\n@misc{b, title={Two}, doi={https://doi.org/10.5555/X.1}}\n"
    with Session(engine_for(sqlite_seeded_url)) as session:
        preview = run_import(session, text.encode(), "f.bib", ANALYST, default_choice="new", commit=True)
        session.commit()
        assert [r.status for r in preview.rows] == ["new", "duplicate"]
        assert preview.rows[1].duplicates[0]["reasons"] == ["same DOI as a in this file"]
        assert session.exec(select(Source.key).where(Source.doi == "10.5555/x.1")).all() == ["a"]


@pytest.mark.parametrize("fmt", ["bibtex", "ris", "csljson"])
def test_the_seeds_own_sources_export_and_reimport_unchanged(sqlite_seeded_url, engine_for, fmt):
    with Session(engine_for(sqlite_seeded_url)) as session:
        exported = export_list(session, "sources", listing.SourceFilters(), fmt)
        preview = run_import(session, exported.text.encode(), exported.filename, ANALYST, format=fmt)
    assert preview.ok, preview.problems
    assert preview.counts == {"unchanged": 29}


HOSTILE = {
    "huge.bib": lambda: b"@misc{x, title={" + b"a" * (10 * 1024 * 1024) + b"}}",
    "binary.ris": lambda: bytes(range(256)) * 40,
    "latin1.bib": lambda: "@misc{x, title={Caf\u00e9 na\u00efve}}".encode("latin-1"),
    "truncated.bib": lambda: (FIXTURES / "truncated.bib").read_bytes(),
    "duplicate-keys.bib": lambda: (FIXTURES / "duplicate-keys.bib").read_bytes(),
    "truncated.ris": lambda: (FIXTURES / "truncated.ris").read_bytes(),
    "broken.json": lambda: b'[{"id": "a", "title": "x"},',
    "notes.txt": lambda: b"just some words",
}
EXPECTED = {
    "huge.bib": "huge.bib: 10.5 MB is over the import limit of 8.4 MB",
    "binary.ris": "binary.ris:1: holds NUL bytes",
    "latin1.bib": "latin1.bib:1: byte 0xe9 is not UTF-8",
    "truncated.bib": "truncated.bib:3: entry 'cut': not valid BibTeX",
    "duplicate-keys.bib": "duplicate-keys.bib:3: entry 'same': duplicate citation key",
    "truncated.ris": "truncated.ris:5: record 2: record has no `ER  -` line",
    "broken.json": "broken.json:1: not valid JSON",
    "notes.txt": "notes.txt: cannot tell the format",
}


def test_hostile_files_are_refused_with_file_and_line_and_the_database_is_exactly_as_before(
    sqlite_seeded_url, engine_for, tmp_path
):
    engine = engine_for(sqlite_seeded_url)
    export_all(engine, tmp_path / "before")
    for name, make in HOSTILE.items():
        with Session(engine) as session:
            preview = run_import(session, make(), name, ANALYST, commit=True, strict=True)
            session.commit()
        assert not preview.ok and not preview.committed, name
        assert preview.problems[0].startswith(EXPECTED[name]), (name, preview.problems)
    export_all(engine, tmp_path / "after")
    for path in sorted((tmp_path / "before").iterdir()):
        assert path.read_bytes() == (tmp_path / "after" / path.name).read_bytes(), path.name


def test_in_strict_mode_one_bad_entry_rolls_back_the_whole_file(sqlite_seeded_url, engine_for):
    text = "@misc{good, title={Good}}\n@misc{bad, year={1850}}\n"
    with Session(engine_for(sqlite_seeded_url)) as session:
        preview = run_import(session, text.encode(), "m.bib", ANALYST, commit=True, strict=True)
        session.commit()
        assert preview.problems == ["m.bib:2: entry 'bad': no title"] and not preview.committed
        assert session.exec(select(Source).where(Source.key == "good")).first() is None


def test_a_record_without_a_key_never_overwrites_a_stored_source_that_happens_to_have_the_made_up_key(
    sqlite_seeded_url, engine_for
):
    engine = engine_for(sqlite_seeded_url)
    with Session(engine) as session:
        run_import(session, b"@misc{ota_2026_sparse, title={Unrelated}, year={2019}}", "u.bib", ANALYST, commit=True)
        session.commit()
    first = run(engine, "zotero.ris", commit=True)
    assert first.counts == {"new": 2, "duplicate": 1}
    assert "ota_2026_sparse-2" in [r.key for r in first.rows]
    with Session(engine) as session:
        assert session.exec(select(Source).where(Source.key == "ota_2026_sparse")).one().title == "Unrelated"
    assert run(engine, "zotero.ris", commit=True).counts == {"unchanged": 2, "duplicate": 1}
