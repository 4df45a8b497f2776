"""Inspections on site, phone-first: the checklist, findings, evidence (with where and when it was captured)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from peikao.core.errors import DomainError
from peikao.core.exchange.uploads import upload_limited_view
from peikao.core.forms import add_domain_error
from peikao.core.http import with_file_name
from peikao.core.paging import paginate
from peikao.core.permissions import Perm, has_perm, require_perm
from peikao.enforcement import selectors, services
from peikao.enforcement.choices import KIND_SUBJECT, CheckOutcome, InspectionStatus
from peikao.enforcement.forms import EvidenceForm, FindingForm, InspectionForm, SpotForm
from peikao.enforcement.views import spot_exams
from peikao.enforcement.views._common import errors
from peikao.registry import selectors as registry_selectors
from peikao.registry.choices import AssignmentRole


@login_required
def inspection_list(request):
    user = request.user
    if user.is_candidate:
        return redirect("registry:person_detail", person_id=user.person_id)
    context = paginate(request, selectors.inspection_list(user=user, filters=request.GET))
    context["can_inspect"] = has_perm(user, Perm.INSPECT)
    return render(request, "enforcement/inspection_list.html", context)


@login_required
def inspection_create(request):
    user = request.user
    require_perm(user, Perm.INSPECT)
    # Offered: the inspectors whose jurisdiction holds the subject named in the link, else those of the user's
    # region and the regions above and below it; the service refuses one whose jurisdiction does not hold it.
    subject = None
    if request.method == "GET" and request.GET.get("org"):
        subject = registry_selectors.organization_list(user=user).filter(org_code=request.GET["org"].strip()).first()
    inspectors = selectors.inspector_choices(user=user, organization=subject)
    initial = {"org_code": request.GET.get("org", ""), "inspectors": [str(user.pk)]}
    form = InspectionForm(request.POST or None, inspectors=inspectors, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            organization = registry_selectors.organization_get(user=user, org_code=data["org_code"].strip())
        except Http404:
            form.add_error("org_code", _("No such organisation in your jurisdiction."))
        else:
            try:
                inspection = services.inspection_create(
                    actor=user,
                    organization=organization,
                    kind=data["kind"],
                    inspected_on=data["inspected_on"],
                    inspectors=list(inspectors.filter(pk__in=data["inspectors"])),
                )
            except DomainError as error:
                add_domain_error(form, error)
            else:
                return redirect("enforcement:inspection_detail", inspection_code=inspection.code)
    return render(request, "enforcement/inspection_form.html", {"form": form})


@login_required
def inspection_detail(request, inspection_code: str):
    user = request.user
    inspection = selectors.inspection_get(user=user, code=inspection_code)
    subject_type = KIND_SUBJECT[inspection.organization.kind]
    items = list(selectors.checklist_items(subject_type))
    answered = {check.item_id: check for check in inspection.checks.all()}
    findings = list(inspection.findings.select_related("violation", "person").order_by("id"))
    spot_links = spot_exams.fresh_links(request, inspection)
    context = {
        "inspection": inspection,
        "inspectors": inspection.inspectors.all(),
        "checklist": [(item, answered.get(item.pk)) for item in items],
        "outcomes": CheckOutcome.choices,
        "findings": findings,
        "evidence": inspection.evidence.select_related("finding").order_by("uploaded_at"),
        "spot_exams": _spot_exams(inspection),
        "spot_links": spot_links,
        "decisions": inspection.decisions.select_related("rectification").order_by("decided_on", "id"),
        "events": inspection.events.order_by("time"),
        "can_inspect": has_perm(user, Perm.INSPECT) and (user.is_regulator or user.is_system_admin),
        "finding_form": FindingForm(items=items),
        "evidence_form": EvidenceForm(findings=findings),
        "spot_form": SpotForm(),
        "open": inspection.status == InspectionStatus.IN_PROGRESS,
        "can_decide": has_perm(user, Perm.DECIDE) and bool(findings),
    }
    return render(request, "enforcement/inspection_detail.html", context)


def _spot_exams(inspection) -> list:
    """The inspection's spot exams, each with its post and the general bank its paper came from, in words."""
    exams = list(inspection.spot_exams.select_related("person", "operation_item").order_by("id"))
    for exam in exams:
        exam.role_label = AssignmentRole(exam.role).label if exam.role in AssignmentRole.values else exam.role
        exam.general_bank = spot_exams.general_bank(exam)
    return exams


@login_required
@require_POST
def inspection_transition(request, inspection_code: str, action: str):
    user = request.user
    inspection = selectors.inspection_get(user=user, code=inspection_code)
    try:
        if action == "start":
            services.inspection_start(actor=user, inspection=inspection)
        elif action == "complete":
            services.inspection_complete(actor=user, inspection=inspection, summary=request.POST.get("summary", ""))
        else:
            raise Http404
    except DomainError as error:
        messages.error(request, error.text)
    return redirect("enforcement:inspection_detail", inspection_code=inspection.code)


@login_required
@require_POST
def checklist_save(request, inspection_code: str):
    user = request.user
    inspection = selectors.inspection_get(user=user, code=inspection_code)
    items = {str(item.pk): item for item in selectors.checklist_items(KIND_SUBJECT[inspection.organization.kind])}
    saved = 0
    try:
        for key, item in items.items():
            outcome = request.POST.get(f"item-{key}")
            if outcome:
                services.check_record(
                    actor=user,
                    inspection=inspection,
                    item=item,
                    outcome=outcome,
                    note=request.POST.get(f"note-{key}", ""),
                )
                saved += 1
    except (DomainError, ValueError) as error:
        messages.error(request, getattr(error, "text", str(error)))
    else:
        messages.success(request, _("%(n)d checklist items saved.") % {"n": saved})
    return redirect("enforcement:inspection_detail", inspection_code=inspection.code)


@login_required
@require_POST
def finding_add(request, inspection_code: str):
    user = request.user
    inspection = selectors.inspection_get(user=user, code=inspection_code)
    items = list(selectors.checklist_items(KIND_SUBJECT[inspection.organization.kind]))
    form = FindingForm(request.POST, items=items)
    if not form.is_valid():
        errors(request, form)
        return redirect("enforcement:inspection_detail", inspection_code=inspection.code)
    item = selectors.violation_get(form.cleaned_data["violation"])
    try:
        services.finding_record(
            actor=user, inspection=inspection, violation=item, description=form.cleaned_data["description"]
        )
    except DomainError as error:
        messages.error(request, error.text)
    return redirect("enforcement:inspection_detail", inspection_code=inspection.code)


@upload_limited_view(limit_setting="MAX_EVIDENCE_BYTES")
@login_required
@require_POST
def evidence_add(request, inspection_code: str):
    user = request.user
    inspection = selectors.inspection_get(user=user, code=inspection_code)
    require_perm(user, Perm.INSPECT)
    findings = list(inspection.findings.all())
    form = EvidenceForm(request.POST, request.FILES, findings=findings)
    if not form.is_valid():
        errors(request, form)
        return redirect("enforcement:inspection_detail", inspection_code=inspection.code)
    data = form.cleaned_data
    try:
        services.evidence_add(
            actor=user,
            inspection=inspection,
            upload=data["file"],
            finding=next((f for f in findings if str(f.pk) == data["finding"]), None),
            captured_at=data["captured_at"],
            latitude=data["latitude"],
            longitude=data["longitude"],
            accuracy_m=data["accuracy_m"],
        )
    except DomainError as error:
        messages.error(request, error.text)
    else:
        messages.success(request, _("Evidence kept."))
    return redirect("enforcement:inspection_detail", inspection_code=inspection.code)


@login_required
def evidence_file(request, inspection_code: str, sha256: str):
    user = request.user
    inspection = selectors.inspection_get(user=user, code=inspection_code)
    evidence = inspection.evidence.filter(sha256=sha256).first()
    if evidence is None:
        raise Http404
    response = FileResponse(evidence.file.open("rb"), content_type=evidence.content_type or "application/octet-stream")
    return with_file_name(response, evidence.original_name, attachment=False)
