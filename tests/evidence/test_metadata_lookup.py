"""Metadata lookup from Crossref and arXiv, tested on recorded answers (httpx.MockTransport): never a live call."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import httpx
import pytest
from sqlmodel import Session, select

from app.evidence.history import Actor
from app.evidence.interchange.lookup import LookupNotFound, LookupUnavailable, completer, lookup
from app.evidence.interchange.preview import run_import
from app.evidence.models import Source

RECORDED = Path(__file__).parent / "fixtures" / "interchange" / "recorded"


def recorded(request: httpx.Request) -> httpx.Response:
    if request.url.host == "api.crossref.org":
        name = "crossref-" + request.url.path.removeprefix("/works/").replace("/", "-") + ".json"
        path = RECORDED / name
        return httpx.Response(200, content=path.read_bytes()) if path.exists() else httpx.Response(404)
    if request.url.host == "export.arxiv.org":
        path = RECORDED / f"arxiv-{request.url.params['id_list']}.xml"
        empty = b'<feed xmlns="http://www.w3.org/2005/Atom"></feed>'
        return httpx.Response(200, content=path.read_bytes() if path.exists() else empty)
    raise AssertionError(f"unexpected request to {request.url}")


def offline(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("[Errno -3] Temporary failure in name resolution", request=request)


def client(handler) -> httpx.Client:
    return httpx.Client(transport=httpx.MockTransport(handler))


def test_a_doi_is_looked_up_at_crossref():
    found = lookup(doi="https://doi.org/10.1234/TC.2024.SCALING", client=client(recorded))
    assert found["title"] == "Scaling Monosemanticity: Extracting Interpretable Features from Claude 3 Sonnet"
    assert found["authors"] == ["Templeton, Adly", "Conerly, Tom", "Anthropic Interpretability Team"]
    assert (found["year"], found["published_date"]) == (2024, dt.date(2024, 5, 21))
    assert found["venue"] == "Transformer Circuits Thread" and found["doi"] == "10.1234/tc.2024.scaling"


def test_an_arxiv_id_is_looked_up_at_the_arxiv_api():
    found = lookup(arxiv_id="arXiv:2303.08774v2", client=client(recorded))
    assert found["title"] == "GPT-4 Technical Report"
    assert found["authors"] == ["OpenAI", "Achiam, Josh", "Berg, Renée van der"]
    assert found["year"] == 2023 and found["venue"] == "arXiv preprint"
    assert found["url"] == "https://arxiv.org/abs/2303.08774"


def test_unknown_works_and_no_network_give_clear_messages():
    with pytest.raises(LookupNotFound, match="no such work"):
        lookup(doi="10.9999/nothing", client=client(recorded))
    with pytest.raises(LookupNotFound, match="no such work"):
        lookup(arxiv_id="2401.99999", client=client(recorded))
    with pytest.raises(LookupUnavailable, match="cannot reach the service .*offline\\? fill the fields in by hand"):
        lookup(doi="10.1234/x", client=client(offline))


def test_an_import_fills_missing_fields_from_the_lookup(sqlite_seeded_url, engine_for):
    text = (
        "@misc{gpt4, eprint={2303.08774}, archivePrefix={arXiv}}\n@misc{sc, doi={10.1234/tc.2024.scaling}, title={x}}"
    )
    with Session(engine_for(sqlite_seeded_url)) as session:
        preview = run_import(
            session, text.encode(), "l.bib", Actor("a"), commit=True, complete=completer(client(recorded))
        )
        assert preview.ok, preview.problems
        session.commit()
        stored = session.exec(select(Source).where(Source.key == "gpt4")).one()
        assert stored.title == "GPT-4 Technical Report" and stored.year == 2023
        assert session.exec(select(Source).where(Source.key == "sc")).one().title == "x"  # the file's title wins
    assert preview.notes[0].startswith("l.bib:1: entry 'gpt4': filled title, authors, year")


def test_offline_an_import_goes_on_with_one_note_and_asks_no_more(sqlite_seeded_url, engine_for):
    calls = []

    def counting_offline(request):
        calls.append(request.url)
        return offline(request)

    text = "@misc{a, title={A}, doi={10.1234/a}}\n@misc{b, title={B}, doi={10.1234/b}}\n"
    with Session(engine_for(sqlite_seeded_url)) as session:
        preview = run_import(session, text.encode(), "o.bib", Actor("a"), complete=completer(client(counting_offline)))
    assert preview.ok and preview.counts == {"new": 2}
    assert len(calls) == 1 and len(preview.notes) == 1 and "no more lookups" in preview.notes[0]
