"""A critique's schemas: CritiqueIn, CritiquePatch, CritiquePublic, CritiqueFilters and the list
envelope CritiquesPublic."""

from __future__ import annotations

from typing import Self

from pydantic import (
    Field,
    model_validator,
)

from app.evidence.enums import (
    CritiqueKind,
    CritiqueStatus,
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
    _Filters,
    _values,
    partial_model,
)


class CritiquePublic(RowMeta):
    target: str
    target_claim_id: int
    critic_source: str | None = None
    critic_source_id: int | None = None
    critic_claim: str | None = None
    critic_claim_id: int | None = None
    kind: str
    text: str
    severity: float
    status: str


class CritiqueIn(StrictModel):
    key: Key
    target: Key
    critic_source: Key | None = None
    critic_claim: Key | None = None
    kind: CritiqueKind
    text: LongText
    severity: Unit
    status: CritiqueStatus = CritiqueStatus.open

    @model_validator(mode="after")
    def _has_critic(self) -> Self:
        if self.critic_source is None and self.critic_claim is None:
            raise ValueError("a critique needs critic_source, critic_claim or both")
        if self.critic_claim == self.target:
            raise ValueError("a claim cannot critique itself")
        return self


class CritiqueFilters(_Filters):
    """Critiques."""

    target: Keys = _values("Key of the claim critiqued.")
    critic_source: Keys = _values("Key of the critic source.")
    kind: list[CritiqueKind] | None = _values("Kind of critique.")
    status: list[CritiqueStatus] | None = _values("Status of the critique.")
    aspect: Keys = _values("Critiques of claims on this aspect.")
    severity_min: UnitBound = Field(None, description="Severity at least this.")
    severity_max: UnitBound = Field(None, description="Severity at most this.")


class CritiquesPublic(ListEnvelope[CritiquePublic]):
    """A page of critiques."""


CritiquePatch = partial_model(CritiqueIn, "CritiquePatch", "Fields of a critique to change; the rest are kept.")
