"""Core UI: imports with their reports, exports, the change log."""

from __future__ import annotations

from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from peikao.core.choices import ORGANIZATION_ROLES, REGULATOR_ROLES, Role
from peikao.core.errors import DomainError
from peikao.core.exchange import get_kind
from peikao.core.exchange.rows import Problem
from peikao.core.exchange.runner import export_response, run_import, write_report
from peikao.core.forms import ExportForm, ImportForm, UserCreateForm
from peikao.core.models import Region
from peikao.core.paging import paginate
from peikao.core.permissions import Perm, has_perm, require_perm
from peikao.core.scoping import region_code_range
from peikao.core.selectors import (
    can_view_changelog,
    changelog_list,
    import_run_get,
    import_run_list,
    region_get,
    user_get,
)
from peikao.core.selectors import user_list as user_list_selector
from peikao.core.services import user_create as user_create_service
from peikao.core.services import user_deactivate as user_deactivate_service


def organization_by_code(*, user, org_code: str):
    """An organisation the user can see, by code (core must not import the registry: look it up by name)."""
    organization_model = apps.get_model("registry", "Organization")
    return organization_model.objects.visible_to(user).filter(org_code=org_code).first()


@login_required
def import_start(request):
    require_perm(request.user, Perm.IMPORT)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
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
    return render(
        request,
        "core/import_start.html",
        {"form": form, "runs": import_run_list(user=request.user)[:10], "export_form": ExportForm()},
    )


@login_required
def import_run(request, run_id: int):
    run = import_run_get(user=request.user, pk=run_id)
    return render(request, "core/import_run.html", {"run": run})


@login_required
def import_report(request, run_id: int):
    run = import_run_get(user=request.user, pk=run_id)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{run.pk}-report.csv"'
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
    response["Content-Disposition"] = f'attachment; filename="{kind}.csv"'
    response.write("\ufeff" + ",".join(column.label for column in exchange_kind.columns) + "\r\n")
    return response


@login_required
def export(request):
    require_perm(request.user, Perm.EXPORT)
    form = ExportForm(request.GET)
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
        )
    except DomainError as error:
        messages.error(request, error.text)
        return redirect("core:import_start")


@login_required
def changelog(request):
    if not can_view_changelog(request.user):
        raise Http404
    entries = changelog_list(user=request.user, filters=request.GET)
    return render(request, "core/changelog.html", paginate(request, entries))


@login_required
def user_list(request):
    if not (has_perm(request.user, Perm.MANAGE_USERS) or has_perm(request.user, Perm.MANAGE_ORG_USERS)):
        raise Http404
    return render(request, "core/user_list.html", paginate(request, user_list_selector(user=request.user)))


def _role_choices(user):
    if user.is_org_member:
        return [(role, label) for role, label in Role.choices if role in ORGANIZATION_ROLES]
    return [(role, label) for role, label in Role.choices if role not in {Role.SYSTEM_ADMIN, Role.CANDIDATE}]


@login_required
def user_create(request):
    actor = request.user
    if not (has_perm(actor, Perm.MANAGE_USERS) or has_perm(actor, Perm.MANAGE_ORG_USERS)):
        raise Http404
    regions = Region.objects.none()
    if actor.is_regulator or actor.is_system_admin:
        regions = (
            Region.objects.all()
            if actor.sees_everything
            else Region.objects.filter(code__range=region_code_range(actor.region.prefix))
        )
    form = UserCreateForm(request.POST or None, roles=_role_choices(actor), regions=regions)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        organization = None
        if data["organization"]:
            organization = organization_by_code(user=actor, org_code=data["organization"])
            if organization is None:
                form.add_error("organization", _("No such organisation in your jurisdiction."))
        if actor.is_org_member:
            organization = actor.organization
        if form.is_valid():
            try:
                user_create_service(
                    actor=actor,
                    username=data["username"],
                    password=data["password"],
                    role=data["role"],
                    full_name=data["full_name"],
                    region=data["region"] if data["role"] in REGULATOR_ROLES else None,
                    organization=organization if data["role"] in ORGANIZATION_ROLES else None,
                )
            except DomainError as error:
                form.add_error(None, error.text)
            else:
                messages.success(request, _("The account was created."))
                return redirect("core:user_list")
    return render(request, "core/user_form.html", {"form": form})


@login_required
@require_POST
def user_deactivate(request, user_id: int):
    account = user_get(user=request.user, pk=user_id)
    user_deactivate_service(actor=request.user, user=account)
    messages.success(request, _("The account was deactivated."))
    return redirect("core:user_list")
