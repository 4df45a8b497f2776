"""Compliance pages: a region's gaps (from its latest scan) and an enterprise's (computed now)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from peikao.compliance import selectors, services
from peikao.core.errors import DomainError
from peikao.core.models import Region
from peikao.core.permissions import Perm, has_perm, require_perm
from peikao.registry import selectors as registry_selectors


def _region_for(user, code: str | None) -> Region:
    if not (user.is_regulator or user.is_system_admin):
        raise Http404
    if code:
        region = Region.objects.filter(code=code).first()
        if region is None or not (user.sees_everything or user.region.contains(region.code)):
            raise Http404
        return region
    return user.region if user.is_regulator else Region.objects.get(code="000000")


@login_required
def region(request):
    user = request.user
    if user.is_org_member:
        return redirect("compliance:enterprise", org_code=user.organization.org_code)
    selected = _region_for(user, request.GET.get("region"))
    scan = selectors.latest_scan(user=user, region=selected)
    context = {
        "region": selected,
        "scan": scan,
        "summary": selectors.region_summary(user=user, scan=scan, region=selected) if scan else None,
        "gap_violations": selectors.gap_violations(),
        "can_scan": has_perm(user, Perm.COMPLIANCE_SCAN),
    }
    return render(request, "compliance/region.html", context)


@login_required
@require_POST
def scan(request):
    user = request.user
    require_perm(user, Perm.COMPLIANCE_SCAN)  # a 403 page for an analyst, before anything about the region
    selected = _region_for(user, request.POST.get("region"))
    try:
        record = services.scan(actor=user, region=selected)
    except DomainError as error:
        messages.error(request, error.text)
    else:
        messages.success(request, _("%(n)d gaps found.") % {"n": record.gap_count})
    return redirect(f"{request.path.rsplit('/scan/', 1)[0]}/?region={selected.code}")


@login_required
def enterprise(request, org_code: str):
    user = request.user
    organization = registry_selectors.organization_get(user=user, org_code=org_code)
    try:
        as_of = parse_date(request.GET.get("as_of") or "") or timezone.localdate()
    except ValueError:  # well formed, not a day (2026-02-30): today, like any other unreadable date
        as_of = timezone.localdate()
    if as_of > timezone.localdate() + dt.timedelta(days=366):
        as_of = timezone.localdate()
    rows = selectors.enterprise_gaps(user=user, organization=organization, as_of=as_of)
    return render(
        request,
        "compliance/enterprise.html",
        {"organization": organization, "rows": rows, "as_of": as_of},
    )
