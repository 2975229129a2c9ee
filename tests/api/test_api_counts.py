"""The count of a filtered list is computed once per data version: repeated first pages reuse it, and the
next write makes it count again."""

from __future__ import annotations

from app.evidence import stats
from tests.api.conftest import API, new_source


def test_the_count_is_reused_between_writes_and_recounted_after_one(api, tokens, monkeypatch):
    first = api.get(f"{API}/sources?kind=paper").json()["count"]
    counted = []
    real = stats._memoised

    def counting(cache, size, key, produce):
        return real(cache, size, key, lambda: counted.append(1) or produce())

    monkeypatch.setattr(stats, "_memoised", counting)
    assert api.get(f"{API}/sources?kind=paper").json()["count"] == first and counted == []
    assert api.post(f"{API}/sources", json={**new_source(), "kind": "paper"}, headers=tokens.analyst).status_code == 201
    assert api.get(f"{API}/sources?kind=paper").json()["count"] == first + 1 and counted == [1]
