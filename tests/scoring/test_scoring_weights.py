"""Evidence weight: tier x status x confidence x critique discount x recency, each pinned by hand."""

from __future__ import annotations

import datetime as dt

import pytest

from app.scoring import ScoringSettings
from app.scoring.records import build_evidence
from app.scoring.weights import claim_weights


def weights_of(claims, sources=None, critiques=None, settings=None):
    evidence = build_evidence(sources or [{"key": "s"}], claims, [], critiques)
    return claim_weights(evidence, settings or ScoringSettings())["weight"].to_dict()


@pytest.mark.parametrize(
    ("kind", "reviewed", "tier"),
    [
        ("paper", True, 1.0),
        ("paper", False, 0.8),
        ("preprint", False, 0.8),
        ("benchmark", True, 1.0),
        ("model_card", False, 0.7),
        ("survey", False, 0.5),
        ("blog", False, 0.5),
        ("statement", False, 0.3),
        ("talk", True, 0.3),
    ],
)
def test_source_tier_follows_kind_and_peer_review(kind, reviewed, tier):
    w = weights_of([{"key": "c", "source_key": "s"}], [{"key": "s", "kind": kind, "peer_reviewed": reviewed}])
    assert w["c"] == pytest.approx(tier)


def test_status_and_confidence_multiply():
    w = weights_of(
        [
            {"key": "a", "source_key": "s", "status": "draft", "confidence": 0.8},
            {"key": "b", "source_key": "s", "status": "retracted"},
            {"key": "c", "source_key": "s", "confidence": 0.6},
        ]
    )
    assert w == pytest.approx({"a": 0.5 * 0.8, "b": 0.0, "c": 0.6})


def test_critiques_discount_by_status_and_support_does_not():
    claims = [{"key": k, "source_key": "s"} for k in ("t", "x", "crit")]
    critiques = [
        {"key": "k1", "target_claim_key": "t", "critic_source_key": "s", "severity": 0.4, "status": "accepted"},
        {"key": "k2", "target_claim_key": "t", "critic_source_key": "s", "severity": 0.5, "status": "open"},
        {"key": "k3", "target_claim_key": "t", "critic_source_key": "s", "severity": 0.9, "status": "rejected"},
        {
            "key": "k4",
            "target_claim_key": "x",
            "critic_source_key": "s",
            "severity": 0.9,
            "status": "accepted",
            "kind": "support",
        },
        {
            "key": "k5",
            "target_claim_key": "x",
            "critic_claim_key": "crit",
            "severity": 0.2,
            "status": "accepted",
            "kind": "rebuttal",
        },
    ]
    w = weights_of(claims, critiques=critiques)
    assert w["t"] == pytest.approx((1 - 0.4) * (1 - 0.25))
    assert w["x"] == pytest.approx(0.8)  # the support is ignored, the rebuttal discounts


def test_critique_from_a_retracted_claim_is_withdrawn():
    claims = [{"key": "t", "source_key": "s"}, {"key": "gone", "source_key": "s", "status": "retracted"}]
    critiques = [
        {"key": "k", "target_claim_key": "t", "critic_claim_key": "gone", "severity": 1.0, "status": "accepted"}
    ]
    assert weights_of(claims, critiques=critiques)["t"] == 1.0


def test_recency_halves_weight_per_half_life_and_is_off_by_default():
    sources = [{"key": "old", "published_date": "2020-01-01"}, {"key": "new", "year": 2024}]
    claims = [{"key": "a", "source_key": "old"}, {"key": "b", "source_key": "new"}]
    assert weights_of(claims, sources) == {"a": 1.0, "b": 1.0}
    settings = ScoringSettings(recency_half_life_years=2.0, as_of=dt.date(2024, 1, 1))
    w = weights_of(claims, sources, settings=settings)
    assert w["a"] == pytest.approx(0.5 ** ((dt.date(2024, 1, 1) - dt.date(2020, 1, 1)).days / 365.25 / 2))
    assert w["b"] == 1.0  # dated mid-2024, after as_of: no decay, never a boost


def test_recency_without_reference_date_is_refused():
    with pytest.raises(ValueError, match="as_of"):
        ScoringSettings(recency_half_life_years=3.0)
