"""Benchmarks of the reading path on the seed (marked slow; `make bench` runs them): the report's HTML with its
layers closed and all open, the home page's answer from the stored assessments, and the PDF of every layer.
Figures: docs/reading.md."""

from __future__ import annotations

import json

import pytest
from sqlmodel import Session

from app.db.engine import get_engine
from app.reports import snapshots
from app.reports.build import build_snapshot
from app.reports.pdf import render_pdf
from app.reports.render import answer, render_html

pytestmark = pytest.mark.slow


@pytest.fixture
def document(report_settings):
    build_snapshot(report_settings)
    with Session(get_engine(report_settings.database_url)) as session:
        row = snapshots.latest(session)
        yield snapshots.document(session, row), row.assessment_json


def test_report_html_with_layers_closed(benchmark, document):
    doc, _ = document
    html = benchmark(render_html, doc)
    assert 'id="summary-of-findings"' in html


def test_report_html_with_every_layer_open(benchmark, document):
    doc, _ = document
    assert " open><summary>" in benchmark(render_html, doc, None, True)


def test_home_answer_from_the_stored_assessment(benchmark, document):
    _, stored = document
    view = benchmark(lambda: answer(json.loads(stored)))
    assert view["cards"]


@pytest.mark.parametrize("everything", [False, True], ids=["as-printed", "every-layer"])
def test_report_pdf(benchmark, document, everything):
    doc, _ = document
    html = render_html(doc, None, everything, for_paper=True)
    pdf = benchmark.pedantic(render_pdf, args=(html,), rounds=3, iterations=1)
    assert pdf.startswith(b"%PDF")
