"""Input rules stated once in the schemas, which the seed loader, the API and the forms all use."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from app.evidence.schemas.common import normalize_title
from app.evidence.schemas.critiques import CritiqueIn
from app.evidence.schemas.results import ResultIn
from app.evidence.schemas.sources import SourceIn


def _error_fields(error: ValidationError) -> set[str]:
    return {".".join(str(p) for p in e["loc"]) for e in error.errors()}


def test_doi_and_arxiv_id_are_normalized_so_one_work_has_one_identifier():
    source = SourceIn(
        key="x2025",
        kind="preprint",
        title="X",
        doi="https://doi.org/10.48550/ARXIV.2502.04878",
        arxiv_id="arXiv:2502.04878v3",
    )
    assert source.doi == "10.48550/arxiv.2502.04878"
    assert source.arxiv_id == "2502.04878"


@pytest.mark.parametrize(("field", "value"), [("doi", "not a doi"), ("arxiv_id", "12345"), ("year", 1700)])
def test_bad_identifiers_are_refused_naming_the_field(field, value):
    with pytest.raises(ValidationError) as raised:
        SourceIn(key="x", kind="paper", title="X", **{field: value})
    assert field in _error_fields(raised.value)


def test_nul_characters_are_refused_in_any_text_field_including_lists():
    with pytest.raises(ValidationError) as raised:
        SourceIn(key="x", kind="paper", title="fine", authors=["A\x00B"])
    assert _error_fields(raised.value) == {"authors"}


def test_titles_fold_case_accents_and_punctuation_for_duplicate_detection():
    assert normalize_title("Scaling  Monosemanticity: Extracting…") == normalize_title(
        "scaling monosemanticity extracting"
    )
    assert normalize_title("Kwaśnicka") == "kwasnicka"


BASE = {"key": "r", "model_name": "M", "outcome": "success"}


@pytest.mark.parametrize(
    ("size", "message"),
    [
        ({"params_basis": "disclosed"}, "needs params"),
        ({"params_basis": "estimated", "params": 5e9}, "params_low..params_high"),
        ({"params_basis": "estimated", "params": 5e9, "params_low": 1e9, "params_high": 1e10}, "basis in params_note"),
        ({"params_basis": "undisclosed", "params": 5e9}, "no params point"),
        ({"params_basis": "undisclosed", "params_high": 1e9}, "needs params_low"),
        ({"params_basis": "disclosed", "params": 5e9, "params_low": 1e9}, "only an undisclosed size"),
        ({"params_basis": "undisclosed", "params_low": 1e11, "params_note": "frontier"}, "params_estimate_kind"),
        ({"params_basis": "undisclosed", "params_low": 1e11, "params_estimate_kind": "frontier_class"}, "cited basis"),
        ({"params_basis": "disclosed", "params": 5e9, "params_estimate_kind": "external_estimate"}, "not an estimate"),
        ({"params_basis": "disclosed", "params": 5e9, "winner": "method"}, "winner needs the baseline"),
        ({"params_basis": "undisclosed", "params_low": 1e12, "params_high": 1e9}, "above params_high"),
    ],
)
def test_a_parameter_count_must_follow_its_basis(size, message):
    with pytest.raises(ValidationError, match=message):
        ResultIn(**BASE, **size)


def test_a_disclosed_size_is_stored_as_a_one_point_range():
    result = ResultIn(**BASE, params_basis="disclosed", params=7e10)
    assert (result.params_low, result.params_high) == (7e10, 7e10)


def test_a_critique_needs_a_critic_and_cannot_target_itself():
    with pytest.raises(ValidationError, match="needs critic_source"):
        CritiqueIn(key="k", target="c", kind="confound", text="t", severity=0.5)
    with pytest.raises(ValidationError, match="cannot critique itself"):
        CritiqueIn(key="k", target="c", critic_claim="c", kind="confound", text="t", severity=0.5)
