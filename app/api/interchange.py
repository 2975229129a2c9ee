"""/api/v1/import, /api/v1/export/{list} and /api/v1/lookup: files in and out, over the interchange services.

An import is a dry run unless `commit=true`: the answer is the preview (new, unchanged, updated with
each field's before and after, possible duplicates with the choice applied). A file with problems
answers 422 with one error per problem (field `file`), and nothing is written.
"""

# No `from __future__ import annotations`: FastAPI reads the export closures' annotations at runtime.

import json
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from app.api.deps import ApiSession, ReaderDep, WriterDep, allow_deleted
from app.api.problems import problem, problem_responses
from app.db.session import SettingsDep
from app.evidence.interchange import lookup as metadata
from app.evidence.interchange import outcomes
from app.evidence.interchange.exports import MEDIA, export_list
from app.evidence.interchange.preview import CHOICES, FIELD_CHOICES, run_import
from app.evidence.services import listing
from app.evidence.services.filters import check_vocabulary

router = APIRouter(tags=["import-export"])
ImportFormat = Literal["bibtex", "ris", "csljson", "csv", "yaml"]
ExportFormat = Literal["bibtex", "ris", "csljson", "csv"]
Choice = Literal["skip", "merge", "new"]
FILE_CONTENT = {
    media.split(";")[0]: {
        "schema": {"type": "array", "items": {"type": "object"}} if "json" in media else {"type": "string"}
    }
    for media, _ in MEDIA.values()
}  # CSL-JSON is a JSON array of items; the other formats are text


class ImportRow(BaseModel):
    where: str
    kind: str
    key: str
    status: str = Field(description="new, unchanged, updated, duplicate or skipped")
    action: str = Field(description="What was done: created, updated, unchanged or skipped.")
    reason: str | None = Field(description="Why the entry is skipped (no title, unreadable, duplicate key...).")
    changes: dict[str, list[Any]] = Field(description="field -> [stored, from the file]")
    duplicates: list[dict[str, Any]] = Field(description="Stored (or earlier) records it may be: key, id, reasons.")
    choice: str | None = Field(description="For a duplicate: skip, merge or new, as applied.")
    conflicts: dict[str, list[Any]] = Field(
        description="Merge: field -> [stored, from the file] where the stored value is kept; choices "
        '{"KEY.field": "file"} takes the file\'s.'
    )
    notes: list[str] = Field(description="What was kept elsewhere than expected (a free-text year in extra).")
    title: str | None
    authors: list[str]


class ImportPreview(BaseModel):
    """What the import does (dry run) or did (commit=true)."""

    file: str
    format: str
    rows: list[ImportRow]
    counts: dict[str, int]
    actions: dict[str, int] = Field(description="Entries per action: created, updated, unchanged, skipped.")
    notes: list[str]
    committed: bool
    strict: bool
    ok: bool


class ImportReport(BaseModel):
    """The per-entry report (`report=json`): what was done with each entry and why one was skipped, in words."""

    file: str
    format: str
    committed: bool
    actions: dict[str, int] = Field(description="Entries per action: created, updated, unchanged, skipped.")
    problems: list[str] = Field(description="The file's own problems (none when it was read).")
    entries: list[dict[str, str]] = Field(
        description="One per entry: where, kind, key, action, status, reason, title, authors, duplicate_of, changed, "
        "conflicts, notes."
    )


REPORT_CONTENT = {"text/csv": {"schema": {"type": "string"}}}  # report=csv; report=json is ImportReport


def _problems(request: Request, lines: list[str]) -> JSONResponse:
    errors = [{"in": "body", "field": "file", "message": line[:2000], "type": "import"} for line in lines[:500]]
    detail = f"{len(lines)} problem(s) in the file; nothing was written: " + "; ".join(lines[:3])
    return problem(422, detail[:2000], request=request, errors=errors)


@router.post(
    "/import",
    response_model=ImportPreview | ImportReport,
    responses={
        200: {"content": REPORT_CONTENT, "description": "The preview, or with `report` the per-entry report."},
        **problem_responses(401, 403, 422),
    },
)
def import_file(
    request: Request,
    session: ApiSession,
    principal: WriterDep,
    settings: SettingsDep,
    file: Annotated[UploadFile, File(description="A .bib, .ris, CSL-JSON .json, bulk .csv or .yaml file.")],
    choices: Annotated[
        str, Form(max_length=200_000, description='JSON {"key": "skip|merge|new", "key.field": "file|stored"}.')
    ] = "{}",
    format: Annotated[ImportFormat | None, Query(description="Default: from the file name.")] = None,
    commit: Annotated[bool, Query(description="Write it; without, a dry run that writes nothing.")] = False,
    on_duplicate: Annotated[Choice, Query(description="Choice for duplicates not named in choices.")] = "skip",
    lookup: Annotated[bool, Query(description="Fill missing fields from Crossref / arXiv first.")] = False,
    strict: Annotated[
        bool, Query(description="All or nothing: any entry that would be skipped refuses the file.")
    ] = False,
    report: Annotated[
        Literal["csv", "json"] | None, Query(description="Answer with the per-entry report as a file instead.")
    ] = None,
) -> Any:
    """Preview (or commit) the import of a reference or bulk evidence file; each entry that cannot be stored is
    skipped with its reason (or, with strict=true, refuses the file)."""
    try:
        chosen = json.loads(choices)
        if not isinstance(chosen, dict) or any(v not in (*CHOICES, *FIELD_CHOICES) for v in chosen.values()):
            raise ValueError
    except ValueError:
        message = 'expected {"key": "skip|merge|new", "key.field": "file|stored"}'
        errors = [{"in": "body", "field": "choices", "message": message, "type": "json"}]
        return problem(422, "choices: not a JSON object of skip/merge/new", request=request, errors=errors)
    data = file.file.read(settings.import_max_bytes + 1)
    complete = (
        metadata.completer(timeout_s=settings.metadata_timeout_s) if lookup and settings.metadata_lookup else None
    )
    preview = run_import(
        session,
        data,
        file.filename or "upload",
        principal.actor,
        format=format,
        choices=chosen,
        default_choice=on_duplicate,
        commit=commit,
        strict=strict,
        max_bytes=settings.import_max_bytes,
        complete=complete,
    )
    if not preview.ok:
        return _problems(request, preview.problems)
    if report:
        name = f"import-report.{report}"
        headers = {"Content-Disposition": f'attachment; filename="{name}"'}
        return Response(outcomes.report(preview, report), media_type=outcomes.REPORT_MEDIA[report], headers=headers)
    return preview.as_dict()


def _export_route(list_name: str, filters_type: type) -> None:
    @router.get(
        f"/export/{list_name}",
        summary=f"Export {list_name}",
        response_class=Response,
        responses={200: {"content": FILE_CONTENT, "description": "The file."}, **problem_responses(401, 403, 422)},
    )
    def export(
        session: ApiSession,
        principal: ReaderDep,
        filters: Annotated[filters_type, Query()],
        format: Annotated[ExportFormat, Query(description="bibtex, ris, csljson or csv.")] = "bibtex",
    ) -> Response:
        """Every row matching the list's filters (as at GET /api/v1/{list}) as a file."""
        allow_deleted(principal, filters.include_deleted)
        check_vocabulary(session, filters)
        exported = export_list(session, list_name, filters, format)
        disposition = f'attachment; filename="{exported.filename}"'
        return Response(exported.text, media_type=exported.media_type, headers={"Content-Disposition": disposition})


for _name, _filters in (
    ("sources", listing.SourceFilters),
    ("claims", listing.ClaimFilters),
    ("results", listing.ResultFilters),
):
    _export_route(_name, _filters)


@router.get("/lookup", responses=problem_responses(401, 404, 422, 503))
def lookup_metadata(
    request: Request,
    principal: ReaderDep,
    settings: SettingsDep,
    doi: Annotated[str | None, Query(max_length=300)] = None,
    arxiv_id: Annotated[str | None, Query(max_length=50)] = None,
) -> Any:
    """Title, authors, year and venue of a DOI (Crossref) or arXiv id (arXiv API); 503 when offline."""
    if not settings.metadata_lookup:
        return problem(503, "metadata lookup is off (CEILING_METADATA_LOOKUP=false)", request=request)
    try:
        return metadata.lookup(doi=doi, arxiv_id=arxiv_id, timeout_s=settings.metadata_timeout_s)
    except ValueError as error:
        errors = [{"in": "query", "field": "doi" if doi else "arxiv_id", "message": str(error), "type": "value"}]
        return problem(422, str(error), request=request, errors=errors)
    except metadata.LookupNotFound as error:
        return problem(404, str(error), request=request)
    except metadata.LookupUnavailable as error:
        return problem(503, str(error), request=request)
