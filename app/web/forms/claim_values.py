"""The claim form's data: a claim and its results as typed values, and typed values as a ClaimIn."""

from __future__ import annotations

import hashlib
import re

from sqlmodel import Session, select
from starlette.datastructures import FormData

from app.evidence.models import Claim, Result, Source
from app.evidence.schemas.claims import ClaimIn
from app.evidence.services import claims as claim_service
from app.web.forms.editing import free_key, slug
from app.web.forms.formdata import blank_to_none, exact_number, number, text

CLAIM_LABELS = {
    "source": "Source",
    "key": "Key",
    "text": "Claim",
    "quote": "Quote",
    "locator": "Where in the source",
    "aspects": "Aspects",
    "questions": "Research questions",
    "method": "Method",
    "stance": "Stance",
    "kind": "Kind",
    "confidence": "Confidence",
    "status": "Status",
    "notes": "Notes",
}
RESULT_LABELS = {
    "model_name": "Model",
    "model_family": "Model family",
    "params_basis": "Parameter count is",
    "params": "Parameters",
    "params_low": "Parameters, low",
    "params_high": "Parameters, high",
    "params_note": "Basis of the count",
    "params_estimate_kind": "Kind of estimate",
    "method": "Method",
    "task": "Task",
    "metric_name": "Metric",
    "metric_value": "Metric value",
    "metric_unit": "Unit",
    "baseline_name": "Baseline",
    "baseline_value": "Baseline value",
    "baseline_method": "Baseline method",
    "winner": "Who won",
    "higher_is_better": "Higher is better",
    "outcome": "Outcome (validity)",
    "reach_outcome": "Reach (could it be applied?)",
    "evaluation_standard": "Judged against",
    "sample_size": "Sample size (tasks, datasets, items, runs)",
    "safety_impact": "Safety impact",
    "baseline_safety_impact": "Baseline's safety impact",
    "safety_metric": "Safety metric",
    "notes": "Notes",
}
NUMBERS = {"params", "params_low", "params_high", "metric_value", "baseline_value", "sample_size"}
# The evaluation standard's choices, each with the one line an analyst needs to pick it (docs/data-model.md).
STANDARD_HELP = {
    "internal_metric": "an internal metric: reconstruction, loss recovered, an autointerp score",
    "mechanistic_comparison": "another mechanistic method (SAE against SAE, transcoder against SAE)",
    "simple_baseline": "a simple baseline: a probe, prompting, a steering vector, fine-tuning (name it below)",
    "ground_truth": "ground truth: a known circuit, a planted feature",
    "demonstration": "a demonstration: one showcased case, nothing compared",
}
LISTS = ("aspects", "questions")
BLANK_ROW = {"params_basis": "disclosed", "safety_impact": "not_applicable"}
ROW_CONTENT = ("model_name", "params", "params_low", "params_high", "task", "metric_name", "outcome", "notes")


def result_values(result: Result) -> dict[str, str]:
    row = {"key": result.key}
    for name in RESULT_LABELS:
        value = getattr(result, f"{name}_key" if name in ("method", "baseline_method") else name)
        if name in NUMBERS:
            row[name] = exact_number(value)
        elif name == "higher_is_better":
            row[name] = "" if value is None else ("yes" if value else "no")
        else:
            row[name] = "" if value is None else str(value)
    return row


def live_results(session: Session, claim_id: int) -> list[Result]:
    query = select(Result).where(Result.claim_id == claim_id, Result.deleted_at.is_(None)).order_by(Result.id)
    return list(session.exec(query))


def results_stamp(session: Session, claim_id: int) -> str:
    """A fingerprint of the claim's results and their versions: a change by anyone changes it."""
    rows = session.exec(select(Result.key, Result.version).where(Result.claim_id == claim_id)).all()
    return hashlib.sha256(repr(sorted(rows)).encode()).hexdigest()[:16]


def claim_values(session: Session, claim: Claim) -> tuple[dict, list[dict]]:
    """A saved claim (and its live results) as the form shows them."""
    values = {
        "source": session.get(Source, claim.source_id).key,
        "key": claim.key,
        "text": claim.text,
        "quote": claim.quote or "",
        "locator": claim.locator or "",
        "aspects": claim_service.aspect_keys(session, claim.id),
        "questions": claim_service.question_keys(session, claim.id),
        "method": claim.method_key or "",
        "stance": claim.stance,
        "kind": claim.kind,
        "confidence": f"{claim.confidence:g}",
        "status": claim.status,
        "notes": claim.notes or "",
    }
    return values, [result_values(r) for r in live_results(session, claim.id)]


def typed_claim(form: FormData) -> tuple[dict, list[dict]]:
    """The claim and result rows as typed, rows renumbered 0..n-1 in their order on the page."""
    values = {name: text(form, name) for name in CLAIM_LABELS if name not in LISTS}
    for name in LISTS:
        values[name] = [v for v in form.getlist(name) if isinstance(v, str)]
    indices = sorted({int(m.group(1)) for name in form.keys() if (m := re.fullmatch(r"results\.(\d+)\.\w+", name))})
    rows = [{name: text(form, f"results.{i}.{name}") for name in ["key", *RESULT_LABELS]} for i in indices]
    return values, rows


def is_blank(row: dict) -> bool:
    return not row.get("key") and not any(row.get(name, "").strip() for name in ROW_CONTENT)


def _row_data(row: dict, key: str) -> dict:
    data: dict = {"key": key}
    for name in RESULT_LABELS:
        raw = row.get(name, "")
        if name in NUMBERS:
            data[name] = number(raw)
        elif name == "higher_is_better":
            data[name] = {"yes": True, "no": False}.get(raw)
        else:
            data[name] = blank_to_none(raw)
    return {k: v for k, v in data.items() if v is not None}


def _result_key(session: Session, claim_key: str, taken: set[str]) -> str:
    n = 1
    while (
        f"{claim_key}.r{n}" in taken or session.exec(select(Result.id).where(Result.key == f"{claim_key}.r{n}")).first()
    ):
        n += 1
    return f"{claim_key}.r{n}"


def to_claim_in(session: Session, values: dict, rows: list[dict]) -> ClaimIn:
    """Typed values as a ClaimIn (raises ValidationError); empty claim and result keys are derived."""
    data = {name: blank_to_none(values[name]) for name in CLAIM_LABELS if name not in LISTS}
    data["aspects"], data["questions"] = values["aspects"], values["questions"]
    data["confidence"] = number(values["confidence"])
    if data["key"] is None and data["source"] and data["text"]:
        data["key"] = free_key(session, Claim, f"{data['source']}.{slug(data['text'], 4)}")
    taken = {row["key"] for row in rows if row.get("key")}
    results = []
    for row in rows:
        key = row.get("key") or _result_key(session, data["key"] or "claim", taken)
        taken.add(key)
        results.append(_row_data(row, key))
    data["results"] = results
    return ClaimIn.model_validate({k: v for k, v in data.items() if v is not None})


def known_fields(row_count: int) -> set[str]:
    """Every field an error can be placed on, including each result row and its fields."""
    names = set(CLAIM_LABELS) | {"form"}
    for i in range(row_count):
        names.add(f"results.{i}")
        names.update(f"results.{i}.{name}" for name in RESULT_LABELS)
    return names


def summary(row: dict) -> str:
    """One line for a result in the conflict table."""
    size = row.get("params") or (f"{row.get('params_low')}–{row.get('params_high')}" if row.get("params_low") else "?")
    return f"{row.get('model_name') or '?'} · {size} · {row.get('method') or '-'} · {row.get('outcome') or '?'}"


def comparable(values: dict, rows: list[dict]) -> dict[str, str]:
    """A claim's values flattened to text, for the side-by-side conflict table."""
    flat = {k: (", ".join(v) if isinstance(v, list) else v) for k, v in values.items()}
    flat["results"] = "\n".join(summary(row) for row in rows if not is_blank(row))
    return flat
