"""Tables of the review workflow: a dual extraction of a claim and the two analysts' extractions.

Analysts are named by user id and username, as in the revision log, so the store never imports
app/auth. See docs/review.md.
"""

import datetime as dt

from sqlalchemy import JSON, CheckConstraint, Column, DateTime, ForeignKey, Integer, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.evidence.base import Tracked, one_of, utcnow
from app.evidence.enums import ExtractionStatus


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
