"""Benchmarks of the import, the export and the backup (slow: `make bench`; timings are reported, never asserted)."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from app.db.backup import export_all
from app.evidence.history import Actor
from app.evidence.interchange import bibtex
from app.evidence.interchange.exports import export_list
from app.evidence.interchange.preview import run_import
from app.evidence.services import listing

pytestmark = pytest.mark.slow
ENTRIES = 2000


def synthetic_bib(count: int) -> bytes:
    sources = [
        {"key": f"bench{i}", "kind": "paper", "title": f"Sparse features number {i} at scale", "year": 2000 + i % 26,
         "authors": [f"Müller{i}, J.", "Smith, A.", "et al."], "venue": "NeurIPS", "doi": f"10.5555/bench.{i}",
         "url": f"https://example.org/{i}", "extra": {"bibtex": {"pages": f"{i}--{i + 9}"}}}
        for i in range(count)
    ]  # fmt: skip
    return bibtex.write(sources).encode()


def test_benchmark_bibtex_import_dry_run(benchmark, sqlite_seeded_url, engine_for):
    data = synthetic_bib(ENTRIES)
    engine = engine_for(sqlite_seeded_url)

    def dry_run():
        with Session(engine) as session:
            return run_import(session, data, "bench.bib", Actor("bench"))

    preview = benchmark.pedantic(dry_run, rounds=3, iterations=1)
    assert preview.counts == {"new": ENTRIES}


def test_benchmark_bibtex_export(benchmark, sqlite_seeded_url, engine_for):
    engine = engine_for(sqlite_seeded_url)
    with Session(engine) as session:
        run_import(session, synthetic_bib(ENTRIES), "bench.bib", Actor("bench"), commit=True)
        session.commit()

    def export():
        with Session(engine) as session:
            return export_list(session, "sources", listing.SourceFilters(), "bibtex")

    exported = benchmark.pedantic(export, rounds=3, iterations=1)
    assert exported.text.count("\n@") + 1 == ENTRIES + 29


def test_benchmark_backup(benchmark, sqlite_seeded_url, engine_for, tmp_path):
    engine = engine_for(sqlite_seeded_url)
    counts = benchmark.pedantic(lambda: export_all(engine, tmp_path / "backup"), rounds=3, iterations=1)
    assert counts["claim"] == 86
