"""Core UI: imports with their reports, exports, the change log."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from peikao.core.changelog_display import record_types
from peikao.core.errors import DomainError
from peikao.core.exchange import get_kind
from peikao.core.exchange.rows import Problem
from peikao.core.exchange.runner import export_response, run_import, write_report
from peikao.core.exchange.runs import import_runs_sweep
from peikao.core.exchange.uploads import check_upload_size, upload_limited_view
from peikao.core.forms import ExportForm, ImportForm
from peikao.core.http import with_file_name
from peikao.core.paging import paginate
from peikao.core.permissions import Perm, has_perm, require_perm
from peikao.core.selectors import can_view_changelog, changelog_list, import_run_get, import_run_list, region_get


@upload_limited_view
@login_required
def import_start(request):
    require_perm(request.user, Perm.IMPORT)
    form = ImportForm(
        request.POST or None, request.FILES or None, user=request.user, initial={"kind": request.GET.get("kind", "")}
    )  # a page's "import …" link names the kind
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        check_upload_size(upload)
        try:
            result = run_import(
                kind_name=form.cleaned_data["kind"],
                source=upload,
                filename=upload.name,
                user=request.user,
                dry_run=form.cleaned_data["dry_run"],
                skip_invalid=form.cleaned_data["skip_invalid"],
                label="web",
                options={"operation_item": form.cleaned_data["operation_item"]}
                if form.cleaned_data["operation_item"]
                else None,
            )
        except DomainError as error:
            form.add_error("file", error.text)
        else:
            return redirect("core:import_run", run_id=result.run.pk)
    import_runs_sweep()  # the list shows an import whose process was killed as failed, not running
    return render(
        request,
        "core/import_start.html",
        {"form": form, "runs": import_run_list(user=request.user)[:10], "export_form": ExportForm(user=request.user)},
    )


@login_required
def import_run(request, run_id: int):
    import_runs_sweep()
    run = import_run_get(user=request.user, pk=run_id)
    return render(request, "core/import_run.html", {"run": run, "may_import": has_perm(request.user, Perm.IMPORT)})


@login_required
def import_report(request, run_id: int):
    run = import_run_get(user=request.user, pk=run_id)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = _("Import %(number)s report") % {"number": run.pk}
    with_file_name(response, f"{name}.csv", fallback=f"import-{run.pk}-report.csv")
    problems = [
        Problem(e["row"], e["column"], e["value"], e["code"], e["reason_zh"], e["reason_en"]) for e in run.errors
    ]
    write_report(problems, response)
    return response


@login_required
def import_template(request, kind: str):
    """An empty file with the header row (Chinese labels) to fill in."""
    exchange_kind = get_kind(kind)
    if exchange_kind is None or not exchange_kind.importable:
        raise Http404
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = _("%(kind)s import template") % {"kind": exchange_kind.title}
    with_file_name(response, f"{name}.csv", fallback=f"{kind}.csv")
    response.write("\ufeff" + ",".join(column.label for column in exchange_kind.columns) + "\r\n")
    return response


@login_required
def export(request):
    require_perm(request.user, Perm.EXPORT)
    form = ExportForm(request.GET, user=request.user)
    if not form.is_valid():
        messages.error(request, _("Choose what to export."))
        return redirect("core:import_start")
    data = form.cleaned_data
    region = region_get(code=data["region"]) if data["region"] else None
    try:
        return export_response(
            kind_name=data["kind"],
            fmt=data["format"],
            user=request.user,
            region=region,
            as_of=data["as_of"],
            headers=data["headers"],
            date_from=data["date_from"],
            date_to=data["date_to"],
        )
    except DomainError as error:
        messages.error(request, error.text)
        return redirect("core:import_start")


@login_required
def changelog(request):
    if not can_view_changelog(request.user):
        raise Http404
    entries = changelog_list(user=request.user, filters=request.GET)
    context = paginate(request, entries)
    context["record_types"] = record_types()
    return render(request, "core/changelog.html", context)
