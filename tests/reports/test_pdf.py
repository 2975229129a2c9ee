"""The PDF download of a snapshot: every layer on A4 pages, laid out by WeasyPrint from the self-contained HTML."""

from __future__ import annotations

import io
import threading
import unicodedata
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader

from app.main import create_app
from app.reports.build import build_snapshot
from app.reports.pdf import render_pdf

A4_POINTS = (595.3, 841.9)


def test_a_snapshot_downloads_as_an_a4_pdf_with_every_layer(report_settings):
    build_snapshot(report_settings)
    with TestClient(create_app(report_settings)) as client:
        answer = client.get("/reports/latest.pdf")
        assert client.get("/reports/99.pdf").status_code == 404
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/pdf"
    assert answer.headers["content-disposition"].startswith('attachment; filename="ceiling-report-')
    pdf = PdfReader(io.BytesIO(answer.content))
    assert len(pdf.pages) > 10
    for page in pdf.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert (width, height) == pytest.approx(A4_POINTS, abs=0.5)
    text = unicodedata.normalize("NFKC", "".join(page.extract_text() for page in pdf.pages))
    for heading in ("The answer", "Summary of findings", "Key information by aspect", "Bibliography"):
        assert heading in text
    assert text.index("The answer") < text.index("Summary of findings") < text.index("Bibliography")


def test_a_report_pdf_fetches_nothing_even_when_its_text_names_an_image():
    hits = []

    class Tracker(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the name http.server calls
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Tracker)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        html = f'<html><body><p>x</p><img src="http://127.0.0.1:{server.server_port}/tracker.png"></body></html>'
        assert PdfReader(io.BytesIO(render_pdf(html))).pages
    finally:
        server.shutdown()
    assert hits == []
