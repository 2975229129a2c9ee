"""A result's schemas: ResultIn (inside a claim), ResultCreate (on its own, with its claim's key), ResultPatch,
ResultPublic, ResultFilters and the list envelope ResultsPublic."""

from __future__ import annotations

from typing import Self

from pydantic import (
    ConfigDict,
    Field,
    StrictBool,
    field_validator,
    model_validator,
)

from app.evidence.enums import (
    EvaluationStandard,
    Outcome,
    ParamsBasis,
    SafetyImpact,
    SizeEstimateKind,
    Winner,
)
from app.evidence.schemas.common import (
    Key,
    Keys,
    ListEnvelope,
    Params,
    RowMeta,
    ShortText,
    StrictModel,
    Words,
    _ClaimSide,
    _Filters,
    _ResultSide,
    _SourceSide,
    _values,
    partial_model,
)


class ResultPublic(RowMeta):
    claim: str
    claim_id: int
    model_name: str
    model_family: str | None = None
    params_basis: str
    params: float | None = None
    params_low: float | None = None
    params_high: float | None = None
    params_note: str | None = None
    params_estimate_kind: str | None = None
    method: str | None = None
    task: str | None = None
    metric_name: str | None = None
    metric_value: float | None = None
    metric_unit: str | None = None
    baseline_name: str | None = None
    baseline_value: float | None = None
    baseline_method: str | None = None
    winner: str | None = None
    higher_is_better: bool | None = None
    outcome: str
    reach_outcome: str | None = None
    evaluation_standard: str | None = None
    sample_size: int | None = None
    safety_impact: str
    baseline_safety_impact: str = "not_applicable"
    safety_metric: str | None = None
    notes: str | None = None
    bands: list[str]

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 41,
                    "key": "lieberum2024.gemma-scope-suite.r3",
                    "version": 1,
                    "created_at": "2026-12-01T14:00:00Z",
                    "updated_at": "2026-12-01T14:00:00Z",
                    "deleted_at": None,
                    "claim": "lieberum2024.gemma-scope-suite",
                    "claim_id": 17,
                    "model_name": "Gemma-2-27B",
                    "params_basis": "disclosed",
                    "params": 2.72e10,
                    "method": "sae",
                    "outcome": "not_assessed",
                    "reach_outcome": "success",
                    "evaluation_standard": "internal_metric",
                    "sample_size": None,
                    "safety_impact": "not_applicable",
                    "baseline_safety_impact": "not_applicable",
                    "bands": ["mid"],
                }
            ]
        }
    )


class ResultIn(StrictModel):
    key: Key
    model_name: ShortText
    model_family: str | None = Field(default=None, max_length=200)
    params_basis: ParamsBasis
    params: Params = None
    params_low: Params = None
    params_high: Params = None
    params_note: str | None = Field(default=None, max_length=2000)
    params_estimate_kind: SizeEstimateKind | None = None
    method: Key | None = None
    task: str | None = Field(default=None, max_length=500)
    metric_name: str | None = Field(default=None, max_length=200)
    metric_value: float | None = None
    metric_unit: str | None = Field(default=None, max_length=50)
    baseline_name: str | None = Field(default=None, max_length=200)
    baseline_value: float | None = None
    baseline_method: Key | None = None
    winner: Winner | None = None
    higher_is_better: StrictBool | None = None
    outcome: Outcome = Field(description="Validity: did the method work there; not_assessed for a reach-only result.")
    reach_outcome: Outcome | None = Field(
        default=None, description="Could the method be applied at that scale (never not_assessed)."
    )
    evaluation_standard: EvaluationStandard | None = Field(
        default=None, description="How validity was judged (empty: not recorded); see docs/data-model.md."
    )
    sample_size: int | None = Field(
        default=None, ge=1, le=10**9, description="Tasks, datasets, items or runs the result aggregates."
    )
    safety_impact: SafetyImpact = Field(
        default=SafetyImpact.not_applicable,
        description="none: safety measured, no effect; not_applicable: safety not measured.",
    )
    baseline_safety_impact: SafetyImpact = SafetyImpact.not_applicable
    safety_metric: str | None = Field(default=None, max_length=500)
    notes: str | None = Field(default=None, max_length=20_000)

    @field_validator("reach_outcome")
    @classmethod
    def _reach_is_assessed(cls, value: Outcome | None) -> Outcome | None:
        if value is Outcome.not_assessed:
            raise ValueError("reach cannot be not_assessed: applying the method at that scale worked or it did not")
        return value

    @model_validator(mode="after")
    def _params_follow_basis(self) -> Self:  # noqa: C901 - one rule per size basis, each stated where a reader looks for it
        low, high, point = self.params_low, self.params_high, self.params
        if high is not None and low is None:
            raise ValueError("params_high needs params_low (give only params_low for an open-ended 'at least')")
        if low is not None and high is None and self.params_basis is not ParamsBasis.undisclosed:
            raise ValueError("only an undisclosed size may be an open-ended bound; give params_high too")
        if low is not None and high is not None and low > high:
            raise ValueError(f"params_low ({low:g}) is above params_high ({high:g})")
        if self.params_estimate_kind is not None and self.params_basis is ParamsBasis.disclosed:
            raise ValueError("a disclosed parameter count is not an estimate; leave params_estimate_kind empty")
        if self.params_basis is ParamsBasis.undisclosed and low is not None:
            if self.params_estimate_kind is None:
                raise ValueError("an estimated range for an undisclosed size needs params_estimate_kind (its basis)")
            if not self.params_note:
                raise ValueError("an estimated range for an undisclosed size needs its cited basis in params_note")
        if self.winner is not None and not (self.baseline_method or self.baseline_name):
            raise ValueError("winner needs the baseline it was compared with (baseline_method or baseline_name)")
        if self.params_basis is ParamsBasis.disclosed:
            if point is None:
                raise ValueError("a disclosed parameter count needs params (a number > 0)")
            if low is not None and not (low <= point <= high):
                raise ValueError("a disclosed params must lie within params_low..params_high")
            if low is None:
                self.params_low = self.params_high = point
        elif self.params_basis is ParamsBasis.estimated:
            if point is None or low is None:
                raise ValueError("an estimated parameter count needs params and params_low..params_high")
            if not (low <= point <= high):
                raise ValueError("the estimate params must lie within params_low..params_high")
            if not self.params_note:
                raise ValueError("an estimated parameter count needs its basis in params_note")
        elif point is not None:
            raise ValueError("an undisclosed parameter count has no params point; give a range or nothing")
        return self


class ResultFilters(_Filters, _ClaimSide, _SourceSide, _ResultSide):
    """Results; aspect, question, stance, source, year, organization and q apply to the result's claim."""

    claim: Keys = _values("Key of the result's claim.")
    method: Keys = _values("Method of the result.")
    params_basis: list[ParamsBasis] | None = _values("How the parameter count is known.")
    model: Words = _values("Model name (case-insensitive, exact).")
    model_family: Words = _values("Model family (case-insensitive, exact).")


class ResultsPublic(ListEnvelope[ResultPublic]):
    """A page of results."""


class ResultCreate(ResultIn):
    """A result created on its own: the result's fields and the key of its claim."""

    claim: Key = Field(description="Key of the claim the result belongs to.")

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "claim": "karvonen2025.matryoshka-advantage-grows",
                    "key": "karvonen2025.matryoshka-advantage-grows.r2",
                    "model_name": "Gemma-2-9B",
                    "params_basis": "disclosed",
                    "params": 9.2e9,
                    "method": "sae",
                    "outcome": "partial",
                    "evaluation_standard": "mechanistic_comparison",
                    "safety_impact": "not_applicable",
                }
            ]
        }
    )


ResultPatch = partial_model(ResultIn, "ResultPatch", "Fields of a result to change; the rest are kept.")
