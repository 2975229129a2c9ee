"""A claim's schemas: ClaimIn (create and replace, with its results), ClaimPatch, ClaimPublic, ClaimDetail, ClaimFilters
and the list envelope ClaimsPublic."""

from __future__ import annotations

from pydantic import (
    ConfigDict,
    Field,
)

from app.evidence.enums import (
    ClaimKind,
    ClaimStatus,
    Stance,
)
from app.evidence.schemas.common import (
    Key,
    Keys,
    ListEnvelope,
    LongText,
    RowMeta,
    StrictModel,
    Unit,
    UnitBound,
    _ClaimSide,
    _Filters,
    _ResultSide,
    _SourceSide,
    _values,
    partial_model,
)
from app.evidence.schemas.critiques import CritiquePublic
from app.evidence.schemas.results import ResultIn, ResultPublic

MAX_ASPECTS = 32  # one request's size is bounded everywhere (docs/security.md, "Request size and expensive reads")
MAX_QUESTIONS = 64
MAX_RESULTS = 500


class ClaimPublic(RowMeta):
    source: str
    source_id: int
    source_title: str
    text: str
    quote: str | None = None
    locator: str | None = None
    aspects: list[str]
    questions: list[str]
    method: str | None = None
    stance: str
    kind: str
    confidence: float
    status: str
    notes: str | None = None

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 12,
                    "key": "karvonen2025.matryoshka-advantage-grows",
                    "version": 2,
                    "created_at": "2026-12-01T14:00:00Z",
                    "updated_at": "2026-12-02T09:30:00Z",
                    "deleted_at": None,
                    "source": "karvonen2025_saebench",
                    "source_id": 3,
                    "source_title": "SAEBench: A Comprehensive Benchmark for Sparse Autoencoders",
                    "text": "Matryoshka SAEs ... advantage grows with SAE scale.",
                    "quote": "this advantage grows with SAE scale",
                    "locator": "abstract",
                    "aspects": ["features"],
                    "questions": ["q1"],
                    "method": "sae",
                    "stance": "supports",
                    "kind": "finding",
                    "confidence": 0.85,
                    "status": "reviewed",
                }
            ]
        }
    )


class ClaimDetail(ClaimPublic):
    """A claim with its results and the critiques that target it."""

    results: list[ResultPublic]
    critiques: list[CritiquePublic]


class ClaimIn(StrictModel):
    key: Key
    source: Key
    text: LongText
    quote: str | None = Field(default=None, max_length=200_000)
    locator: str | None = Field(default=None, max_length=500)
    aspects: list[Key] = Field(min_length=1, max_length=MAX_ASPECTS, description=f"1 to {MAX_ASPECTS} aspect keys.")
    questions: list[Key] = Field(
        default_factory=list, max_length=MAX_QUESTIONS, description=f"At most {MAX_QUESTIONS} question keys."
    )
    method: Key | None = None
    stance: Stance
    kind: ClaimKind
    confidence: Unit
    status: ClaimStatus | None = Field(
        default=None,
        description="Omitted: unchanged (a new claim starts as a draft). Changes go through the review workflow.",
    )
    notes: str | None = Field(default=None, max_length=20_000)
    results: list[ResultIn] = Field(
        default_factory=list,
        max_length=MAX_RESULTS,
        description=f"At most {MAX_RESULTS} results a claim (a bound on the work of one request: docs/security.md).",
    )


class ClaimFilters(_Filters, _ClaimSide, _SourceSide, _ResultSide):
    """Claims; band, outcome, safety impact and the params range apply to one live result of the claim."""

    method: Keys = _values("Method of the claim (sae, probing, ...).")
    kind: list[ClaimKind] | None = _values("Kind of claim.")
    status: list[ClaimStatus] | None = _values("Review status of the claim.")
    confidence_min: UnitBound = Field(None, description="Analyst confidence at least this.")
    confidence_max: UnitBound = Field(None, description="Analyst confidence at most this.")


class ClaimsPublic(ListEnvelope[ClaimPublic]):
    """A page of claims."""


ClaimPatch = partial_model(
    ClaimIn, "ClaimPatch", "Fields of a claim to change; the rest are kept. `results`, when given, replaces the list."
)
