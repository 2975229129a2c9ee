"""The recipes of docs/dashboards.md, read out of the page and run against a live server: curl, pandas, the Vega-Lite
spec (compiled and rendered by Vega in headless Chromium, reading the CSV across origins as a notebook would), and
the Grafana Infinity configuration (its URL answers CSV with every column it selects)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
import yaml
from playwright.sync_api import sync_playwright

from app.config import PROJECT_ROOT
from tests.e2e import LiveServer, launch_chromium

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]
PAGE = (PROJECT_ROOT / "docs" / "dashboards.md").read_text()
DOC_BASE = "http://127.0.0.1:8000"
NODE_MODULES = Path(__file__).parents[1] / "browser" / "node_modules"


def _blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", PAGE, flags=re.S)


@pytest.fixture(scope="module")
def server(databases, tmp_path_factory):
    live = LiveServer(databases.fresh("sqlite", seeded=True), tmp_path_factory.mktemp("dashboards")).start()
    yield live
    live.stop()


@pytest.fixture(scope="module")
def aspects(server) -> list[dict]:
    return httpx.get(server.base + "/api/v1/assessment", timeout=60).json()["aspects"]


def test_the_curl_recipe_downloads_the_table_and_polls_with_304(server, tmp_path):
    (script,) = _blocks("sh")
    run = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, "CEILING": server.base},
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    header, status = run.stdout.splitlines()
    assert header.startswith("aspect_key,aspect_name,role,statement") and status == "304"
    assert (tmp_path / "assessment.csv").read_text().count("\n") >= 2


def test_the_pandas_recipe_prints_every_aspect_and_the_band_grid(server, aspects):
    (script,) = _blocks("python")
    run = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "CEILING": server.base},
    )
    assert run.returncode == 0, run.stderr
    for aspect in aspects:
        assert aspect["aspect_name"][:30] in run.stdout
    assert "Toy (<1B)" in run.stdout and "fragmentary" in run.stdout


def test_the_vega_lite_spec_renders_the_scale_table_from_another_origin(server, aspects):
    spec_text = next(b for b in _blocks("json") if "vega-lite" in b)
    spec = json.loads(spec_text.replace(DOC_BASE, server.base))
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        page = browser.new_page()
        page.set_content("<!doctype html><title>notebook</title><div id=view></div>")  # an origin of its own
        for script in ("vega/build/vega.min.js", "vega-lite/build/vega-lite.min.js"):
            page.add_script_tag(path=str(NODE_MODULES / script))
        drawn = page.evaluate(
            """async (spec) => {
                 const view = new vega.View(vega.parse(vegaLite.compile(spec).spec), {renderer: 'none'});
                 await view.runAsync();
                 return {rows: view.data('source_0').length, svg: await view.toSVG()};
               }""",
            spec,
        )
        browser.close()
    # the status-by-scale table holds P(works) aspects only: safety is measured impact (docs/scoring.md, section 6)
    assert drawn["rows"] == len([a for a in aspects if a["role"] != "impact"]) * 5
    assert drawn["svg"].count("<path") >= drawn["rows"] and "Toy (&lt;1B)" in drawn["svg"]


def test_the_grafana_infinity_query_selects_columns_the_csv_has(server):
    (provisioning,) = _blocks("yaml")
    source = yaml.safe_load(provisioning)["datasources"][0]
    query = json.loads(next(b for b in _blocks("json") if '"refId"' in b))
    assert source["type"] == query["datasource"]["type"] == "yesoreyeram-infinity-datasource"
    assert query["url"].startswith(tuple(source["jsonData"]["allowedHosts"]))
    answer = httpx.get(query["url"].replace(DOC_BASE, server.base), timeout=60)
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    header = answer.text.splitlines()[0].split(",")
    assert {c["selector"] for c in query["columns"]} <= set(header)
