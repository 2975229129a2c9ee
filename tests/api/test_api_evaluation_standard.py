"""A result's evaluation standard, sample size and `not_assessed` outcome through the API, and the rule that a
result judged against a simple baseline names a method of the baseline family."""

from __future__ import annotations

from tests.api.conftest import API, new_claim

MECHANISTIC_REFUSAL = "sae is a mechanistic method: record this as mechanistic_comparison, or name the simple baseline"


def _result(**overrides) -> dict:
    body = {
        "claim": "karvonen2025.matryoshka-advantage-grows",
        "key": "api-v3.r1",
        "model_name": "Gemma-2-9B",
        "params_basis": "disclosed",
        "params": 9.2e9,
        "method": "sae",
        "outcome": "not_assessed",
        "evaluation_standard": "internal_metric",
        "sample_size": 113,
    }
    return {**body, **overrides}


def _problem_fields(response) -> dict[str, str]:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    return {e["field"]: e["message"] for e in response.json()["errors"]}


def test_the_new_fields_round_trip_through_create_read_and_patch(api, tokens):
    created = api.post(f"{API}/results", json=_result(), headers=tokens.analyst)
    assert created.status_code == 201, created.text
    fetched = api.get(created.headers["location"]).json()
    assert (fetched["outcome"], fetched["evaluation_standard"], fetched["sample_size"]) == (
        "not_assessed",
        "internal_metric",
        113,
    )
    patched = api.patch(
        created.headers["location"],
        json={"evaluation_standard": "simple_baseline", "baseline_method": "linear_probe", "sample_size": 4},
        headers={**tokens.analyst, "If-Match": created.headers["etag"]},
    )
    assert patched.status_code == 200, patched.text
    assert (patched.json()["evaluation_standard"], patched.json()["sample_size"]) == ("simple_baseline", 4)
    assert api.get(created.headers["location"]).json()["baseline_method"] == "linear_probe"


def test_bad_values_are_refused_naming_the_field(api, tokens):
    fields = _problem_fields(
        api.post(
            f"{API}/results",
            json=_result(sample_size=0, evaluation_standard="vibes", reach_outcome="not_assessed"),
            headers=tokens.analyst,
        )
    )
    assert set(fields) == {"sample_size", "evaluation_standard", "reach_outcome"}
    assert "applying the method at that scale worked or it did not" in fields["reach_outcome"]


def test_a_simple_baseline_that_is_a_mechanistic_method_is_refused_on_the_field(api, tokens):
    body = _result(outcome="failure", evaluation_standard="simple_baseline", baseline_method="sae", winner="baseline")
    assert _problem_fields(api.post(f"{API}/results", json=body, headers=tokens.analyst)) == {
        "baseline_method": MECHANISTIC_REFUSAL
    }
    nested = new_claim()
    nested["results"][0] |= {"evaluation_standard": "simple_baseline", "baseline_method": "sae"}
    assert _problem_fields(api.post(f"{API}/claims", json=nested, headers=tokens.analyst)) == {
        "results.0.baseline_method": MECHANISTIC_REFUSAL
    }
    unnamed = _problem_fields(
        api.post(f"{API}/results", json=_result(evaluation_standard="simple_baseline"), headers=tokens.analyst)
    )
    assert "give baseline_method" in unnamed["baseline_method"]
    listed = api.get(f"{API}/results", params={"claim": "karvonen2025.matryoshka-advantage-grows", "limit": 100})
    assert listed.status_code == 200 and "api-v3.r1" not in {r["key"] for r in listed.json()["data"]}


def test_a_patch_to_simple_baseline_is_checked_against_the_stored_baseline(api, tokens):
    created = api.post(f"{API}/results", json=_result(baseline_method="sae"), headers=tokens.analyst)
    assert created.status_code == 201, created.text
    response = api.patch(
        created.headers["location"],
        json={"evaluation_standard": "simple_baseline"},
        headers={**tokens.analyst, "If-Match": created.headers["etag"]},
    )
    assert _problem_fields(response) == {"baseline_method": MECHANISTIC_REFUSAL}
    assert api.get(created.headers["location"]).json()["evaluation_standard"] == "internal_metric"


def test_results_and_claims_filter_by_evaluation_standard(api):
    rows = api.get(f"{API}/results", params={"evaluation_standard": "ground_truth", "limit": 500}).json()["data"]
    assert rows and {r["evaluation_standard"] for r in rows} == {"ground_truth"}
    assert "gupta2024.interpbench-ground-truth.r1" in {r["key"] for r in rows}
    both = api.get(
        f"{API}/results", params=[("evaluation_standard", "ground_truth"), ("evaluation_standard", "demonstration")]
    )
    assert both.json()["count"] > len(rows)
    claims = api.get(f"{API}/claims", params={"evaluation_standard": "simple_baseline", "limit": 500}).json()["data"]
    assert "gdm2025.sae-probes-fail-ood" in {c["key"] for c in claims}
    assert "wang2022.ioi-circuit" not in {c["key"] for c in claims}
    refused = api.get(f"{API}/results", params={"evaluation_standard": "vibes"})
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "evaluation_standard"
