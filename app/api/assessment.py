"""/api/v1/assessment: the current Assessment of the scoring engine, cached by its fingerprint.

The ETag is the fingerprint (a hash of the evidence and the scoring settings), so a dashboard that
polls with If-None-Match gets 304 until the evidence or the settings change. The same assessment comes flat as
CSV for spreadsheets and dashboards: the ceiling table one row per aspect, the scale table one row per aspect and
band (docs/dashboards.md). Between writes the
assessment is reused by the store's data version without reloading the evidence (app/assessment/live.py).
With `as_of`, the assessment of a past instant is recomputed from the revision history (app/assessment/asof.py),
cached by what it depends on and, on a large store, computed in the background: 503 with Retry-After until
it is ready (app/reports/trajectory.py `as_of_parts`).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response

from app.api.csv import CSV_MEDIA_TYPE
from app.api.deps import ApiSession, ReaderDep, forbidden, unauthorized
from app.api.problems import problem_responses
from app.assessment.asof import checked_instant, parse_instant, settings_as_of
from app.assessment.live import current_assessment, scoring_settings, weighs_reviewed_only
from app.auth.roles import Role, role_at_least
from app.db.session import SettingsDep
from app.evidence.interchange.csvsafe import cell
from app.reports.reading import band_csv_rows, ceiling_csv_rows
from app.reports.trajectory import as_of_parts
from app.scoring import Assessment

router = APIRouter(tags=["dashboards"])


def _matches(if_none_match: str | None, tag: str) -> bool:
    if not if_none_match:
        return False
    tags = {part.strip().removeprefix("W/") for part in if_none_match.split(",")}
    return "*" in tags or tag in tags


WithDrafts = Annotated[
    bool, Query(description="Weigh drafts too when CEILING_PUBLISH_REVIEWED_ONLY is on (analysts' tokens).")
]
AsOf = Annotated[
    str | None,
    Query(
        max_length=100,
        description="An ISO 8601 instant in the past (UTC unless an offset is given): the assessment as it "
        "stood then, recomputed from the revision history.",
        examples=["2026-11-01T12:00Z"],
    ),
]
IfNoneMatch = Annotated[str | None, Header(alias="If-None-Match", max_length=1000)]


@dataclass(frozen=True)
class Asked:
    assessment: Assessment
    headers: dict[str, str]
    not_modified: bool


RESPONSES = {
    304: {"description": "Not modified: the If-None-Match fingerprint is current."},
    **problem_responses(401, 422, 503),
}


def _assessment(session, principal, settings, with_drafts: bool, as_of: str | None) -> tuple[Assessment, dict]:
    """The assessment asked for (now, or as of an instant) and the headers that describe it."""
    if with_drafts and principal is None:
        raise unauthorized("with_drafts needs an analyst's token")
    if with_drafts and not role_at_least(principal.user.role, Role.analyst):
        raise forbidden("only analysts see the assessment with drafts")
    headers = {"Cache-Control": "no-cache"}
    if as_of is None:
        assessment = current_assessment(session, settings, with_drafts=with_drafts)
    else:
        try:
            instant = checked_instant(parse_instant(as_of))
        except ValueError as error:
            raise RequestValidationError(
                [{"loc": ("query", "as_of"), "msg": str(error), "type": "value_error"}]
            ) from None
        reviewed_only = weighs_reviewed_only(settings, with_drafts)
        assessment = Assessment.model_validate(as_of_parts(session, instant, settings, reviewed_only)["assessment"])
        headers["Ceiling-As-Of"] = f"{instant:%Y-%m-%dT%H:%M:%S.%fZ}"
        headers["Ceiling-Settings-Basis"] = settings_as_of(session, instant, scoring_settings(settings))[1]
    headers["ETag"] = f'"{assessment.fingerprint}"'
    if settings.public_reads and not with_drafts:  # public data: a dashboard on another host may read it
        headers["Access-Control-Allow-Origin"] = "*"
        headers["Access-Control-Expose-Headers"] = "ETag, Ceiling-As-Of, Ceiling-Settings-Basis"
    return assessment, headers


def _asked(
    session: ApiSession,
    principal: ReaderDep,
    settings: SettingsDep,
    if_none_match: IfNoneMatch = None,
    with_drafts: WithDrafts = False,
    as_of: AsOf = None,
) -> Asked:
    """The assessment asked for (now, or as of an instant), the headers that describe it, and whether the caller
    already holds it (If-None-Match)."""
    assessment, headers = _assessment(session, principal, settings, with_drafts, as_of)
    return Asked(assessment, headers, _matches(if_none_match, headers["ETag"]))


@router.get(
    "/assessment",
    summary="The current assessment",
    responses={
        200: {
            "model": Assessment,
            "description": "The Assessment. With as_of, the headers Ceiling-As-Of (the instant, UTC) and "
            "Ceiling-Settings-Basis (recorded, snapshot or current: where the scoring settings of then came from).",
        },
        **RESPONSES,
    },
)
def current(asked: Annotated[Asked, Depends(_asked)]) -> Response:
    """The ceiling table, grades and bands as JSON; ETag = fingerprint, 304 on a matching If-None-Match."""
    if asked.not_modified:
        return Response(status_code=304, headers=asked.headers)
    return JSONResponse(asked.assessment.model_dump(mode="json"), headers=asked.headers)


def _csv(asked: Asked, rows_of, name: str) -> Response:
    """The flat rows of the assessment as CSV (cells that a spreadsheet would run are made text), or 304."""
    if asked.not_modified:
        return Response(status_code=304, headers=asked.headers)
    rows = rows_of(asked.assessment.model_dump(mode="json"))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if rows:
        writer.writerow(list(rows[0]))
        writer.writerows([cell(value) for value in row.values()] for row in rows)
    headers = {**asked.headers, "Content-Disposition": f'inline; filename="{name}"'}
    return Response(buffer.getvalue(), media_type=CSV_MEDIA_TYPE, headers=headers)


CSV_DOC = {"content": {"text/csv": {}}}


@router.get(
    "/assessment.csv",
    summary="The ceiling table as CSV, one row per aspect",
    responses={
        200: {**CSV_DOC, "description": "One row per aspect: docs/dashboards.md lists the columns."},
        **RESPONSES,
    },
    response_class=Response,
)
def ceiling_csv(asked: Annotated[Asked, Depends(_asked)]) -> Response:
    """The ceiling table flat, for spreadsheets and dashboards: statement, state, numbers, grade and its main reason."""
    return _csv(asked, ceiling_csv_rows, "assessment.csv")


@router.get(
    "/assessment/bands.csv",
    summary="The scale table as CSV, one row per aspect and band",
    responses={200: {**CSV_DOC, "description": "One row per aspect and scale band."}, **RESPONSES},
    response_class=Response,
)
def bands_csv(asked: Annotated[Asked, Depends(_asked)]) -> Response:
    """Each aspect's status in each scale band: posterior mean and 90% interval, results and barriers."""
    return _csv(asked, band_csv_rows, "assessment-bands.csv")
