"""Closed vocabularies of the evidence store.

They are enforced three times on purpose: by pydantic on input, by CHECK constraints in the
database, and by the seed loader's validation. Open vocabularies (aspects, research questions,
scale bands, methods) are data tables instead, loaded with the seed.
"""

from enum import StrEnum


class SourceKind(StrEnum):
    paper = "paper"
    preprint = "preprint"
    blog = "blog"
    model_card = "model_card"
    benchmark = "benchmark"
    survey = "survey"
    statement = "statement"
    talk = "talk"
    dataset = "dataset"


class Verification(StrEnum):
    yes = "yes"
    partial = "partial"
    no = "no"


class Stance(StrEnum):
    supports = "supports"
    undermines = "undermines"
    mixed = "mixed"
    neutral = "neutral"


class ClaimKind(StrEnum):
    finding = "finding"
    critique = "critique"
    position = "position"
    proposal = "proposal"


class ClaimStatus(StrEnum):
    """Where a claim stands in the review workflow (docs/review.md); `retracted`: the source withdrew it."""

    draft = "draft"
    in_review = "in_review"
    reviewed = "reviewed"
    rejected = "rejected"
    retracted = "retracted"


class ExtractionStatus(StrEnum):
    """A dual extraction: waiting for both analysts, then for an editor's resolution, then resolved."""

    open = "open"
    submitted = "submitted"
    resolved = "resolved"


class CritiqueKind(StrEnum):
    methodological = "methodological"
    replication_failure = "replication_failure"
    scope_limitation = "scope_limitation"
    confound = "confound"
    rebuttal = "rebuttal"
    support = "support"


class CritiqueStatus(StrEnum):
    open = "open"
    accepted = "accepted"
    rejected = "rejected"


class ParamsBasis(StrEnum):
    disclosed = "disclosed"
    estimated = "estimated"
    undisclosed = "undisclosed"


class SizeEstimateKind(StrEnum):
    """The basis of an analyst's size estimate for a model whose developer never published its size."""

    external_estimate = "external_estimate"  # a published estimate by someone other than the developer
    compute_bound = "compute_bound"  # a bound derived from disclosed compute, tokens or latency
    family_range = "family_range"  # the disclosed sizes of the model family the source names
    frontier_class = "frontier_class"  # frontier class at release: an open-ended lower bound


class Winner(StrEnum):
    """Who won a head-to-head recorded in one result row."""

    method = "method"
    baseline = "baseline"
    tie = "tie"


class Outcome(StrEnum):
    """A result's validity outcome; `not_assessed`: a reach-only result (a suite trained, a graph traced, nothing
    validated). A reach outcome is never `not_assessed`: applying a method at a scale either worked or did not."""

    success = "success"
    partial = "partial"
    failure = "failure"
    not_assessed = "not_assessed"


class EvaluationStandard(StrEnum):
    """How a result's validity was judged: results judged by different standards are not compared as equals."""

    internal_metric = "internal_metric"  # reconstruction, loss recovered, an autointerp score
    mechanistic_comparison = "mechanistic_comparison"  # against another mechanistic method (SAE against SAE)
    simple_baseline = "simple_baseline"  # against a probe, prompting, a steering vector, fine-tuning
    ground_truth = "ground_truth"  # against a known circuit or a planted feature
    demonstration = "demonstration"  # one showcased case


class SafetyImpact(StrEnum):
    none = "none"
    monitoring_aid = "monitoring_aid"
    measured_improvement = "measured_improvement"
    negative = "negative"
    not_applicable = "not_applicable"


class MethodFamily(StrEnum):
    mechanistic = "mechanistic"
    baseline = "baseline"


class Grade(StrEnum):
    high = "high"
    moderate = "moderate"
    low = "low"
    very_low = "very_low"
