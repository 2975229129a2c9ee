"""The API reads parameter counts as people write them, in filters and bodies, with the one parser of sizes."""

from __future__ import annotations

from app.evidence.sizes import SIZE_HELP
from tests.api.conftest import API, new_claim


def test_api_filters_take_sizes_as_written(api):
    written = api.get(f"{API}/results", params={"params_min": "10B", "params_max": "1T", "limit": 500}).json()
    numeric = api.get(f"{API}/results", params={"params_min": 1e10, "params_max": 1e12, "limit": 500}).json()
    assert written["count"] == numeric["count"] > 0
    assert [r["key"] for r in written["data"]] == [r["key"] for r in numeric["data"]]


def test_api_refuses_an_unreadable_size_with_the_one_message(api, tokens):
    refused = api.get(f"{API}/results", params={"params_min": "1 bilion"})
    assert refused.status_code == 422
    assert SIZE_HELP in refused.text
    body = new_claim()
    body["results"][0]["params"] = "9.2B"
    created = api.post(f"{API}/claims", json=body, headers=tokens.analyst)
    assert created.status_code == 201, created.text
    assert created.json()["results"][0]["params"] == 9.2e9
