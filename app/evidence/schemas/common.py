"""What every entity's schemas share: the strict input base, keys, text and unit types, identifier normalisers,
the bookkeeping of read models (RowMeta, revisions), the filter sides and the list envelope.

Every write into the store passes through an entity's input model (app/evidence/schemas/<entity>.py), used by the
seed loader, the REST API and the web forms alike, so a rule (a parameter range, a key format, the basis of a
parameter count) is stated once.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Annotated, Any, Generic, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    create_model,
    field_validator,
)

from app.evidence.enums import (
    EvaluationStandard,
    Outcome,
    SafetyImpact,
    SourceKind,
    Stance,
)
from app.evidence.sizes import size_or_none

Key = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_.\-]*$", min_length=1, max_length=120)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200_000)]
Unit = Annotated[float, Field(ge=0.0, le=1.0)]

MAX_EXTRA_CHARS = 50_000
MAX_PARAMS = 1e16  # ten thousand trillion: far above any model, low enough to catch unit slips
WEB_ADDRESS = re.compile(r"https?://[^\s/?#]+\S*", re.IGNORECASE)  # what a source's url may be: http(s) only

# A parameter count as people write it (70B, 1.3e9, 70 billion), read by the one parser of sizes.
Params = Annotated[Annotated[float, Field(gt=0, le=MAX_PARAMS)] | None, BeforeValidator(size_or_none)]


def normalize_doi(value: str | None) -> str | None:
    """Lower-case a DOI and strip resolver prefixes, so one work has one DOI."""
    if value is None or not value.strip():
        return None
    doi = value.strip()
    doi = re.sub(r"^(https?://(dx\.)?doi\.org/|doi:)", "", doi, flags=re.IGNORECASE)
    if not re.fullmatch(r"10\.\d{4,9}/\S+", doi):
        raise ValueError(f"not a DOI: {value!r} (expected 10.<registrant>/<suffix>)")
    return doi.lower()


def normalize_arxiv_id(value: str | None) -> str | None:
    """Strip 'arXiv:' and a version suffix: 2502.04878v2 -> 2502.04878."""
    if value is None or not str(value).strip():
        return None
    ident = re.sub(r"^(arxiv:|https?://arxiv\.org/abs/)", "", str(value).strip(), flags=re.IGNORECASE)
    ident = re.sub(r"v\d+$", "", ident)
    if not re.fullmatch(r"\d{4}\.\d{4,5}|[a-z\-]+(\.[A-Z]{2})?/\d{7}", ident):
        raise ValueError(f"not an arXiv identifier: {value!r}")
    return ident


def normalize_title(title: str) -> str:
    """Fold case, accents, punctuation and spacing: the form used to find duplicate titles."""
    folded = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", " ", folded).strip()


def _has_nul(value: object) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, list | tuple):
        return any(_has_nul(item) for item in value)
    return False


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="before")
    @classmethod
    def _no_nul_characters(cls, value: object, info: ValidationInfo) -> object:
        """A NUL character cannot be stored (PostgreSQL refuses it): refuse it here, naming the field.
        And true/false is not a number (pydantic would read it as 1/0)."""
        if _has_nul(value):
            raise ValueError("text must not contain NUL (\\x00) characters")
        if isinstance(value, bool) and "bool" not in str(cls.model_fields[info.field_name].annotation):
            raise ValueError("true or false is not a value of this field")
        return value


def _utc(moment: dt.datetime) -> dt.datetime:
    """Stored times are UTC; SQLite hands them back naive."""
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment


UtcTime = Annotated[dt.datetime, AfterValidator(_utc)]


class RowMeta(BaseModel):
    """Bookkeeping that every evidence row carries; `version` is its ETag."""

    id: int
    key: str
    version: int
    created_at: UtcTime
    updated_at: UtcTime
    deleted_at: UtcTime | None = None


class RevisionPublic(BaseModel):
    """One write to a row: who, when, and field -> [before, after]."""

    id: int
    action: str
    version: int
    actor: str
    user_id: int | None = None
    at: UtcTime
    changes: dict
    note: str | None = None


MAX_VALUES = 50


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("NUL bytes are not allowed")
    return value


Word = Annotated[str, StringConstraints(min_length=1, max_length=500), AfterValidator(_no_nul)]


def _values(description: str):
    return Field(default=None, max_length=MAX_VALUES, description=description)


Words = list[Word] | None


Keys = list[Key] | None


Year = Annotated[int | None, Field(default=None, ge=0, le=9999)]


UnitBound = Annotated[float | None, Field(default=None, ge=0, le=1, allow_inf_nan=False)]


ParamsBound = Annotated[
    Annotated[float, Field(ge=0, le=1e20)] | None, BeforeValidator(size_or_none), Field(default=None)
]


class _Filters(BaseModel):
    model_config = ConfigDict(extra="ignore")

    key: Keys = _values("Only rows with these keys.")
    include_deleted: bool = Field(False, description="Also soft-deleted rows (admins only).")


class _SourceSide(BaseModel):
    organization: Words = _values("Organization of the source (case-insensitive, exact).")
    year_min: Year = Field(None, description="Source published in this year or later.")
    year_max: Year = Field(None, description="Source published in this year or earlier.")


class _ResultSide(BaseModel):
    band: Keys = _values("Scale band of a result (e.g. `10b-100b`).")
    outcome: list[Outcome] | None = _values("Outcome of a result.")
    evaluation_standard: list[EvaluationStandard] | None = _values("How a result's validity was judged.")
    safety_impact: list[SafetyImpact] | None = _values("Safety impact of a result.")
    params_min: ParamsBound = Field(None, description="A result whose parameter count or range reaches this size.")
    params_max: ParamsBound = Field(None, description="A result whose parameter count or range starts at or below.")


class _ClaimSide(BaseModel):
    aspect: Keys = _values("Aspect of the claim (features, circuits, ...).")
    question: Keys = _values("Research question of the claim (q1, q2, ...).")
    stance: list[Stance] | None = _values("Stance of the claim.")
    source: Keys = _values("Key of the claim's source.")
    source_kind: list[SourceKind] | None = _values("Kind of the claim's source (paper, preprint, blog, ...).")
    q: Word | None = Field(None, description="Full-text search over claim text, quote and source title.")


T = TypeVar("T")


class ListEnvelope(BaseModel, Generic[T]):
    data: list[T]
    count: int | None = Field(
        description="Rows matching the filters, on the first page (without cursor); null on later pages."
    )
    next_cursor: str | None = Field(description="Pass as ?cursor= for the next page; null on the last page.")


class RevisionsPublic(BaseModel):
    """The revisions of one row, oldest first."""

    data: list[RevisionPublic]
    count: int


def _bounded(info) -> Any:
    """A field's type with its constraints (ge, max_length, ...) attached, as pydantic keeps them apart."""
    return Annotated[info.annotation, *info.metadata] if info.metadata else info.annotation


def partial_model(model: type[BaseModel], name: str, doc: str) -> type[BaseModel]:
    """Every field of `model`, optional and without default: the body of a PATCH (JSON merge patch). Each keeps
    its bounds (minimum, length, items), so the PATCH schema is no looser than the full write it merges into."""
    fields: dict[str, Any] = {
        field_name: (_bounded(info) | None, Field(None, description=info.description))
        for field_name, info in model.model_fields.items()
    }
    patch = create_model(name, __config__=ConfigDict(extra="forbid"), __doc__=doc, **fields)
    return patch
