"""Validation messages in plain words: every form, rendered with bad input, shows no validator phrasing; the same
bad input gets the same words from the API; the optional key is never "Required"; a year beyond next year and a
non-web URL are refused."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from pydantic import ValidationError

from app.api.problems import field_problems
from app.evidence.messages import PYDANTIC_PHRASES, describe
from app.evidence.schemas.sources import SourceIn
from tests.web.forms import claim_form, critique_form, result_row, source_form, visible_text

NEXT_YEAR = dt.datetime.now(dt.UTC).year + 1


def _errors(page: str) -> dict[str, str]:
    """field -> the error text shown beside it."""
    found = re.findall(r'id="([\w-]+)-error"[^>]*>(.*?)</', page, flags=re.DOTALL)
    return {field: visible_text(text).strip() for field, text in found}


def _no_validator_phrasing(page: str) -> None:
    text = visible_text(page)
    leaked = [phrase for phrase in PYDANTIC_PHRASES if phrase.lower() in text.lower()]
    assert not leaked, leaked


def _claim_target(analyst) -> int:
    response = analyst.post("/claims/new", claim_form())
    assert response.status_code == 303
    return int(re.search(r"/claims/(\d+)", response.headers["location"]).group(1))


BAD_SOURCES = {
    "every field wrong": source_form(key="Bad Key!", kind="", title="", year="2100", url="javascript:alert(1)"),
    "a year that is not a number": source_form(year="two thousand", doi="not a doi", published_date="yesterday"),
    "too long": source_form(title="x" * 600, venue="v" * 600),
}


@pytest.mark.parametrize("case", list(BAD_SOURCES))
def test_source_form_errors_are_in_plain_words(analyst, case):
    response = analyst.post("/sources/new", BAD_SOURCES[case])
    assert response.status_code == 422
    assert _errors(response.text)
    _no_validator_phrasing(response.text)


def test_claim_and_critique_form_errors_are_in_plain_words(analyst):
    bad_claim = claim_form(aspects=[], questions=[], confidence="7", stance="", text="")
    bad_claim.update(result_row(0, params="70 bilion", outcome="", metric_value="lots"))
    response = analyst.post("/claims/new", bad_claim)
    assert response.status_code == 422
    errors = _errors(response.text)
    assert errors["aspects"] == "Choose at least one."
    assert errors["confidence"] == "Enter a number no larger than 1."
    assert "is not a parameter count" in errors["results-0-params"]
    _no_validator_phrasing(response.text)
    target = _claim_target(analyst)
    critique = analyst.post(f"/claims/{target}/critiques/new", critique_form(kind="", severity="3", text=""))
    assert critique.status_code == 422 and _errors(critique.text)
    _no_validator_phrasing(critique.text)


def test_an_empty_optional_key_is_not_called_required(analyst):
    errors = _errors(analyst.post("/sources/new", source_form(key="", title="")).text)
    assert errors.get("title") == "Required." and "key" not in errors


def test_a_year_after_next_year_and_a_script_url_are_refused_beside_their_fields(analyst):
    errors = _errors(analyst.post("/sources/new", source_form(year=str(NEXT_YEAR + 1), url="javascript:x()")).text)
    assert f"at most {NEXT_YEAR}" in errors["year"]
    assert "http:// or https://" in errors["url"]
    assert analyst.post("/sources/new", source_form(year=str(NEXT_YEAR))).status_code == 303


def test_the_api_and_the_cli_use_the_forms_words(analyst):
    form = _errors(analyst.post("/sources/new", source_form(key="Bad Key!", year="2100")).text)
    with pytest.raises(ValidationError) as refused:
        SourceIn.model_validate({"key": "Bad Key!", "kind": "paper", "title": "T", "year": 2100})
    api = {e["field"]: e["message"] for e in field_problems(refused.value.errors())}
    assert api["key"] == form["key"] and api["year"] == form["year"]
    cli = describe(refused.value.errors())
    assert f"key: {form['key']}" in cli and f"year: {form['year']}" in cli
