"""One reader of parameter counts: the same text reads the same way in the schemas (API, YAML), the API's
filters, the forms and CSV imports, and what it cannot read is refused with the same words everywhere."""

from __future__ import annotations

import pytest

from app.evidence.interchange.bulk import params_values
from app.evidence.schemas.claims import ClaimIn
from app.evidence.seed import read_document
from app.evidence.sizes import SIZE_HELP, SizeError, exact_number, parse_size, parse_size_range
from app.web.forms.formdata import number


@pytest.mark.parametrize(
    ("typed", "size"),
    [
        ("70B", 7e10),
        ("70b", 7e10),
        ("1.3e9", 1.3e9),
        ("7e10", 7e10),
        ("70 billion", 7e10),
        ("70 bn", 7e10),
        ("350M", 3.5e8),
        ("1.8T", 1.8e12),
        ("7,000,000", 7e6),
        (" 9.2 B ", 9.2e9),
        (2e9, 2e9),
    ],
)
def test_sizes_are_read_as_people_write_them(typed, size):
    assert parse_size(typed) == pytest.approx(size)
    assert parse_size(exact_number(size)) == pytest.approx(size)


@pytest.mark.parametrize("typed", ["70 bilion", "seventy", "70BB", "1e400", "nan", "", "2B-9B"])
def test_what_is_not_a_size_is_refused_with_the_one_message(typed):
    with pytest.raises(SizeError, match="not a parameter count") as refused:
        parse_size(typed)
    assert SIZE_HELP in str(refused.value)


def test_ranges_are_read_with_either_separator_and_refused_when_reversed():
    assert parse_size_range("2B-9B") == (2e9, 9e9)
    assert parse_size_range("2B to 9B") == (2e9, 9e9)
    assert parse_size_range("70B") == (7e10, 7e10)
    with pytest.raises(ValueError, match="low end"):
        parse_size_range("9B-2B")


def _claim_yaml(params: str) -> str:
    return f"""claims:
- key: sizes.claim
  source: wang2022_ioi
  text: A claim whose result size is written as people write it.
  aspects: [circuits]
  questions: [q2]
  method: circuits
  stance: supports
  kind: finding
  confidence: 0.7
  results:
  - key: sizes.claim.r1
    model_name: Model X
    params_basis: disclosed
    params: {params}
    outcome: success
"""


def test_yaml_forms_and_csv_read_the_same_size_the_same_way():
    entries, problems = read_document("claims.yaml", _claim_yaml("70B"), [("claims", ClaimIn, "claims")])
    assert not problems
    assert entries[0].data.results[0].params == 7e10
    assert number("70 billion") == 7e10
    assert params_values("70 bn") == {"params": 7e10, "params_basis": "disclosed"}


def test_yaml_names_an_unreadable_size_with_the_one_message():
    _, problems = read_document("claims.yaml", _claim_yaml("70 bilion"), [("claims", ClaimIn, "claims")])
    assert len(problems) == 1 and "params" in problems[0] and SIZE_HELP in problems[0]
