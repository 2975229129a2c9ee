"""Hostile text in a claim (markup, a 100 kB quote, right-to-left overrides, Markdown table breakers) is
escaped and laid out in the HTML and the Markdown forms of the report."""

from __future__ import annotations

import copy
import re

from sqlmodel import Session

from app.db.engine import get_engine
from app.reports import snapshots
from app.reports.render import md_escape, render_html, render_markdown
from tests.reports.conftest import EDITED_CLAIM, edit_claim

RLO = "\u202e"
HOSTILE = f"<script>alert('x')</script> a|b `tick` **bold** [link](javascript:x)\n# heading {RLO}evil{RLO} &amp;"
BIG_QUOTE = "Q" * 100_000


def _hostile_document(settings):
    edit_claim(settings, EDITED_CLAIM, text=HOSTILE, quote=BIG_QUOTE)
    with Session(get_engine(settings.database_url)) as session:
        doc = snapshots.live_document(session, settings)
    # Put the hostile text in table cells too: key evidence, a barrier and a gap.
    doc.assessment = copy.deepcopy(doc.assessment)
    doc.assessment["aspects"][0]["key_evidence"][0]["text"] = HOSTILE
    doc.assessment["scale_table"][0]["barriers"] = [
        {
            "kind": "claim",
            "key": EDITED_CLAIM,
            "claim_key": EDITED_CLAIM,
            "source_key": None,
            "text": HOSTILE,
            "weight": 1.0,
        }
    ]
    doc.assessment["aspects"][0]["aspect_name"] = HOSTILE
    return doc


def test_hostile_claim_text_is_escaped_and_laid_out_in_html(report_settings):
    html = render_html(_hostile_document(report_settings))
    assert "<script>alert" not in html and "&lt;script&gt;alert" in html
    assert 'href="javascript' not in html
    assert len(html) < 1_000_000, "the 100 kB quote is shortened, not repeated in full"
    assert "Q" * 100_000 not in html and "more characters]" in html
    for match in re.finditer(RLO, html):
        before = html[: match.start()]
        assert before.rfind("<bdi") > before.rfind("</bdi>"), "a right-to-left override outside an isolating <bdi>"


def _cells(line: str) -> int:
    return len(re.findall(r"(?<!\\)\|", line))


def test_hostile_claim_text_is_escaped_and_laid_out_in_markdown(report_settings):
    markdown = render_markdown(_hostile_document(report_settings))
    assert "<script>" not in markdown and "\\<script\\>" in markdown
    assert RLO not in markdown and "\\[U+202E\\]evil" in markdown
    assert "\n# heading" not in markdown and "Q" * 100_000 not in markdown
    for table in re.findall(r"(?:^\|.*\n)+", markdown, flags=re.M):
        lines = table.splitlines()
        assert {_cells(line) for line in lines} == {_cells(lines[0])}, "a row with a different number of cells"


def test_markdown_escape_keeps_a_cell_on_one_line_and_inert():
    escaped = md_escape("a|b\n\n<i>`c`</i> *d* _e_ [f](g) \u202eh\u2066")
    assert "\n" not in escaped and _cells(escaped) == 0
    assert escaped == "a\\|b \\<i\\>\\`c\\`\\</i\\> \\*d\\* \\_e\\_ \\[f\\](g) \\[U+202E\\]h\\[U+2066\\]"
    assert md_escape(None) == ""
