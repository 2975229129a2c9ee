"""`ceiling import` and `ceiling export` as a user runs them."""

from __future__ import annotations

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
    assert "dry run of zotero.ris: 1 duplicate, 2 new; nothing written" in dry.output
    assert "templeton2024_scaling_monosemanticity (same title and year); choice: skip" in dry.output
    done = run(url, "import", str(FIXTURES / "zotero.ris"), "--commit", "--choose", "templeton_2024_scaling=merge")
    assert done.exit_code == 0 and "imported zotero.ris: 1 duplicate, 2 new" in done.output
    with Session(engine_for(url)) as session:
        assert session.exec(select(Source).where(Source.key == "ota_2026_sparse")).one().arxiv_id == "2601.04567"
        merged = session.exec(select(Source).where(Source.key == "templeton2024_scaling_monosemanticity")).one()
        assert merged.doi == "10.1234/tc.2024.scaling"


def test_a_bad_file_fails_naming_file_and_line(run, databases):
    url = databases.fresh("sqlite", seeded=True)
    result = run(url, "import", str(FIXTURES / "evidence.csv").replace("evidence.csv", "truncated.bib"), "--commit")
    assert result.exit_code == 1
    assert "truncated.bib:3: not valid BibTeX" in result.output and "nothing written" in result.output
    assert "Traceback" not in result.output


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
