"""Counts of the evidence for the home page and dashboards, each kept per data version (app/evidence/version.py)."""

from __future__ import annotations

import threading
from collections import OrderedDict

from sqlmodel import Session, func, select

from app.evidence.models import (
    Aspect,
    Claim,
    ClaimAspect,
    Critique,
    Result,
    ResultBand,
    ScaleBand,
    Source,
)
from app.evidence.schemas.claims import ClaimFilters
from app.evidence.services import visibility
from app.evidence.services.filters import claim_conditions, result_side_conditions
from app.evidence.version import data_version, has_pending_writes


def counts_by_aspect(session: Session) -> list[dict]:
    """Per aspect: live claims, results and critiques bearing on it, and the sources behind them (what the
    session's reader may see: app/evidence/services/visibility.py)."""
    rows = []
    seen_claims, seen_critiques = visibility.conditions(session, Claim), visibility.conditions(session, Critique)
    for aspect in session.exec(select(Aspect).order_by(Aspect.sort_order, Aspect.key)):
        live_claims = (
            select(Claim.id)
            .join(ClaimAspect, ClaimAspect.claim_id == Claim.id)
            .where(ClaimAspect.aspect_key == aspect.key, Claim.deleted_at.is_(None), *seen_claims)
        )
        claim_ids = live_claims.scalar_subquery()
        rows.append(
            {
                "key": aspect.key,
                "name": aspect.name,
                "sources": session.exec(
                    select(func.count(func.distinct(Claim.source_id))).where(Claim.id.in_(claim_ids))
                ).one(),
                "claims": session.exec(select(func.count()).where(Claim.id.in_(claim_ids))).one(),
                "results": session.exec(
                    select(func.count()).where(Result.claim_id.in_(claim_ids), Result.deleted_at.is_(None))
                ).one(),
                "critiques": session.exec(
                    select(func.count()).where(
                        Critique.target_claim_id.in_(claim_ids), Critique.deleted_at.is_(None), *seen_critiques
                    )
                ).one(),
            }
        )
    return rows


def totals(session: Session) -> dict[str, int]:
    """Live sources, claims, results and critiques (those the session's reader may see)."""
    return {
        name: session.exec(
            select(func.count())
            .select_from(model)
            .where(model.deleted_at.is_(None), *visibility.conditions(session, model))
        ).one()
        for name, model in (("sources", Source), ("claims", Claim), ("results", Result), ("critiques", Critique))
    }


def _counted(rows) -> list[dict]:
    return [{"value": value, "count": count} for value, count in rows]


def _summed(rows, position: int) -> list[dict]:
    """Counts of a grouped query summed over one of its grouping columns, largest first."""
    sums: dict = {}
    for row in rows:
        sums[row[position]] = sums.get(row[position], 0) + row[-1]
    return [{"value": v, "count": c} for v, c in sorted(sums.items(), key=lambda item: (-item[1], str(item[0])))]


def facet_counts(session: Session, filters: ClaimFilters | None = None) -> dict:
    """Facet counts for dashboards over the live claims matching the filters and their live results.

    Claim facets (aspect, stance, kind, status, method, source_kind, year) count claims; result facets
    (band, outcome, safety_impact) count the results of those claims that meet the result filters.
    Aspects and bands come in their vocabulary order, years in order, the rest largest first. Only the claims
    the session's reader may see are counted (app/evidence/services/visibility.py).
    """
    f = filters or ClaimFilters()
    conditions = claim_conditions(session.get_bind().dialect.name, f, published_only=visibility.published_only(session))
    claim_ids = select(Claim.id).where(*conditions)
    result_where = [Result.deleted_at.is_(None), Result.claim_id.in_(claim_ids), *result_side_conditions(f)]

    shape = session.exec(
        select(Claim.stance, Claim.kind, Claim.status, Claim.method_key, func.count())
        .where(*conditions)
        .group_by(Claim.stance, Claim.kind, Claim.status, Claim.method_key)
    ).all()
    by_source = session.exec(
        select(Source.kind, Source.year, func.count(), func.count(func.distinct(Source.id)))
        .join(Claim, Claim.source_id == Source.id)
        .where(*conditions)
        .group_by(Source.kind, Source.year)
    ).all()
    aspects = session.exec(
        select(Aspect.key, func.count(ClaimAspect.claim_id))
        .join(ClaimAspect, ClaimAspect.aspect_key == Aspect.key)
        .where(ClaimAspect.claim_id.in_(claim_ids))
        .group_by(Aspect.key, Aspect.sort_order)
        .order_by(Aspect.sort_order, Aspect.key)
    ).all()
    result_shape = session.exec(
        select(Result.outcome, Result.safety_impact, func.count())
        .where(*result_where)
        .group_by(Result.outcome, Result.safety_impact)
    ).all()
    bands = session.exec(
        select(ScaleBand.key, func.count(ResultBand.result_id))
        .join(ResultBand, ResultBand.band_key == ScaleBand.key)
        .join(Result, Result.id == ResultBand.result_id)
        .where(*result_where)
        .group_by(ScaleBand.key, ScaleBand.sort_order)
        .order_by(ScaleBand.sort_order, ScaleBand.key)
    ).all()
    years: dict = {}
    for _kind, year, count, _sources in by_source:
        years[year] = years.get(year, 0) + count
    return {
        "totals": {
            "claims": sum(row[-1] for row in shape),
            "sources": sum(row[-1] for row in by_source),
            "results": sum(row[-1] for row in result_shape),
        },
        "facets": {
            "aspect": _counted(aspects),
            "stance": _summed(shape, 0),
            "kind": _summed(shape, 1),
            "status": _summed(shape, 2),
            "method": _summed(shape, 3),
            "source_kind": _summed([(kind, count) for kind, _y, count, _s in by_source], 0),
            "year": _counted(sorted(years.items(), key=lambda item: (item[0] is None, item[0] or 0))),
            "band": _counted(bands),
            "outcome": _summed(result_shape, 0),
            "safety_impact": _summed(result_shape, 1),
        },
    }


_facet_cache: OrderedDict[tuple, dict] = OrderedDict()
_facet_lock = threading.Lock()
FACET_CACHE_SIZE = 64


def cached_facet_counts(session: Session, filters: ClaimFilters | None = None) -> tuple[dict, str]:
    """facet_counts, computed once per data version and filters (per process); returns (counts, version).

    On a large store the result facets scan every result, so dashboards polling /stats would
    otherwise pay that on every request; the version also serves as the ETag of /api/v1/stats.
    """
    f = filters or ClaimFilters()
    version = data_version(session) + ("-published" if visibility.published_only(session) else "")
    key = (str(session.get_bind().url), f.model_dump_json(), version)
    return _memoised(_facet_cache, FACET_CACHE_SIZE, key, lambda: facet_counts(session, f)), version


def _memoised(cache: OrderedDict, size: int, key: tuple, produce):
    """cache[key], produced once (least recently used entries beyond `size` are dropped)."""
    with _facet_lock:
        if key in cache:
            cache.move_to_end(key)
            return cache[key]
    value = produce()
    with _facet_lock:
        cache[key] = value
        while len(cache) > size:
            cache.popitem(last=False)
    return value


_home_cache: OrderedDict[tuple, dict] = OrderedDict()


def cached_home_counts(session: Session) -> dict:
    """The home page's numbers, {"totals": totals, "aspects": counts_by_aspect}, counted once per data version
    (per process): at a million results the counts take about a second, and the home page is the most visited."""
    if has_pending_writes(session):
        return {"totals": totals(session), "aspects": counts_by_aspect(session)}
    key = (str(session.get_bind().url), visibility.published_only(session), data_version(session))
    return _memoised(_home_cache, 16, key, lambda: {"totals": totals(session), "aspects": counts_by_aspect(session)})


_count_cache: OrderedDict[tuple, int] = OrderedDict()
COUNT_CACHE_SIZE = 256


def cached_count(session: Session, kind: str, filters_json: str, count) -> int:
    """count() of a filtered list, computed once per data version and filters (per process).

    A first page counts every match (a third of a million rows is half a second at 1M results); a
    dashboard or a client paging a filtered list asks the same count again and again between writes.
    """
    if has_pending_writes(session):
        return count()
    key = (str(session.get_bind().url), kind, filters_json, visibility.published_only(session), data_version(session))
    return _memoised(_count_cache, COUNT_CACHE_SIZE, key, count)
