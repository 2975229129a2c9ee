"""/api/v1/import, /api/v1/export/{list} and /api/v1/lookup as a client uses them."""

from __future__ import annotations

import json
from pathlib import Path

from sqlmodel import select

from app.evidence.models import Source
from tests.api.conftest import API

FIXTURES = Path(__file__).parents[1] / "evidence" / "fixtures" / "interchange"


def upload(name: str, data: bytes | None = None, **form):
    return {"files": {"file": (name, data if data is not None else (FIXTURES / name).read_bytes())}, "data": form}


def test_import_is_a_dry_run_until_commit_and_choices_apply_per_duplicate(api, tokens, db):
    preview = api.post(f"{API}/import", headers=tokens.analyst, **upload("awkward.bib"))
    assert preview.status_code == 200, preview.text
    body = preview.json()
    assert body["committed"] is False and body["counts"] == {"new": 4, "duplicate": 1}
    duplicate = next(r for r in body["rows"] if r["status"] == "duplicate")
    assert db.exec(select(Source).where(Source.key == "openai2023gpt4")).first() is None
    choices = json.dumps({duplicate["key"]: "merge"})
    done = api.post(f"{API}/import?commit=true", headers=tokens.analyst, **upload("awkward.bib", choices=choices))
    assert done.status_code == 200 and done.json()["committed"] is True
    db.expire_all()
    merged = db.exec(select(Source).where(Source.key == duplicate["duplicates"][0]["key"])).one()
    assert merged.doi == "10.1234/tc.2024.scaling"
    again = api.post(f"{API}/import?commit=true", headers=tokens.analyst, **upload("awkward.bib", choices=choices))
    assert again.json()["actions"] == {"unchanged": 5}


def test_a_bad_file_answers_422_naming_each_problem_and_writes_nothing(api, tokens):
    response = api.post(f"{API}/import?commit=true&strict=true", headers=tokens.analyst, **upload("duplicate-keys.bib"))
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == "file"
    assert response.json()["errors"][0]["message"].startswith("duplicate-keys.bib:3: entry 'same': duplicate citation")
    bad_choice = api.post(f"{API}/import", headers=tokens.analyst, **upload("awkward.bib", choices='{"x": "burn"}'))
    assert bad_choice.status_code == 422 and bad_choice.json()["errors"][0]["field"] == "choices"


def test_by_default_good_entries_are_imported_and_the_report_downloads_as_csv(api, tokens):
    body = api.post(f"{API}/import?commit=true", headers=tokens.analyst, **upload("duplicate-keys.bib")).json()
    assert body["committed"] is True and body["actions"] == {"created": 1, "skipped": 1}
    assert body["rows"][1]["reason"] == "duplicate citation key in the file (the entry at line 1 is imported)"
    report = api.post(f"{API}/import?report=csv", headers=tokens.analyst, **upload("duplicate-keys.bib"))
    assert report.status_code == 200 and report.headers["content-type"].startswith("text/csv")
    assert report.headers["content-disposition"] == 'attachment; filename="import-report.csv"'
    assert report.text.splitlines()[2].endswith(",same,skipped,skipped,duplicate citation key in the file "
                                                "(the entry at line 1 is imported),Second,,,,,")  # fmt: skip
    href = api.post(f"{API}/import", headers=tokens.analyst, **upload("h.bib", rb"@misc{h, title={\href{u}{T}}}"))
    assert href.status_code == 200 and href.json()["rows"][0]["title"] == "T <u>"


def test_the_json_report_is_what_the_openapi_says_it_is(api, tokens):
    """report=json answers the per-entry report, not the preview: the OpenAPI names both (the fuzz found a
    report that violated the preview's schema)."""
    from app.api.interchange import ImportReport

    report = api.post(f"{API}/import?report=json", headers=tokens.analyst, **upload("duplicate-keys.bib"))
    assert report.status_code == 200 and report.headers["content-type"].startswith("application/json")
    parsed = ImportReport.model_validate(report.json())
    assert [e["action"] for e in parsed.entries] == ["created", "skipped"] and parsed.committed is False
    answers = api.get("/openapi.json").json()["paths"]["/api/v1/import"]["post"]["responses"]["200"]["content"]
    refs = {s["$ref"].rsplit("/", 1)[1] for s in answers["application/json"]["schema"]["anyOf"]}
    assert refs == {"ImportPreview", "ImportReport"} and "text/csv" in answers


def test_importing_needs_a_write_token(api, tokens):
    assert api.post(f"{API}/import", **upload("awkward.bib")).status_code == 401
    assert api.post(f"{API}/import", headers=tokens.viewer, **upload("awkward.bib")).status_code == 403


def test_export_takes_the_lists_filters_and_formats(api):
    bib = api.get(f"{API}/export/sources", params={"format": "bibtex", "kind": "benchmark"})
    assert bib.status_code == 200 and bib.headers["content-type"].startswith("application/x-bibtex")
    assert bib.text.count("ceiling_kind = {benchmark}") == bib.text.count("\n@") + 1 == 3
    listed = api.get(f"{API}/sources", params={"kind": "benchmark"}).json()["count"]
    assert listed == 3
    csl = api.get(f"{API}/export/claims", params={"format": "csljson", "aspect": "safety"}).json()
    sources = {c["source"] for c in api.get(f"{API}/claims", params={"aspect": "safety", "limit": 500}).json()["data"]}
    assert {item["id"] for item in csl} == sources
    results = api.get(f"{API}/export/results", params={"format": "csv", "outcome": "failure"})
    assert results.headers["content-disposition"] == 'attachment; filename="results.csv"'
    assert results.text.startswith("claim_key,source,claim_text")
    assert api.get(f"{API}/export/sources", params={"format": "docx"}).status_code == 422


def test_lookup_answers_503_with_a_message_when_lookups_are_off(seeded_url, tmp_path):
    from fastapi.testclient import TestClient

    from app.main import create_app
    from tests.conftest import make_settings

    with TestClient(create_app(make_settings(seeded_url, tmp_path, metadata_lookup=False))) as client:
        response = client.get(f"{API}/lookup", params={"doi": "10.1234/x"})
    assert response.status_code == 503 and "CEILING_METADATA_LOOKUP" in response.json()["detail"]
