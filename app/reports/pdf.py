"""A report as PDF: its self-contained HTML (every layer open) laid out on A4 by WeasyPrint.

WeasyPrint is a Python library (PyPI) over Pango (Debian's libpango), so the PDF is made in the process that
serves the page, with no browser to start, sandbox or keep patched; docs/reading.md compares it with printing
through Chromium. The HTML's print stylesheet sets the page (A4, margins, running page numbers), so the PDF and
a reader's own print from the browser follow the same rules.
"""

from __future__ import annotations

import logging


def render_pdf(html: str) -> bytes:
    """The PDF of a rendered report. The HTML is self-contained: only data: addresses are read while laying it out,
    and any other (an image address in hostile text, say) is refused, so making a PDF never makes a request."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    logging.getLogger("fontTools").setLevel(logging.WARNING)  # font subsetting logs every table at INFO
    return HTML(string=html, base_url=None, url_fetcher=URLFetcher(allowed_protocols=("data",))).write_pdf()
