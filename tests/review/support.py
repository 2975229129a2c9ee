"""Helpers the review tests share with the web tests: a dual extraction asked of the web test users."""

from __future__ import annotations

from sqlmodel import Session

from app.auth import service as auth
from app.evidence.history import Actor
from app.evidence.models import Claim, ExtractionRequest
from app.evidence.services import extraction


def person(session: Session, username: str) -> Actor:
    user = auth.get_user(session, username)
    return Actor(user.username, user.id)


def ask_for_dual_extraction(session: Session, claim: Claim, note: str | None = None) -> ExtractionRequest:
    """The web tests' admin asks their analyst and analyst2 to extract the claim (reopening its review)."""
    editor = person(session, "admin")
    if claim.status == "reviewed":
        from app.evidence.services import review

        review.move(session, claim, "in_review", editor, "admin", "reopened for a dual extraction")
    first, second = person(session, "analyst"), person(session, "analyst2")
    return extraction.start(session, claim, editor, "admin", first, second, note)
