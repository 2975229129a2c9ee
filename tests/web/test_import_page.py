"""The Import page as an analyst uses it (upload, preview, choices, commit), export links, and the form's lookup."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
from sqlmodel import select

from app.evidence.interchange import lookup
from app.evidence.models import Source

FIXTURES = Path(__file__).parents[1] / "evidence" / "fixtures" / "interchange"
RECORDED = FIXTURES / "recorded"


def upload(web, name: str, data: bytes | None = None, **fields):
    body = data if data is not None else (FIXTURES / name).read_bytes()
    form = {"csrf_token": web.token(), **fields}
    return web.client.post("/import", data=form, files={"file": (name, body)})


def test_an_analyst_previews_chooses_and_commits_an_import(analyst):
    page = upload(analyst, "awkward.bib")
    assert page.status_code == 200
    assert "Dry run of" in page.text and "Nothing is written until you commit" in page.text
    assert page.text.count('<tr class="new">') == 4 and page.text.count('<tr class="duplicate">') == 1
    select_name = re.search(r'<select id="choice-\d+" name="(choice\.[^"]+)"', page.text).group(1)
    token = re.search(r'name="token" value="([^"]+)"', page.text).group(1)
    with analyst.session() as session:
        assert session.exec(select(Source).where(Source.key == "openai2023gpt4")).first() is None
    done = analyst.post("/import/commit", {"token": token, select_name: "merge"})
    assert done.status_code == 303 and done.headers["location"] == "/sources"
    with analyst.session() as session:
        assert session.exec(select(Source).where(Source.key == "openai2023gpt4")).one().arxiv_id == "2303.08774"
        assert session.exec(select(Source).where(Source.doi == "10.1234/tc.2024.scaling")).one()
    assert "Imported awkward.bib" in analyst.get("/sources").text
    replay = analyst.post("/import/commit", {"token": token})
    assert replay.status_code == 303 and replay.headers["location"] == "/import"


def test_a_bad_file_shows_each_problem_and_offers_no_commit(analyst):
    page = upload(analyst, "notes.ris", b"Reading list\n- a paper I liked\n")
    assert page.status_code == 422
    assert "notes.ris:1: no RIS record found" in page.text
    assert "Commit this import" not in page.text


def test_a_cut_short_record_is_skipped_with_its_line_and_the_complete_ones_offered(analyst):
    page = upload(analyst, "truncated.ris")
    assert page.status_code == 200
    assert "truncated.ris:5: record 2" in page.text and "the file ends inside it: truncated?" in page.text
    assert page.text.count('<tr class="new">') == 1 and "Commit this import" in page.text


def test_viewers_cannot_import(viewer):
    assert viewer.get("/import").status_code == 403


def test_every_list_page_links_its_exports_with_its_filters(anonymous):
    page = anonymous.get("/sources?kind=benchmark").text
    links = re.findall(r'href="(/export/sources\?[^"]+)"', page)
    assert len(links) == 4 and all("kind=benchmark" in link for link in links)
    exported = anonymous.get(links[0].replace("&amp;", "&"))
    assert exported.status_code == 200 and exported.text.count("ceiling_kind = {benchmark}") == 3
    for kind in ("claims", "results"):
        assert f'href="/export/{kind}?format=csv"' in anonymous.get(f"/{kind}").text


def test_the_source_form_fills_empty_fields_from_a_doi(analyst, monkeypatch):
    def recorded(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=(RECORDED / "crossref-10.1234-tc.2024.scaling.json").read_bytes())

    analyst.client.app.state.settings.metadata_lookup = True
    monkeypatch.setattr(lookup, "TRANSPORT", httpx.MockTransport(recorded))
    form = {"kind": "paper", "doi": "10.1234/tc.2024.scaling", "action": "lookup", "title": ""}
    page = analyst.post("/sources/new", form)
    assert page.status_code == 200
    assert "Filled in: Title, Authors, Year, Published on, Venue, URL" in page.text
    assert "Templeton, Adly" in page.text
    with analyst.session() as session:
        assert session.exec(select(Source).where(Source.doi == "10.1234/tc.2024.scaling")).first() is None

    def offline(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("no route to host", request=request)

    monkeypatch.setattr(lookup, "TRANSPORT", httpx.MockTransport(offline))
    page = analyst.post("/sources/new", form)
    assert "cannot reach the service" in page.text


def test_an_upload_previewed_on_one_replica_is_committed_on_another_and_expires(analyst, web_db, tmp_path):
    from fastapi.testclient import TestClient

    from app.evidence.interchange.pending import PendingImport
    from app.main import create_app
    from tests.conftest import make_settings

    page = upload(analyst, "duplicate-keys.bib")
    token = re.search(r'name="token" value="([^"]+)"', page.text).group(1)
    assert "skipped: <bdi>duplicate citation key in the file" in page.text
    other = create_app(make_settings(web_db, tmp_path / "other", publish_reviewed_only=False))
    with TestClient(other, follow_redirects=False, cookies=analyst.client.cookies) as replica:
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', replica.get("/import").text).group(1)
        report = replica.post("/import/report", data={"token": token, "report": "csv", "csrf_token": csrf})
        assert report.status_code == 200 and report.headers["content-type"].startswith("text/csv")
        assert "same,skipped,skipped,duplicate citation key" in report.text
        done = replica.post("/import/commit", data={"token": token, "csrf_token": csrf})
        assert done.status_code == 303 and done.headers["location"] == "/sources"
    with analyst.session() as session:
        assert session.exec(select(Source).where(Source.key == "same")).one().title == "First"
        assert session.get(PendingImport, token) is None  # committed: forgotten
    page = upload(analyst, "awkward.bib")
    token = re.search(r'name="token" value="([^"]+)"', page.text).group(1)
    with analyst.session() as session:
        waiting = session.get(PendingImport, token)
        waiting.expires_at = waiting.created_at
        session.add(waiting)
        session.commit()
    late = analyst.post("/import/commit", {"token": token})
    assert late.status_code == 303 and late.headers["location"] == "/import"


def test_the_preview_speaks_in_titles_and_words_and_offers_a_choice_per_conflicting_field(analyst):
    with analyst.session() as session:
        stored = session.exec(select(Source).where(Source.key == "wang2022_ioi")).one()
    text = f"@article{{ioi2, title={{{stored.title}}}, year={{{stored.year}}}, author={{Doe, J.}}, doi={{10.1234/i}}}}"
    page = upload(analyst, "c.bib", text.encode())
    assert f"<bdi>{stored.title}</bdi>" in page.text and "Doe, J." in page.text
    assert "<strong>Authors</strong></label>: stored" in page.text and "[&#39;" not in page.text  # words, not a list
    assert 'name="choice.ioi2.authors"' in page.text and "<strong>DOI</strong>" in page.text
    token = re.search(r'name="token" value="([^"]+)"', page.text).group(1)
    analyst.post("/import/commit", {"token": token, "choice.ioi2": "merge", "choice.ioi2.authors": "file"})
    with analyst.session() as session:
        merged = session.get(Source, stored.id)
        assert merged.authors == ["Doe, J."] and merged.doi == "10.1234/i" and merged.title == stored.title


def test_a_windows_1252_file_under_its_encoding_line_is_previewed_and_committed_with_its_letters(analyst):
    text = "% Encoding: windows-1252\n\n@Article{cafe,\n  title = {Caf\u00e9 at 25\u00b0 C \u2013 a study},\n}\n"
    page = upload(analyst, "jabref-old.bib", text.encode("cp1252"))
    assert page.status_code == 200 and "read as windows-1252" in page.text
    token = re.search(r'name="token" value="([^"]+)"', page.text).group(1)
    done = analyst.post("/import/commit", {"token": token})
    assert done.status_code == 303 and done.headers["location"] == "/sources"
    with analyst.session() as session:
        assert (
            session.exec(select(Source).where(Source.key == "cafe")).one().title
            == "Caf\u00e9 at 25\u00b0 C \u2013 a study"
        )
