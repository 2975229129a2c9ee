"""Writes: create, replace, patch, delete and restore, with If-Match concurrency, history and problems."""

from __future__ import annotations

import threading

from fastapi.testclient import TestClient
from sqlmodel import select

from app.evidence.models import Claim, Revision
from tests.api.conftest import API, claim_id, new_claim, new_source, source_id


def _create(api, tokens, kind: str, body: dict) -> dict:
    response = api.post(f"{API}/{kind}", json=body, headers=tokens.analyst)
    assert response.status_code == 201, response.text
    return response


def test_create_answers_201_with_location_and_etag(api, tokens):
    created = _create(api, tokens, "claims", new_claim())
    body = created.json()
    assert created.headers["location"] == f"{API}/claims/{body['id']}"
    assert created.headers["etag"] == '"1"'
    assert [r["key"] for r in body["results"]] == ["api-test-claim.r1"]
    assert body["results"][0]["bands"] == ["small"]
    fetched = api.get(created.headers["location"]).json()
    assert fetched["text"] == body["text"] and fetched["aspects"] == ["features"]


def test_each_kind_can_be_created(api, tokens):
    source = _create(api, tokens, "sources", new_source()).json()
    claim = _create(api, tokens, "claims", new_claim(source=source["key"], results=[])).json()
    result = {
        "claim": claim["key"],
        "key": "api-test-claim.r9",
        "model_name": "Pythia-70M",
        "params_basis": "disclosed",
        "params": 7e7,
        "outcome": "partial",
    }
    assert _create(api, tokens, "results", result).json()["claim_id"] == claim["id"]
    critique = {
        "key": "api-test-critique",
        "target": claim["key"],
        "critic_source": "karvonen2025_saebench",
        "kind": "scope_limitation",
        "text": "Only one model family.",
        "severity": 0.4,
    }
    assert _create(api, tokens, "critiques", critique).json()["target"] == claim["key"]
    assert [r["key"] for r in api.get(f"{API}/claims/{claim['id']}").json()["results"]] == ["api-test-claim.r9"]


def test_validation_errors_name_each_bad_field(api, tokens):
    bad = new_claim(confidence=3, aspects=[], stance="maybe")
    bad["results"][0]["params"] = -1
    response = api.post(f"{API}/claims", json=bad, headers=tokens.analyst)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"confidence", "aspects", "stance", "results.0.params"} <= fields
    unknown = api.post(f"{API}/claims", json=new_claim(aspects=["nope"]), headers=tokens.analyst)
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "aspects.0"


def test_conflicts_are_409(api, tokens):
    _create(api, tokens, "sources", new_source())
    duplicate_doi = api.post(
        f"{API}/sources",
        json=new_source(key="other", title="Another title", doi="10.5555/API-TEST"),
        headers=tokens.analyst,
    )
    assert duplicate_doi.status_code == 409 and duplicate_doi.json()["errors"][0]["field"] == "doi"
    sid = source_id(api, "karvonen2025_saebench")
    version = api.get(f"{API}/sources/{sid}").headers["etag"]
    still_used = api.delete(f"{API}/sources/{sid}", headers={**tokens.analyst, "If-Match": version})
    assert still_used.status_code == 409 and "claim" in still_used.json()["detail"]


def test_writes_need_if_match(api, tokens):
    cid = claim_id(api, "karvonen2025.matryoshka-advantage-grows")
    for method in ("put", "patch", "delete"):
        kwargs = {"json": {"confidence": 0.5}} if method == "patch" else {}
        if method == "put":
            kwargs = {"json": new_claim(key="karvonen2025.matryoshka-advantage-grows", results=[])}
        response = getattr(api, method)(f"{API}/claims/{cid}", headers=tokens.analyst, **kwargs)
        assert response.status_code == 428, method


def test_stale_if_match_is_refused_and_row_unchanged(api, tokens, db):
    cid = claim_id(api, "karvonen2025.matryoshka-advantage-grows")
    before = api.get(f"{API}/claims/{cid}").json()
    ok = api.patch(f"{API}/claims/{cid}", json={"confidence": 0.5}, headers={**tokens.analyst, "If-Match": '"1"'})
    assert ok.status_code == 200 and ok.headers["etag"] == '"2"' and ok.json()["confidence"] == 0.5
    stale = api.patch(f"{API}/claims/{cid}", json={"confidence": 0.1}, headers={**tokens.analyst, "If-Match": '"1"'})
    assert stale.status_code == 412 and stale.json()["current_version"] == 2
    gone = api.delete(f"{API}/claims/{cid}", headers={**tokens.analyst, "If-Match": '"1"'})
    assert gone.status_code == 412
    stored = db.exec(select(Claim).where(Claim.id == cid)).one()
    assert (stored.version, stored.confidence, stored.deleted_at) == (2, 0.5, None)
    assert api.get(f"{API}/claims/{cid}").json()["results"] == before["results"]


def test_put_replaces_and_keeps_results_unless_listed(api, tokens):
    cid = claim_id(api, "karvonen2025.matryoshka-advantage-grows")
    current = api.get(f"{API}/claims/{cid}")
    body = new_claim(key="karvonen2025.matryoshka-advantage-grows", text="Rewritten.")
    del body["results"]
    replaced = api.put(
        f"{API}/claims/{cid}", json=body, headers={**tokens.analyst, "If-Match": current.headers["etag"]}
    )
    assert replaced.status_code == 200, replaced.text
    assert replaced.json()["text"] == "Rewritten." and len(replaced.json()["results"]) == 1


def test_patch_is_validated_as_a_whole(api, tokens):
    cid = claim_id(api, "karvonen2025.matryoshka-advantage-grows")
    response = api.patch(f"{API}/claims/{cid}", json={"confidence": 2}, headers={**tokens.analyst, "If-Match": '"1"'})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "confidence"
    unknown = api.patch(f"{API}/claims/{cid}", json={"colour": "red"}, headers={**tokens.analyst, "If-Match": '"1"'})
    assert unknown.status_code == 422


def _concurrent_patches(app, url: str, headers: dict) -> list[int]:
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def patch(confidence: float) -> None:
        with TestClient(app) as client:
            barrier.wait()
            statuses.append(client.patch(url, json={"confidence": confidence}, headers=headers).status_code)

    threads = [threading.Thread(target=patch, args=(value,)) for value in (0.11, 0.22)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(statuses)


def test_two_concurrent_updates_with_the_same_etag_give_exactly_one_success(api, tokens, db):
    cid = claim_id(api, "karvonen2025.matryoshka-advantage-grows")
    headers = {**tokens.analyst, "If-Match": '"1"'}
    assert _concurrent_patches(api.app, f"{API}/claims/{cid}", headers) == [200, 412]
    stored = db.exec(select(Claim).where(Claim.id == cid)).one()
    assert stored.version == 2 and stored.confidence in (0.11, 0.22)
    updates = db.exec(select(Revision).where(Revision.entity_id == cid, Revision.action == "update")).all()
    assert len([r for r in updates if r.entity_kind == "claim"]) == 1


def test_soft_delete_hides_and_an_admin_restores(api, tokens):
    cid = claim_id(api, "karvonen2025.matryoshka-advantage-grows")
    deleted = api.delete(f"{API}/claims/{cid}", headers={**tokens.analyst, "If-Match": '"1"'})
    assert deleted.status_code == 204
    assert api.get(f"{API}/claims/{cid}").status_code == 404
    assert api.get(f"{API}/claims", params={"key": "karvonen2025.matryoshka-advantage-grows"}).json()["count"] == 0
    assert api.get(f"{API}/claims/{cid}", params={"include_deleted": True}).status_code == 401
    assert api.get(f"{API}/claims/{cid}", params={"include_deleted": True}, headers=tokens.analyst).status_code == 403
    seen = api.get(
        f"{API}/claims",
        params={"include_deleted": True, "key": "karvonen2025.matryoshka-advantage-grows"},
        headers=tokens.admin_read,
    )
    assert seen.json()["data"][0]["deleted_at"] is not None
    assert api.post(f"{API}/claims/{cid}/restore", headers=tokens.analyst).status_code == 403
    restored = api.post(f"{API}/claims/{cid}/restore", headers=tokens.admin)
    assert restored.status_code == 200 and restored.json()["deleted_at"] is None and restored.headers["etag"] == '"3"'


def test_history_records_who_when_and_what(api, tokens):
    cid = claim_id(api, "karvonen2025.matryoshka-advantage-grows")
    api.patch(f"{API}/claims/{cid}", json={"confidence": 0.5}, headers={**tokens.analyst, "If-Match": '"1"'})
    api.delete(f"{API}/claims/{cid}", headers={**tokens.analyst, "If-Match": '"2"'})
    api.post(f"{API}/claims/{cid}/restore", headers=tokens.admin)
    history = api.get(f"{API}/claims/{cid}/history").json()
    assert [r["action"] for r in history["data"]] == ["create", "update", "delete", "restore"]
    update = history["data"][1]
    assert update["actor"] == "api-analyst" and update["changes"]["confidence"] == [0.85, 0.5] and update["at"]
    assert history["data"][3]["actor"] == "api-admin"


def test_stats_are_cached_until_the_next_write(api, tokens):
    first = api.get(f"{API}/stats")
    assert api.get(f"{API}/stats", headers={"If-None-Match": first.headers["etag"]}).status_code == 304
    _create(api, tokens, "claims", new_claim())
    after = api.get(f"{API}/stats", headers={"If-None-Match": first.headers["etag"]})
    assert after.status_code == 200 and after.headers["etag"] != first.headers["etag"]
    assert after.json()["totals"]["claims"] == first.json()["totals"]["claims"] + 1
