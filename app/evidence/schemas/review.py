"""Input of a dual extraction: one analyst's reading of a claim (stance, confidence) and of each result."""

from __future__ import annotations

from typing import Self

from pydantic import Field, model_validator

from app.evidence.enums import EvaluationStandard, Outcome, ParamsBasis, SafetyImpact, SizeEstimateKind, Stance
from app.evidence.schemas.common import Key, Params, StrictModel, Unit


class ResultExtraction(StrictModel):
    """One analyst's reading of a result: its outcome, and its size with the basis, as the claim form takes it
    (a disclosed count, an estimate within a range, or an undisclosed size with an estimated range or bound)."""

    outcome: Outcome
    evaluation_standard: EvaluationStandard | None = None  # optional, so extractions saved before it still read
    safety_impact: SafetyImpact
    params_basis: ParamsBasis
    params: Params = None
    params_low: Params = None
    params_high: Params = None
    params_estimate_kind: SizeEstimateKind | None = None
    params_note: str | None = Field(default=None, max_length=2000)
    method: Key | None = None

    @model_validator(mode="after")
    def _params_follow_basis(self) -> Self:
        low, high, point, basis = self.params_low, self.params_high, self.params, self.params_basis
        if basis is ParamsBasis.undisclosed and point is not None:
            raise ValueError("an undisclosed parameter count has no params; give a range or nothing")
        if basis is not ParamsBasis.undisclosed and point is None:
            raise ValueError(f"a {basis.value} parameter count needs params")
        if high is not None and low is None:
            raise ValueError("params_high needs params_low")
        if low is not None and high is not None and low > high:
            raise ValueError("the low end of the range is above its high end")
        if basis is ParamsBasis.estimated and (low is None or high is None or not low <= point <= high):
            raise ValueError("an estimated parameter count lies within params_low..params_high")
        if basis is not ParamsBasis.disclosed and low is not None and not self.params_note:
            raise ValueError("an estimated size needs its cited basis in params_note")
        if basis is ParamsBasis.undisclosed and low is not None and self.params_estimate_kind is None:
            raise ValueError("an estimated range for an undisclosed size needs params_estimate_kind (its basis)")
        if basis is ParamsBasis.disclosed and self.params_estimate_kind is not None:
            raise ValueError("a disclosed parameter count is not an estimate; leave params_estimate_kind empty")
        return self


class ClaimExtraction(StrictModel):
    stance: Stance
    confidence: Unit


class ExtractionIn(StrictModel):
    """What an analyst extracts: the claim's stance and confidence, and each result by its key."""

    claim: ClaimExtraction
    results: dict[Key, ResultExtraction] = Field(default_factory=dict)


class RequestIn(StrictModel):
    """A reviewer's request for a dual extraction: the two analysts (usernames) and what to look at."""

    first_analyst: str = Field(min_length=1, max_length=100)
    second_analyst: str = Field(min_length=1, max_length=100)
    note: str | None = Field(default=None, max_length=5000)


class ResolutionIn(StrictModel):
    """An editor's value for each field that differs ("claim.stance", "results.<key>.outcome", ...): one of the
    analysts' values, or the editor's own with a reason."""

    choices: dict[str, str | float | None] = Field(default_factory=dict, max_length=2000)
    reason: str | None = Field(
        default=None, max_length=5000, description="Why, when a value is the editor's own rather than an analyst's."
    )
