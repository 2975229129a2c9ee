"""Request and response models of the API that are not the store's own input schemas.

Inputs reuse app.evidence.schemas (SourceIn, ClaimIn, ResultIn, CritiqueIn); reads are the read
models of app.evidence.services.views. Here: the list envelopes XsPublic{data, count, next_cursor},
ResultCreate (a result with the key of its claim), the partial models of PATCH and the stats shape.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, create_model

from app.evidence.schemas.common import ClaimIn, CritiqueIn, Key, ResultIn, SourceIn
from app.evidence.services.read import (
    ClaimDetail,
    ClaimPublic,
    CritiquePublic,
    ResultPublic,
    RevisionPublic,
    SourceDetail,
    SourcePublic,
)

__all__ = [
    "ClaimDetail",
    "ClaimPublic",
    "CritiquePublic",
    "ResultPublic",
    "RevisionPublic",
    "SourceDetail",
    "SourcePublic",
]

T = TypeVar("T")


class ListEnvelope(BaseModel, Generic[T]):
    data: list[T]
    count: int | None = Field(
        description="Rows matching the filters, on the first page (without cursor); null on later pages."
    )
    next_cursor: str | None = Field(description="Pass as ?cursor= for the next page; null on the last page.")


class SourcesPublic(ListEnvelope[SourcePublic]):
    """A page of sources."""


class ClaimsPublic(ListEnvelope[ClaimPublic]):
    """A page of claims."""


class ResultsPublic(ListEnvelope[ResultPublic]):
    """A page of results."""


class CritiquesPublic(ListEnvelope[CritiquePublic]):
    """A page of critiques."""


class RevisionsPublic(BaseModel):
    """The revisions of one row, oldest first."""

    data: list[RevisionPublic]
    count: int


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
                    "safety_impact": "none",
                }
            ]
        }
    )


def partial_model(model: type[BaseModel], name: str, doc: str) -> type[BaseModel]:
    """Every field of `model`, optional and without default: the body of a PATCH (JSON merge patch)."""
    fields: dict[str, Any] = {
        field_name: (info.annotation | None, Field(None, description=info.description))
        for field_name, info in model.model_fields.items()
    }
    patch = create_model(name, __config__=ConfigDict(extra="forbid"), __doc__=doc, **fields)
    return patch


SourcePatch = partial_model(SourceIn, "SourcePatch", "Fields of a source to change; the rest are kept.")
ClaimPatch = partial_model(
    ClaimIn, "ClaimPatch", "Fields of a claim to change; the rest are kept. `results`, when given, replaces the list."
)
ResultPatch = partial_model(ResultIn, "ResultPatch", "Fields of a result to change; the rest are kept.")
CritiquePatch = partial_model(CritiqueIn, "CritiquePatch", "Fields of a critique to change; the rest are kept.")


class FacetValue(BaseModel):
    value: str | int | None
    count: int


class Stats(BaseModel):
    """Totals and facet counts of the live evidence matching the filters."""

    totals: dict[str, int]
    facets: dict[str, list[FacetValue]]

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "totals": {"claims": 86, "sources": 27, "results": 47},
                    "facets": {
                        "aspect": [{"value": "features", "count": 50}, {"value": "circuits", "count": 35}],
                        "outcome": [{"value": "failure", "count": 20}, {"value": "success", "count": 15}],
                    },
                }
            ]
        }
    )
