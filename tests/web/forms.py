"""Form data of a typical source, claim and critique, as a browser would post them."""

from __future__ import annotations

import html
import re

SOURCE_KEY = "webtest2026_scaling"


def source_form(**overrides) -> dict:
    data = {
        "key": SOURCE_KEY,
        "kind": "preprint",
        "title": "Circuit Discovery Holds Up at Seventy Billion Parameters",
        "authors": "Doe, J.\nRoe, R.",
        "year": "2026",
        "published_date": "",
        "venue": "arXiv preprint",
        "organization": "Web Test Lab",
        "url": "https://example.org/paper",
        "doi": "",
        "arxiv_id": "2609.01234",
        "verification": "yes",
        "report_labels": "[w1]",
        "notes": "",
    }
    data.update(overrides)
    return data


def result_row(index: int, **overrides) -> dict:
    row = {
        "model_name": f"Model-{index}",
        "model_family": "WebTest",
        "params_basis": "disclosed",
        "params": "70B",
        "params_low": "",
        "params_high": "",
        "params_note": "",
        "method": "circuits",
        "task": "IOI circuit recovery",
        "metric_name": "faithfulness",
        "metric_value": "0.8",
        "metric_unit": "",
        "baseline_name": "",
        "baseline_value": "",
        "higher_is_better": "yes",
        "outcome": "success",
        "safety_impact": "not_applicable",
        "safety_metric": "",
        "notes": "",
    }
    row.update(overrides)
    return {f"results.{index}.{name}": value for name, value in row.items()}


def claim_form(source: str = "karvonen2025_saebench", results: int = 2, **overrides) -> dict:
    data = {
        "source": source,
        "key": "",
        "text": "Circuit discovery recovers faithful circuits in a seventy billion parameter model.",
        "quote": "",
        "locator": "§4",
        "aspects": ["circuits"],
        "questions": ["q1"],
        "method": "circuits",
        "stance": "supports",
        "kind": "finding",
        "confidence": "0.7",
        "status": "reviewed",
        "notes": "",
    }
    for i in range(results):
        data.update(result_row(i, model_name=f"Model-{i}", params=["7B", "70B"][i % 2]))
    data.update(overrides)
    return data


def critique_form(**overrides) -> dict:
    data = {
        "key": "",
        "kind": "methodological",
        "critic_source": "karvonen2025_saebench",
        "critic_claim": "",
        "text": "The faithfulness metric is computed on the same prompts used to find the circuit.",
        "severity": "0.5",
        "status": "open",
    }
    data.update(overrides)
    return data


def location_id(response) -> int:
    """The id in a redirect to /claims/<id> or /sources/<id>."""
    match = re.search(r"/(?:claims|sources)/(\d+)", response.headers["location"])
    assert match, response.headers.get("location")
    return int(match.group(1))


def visible_text(page: str) -> str:
    """The page's text without tags, entities decoded and spaces collapsed."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))
