"""Filters naming an unknown aspect, method, band or question answer 422 naming the parameter (instead of an
empty page that looks like an answer), and the page-size cap is the one the docs and the schema state."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.api.crud import LARGEST_LIMIT
from app.config import Settings
from app.main import create_app
from tests.api.conftest import API
from tests.conftest import make_settings


@pytest.mark.parametrize(
    ("path", "parameter"),
    [
        ("claims?aspect=circuits&aspect=no-such-aspect", "aspect"),
        ("results?band=no-such-band", "band"),
        ("claims?question=q9", "question"),
        ("results?method=no-such-method", "method"),
        ("critiques?aspect=nope", "aspect"),
        ("stats?method=nope", "method"),
    ],
)
def test_an_unknown_vocabulary_value_is_a_422_naming_the_parameter(api, path, parameter):
    response = api.get(f"{API}/{path}")
    assert response.status_code == 422 and response.headers["content-type"] == "application/problem+json"
    (error,) = response.json()["errors"]
    assert error["in"] == "query" and error["field"] == parameter and "known values" in error["message"]


def test_known_values_still_filter(api):
    assert api.get(f"{API}/claims?aspect=circuits&question=q1").status_code == 200


def test_a_limit_above_the_cap_is_cut_to_it_as_the_docs_and_the_schema_say(sqlite_seeded_url, tmp_path):
    default_cap = Settings.model_fields["api_max_page_size"].default
    with TestClient(create_app(make_settings(sqlite_seeded_url, tmp_path, api_max_page_size=5))) as client:
        page = client.get(f"{API}/results?limit=40").json()
        too_large = client.get(f"{API}/results", params={"limit": LARGEST_LIMIT + 1})
        schema = client.get("/openapi.json").json()["paths"]["/api/v1/results"]["get"]["parameters"]
    assert len(page["data"]) == 5 and page["next_cursor"]
    limit = next(p for p in schema if p["name"] == "limit")
    assert f"above CEILING_API_MAX_PAGE_SIZE ({default_cap} by default) it is cut to that" in limit["description"]
    assert limit["schema"]["anyOf"][0]["maximum"] == LARGEST_LIMIT
    (error,) = too_large.json()["errors"]
    assert error["field"] == "limit" and error["message"] == "Enter a number no larger than 1M."  # the cap, 10**6
    docs = " ".join((Path(__file__).parents[2] / "docs" / "api.md").read_text().split())
    assert f"`CEILING_API_MAX_PAGE_SIZE` ({default_cap} by default) is cut to it" in docs
    assert f"`limit` is 1 to {LARGEST_LIMIT:,}" in docs


def test_a_query_parameter_without_a_name_is_refused(api):
    response = api.get(f"{API}/stats?=0.0")
    assert response.status_code == 422 and response.json()["errors"][0]["in"] == "query"
