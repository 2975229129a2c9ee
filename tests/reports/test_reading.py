"""The reading path's view model and its HTML: the answer first, in the engine's words, with directions that agree
with the numbers shown, plots that name real models, and changes in words (app/reports/reading.py, plots.py,
changes.py, the report and home templates)."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import pytest
from sqlmodel import Session

from app.db.engine import get_engine
from app.reports import snapshots
from app.reports.build import build_snapshot
from app.reports.changes import change_items
from app.reports.content import aspect_sentence, source_name, states_sentence
from app.reports.plots import ModelPoint, model_points, plot_svg
from app.reports.reading import band_csv_rows, cards, ceiling_csv_rows, direction, findings, main_reason
from app.reports.render import render_html, render_markdown
from tests.reports.conftest import EDITED_CLAIM, edit_claim


def _row(state: str, statement: str, **ceiling) -> dict:
    return {
        "aspect_key": "features",
        "aspect_name": "Features",
        "ceiling": {"state": state, "statement": statement, **ceiling},
    }


def test_a_move_from_below_a_bound_to_a_smaller_estimate_reads_down_as_the_numbers_do():
    before = _row(
        "below_range", "below the smallest scale tested, 2.4B", bound_params=2.45e9, crossing_log10_params=8.7
    )
    after = _row("estimated", "about 781M", params=7.81e8, crossing_log10_params=8.9)  # the crossing went up
    assert direction(after, before) == "down"
    assert direction(before, after) == "up"
    assert direction(after, after) == "same"
    assert direction(after, None) == "new"
    assert direction(_row("not_established", "not established at any scale"), before) == "changed"


def test_at_one_value_a_bound_above_says_more_than_an_estimate_and_a_bound_below_less():
    estimate = _row("estimated", "about 70B", params=7e10)
    assert direction(_row("not_reached", "not reached up to 70B", bound_params=7e10), estimate) == "up"
    assert direction(_row("below_range", "below 70B", bound_params=7e10), estimate) == "down"


def test_the_main_reason_is_the_domain_that_takes_off_most_or_the_analysts_override():
    grade = {
        "final": "low",
        "suggested": "low",
        "domains": [
            {"domain": "risk_of_bias", "downgrade": 0.25, "reason": "low-tier sources."},
            {"domain": "imprecision", "downgrade": 1.0, "reason": "only a bound."},
            {"domain": "indirectness", "downgrade": 1.0, "reason": "not checked."},
        ],
        "reasons": [],
    }
    assert main_reason({"confidence": grade}) == "Imprecision: only a bound."
    override = {**grade, "override": "moderate", "override_reason": "two replications since"}
    assert main_reason({"confidence": override}) == "Analyst's override (suggested low): two replications since"


@pytest.fixture
def built(report_settings):
    """Two published snapshots of the seed, the second after a claim was retracted."""
    build_snapshot(report_settings)
    edit_claim(report_settings, EDITED_CLAIM, status="retracted")
    build_snapshot(report_settings)
    with Session(get_engine(report_settings.database_url)) as session:
        row = snapshots.latest(session)
        yield snapshots.document(session, row)


class _Table(HTMLParser):
    """The rows of the table with id summary-of-findings: per row, its cells' text."""

    def __init__(self):
        super().__init__()
        self.inside, self.rows, self.cell = False, [], None

    def handle_starttag(self, tag, attrs):
        if tag == "table" and ("id", "summary-of-findings") in attrs:
            self.inside = True
        elif self.inside and tag == "tr":
            self.rows.append([])
        elif self.inside and tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag):
        if tag == "table":
            self.inside = False
        elif self.inside and tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append(" ".join("".join(self.cell).split()))
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def test_the_report_opens_with_a_card_per_aspect_then_the_summary_of_findings(built):
    html = render_html(built)
    assessment = built.assessment
    answer_at, findings_at = html.index('id="answer"'), html.index('id="summary-of-findings"')
    assert answer_at < findings_at < html.index('id="keyinfo"') < html.index('id="bibliography"')
    assert html.count('class="aspect-card role-') == len(assessment["aspects"])
    table = _Table()
    table.feed(html)
    header, *rows = table.rows
    assert header == ["Aspect", "What the evidence shows", "Sources / results", "Confidence", "Why"]
    assert len(rows) == len(assessment["aspects"])
    for row, aspect in zip(rows, assessment["aspects"], strict=True):
        assert row[0].startswith(aspect["aspect_name"])
        shows = assessment["safety"]["statement"] if aspect["role"] == "impact" else aspect["ceiling"]["statement"]
        assert row[1] == " ".join(shows.split())  # the engine's words, as they are
        assert row[3].endswith(aspect["confidence"]["final"].replace("_", " "))
        assert row[4] == " ".join(main_reason(aspect).split())
    # layers are closed but the key information and the changes print; nothing shows an internal key as text
    assert '<details class="layer print-default" id="keyinfo">' in html
    assert re.search(r'<details class="layer" id="bibliography">', html)
    assert EDITED_CLAIM not in re.sub(r'(href|id|title)="[^"]*"', "", html.split('id="questions"')[0])


def test_every_layer_opens_for_print_everything(built):
    html = render_html(built, all_open=True)
    assert html.count('<details class="layer') == html.count(" open><summary><h2>") > 8


def test_each_aspect_says_what_each_evaluation_standard_shows_and_what_would_change_it(built):
    text = html.unescape(render_html(built, all_open=True))
    for row in built.assessment["aspects"]:
        for fit in row["ceiling"].get("standards") or []:
            assert f"{fit['standard'].replace('_', ' ')}: {fit['statement']}" in text
        if row.get("what_would_change"):
            assert f"What would change it most: {row['what_would_change']}" in text
    assert any(row["ceiling"].get("standards") for row in built.assessment["aspects"])


def test_cards_say_how_each_aspect_moved_since_the_report_before(built):
    shown = cards(built.assessment, built.previous_assessment, built.previous["created_at"])
    moved = {c["key"]: c["direction"] for c in shown}
    before = {r["aspect_key"]: r for r in built.previous_assessment["aspects"]}
    for row in built.assessment["aspects"]:
        expected = direction(row, before[row["aspect_key"]])
        assert moved[row["aspect_key"]] == expected
    assert {c["key"] for c in findings(built.assessment)} == set(moved)


def test_changes_read_in_words_with_values_before_and_after_and_linked_titles(built):
    links = []

    def link(kind, key, claim):
        links.append((kind, key))
        return f"/reports/claims/{claim}" if claim else None

    items = change_items(built.changes, built.previous_assessment, built.assessment, built.evidence, link)
    for item in items:
        assert item["before"] and item["after"] and item["text"]
        if item["kind"] in ("up", "down") and "orders of magnitude" in item["text"]:
            assert ("moved up" in item["text"]) == (item["kind"] == "up")
    named = [r for i in items for r in i["responsible"] if r["href"]]
    claim = next(c for c in built.evidence["claims"] if c["key"] == EDITED_CLAIM)
    assert any(
        r["href"] == f"/reports/claims/{EDITED_CLAIM}" and claim["text"].startswith(r["title"].rstrip("…"))
        for r in named
    )


def test_plots_name_each_real_model_and_draw_bounds_and_ranges(built):
    row = next(r for r in built.assessment["aspects"] if r["aspect_key"] == "features")
    points, unsized = model_points("features", built.evidence)
    shown = {p.model for p in points}
    results = [r for r in built.evidence["results"] if r.get("params") or r.get("params_low")]
    assert shown and shown <= {r["model_name"] for r in results}
    svg = plot_svg(row, points, 1.5)
    assert svg == plot_svg(row, points, 1.5), "deterministic"
    for model in shown:
        assert f"<title>{model.replace('&', '&amp;')} (" in svg
    assert svg.count("<title>") >= len(points) + 1 and "<desc" in svg and 'role="img"' in svg
    bound = ModelPoint(
        "Claude 3 Sonnet", "undisclosed; at least 10B", 10.0, 10.0, None, True, "success", "demonstration", None
    )
    estimate = ModelPoint("Gemma", "estimated 2.6B", 9.4, 9.3, 9.5, False, "failure", "simple_baseline", None)
    drawn = plot_svg(row, [bound, estimate], 1.5)
    assert drawn.count("<polygon") >= 2  # the bound's arrow head and the diamond
    assert 'stroke-opacity=".6"' in drawn and "<rect x=" in drawn  # the estimate's range and its square marker
    # its description names the ends by their models, never the axis's padded ends (once "from 251M to 251B")
    assert "2 results on 2 models, from Gemma (estimated 2.6B) to Claude 3 Sonnet (undisclosed; at least 10B)." in drawn
    assert row["ceiling"]["state"] == "no_scale_dependence" and row["curve"] == []
    assert "ceiling" not in svg.split("<desc")[0]  # no fall shown: no ceiling mark and no falling curve drawn
    assert unsized >= 0


def test_hostile_model_names_stay_text_inside_the_svg():
    row = _row("estimated", "about 1B", params=1e9, params_low=5e8, params_high=2e9)
    hostile = ModelPoint('<script>x</script>"\u202e', "1B", 9.0, None, None, False, "success", "not_recorded", None)
    svg = plot_svg(row, [hostile], 1.5)
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "[U+202E]" in svg


def test_csv_rows_are_one_per_aspect_and_one_per_aspect_and_band(built):
    a = built.assessment
    rows = ceiling_csv_rows(a)
    assert [r["aspect_key"] for r in rows] == [r["aspect_key"] for r in a["aspects"]]
    assert all(r["statement"] and r["confidence"] for r in rows)
    fitted = [r for r in a["aspects"] if r["role"] != "impact"]  # safety: counts, no P(works) by band
    assert len(band_csv_rows(a)) == len(a["scale_table"]) == len(fitted) * len(a["bands"])


def _aspect(key: str, state: str, role: str = "scale") -> dict:
    return {"aspect_key": key, "aspect_name": key.capitalize(), "role": role, "ceiling": {"state": state}}


def test_the_summary_counts_ceilings_in_sentences_that_agree_in_number():
    aspects = [
        _aspect("features", "below_range"),
        _aspect("circuits", "not_reached"),
        _aspect("evaluation", "estimated", "qualifier"),
        _aspect("safety", "not_applicable", "impact"),
    ]
    assert states_sentence(aspects) == (
        "Of the 3 aspects fitted for a ceiling, 1 has a ceiling located within the sized evidence and 2 have only a "
        "bound. Safety: counted as measured impact, not fitted."
    )
    one = states_sentence([_aspect("circuits", "no_scale_dependence")])
    assert one == "Of the 1 aspect fitted for a ceiling, 1 shows no dependence on scale."


def _summary_row(state: str, statement: str, role: str = "scale", reach: dict | None = None) -> dict:
    return {
        "aspect_name": "Features",
        "role": role,
        "ceiling": {"state": state, "statement": statement},
        "reach_ceiling": reach or {},
        "confidence": {"final": "very_low"},
    }


def test_each_aspect_of_the_summary_reads_as_one_sentence_a_researcher_signs():
    flat = "no dependence on scale shown: validated in 29% (90% interval 6%-60%) of results at every scale tested"
    applied = {"state": "no_scale_dependence", "statement": "no dependence on scale shown: applied in 87% of results"}
    assert aspect_sentence(_summary_row("no_scale_dependence", flat, reach=applied)) == (
        f"Features: {flat}; very low confidence. Reach: no dependence on scale shown: applied in 87% of results."
    )  # was "the ceiling is no dependence on scale shown"
    checked = "Checked against ground truth up to Steerling-8B, 8B: 12 result(s); none against ground truth."
    evaluation = _summary_row(
        "not_applicable",
        checked,
        "qualifier",
        {"state": "not_applicable", "statement": "Evaluation is reported by how results were judged, not as a reach."},
    )
    assert aspect_sentence(evaluation) == (
        "Features: Checked against ground truth up to Steerling-8B, 8B: 12 result(s); none against ground truth; very "
        "low confidence. It qualifies the other rows rather than capping them."
    )  # was "...ground truth., low confidence. The methods have been applied: Evaluation is reported ... reach.."
    bound = _summary_row("not_reached", "not reached up to 70B", reach={"state": "not_reached", "statement": "70B"})
    assert aspect_sentence(bound) == (
        "Features: validated use is not reached up to 70B; very low confidence. The methods have been applied: 70B."
    )


def test_the_report_labels_statements_for_what_they_say_and_gives_evaluation_no_reach(built):
    text = html.unescape(render_html(built))
    evaluation = text[text.index('id="aspect-evaluation"') :]
    evaluation = evaluation[: evaluation.index("</section>")]
    assert "Where explanations are checked" in evaluation and "Reach (where the methods were applied)" not in evaluation
    assert "Validity: where validated use stops" not in text and "Reach: applied up to" not in text
    assert "Where validated use stops" not in text and "Validity by scale" in text  # the answer's cards too
    assert "| Validity by scale (90% interval) | Reach (where the methods were applied) |" in render_markdown(built)
    assert "the ceiling is no dependence" not in text and "The methods have been applied: Evaluation" not in text
    assert not re.search(r"\.[,;] (very low|low|moderate|high) confidence", text) and "a reach.." not in text


def test_a_source_is_named_as_a_reader_cites_it():
    smith = {"key": "gdm2025_negative_saes", "authors": ["Smith, L.", "Rajamanoharan, S.", "Nanda, N."], "year": 2025}
    assert source_name(smith) == "Smith et al. (2025)"
    assert (
        source_name({"key": "p", "authors": ["Paulo, G.", "Belrose, N."], "year": 2025}) == "Paulo and Belrose (2025)"
    )
    assert source_name({"key": "k", "authors": ["Karvonen, A.", "et al."], "year": 2025}) == "Karvonen (2025)"
    assert source_name({"key": "n", "authors": ["Neel Nanda"], "year": None}) == "Nanda"
    untitled = {"key": "source_report", "authors": [], "year": 2026, "title": "Source report: critiques"}
    assert source_name(untitled) == "Source report: critiques (2026)"


def test_the_sensitivity_names_each_source_left_out_by_its_authors_not_its_key(built):
    names = {s["key"]: source_name(s) for s in built.evidence["sources"]}
    influences = [src for s in built.assessment["sensitivity"] for src in s["sources"]]
    assert influences
    for text in (html.unescape(render_html(built)), render_markdown(built).replace("\\_", "_")):
        for influence in influences:
            key = influence["source_key"]
            assert f"without {key} " not in text and f"without {names[key]} " in text, key


def test_the_markdown_report_says_what_moves_without_estimated_sizes_and_the_method_as_it_is(built):
    text = render_markdown(built)
    sensitivity = text.split("## Sensitivity")[1].split("## Method in brief")[0]
    with_estimates = [s for s in built.assessment["sensitivity"] if s.get("without_estimates")]
    assert with_estimates
    for s in with_estimates:
        assert f"Estimated sizes: {s['without_estimates']['text']}" in sensitivity.replace("\\", "")
    assert "Safety impact: counted, not fitted" in sensitivity
    method = text.split("## Method in brief")[1]
    assert "logistic model" not in method and "lapse" in method and "falling with scale at all" in method
    summary = text.split("## Summary")[1].split("## Changes")[0]
    assert "1 have" not in summary and "from the smallest tested up" not in summary
    status = text.split("## Status by scale")[1].split("## P(works)")[0]
    assert "Safety" not in status, "safety has counts, not a P(works) status"
