"""One request must not monopolise the server: request bodies and their lists are bounded (and the OpenAPI
document says so), and the expensive read of the trajectory computes each past state once."""

from __future__ import annotations

import datetime as dt
import json
import time

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.reports import trajectory
from tests.api.conftest import add_tokens
from tests.conftest import make_settings


@pytest.fixture
def api(sqlite_seeded_url, engine_for, tmp_path):
    tokens = add_tokens(sqlite_seeded_url, engine_for)
    with TestClient(create_app(make_settings(sqlite_seeded_url, tmp_path))) as client:
        client.headers.update(tokens.analyst)
        yield client


def _claim(**changes) -> dict:
    base = {"key": "bound-claim", "source": "karvonen2025_saebench", "text": "A claim at the bounds.",
            "aspects": ["features"], "stance": "supports", "kind": "finding", "confidence": 0.5}  # fmt: skip
    return {**base, **changes}


def _fields(response) -> set[str]:
    return {error["field"] for error in response.json().get("errors", [])}


def test_twenty_thousand_results_are_refused_by_the_schema_naming_the_field(api):
    results = [{"key": f"r{n}", "model": "m", "params": 1e9, "method": "sae", "metric": "x", "outcome": "success"}
               for n in range(20_000)]  # fmt: skip
    response = api.post("/api/v1/claims", json=_claim(results=results))
    assert response.status_code == 422 and "results" in _fields(response)


def test_a_hundred_thousand_duplicate_aspects_are_refused_naming_the_field(api):
    response = api.post("/api/v1/claims", json=_claim(aspects=["features"] * 100_000))
    assert response.status_code == 422 and "aspects" in _fields(response)


def test_the_openapi_document_states_the_bounds(api):
    schemas = api.get("/openapi.json").json()["components"]["schemas"]
    claim = schemas["ClaimIn"]["properties"]
    assert claim["results"]["maxItems"] == 500 and claim["aspects"]["maxItems"] == 32
    assert claim["questions"]["maxItems"] == 64
    source = schemas["SourceIn"]["properties"]
    assert source["authors"]["maxItems"] == 5000 and source["extra"]["maxProperties"] == 200


def test_a_body_past_the_limit_answers_413_declared_or_streamed(sqlite_seeded_url, engine_for, tmp_path):
    tokens = add_tokens(sqlite_seeded_url, engine_for)
    settings = make_settings(sqlite_seeded_url, tmp_path, request_max_bytes=64 * 1024, import_max_bytes=1024)
    big = json.dumps({"key": "x", "text": "y" * 2_000_000}).encode()
    with TestClient(create_app(settings)) as client:
        declared = client.post(
            "/api/v1/claims", content=big, headers={**tokens.analyst, "Content-Type": "application/json"}
        )
        assert declared.status_code == 413 and declared.headers["content-type"] == "application/problem+json"

        def chunks():
            for start in range(0, len(big), 65536):
                yield big[start : start + 65536]

        streamed = client.post(
            "/api/v1/claims", content=chunks(), headers={**tokens.analyst, "Content-Type": "application/json"}
        )
        assert streamed.status_code == 413 and "CEILING_REQUEST_MAX_BYTES" in streamed.json()["detail"]
        assert (
            client.post(
                "/login", content=big, headers={"Content-Type": "application/x-www-form-urlencoded"}
            ).status_code
            == 413
        )


def test_the_trajectory_rebuilds_each_past_state_once(sqlite_seeded_url, tmp_path, monkeypatch):
    rebuilt = []
    real = trajectory.as_of

    def counting_as_of(*args, **kwargs):
        rebuilt.append(args[1])
        return real(*args, **kwargs)

    monkeypatch.setattr(trajectory, "as_of", counting_as_of)
    trajectory._PARTS.clear()
    with TestClient(create_app(make_settings(sqlite_seeded_url, tmp_path))) as client:
        time.sleep(0.05)  # every instant below falls after the app's start (its settings record): one state
        now = dt.datetime.now(dt.UTC)
        instants = [(now - dt.timedelta(milliseconds=3 * n)).isoformat() for n in range(12)]
        first = client.get("/api/v1/reports/trajectory", params={"as_of": instants})
        assert first.status_code == 200 and len(rebuilt) == 1  # twelve instants, one state of the store
        again = client.get("/api/v1/reports/trajectory", params={"as_of": instants})
        assert again.json() == first.json() and len(rebuilt) == 1  # asked again: nothing rebuilt
        page = client.get("/reports/trajectory?points=12")
        assert page.status_code == 200 and len(rebuilt) < 12
