"""The query service that the API and the pages share, the search sanitiser, and the 500 safety net."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from app.evidence import search, stats
from app.evidence.schemas.claims import ClaimFilters
from app.evidence.schemas.results import ResultFilters
from app.evidence.services import listing
from app.evidence.services.listing import InvalidQuery
from app.main import create_app
from tests.conftest import make_settings


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("sparse autoencoders", '"sparse" "autoencoders"'),
        ('title:x OR "y" NEAR(a b) * ^z -w', '"title" "x" "OR" "y" "NEAR" "a" "b" "z" "w"'),
        ("\x00\x01", None),
        ("' ; drop table claim; --", '"drop" "table" "claim"'),
        ("", None),
        (None, None),
    ],
)
def test_fts5_queries_are_only_quoted_words(query, expected):
    assert search.fts5_expression(query) == expected


def test_search_terms_are_bounded():
    assert len(search.terms("word " * 1000)) == search.MAX_TERMS


def test_list_claims_pages_filters_and_counts(session):
    filters = ClaimFilters(aspect=["circuits"], stance=["undermines", "mixed"])
    first = listing.list_claims(session, filters, sort="-confidence", limit=5)
    assert first.count and len(first.items) == 5 and first.next_cursor
    rest = list(listing.iter_all(listing.list_claims, session, filters, sort="-confidence", batch=5))
    assert len(rest) == first.count and {c.key for c in first.items} <= {c.key for c in rest}
    assert all("circuits" in c.aspects and c.stance in ("undermines", "mixed") for c in rest)


def test_list_functions_accept_no_filters(session):
    for list_fn in (listing.list_sources, listing.list_claims, listing.list_results, listing.list_critiques):
        page = list_fn(session)
        assert page.count and page.items


def test_bad_sorts_and_cursors_raise_invalid_query(session):
    with pytest.raises(InvalidQuery) as raised:
        listing.list_results(session, ResultFilters(), sort="password")
    assert raised.value.field == "sort"
    for cursor in ("garbage", "W10", listing.encode_cursor("id", "x", 1), listing.encode_cursor("key", "a", 1)):
        with pytest.raises(InvalidQuery):
            listing.list_claims(session, cursor=cursor)


def test_stats_facets_follow_result_filters(session):
    counts = stats.facet_counts(session, ClaimFilters(outcome=["success"]))
    assert [f["value"] for f in counts["facets"]["outcome"]] == ["success"]


def test_an_unexpected_error_is_a_500_problem_without_a_trace(sqlite_seeded_url, tmp_path, monkeypatch):
    def explode(*args, **kwargs):
        raise RuntimeError("secret internals /etc/passwd")

    monkeypatch.setattr(stats, "facet_counts", explode)
    app = create_app(make_settings(sqlite_seeded_url, tmp_path))
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/api/v1/stats")
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert "secret" not in response.text and "Traceback" not in response.text


def test_wrong_method_is_a_405_problem_whose_allow_lists_the_documented_methods(client):
    response = client.put("/api/v1/stats")
    assert response.status_code == 405 and response.json()["status"] == 405 and response.headers["allow"] == "GET"
    literal = client.put("/api/v1/webhooks/deliveries")  # not /webhooks/{subscription_id}
    assert literal.status_code == 405 and literal.headers["allow"] == "GET"
