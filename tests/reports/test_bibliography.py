"""The report's bibliography in a CSL style: APA by default, another bundled style by setting, hostile text escaped."""

from __future__ import annotations

from app.reports.bibliography import formatted

AUTHORS = ["Müller, Jörg", "OpenAI", "et al."]
SOURCES = [
    {"key": "a", "kind": "paper", "title": "Scaling <script>x</script> & more", "authors": AUTHORS, "year": 2024},
    {"key": "b", "kind": "blog", "title": "A post", "authors": [], "year": None, "url": "https://x.org/p"},
]
SOURCES[0].update(venue="NeurIPS", doi="10.1234/x")


def test_apa_is_the_default_and_names_dates_and_dois_follow_it():
    first, second = formatted(SOURCES)
    assert (
        first["text"]
        == "Müller, J., & OpenAI. (2024). Scaling <script>x</script> & more. NeurIPS. https://doi.org/10.1234/x"
    )
    assert "&lt;script&gt;" in first["html"] and "<script>" not in first["html"]
    assert "(n.d.)" in second["text"] and "https://x.org/p" in second["text"]


def test_another_bundled_style_by_name_and_an_unknown_one_falls_back_to_apa():
    assert formatted(SOURCES, "ieee")[0]["text"].startswith("[1]J. Müller and OpenAI, “Scaling")
    assert formatted(SOURCES, "no-such-style") == formatted(SOURCES, "apa")


def test_the_reports_bibliography_follows_the_citation_style_setting(sqlite_seeded_url, engine_for, tmp_path):
    from sqlmodel import Session

    from app.reports.render import render_html, render_markdown
    from app.reports.snapshots import live_document
    from tests.conftest import make_settings

    with Session(engine_for(sqlite_seeded_url)) as session:
        apa = live_document(session, make_settings(sqlite_seeded_url, tmp_path))
        ieee = live_document(session, make_settings(sqlite_seeded_url, tmp_path, citation_style="ieee"))
    markdown = render_markdown(apa)
    assert "et al. (2024). Scaling Monosemanticity" not in markdown  # `et al.` is not a name to list
    assert "Templeton, A., Conerly, T., \\& Marcus, J. (2024). Scaling Monosemanticity" in markdown
    assert "J. Marcus, “Scaling Monosemanticity" in render_markdown(ieee)
    assert "Style: ieee (CSL)" in render_html(ieee)
    assert apa.meta["fingerprint"] != ieee.meta["fingerprint"]  # a new style is a new report
