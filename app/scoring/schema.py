"""The typed output of the engine: one Assessment, serialisable to byte-identical JSON."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

SCHEMA_VERSION = "3.0"
ENGINE_VERSION = "3.2.0"

CeilingState = Literal[
    "estimated",
    "below_range",
    "not_reached",
    "not_established",
    "no_scale_dependence",
    "insufficient",
    "not_applicable",
]
AspectRole = Literal["scale", "qualifier", "impact"]
BandStatus = Literal["tractable", "partial", "fragmentary", "too_little_evidence", "no_evidence"]
GradeLevel = Literal["high", "moderate", "low", "very_low"]


class Out(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class EvidenceRef(Out):
    """A cited claim: its key, its source's key, an excerpt of its text and its weight."""

    claim_key: str
    source_key: str
    kind: str
    stance: str
    text: str
    weight: float


class Barrier(Out):
    """An undermining claim or a critique standing against the evidence in one band."""

    kind: Literal["claim", "critique"]
    key: str
    claim_key: str
    source_key: str | None
    text: str
    weight: float


class StandardFit(Out):
    """What the results judged by one evaluation standard say about an aspect (docs/scoring.md section 5)."""

    standard: str
    shows_validity: bool
    n_results: int
    weight: float
    rate: float | None = None
    rate_low: float | None = None
    rate_high: float | None = None
    p_fall: float | None = None
    statement: str


class Ceiling(Out):
    """Where P(works) falls to 0.5, in parameters, or the bound that the sized evidence allows.

    params, params_low and params_high are set only for an estimated ceiling and never leave the range of
    the sized evidence; bound_params is the bound of below_range / not_reached; the raw posterior median and
    quantiles stay in the crossing_* fields for diagnostics.
    """

    state: CeilingState
    params: float | None = None
    params_low: float | None = None
    params_high: float | None = None
    bound_params: float | None = None
    smallest_observed_params: float | None = None
    largest_observed_params: float | None = None
    crossing_log10_params: float | None = None
    crossing_low_log10: float | None = None
    crossing_high_log10: float | None = None
    estimated_sizes: bool = False
    smallest_model: str | None = None
    largest_model: str | None = None  # the largest of bounded size when there is one; frontier ones apart
    frontier_models: list[str] = []
    p_fall: float | None = None
    rate: float | None = None
    rate_low: float | None = None
    rate_high: float | None = None
    informative_low_params: float | None = None
    informative_high_params: float | None = None
    standards: list[StandardFit] = []
    statement: str


class DomainJudgement(Out):
    """One GRADE domain: how many levels it takes off (quarter steps; 3 only when there is no evidence) and why."""

    domain: Literal["risk_of_bias", "inconsistency", "indirectness", "imprecision", "publication_bias"]
    downgrade: float
    reason: str


class GradeAssessment(Out):
    """The suggested GRADE-style level, its reasons by domain, an analyst's override and the final level."""

    suggested: GradeLevel
    domains: list[DomainJudgement] = []
    reasons: list[str]
    override: GradeLevel | None = None
    override_reason: str | None = None
    final: GradeLevel


class BaselineComparison(Out):
    """A baseline result, or a mechanistic result measured against a baseline, beside the row."""

    result_key: str
    claim_key: str
    source_key: str
    method: str | None
    baseline_name: str | None
    params: float | None
    params_estimated: bool = False
    mechanistic_won: bool | None
    text: str
    weight: float


class Counts(Out):
    """How much evidence lies behind a row."""

    results_in_fit: int
    results_without_size: int
    results_baseline: int
    results_censored: int = 0
    results_estimated_size: int = 0
    claims: int
    sources: int
    fit_weight: float


class CurvePoint(Out):
    """The fitted P(works) at one parameter count (log10), for plots."""

    log10_params: float
    p_works: float


class EvidencePoint(Out):
    """Weighted evidence of one outcome at one scale bin, for plots."""

    log10_params: float
    score: float
    weight: float
    outcome: Literal["success", "partial", "failure"]
    estimated: bool = False


class AspectRow(Out):
    """One row of the ceiling table."""

    aspect_key: str
    aspect_name: str
    role: AspectRole = "scale"
    ceiling: Ceiling
    reach_ceiling: Ceiling
    band_ceiling: str | None
    band_ceiling_single_study: bool = False
    what_would_change: str = ""
    confidence: GradeAssessment
    key_evidence: list[EvidenceRef]
    baseline_evidence: list[EvidenceRef] = []
    path_forward: list[EvidenceRef]
    baseline_comparisons: list[BaselineComparison]
    counts: Counts
    curve: list[CurvePoint] = []
    points: list[EvidencePoint] = []


class BandCell(Out):
    """One cell of the scale table: the Beta posterior of 'the method works' in an aspect x band."""

    aspect_key: str
    band_key: str
    alpha: float
    beta: float
    mean: float
    low: float
    high: float
    status: BandStatus
    weight: float
    n_results: int
    n_sources: int = 0
    single_study: bool = False
    barriers: list[Barrier]


class BandInfo(Out):
    """A scale band as used in the assessment."""

    key: str
    name: str
    min_params: float | None
    max_params: float | None


class SafetyBand(Out):
    """Measured safety impact in one scale band (or 'unsized'), mechanistic methods and baselines side by side."""

    band_key: str
    mechanistic: dict[str, int]
    baseline: dict[str, int]
    statement: str


class SafetyRow(Out):
    """Counts of results by safety impact, mechanistic and baseline apart, by band, and the plain statement."""

    by_band: list[SafetyBand] = []
    mechanistic: dict[str, int]
    baseline: dict[str, int]
    mechanistic_sources: int
    baseline_sources: int
    mechanistic_improvements: list[BaselineComparison]
    baseline_improvements: list[BaselineComparison]
    statement: str


class OverallPart(Out):
    """One scale aspect in the overall row, with its own statement and grade."""

    aspect_key: str
    state: CeilingState
    statement: str
    band_ceiling: str | None
    single_study: bool = False
    confidence: GradeLevel


class OverallRow(Out):
    """The programme as a whole: the scale aspects side by side, reach, evaluation and safety (no minimum)."""

    parts: list[OverallPart]
    confidence: GradeLevel
    aspects_included: list[str]
    aspects_excluded: dict[str, str]
    key_evidence: list[EvidenceRef]
    path_forward: list[EvidenceRef]
    statement: str


class Gap(Out):
    """An aspect x band cell where one new result would move the ceiling or the status most."""

    aspect_key: str
    band_key: str
    probe_params: float
    shift_if_success_decades: float
    shift_if_failure_decades: float
    status_now: BandStatus
    status_if_success: BandStatus
    status_if_failure: BandStatus
    text: str


class StatusChange(Out):
    """A band whose status differs when some evidence is left out."""

    band_key: str
    status: BandStatus
    status_without: BandStatus


class SourceInfluence(Out):
    """What moves when one source is left out: the ceiling (shift, state), the suggested grade, band statuses."""

    source_key: str
    shift_decades: float | None
    state_without: CeilingState
    grade: GradeLevel | None = None
    grade_without: GradeLevel | None = None
    band_changes: list[StatusChange] = []
    text: str


class EstimateSensitivity(Out):
    """What moves when the results with estimated sizes are left out: ceiling, suggested grade, band statuses."""

    results_left_out: int
    shift_decades: float | None
    state_without: CeilingState
    statement_without: str
    grade: GradeLevel | None = None
    grade_without: GradeLevel | None = None
    band_changes: list[StatusChange] = []
    text: str


class AspectSensitivity(Out):
    """The most influential sources of one aspect, and the effect of leaving out estimated sizes."""

    aspect_key: str
    sources: list[SourceInfluence]
    without_estimates: EstimateSensitivity | None = None


class Assessment(Out):
    """The whole output of the engine for one evidence snapshot and one set of settings."""

    schema_version: str = SCHEMA_VERSION
    engine_version: str = ENGINE_VERSION
    fingerprint: str
    settings: dict
    bands: list[BandInfo]
    aspects: list[AspectRow]
    scale_table: list[BandCell]
    safety: SafetyRow
    overall: OverallRow
    gaps: list[Gap]
    sensitivity: list[AspectSensitivity]
