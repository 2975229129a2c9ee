"""Input of a dual extraction: one analyst's reading of a claim (stance, confidence) and of each result."""

from __future__ import annotations

from typing import Self

from pydantic import Field, model_validator

from app.evidence.enums import Outcome, ParamsBasis, SafetyImpact, Stance
from app.evidence.schemas.common import Key, Params, StrictModel, Unit


class ResultExtraction(StrictModel):
    outcome: Outcome
    safety_impact: SafetyImpact
    params_basis: ParamsBasis
    params: Params = None
    method: Key | None = None

    @model_validator(mode="after")
    def _params_follow_basis(self) -> Self:
        if self.params_basis is ParamsBasis.undisclosed and self.params is not None:
            raise ValueError("an undisclosed parameter count has no params")
        if self.params_basis is not ParamsBasis.undisclosed and self.params is None:
            raise ValueError(f"a {self.params_basis.value} parameter count needs params")
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
    """An editor's value for each field that differs ("claim.stance", "results.<key>.outcome", ...)."""

    choices: dict[str, str | float | None] = Field(default_factory=dict, max_length=2000)
