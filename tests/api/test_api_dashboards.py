"""What dashboards read: the ceiling table and the scale table as CSV, /docs and /redoc without internet, an
example request on every operation, and absolute links under the address the app serves."""

from __future__ import annotations

import csv
import io
import re
import shlex

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app
from tests.conftest import make_settings


@pytest.fixture
def reader(sqlite_seeded_url, tmp_path):
    with TestClient(create_app(make_settings(sqlite_seeded_url, tmp_path))) as client:
        yield client


def _rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.text)))


def test_the_ceiling_table_as_csv_has_one_row_per_aspect_in_the_engines_words(reader):
    assessment = reader.get("/api/v1/assessment").json()
    answer = reader.get("/api/v1/assessment.csv")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    rows = _rows(answer)
    assert [r["aspect_key"] for r in rows] == [a["aspect_key"] for a in assessment["aspects"]]
    for row, aspect in zip(rows, assessment["aspects"], strict=True):
        expected = assessment["safety"]["statement"] if aspect["role"] == "impact" else aspect["ceiling"]["statement"]
        assert row["statement"] == expected and row["confidence"] == aspect["confidence"]["final"]
        assert row["state"] == aspect["ceiling"]["state"] and row["main_reason"]
    assert answer.headers["etag"] == f'"{assessment["fingerprint"]}"'
    again = reader.get("/api/v1/assessment.csv", headers={"If-None-Match": answer.headers["etag"]})
    assert again.status_code == 304


def test_the_scale_table_as_csv_has_a_row_per_aspect_and_band(reader):
    assessment = reader.get("/api/v1/assessment").json()
    rows = _rows(reader.get("/api/v1/assessment/bands.csv"))
    fitted = [a for a in assessment["aspects"] if a["role"] != "impact"]  # safety: counted, no status by band
    assert len(rows) == len(fitted) * len(assessment["bands"])
    cell = assessment["scale_table"][0]
    first = next(r for r in rows if (r["aspect_key"], r["band_key"]) == (cell["aspect_key"], cell["band_key"]))
    assert first["status"] == cell["status"] and float(first["mean"]) == pytest.approx(cell["mean"])


def test_a_bad_instant_is_a_problem_naming_the_field(reader):
    answer = reader.get("/api/v1/assessment.csv", params={"as_of": "next tuesday"})
    assert answer.status_code == 422 and answer.headers["content-type"].startswith("application/problem+json")
    assert answer.json()["errors"][0]["field"] == "as_of"


def test_docs_and_redoc_load_only_files_the_app_serves(reader):
    for path in ("/docs", "/redoc"):
        page = reader.get(path)
        assert page.status_code == 200
        addresses = re.findall(r'(?:src|href)\s*=\s*["\']([^"\']+)', page.text) + re.findall(
            r"url:\s*'([^']+)'", page.text
        )
        assert addresses and all(a.startswith("/") for a in addresses), addresses
        for address in addresses:
            assert reader.get(address).status_code == 200, address
    assert "fonts.googleapis" not in reader.get("/redoc").text


def test_every_operation_has_a_curl_example_and_the_get_ones_answer(reader):
    document = reader.get("/openapi.json").json()
    operations = [(path, method, op) for path, ops in document["paths"].items() for method, op in ops.items()]
    assert len(operations) > 60
    for _path, method, operation in operations:
        (sample,) = operation["x-codeSamples"]
        words = shlex.split(sample["source"])
        assert words[:2] == ["curl", "-sS"] and words[-1].startswith("$CEILING/")
        if method == "get":
            url = words[-1].removeprefix("$CEILING")
            answer = reader.get(url)
            assert answer.status_code not in (422, 500), (url, answer.status_code)  # 503: metadata lookup is off


def test_public_url_defaults_to_the_host_and_port_served():
    assert Settings(_env_file=None, port=8123).public_url == "http://127.0.0.1:8123"
    assert Settings(_env_file=None, host="0.0.0.0", port=80).public_url == "http://localhost:80"
    assert (
        Settings(_env_file=None, public_url="https://ceiling.example.org").public_url == "https://ceiling.example.org"
    )


def test_the_feed_links_to_the_port_the_app_serves(sqlite_seeded_url, tmp_path):
    from app.reports.build import build_snapshot

    settings = make_settings(sqlite_seeded_url, tmp_path, port=8765)
    build_snapshot(settings)
    with TestClient(create_app(settings)) as client:
        feed = client.get("/reports/feed.atom").text
    assert "http://127.0.0.1:8765/reports/1" in feed and ":8000" not in feed
