"""Annual plans: created, drawn at random, and their drawn subjects' inspections opened."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from peikao.core.errors import DomainError
from peikao.core.forms import add_domain_error
from peikao.core.models import Region
from peikao.core.permissions import Perm, has_perm, require_perm
from peikao.enforcement import hooks, selectors, services
from peikao.enforcement.forms import PlanForm
from peikao.enforcement.views._common import regulator_only


@login_required
def plan_list(request):
    user = request.user
    regulator_only(user)
    form = PlanForm(request.POST or None)
    if request.method == "POST":
        require_perm(user, Perm.PLAN_MANAGE)
        if form.is_valid():
            data = form.cleaned_data
            try:
                plan = services.plan_create(
                    actor=user,
                    region=user.region if user.is_regulator else Region.objects.get(code="000000"),
                    year=data["year"],
                    name=data["name"],
                    kinds=data["kinds"],
                    subjects_wanted=data["subjects_wanted"],
                    inspectors_per_subject=data["inspectors_per_subject"],
                )
            except DomainError as error:
                add_domain_error(form, error)
            else:
                return redirect("enforcement:plan_detail", plan_id=plan.pk)
    context = {"plans": selectors.plan_list(user=user), "form": form, "can_plan": has_perm(user, Perm.PLAN_MANAGE)}
    return render(request, "enforcement/plan_list.html", context)


@login_required
def plan_detail(request, plan_id: int):
    user = request.user
    regulator_only(user)
    plan = selectors.plan_get(user=user, plan_id=plan_id)
    subjects = plan.subjects.select_related("organization__region").prefetch_related(
        "inspectors__region", "inspections"
    )
    context = {
        "plan": plan,
        "subjects": subjects,
        "can_plan": has_perm(user, Perm.PLAN_MANAGE),
        "can_inspect": has_perm(user, Perm.INSPECT),
        "reproducible": selectors.plan_verify_draw(plan) if plan.status == "drawn" else None,
        "unstaffed": selectors.plan_unstaffed(plan),
        "panels": hooks.plan_panels.results(plan=plan, user=user),  # e.g. the risk grades' counts (oversight)
    }
    return render(request, "enforcement/plan_detail.html", context)


@login_required
@require_POST
def plan_draw(request, plan_id: int):
    user = request.user
    regulator_only(user)
    plan = selectors.plan_get(user=user, plan_id=plan_id)
    try:
        services.plan_draw(actor=user, plan=plan)
    except DomainError as error:
        messages.error(request, error.text)
    return redirect("enforcement:plan_detail", plan_id=plan.pk)


@login_required
@require_POST
def plan_start(request, plan_id: int, org_code: str):
    """Open the inspection of a drawn subject with the inspectors drawn for it."""
    user = request.user
    regulator_only(user)
    plan = selectors.plan_get(user=user, plan_id=plan_id)
    subject = get_object_or_404(plan.subjects.select_related("organization"), organization__org_code=org_code)
    existing = subject.inspections.first()
    if existing is not None:
        return redirect("enforcement:inspection_detail", inspection_code=existing.code)
    try:
        inspection = services.inspection_create(
            actor=user,
            organization=subject.organization,
            kind="routine",
            inspected_on=timezone.localdate(),
            inspectors=list(subject.inspectors.all()),
            plan_subject=subject,
        )
    except DomainError as error:
        messages.error(request, error.text)
        return redirect("enforcement:plan_detail", plan_id=plan.pk)
    return redirect("enforcement:inspection_detail", inspection_code=inspection.code)
