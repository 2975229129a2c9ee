"""Agreement figures against textbook examples worked by hand."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from app.auth import service as auth
from app.auth.roles import Role
from app.db.session import session_scope
from app.evidence.agreement import POOR, agreement, cohen_kappa, krippendorff_alpha
from app.evidence.models import Claim, Extraction, ExtractionRequest

# Cohen's kappa, the two-reader example of Wikipedia's "Cohen's kappa": 50 items, yes/yes 20, yes/no 5,
# no/yes 10, no/no 15. p_o = 35/50 = 0.7, p_e = 0.5*0.6 + 0.5*0.4 = 0.5, kappa = (0.7-0.5)/(1-0.5) = 0.4.
KAPPA_A = ["yes"] * 25 + ["no"] * 25
KAPPA_B = ["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15
# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", binary data, two observers:
# o_00 = 10, o_01 = o_10 = 4, o_11 = 2, n = 20, n_0 = 14, n_1 = 6;
# alpha = 1 - (n-1) o_01 / (n_0 n_1) = 1 - 19*4/84 = 0.0952. Kappa: p_o = 0.6, p_e = 0.8*0.6 + 0.2*0.4
# = 0.56, kappa = 0.04/0.44 = 0.0909.
ALPHA_A = [0, 1, 0, 0, 0, 0, 0, 0, 1, 0]
ALPHA_B = [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]


def test_cohens_kappa_of_the_textbook_table():
    assert cohen_kappa(KAPPA_A, KAPPA_B) == pytest.approx(0.4)


def test_krippendorffs_alpha_of_krippendorffs_binary_example():
    assert krippendorff_alpha(ALPHA_A, ALPHA_B, "nominal") == pytest.approx(1 - 76 / 84)


def test_interval_alpha_worked_by_hand():
    # values 1,1,2,2,3,3,4,5 (n = 8): D_o = 2*(4-5)^2/8 = 0.25; sum over ordered pairs of (v_i - v_j)^2
    # = 2*(n*sum(v^2) - sum(v)^2) = 2*(8*69 - 441) = 222, D_e = 222/(8*7); alpha = 1 - 0.25*56/222.
    assert krippendorff_alpha([1, 2, 3, 4], [1, 2, 3, 5], "interval") == pytest.approx(1 - 14 / 222)


def test_undefined_figures_are_none_not_nan():
    assert cohen_kappa(["a", "a"], ["a", "a"]) is None
    assert krippendorff_alpha(["a", "a"], ["a", "a"], "nominal") is None
    assert cohen_kappa([], []) is None


def test_agreement_per_field_and_pair_over_stored_extractions(sqlite_seeded_url, engine_for):
    engine = engine_for(sqlite_seeded_url)
    stance = {0: "supports", 1: "undermines"}
    with session_scope(engine) as session:
        ann = auth.create_user(session, "ann", "a-long-enough-password", Role.analyst)
        bob = auth.create_user(session, "bob", "a-long-enough-password", Role.analyst)
        claims = session.exec(select(Claim).order_by(Claim.key).limit(len(ALPHA_A))).all()
        for claim, a, b in zip(claims, ALPHA_A, ALPHA_B, strict=True):
            request = ExtractionRequest(
                claim_id=claim.id, status="submitted", requested_by="ed", first_analyst_id=ann.id,
                first_analyst="ann", second_analyst_id=bob.id, second_analyst="bob",
            )  # fmt: skip
            session.add(request)
            session.flush()
            for user, value in ((ann, a), (bob, b)):
                values = {"claim": {"stance": stance[value], "confidence": 0.5 + value / 10}, "results": {}}
                session.add(Extraction(request_id=request.id, analyst_id=user.id, analyst=user.username, values=values))
    with Session(engine) as session:
        rows = {row.field: row for row in agreement(session)}
    assert rows["stance"].analysts == ("ann", "bob") and rows["stance"].items == 10
    assert rows["stance"].kappa == pytest.approx(0.04 / 0.44)
    assert rows["stance"].alpha == pytest.approx(1 - 76 / 84)
    assert rows["stance"].poor and rows["stance"].alpha < POOR
    assert rows["confidence"].kappa is None  # a number, not a category
    assert rows["confidence"].alpha == pytest.approx(1 - 76 / 84)  # the same pattern on an interval scale
    assert rows["outcome"].items == 0 and rows["outcome"].alpha is None and not rows["outcome"].poor
