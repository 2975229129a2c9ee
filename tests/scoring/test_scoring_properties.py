"""Properties that must hold for any evidence (hypothesis): monotonicity, invariance, bounds."""

from __future__ import annotations

import math
import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.scoring import Evidence, ScoringSettings, assess
from app.scoring.records import SEED_BANDS, build_evidence
from app.scoring.spread import scale_data
from app.scoring.weights import claim_weights

# Modest by default so the suite stays fast; CEILING_PROPERTY_EXAMPLES=500 for a thorough run.
EXAMPLES = int(os.environ.get("CEILING_PROPERTY_EXAMPLES", "15"))
PROPERTY = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
BANDS = ["toy", "small", "mid", "large", "frontier"]
OUTCOMES = st.sampled_from(["success", "partial", "failure"])
LOG10 = st.floats(7.0, 13.0, allow_nan=False)


@st.composite
def sizes(draw):
    """A result size: a point, a range, or nothing."""
    kind = draw(st.sampled_from(["point", "point", "range", "bound", "none"]))
    if kind == "point":
        return {"params_basis": "disclosed", "params": 10 ** draw(LOG10)}
    if kind == "bound":
        return {
            "params_basis": "undisclosed",
            "params_low": 10 ** draw(LOG10),
            "params_estimate_kind": "frontier_class",
        }
    if kind == "range":
        low = draw(LOG10)
        return {
            "params_basis": "undisclosed",
            "params_low": 10**low,
            "params_high": 10 ** (low + draw(st.floats(0.1, 2.0))),
        }
    return {"params_basis": "undisclosed"}


@st.composite
def evidence_parts(draw):
    """Sources, claims, results and critiques of a small random body of evidence."""
    n_sources = draw(st.integers(2, 5))
    sources = [
        {"key": f"s{i}", "kind": draw(st.sampled_from(["paper", "preprint", "blog", "talk"]))} for i in range(n_sources)
    ]
    claims, results = [], []
    for i in range(draw(st.integers(2, 7))):
        claims.append(
            {
                "key": f"c{i}",
                "source_key": f"s{draw(st.integers(0, n_sources - 1))}",
                "method": "sae",
                "confidence": draw(st.floats(0.1, 1.0)),
                "status": draw(st.sampled_from(["reviewed", "reviewed", "draft", "retracted"])),
                "stance": draw(st.sampled_from(["supports", "undermines", "mixed"])),
                "aspects": draw(st.sampled_from([["features"], ["features", "circuits"]])),
            }
        )
        for j in range(draw(st.integers(1, 3))):
            results.append({"key": f"r{i}-{j}", "claim_key": f"c{i}", "outcome": draw(OUTCOMES), **draw(sizes())})
    critiques = [
        {
            "key": f"k{i}",
            "target_claim_key": f"c{draw(st.integers(0, len(claims) - 1))}",
            "critic_source_key": "s0",
            "severity": draw(st.floats(0, 1)),
            "status": draw(st.sampled_from(["open", "accepted", "rejected"])),
            "kind": draw(st.sampled_from(["methodological", "support", "rebuttal"])),
        }
        for i in range(draw(st.integers(0, 3)))
    ]
    return sources, claims, results, critiques


def crossing(parts, aspect="features"):
    row = next(r for r in assess(build_evidence(*parts)).aspects if r.aspect_key == aspect)
    return row.ceiling.crossing_log10_params, row.band_ceiling


def first_band_with_evidence(parts, aspect="features") -> int | None:
    cells = [c for c in assess(build_evidence(*parts)).scale_table if c.aspect_key == aspect]
    return min((BANDS.index(c.band_key) for c in cells if c.status != "no_evidence"), default=None)


def lowest_band_of(size) -> int | None:
    """The band of the smallest size a result could have (None when unsized)."""
    low = size.get("params", size.get("params_low"))
    if low is None:
        return None
    return next(i for i, band in enumerate(SEED_BANDS) if band["max_params"] is None or low < band["max_params"])


def with_new_result(parts, outcome, size):
    sources, claims, results, critiques = parts
    return (
        sources + [{"key": "new-source"}],
        claims + [{"key": "new-claim", "source_key": "new-source", "method": "sae", "aspects": ["features"]}],
        results + [{"key": "new-result", "claim_key": "new-claim", "outcome": outcome, **size}],
        critiques,
    )


def band_rank(band):
    return -1 if band is None else BANDS.index(band)


@PROPERTY
@given(evidence_parts(), sizes())
def test_adding_a_success_never_lowers_the_ceiling(parts, size):
    before, band_before = crossing(parts)
    after, band_after = crossing(with_new_result(parts, "success", size))
    if before is not None:
        assert after is not None and after >= before - 1e-6
    start, lowest = first_band_with_evidence(parts), lowest_band_of(size)
    if start is None or lowest is None or lowest >= start:  # below the walk's start: the price in docs/scoring.md
        assert band_rank(band_after) >= band_rank(band_before)


def test_a_success_in_an_untested_band_below_can_shorten_the_band_ceiling():
    """The documented price of a walk that never skips an empty band (docs/scoring.md, 'Band ceiling')."""
    sources = [{"key": "s0", "kind": "paper"}, {"key": "s1", "kind": "paper"}]
    claims = [
        {"key": f"c{i}", "source_key": "s0", "method": "sae", "confidence": 1.0, "status": "reviewed",
         "stance": "supports", "aspects": ["features"]}
        for i in range(2)
    ]  # fmt: skip
    results = [
        {"key": f"r{i}", "claim_key": f"c{i}", "outcome": "success", "params_basis": "disclosed", "params": 1e10}
        for i in range(2)
    ]
    parts = (sources, claims, results, [])
    assert crossing(parts)[1] == "mid"
    toy = {"params_basis": "disclosed", "params": 1e7}
    assert crossing(with_new_result(parts, "success", toy))[1] == "toy"  # "small" is untested between them


@PROPERTY
@given(evidence_parts(), sizes())
def test_adding_a_failure_never_raises_the_ceiling(parts, size):
    before, _ = crossing(parts)
    after, _ = crossing(with_new_result(parts, "failure", size))
    if before is not None:
        assert after is not None and after <= before + 1e-6


@PROPERTY
@given(
    evidence_parts(), st.floats(0, 1), st.sampled_from(["methodological", "confound", "rebuttal", "support"]), st.data()
)
def test_an_accepted_critique_never_raises_the_weight_of_what_it_critiques(parts, severity, kind, data):
    sources, claims, results, critiques = parts
    target = data.draw(st.sampled_from([c["key"] for c in claims]))
    before = claim_weights(build_evidence(*parts), ScoringSettings())["weight"]
    added = critiques + [
        {
            "key": "new-critique",
            "target_claim_key": target,
            "critic_source_key": "s1",
            "severity": severity,
            "status": "accepted",
            "kind": kind,
        }
    ]
    after = claim_weights(build_evidence(sources, claims, results, added), ScoringSettings())["weight"]
    assert after[target] <= before[target]
    assert after.drop(target).equals(before.drop(target))


@PROPERTY
@given(evidence_parts(), st.lists(st.tuples(OUTCOMES, sizes()), min_size=1, max_size=3), st.booleans())
def test_a_retracted_claim_changes_nothing(parts, new_results, new_source):
    sources, claims, results, critiques = parts
    source = "ghost" if new_source else "s0"
    more_sources = sources + ([{"key": "ghost"}] if new_source else [])
    ghost = {
        "key": "ghost-claim",
        "source_key": source,
        "method": "sae",
        "status": "retracted",
        "aspects": ["features", "safety"],
        "kind": "finding",
    }
    ghost_results = [
        {"key": f"ghost-r{i}", "claim_key": "ghost-claim", "outcome": o, "safety_impact": "measured_improvement", **s}
        for i, (o, s) in enumerate(new_results)
    ]
    ghost_critiques = [
        {"key": "on-ghost", "target_claim_key": "ghost-claim", "critic_source_key": "s0", "severity": 0.9},
        {
            "key": "by-ghost",
            "target_claim_key": "c0",
            "critic_claim_key": "ghost-claim",
            "severity": 0.9,
            "status": "accepted",
        },
    ]
    before = assess(build_evidence(*parts)).model_dump(exclude={"fingerprint"})
    after = assess(
        build_evidence(more_sources, claims + [ghost], results + ghost_results, critiques + ghost_critiques)
    ).model_dump(exclude={"fingerprint"})
    assert after == before


@PROPERTY
@given(evidence_parts(), st.randoms(use_true_random=False))
def test_reordering_input_rows_changes_nothing_and_output_is_deterministic(parts, rng):
    evidence = build_evidence(*parts)
    frames = {name: getattr(evidence, name) for name in evidence.__dataclass_fields__}
    shuffled = {
        name: frame.sample(frac=1.0, random_state=rng.randint(0, 2**31))[
            rng.sample(list(frame.columns), len(frame.columns))
        ]
        for name, frame in frames.items()
    }
    assert assess(Evidence(**shuffled)).model_dump_json() == assess(evidence).model_dump_json()


@PROPERTY
@given(evidence_parts())
def test_weights_stay_in_unit_interval(parts):
    evidence = build_evidence(*parts)
    weights = claim_weights(evidence, ScoringSettings())["weight"]
    assert ((weights >= 0) & (weights <= 1)).all()
    data = scale_data(evidence, claim_weights(evidence, ScoringSettings()), ScoringSettings())
    assert ((data.segments["wn"] >= 0) & (data.segments["wn"] <= 1)).all()


def ten_billion_ceiling(draw):
    """Several sources whose methods work below 1e10 and fail above it, near the crossing."""
    parts = ([], [], [], [])
    for i in range(draw(st.integers(3, 6))):
        parts[0].append({"key": f"s{i}"})
        parts[1].append({"key": f"c{i}", "source_key": f"s{i}", "method": "sae", "aspects": ["features"]})
        for j in range(draw(st.integers(1, 2))):
            for outcome, (low, high) in (("success", (8.5, 9.9)), ("failure", (10.1, 11.5))):
                x = draw(st.floats(low, high))
                key = f"r{i}-{j}-{outcome}"
                parts[2].append({"key": key, "claim_key": f"c{i}", "params": 10**x, "outcome": outcome})
    return parts


def with_study(parts, outcome, log10_sizes, confidence):
    sources, claims, results, critiques = parts
    claim = {"key": "study", "source_key": "study", "method": "sae", "aspects": ["features"], "confidence": confidence}
    new = [
        {"key": f"study-{i}", "claim_key": "study", "outcome": outcome, "params": 10**x}
        for i, x in enumerate(log10_sizes)
    ]
    return sources + [{"key": "study"}], claims + [claim], results + new, critiques


@PROPERTY
@given(st.data(), st.sampled_from(["success", "failure"]), st.floats(0.1, 1.0))
def test_one_study_of_tiny_networks_does_not_move_a_10b_ceiling_by_a_decade(data, outcome, confidence):
    parts = ten_billion_ceiling(data.draw)
    tiny = data.draw(st.lists(st.floats(1.5, 3.0), min_size=1, max_size=6))
    before, _ = crossing(parts)
    after, _ = crossing(with_study(parts, outcome, tiny, confidence))
    assert 9.0 < before < 11.0
    assert abs(after - before) < 1.0


@PROPERTY
@given(st.data(), st.floats(0.1, 1.0))
def test_successes_two_decades_below_the_crossing_move_it_only_a_little(data, confidence):
    parts = ten_billion_ceiling(data.draw)
    before, _ = crossing(parts)
    far = data.draw(st.lists(st.floats(6.0, before - 2.0), min_size=1, max_size=6))
    after, _ = crossing(with_study(parts, "success", far, confidence))
    assert 0.0 <= after - before < 0.25


@PROPERTY
@given(evidence_parts())
def test_band_ceiling_never_contradicts_the_ceiling_interval_nor_skips_a_failing_band(parts):
    assessment = assess(build_evidence(*parts))
    bands = {b.key: b for b in assessment.bands}
    order = [b.key for b in assessment.bands]
    for row in assessment.aspects:
        cells = {c.band_key: c.status for c in assessment.scale_table if c.aspect_key == row.aspect_key}
        ceiling, band = row.ceiling, row.band_ceiling
        if ceiling.state in ("not_established", "below_range"):  # works at no scale tested: no band to stand on
            assert band is None
        if band is None:
            continue
        first = next(k for k in order if cells[k] != "no_evidence")
        assert all(cells[k] in ("partial", "tractable") for k in order[order.index(first) : order.index(band) + 1])
        if ceiling.state == "estimated":  # the band ceiling's band does not lie mostly above the interval
            low = math.log10(bands[band].min_params) if bands[band].min_params else None
            high = math.log10(bands[band].max_params) if bands[band].max_params else None
            middle = (low + high) / 2 if low is not None and high is not None else (low + 1 if low else high - 1)
            assert middle <= ceiling.crossing_high_log10 + 1e-9
