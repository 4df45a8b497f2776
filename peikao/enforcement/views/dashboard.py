"""The enforcement home page of each persona, and the soft-enforcement indicators of a region."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from peikao.core.models import Region
from peikao.core.permissions import Perm, has_perm
from peikao.enforcement import selectors
from peikao.enforcement.choices import InspectionStatus
from peikao.enforcement.forms import IndicatorForm
from peikao.enforcement.views._common import regulator_only


@login_required
def home(request):
    user = request.user
    if user.is_candidate:
        return redirect("registry:person_detail", person_id=user.person_id)
    today = timezone.localdate()
    regulator = user.is_regulator or user.is_system_admin  # the pages of regulators (plans, indicators)
    context = {
        "mine": selectors.inspection_list(user=user, filters={"mine": True}).exclude(status=InspectionStatus.COMPLETED)[
            :20
        ],
        "recent": selectors.inspection_list(user=user)[:10],
        "overdue": selectors.rectification_list(user=user, filters={"state": "overdue"}, today=today)[:20],
        "to_verify": selectors.rectification_list(user=user, filters={"state": "to_verify"})[:20],
        "open_rectifications": selectors.rectification_list(user=user, filters={"state": "open"})[:20],
        "plans": selectors.plan_list(user=user)[:10] if regulator else [],
        "regulator": regulator,
        "can_inspect": has_perm(user, Perm.INSPECT),
        "can_plan": has_perm(user, Perm.PLAN_MANAGE),
        "today": today,
    }
    return render(request, "enforcement/home.html", context)


@login_required
def indicators(request):
    user = request.user
    regulator_only(user)
    form = IndicatorForm(request.GET or None)
    today = timezone.localdate()
    since, until, region = dt.date(today.year, 1, 1), today, user.region if user.is_regulator else None
    if form.is_valid():
        since = form.cleaned_data["since"] or since
        until = form.cleaned_data["until"] or until
        code = (form.cleaned_data["region"] or "").strip()
        if code:
            candidate = Region.objects.filter(code=code).first()
            if candidate is None or not (user.sees_everything or user.region.contains(candidate.code)):
                raise Http404
            region = candidate
    if region is None:
        region = Region.objects.get(code="000000")
    data = selectors.indicators(user=user, region=region, since=since, until=until)
    return render(request, "enforcement/indicators.html", {"data": data, "form": form})
