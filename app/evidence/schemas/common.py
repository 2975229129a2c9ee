"""Input schemas shared by the seed loader, the REST API and the web forms.

Every write into the store passes through one of these models, so a rule (a parameter range,
a key format, the basis of a parameter count) is stated once.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from typing import Annotated, Any, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

from app.evidence.enums import (
    ClaimKind,
    ClaimStatus,
    CritiqueKind,
    CritiqueStatus,
    MethodFamily,
    Outcome,
    ParamsBasis,
    SafetyImpact,
    SizeEstimateKind,
    SourceKind,
    Stance,
    Verification,
    Winner,
)

Key = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_.\-]*$", min_length=1, max_length=120)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200_000)]
Unit = Annotated[float, Field(ge=0.0, le=1.0)]

MAX_EXTRA_CHARS = 50_000
MAX_PARAMS = 1e16  # ten thousand trillion: far above any model, low enough to catch unit slips


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


class SourceIn(StrictModel):
    key: Key
    kind: SourceKind
    title: ShortText
    authors: list[ShortText] = Field(default_factory=list)
    year: int | None = Field(default=None, ge=1900, le=2100)
    published_date: dt.date | None = None
    venue: str | None = Field(default=None, max_length=500)
    organization: str | None = Field(default=None, max_length=500)
    url: str | None = Field(default=None, max_length=2000)
    doi: str | None = None
    arxiv_id: str | None = None
    peer_reviewed: StrictBool = False
    verification: Verification = Verification.partial
    report_labels: list[ShortText] = Field(default_factory=list)
    notes: str | None = Field(default=None, max_length=20_000)
    extra: dict[str, Any] = Field(
        default_factory=dict,
        description="Fields of an imported reference that no column holds (e.g. BibTeX `pages`), kept as they came.",
    )

    _doi = field_validator("doi")(lambda cls, v: normalize_doi(v))
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


class ResultIn(StrictModel):
    key: Key
    model_name: ShortText
    model_family: str | None = Field(default=None, max_length=200)
    params_basis: ParamsBasis
    params: float | None = Field(default=None, gt=0, le=MAX_PARAMS)
    params_low: float | None = Field(default=None, gt=0, le=MAX_PARAMS)
    params_high: float | None = Field(default=None, gt=0, le=MAX_PARAMS)
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
    outcome: Outcome
    reach_outcome: Outcome | None = None
    safety_impact: SafetyImpact = SafetyImpact.not_applicable
    baseline_safety_impact: SafetyImpact = SafetyImpact.not_applicable
    safety_metric: str | None = Field(default=None, max_length=500)
    notes: str | None = Field(default=None, max_length=20_000)

    @model_validator(mode="after")
    def _params_follow_basis(self) -> Self:
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


class ClaimIn(StrictModel):
    key: Key
    source: Key
    text: LongText
    quote: str | None = Field(default=None, max_length=200_000)
    locator: str | None = Field(default=None, max_length=500)
    aspects: list[Key] = Field(min_length=1)
    questions: list[Key] = Field(default_factory=list)
    method: Key | None = None
    stance: Stance
    kind: ClaimKind
    confidence: Unit
    status: ClaimStatus | None = Field(
        default=None,
        description="Omitted: unchanged (a new claim starts as a draft). Changes go through the review workflow.",
    )
    notes: str | None = Field(default=None, max_length=20_000)
    results: list[ResultIn] = Field(default_factory=list)


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
