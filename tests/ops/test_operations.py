"""Operations: request ids in responses and in JSON log lines, Prometheus metrics, readiness, `serve --workers`."""

from __future__ import annotations

import io
import json
import logging

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from app.main import create_app
from app.ops.logs import JsonFormatter
from app.reports.build import build_snapshot
from tests.conftest import make_settings


def _json_lines(logger: str):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    target = logging.getLogger(logger)
    target.addHandler(handler)
    target.setLevel(logging.INFO)
    return stream, lambda: target.removeHandler(handler)


def test_each_request_has_an_id_in_its_answer_and_in_its_json_log_line(sqlite_seeded_url, tmp_path):
    stream, done = _json_lines("ceiling.http")
    try:
        with TestClient(create_app(make_settings(sqlite_seeded_url, tmp_path))) as client:
            given = client.get("/api/v1/claims?limit=1", headers={"X-Request-ID": "trace-42"})
            made = client.get("/healthz")
            hostile = client.get("/healthz", headers={"X-Request-ID": "x<script>alert(1)</script>"})
    finally:
        done()
    assert given.headers["x-request-id"] == "trace-42"
    assert len(made.headers["x-request-id"]) == 32 and "<" not in hostile.headers["x-request-id"]
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    mine = next(line for line in lines if line.get("request_id") == "trace-42")
    assert mine["route"] == "/api/v1/claims" and mine["status"] == 200 and mine["level"] == "INFO" and "ms" in mine


def test_metrics_show_latency_by_route_assessment_time_and_build_outcomes(sqlite_seeded_url, tmp_path):

    settings = make_settings(sqlite_seeded_url, tmp_path)
    build_snapshot(settings)
    build_snapshot(settings)
    with TestClient(create_app(settings)) as client:
        client.get("/api/v1/claims/1")
        text = client.get("/metrics").text
    latency = 'ceiling_http_request_duration_seconds_count{method="GET",route="/api/v1/claims/{row_id}",status="200"}'
    assert latency in text
    assert "ceiling_assessment_seconds_count" in text
    assert 'ceiling_report_builds_total{outcome="built"}' in text
    assert 'ceiling_report_builds_total{outcome="unchanged"}' in text


def test_ready_only_when_the_database_answers_at_the_schema_head(sqlite_seeded_url, tmp_path):
    with TestClient(create_app(make_settings(sqlite_seeded_url, tmp_path))) as client:
        ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["status"] == "ready"
    blank = f"sqlite:///{tmp_path / 'never-migrated.db'}"
    with TestClient(create_app(make_settings(blank, tmp_path))) as client:
        not_ready = client.get("/readyz")
    assert not_ready.status_code == 503 and not_ready.headers["content-type"] == "application/problem+json"
    assert int(not_ready.headers["retry-after"]) > 0
    gone = "postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2"
    with TestClient(create_app(make_settings(gone, tmp_path))) as client:
        down = client.get("/readyz")
        api = client.get("/api/v1/claims")
    assert down.status_code == 503 and api.status_code == 503 and api.headers["retry-after"]
    assert api.json()["status"] == 503


def test_serve_passes_the_worker_count_to_uvicorn(monkeypatch):
    import uvicorn

    from app.cli import cli

    seen = {}
    monkeypatch.setattr(uvicorn, "run", lambda target, **options: seen.update(options, target=target))
    result = CliRunner().invoke(cli, ["serve", "--workers", "3", "--port", "8123"])
    assert result.exit_code == 0, result.output
    assert seen["workers"] == 3 and seen["port"] == 8123 and seen["target"] == "app.cli.serve:served_app"
    assert CliRunner().invoke(cli, ["serve", "--workers", "2", "--reload"]).exit_code == 1
