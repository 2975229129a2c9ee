"""/api/v1/webhooks: admins register receivers and read the delivery log (the same service as the admin pages)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel, Field

from app.api.deps import AdminDep, ApiSession
from app.api.problems import problem_responses
from app.db.session import SettingsDep
from app.webhooks import service
from app.webhooks.models import WebhookEvent

router = APIRouter(prefix="/api/v1/webhooks", tags=["webhooks"])
SubscriptionId = Annotated[int, Path(ge=1, le=10**12)]


class WebhookIn(BaseModel):
    url: str = Field(
        max_length=2000,
        description="http:// or https:// address the deliveries are POSTed to; its host must resolve to public "
        "addresses only (no loopback, private, link-local or reserved ones).",
    )
    events: list[WebhookEvent] = Field(min_length=1, description="The events it receives.")
    threshold_decades: float = Field(0.5, gt=0, le=10, description="ceiling_moved: the least shift that counts.")
    description: str = Field("", max_length=500)


class WebhookPublic(BaseModel):
    """A subscriber (its secret is never shown again after creation)."""

    id: int
    url: str
    events: list[str]
    threshold_decades: float
    description: str
    active: bool
    created_by: str
    created_at: dt.datetime


class WebhookCreated(WebhookPublic):
    secret: str = Field(description="The signing secret, shown once: the Standard Webhooks key of webhook-signature.")


class WebhooksPublic(BaseModel):
    data: list[WebhookPublic]
    count: int


class AttemptPublic(BaseModel):
    at: dt.datetime
    status_code: int | None
    error: str | None
    duration_ms: int


class DeliveryPublic(BaseModel):
    """One event for one subscriber: its state in the outbox and every attempt."""

    id: int
    subscription_id: int
    event_id: str
    event: str
    state: str
    attempts: list[AttemptPublic]
    next_attempt_at: dt.datetime | None
    delivered_at: dt.datetime | None


class DeliveriesPublic(BaseModel):
    data: list[DeliveryPublic]
    count: int


@router.get("", response_model=WebhooksPublic, responses=problem_responses(401, 403))
def list_webhooks(session: ApiSession, _admin: AdminDep) -> dict:
    """Every subscriber."""
    rows = service.get_all(session)
    return {"data": [WebhookPublic.model_validate(r, from_attributes=True) for r in rows], "count": len(rows)}


@router.post("", status_code=201, response_model=WebhookCreated, responses=problem_responses(401, 403, 422))
def create_webhook(data: WebhookIn, session: ApiSession, principal: AdminDep, settings: SettingsDep) -> dict:
    """Register a receiver (its host must resolve to public addresses); the response holds its signing secret."""
    row, secret = service.create(
        session,
        data.url,
        [e.value for e in data.events],
        principal.user.username,
        data.threshold_decades,
        data.description,
        allow_loopback=settings.webhook_allow_loopback,
    )
    return {**WebhookPublic.model_validate(row, from_attributes=True).model_dump(), "secret": secret}


@router.delete("/{subscription_id:int}", status_code=204, responses=problem_responses(401, 403, 404))
def delete_webhook(subscription_id: SubscriptionId, session: ApiSession, _admin: AdminDep) -> Response:
    """Remove a subscriber with its deliveries."""
    service.delete(session, subscription_id)
    return Response(status_code=204)


@router.get("/deliveries", response_model=DeliveriesPublic, responses=problem_responses(401, 403))
def list_deliveries(
    session: ApiSession, _admin: AdminDep, limit: int = Query(100, ge=1, le=500, description="At most this many.")
) -> dict:
    """The newest deliveries with the status code (or error) of each attempt."""
    rows = service.deliveries(session, limit)
    attempts = service.attempts_of(session, [r.id for r in rows])
    data = [
        {
            **r.model_dump(include={"id", "subscription_id", "event_id", "event", "state", "delivered_at"}),
            "next_attempt_at": r.next_attempt_at if r.state == "pending" else None,
            "attempts": [a.model_dump() for a in attempts[r.id]],
        }
        for r in rows
    ]
    return {"data": data, "count": len(data)}
