"""Tables of the evidence store: vocabularies, sources, claims, results, critiques, grade overrides and their
log, the revision log, and the review workflow's extractions.

They live in one module because they refer to each other; every other package depends on this
one and never the reverse. See docs/data-model.md for the relations.
"""

import datetime as dt

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    Text,
    UniqueConstraint,
    text,
)
from sqlmodel import Field, Relationship, SQLModel

from app.evidence.base import SoftDeleted, Tracked, one_of, unit_interval, utcnow
from app.evidence.enums import (
    ClaimKind,
    ClaimStatus,
    CritiqueKind,
    CritiqueStatus,
    EvaluationStandard,
    ExtractionStatus,
    Grade,
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

KEY = 120

# A relationship is never loaded by touching it: a query that needs related rows says so (selectinload or a join),
# so one row per loop iteration (N+1 queries) fails loudly in the tests instead of slowly in production.
RAISE = {"lazy": "raise"}


class Aspect(Tracked, table=True):
    """An aspect of the research programme, a row of the ceiling table (features, circuits, ...)."""

    key: str = Field(primary_key=True, max_length=KEY)
    name: str = Field(max_length=500)
    description: str = Field(default="", sa_type=Text)
    sort_order: int = 0


class ResearchQuestion(Tracked, table=True):
    __tablename__ = "research_question"

    key: str = Field(primary_key=True, max_length=KEY)
    number: int = Field(unique=True)
    title: str = Field(max_length=500)
    text: str = Field(sa_type=Text)


class ScaleBand(Tracked, table=True):
    """A range of parameter counts, min_params <= p < max_params; a missing bound is open."""

    __tablename__ = "scale_band"
    __table_args__ = (
        CheckConstraint("min_params IS NULL OR max_params IS NULL OR min_params < max_params", name="ordered"),
    )

    key: str = Field(primary_key=True, max_length=KEY)
    name: str = Field(max_length=500)
    min_params: float | None = Field(default=None, sa_type=Float)
    max_params: float | None = Field(default=None, sa_type=Float)
    sort_order: int = 0


class Method(Tracked, table=True):
    __table_args__ = (one_of("family", MethodFamily),)

    key: str = Field(primary_key=True, max_length=KEY)
    name: str = Field(max_length=500)
    family: str = Field(max_length=20, index=True)
    description: str = Field(default="", sa_type=Text)


class Source(SoftDeleted, table=True):
    """A citable work: paper, preprint, blog post, model card, benchmark, survey, statement..."""

    __table_args__ = (
        one_of("kind", SourceKind),
        one_of("verification", Verification),
        CheckConstraint("year IS NULL OR (year >= 1900 AND year <= 2100)", name="year_range"),
    )

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=KEY, unique=True)
    kind: str = Field(max_length=20, index=True)
    title: str = Field(max_length=500)
    title_normalized: str = Field(max_length=500, index=True)
    authors: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    year: int | None = Field(default=None, index=True)
    published_date: dt.date | None = Field(default=None, sa_type=Date)
    venue: str | None = Field(default=None, max_length=500)
    organization: str | None = Field(default=None, max_length=500, index=True)
    url: str | None = Field(default=None, max_length=2000)
    doi: str | None = Field(default=None, max_length=300, unique=True)
    arxiv_id: str | None = Field(default=None, max_length=50, unique=True)
    peer_reviewed: bool = False
    verification: str = Field(default=Verification.partial, max_length=10)
    report_labels: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    notes: str | None = Field(default=None, sa_type=Text)
    extra: dict = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False, server_default=text("'{}'"))
    )  # imported fields no column holds (docs/import-export.md)

    claims: list["Claim"] = Relationship(back_populates="source", sa_relationship_kwargs=RAISE)


class ClaimAspect(SQLModel, table=True):
    __tablename__ = "claim_aspect"

    claim_id: int = Field(sa_column=Column(Integer, ForeignKey("claim.id", ondelete="CASCADE"), primary_key=True))
    aspect_key: str = Field(foreign_key="aspect.key", primary_key=True, max_length=KEY, index=True)


class ClaimQuestion(SQLModel, table=True):
    __tablename__ = "claim_question"

    claim_id: int = Field(sa_column=Column(Integer, ForeignKey("claim.id", ondelete="CASCADE"), primary_key=True))
    question_key: str = Field(foreign_key="research_question.key", primary_key=True, max_length=KEY, index=True)


class Claim(SoftDeleted, table=True):
    """A statement that a source makes, with the analyst's reading of it."""

    __table_args__ = (
        one_of("stance", Stance),
        one_of("kind", ClaimKind),
        one_of("status", ClaimStatus),
        unit_interval("confidence"),
        CheckConstraint("status <> 'rejected' OR status_reason IS NOT NULL", name="rejected_has_reason"),
    )

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=KEY, unique=True)
    source_id: int = Field(foreign_key="source.id", index=True)
    text: str = Field(sa_type=Text)
    quote: str | None = Field(default=None, sa_type=Text)
    locator: str | None = Field(default=None, max_length=500)
    method_key: str | None = Field(default=None, foreign_key="method.key", index=True, max_length=KEY)
    stance: str = Field(max_length=20, index=True)
    kind: str = Field(max_length=20, index=True)
    confidence: float = Field(sa_type=Float)
    status: str = Field(default=ClaimStatus.draft, max_length=20, index=True)
    status_reason: str | None = Field(default=None, sa_type=Text)
    status_changed_at: dt.datetime | None = Field(default=None, sa_type=DateTime(timezone=True), index=True)
    notes: str | None = Field(default=None, sa_type=Text)

    source: Source = Relationship(back_populates="claims", sa_relationship_kwargs=RAISE)
    aspects: list[Aspect] = Relationship(link_model=ClaimAspect, sa_relationship_kwargs=RAISE)
    questions: list[ResearchQuestion] = Relationship(link_model=ClaimQuestion, sa_relationship_kwargs=RAISE)
    results: list["Result"] = Relationship(back_populates="claim", sa_relationship_kwargs=RAISE)


class ResultBand(SQLModel, table=True):
    """The scale bands a result's parameter count or range falls in; derived on every write."""

    __tablename__ = "result_band"

    result_id: int = Field(sa_column=Column(Integer, ForeignKey("result.id", ondelete="CASCADE"), primary_key=True))
    band_key: str = Field(foreign_key="scale_band.key", primary_key=True, max_length=KEY, index=True)


PARAMS_ORDER = "coalesce(params, params_low, 0.0)"  # a literal 0.0: SQLite matches no index to a bound parameter


class Result(SoftDeleted, table=True):
    """An empirical result behind a claim: a model at a scale, a metric, and the method's outcome."""

    __table_args__ = (
        # the results list's default order (app/evidence/services/listing.py, sort=params): a page of a
        # million results then reads 26 index entries instead of sorting every row
        Index("ix_result_params_order", text(PARAMS_ORDER), "id"),
        one_of("params_basis", ParamsBasis),
        one_of("outcome", Outcome),
        one_of("safety_impact", SafetyImpact),
        one_of("baseline_safety_impact", SafetyImpact),
        one_of("reach_outcome", Outcome, nullable=True),
        one_of("params_estimate_kind", SizeEstimateKind, nullable=True),
        one_of("winner", Winner, nullable=True),
        one_of("evaluation_standard", EvaluationStandard, nullable=True),
        CheckConstraint("reach_outcome IS NULL OR reach_outcome <> 'not_assessed'", name="reach_is_assessed"),
        CheckConstraint("sample_size IS NULL OR sample_size >= 1", name="sample_size_positive"),
        CheckConstraint("params IS NULL OR params > 0", name="params_positive"),
        CheckConstraint("params_low IS NULL OR params_low > 0", name="params_low_positive"),
        CheckConstraint(
            "(params_high IS NULL OR params_low IS NOT NULL) AND (params_high IS NULL OR params_low <= params_high)",
            name="params_range",
        ),
        CheckConstraint(
            "params_basis <> 'undisclosed' OR params_low IS NULL OR params_estimate_kind IS NOT NULL",
            name="estimate_has_kind",
        ),
        CheckConstraint(
            "(params_basis = 'disclosed' AND params IS NOT NULL)"
            " OR (params_basis = 'estimated' AND params IS NOT NULL AND params_low IS NOT NULL"
            "     AND params_high IS NOT NULL AND params >= params_low AND params <= params_high)"
            " OR (params_basis = 'undisclosed' AND params IS NULL)",
            name="params_follow_basis",
        ),
        Index("ix_result_params_range", "params_low", "params_high"),
    )

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=KEY, unique=True)
    claim_id: int = Field(foreign_key="claim.id", index=True)
    model_name: str = Field(max_length=500, index=True)
    model_family: str | None = Field(default=None, max_length=200)
    params_basis: str = Field(max_length=20)
    params: float | None = Field(default=None, sa_type=Float, index=True)
    params_low: float | None = Field(default=None, sa_type=Float)
    params_high: float | None = Field(default=None, sa_type=Float)
    params_note: str | None = Field(default=None, sa_type=Text)
    params_estimate_kind: str | None = Field(default=None, max_length=30)
    method_key: str | None = Field(default=None, foreign_key="method.key", index=True, max_length=KEY)
    task: str | None = Field(default=None, max_length=500)
    metric_name: str | None = Field(default=None, max_length=200)
    metric_value: float | None = Field(default=None, sa_type=Float)
    metric_unit: str | None = Field(default=None, max_length=50)
    baseline_name: str | None = Field(default=None, max_length=200)
    baseline_value: float | None = Field(default=None, sa_type=Float)
    baseline_method_key: str | None = Field(default=None, foreign_key="method.key", index=True, max_length=KEY)
    winner: str | None = Field(default=None, max_length=20)
    higher_is_better: bool | None = None
    outcome: str = Field(max_length=20, index=True)
    reach_outcome: str | None = Field(default=None, max_length=20)
    evaluation_standard: str | None = Field(default=None, max_length=30, index=True)
    sample_size: int | None = None
    safety_impact: str = Field(default=SafetyImpact.not_applicable, max_length=30, index=True)
    baseline_safety_impact: str = Field(default=SafetyImpact.not_applicable, max_length=30)
    safety_metric: str | None = Field(default=None, max_length=500)
    notes: str | None = Field(default=None, sa_type=Text)

    claim: Claim = Relationship(back_populates="results", sa_relationship_kwargs=RAISE)
    bands: list[ScaleBand] = Relationship(link_model=ResultBand, sa_relationship_kwargs=RAISE)


class Critique(SoftDeleted, table=True):
    """A challenge to (or support of) a claim, by a source, another claim, or both."""

    __table_args__ = (
        one_of("kind", CritiqueKind),
        one_of("status", CritiqueStatus),
        unit_interval("severity"),
        CheckConstraint("critic_source_id IS NOT NULL OR critic_claim_id IS NOT NULL", name="has_critic"),
        CheckConstraint("critic_claim_id IS NULL OR critic_claim_id <> target_claim_id", name="not_self"),
    )

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=KEY, unique=True)
    target_claim_id: int = Field(foreign_key="claim.id", index=True)
    critic_source_id: int | None = Field(default=None, foreign_key="source.id", index=True)
    critic_claim_id: int | None = Field(default=None, foreign_key="claim.id", index=True)
    kind: str = Field(max_length=30, index=True)
    text: str = Field(sa_type=Text)
    severity: float = Field(sa_type=Float)
    status: str = Field(default=CritiqueStatus.open, max_length=20, index=True)


class GradeOverride(Tracked, table=True):
    """An analyst's override of the engine's suggested confidence grade for an aspect, with the reason."""

    __tablename__ = "grade_override"
    __table_args__ = (one_of("grade", Grade), UniqueConstraint("aspect_key"))

    id: int | None = Field(default=None, primary_key=True)
    aspect_key: str = Field(foreign_key="aspect.key", max_length=KEY)
    grade: str = Field(max_length=20)
    reason: str = Field(sa_type=Text)
    author: str | None = Field(default=None, max_length=200)


class Revision(SQLModel, table=True):
    """One write to an evidence row: who, when, what changed (field -> [before, after])."""

    __table_args__ = (
        Index("ix_revision_entity", "entity_kind", "entity_id"),
        CheckConstraint("action IN ('create', 'update', 'delete', 'restore')", name="action_valid"),
        CheckConstraint("entity_kind IN ('source', 'claim', 'critique', 'result')", name="entity_kind_valid"),
    )

    id: int | None = Field(default=None, primary_key=True)
    entity_kind: str = Field(max_length=20)
    entity_id: int
    entity_key: str = Field(max_length=120)
    action: str = Field(max_length=20)
    version: int
    user_id: int | None = Field(default=None, foreign_key="app_user.id", index=True)
    actor: str = Field(max_length=100)
    at: dt.datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True), nullable=False, index=True)
    changes: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    note: str | None = Field(default=None, sa_type=Text)


# The review workflow: a dual extraction of a claim and the two analysts' extractions (docs/review.md).
# Analysts are named by user id and username, as in the revision log, so the store never imports app/auth.


class ExtractionRequest(Tracked, table=True):
    """A reviewer's request that two analysts extract a claim's results independently; an editor resolves."""

    __tablename__ = "extraction_request"
    __table_args__ = (
        one_of("status", ExtractionStatus),
        CheckConstraint("first_analyst_id <> second_analyst_id", name="two_analysts"),
        CheckConstraint("status <> 'resolved' OR resolved_by_id IS NOT NULL", name="resolved_has_resolver"),
    )

    id: int | None = Field(default=None, primary_key=True)
    claim_id: int = Field(
        sa_column=Column(Integer, ForeignKey("claim.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    status: str = Field(default=ExtractionStatus.open, max_length=20, index=True)
    note: str | None = Field(default=None, sa_type=Text)
    requested_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    requested_by: str = Field(max_length=100)
    first_analyst_id: int = Field(foreign_key="app_user.id", index=True)
    first_analyst: str = Field(max_length=100)
    second_analyst_id: int = Field(foreign_key="app_user.id", index=True)
    second_analyst: str = Field(max_length=100)
    resolved_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    resolved_by: str | None = Field(default=None, max_length=100)
    resolved_at: dt.datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    resolution: dict | None = Field(default=None, sa_column=Column(JSON, nullable=True))


class Extraction(SQLModel, table=True):
    """One analyst's values for a claim and its results: {"claim": {...}, "results": {key: {...}}}."""

    __table_args__ = (UniqueConstraint("request_id", "analyst_id"),)

    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(
        sa_column=Column(Integer, ForeignKey("extraction_request.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    analyst_id: int = Field(foreign_key="app_user.id", index=True)
    analyst: str = Field(max_length=100)
    submitted_at: dt.datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True), nullable=False)
    values: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class GradeOverrideRevision(SQLModel, table=True):
    """One change of an aspect's grade override: its state before and after ({grade, reason, author} or null)."""

    __tablename__ = "grade_override_revision"
    __table_args__ = (
        CheckConstraint("action IN ('set', 'clear')", name="action_valid"),
        Index("ix_grade_override_revision_at", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    at: dt.datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True), nullable=False)
    aspect_key: str = Field(foreign_key="aspect.key", max_length=120, index=True)
    action: str = Field(max_length=10)
    before: dict | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    after: dict | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    actor: str = Field(max_length=100)
