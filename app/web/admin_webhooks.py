"""Admin pages of webhooks: subscribers (register with an event filter, pause, remove) and the delivery log."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlmodel import Session

from app.evidence.errors import EvidenceError
from app.web.csrf import CsrfForm
from app.web.forms.formdata import text, typed
from app.web.render import flash, render
from app.web.signin import Admin, PageSession, load_user
from app.webhooks import service
from app.webhooks.models import WebhookEvent

router = APIRouter(prefix="/admin/webhooks", dependencies=[Depends(load_user)], include_in_schema=False)
EVENTS = [
    (WebhookEvent.report_published.value, "a report is published"),
    (WebhookEvent.ceiling_moved.value, "a ceiling moves by more than the threshold"),
    (WebhookEvent.status_changed.value, "a status at a scale band changes"),
    (WebhookEvent.grade_changed.value, "a confidence grade changes"),
]
FIELDS = ("url", "description", "threshold")


def _page(request: Request, session: Session, values=None, errors=None, **extra) -> HTMLResponse:
    deliveries = service.deliveries(session)
    context = {
        "subscriptions": service.get_all(session),
        "deliveries": deliveries,
        "attempts": service.attempts_of(session, [d.id for d in deliveries]),
        "event_options": EVENTS,
        "values": values or {"threshold": "0.5", "events": [WebhookEvent.report_published.value]},
        "errors": errors or {},
        **extra,
    }
    response = render(request, "admin_webhooks.html", context, status_code=422 if errors else 200)
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("", response_class=HTMLResponse)
def webhooks_page(request: Request, session: PageSession, admin: Admin) -> HTMLResponse:
    """Subscribers, the form to add one, and the newest deliveries with every attempt's status code."""
    return _page(request, session)


@router.post("", response_class=HTMLResponse)
def create_subscription(request: Request, form: CsrfForm, session: PageSession, admin: Admin) -> HTMLResponse:
    """Register a receiver; its signing secret is shown on this page once."""
    values = {**typed(form, FIELDS), "events": [v for v in form.getlist("events") if isinstance(v, str)]}
    try:
        threshold = float(values["threshold"])
    except ValueError:
        return _page(request, session, values, {"threshold": "Enter a number of orders of magnitude, e.g. 0.5."})
    try:
        row, secret = service.create(
            session,
            values["url"],
            values["events"],
            admin.username,
            threshold,
            values["description"],
            allow_loopback=request.app.state.settings.webhook_allow_loopback,
        )
    except EvidenceError as error:
        session.rollback()
        return _page(request, session, values, {error.field or "url": error.message})
    return _page(request, session, created={"row": row, "secret": secret})


def _act(request: Request, action, done: str) -> RedirectResponse:
    """Run a service action, flash its outcome (or its error), back to the webhooks page."""
    try:
        flash(request, done.format(action()), "ok")
    except EvidenceError as error:
        flash(request, error.message, "error")
    return RedirectResponse("/admin/webhooks", status_code=303)


@router.post("/{subscription_id:int}/active")
def set_active(request: Request, subscription_id: int, form: CsrfForm, session: PageSession, admin: Admin):
    """Pause or resume a subscriber."""
    active = text(form, "active") == "yes"

    def change() -> str:
        service.set_active(session, subscription_id, active)
        return "resumed" if active else "paused"

    return _act(request, change, f"Webhook {subscription_id} {{}}.")


@router.post("/{subscription_id:int}/delete")
def delete_subscription(request: Request, subscription_id: int, form: CsrfForm, session: PageSession, admin: Admin):
    """Remove a subscriber with its deliveries."""
    return _act(request, lambda: service.delete(session, subscription_id), f"Webhook {subscription_id} removed.")


@router.post("/deliveries/{delivery_id:int}/retry")
def retry_delivery(request: Request, delivery_id: int, form: CsrfForm, session: PageSession, admin: Admin):
    """Queue a given-up delivery again."""
    return _act(request, lambda: service.retry(session, delivery_id), f"Delivery {delivery_id} queued again.")
