"""Dual extraction: a reviewer asks two analysts to extract a claim's results independently; each sees
the source and the claim's text but not the other's values until both have submitted; the fields where
they differ are shown side by side and an editor who extracted neither resolves them. The resolution is
written to the claim and its results through the claims service (so the history records it) and
marks the claim reviewed. See docs/review.md.
"""

from __future__ import annotations

import math
from typing import Any

from pydantic import ValidationError
from sqlmodel import Session, select

from app.auth.roles import Role
from app.evidence.base import utcnow
from app.evidence.enums import ClaimStatus, ExtractionStatus
from app.evidence.errors import Conflict, EvidenceError, NotAllowed, NotFound, Unresolved
from app.evidence.history import Actor
from app.evidence.messages import plain_message
from app.evidence.models import Claim, Extraction, ExtractionRequest, Result, Revision, Source
from app.evidence.schemas.claims import ClaimIn
from app.evidence.schemas.results import ResultIn
from app.evidence.schemas.review import ExtractionIn
from app.evidence.services import claims as claim_service
from app.evidence.services import results as result_service
from app.evidence.services import review
from app.evidence.sizes import exact_number

CLAIM_FIELDS = ("stance", "confidence")
RESULT_FIELDS = (
    "outcome", "evaluation_standard", "safety_impact", "params_basis", "params", "params_low", "params_high",
    "params_estimate_kind", "params_note", "method",
)  # fmt: skip
NONE_CHOICE = "(none)"  # the value a resolution picks to store nothing; an empty choice is no choice at all
LABELS = {
    "stance": "Stance",
    "confidence": "Confidence",
    "outcome": "Outcome",
    "evaluation_standard": "Evaluation standard",
    "safety_impact": "Safety impact",
    "params_basis": "Parameter basis",
    "params": "Parameters",
    "params_low": "Size range from",
    "params_high": "Size range to",
    "params_estimate_kind": "Basis of the size estimate",
    "params_note": "Cited basis of the size",
    "method": "Method",
}


def get(session: Session, request_id: int) -> ExtractionRequest:
    row = session.get(ExtractionRequest, request_id)
    if row is None:
        raise NotFound(f"no dual extraction {request_id}")
    return row


def live_results(session: Session, claim_id: int) -> list[Result]:
    query = select(Result).where(Result.claim_id == claim_id, Result.deleted_at.is_(None)).order_by(Result.key)
    return list(session.exec(query))


def start(
    session: Session, claim: Claim, requester: Actor, requester_role: str, first: Actor, second: Actor, note=None
) -> ExtractionRequest:
    """Ask two analysts (given as actors whose roles the caller checked) for independent extractions."""
    if Role(requester_role) not in review.EDITORS:
        raise NotAllowed("an editor (the reviewer) asks for a dual extraction")
    if first.user_id is None or second.user_id is None or first.user_id == second.user_id:
        raise EvidenceError("a dual extraction needs two different analysts", field="second_analyst")
    author = author_id(session, claim.id)
    for who, field in ((first, "first_analyst"), (second, "second_analyst")):
        if author is not None and who.user_id == author:
            raise EvidenceError(f"{who.name} wrote this claim: a second pair of eyes is someone else's", field=field)
    if claim.status not in (ClaimStatus.draft, ClaimStatus.in_review):
        raise Conflict(f"a {claim.status} claim is not under review; reopen its review first", field="status")
    if review.open_extraction(session, claim.id) is not None:
        raise Conflict(f"claim {claim.key} already has a dual extraction under way")
    if claim.status == ClaimStatus.draft:
        review.move(session, claim, ClaimStatus.in_review, requester, requester_role, "dual extraction requested")
    row = ExtractionRequest(
        claim_id=claim.id,
        note=(note or "").strip() or None,
        requested_by_id=requester.user_id,
        requested_by=requester.name,
        first_analyst_id=first.user_id,
        first_analyst=first.name,
        second_analyst_id=second.user_id,
        second_analyst=second.name,
    )
    session.add(row)
    session.flush()
    return row


def author_id(session: Session, claim_id: int) -> int | None:
    """The user who created the claim (None for the seed's and imported claims)."""
    query = select(Revision.user_id).where(
        Revision.entity_kind == "claim", Revision.entity_id == claim_id, Revision.action == "create"
    )
    return session.exec(query.limit(1)).first()


def is_analyst_of(row: ExtractionRequest, user_id: int | None) -> bool:
    return user_id is not None and user_id in (row.first_analyst_id, row.second_analyst_id)


def blind_view(session: Session, row: ExtractionRequest) -> dict[str, Any]:
    """What an extracting analyst may see: the source and the claim's text, and which results to read."""
    claim = session.get(Claim, row.claim_id)
    source = session.get(Source, claim.source_id)
    results = [
        {"key": r.key, "model_name": r.model_name, "task": r.task, "metric_name": r.metric_name}
        for r in live_results(session, claim.id)
    ]
    return {
        "dual": row,
        "claim": {"id": claim.id, "key": claim.key, "text": claim.text, "quote": claim.quote, "locator": claim.locator},
        "source": {"key": source.key, "title": source.title, "url": source.url, "year": source.year},
        "results": results,
    }


def extraction_of(session: Session, row: ExtractionRequest, user_id: int | None) -> Extraction | None:
    query = select(Extraction).where(Extraction.request_id == row.id, Extraction.analyst_id == user_id)
    return session.exec(query).first()


def submit(session: Session, row: ExtractionRequest, actor: Actor, data: ExtractionIn) -> Extraction:
    """Record one analyst's extraction; once both are in, the comparison opens."""
    if not is_analyst_of(row, actor.user_id):
        raise NotAllowed("only the two analysts named in the request extract")
    if row.status != ExtractionStatus.open or extraction_of(session, row, actor.user_id) is not None:
        raise Conflict("your extraction is already submitted")
    wanted = {r.key for r in live_results(session, row.claim_id)}
    for key in sorted(wanted - set(data.results)):
        raise EvidenceError(f"result {key} is not extracted", field=f"results.{key}")
    for key in sorted(set(data.results) - wanted):
        raise EvidenceError(f"the claim has no result {key}", field=f"results.{key}")
    extraction = Extraction(
        request_id=row.id, analyst_id=actor.user_id, analyst=actor.name, values=data.model_dump(mode="json")
    )
    session.add(extraction)
    session.flush()
    if len(session.exec(select(Extraction.id).where(Extraction.request_id == row.id)).all()) == 2:
        row.status = ExtractionStatus.submitted
        row.updated_at = utcnow()
        session.add(row)
        session.flush()
    return extraction


MIN_REASON_CHARS = 10


def _typed(choice: Any, like: Any) -> Any:
    """A form's text choice compared as the analysts' value's type ('0.7' with 0.7)."""
    if isinstance(like, int | float) and isinstance(choice, str):
        try:
            return float(choice)
        except ValueError:
            return choice
    return choice


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, int | float) and isinstance(b, int | float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    return a == b


def _stored(session: Session, claim: Claim) -> dict[str, Any]:
    values = {f"claim.{name}": getattr(claim, name) for name in CLAIM_FIELDS}
    for r in live_results(session, claim.id):
        values.update({f"results.{r.key}.{name}": getattr(r, name) for name in RESULT_FIELDS if name != "method"})
        values[f"results.{r.key}.method"] = r.method_key
    return values


def _flat(values: dict[str, Any]) -> dict[str, Any]:
    out = {f"claim.{name}": values["claim"].get(name) for name in CLAIM_FIELDS}
    for key, result in values["results"].items():
        out.update({f"results.{key}.{name}": result.get(name) for name in RESULT_FIELDS})
    return out


def comparison(session: Session, row: ExtractionRequest) -> list[dict[str, Any]]:
    """Field by field: both analysts' values, the stored value and whether they agree."""
    if row.status == ExtractionStatus.open:
        raise NotAllowed("the extractions stay hidden until both analysts have submitted")
    rows = sorted(session.exec(select(Extraction).where(Extraction.request_id == row.id)), key=_order(row))
    first, second = (_flat(e.values) for e in rows)
    claim = session.get(Claim, row.claim_id)
    stored = _stored(session, claim)
    names = result_names(session, claim.id)
    chosen = (row.resolution or {}).get("values", {})
    out = []
    for path in first:
        key, field = path.rsplit(".", 1)
        out.append(
            {
                "path": path,
                "label": LABELS[field] + ("" if path.startswith("claim.") else f" of {names.get(key[8:], key[8:])}"),
                "first": first[path],
                "second": second.get(path),
                "stored": stored.get(path),
                "agrees": _same(first[path], second.get(path)),
                "resolved": chosen.get(path),
            }
        )
    return out


def result_names(session: Session, claim_id: int) -> dict[str, str]:
    """Each result's key -> how people name it: "Result 2 - GPT-4" (in the order the claim lists them)."""
    return {r.key: f"Result {n} - {r.model_name}" for n, r in enumerate(live_results(session, claim_id), start=1)}


def stored_text(session: Session, claim: Claim) -> dict[str, str]:
    """What is stored now, as people read it, where the raw value would mislead: a method inherited from the
    claim, a size stored as a range (or an open-ended bound) rather than a point."""
    shown = {}
    for r in live_results(session, claim.id):
        if r.method_key is None:
            inherited = claim.method_key or "none"
            shown[f"results.{r.key}.method"] = f"as the claim ({inherited})"
        if r.params is None and r.params_low is not None:
            high = exact_number(r.params_high) if r.params_high is not None else "open"
            shown[f"results.{r.key}.params"] = f"range {exact_number(r.params_low)} to {high}"
    return shown


def _order(row: ExtractionRequest):
    return lambda e: 0 if e.analyst_id == row.first_analyst_id else 1


def _result_in(result: Result, changes: dict[str, Any]) -> ResultIn:
    values = result_service.input_values(result)
    if changes.get("params_note") is None:  # an extraction that cites no basis keeps the stored note
        changes = {k: v for k, v in changes.items() if k != "params_note"}
    values.update(changes)
    if values["params_basis"] == "undisclosed":
        values.update(params=None)
    elif values["params_low"] is None or not (values["params_low"] <= values["params"] <= values["params_high"]):
        values.update(params_low=values["params"], params_high=values["params"])
    return ResultIn.model_validate(values)


def resolve(  # noqa: C901 - one rule per kind of choice, each where a reader looks for it
    session: Session,
    row: ExtractionRequest,
    actor: Actor,
    role: str,
    choices: dict[str, Any],
    reason: str | None = None,
) -> dict:
    """An editor's resolution: agreed values stand, each disagreement takes the chosen value; written through
    the claims service, then the claim is marked reviewed."""
    if Role(role) not in review.EDITORS:
        raise NotAllowed("an editor resolves a dual extraction")
    if is_analyst_of(row, actor.user_id):
        raise NotAllowed("the resolution is a third person's: you extracted this claim")
    if row.status != ExtractionStatus.submitted:
        raise Conflict("both extractions are needed first" if row.status == "open" else "already resolved")
    values, missing, own = {}, {}, []
    for item in comparison(session, row):
        path, choice = item["path"], choices.get(item["path"], "")
        if choice is None or choice == NONE_CHOICE:  # JSON null, or the form's "none": store nothing
            values[path] = None
        elif choice != "":
            values[path] = choice
            if not any(_same(_typed(choice, v), v) for v in (item["first"], item["second"])):
                own.append(path)
        elif item["agrees"]:
            values[path] = item["first"]
        else:
            missing[path] = f"Choose a value for {item['label']}."
    if missing:
        raise Unresolved(missing)
    reason = (reason or "").strip()
    if own and len(reason) < MIN_REASON_CHARS:
        raise EvidenceError(
            f"a value of your own (for {', '.join(own)}) needs its reason, in at least {MIN_REASON_CHARS} characters",
            field="reason",
        )
    claim = session.get(Claim, row.claim_id)
    try:
        extraction = ExtractionIn.model_validate(_nest(values))
        results = [
            _result_in(r, extraction.results[r.key].model_dump(mode="json") if r.key in extraction.results else {})
            for r in live_results(session, claim.id)
        ]
    except ValidationError as error:
        first = error.errors()[0]
        raise EvidenceError(plain_message(first), field=".".join(str(p) for p in first["loc"])) from None
    data = ClaimIn.model_validate(
        {**claim_service.input_values(session, claim), **extraction.claim.model_dump(mode="json"), "results": results}
    )
    changes = claim_service.update(session, claim, data, actor, with_results=True)
    if claim.status == ClaimStatus.draft:
        review.move(session, claim, ClaimStatus.in_review, actor, role, "dual extraction resolved")
    note = f"dual extraction {row.id} resolved"
    review.move(session, claim, ClaimStatus.reviewed, actor, role, note, via_resolution=True)
    row.status = ExtractionStatus.resolved
    row.resolved_by_id, row.resolved_by, row.resolved_at = actor.user_id, actor.name, utcnow()
    row.resolution = {"values": values, **({"own": own, "reason": reason} if own else {})}
    row.updated_at = utcnow()
    session.add(row)
    session.flush()
    return changes


def _nest(values: dict[str, Any]) -> dict[str, Any]:
    nested: dict[str, Any] = {"claim": {}, "results": {}}
    for path, value in values.items():
        scope, rest = path.split(".", 1)
        if scope == "claim":
            nested["claim"][rest] = value
        else:  # results.<key, which may hold dots>.<field>
            key, field = rest.rsplit(".", 1)
            nested["results"].setdefault(key, {})[field] = value
    return nested


def requests_for_claim(session: Session, claim_id: int) -> list[ExtractionRequest]:
    query = select(ExtractionRequest).where(ExtractionRequest.claim_id == claim_id)
    return list(session.exec(query.order_by(ExtractionRequest.id)))
