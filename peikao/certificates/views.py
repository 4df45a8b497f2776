"""Certificates UI for regulators, organisations and holders: lists with standing and reminders, the
certificate page with its life-cycle actions, PDFs, issuance from results, and fake-certificate leads."""

from __future__ import annotations

import base64

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from peikao.certificates import pdf, publishing, rules, selectors, services, signing
from peikao.certificates.choices import (
    CertificateStatus,
    CertificateType,
    LeadGrouping,
    LeadKind,
    LeadStatus,
    Standing,
)
from peikao.certificates.forms import ACTION_FORMS, LeadActionForm
from peikao.certificates.verification import issuing_authority
from peikao.core.audit import record_id_number_views
from peikao.core.errors import DomainError, PermissionDenied
from peikao.core.exchange import get_kind
from peikao.core.http import with_file_name
from peikao.core.paging import paginate
from peikao.core.permissions import Perm, has_perm, require_perm
from peikao.exams.models import Result
from peikao.registry.models import OperationItem


@login_required
def certificate_list(request):
    user = request.user
    if user.is_candidate:
        return redirect("registry:person_detail", person_id=user.person_id)
    context = paginate(request, selectors.certificate_list(user=user, filters=request.GET))
    context |= {
        "counts": selectors.certificate_counts(user=user),
        "standings": Standing.choices,
        "types": CertificateType.choices,
        "items": OperationItem.objects.order_by("position"),
        "can_issue": has_perm(user, Perm.CERTIFICATE_ISSUE),
        "days": selectors.settings_days(),
        "pending_count": selectors.pending_issuance(user=user).count() if has_perm(user, Perm.CERTIFICATE_ISSUE) else 0,
        "lead_count": selectors.lead_list(user=user, filters={"open": True}).count(),
    }
    return render(request, "certificates/certificate_list.html", context)


def _actions_for(user, certificate) -> list[str]:
    if not has_perm(user, Perm.CERTIFICATE_MANAGE):
        return []
    status = certificate.status
    actions = []
    if (
        status == CertificateStatus.VALID
        and certificate.cert_type == CertificateType.SPECIAL_OPERATION
        and rules.review_held(certificate.next_review_due)
    ):
        actions.append("review")
    if status == CertificateStatus.VALID:
        actions += ["renew", "suspend"]
    if status == CertificateStatus.SUSPENDED:
        actions.append("reinstate")
    if status in (CertificateStatus.VALID, CertificateStatus.SUSPENDED):
        actions.append("revoke")
    if status != CertificateStatus.CANCELLED:
        actions.append("cancel")
    return actions


ACTION_LABELS = {
    "review": gettext_lazy("Record a review"),
    "renew": gettext_lazy("Renew"),
    "suspend": gettext_lazy("Suspend"),
    "reinstate": gettext_lazy("Reinstate"),
    "revoke": gettext_lazy("Revoke"),
    "cancel": gettext_lazy("Cancel"),
}


@login_required
def certificate_detail(request, certificate_id: int):
    user = request.user
    certificate = selectors.certificate_get(user=user, certificate_id=certificate_id)
    url = publishing.url_for(certificate)
    qr = base64.b64encode(signing.qr_png(url, box_size=4)).decode("ascii")
    actions = _actions_for(user, certificate)
    context = {
        "certificate": certificate,
        "standing_label": Standing(certificate.standing).label,
        "review_held": rules.review_held(certificate.next_review_due),
        "abolished": rules.reviews_abolished_on(),
        "events": selectors.certificate_events(certificate),
        "qr_data": qr,
        "verify_url": url,
        "forms": [(name, str(ACTION_LABELS[name]), ACTION_FORMS[name]()) for name in actions],
        "may_print": has_perm(user, Perm.VIEW_FULL_ID_NUMBER),
        "rule": _rule_for(certificate),
        "issuing_authority": issuing_authority(certificate.issuer_region),
    }
    return render(request, "certificates/certificate_detail.html", context)


def _rule_for(certificate):
    try:
        return rules.rule_on(certificate.cert_type, certificate.first_issued_on)
    except DomainError:
        return None


@login_required
@require_POST
def certificate_action(request, certificate_id: int, action: str):
    user = request.user
    certificate = selectors.certificate_get(user=user, certificate_id=certificate_id)
    if action not in ACTION_FORMS:
        raise Http404
    form = ACTION_FORMS[action](request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()))
        return redirect("certificates:detail", certificate_id=certificate.pk)
    data = form.cleaned_data
    calls = {
        "review": lambda: services.review_record(
            actor=user,
            certificate=certificate,
            reviewed_on=data["reviewed_on"],
            passed=data["passed"],
            extend=data["extend"],
            reason=data["reason"],
        ),
        "renew": lambda: services.renew(
            actor=user, certificate=certificate, renewed_on=data["renewed_on"], reason=data["reason"]
        ),
        "suspend": lambda: services.suspend(
            actor=user, certificate=certificate, ground=data["ground"], reason=data["reason"]
        ),
        "reinstate": lambda: services.reinstate(actor=user, certificate=certificate, reason=data["reason"]),
        "revoke": lambda: services.revoke(
            actor=user, certificate=certificate, ground=data["ground"], reason=data["reason"]
        ),
        "cancel": lambda: services.cancel(
            actor=user, certificate=certificate, ground=data["ground"], reason=data["reason"]
        ),
    }
    try:
        calls[action]()
    except DomainError as error:
        messages.error(request, error.text)
    else:
        messages.success(request, _("Saved."))
    return redirect("certificates:detail", certificate_id=certificate.pk)


@login_required
def certificate_pdf(request, certificate_id: int, size: str):
    """The printable certificate; it shows the full number (T + ID number), so the view is logged."""
    user = request.user
    certificate = selectors.certificate_get(user=user, certificate_id=certificate_id)
    if size not in pdf.FORMATS:
        raise Http404
    require_perm(user, Perm.VIEW_FULL_ID_NUMBER)
    body = pdf.render(certificate, size=size)
    record_id_number_views(
        user=user, persons=[(certificate.person_id, certificate.person.id_number)], purpose=f"certificate_pdf:{size}"
    )
    response = HttpResponse(body, content_type="application/pdf")
    return with_file_name(response, pdf.file_name(certificate, size), attachment=False)


@login_required
def reminders(request):
    user = request.user
    if user.is_candidate:
        return redirect("registry:person_detail", person_id=user.person_id)
    context = selectors.reminders(user=user)
    context["abolished"] = rules.reviews_abolished_on()
    return render(request, "certificates/reminders.html", context)


@login_required
def pending(request):
    user = request.user
    require_perm(user, Perm.CERTIFICATE_ISSUE)
    context = paginate(request, selectors.pending_issuance(user=user))
    return render(request, "certificates/pending.html", context)


@login_required
def issue(request, result_id: int):
    """The checks an issuance would rest on, and the button that issues."""
    user = request.user
    require_perm(user, Perm.CERTIFICATE_ISSUE)
    result = get_object_or_404(
        Result.objects.visible_to(user).select_related(
            "registration__person", "registration__sitting__operation_item", "registration__sitting__exam_point"
        ),
        pk=result_id,
    )
    sitting = result.registration.sitting
    person = result.registration.person
    today = timezone.localdate()
    if sitting.operation_item_id:
        plan = selectors.special_operation_plan(person=person, operation_item=sitting.operation_item, on=today)
    else:
        plan = selectors.competency_plan(result=result, on=today)
    if request.method == "POST":
        try:
            if sitting.operation_item_id:
                certificate = services.issue_special_operation(
                    actor=user, person=person, operation_item=sitting.operation_item
                )
            else:
                certificate = services.issue_competency(actor=user, result=result)
        except DomainError as error:
            messages.error(request, error.text)
        else:
            messages.success(request, _("Certificate %(no)s issued.") % {"no": certificate.cert_no[:5] + "…"})
            return redirect("certificates:detail", certificate_id=certificate.pk)
    dates = rules.dates_for_issue(
        CertificateType.SPECIAL_OPERATION if sitting.operation_item_id else CertificateType.COMPETENCY, today
    )
    context = {"result": result, "sitting": sitting, "person": person, "plan": plan, "dates": dates}
    return render(request, "certificates/issue.html", context)


# -- leads ----------------------------------------------------------------------------------------------


def _require_leads(user) -> None:
    if not selectors.may_see_leads(user):
        raise Http404


@login_required
def lead_list(request):
    user = request.user
    _require_leads(user)
    services.leads_derive()  # what the public looked up since the last run
    grouping = request.GET.get("group") or ""
    context = paginate(request, selectors.lead_list(user=user, filters=request.GET))
    context |= {
        "kinds": LeadKind.choices,
        "statuses": LeadStatus.choices,
        "groupings": LeadGrouping.choices,
        "grouping": grouping,
        "group_field": selectors.GROUP_FIELDS.get(grouping) if grouping in LeadGrouping.values else None,
        "groups": selectors.lead_groups(user=user, grouping=grouping) if grouping in LeadGrouping.values else [],
        "may_act": has_perm(user, Perm.LEAD_REVIEW),
        "may_export": _may_export(user, "leads"),
        "action_form": LeadActionForm(),
    }
    return render(request, "certificates/lead_list.html", context)


def _may_export(user, kind: str) -> bool:
    """Whether the export link of a page works for this user (the export page asks the same)."""
    exchange_kind = get_kind(kind)
    if exchange_kind is None or not has_perm(user, Perm.EXPORT):
        return False
    try:
        exchange_kind.require_export(user)
    except PermissionDenied:
        return False
    return True


@login_required
def lead_detail(request, lead_id: int):
    user = request.user
    _require_leads(user)
    lead = selectors.lead_get(user=user, lead_id=lead_id)
    context = {
        "lead": lead,
        "events": selectors.lead_events(lead),
        "may_act": has_perm(user, Perm.LEAD_REVIEW),
        "action_form": LeadActionForm(),
        "lookups": selectors.lead_lookups(lead),
        "can_reveal": bool(lead.claimed_id_number) and has_perm(user, Perm.VIEW_FULL_ID_NUMBER),
    }
    return render(request, "certificates/lead_detail.html", context)


@login_required
@require_POST
def lead_reveal_number(request, lead_id: int):
    _require_leads(request.user)
    lead = selectors.lead_get(user=request.user, lead_id=lead_id)
    number = services.lead_reveal_number(user=request.user, lead=lead, purpose="web:lead_detail")
    return HttpResponse(format_html('<code id="full-cert-no">{}</code>', number))


@login_required
@require_POST
def lead_action(request, lead_id: int):
    user = request.user
    _require_leads(user)
    lead = selectors.lead_get(user=user, lead_id=lead_id)
    return _apply_leads(request, [lead], redirect_to=("certificates:lead_detail", {"lead_id": lead.pk}))


@login_required
@require_POST
def lead_group_action(request):
    """One action for every open lead of a group (same number pattern, claimed issuer or source)."""
    user = request.user
    _require_leads(user)
    field = selectors.GROUP_FIELDS.get(request.POST.get("group", ""))
    value = request.POST.get("value", "")
    if field is None or not value:
        raise Http404
    leads = list(selectors.lead_list(user=user, filters={"open": True, field: value}))
    return _apply_leads(request, leads, redirect_to=("certificates:lead_list", {}))


def _apply_leads(request, leads, *, redirect_to):
    require_perm(request.user, Perm.LEAD_REVIEW)  # before anything about the leads: a 403 page, whatever their status
    form = LeadActionForm(request.POST)
    name, kwargs = redirect_to
    if not form.is_valid():
        messages.error(request, "；".join(" ".join(v) for v in form.errors.values()))
        return redirect(name, **kwargs)
    data = form.cleaned_data
    try:
        done = services.leads_apply(
            actor=request.user,
            leads=leads,
            action=data["action"],
            case_reference=data["case_reference"],
            note=data["note"],
        )
    except DomainError as error:
        messages.error(request, error.text)
    else:
        messages.success(request, _("%(n)d leads updated.") % {"n": done})
    return redirect(name, **kwargs)
