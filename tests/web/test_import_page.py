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
    page = upload(analyst, "truncated.ris")
    assert page.status_code == 422
    assert "truncated.ris:5: record has no `ER  -` line" in page.text
    assert "Commit this import" not in page.text


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
