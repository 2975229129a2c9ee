"""Response models of the API that are not an entity's (each entity's In, Public, Detail, Filters, Patch and list
envelope live in app/evidence/schemas/): the stats shape."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


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
