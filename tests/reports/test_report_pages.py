"""Report pages and /api/v1/reports: HTML checked structurally, the same data as JSON, and the CLI commands."""

from __future__ import annotations

import csv
import io
import json

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from app.config import get_settings
from app.main import create_app
from app.reports.build import build_snapshot
from app.reports.reference import ceiling_comparison, compare_ceiling, load_reference, scale_comparison
from tests.reports.conftest import EDITED_CLAIM, edit_claim, snapshot_rows


@pytest.fixture
def client(report_settings):
    with TestClient(create_app(report_settings)) as test_client:
        yield test_client


def test_latest_answers_with_the_live_report_before_any_build(client):
    page = client.get("/reports/latest")
    assert page.status_code == 200
    assert (
        'id="summary-of-findings"' in page.text
        and page.text.count('class="plot" viewBox') >= 3
        and "Live assessment" in page.text
    )
    head = page.text.split("<body")[0]
    assert "http" not in head and "src=" not in page.text and "stylesheet" not in page.text, "self-contained"
    assert client.get("/reports").status_code == 200
    assert client.get("/api/v1/reports").json() == {"data": [], "count": 0}
    assert client.get("/api/v1/reports/latest").status_code == 404


def test_report_pages_in_every_form_and_the_diff(client, report_settings):
    first = build_snapshot(report_settings)
    edit_claim(report_settings, EDITED_CLAIM, confidence=0.2, status="retracted")
    second = build_snapshot(report_settings)
    a, b = first.snapshot_id, second.snapshot_id
    listing = client.get("/reports")
    assert f'href="/reports/{b}"' in listing.text and f'href="/reports/{a}/diff/{b}"' in listing.text
    latest = client.get("/reports/latest")
    assert latest.text == client.get(f"/reports/{b}").text
    assert "Report published" in latest.text and f'href="/reports/{a}/diff/{b}"' in latest.text
    markdown = client.get(f"/reports/{b}.md")
    assert markdown.headers["content-type"].startswith("text/markdown") and "| Aspect |" in markdown.text
    body = client.get(f"/reports/{b}.json").json()
    assert body["assessment"]["fingerprint"] and body["report"]["fingerprint"] == second.fingerprint
    assert body["reference_comparison"]["ceiling_table"]
    rows = list(csv.DictReader(io.StringIO(client.get("/reports/latest.csv").text)))
    assert {r["table"] for r in rows} == {"ceiling", "scale"}
    diff = client.get(f"/reports/{a}/diff/{b}")
    assert diff.status_code == 200 and EDITED_CLAIM in diff.text and "retracted" in diff.text
    api_diff = client.get(f"/api/v1/reports/{a}/diff/latest").json()
    assert any(c["key"] == EDITED_CLAIM and c["change"] == "retracted" for c in api_diff["evidence"])
    assert client.get(f"/api/v1/reports/{b}").json()["assessment"] == body["assessment"]
    assert [r["id"] for r in client.get("/api/v1/reports").json()["data"]] == [b, a]
    assert client.get("/assessment").status_code == 200


@pytest.mark.parametrize("path", ["/reports/999", "/reports/999.md", "/reports/1.pdf", "/reports/x/diff/1"])
def test_unknown_reports_are_404_pages(client, path):
    assert client.get(path).status_code == 404


def test_cli_builds_lists_diffs_and_assesses(report_settings, monkeypatch):
    from app.cli import cli

    monkeypatch.setenv("CEILING_DATABASE_URL", report_settings.database_url)
    monkeypatch.setenv("CEILING_REPORTS_DIR", str(report_settings.reports_dir))
    get_settings.cache_clear()
    runner = CliRunner()
    try:
        built = runner.invoke(cli, ["report", "build"])
        assert built.exit_code == 0 and "built snapshot" in built.output, built.output
        again = runner.invoke(cli, ["report", "build"])
        assert again.exit_code == 0 and "nothing written" in again.output
        assert "built snapshot" in runner.invoke(cli, ["report", "build", "--force"]).output
        listing = runner.invoke(cli, ["report", "list"])
        assert listing.exit_code == 0 and listing.output.count(snapshot_rows(report_settings)[0].fingerprint[:12]) >= 2
        diff = runner.invoke(cli, ["report", "diff", "1", "latest", "--json"])
        assert diff.exit_code == 0 and json.loads(diff.output)["lines"] == []
        assert runner.invoke(cli, ["report", "diff", "1", "99"]).exit_code == 1
        assessed = runner.invoke(cli, ["assess", "--format", "json"])
        assert assessed.exit_code == 0 and json.loads(assessed.output)["aspects"]
        assert runner.invoke(cli, ["assess", "--format", "pdf"]).exit_code == 2
    finally:
        get_settings.cache_clear()


def test_reference_holds_both_closing_tables_of_the_source_report():
    reference = load_reference()
    ceiling = {r["aspect"]: r for r in reference["ceiling_table"]["rows"]}
    assert list(ceiling) == ["features", "circuits", "safety", "overall"]
    assert ceiling["features"]["params"] == 7e10 and "no public basis" in ceiling["features"]["params_basis"]
    assert ceiling["overall"]["params"] == 1e10 and "params_low" not in ceiling["overall"]  # the row says 10B
    assert [r["band"] for r in reference["scale_table"]["rows"]] == ["toy", "mid", "frontier"]


def test_reference_rows_agree_disagree_or_are_not_comparable_with_a_reason():
    computed = {"state": "estimated", "params": 3e9, "params_low": 1e9, "params_high": 1e10}
    assert compare_ceiling({"params": 5e9}, computed)[0] == "agree"
    verdict, why = compare_ceiling({"params": 7e10}, computed)
    assert verdict == "disagree" and "0.8 orders of magnitude above the upper end (10B)" in why
    assert compare_ceiling({"params": None}, computed)[0] == "not comparable"
    assert compare_ceiling({"params": 7e10}, {"state": "insufficient"})[0] == "not comparable"


def test_a_computed_bound_is_compared_as_a_bound():
    below = {"state": "below_range", "bound_params": 2.4e9, "smallest_observed_params": 2.4e9}
    verdict, why = compare_ceiling({"params": 7e10}, below)
    assert verdict == "disagree" and "below the smallest scale tested, 2.4B" in why
    verdict, why = compare_ceiling({"params": 1e9}, below)
    assert verdict == "consistent, not confirmed" and "no evidence below 2.4B places it" in why
    reached = {"state": "not_reached", "largest_observed_params": 7e10}
    verdict, why = compare_ceiling({"params": 7e10}, reached)
    assert verdict == "consistent, not confirmed" and "no evidence above 70B shows the ceiling there" in why
    assert compare_ceiling({"params": 1e11}, reached)[0] == "consistent, not confirmed"
    assert compare_ceiling({"params": 1e10}, reached)[0] == "disagree"
    assert compare_ceiling({"params": 1e10}, {"state": "not_established", "statement": "not established"})[0] == (
        "disagree"
    )


def test_the_scale_table_is_compared_cell_by_cell_so_a_matching_cell_is_not_a_mismatch():
    reference = {
        "scale_table": {
            "compared_aspects": ["features", "circuits"],
            "rows": [{"band": "mid", "label": "Mid", "status_text": "Partial", "status": "partial"}],
        }
    }
    cells = [
        {"aspect_key": "features", "band_key": "mid", "status": "fragmentary", "low": 0.07, "high": 0.88, "weight": 1},
        {"aspect_key": "circuits", "band_key": "mid", "status": "partial", "low": 0.15, "high": 0.9, "weight": 1},
    ]
    rows = {r["key"]: r for r in scale_comparison(reference, {"scale_table": cells})}
    assert rows["mid:circuits"]["verdict"] == "agree"
    # 0.07-0.88 reaches both fragmentary and partial: the evidence cannot separate them
    assert rows["mid:features"]["verdict"] == "cannot tell"
    assert "the interval reaches both fragmentary and partial" in rows["mid:features"]["why"]
    cells[0] = {**cells[0], "low": 0.0, "high": 0.08, "weight": 5}
    rows = {r["key"]: r for r in scale_comparison(reference, {"scale_table": cells})}
    assert (
        rows["mid:features"]["verdict"] == "disagree" and "even the upper end is below" in rows["mid:features"]["why"]
    )


def test_a_status_the_report_gives_without_barriers_disagrees_where_barriers_are_recorded():
    reference = {
        "scale_table": {
            "compared_aspects": ["circuits"],
            "rows": [
                {"band": "toy", "label": "Toys", "status_text": "High", "status": "tractable", "barriers": "None"}
            ],
        }
    }
    cell = {"aspect_key": "circuits", "band_key": "toy", "status": "partial", "low": 0.25, "high": 0.9, "weight": 3}
    text = (
        "Exhaustive enumeration on small networks shows systematic non-identifiability: several circuits replicate it."
    )
    barrier = {"key": "meloux2025.non-identifiability", "text": text}
    (row,) = scale_comparison(reference, {"scale_table": [{**cell, "barriers": [barrier]}]})
    assert row["verdict"] == "disagree" and "meloux2025" not in row["why"]  # the barrier in its words, not its key
    assert (
        'records 1: "Exhaustive enumeration on small networks shows systematic non-identifiability: several…"'
        in (row["why"])
    )
    (row,) = scale_comparison(reference, {"scale_table": [{**cell, "barriers": []}]})
    assert row["verdict"] == "cannot tell"


def test_a_disagreement_prints_its_reasons_and_the_safety_row_is_compared_with_the_counts():
    reference = {
        "source": "report",
        "ceiling_table": {
            "rows": [
                {
                    "aspect": "features",
                    "label": "F",
                    "current_ceiling": "70B",
                    "params": 7e10,
                    "params_basis": "undisclosed size",
                },
                {
                    "aspect": "safety",
                    "label": "S",
                    "current_ceiling": "probes > MI",
                    "params": None,
                    "impact": "baselines_ahead",
                },
            ]
        },
    }
    features = {
        "aspect_key": "features",
        "aspect_name": "Features",
        "role": "scale",
        "ceiling": {"state": "below_range", "bound_params": 2.5e9, "statement": "below 2.5B"},
        "reach_ceiling": {"state": "not_reached", "largest_observed_params": 1e11, "statement": "100B"},
        "baseline_comparisons": [{"text": "linear_probe beat sae at 9B", "mechanistic_won": False}],
    }
    safety_row = {
        "aspect_key": "safety",
        "aspect_name": "Safety",
        "role": "impact",
        "ceiling": {"state": "not_applicable"},
    }
    safety = {
        "mechanistic": {"measured_improvement": 0, "monitoring_aid": 1},
        "baseline": {"measured_improvement": 3, "monitoring_aid": 3},
        "statement": "counted",
    }
    evidence = {
        "claims": [{"key": "report.c", "source_key": "report", "aspects": ["features"]}],
        "critiques": [
            {"key": "crit.report-70b", "target_claim_key": "report.c", "kind": "methodological", "status": "open"},
            {"key": "crit.support", "target_claim_key": "report.c", "kind": "support", "status": "open"},
        ],
    }
    assessment = {"aspects": [features, safety_row], "safety": safety, "overall": {}}
    rows = {r["key"]: r for r in ceiling_comparison(reference, assessment, evidence)}
    why = rows["features"]["why"]
    assert rows["features"]["verdict"] == "disagree"
    assert "within reach" in why and "the report's number: undisclosed size" in why
    assert "1 loss(es) to simple baselines: linear_probe beat sae at 9B" in why
    assert "1 standing critique(s) of the report's claims here: crit.report-70b" in why
    assert rows["safety"]["verdict"] == "agree" and "baselines are ahead" in rows["safety"]["why"]
