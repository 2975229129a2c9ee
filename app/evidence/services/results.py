"""Results: the empirical results behind a claim, with the scale bands their size falls in."""

from __future__ import annotations

from sqlmodel import Session, select

from app.evidence.bands import bands_spanned
from app.evidence.enums import EvaluationStandard, MethodFamily
from app.evidence.errors import Conflict, EvidenceError, NotFound
from app.evidence.history import Actor, create_tracked, set_deleted, update_tracked
from app.evidence.models import Method, Result, ResultBand, ScaleBand
from app.evidence.schemas.results import ResultIn
from app.evidence.services.common import by_key, check_restore


def columns(session: Session, data: ResultIn, claim_id: int, field_prefix: str = "") -> dict:
    values = data.model_dump(mode="json", exclude={"method", "baseline_method"})
    methods: dict[str, Method | None] = {}
    for name in ("method", "baseline_method"):
        key = getattr(data, name)
        methods[name] = None if key is None else session.get(Method, key)
        if key is not None and methods[name] is None:
            raise NotFound(f"no method {key!r}", field=f"{field_prefix}{name}")
        values[f"{name}_key"] = key
    if data.evaluation_standard is EvaluationStandard.simple_baseline:
        _check_simple_baseline(methods["baseline_method"], f"{field_prefix}baseline_method")
    values["claim_id"] = claim_id
    return values


def _check_simple_baseline(baseline: Method | None, field: str) -> None:
    """A result judged against a simple baseline names that baseline, and it is one: a loss to another
    mechanistic method (SAE against SAE) is a comparison of mechanistic methods, not a loss to a baseline."""
    if baseline is None:
        raise EvidenceError(
            "a result judged against a simple baseline names it: give baseline_method"
            " (a method of the baseline family: a probe, prompting, a steering vector, fine-tuning, RepE)",
            field=field,
        )
    if baseline.family != MethodFamily.baseline:
        raise EvidenceError(
            f"{baseline.key} is a {baseline.family} method: record this as mechanistic_comparison,"
            " or name the simple baseline",
            field=field,
        )


def input_values(result: Result) -> dict:
    """The stored result in the shape of ResultIn (method keys under their input names)."""
    keyed = {"method": "method_key", "baseline_method": "baseline_method_key"}
    return {name: getattr(result, keyed.get(name, name)) for name in ResultIn.model_fields}


def _sync_bands(session: Session, result: Result) -> dict:
    """Re-derive the result's bands from its size; returns the change for the revision log."""
    wanted = bands_spanned(session.exec(select(ScaleBand)), result.params_low, result.params_high)
    current = sorted(session.exec(select(ResultBand.band_key).where(ResultBand.result_id == result.id)))
    if sorted(wanted) == current:
        return {}
    for link in session.exec(select(ResultBand).where(ResultBand.result_id == result.id)):
        session.delete(link)
    session.flush()
    for key in wanted:
        session.add(ResultBand(result_id=result.id, band_key=key))
    session.flush()
    return {"bands": [current, sorted(wanted)]}


def create(session: Session, data: ResultIn, claim_id: int, actor: Actor, field_prefix: str = "") -> Result:
    if by_key(session, Result, data.key) is not None:
        raise Conflict(f"result key {data.key!r} is taken", field=f"{field_prefix}key")
    result = create_tracked(session, "result", Result(**columns(session, data, claim_id, field_prefix)), actor)
    _sync_bands(session, result)
    return result


def update(
    session: Session,
    result: Result,
    data: ResultIn,
    actor: Actor,
    expected_version: int | None = None,
    field_prefix: str = "",
) -> dict:
    values = columns(session, data, result.claim_id, field_prefix)
    changes = update_tracked(session, "result", result, values, actor, expected_version=expected_version)
    band_change = _sync_bands(session, result)
    if band_change and not changes:
        changes = update_tracked(session, "result", result, {}, actor, extra_changes=band_change)
    return changes


def delete(session: Session, result: Result, actor: Actor, expected_version: int | None = None) -> None:
    set_deleted(session, "result", result, True, actor, expected_version=expected_version)


def restore(session: Session, result: Result, actor: Actor) -> None:
    """Undo a soft delete (an admin only: common.check_restore)."""
    check_restore(actor, "result", result.key)
    set_deleted(session, "result", result, False, actor)


def band_keys(session: Session, result_id: int) -> list[str]:
    return list(session.exec(select(ResultBand.band_key).where(ResultBand.result_id == result_id)))
