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


def _pages(answer) -> tuple[list, str]:
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/pdf"
    pdf = PdfReader(io.BytesIO(answer.content))
    for page in pdf.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert (width, height) == pytest.approx(A4_POINTS, abs=0.5)
    return pdf.pages, unicodedata.normalize("NFKC", "".join(page.extract_text() for page in pdf.pages))


def test_a_snapshot_downloads_as_an_a4_pdf_as_printed_or_with_every_layer(report_settings):
    build_snapshot(report_settings)
    with TestClient(create_app(report_settings)) as client:
        printed = client.get("/reports/latest.pdf")
        everything = client.get("/reports/latest.pdf", params={"layers": "all"})
        assert client.get("/reports/99.pdf").status_code == 404
    assert printed.headers["content-disposition"].startswith('attachment; filename="ceiling-report-')
    pages, text = _pages(printed)
    assert 2 <= len(pages) <= 15
    assert text.index("The answer") < text.index("Summary of findings") < text.index("Key information by aspect")
    assert "Bibliography" in text and "Wang, K." not in text  # the bibliography's heading, not its entries
    all_pages, all_text = _pages(everything)
    assert len(all_pages) > len(pages) and "Wang, K." in all_text


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
