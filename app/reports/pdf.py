"""A report as PDF: its self-contained HTML (every layer open) laid out on A4 by WeasyPrint.

WeasyPrint is a Python library (PyPI) over Pango (Debian's libpango), so the PDF is made in the process that
serves the page, with no browser to start, sandbox or keep patched; docs/reading.md compares it with printing
through Chromium. The HTML's print stylesheet sets the page (A4, margins, running page numbers), so the PDF and
a reader's own print from the browser follow the same rules.
"""

from __future__ import annotations

import logging


def render_pdf(html: str) -> bytes:
    """The PDF of a rendered report. The HTML is self-contained, so nothing is fetched while laying it out."""
    from weasyprint import HTML

    logging.getLogger("fontTools").setLevel(logging.WARNING)  # font subsetting logs every table at INFO
    return HTML(string=html, base_url=None, url_fetcher=_refuse).write_pdf()


def _refuse(url: str, *args, **kwargs):
    """The report embeds everything it shows: any other address (an image in hostile text, say) is refused."""
    if url.startswith("data:"):
        from weasyprint.urls import default_url_fetcher

        return default_url_fetcher(url, *args, **kwargs)
    raise ValueError(f"a report fetches nothing: {url[:80]}")
