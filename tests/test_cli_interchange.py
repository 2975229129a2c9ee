"""`ceiling import` and `ceiling export` as a user runs them."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

from app.cli import cli
from app.config import get_settings
from app.evidence.models import Source

FIXTURES = Path(__file__).parent / "evidence" / "fixtures" / "interchange"


@pytest.fixture
def run(monkeypatch):
    def invoke(url: str, *args: str):
        monkeypatch.setenv("CEILING_DATABASE_URL", url)
        get_settings.cache_clear()
        return CliRunner().invoke(cli, list(args))

    yield invoke
    get_settings.cache_clear()


def test_import_is_a_dry_run_until_commit(run, databases, engine_for):
    url = databases.fresh("sqlite", seeded=True)
    dry = run(url, "import", str(FIXTURES / "zotero.ris"))
    assert dry.exit_code == 0, dry.output
    assert "dry run of zotero.ris: 2 created, 1 skipped; nothing written" in dry.output
    assert "like templeton2024_scaling_monosemanticity" in " ".join(dry.output.split())
    done = run(url, "import", str(FIXTURES / "zotero.ris"), "--commit", "--choose", "templeton_2024_scaling=merge")
    assert done.exit_code == 0 and "imported zotero.ris: 2 created, 1 updated" in done.output
    with Session(engine_for(url)) as session:
        assert session.exec(select(Source).where(Source.key == "ota_2026_sparse")).one().arxiv_id == "2601.04567"
        merged = session.exec(select(Source).where(Source.key == "templeton2024_scaling_monosemanticity")).one()
        assert merged.doi == "10.1234/tc.2024.scaling"


def test_a_strict_import_of_a_bad_file_fails_naming_file_and_line(run, databases):
    url = databases.fresh("sqlite", seeded=True)
    result = run(url, "import", str(FIXTURES / "truncated.bib"), "--commit", "--strict")
    assert result.exit_code == 1
    assert "truncated.bib:3: entry 'cut': not valid BibTeX" in result.output and "nothing written" in result.output
    assert "Traceback" not in result.output


def test_by_default_the_good_entries_are_imported_and_the_report_says_why_the_others_were_not(run, databases, tmp_path):
    url = databases.fresh("sqlite", seeded=True)
    report = tmp_path / "report.csv"
    result = run(url, "import", str(FIXTURES / "truncated.bib"), "--commit", "--report", str(report))
    assert result.exit_code == 0 and "imported truncated.bib: 1 created, 1 skipped" in result.output
    rows = list(csv.DictReader(io.StringIO(report.read_text())))
    assert [(r["key"], r["action"]) for r in rows] == [("ok", "created"), ("cut", "skipped")]
    assert rows[1]["reason"].startswith("not valid BibTeX")
    href = tmp_path / "href.bib"
    href.write_text(r"@misc{h, title={See \href{https://x.org}{this}}}")
    crashed_once = run(url, "import", str(href), "--commit")
    assert crashed_once.exit_code == 0 and "Traceback" not in crashed_once.output


def test_export_a_filtered_list_and_back_up_and_restore_everything(run, databases, tmp_path):
    url = databases.fresh("sqlite", seeded=True)
    out = tmp_path / "bench.ris"
    exported = run(url, "export", "sources", "--format", "ris", "--filter", "kind=benchmark", "--out", str(out))
    assert exported.exit_code == 0, exported.output
    assert out.read_text().count("TY  - DATA") == 3
    assert run(url, "export", "--all", str(tmp_path / "backup")).exit_code == 0
    empty = databases.fresh("sqlite", seeded=False)
    restored = run(empty, "import", "--all", str(tmp_path / "backup"))
    assert restored.exit_code == 0 and "restored" in restored.output
    again = run(empty, "import", "--all", str(tmp_path / "backup"))
    assert again.exit_code == 1 and "not empty" in again.output
    bad = run(url, "export", "sources", "--filter", "colour=red")
    assert bad.exit_code == 1 and "no filter 'colour'" in bad.output
