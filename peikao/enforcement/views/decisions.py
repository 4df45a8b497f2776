"""Decisions and their documents, the rectification loop, and look-back sampling."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from peikao.certificates.models import Certificate
from peikao.core.errors import DomainError
from peikao.core.exchange.uploads import upload_limited_view
from peikao.core.forms import add_domain_error
from peikao.core.http import with_file_name
from peikao.core.paging import paginate
from peikao.core.permissions import Perm, has_perm, require_perm
from peikao.enforcement import documents, rules, selectors, services
from peikao.enforcement.choices import RectificationStatus
from peikao.enforcement.forms import DecisionForm, LookbackForm, RectificationSubmitForm, VerifyForm
from peikao.enforcement.models import Rectification
from peikao.enforcement.views._common import errors, regulator_only


@login_required
def decision_create(request, inspection_code: str):
    user = request.user
    inspection = selectors.inspection_get(user=user, code=inspection_code)
    require_perm(user, Perm.DECIDE)
    findings = list(inspection.findings.select_related("violation__instrument", "person"))
    today = timezone.localdate()
    persons = selectors.responsible_candidates(inspection.organization, today)
    form = DecisionForm(request.POST or None, findings=findings, persons=persons)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        chosen = [f for f in findings if str(f.pk) in data["findings"]]
        certificate = None
        if data["certificate_id"]:
            certificate = Certificate.objects.visible_to(user).filter(pk=data["certificate_id"]).first()
        responsible = next((p for p, _role in persons if str(p.pk) == data["responsible_person"]), None)
        try:
            decision = services.decision_issue(
                actor=user,
                inspection=inspection,
                findings=chosen,
                measure=data["measure"],
                decided_on=data["decided_on"],
                fine_yuan=data["fine_yuan"],
                due_on=data["due_on"],
                certificate=certificate,
                publicized=data["publicized"],
                note=data["note"],
                responsible_person=responsible,
                responsible_fine_yuan=data["responsible_fine_yuan"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Decision %(code)s issued.") % {"code": decision.code})
            return redirect("enforcement:decision_detail", decision_code=decision.code)
    try:
        preview = selectors.decision_preview(findings, on=today)
    except DomainError:
        preview = None
    context = {"inspection": inspection, "form": form, "preview": preview, "one_act_basis": rules.ONE_ACT_BASIS}
    return render(request, "enforcement/decision_form.html", context)


@login_required
def decision_detail(request, decision_code: str):
    user = request.user
    decision = selectors.decision_get(user=user, code=decision_code)
    rectification = getattr(decision, "rectification", None)
    context = {
        "decision": decision,
        "findings": decision.findings.select_related("violation__instrument"),
        "rectification": rectification,
        "suggested": selectors.suggested_overdue_penalty(rectification) if rectification else None,
    }
    return render(request, "enforcement/decision_detail.html", context)


@login_required
def decision_document(request, decision_code: str):
    """The decision as a Word document (责令限期整改指令书 or 行政处罚决定书), from the templates."""
    user = request.user
    decision = selectors.decision_get(user=user, code=decision_code)
    body, filename = documents.decision_docx(decision)
    response = HttpResponse(
        body, content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    return with_file_name(response, filename)  # its Chinese name (RFC 6266 filename*), the code as ASCII fallback


# -- rectification --------------------------------------------------------------------------------------------


@login_required
def rectification_list(request):
    user = request.user
    if user.is_candidate:
        return redirect("registry:person_detail", person_id=user.person_id)
    context = paginate(request, selectors.rectification_list(user=user, filters=request.GET))
    context["today"] = timezone.localdate()
    context["state"] = request.GET.get("state", "")
    context["can_plan"] = has_perm(user, Perm.PLAN_MANAGE)
    context["lookback_form"] = LookbackForm(initial={"since": timezone.localdate() - dt.timedelta(days=365)})
    return render(request, "enforcement/rectification_list.html", context)


def _rectification(user, rect_id: int) -> Rectification:
    return get_object_or_404(
        selectors.rectification_list(user=user).select_related("decision__inspection__organization"), pk=rect_id
    )


@login_required
def rectification_detail(request, rect_id: int):
    user = request.user
    rectification = _rectification(user, rect_id)
    context = {
        "rectification": rectification,
        "decision": rectification.decision,
        "findings": rectification.decision.findings.select_related("violation").order_by("id"),
        "events": rectification.events.order_by("time", "id"),
        "evidence": rectification.evidence.order_by("uploaded_at"),
        "overdue": rectification.is_overdue(),
        "suggested": selectors.suggested_overdue_penalty(rectification),
        "submit_form": RectificationSubmitForm(),
        "verify_form": VerifyForm(),
        "can_submit": rectification.status != RectificationStatus.CLOSED
        and (has_perm(user, Perm.RECTIFY_SUBMIT) or has_perm(user, Perm.INSPECT)),
        "can_verify": rectification.status == RectificationStatus.SUBMITTED and has_perm(user, Perm.INSPECT),
        "can_escalate": rectification.is_overdue() and has_perm(user, Perm.INSPECT) and not rectification.escalated_at,
    }
    return render(request, "enforcement/rectification_detail.html", context)


@upload_limited_view(limit_setting="MAX_EVIDENCE_BYTES")
@login_required
@require_POST
def rectification_action(request, rect_id: int, action: str):
    user = request.user
    rectification = _rectification(user, rect_id)
    try:
        if action == "submit":
            form = RectificationSubmitForm(request.POST, request.FILES)
            if not form.is_valid():
                raise DomainError("invalid", _("The data is not valid."))
            files = request.FILES.getlist("files")
            services.rectification_submit(
                actor=user, rectification=rectification, note=form.cleaned_data["note"], files=files
            )
        elif action == "verify":
            form = VerifyForm(request.POST)
            if not form.is_valid():
                raise DomainError("invalid", _("The data is not valid."))
            services.rectification_verify(
                actor=user,
                rectification=rectification,
                accept=form.cleaned_data["accept"],
                note=form.cleaned_data["note"],
            )
        elif action == "escalate":
            services.rectification_escalate(actor=user, rectification=rectification, note=request.POST.get("note", ""))
        else:
            raise Http404
    except DomainError as error:
        messages.error(request, error.text)
    else:
        messages.success(request, _("Saved."))
    return redirect("enforcement:rectification_detail", rect_id=rectification.pk)


@login_required
@require_POST
def lookback(request):
    user = request.user
    regulator_only(user)
    form = LookbackForm(request.POST)
    if not form.is_valid():
        errors(request, form)
        return redirect("enforcement:rectification_list")
    data = form.cleaned_data
    try:
        created = services.lookback_sample(
            actor=user,
            region=user.region,
            share=data["share"],
            since=data["since"],
            until=data["until"],
            inspected_on=data["inspected_on"],
        )
    except DomainError as error:
        messages.error(request, error.text)
    else:
        messages.success(request, _("%(n)d look-back inspections planned.") % {"n": len(created)})
    return redirect("enforcement:inspection_list")
