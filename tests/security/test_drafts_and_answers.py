"""What readers are told: on a fresh install a draft is not public, and nothing an anonymous reader can see
(the report's words and fingerprint, the stats ETag) changes when a draft does; no answer carries a naive
timestamp on SQLite; a file nested 100,000 deep is refused, not a server error."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app
from app.reports.build import build_snapshot
from tests.api.conftest import add_tokens
from tests.conftest import make_settings

DRAFT = {
    "key": "secret-draft", "source": "karvonen2025_saebench", "text": "An unpublished finding about features.",
    "aspects": ["features"], "questions": ["q1"], "stance": "undermines", "kind": "finding", "confidence": 0.5,
}  # fmt: skip


def test_a_fresh_install_publishes_reviewed_claims_only():
    assert Settings(_env_file=None).publish_reviewed_only is True


def test_on_default_settings_a_draft_is_not_public_and_moves_nothing_a_reader_sees(
    sqlite_seeded_url, engine_for, tmp_path
):
    tokens = add_tokens(sqlite_seeded_url, engine_for)
    settings = make_settings(sqlite_seeded_url, tmp_path)  # the default: reviewed claims only
    with TestClient(create_app(settings)) as client:
        etag = client.get("/api/v1/stats").headers["etag"]
        before = build_snapshot(settings)
        assert client.get("/api/v1/stats", headers={"If-None-Match": etag}).status_code == 304
        created = client.post("/api/v1/claims", json=DRAFT, headers=tokens.analyst)
        assert created.status_code == 201 and created.json()["status"] == "draft"
        assert client.get(f"/api/v1/claims/{created.json()['id']}").status_code == 404
        assert "secret-draft" not in client.get("/api/v1/claims?q=unpublished").text
        assert client.get("/api/v1/stats").headers["etag"] == etag
        assert client.get("/api/v1/stats", headers={"If-None-Match": etag}).status_code == 304
        after = build_snapshot(settings)
        assert not after.built and after.fingerprint == before.fingerprint  # the draft wrote no new report
        page = client.get("/assessment").text
        assert "Only reviewed claims are weighed" in page and not re.search(r"\d+ drafts?\b", page)
        assert client.get(f"/api/v1/claims/{created.json()['id']}", headers=tokens.analyst).status_code == 200


NAIVE = re.compile(r'"(\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d+)?)?)"')


def test_no_answer_carries_a_naive_timestamp_on_sqlite(sqlite_seeded_url, engine_for, tmp_path):
    tokens = add_tokens(sqlite_seeded_url, engine_for)
    with TestClient(create_app(make_settings(sqlite_seeded_url, tmp_path))) as client:
        assert client.post("/api/v1/claims/1/status", json={"status": "in_review"}, headers=tokens.admin).is_success
        hook = {"url": "http://127.0.0.1:9/hook", "events": ["report_published"]}
        client.post("/api/v1/webhooks", json=hook, headers=tokens.admin)
        paths = [p for p, ops in client.get("/openapi.json").json()["paths"].items() if "get" in ops]
        naive = {}
        for template in paths:
            path = re.sub(r"\{[^}]+\}", "1", template)
            answer = client.get(path, headers=tokens.admin)
            if "json" in answer.headers.get("content-type", "") and (found := NAIVE.findall(answer.text)):
                naive[path] = found[:2]
        assert naive == {}


def test_a_csl_json_file_nested_100000_deep_is_refused_not_a_server_error(sqlite_seeded_url, engine_for, tmp_path):
    tokens = add_tokens(sqlite_seeded_url, engine_for)
    deep = ("[" * 100_000 + "]" * 100_000).encode()
    with TestClient(create_app(make_settings(sqlite_seeded_url, tmp_path))) as client:
        files = {"file": ("deep.json", deep, "application/json")}
        answer = client.post("/api/v1/import", files=files, headers=tokens.analyst)
        assert 400 <= answer.status_code < 500
        assert "nests too deeply" in answer.text
        choices = client.post(
            "/api/v1/import", files={"file": ("a.json", b"[]", "application/json")},
            data={"choices": "[" * 50_000 + "]" * 50_000}, headers=tokens.analyst,
        )  # fmt: skip
        assert choices.status_code == 422
