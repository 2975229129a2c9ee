"""What the filters of the evidence lists mean in SQL (the filter models are each entity's XFilters in
app/evidence/schemas/).

The models are read straight from a query string by FastAPI (`Annotated[ClaimFilters, Query()]`)
and built by hand by the pages and tests (`ClaimFilters(aspect=["circuits"], year_min=2024)`).
A list field matches any of its values; different fields must all match. Every value is bound as
a parameter, never spliced into SQL. A value is checked as the OpenAPI schema states it (FastAPI
derives the schema from these same types): a key (of a row or of a vocabulary entry) has the key
format of app.evidence.schemas, text is 1 to 500 characters without NUL bytes, numbers are bounded
and finite. A value that cannot match anything is a 422 naming the parameter, not an empty answer.
"""

from __future__ import annotations

from pydantic import BaseModel
from sqlalchemy import ColumnElement, exists, func, select, true
from sqlmodel import Session

from app.evidence import search
from app.evidence.errors import EvidenceError
from app.evidence.models import (
    Aspect,
    Claim,
    ClaimAspect,
    ClaimQuestion,
    Critique,
    Method,
    ResearchQuestion,
    Result,
    ResultBand,
    ScaleBand,
    Source,
)
from app.evidence.schemas.claims import ClaimFilters
from app.evidence.schemas.critiques import CritiqueFilters
from app.evidence.schemas.results import ResultFilters
from app.evidence.schemas.sources import SourceFilters
from app.evidence.services.visibility import visible


def _live(model, include_deleted: bool) -> ColumnElement[bool]:
    return true() if include_deleted else model.deleted_at.is_(None)


def _in_ci(column, values: list[str]) -> ColumnElement[bool]:
    return func.lower(column).in_([v.lower() for v in values])


def _exists(inner, *conditions: ColumnElement[bool]) -> ColumnElement[bool]:
    """A correlated EXISTS over `inner`: checked row by row along the list's order, so a page stops after
    its last row instead of materialising every match first (what keeps deep pages cheap on SQLite).

    `inner` is never correlated, so the EXISTS stays right inside queries that join the same table
    (the facet counts join result_band, claim_aspect, source and result around these filters)."""
    return exists().where(*conditions).correlate_except(inner)


def _source_conditions(f: ClaimFilters | ResultFilters | SourceFilters) -> list[ColumnElement[bool]]:
    """Conditions on a source's kind, organization and year (of a claim's source, or a source itself)."""
    conditions = []
    if getattr(f, "source_kind", None):
        conditions.append(Source.kind.in_([k.value for k in f.source_kind]))
    if f.organization:
        conditions.append(_in_ci(Source.organization, f.organization))
    if f.year_min is not None:
        conditions.append(Source.year >= f.year_min)
    if f.year_max is not None:
        conditions.append(Source.year <= f.year_max)
    return conditions


def result_side_conditions(f: ClaimFilters | ResultFilters) -> list[ColumnElement[bool]]:
    """Conditions on one result: band, outcome, evaluation standard, safety impact, parameter range."""
    conditions = []
    if f.band:
        conditions.append(_exists(ResultBand, ResultBand.result_id == Result.id, ResultBand.band_key.in_(f.band)))
    if f.outcome:
        conditions.append(Result.outcome.in_([o.value for o in f.outcome]))
    if f.evaluation_standard:
        conditions.append(Result.evaluation_standard.in_([s.value for s in f.evaluation_standard]))
    if f.safety_impact:
        conditions.append(Result.safety_impact.in_([s.value for s in f.safety_impact]))
    if f.params_min is not None:
        conditions.append(Result.params_high >= f.params_min)
    if f.params_max is not None:
        conditions.append(Result.params_low <= f.params_max)
    return conditions


def _claim_side(dialect: str, f: ClaimFilters | ResultFilters) -> list[ColumnElement[bool]]:
    """Conditions on a claim that claims and results share: aspect, question, stance, source, q."""
    conditions = []
    if f.aspect:
        conditions.append(_exists(ClaimAspect, ClaimAspect.claim_id == Claim.id, ClaimAspect.aspect_key.in_(f.aspect)))
    if f.question:
        conditions.append(
            _exists(ClaimQuestion, ClaimQuestion.claim_id == Claim.id, ClaimQuestion.question_key.in_(f.question))
        )
    if f.stance:
        conditions.append(Claim.stance.in_([v.value for v in f.stance]))
    if f.source:  # few rows: found through the source_id index
        conditions.append(Claim.source_id.in_(select(Source.id).where(Source.key.in_(f.source))))
    if source := _source_conditions(f):
        conditions.append(_exists(Source, Source.id == Claim.source_id, *source))
    if f.q is not None:
        conditions.append(search.claim_condition(dialect, f.q))
    return conditions


def claim_conditions(dialect: str, f: ClaimFilters, *, published_only: bool = False) -> list[ColumnElement[bool]]:
    """The WHERE conditions of a claim list (also used by the facet counts of app.evidence.stats).

    published_only: the reader sees published claims only (app/evidence/services/visibility.py)."""
    conditions = [_live(Claim, f.include_deleted), *visible(Claim, published_only), *_claim_side(dialect, f)]
    if f.key:
        conditions.append(Claim.key.in_(f.key))
    if f.method:
        conditions.append(Claim.method_key.in_(f.method))
    for name in ("kind", "status"):
        if getattr(f, name):
            conditions.append(getattr(Claim, name).in_([v.value for v in getattr(f, name)]))
    if f.confidence_min is not None:
        conditions.append(Claim.confidence >= f.confidence_min)
    if f.confidence_max is not None:
        conditions.append(Claim.confidence <= f.confidence_max)
    if result := result_side_conditions(f):
        conditions.append(_exists(Result, Result.claim_id == Claim.id, Result.deleted_at.is_(None), *result))
    return conditions


def result_conditions(dialect: str, f: ResultFilters, *, published_only: bool = False) -> list[ColumnElement[bool]]:
    conditions = [_live(Result, f.include_deleted), *result_side_conditions(f)]
    if f.key:
        conditions.append(Result.key.in_(f.key))
    if f.claim:  # few rows: found through the claim_id index
        conditions.append(Result.claim_id.in_(select(Claim.id).where(Claim.key.in_(f.claim))))
    if f.params_basis:
        conditions.append(Result.params_basis.in_([b.value for b in f.params_basis]))
    if f.method:
        conditions.append(Result.method_key.in_(f.method))
    if f.model:
        conditions.append(_in_ci(Result.model_name, f.model))
    if f.model_family:
        conditions.append(_in_ci(Result.model_family, f.model_family))
    claim_side = [_live(Claim, f.include_deleted), *visible(Claim, published_only), *_claim_side(dialect, f)]
    if len(claim_side) > 1 or not f.include_deleted:
        conditions.append(_exists(Claim, Claim.id == Result.claim_id, *claim_side))
    return conditions


def source_conditions(dialect: str, f: SourceFilters, *, published_only: bool = False) -> list[ColumnElement[bool]]:
    conditions = [_live(Source, f.include_deleted), *_source_conditions(f)]
    if f.key:
        conditions.append(Source.key.in_(f.key))
    if f.kind:
        conditions.append(Source.kind.in_([k.value for k in f.kind]))
    if f.verification:
        conditions.append(Source.verification.in_([v.value for v in f.verification]))
    if f.peer_reviewed is not None:
        conditions.append(Source.peer_reviewed == f.peer_reviewed)
    if f.aspect:
        in_aspect = _exists(ClaimAspect, ClaimAspect.claim_id == Claim.id, ClaimAspect.aspect_key.in_(f.aspect))
        seen = visible(Claim, published_only)
        conditions.append(_exists(Claim, Claim.source_id == Source.id, Claim.deleted_at.is_(None), *seen, in_aspect))
    if f.q is not None:
        conditions.append(search.source_condition(dialect, f.q))
    return conditions


def critique_conditions(dialect: str, f: CritiqueFilters, *, published_only: bool = False) -> list[ColumnElement[bool]]:
    conditions = [_live(Critique, f.include_deleted), *visible(Critique, published_only)]
    if f.key:
        conditions.append(Critique.key.in_(f.key))
    if f.target:
        conditions.append(Critique.target_claim_id.in_(select(Claim.id).where(Claim.key.in_(f.target))))
    if f.critic_source:
        conditions.append(Critique.critic_source_id.in_(select(Source.id).where(Source.key.in_(f.critic_source))))
    if f.kind:
        conditions.append(Critique.kind.in_([k.value for k in f.kind]))
    if f.status:
        conditions.append(Critique.status.in_([s.value for s in f.status]))
    if f.severity_min is not None:
        conditions.append(Critique.severity >= f.severity_min)
    if f.severity_max is not None:
        conditions.append(Critique.severity <= f.severity_max)
    if f.aspect:
        conditions.append(
            _exists(ClaimAspect, ClaimAspect.claim_id == Critique.target_claim_id, ClaimAspect.aspect_key.in_(f.aspect))
        )
    return conditions


VOCABULARY_FILTERS = {
    "aspect": Aspect.key,
    "method": Method.key,
    "band": ScaleBand.key,
    "question": ResearchQuestion.key,
}


def check_vocabulary(session: Session, filters: BaseModel) -> None:
    """Refuse a filter value that names no aspect, method, band or research question (422 naming the
    parameter): an unknown value would otherwise match nothing and look like an empty answer."""
    for name in VOCABULARY_FILTERS:
        check_vocabulary_values(session, name, getattr(filters, name, None) or [])


def check_vocabulary_values(session: Session, name: str, wanted: list[str]) -> None:
    """check_vocabulary for the values of one parameter (`name` is aspect, method, band or question)."""
    if not wanted:
        return
    column = VOCABULARY_FILTERS[name]
    known = set(session.execute(select(column).where(column.in_(wanted))).scalars())
    unknown = sorted(set(wanted) - known)
    if unknown:
        choices = ", ".join(sorted(session.execute(select(column)).scalars()))
        shown = ", ".join(repr(value[:60]) for value in unknown[:3])
        raise UnknownVocabulary(f"unknown {name} {shown}; known values: {choices}", field=name)


class UnknownVocabulary(EvidenceError):
    """A list filter names a vocabulary value that does not exist."""

    location = "query"
