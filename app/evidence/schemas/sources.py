"""A source's schemas: SourceIn, SourcePatch, SourcePublic, SourceDetail, SourceFilters and the list envelope
SourcesPublic."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, Self

from pydantic import (
    ConfigDict,
    Field,
    StrictBool,
    field_validator,
    model_validator,
)

from app.evidence.enums import (
    SourceKind,
    Verification,
)
from app.evidence.schemas.claims import ClaimPublic
from app.evidence.schemas.common import (
    MAX_EXTRA_CHARS,
    WEB_ADDRESS,
    Key,
    Keys,
    ListEnvelope,
    RowMeta,
    ShortText,
    StrictModel,
    Word,
    _Filters,
    _SourceSide,
    _values,
    normalize_arxiv_id,
    normalize_doi,
    partial_model,
)

MAX_AUTHORS = 5000  # large collaborations list thousands; one request's size is bounded all the same
MAX_LABELS = 100
MAX_EXTRA_FIELDS = 200


class SourcePublic(RowMeta):
    kind: str
    title: str
    authors: list[str]
    year: int | None = None
    published_date: dt.date | None = None
    venue: str | None = None
    organization: str | None = None
    url: str | None = None
    doi: str | None = None
    arxiv_id: str | None = None
    peer_reviewed: bool
    verification: str
    report_labels: list[str]
    notes: str | None = None
    extra: dict = {}

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 3,
                    "key": "karvonen2025_saebench",
                    "version": 1,
                    "created_at": "2026-12-01T14:00:00Z",
                    "updated_at": "2026-12-01T14:00:00Z",
                    "deleted_at": None,
                    "kind": "preprint",
                    "title": "SAEBench: A Comprehensive Benchmark for Sparse Autoencoders",
                    "authors": ["Adam Karvonen"],
                    "year": 2025,
                    "organization": "independent",
                    "arxiv_id": "2503.09532",
                    "peer_reviewed": False,
                    "verification": "yes",
                    "report_labels": ["[1]"],
                }
            ]
        }
    )


class SourceDetail(SourcePublic):
    """A source with the claims it makes."""

    claims: list[ClaimPublic]


class SourceIn(StrictModel):
    key: Key
    kind: SourceKind
    title: ShortText
    authors: list[ShortText] = Field(default_factory=list, max_length=MAX_AUTHORS)
    year: int | None = Field(default=None, ge=1900)
    published_date: dt.date | None = None
    venue: str | None = Field(default=None, max_length=500)
    organization: str | None = Field(default=None, max_length=500)
    url: str | None = Field(default=None, max_length=2000)
    doi: str | None = None
    arxiv_id: str | None = None
    peer_reviewed: StrictBool = False
    verification: Verification = Verification.partial
    report_labels: list[ShortText] = Field(default_factory=list, max_length=MAX_LABELS)
    notes: str | None = Field(default=None, max_length=20_000)
    extra: dict[str, Any] = Field(
        default_factory=dict,
        max_length=MAX_EXTRA_FIELDS,
        description="Fields of an imported reference that no column holds (e.g. BibTeX `pages`), kept as they came.",
    )

    _doi = field_validator("doi")(lambda cls, v: normalize_doi(v))

    @field_validator("year")
    @classmethod
    def _year_is_not_in_the_future(cls, year: int | None) -> int | None:
        """Up to next year: a journal issue or proceedings may carry the coming year's date weeks ahead (a
        December preprint of a January conference); a later year is a typo (2205 for 2025)."""
        latest = dt.datetime.now(dt.UTC).year + 1
        if year is not None and year > latest:
            raise ValueError(f"a source's year is at most {latest} (next year); {year} looks like a typo")
        return year

    @field_validator("url")
    @classmethod
    def _url_is_a_web_address(cls, url: str | None) -> str | None:
        """Only http(s) addresses: a `javascript:` or `data:` URL would run in a reader's browser when followed."""
        if url is not None and not WEB_ADDRESS.fullmatch(url):
            raise ValueError("enter a web address starting with http:// or https://")
        return url

    _arxiv = field_validator("arxiv_id", mode="before")(lambda cls, v: normalize_arxiv_id(v))

    @field_validator("extra")
    @classmethod
    def _extra_is_small_json(cls, value: dict[str, Any]) -> dict[str, Any]:
        if len(json.dumps(value, ensure_ascii=False, default=str)) > MAX_EXTRA_CHARS:
            raise ValueError(f"extra holds more than {MAX_EXTRA_CHARS:,} characters of JSON")
        return value

    @model_validator(mode="after")
    def _date_matches_year(self) -> Self:
        if self.published_date and self.year and self.published_date.year != self.year:
            raise ValueError(f"published_date {self.published_date} is not in year {self.year}")
        return self


class SourceFilters(_Filters, _SourceSide):
    """Sources."""

    kind: list[SourceKind] | None = _values("Kind of source.")
    verification: list[Verification] | None = _values("How far the source was verified.")
    peer_reviewed: bool | None = Field(None, description="Peer-reviewed or not.")
    aspect: Keys = _values("Sources with a live claim on this aspect.")
    q: Word | None = Field(None, description="Full-text search over title (and authors on SQLite).")


class SourcesPublic(ListEnvelope[SourcePublic]):
    """A page of sources."""


SourcePatch = partial_model(SourceIn, "SourcePatch", "Fields of a source to change; the rest are kept.")
