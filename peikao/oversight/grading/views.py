"""Pages of graded supervision: the grades with their explanation and history, overrides; exit proposals and
their decision; commitments (issue 17)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from peikao.core.errors import DomainError
from peikao.core.exchange.uploads import upload_limited_view
from peikao.core.forms import add_domain_error
from peikao.core.http import with_file_name
from peikao.core.paging import paginate
from peikao.core.permissions import Perm, has_perm
from peikao.oversight.grading import selectors
from peikao.oversight.grading.forms import (
    CommitmentForm,
    DecideForm,
    GradeFilterForm,
    OverrideEndForm,
    OverrideForm,
    RejectForm,
)
from peikao.oversight.grading.services import commitments as commitment_services
from peikao.oversight.grading.services import exits as exit_services
from peikao.oversight.grading.services import grades as grade_services
from peikao.registry.selectors import organization_get


def _regulator_only(user) -> None:
    if not (user.is_regulator or user.is_system_admin):
        raise Http404


@login_required
def grade_list(request):
    user = request.user
    if not (user.is_regulator or user.is_system_admin):
        if user.organization_id is None:
            raise Http404
        if not selectors.has_grade(user=user):  # not graded yet (or not a graded kind): say so
            return render(request, "oversight/grading/grade_none.html", {"organization": user.organization})
        return redirect("grading:grade_detail", org_code=user.organization.org_code)  # a subject: its own grade
    if request.method == "POST":
        try:
            summary = grade_services.grades_recompute(actor=user, region=user.region)
        except DomainError as error:
            messages.error(request, error.text)
        else:
            total = sum(sum(counts.values()) for counts in summary.values())
            messages.success(request, _("%(n)d subjects graded.") % {"n": total})
        return redirect("grading:grade_list")
    form = GradeFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    context = {
        "form": form,
        "summary": selectors.grade_summary(user=user),
        "can_grade": has_perm(user, Perm.PLAN_MANAGE) and user.region is not None,
        **paginate(request, selectors.grade_list(user=user, filters=filters)),
    }
    return render(request, "oversight/grading/grade_list.html", context)


@login_required
def grade_detail(request, org_code: str):
    user = request.user
    grade = selectors.grade_get(user=user, org_code=org_code)
    may_override = has_perm(user, Perm.PLAN_MANAGE) and (user.is_regulator or user.is_system_admin)
    override_form = OverrideForm(request.POST if request.POST.get("step") == "override" else None)
    end_form = OverrideEndForm(request.POST if request.POST.get("step") == "end" else None)
    if request.method == "POST":
        if not may_override:
            raise Http404
        try:
            if request.POST.get("step") == "override" and override_form.is_valid():
                data = override_form.cleaned_data
                grade_services.grade_override(
                    actor=user, grade=grade, letter=data["letter"], reason=data["reason"], until=data["until"]
                )
                return redirect("grading:grade_detail", org_code=org_code)
            if request.POST.get("step") == "end" and end_form.is_valid():
                grade_services.grade_override_end(actor=user, grade=grade, reason=end_form.cleaned_data["reason"])
                return redirect("grading:grade_detail", org_code=org_code)
        except DomainError as error:
            add_domain_error(override_form if request.POST.get("step") == "override" else end_form, error)
    context = {
        "grade": grade,
        "organization": grade.organization,
        "explained": selectors.grade_explanation(grade),
        "events": selectors.grade_events(grade),
        "may_override": may_override,
        "override_form": override_form,
        "end_form": end_form,
        "today": timezone.localdate(),
    }
    return render(
        request, "oversight/grading/grade_detail.html", context, status=400 if request.method == "POST" else 200
    )


# -- exit proposals ---------------------------------------------------------------------------------------------


@login_required
def proposal_list(request):
    user = request.user
    _regulator_only(user)
    if request.method == "POST":
        try:
            made = exit_services.exit_proposals_detect(actor=user, region=user.region)
        except DomainError as error:
            messages.error(request, error.text)
        else:
            messages.success(request, _("%(n)d new proposals.") % {"n": made})
        return redirect("grading:proposal_list")
    status = request.GET.get("status", "")
    context = {
        "status": status,
        "can_detect": has_perm(user, Perm.DECIDE) and user.region is not None,
        **paginate(request, selectors.proposal_list(user=user, filters={"status": status})),
    }
    return render(request, "oversight/grading/proposal_list.html", context)


@login_required
def proposal_detail(request, proposal_id: int):
    user = request.user
    _regulator_only(user)
    proposal = selectors.proposal_get(user=user, pk=proposal_id)
    inspections = selectors.proposal_inspections(user=user, proposal=proposal)
    decide_form = DecideForm(request.POST if request.POST.get("step") == "decide" else None, inspections=inspections)
    reject_form = RejectForm(request.POST if request.POST.get("step") == "reject" else None)
    if request.method == "POST":
        step = request.POST.get("step")
        try:
            if step == "decide" and decide_form.is_valid():
                data = decide_form.cleaned_data
                inspection = next(i for i in inspections if i.code == data["inspection"])
                exit_services.exit_proposal_decide(
                    actor=user,
                    proposal=proposal,
                    inspection=inspection,
                    findings=selectors.inspection_findings(inspection),
                    decided_on=data["decided_on"],
                    note=data["note"],
                )
                return redirect("grading:proposal_detail", proposal_id=proposal_id)
            if step == "reject" and reject_form.is_valid():
                exit_services.exit_proposal_reject(
                    actor=user, proposal=proposal, reason=reject_form.cleaned_data["reason"]
                )
                return redirect("grading:proposal_detail", proposal_id=proposal_id)
        except DomainError as error:
            add_domain_error(decide_form if step == "decide" else reject_form, error)
    context = {
        "proposal": proposal,
        "events": selectors.proposal_events(proposal),
        "decide_form": decide_form,
        "reject_form": reject_form,
        "can_decide": has_perm(user, Perm.DECIDE) and proposal.status == "proposed",
        "subject_graded": selectors.is_graded(user=user, organization=proposal.organization),
    }
    return render(
        request, "oversight/grading/proposal_detail.html", context, status=400 if request.method == "POST" else 200
    )


# -- commitments ------------------------------------------------------------------------------------------------


@login_required
@upload_limited_view(limit_setting="MAX_EVIDENCE_BYTES")
def commitment_list(request):
    user = request.user
    if not (user.is_regulator or user.is_system_admin or user.organization_id):
        raise Http404
    may_upload = has_perm(user, Perm.ORGANIZATION_CHANGE)
    initial = {"org_code": user.organization.org_code} if user.organization_id else {}
    form = CommitmentForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST":
        if not may_upload:
            raise Http404
        if form.is_valid():
            data = form.cleaned_data
            try:
                organization = organization_get(user=user, org_code=data["org_code"].strip())
            except Http404:
                form.add_error("org_code", _("No organisation you may see has this code."))
            else:
                template = selectors.commitment_template_on(data["signed_on"])
                try:
                    if template is None:
                        raise DomainError("no_template", _("No commitment text was in force on that day."))
                    commitment_services.commitment_upload(
                        actor=user,
                        organization=organization,
                        template=template,
                        upload=data["file"],
                        signatory=data["signatory"],
                        signatory_title=data["signatory_title"],
                        lawyer=data["lawyer"],
                        law_firm=data["law_firm"],
                        signed_on=data["signed_on"],
                        valid_from=data["valid_from"],
                        valid_to=data["valid_to"],
                    )
                except DomainError as error:
                    add_domain_error(form, error)
                else:
                    return redirect("grading:commitment_list")
    context = {
        "form": form,
        "may_upload": may_upload,
        "template": selectors.commitment_template_on(timezone.localdate()),
        **paginate(request, selectors.commitment_list(user=user)),
    }
    return render(
        request, "oversight/grading/commitment_list.html", context, status=400 if request.method == "POST" else 200
    )


@login_required
def commitment_file(request, commitment_id: int):
    """The signed PDF, opened in the browser under its Chinese name (institution, text, day signed); the code of
    the institution and the day as the ASCII name of older clients."""
    commitment = selectors.commitment_get(user=request.user, pk=commitment_id)
    response = FileResponse(commitment.file.open("rb"), content_type="application/pdf")
    organization, signed = commitment.organization, commitment.signed_on.isoformat()
    return with_file_name(
        response,
        f"{organization.name}-{commitment.template.title}-{signed}.pdf",
        attachment=False,
        fallback=f"{organization.org_code}-{signed}.pdf",
    )
