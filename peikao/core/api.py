"""Core API: who am I, regions, imports and exports of exchange files.

(No `from __future__ import annotations` here: django-ninja reads the annotations at import time.)
"""

import datetime as dt

from django.utils.translation import gettext_lazy as _
from ninja import Field, File, Query, Router, Schema, Status
from ninja.decorators import decorate_view
from ninja.files import UploadedFile
from ninja.pagination import paginate

from peikao.core.errors import DomainError
from peikao.core.exchange.runner import export_response, run_import
from peikao.core.exchange.runs import import_runs_sweep
from peikao.core.exchange.tables import table_format
from peikao.core.exchange.uploads import check_upload_size, upload_limited_operation
from peikao.core.paging import ApiPagination
from peikao.core.selectors import import_run_get, region_get, region_list

router = Router(tags=["core"])


class MeOut(Schema):
    username: str
    name: str
    role: str
    region_code: str | None
    organization_code: str | None


class RegionOut(Schema):
    code: str
    name: str
    level: str
    parent_code: str | None

    @staticmethod
    def resolve_parent_code(obj):
        return obj.parent_id


class ProblemOut(Schema):
    row: int
    column: str
    value: str
    code: str
    reason_zh: str
    reason_en: str


class ImportOut(Schema):
    id: int
    kind: str
    status: str
    rows: int
    imported: int
    updated: int
    unchanged: int
    rejected: int
    summary: str
    errors: list[ProblemOut]


class ImportFilters(Schema):
    dry_run: bool = False
    skip_invalid: bool = False
    operation_item: str | None = None


class ExportFilters(Schema):
    format: str = "csv"
    region: str | None = None
    as_of: dt.date | None = None
    headers: str = "en"
    # The period of a kind that covers one (injury_analysis), as the export page and `exchange export --from/--to`
    date_from: dt.date | None = Field(None, alias="from")
    date_to: dt.date | None = Field(None, alias="to")


@router.get("/me", response=MeOut, summary="The authenticated user")
def me(request):
    user = request.user
    return MeOut(
        username=user.username,
        name=str(user),
        role=user.role,
        region_code=user.region_id,
        organization_code=user.organization.org_code if user.organization_id else None,
    )


@router.get("/regions", response=list[RegionOut], summary="Administrative regions")
@paginate(ApiPagination)
def regions(request, parent: str | None = None, level: str | None = None):
    return region_list(parent=parent, level=level)


@router.get("/regions/{code}", response=RegionOut, summary="One region")
def region(request, code: str):
    return region_get(code=code)


def _import_out(result) -> dict:
    run = result.run
    return {
        "id": run.pk,
        "kind": run.kind,
        "status": run.status,
        "rows": run.rows,
        "imported": run.imported,
        "updated": run.updated,
        "unchanged": run.unchanged,
        "rejected": run.rejected,
        "summary": run.summary,
        "errors": run.errors,
    }


@router.post(
    "/imports/{kind}",
    response={200: ImportOut, 422: ImportOut},
    summary="Import an exchange file (CSV or XLSX); all or nothing",
    description="A file larger than the upload cap (20 MB unless configured) is refused with 413 before it is read.",
)
@decorate_view(upload_limited_operation)
def import_file(request, kind: str, file: UploadedFile = File(...), options: Query[ImportFilters] = None):
    options = options or ImportFilters()
    check_upload_size(file)
    table_format(file.name)
    result = run_import(
        kind_name=kind,
        source=file,
        filename=file.name,
        user=request.user,
        dry_run=options.dry_run,
        skip_invalid=options.skip_invalid,
        label="api",
        options={"operation_item": options.operation_item} if options.operation_item else None,
    )
    return Status(200 if result.ok else 422, _import_out(result))


@router.get("/imports/runs/{run_id}", response=ImportOut, summary="The outcome and report of an import")
def import_run(request, run_id: int):
    import_runs_sweep()
    run = import_run_get(user=request.user, pk=run_id)
    return {**{f: getattr(run, f) for f in ImportOut.model_fields if f not in {"summary"}}, "summary": run.summary}


@router.get("/exports/{kind}", summary="Export an exchange file (CSV or XLSX), scoped to your jurisdiction")
def export_file(request, kind: str, options: Query[ExportFilters]):
    if options.format not in {"csv", "xlsx"}:
        raise DomainError("unsupported_format", _("Files must be .csv or .xlsx."))
    region = region_get(code=options.region) if options.region else None
    return export_response(
        kind_name=kind,
        fmt=options.format,
        user=request.user,
        region=region,
        as_of=options.as_of,
        headers=options.headers,
        date_from=options.date_from,
        date_to=options.date_to,
    )
