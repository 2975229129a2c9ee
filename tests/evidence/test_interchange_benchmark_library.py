"""The import of a real-sized library: a 5,000-entry Better BibTeX-like export previews and commits in under 30 s
on 2 cores (slow: `make bench`; the figure is in docs/import-export.md)."""

from __future__ import annotations

import time

import pytest
from sqlmodel import Session

from app.evidence.history import Actor
from app.evidence.interchange.preview import run_import

pytestmark = pytest.mark.slow
ENTRIES = 5000
BUDGET_S = 30.0


def better_bibtex_library(count: int) -> bytes:
    """Entries as Better BibTeX writes them: braced titles, LaTeX accents, \\href notes, abstracts, files,
    keywords, urldate; a few without a title or with a free-text year, as real libraries have."""
    entries = []
    for i in range(count):
        title = f"{{Sparse}} Features at Scale, Part {i}: {{Müller}}'s \\emph{{Circuits}}" if i % 997 else ""
        year = "Autumn 2001" if i % 499 == 0 else str(1990 + i % 35)
        entries.append(
            f"@article{{muller{i}sparse,\n  title = {{{title}}},\n"
            f'  author = {{M{{\\"u}}ller, J{{\\"o}}rg and Smith, Anne and {{OpenAI}} and others}},\n'
            f"  year = {{{year}}},\n  journal = {{Journal of Interpretability}},\n  volume = {{{i % 40}}},\n"
            f"  pages = {{{i}--{i + 12}}},\n  doi = {{10.5555/bbt.{i}}},\n  url = {{https://example.org/{i}}},\n"
            f"  urldate = {{2024-05-{1 + i % 28:02d}}},\n  keywords = {{sparse autoencoders, interpretability}},\n"
            f"  abstract = {{We study {{SAEs}} with $k={i}$ latents \\& report 50\\% gains.}},\n"
            f"  note = {{See \\href{{https://example.org/{i}/code}}{{the code}}}},\n"
            f"  file = {{/Users/x/Zotero/storage/{i:08d}/paper.pdf}}\n}}\n"
        )
    return "\n".join(entries).encode()


def test_benchmark_a_5000_entry_better_bibtex_library_previews_and_commits_in_time(
    benchmark, sqlite_seeded_url, engine_for
):
    data = better_bibtex_library(ENTRIES)
    engine = engine_for(sqlite_seeded_url)

    def preview_then_commit():
        started = time.perf_counter()
        with Session(engine) as session:
            preview = run_import(session, data, "library.bib", Actor("bench"))
        with Session(engine) as session:
            done = run_import(session, data, "library.bib", Actor("bench"), commit=True)
            session.commit()
        return preview, done, time.perf_counter() - started

    preview, done, elapsed_s = benchmark.pedantic(preview_then_commit, rounds=1, iterations=1)
    assert preview.actions == {"created": ENTRIES - 6, "skipped": 6} and done.committed
    assert elapsed_s < BUDGET_S, f"preview + commit took {elapsed_s:.1f} s"
