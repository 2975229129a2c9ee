"""Webhook subscriptions, the outbox of deliveries, and the log of every attempt."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import JSON, CheckConstraint, Column, DateTime, ForeignKey, Index, Integer, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.evidence.base import one_of, utcnow


class WebhookEvent(StrEnum):
    report_published = "report_published"
    ceiling_moved = "ceiling_moved"
    status_changed = "status_changed"
    grade_changed = "grade_changed"


class DeliveryState(StrEnum):
    pending = "pending"
    delivered = "delivered"
    failed = "failed"


class WebhookSubscription(SQLModel, table=True):
    """A receiver URL, the events it wants, and the secret its deliveries are signed with.

    The secret is stored as given (it must be, to sign); it is shown once at creation and never logged.
    """

    __tablename__ = "webhook_subscription"
    __table_args__ = (CheckConstraint("threshold_decades > 0", name="threshold_positive"),)

    id: int | None = Field(default=None, primary_key=True)
    url: str = Field(max_length=2000)
    description: str = Field(default="", max_length=500)
    events: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    threshold_decades: float = 0.5
    secret: str = Field(max_length=200)
    active: bool = True
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True), nullable=False)
    created_by: str = Field(max_length=100)


class WebhookDelivery(SQLModel, table=True):
    """One event for one subscriber, in the outbox until acknowledged (2xx) or given up."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (
        one_of("event", WebhookEvent),
        one_of("state", DeliveryState),
        UniqueConstraint("subscription_id", "event_id"),
        Index("ix_webhook_delivery_due", "state", "next_attempt_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    subscription_id: int = Field(
        sa_column=Column(Integer, ForeignKey("webhook_subscription.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    event_id: str = Field(max_length=100)
    event: str = Field(max_length=30)
    body: str = Field(sa_type=Text)
    state: str = Field(default=DeliveryState.pending, max_length=20)
    attempts: int = 0
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True), nullable=False)
    next_attempt_at: dt.datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True), nullable=False)
    lease_until: dt.datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    delivered_at: dt.datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    last_status_code: int | None = None
    last_error: str | None = Field(default=None, sa_type=Text)


class WebhookAttempt(SQLModel, table=True):
    """One try at sending a delivery: when, the receiver's status code or the error, how long it took."""

    __tablename__ = "webhook_attempt"

    id: int | None = Field(default=None, primary_key=True)
    delivery_id: int = Field(
        sa_column=Column(Integer, ForeignKey("webhook_delivery.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    at: dt.datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True), nullable=False)
    status_code: int | None = None
    error: str | None = Field(default=None, sa_type=Text)
    duration_ms: int = 0
