"""Input schemas of the vocabularies: aspects, research questions, scale bands and methods."""

from __future__ import annotations

from typing import Self

from pydantic import (
    Field,
    model_validator,
)

from app.evidence.enums import (
    MethodFamily,
)
from app.evidence.schemas.common import Key, LongText, ShortText, StrictModel


class AspectIn(StrictModel):
    key: Key
    name: ShortText
    description: str = ""
    sort_order: int = 0


class QuestionIn(StrictModel):
    key: Key
    number: int = Field(ge=1, le=99)
    title: ShortText
    text: LongText


class BandIn(StrictModel):
    key: Key
    name: ShortText
    min_params: float | None = Field(default=None, ge=0)
    max_params: float | None = Field(default=None, gt=0)
    sort_order: int = 0

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.min_params is not None and self.max_params is not None and self.min_params >= self.max_params:
            raise ValueError("min_params must be below max_params")
        return self


class MethodIn(StrictModel):
    key: Key
    name: ShortText
    family: MethodFamily
    description: str = ""
