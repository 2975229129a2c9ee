"""Every status transition x every role, on the service the API and the pages share."""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy import update
from sqlmodel import Session, select

from app.auth.roles import Role
from app.db.engine import build_engine
from app.evidence.enums import ClaimStatus
from app.evidence.errors import Conflict, NotAllowed
from app.evidence.history import Actor, history
from app.evidence.models import Claim
from app.evidence.services import review

CLAIM = "lieberum2023.chinchilla-circuit-scales"
A, E = "analyst editor admin", "editor admin"
# Written out by hand from docs/review.md, not derived from the code under test.
EXPECTED = {
    ("draft", "in_review"): A,
    ("in_review", "reviewed"): E,
    ("in_review", "rejected"): E,
    ("in_review", "draft"): E,
    ("rejected", "draft"): A,
    ("reviewed", "in_review"): E,
    ("draft", "retracted"): A,
    ("in_review", "retracted"): A,
    ("reviewed", "retracted"): A,
    ("retracted", "draft"): E,
}
CASES = [(a.value, b.value, r.value) for a, b in itertools.permutations(ClaimStatus, 2) for r in Role]


@pytest.fixture(scope="module")
def engine(databases):
    engine = build_engine(databases.fresh("sqlite", seeded=True))
    yield engine
    engine.dispose()


@pytest.mark.parametrize(("start", "to", "role"), CASES)
def test_every_transition_for_every_role(engine, start, to, role):
    with Session(engine) as session:
        reason = "rejected: the figure is from another model" if start == "rejected" else None
        session.execute(update(Claim).where(Claim.key == CLAIM).values(status=start, status_reason=reason))
        claim = session.exec(select(Claim).where(Claim.key == CLAIM)).one()
        actor = Actor(f"user-{role}", None)
        try:
            if (start, to) not in EXPECTED:
                with pytest.raises(Conflict):
                    review.move(session, claim, to, actor, role, "a reason long enough")
            elif role not in EXPECTED[(start, to)].split():
                with pytest.raises(NotAllowed):
                    review.move(session, claim, to, actor, role, "a reason long enough")
                assert claim.status == start
            else:
                review.move(session, claim, to, actor, role, "a reason long enough")
                assert claim.status == to
                last = history(session, "claim", claim.id)[-1]
                assert last.actor == actor.name and last.changes["status"] == [start, to]
                assert last.note == "a reason long enough" and last.at is not None
        finally:
            session.rollback()


def test_the_buttons_offered_are_the_moves_allowed():
    assert review.moves_for("in_review", "analyst") == [ClaimStatus.retracted]
    assert set(review.moves_for("in_review", "editor")) == {"reviewed", "rejected", "draft", "retracted"}
    assert review.moves_for("reviewed", "viewer") == [] and review.moves_for("draft", None) == []
    assert review.verb("reviewed", "in_review") == "Reopen the review"
    assert review.verb("draft", "in_review") == "Submit for review"
