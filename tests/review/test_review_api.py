"""The review workflow through the API: a claim starts as a draft, two analysts extract it blind, a
disagreement appears, an editor resolves it, and only then does the published assessment change."""

from __future__ import annotations

from tests.review.conftest import API, extraction, new_claim


def fingerprint(client) -> str:
    return client.get(f"{API}/assessment").json()["fingerprint"]


def test_two_analysts_extract_blind_an_editor_resolves_and_only_then_the_assessment_changes(reviewed_only_api, team):
    api = reviewed_only_api
    before = fingerprint(api)
    created = api.post(f"{API}/claims", json=new_claim(), headers=team.editor)  # neither extractor wrote it
    assert created.status_code == 201, created.text
    claim_id = created.json()["id"]
    assert created.json()["status"] == "draft"
    assert fingerprint(api) == before  # a draft weighs nothing in the published assessment

    moved = api.post(f"{API}/claims/{claim_id}/status", json={"status": "in_review"}, headers=team.analyst)
    assert moved.status_code == 200 and moved.json()["status"] == "in_review"
    asked = api.post(
        f"{API}/claims/{claim_id}/extractions",
        json={"first_analyst": "rv-analyst", "second_analyst": "rv-analyst2", "note": "check the outcome"},
        headers=team.editor,
    )
    assert asked.status_code == 201, asked.text
    request_id = asked.json()["id"]

    blind = api.get(f"{API}/extractions/{request_id}/source", headers=team.analyst2).json()
    assert blind["claim"]["text"].startswith("Okapi dictionaries")
    assert blind["results"] == [{"key": "rv-claim.r1", "model_name": "Okapi-900B", "task": None, "metric_name": None}]
    assert "success" not in str(blind) and "params" not in str(blind["results"])  # no stored values

    first = api.put(f"{API}/extractions/{request_id}/mine", json=extraction("success"), headers=team.analyst)
    assert first.status_code == 201, first.text
    hidden = api.get(f"{API}/extractions/{request_id}", headers=team.analyst2).json()
    assert hidden["status"] == "open" and hidden["comparison"] is None
    again = api.put(f"{API}/extractions/{request_id}/mine", json=extraction("failure"), headers=team.analyst)
    assert again.status_code == 409
    outsider = api.put(f"{API}/extractions/{request_id}/mine", json=extraction("failure"), headers=team.editor)
    assert outsider.status_code == 403

    second = api.put(f"{API}/extractions/{request_id}/mine", json=extraction("failure"), headers=team.analyst2)
    assert second.status_code == 201
    compared = api.get(f"{API}/extractions/{request_id}", headers=team.analyst).json()
    assert compared["status"] == "submitted"
    disagreements = [row["path"] for row in compared["comparison"] if not row["agrees"]]
    assert disagreements == ["results.rv-claim.r1.outcome"]
    assert fingerprint(api) == before  # extractions alone change nothing

    by_analyst = api.post(f"{API}/extractions/{request_id}/resolution", json={"choices": {}}, headers=team.analyst)
    assert by_analyst.status_code == 403
    unchosen = api.post(f"{API}/extractions/{request_id}/resolution", json={"choices": {}}, headers=team.editor)
    assert unchosen.status_code == 422
    assert unchosen.json()["errors"][0]["field"] == "results.rv-claim.r1.outcome"
    early = api.post(f"{API}/claims/{claim_id}/status", json={"status": "reviewed"}, headers=team.editor)
    assert early.status_code == 409  # not while the extraction is unresolved
    assert fingerprint(api) == before

    resolved = api.post(
        f"{API}/extractions/{request_id}/resolution",
        json={"choices": {"results.rv-claim.r1.outcome": "failure"}},
        headers=team.editor,
    )
    assert resolved.status_code == 200, resolved.text
    assert resolved.json()["status"] == "resolved" and resolved.json()["resolved_by"] == "rv-editor"
    claim = api.get(f"{API}/claims/{claim_id}").json()
    assert claim["status"] == "reviewed"
    assert claim["results"][0]["outcome"] == "failure"
    assert fingerprint(api) != before  # the resolution is what counts

    history = api.get(f"{API}/claims/{claim_id}/history", headers=team.editor).json()["data"]
    updates = [r for r in history if r["action"] == "update"]
    moves = [(r["actor"], r["changes"]["status"]) for r in updates if "status" in r["changes"]]
    assert moves == [("rv-analyst", ["draft", "in_review"]), ("rv-editor", ["in_review", "reviewed"])]
    assert any(r["actor"] == "rv-editor" and "results" in r["changes"] for r in history)


def test_status_moves_only_through_the_workflow_not_through_put_or_post(reviewed_only_api, team):
    api = reviewed_only_api
    posted = api.post(f"{API}/claims", json={**new_claim(), "status": "reviewed"}, headers=team.analyst)
    assert posted.status_code == 422 and posted.json()["errors"][0]["field"] == "status"
    created = api.post(f"{API}/claims", json=new_claim(), headers=team.analyst).json()
    patched = api.patch(
        f"{API}/claims/{created['id']}", json={"status": "reviewed"}, headers={**team.analyst, "If-Match": '"1"'}
    )
    assert patched.status_code == 422 and patched.json()["errors"][0]["field"] == "status"
    assert api.get(f"{API}/claims/{created['id']}", headers=team.analyst).json()["status"] == "draft"


def test_a_rejection_needs_a_reason_and_keeps_it(reviewed_only_api, team):
    api = reviewed_only_api
    claim_id = api.post(f"{API}/claims", json=new_claim(), headers=team.analyst).json()["id"]
    api.post(f"{API}/claims/{claim_id}/status", json={"status": "in_review"}, headers=team.analyst)
    bare = api.post(f"{API}/claims/{claim_id}/status", json={"status": "rejected"}, headers=team.editor)
    assert bare.status_code == 422 and bare.json()["errors"][0]["field"] == "reason"
    reason = "The quoted figure is from a different model."
    rejected = api.post(
        f"{API}/claims/{claim_id}/status", json={"status": "rejected", "reason": reason}, headers=team.editor
    )
    assert rejected.status_code == 200 and rejected.json()["status_reason"] == reason
    history = api.get(f"{API}/claims/{claim_id}/history", headers=team.editor).json()["data"]
    assert history[-1]["note"] == reason and history[-1]["actor"] == "rv-editor"


def test_a_status_move_naming_a_stale_version_is_a_documented_412(reviewed_only_api, team):
    api = reviewed_only_api
    claim_id = api.post(f"{API}/claims", json=new_claim(), headers=team.analyst).json()["id"]
    move = {"status": "in_review", "version": 2}
    stale = api.post(f"{API}/claims/{claim_id}/status", json=move, headers=team.analyst)
    assert stale.status_code == 412 and stale.json()["current_version"] == 1
    assert api.get(f"{API}/claims/{claim_id}", headers=team.analyst).json()["status"] == "draft"
    documented = api.get("/openapi.json").json()["paths"]["/api/v1/claims/{claim_id}/status"]["post"]["responses"]
    assert "412" in documented


def test_roles_are_checked_on_the_server(reviewed_only_api, team):
    api = reviewed_only_api
    claim_id = api.post(f"{API}/claims", json=new_claim(), headers=team.analyst).json()["id"]
    viewer = api.post(f"{API}/claims/{claim_id}/status", json={"status": "in_review"}, headers=team.viewer)
    assert viewer.status_code == 403
    anonymous = api.post(f"{API}/claims/{claim_id}/status", json={"status": "in_review"})
    assert anonymous.status_code == 401
    api.post(f"{API}/claims/{claim_id}/status", json={"status": "in_review"}, headers=team.analyst)
    analyst = api.post(f"{API}/claims/{claim_id}/status", json={"status": "reviewed"}, headers=team.analyst)
    assert analyst.status_code == 403 and "editor" in analyst.json()["detail"]
    ask = {"first_analyst": "rv-analyst", "second_analyst": "rv-analyst2"}
    assert api.post(f"{API}/claims/{claim_id}/extractions", json=ask, headers=team.analyst).status_code == 403
    assert api.get(f"{API}/review/queue", headers=team.viewer).status_code == 403
    drafts = api.get(f"{API}/assessment", params={"with_drafts": "true"}, headers=team.viewer)
    assert drafts.status_code == 403


def test_the_queue_shows_what_waits_for_each_person_oldest_first(reviewed_only_api, team):
    api = reviewed_only_api
    ids = []
    for key in ("rv-old", "rv-new"):
        claim_id = api.post(f"{API}/claims", json=new_claim(key), headers=team.editor).json()["id"]
        api.post(f"{API}/claims/{claim_id}/status", json={"status": "in_review"}, headers=team.analyst)
        ids.append(claim_id)
    waiting = api.get(f"{API}/review/queue", headers=team.editor).json()
    assert [item["claim_key"] for item in waiting] == ["rv-old", "rv-new"]
    assert {item["kind"] for item in waiting} == {"review"}
    ask = {"first_analyst": "rv-analyst", "second_analyst": "rv-analyst2"}
    api.post(f"{API}/claims/{ids[1]}/extractions", json=ask, headers=team.editor)
    mine = api.get(f"{API}/review/queue", params={"kind": "extract"}, headers=team.analyst2).json()
    assert [(item["kind"], item["claim_key"]) for item in mine] == [("extract", "rv-new")]
    assert api.get(f"{API}/review/queue", params={"aspect": "circuits"}, headers=team.editor).json() == []
    own = api.post(f"{API}/claims", json=new_claim("rv-own"), headers=team.analyst).json()["id"]
    refused = api.post(f"{API}/claims/{own}/extractions", json=ask, headers=team.editor)
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "first_analyst"  # its author
    assert [i["claim_key"] for i in api.get(f"{API}/review/queue", headers=team.editor).json()] == ["rv-old"]


def test_the_claims_list_filters_by_review_status(reviewed_only_api, team):
    api = reviewed_only_api
    total = api.get(f"{API}/claims").json()["count"]
    assert api.get(f"{API}/claims", params={"status": "reviewed"}).json()["count"] == total  # the seed
    api.post(f"{API}/claims", json=new_claim(), headers=team.analyst)
    drafts = api.get(f"{API}/claims", params={"status": "draft"}, headers=team.analyst).json()
    assert [c["key"] for c in drafts["data"]] == ["rv-claim"]
    assert api.get(f"{API}/claims", params={"status": "in_review"}, headers=team.analyst).json()["count"] == 0
    for reader in ({}, team.viewer):  # drafts are not published: readers who are not analysts never see them
        assert api.get(f"{API}/claims", params={"status": "draft"}, headers=reader).json()["count"] == 0


def test_the_evaluation_standard_is_extracted_twice_compared_and_resolved(reviewed_only_api, team):
    api = reviewed_only_api
    claim_id = api.post(f"{API}/claims", json=new_claim(), headers=team.editor).json()["id"]  # neither extractor
    api.post(f"{API}/claims/{claim_id}/status", json={"status": "in_review"}, headers=team.editor)
    pair = {"first_analyst": "rv-analyst", "second_analyst": "rv-analyst2"}
    request_id = api.post(f"{API}/claims/{claim_id}/extractions", json=pair, headers=team.editor).json()["id"]
    for standard, who in (("internal_metric", team.analyst), ("ground_truth", team.analyst2)):
        body = extraction("success")
        body["results"]["rv-claim.r1"]["evaluation_standard"] = standard
        assert api.put(f"{API}/extractions/{request_id}/mine", json=body, headers=who).status_code == 201
    compared = api.get(f"{API}/extractions/{request_id}", headers=team.analyst).json()["comparison"]
    assert [r["path"] for r in compared if not r["agrees"]] == ["results.rv-claim.r1.evaluation_standard"]
    choice = {"results.rv-claim.r1.evaluation_standard": "ground_truth"}
    resolved = api.post(f"{API}/extractions/{request_id}/resolution", json={"choices": choice}, headers=team.editor)
    assert resolved.status_code == 200, resolved.text
    assert api.get(f"{API}/claims/{claim_id}").json()["results"][0]["evaluation_standard"] == "ground_truth"
