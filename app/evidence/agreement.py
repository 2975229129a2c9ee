"""Agreement between the two analysts of dual extractions: per field and per analyst pair, Cohen's kappa
(scikit-learn) and Krippendorff's alpha (the `krippendorff` package), with the number of items behind each.

An item is one claim (for stance and confidence) or one result of it (for the result fields) that both
analysts extracted. Kappa is for categories, so numeric fields (confidence; parameter count, compared on
log10) get alpha at the interval level only. A figure below POOR (Krippendorff's 0.667, the lowest he
accepts even for tentative conclusions) is flagged; so is alpha's absence judged by kappa. See docs/review.md.
"""

from __future__ import annotations

import math
import warnings
from collections import defaultdict
from dataclasses import asdict, dataclass
from typing import Any

import krippendorff
import numpy as np
from sklearn.metrics import cohen_kappa_score
from sqlmodel import Session, select

from app.evidence.models import Extraction, ExtractionRequest

POOR = 0.667
FEW_ITEMS = 10
# field -> (level of measurement, where it sits in an extraction)
FIELDS: dict[str, tuple[str, str]] = {
    "stance": ("nominal", "claim"),
    "confidence": ("interval", "claim"),
    "outcome": ("nominal", "result"),
    "evaluation_standard": ("nominal", "result"),
    "safety_impact": ("nominal", "result"),
    "params_basis": ("nominal", "result"),
    "params": ("interval", "result"),
    "method": ("nominal", "result"),
}


def cohen_kappa(first: list[Any], second: list[Any]) -> float | None:
    """Cohen's kappa of two raters' categories; None when undefined (no items, or one category only)."""
    if not first:
        return None
    labels = [str(v) for v in first], [str(v) for v in second]
    with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
        warnings.simplefilter("ignore")
        value = float(cohen_kappa_score(*labels))
    return None if math.isnan(value) else value


def krippendorff_alpha(first: list[Any], second: list[Any], level: str) -> float | None:
    """Krippendorff's alpha of two raters (None values are missing); None when undefined."""
    if level == "nominal":
        codes: dict[str, int] = {}
        rows = [[np.nan if v is None else codes.setdefault(str(v), len(codes)) for v in r] for r in (first, second)]
    else:
        rows = [[np.nan if v is None else float(v) for v in r] for r in (first, second)]
    data = np.array(rows, dtype=float)
    try:  # 0/0 when the pairable values cannot disagree (one pair, or all equal): undefined, said as None
        with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
            warnings.simplefilter("ignore", RuntimeWarning)
            value = float(krippendorff.alpha(reliability_data=data, level_of_measurement=level))
    except ValueError:  # fewer than two values in the domain, or no pairable item
        return None
    return None if math.isnan(value) else value


@dataclass(frozen=True)
class AgreementRow:
    field: str
    level: str
    analysts: tuple[str, str]
    items: int
    kappa: float | None
    alpha: float | None
    poor: bool
    few_items: bool


def _value(field: str, value: Any) -> Any:
    if field == "params" and value is not None:
        return math.log10(value)
    return value


def paired_values(session: Session) -> dict[tuple[str, tuple[str, str]], tuple[list, list]]:
    """(field, analyst pair) -> the two analysts' values, item by item, over every fully submitted extraction."""
    requests = session.exec(select(ExtractionRequest).where(ExtractionRequest.status != "open")).all()
    extractions = defaultdict(list)
    for row in session.exec(select(Extraction).where(Extraction.request_id.in_([r.id for r in requests]))):
        extractions[row.request_id].append(row)
    pairs: dict[tuple[str, tuple[str, str]], tuple[list, list]] = {}
    for _request_id, rows in sorted(extractions.items()):
        if len(rows) != 2:
            continue
        a, b = sorted(rows, key=lambda r: r.analyst)
        pair = (a.analyst, b.analyst)
        for field, (_level, scope) in FIELDS.items():
            if scope == "claim":
                units = [(a.values["claim"], b.values["claim"])]
            else:
                keys = sorted(set(a.values["results"]) & set(b.values["results"]))
                units = [(a.values["results"][k], b.values["results"][k]) for k in keys]
            first, second = pairs.setdefault((field, pair), ([], []))
            for x, y in units:
                first.append(_value(field, x.get(field)))
                second.append(_value(field, y.get(field)))
    return pairs


def agreement(session: Session) -> list[AgreementRow]:
    """Per field and analyst pair: items, kappa, alpha and the poor-agreement flag."""
    out = []
    for (field, pair), (first, second) in sorted(paired_values(session).items()):
        level = FIELDS[field][0]
        kappa = cohen_kappa(first, second) if level == "nominal" else None
        alpha = krippendorff_alpha(first, second, level)
        judged = alpha if alpha is not None else kappa
        poor = judged is not None and judged < POOR
        out.append(AgreementRow(field, level, pair, len(first), kappa, alpha, poor, len(first) < FEW_ITEMS))
    return out


def agreement_rows(session: Session) -> list[dict[str, Any]]:
    """agreement() as plain dicts (JSON, the report's captured evidence)."""
    return [{**asdict(row), "analysts": list(row.analysts)} for row in agreement(session)]
