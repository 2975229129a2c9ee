"""Reads: filters on every field, full-text search, sorting, keyset pages, CSV and nested reads."""

from __future__ import annotations

import csv
import io

import pytest

from tests.api.conftest import API, claim_id, source_id


def _all(client, path: str, **params) -> list[dict]:
    """Every row of a list, following next_cursor."""
    rows, cursor, count = [], None, None
    while True:
        page = client.get(f"{API}/{path}", params={**params, "limit": 7, **({"cursor": cursor} if cursor else {})})
        assert page.status_code == 200, page.text
        body = page.json()
        count = body["count"] if cursor is None else count
        assert body["count"] is None or cursor is None
        rows += body["data"]
        cursor = body["next_cursor"]
        if cursor is None:
            assert len(rows) == count
            return rows


def test_claims_filtered_by_aspect_contain_only_that_aspect(client):
    body = client.get(f"{API}/claims", params={"aspect": "circuits"}).json()
    assert body["count"] >= 10
    assert all("circuits" in claim["aspects"] for claim in body["data"])


@pytest.mark.parametrize(
    ("param", "value", "check"),
    [
        ("question", "q1", lambda c: "q1" in c["questions"]),
        ("method", "sae", lambda c: c["method"] == "sae"),
        ("stance", "undermines", lambda c: c["stance"] == "undermines"),
        ("kind", "proposal", lambda c: c["kind"] == "proposal"),
        ("confidence_min", 0.8, lambda c: c["confidence"] >= 0.8),
    ],
)
def test_claim_filters_on_claim_fields(client, param, value, check):
    total = client.get(f"{API}/claims").json()["count"]
    body = client.get(f"{API}/claims", params={param: value, "limit": 500}).json()
    assert 0 < body["count"] < total
    assert all(check(claim) for claim in body["data"])


def test_claim_filters_on_source_fields_match_the_sources(client):
    sources = {s["key"]: s for s in _all(client, "sources")}
    for params, check in [
        ({"source_kind": "preprint"}, lambda s: s["kind"] == "preprint"),
        ({"year_min": 2025, "year_max": 2025}, lambda s: s["year"] == 2025),
        ({"organization": sources["karvonen2025_saebench"]["organization"]}, lambda s: s["organization"]),
    ]:
        claims = client.get(f"{API}/claims", params={**params, "limit": 500}).json()["data"]
        assert claims, params
        assert all(check(sources[c["source"]]) for c in claims), params


@pytest.mark.parametrize(
    "params",
    [{"outcome": "success"}, {"band": "small"}, {"safety_impact": "none"}, {"params_min": 1e10, "params_max": 1e11}],
)
def test_claim_filters_on_results_select_the_claims_of_matching_results(client, params):
    results = _all(client, "results", **params)
    claims = client.get(f"{API}/claims", params={**params, "limit": 500}).json()["data"]
    assert results and {r["claim"] for r in results} == {c["key"] for c in claims}


def test_result_filters(client):
    for params, check in [
        ({"outcome": "failure"}, lambda r: r["outcome"] == "failure"),
        ({"band": "mid"}, lambda r: "mid" in r["bands"]),
        ({"params_min": 1e10}, lambda r: r["params_high"] >= 1e10),
        ({"params_basis": "estimated"}, lambda r: r["params_basis"] == "estimated"),
        ({"aspect": "safety", "safety_impact": "none"}, lambda r: r["safety_impact"] == "none"),
    ]:
        rows = _all(client, "results", **params)
        assert rows and all(check(r) for r in rows), params


def test_repeated_parameters_match_any_of_their_values(client):
    one = client.get(f"{API}/claims", params={"stance": "supports"}).json()["count"]
    other = client.get(f"{API}/claims", params={"stance": "mixed"}).json()["count"]
    both = client.get(f"{API}/claims", params=[("stance", "supports"), ("stance", "mixed")]).json()["count"]
    assert both == one + other


def test_full_text_search_finds_words_in_text_quote_and_source_title(client):
    in_text = client.get(f"{API}/claims", params={"q": "Matryoshka"}).json()["data"]
    assert "karvonen2025.matryoshka-advantage-grows" in {c["key"] for c in in_text}
    by_title = client.get(f"{API}/claims", params={"q": "SAEBench", "limit": 500}).json()["data"]
    assert {c["source"] for c in by_title} >= {"karvonen2025_saebench"}
    stemmed = client.get(f"{API}/claims", params={"q": "matryoshka advantages"}).json()["count"]
    assert stemmed >= 1
    assert client.get(f"{API}/claims", params={"q": "xyzzyplugh"}).json()["count"] == 0
    assert client.get(f"{API}/sources", params={"q": "benchmark"}).json()["count"] >= 1


def test_every_sort_pages_through_every_row_once(client):
    total = client.get(f"{API}/claims").json()["count"]
    for sort in ("id", "-confidence", "key", "-year", "updated_at"):
        keys = [c["key"] for c in _all(client, "claims", sort=sort)]
        assert len(keys) == len(set(keys)) == total, sort
    confidences = [c["confidence"] for c in _all(client, "claims", sort="-confidence")]
    assert confidences == sorted(confidences, reverse=True)


def test_page_size_is_capped_and_next_link_given(client):
    body = client.get(f"{API}/claims", params={"limit": 100_000})
    assert body.status_code == 200 and len(body.json()["data"]) == body.json()["count"]  # fewer than the cap
    page = client.get(f"{API}/claims", params={"limit": 2})
    assert 'rel="next"' in page.headers["link"] and page.headers["x-total-count"] == str(page.json()["count"])


def test_a_cursor_from_another_sort_is_refused(client):
    cursor = client.get(f"{API}/claims", params={"limit": 2}).json()["next_cursor"]
    refused = client.get(f"{API}/claims", params={"sort": "key", "cursor": cursor})
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "cursor"


def test_csv_of_a_page_and_of_the_whole_list(client):
    page = client.get(f"{API}/claims", params={"aspect": "circuits", "format": "csv", "limit": 3})
    assert page.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(page.text)))
    assert len(rows) == 3 and all("circuits" in r["aspects"] for r in rows)
    whole = client.get(f"{API}/results", headers={"Accept": "text/csv"})
    assert whole.headers["content-disposition"].startswith("attachment")
    count = client.get(f"{API}/results").json()["count"]
    assert len(list(csv.DictReader(io.StringIO(whole.text)))) == count


def test_a_claim_is_read_with_its_results_and_critiques(client):
    critique = client.get(f"{API}/critiques", params={"limit": 1}).json()["data"][0]
    claim = client.get(f"{API}/claims/{critique['target_claim_id']}")
    assert claim.status_code == 200 and claim.headers["etag"] == f'"{claim.json()["version"]}"'
    assert critique["key"] in {c["key"] for c in claim.json()["critiques"]}
    with_results = client.get(f"{API}/claims/{claim_id(client, 'karvonen2025.matryoshka-advantage-grows')}").json()
    assert [r["key"] for r in with_results["results"]] == ["karvonen2025.matryoshka-advantage-grows.r1"]


def test_a_source_is_read_with_its_claims(client):
    source = client.get(f"{API}/sources/{source_id(client, 'karvonen2025_saebench')}").json()
    assert "karvonen2025.matryoshka-advantage-grows" in {c["key"] for c in source["claims"]}


def test_missing_rows_are_404_problems(client):
    for path in ("claims/999999", "sources/999999", "results/999999", "critiques/999999", "nowhere"):
        response = client.get(f"{API}/{path}")
        assert response.status_code == 404, path
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["status"] == 404


def test_stats_count_facets_and_follow_filters(client):
    stats = client.get(f"{API}/stats").json()
    assert set(stats["facets"]) >= {"aspect", "band", "year", "outcome", "source_kind", "stance", "safety_impact"}
    aspects = {f["value"]: f["count"] for f in stats["facets"]["aspect"]}
    assert aspects["circuits"] == client.get(f"{API}/claims", params={"aspect": "circuits"}).json()["count"]
    assert stats["totals"]["claims"] == client.get(f"{API}/claims").json()["count"]
    assert stats["totals"]["results"] == client.get(f"{API}/results").json()["count"]
    narrowed = client.get(f"{API}/stats", params={"aspect": "circuits"}).json()
    assert narrowed["totals"]["claims"] == aspects["circuits"]


def test_stats_narrowed_to_a_band_count_only_results_in_that_band(client):
    """A band filter joins result_band twice (filter and facet); the two must not be confused."""
    narrowed = client.get(f"{API}/stats", params={"band": "mid"})
    assert narrowed.status_code == 200
    results_in_band = client.get(f"{API}/results", params={"band": "mid"}).json()["count"]
    assert 0 < narrowed.json()["totals"]["results"] == results_in_band


FILTERS = {
    "aspect": "circuits", "question": "q2", "method": "sae", "stance": "supports", "kind": "finding",
    "status": "reviewed", "source_kind": "paper", "band": "mid", "outcome": "failure", "safety_impact": "none",
    "year_min": "2024", "params_min": "1e9",
}  # fmt: skip


@pytest.mark.parametrize("name", list(FILTERS))
def test_stats_answer_for_every_filter_and_agree_with_the_filtered_list(client, name):
    """Filters are EXISTS subqueries over tables the facet queries also join: each must stay correlated right."""
    stats = client.get(f"{API}/stats", params={name: FILTERS[name]})
    assert stats.status_code == 200
    listed = client.get(f"{API}/claims", params={name: FILTERS[name]}).json()["count"]
    assert stats.json()["totals"]["claims"] == listed


def test_assessment_has_its_fingerprint_as_etag_and_answers_304(client):
    first = client.get(f"{API}/assessment")
    assert first.status_code == 200
    assert first.headers["etag"] == f'"{first.json()["fingerprint"]}"'
    again = client.get(f"{API}/assessment", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.headers["etag"] == first.headers["etag"]
    other = client.get(f"{API}/assessment", headers={"If-None-Match": '"stale"'})
    assert other.status_code == 200
