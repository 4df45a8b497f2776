"""The enforcement read path, scoped: plans, inspections, decisions, rectifications, and the soft-enforcement
indicators of a region and period (set-based)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Case, Count, Exists, F, OuterRef, Q, QuerySet, Sum, When
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone

from peikao.core.scoping import region_code_range
from peikao.enforcement.choices import InspectionStatus, Measure, RectificationStatus
from peikao.enforcement.models import (
    Decision,
    Finding,
    Inspection,
    InspectionPlan,
    Rectification,
    ViolationItem,
)


def plan_list(*, user) -> QuerySet[InspectionPlan]:
    return InspectionPlan.objects.visible_to(user).select_related("region").annotate(drawn=Count("subjects"))


def plan_get(*, user, plan_id: int) -> InspectionPlan:
    return get_object_or_404(plan_list(user=user), pk=plan_id)


def inspection_list(*, user, filters=None) -> QuerySet[Inspection]:
    filters = filters or {}
    queryset = (
        Inspection.objects.visible_to(user)
        .select_related("organization__region", "region")
        .annotate(finding_count=Count("findings", distinct=True))
    )
    if filters.get("status"):
        queryset = queryset.filter(status=filters["status"])
    if filters.get("kind"):
        queryset = queryset.filter(kind=filters["kind"])
    q = (filters.get("q") or "").strip()
    if q:
        queryset = queryset.filter(Q(code__icontains=q) | Q(organization__name__icontains=q))
    if filters.get("mine") and getattr(user, "is_regulator", False):
        queryset = queryset.filter(inspectors__user=user)
    return queryset.order_by("-inspected_on", "-id")


def inspection_get(*, user, code: str) -> Inspection:
    return get_object_or_404(
        Inspection.objects.visible_to(user).select_related("organization__region", "region", "plan_subject__plan"),
        code=code,
    )


def decision_list(*, user, filters=None) -> QuerySet[Decision]:
    filters = filters or {}
    queryset = Decision.objects.visible_to(user).select_related("inspection__organization", "rectification")
    if filters.get("measure"):
        queryset = queryset.filter(measure=filters["measure"])
    return queryset.order_by("-decided_on", "-id")


def decision_get(*, user, code: str) -> Decision:
    return get_object_or_404(
        Decision.objects.visible_to(user).select_related("inspection__organization__region", "certificate__person"),
        code=code,
    )


def rectification_list(*, user, filters=None, today: dt.date | None = None) -> QuerySet[Rectification]:
    today = today or timezone.localdate()
    filters = filters or {}
    queryset = Rectification.objects.visible_to(user).select_related("decision__inspection__organization")
    state = filters.get("state")
    if state == "overdue":
        queryset = queryset.exclude(status=RectificationStatus.CLOSED).filter(due_on__lt=today)
    elif state == "to_verify":
        queryset = queryset.filter(status=RectificationStatus.SUBMITTED)
    elif state == "open":
        queryset = queryset.exclude(status=RectificationStatus.CLOSED)
    elif state == "closed":
        queryset = queryset.filter(status=RectificationStatus.CLOSED)
    return queryset.order_by("due_on", "id")


def suggested_overdue_penalty(rectification: Rectification) -> dict | None:
    """The range for violations not corrected in time, of the order's findings (what escalation suggests)."""
    items = [f.violation for f in rectification.decision.findings.select_related("violation") if f.violation_id]
    ranged = [item for item in items if item.overdue_fine_max is not None]
    if not ranged:
        return None
    return {
        "low": sum(item.overdue_fine_min or 0 for item in ranged),
        "high": sum(item.overdue_fine_max for item in ranged),
        "suspend": any(item.overdue_suspend for item in ranged),
        "basis": "；".join(f"{item.code}：{item.basis_title}" for item in ranged),
    }


def catalogue(*, subject_type: str | None = None) -> QuerySet[ViolationItem]:
    queryset = ViolationItem.objects.filter(retired=False).select_related("instrument")
    if subject_type:
        queryset = queryset.filter(subject_type=subject_type)
    return queryset.order_by("subject_type", "surface", "code")


def current_violations() -> dict[str, ViolationItem]:
    """The current version of every violation item, by code (answers compliance's violation_catalogue hook)."""
    return {item.code: item for item in ViolationItem.objects.filter(retired=False).select_related("instrument")}


# -- soft-enforcement indicators ---------------------------------------------------------------------------------


def _ratio(part, whole) -> float | None:
    return round(float(part) / float(whole), 3) if whole else None


def indicators(*, user, region, since: dt.date, until: dt.date, today: dt.date | None = None) -> dict:
    """Share of inspections with only surface findings, share of findings with no decision, fines relative to
    the legal maximum, overdue and unverified rectifications — for the region, and for each region below it."""
    today = today or timezone.localdate()
    low, high = region_code_range(region.prefix)
    inspections = Inspection.objects.visible_to(user).filter(
        organization__region__code__range=(low, high), inspected_on__range=(since, until)
    )
    substantive = Finding.objects.filter(inspection=OuterRef("pk"), surface=False)
    any_finding = Finding.objects.filter(inspection=OuterRef("pk"))
    findings = Finding.objects.filter(inspection__in=inspections.values("pk"))
    fines = Decision.objects.filter(inspection__in=inspections.values("pk"), measure=Measure.FINE)
    rectifications = Rectification.objects.filter(decision__inspection__in=inspections.values("pk"))
    length = {"nation": 2, "province": 4, "city": 6}.get(region.level, 6)

    def block(inspection_qs, finding_qs, fine_qs, rect_qs) -> dict:
        inspection_counts = inspection_qs.aggregate(
            total=Count("id"),
            completed=Count("id", filter=Q(status=InspectionStatus.COMPLETED)),
        )
        surface_only = inspection_qs.filter(Exists(any_finding), ~Exists(substantive)).count()
        with_findings = inspection_qs.filter(Exists(any_finding)).count()
        finding_counts = finding_qs.aggregate(
            total=Count("id", distinct=True),  # a finding may rest under several decisions
            undecided=Count("id", filter=Q(decisions__isnull=True), distinct=True),
        )
        fine_sum = fine_qs.aggregate(total=Sum("fine_yuan"))["total"] or Decimal(0)
        # The legal maximum of each fine: its findings' maxima, those for uncorrected violations where the fine
        # was set in that range (summed in the database over decision × finding).
        legal_max = fine_qs.aggregate(
            top=Sum(
                Case(
                    When(
                        overdue_range=True,
                        then=Coalesce("findings__violation__overdue_fine_max", "findings__violation__fine_max", 0),
                    ),
                    default=Coalesce("findings__violation__fine_max", 0),
                )
            )
        )["top"] or Decimal(0)
        rect = rect_qs.aggregate(
            total=Count("id"),
            overdue=Count("id", filter=~Q(status=RectificationStatus.CLOSED) & Q(due_on__lt=today)),
            unverified=Count("id", filter=Q(status=RectificationStatus.SUBMITTED)),
            closed_late=Count("id", filter=Q(status=RectificationStatus.CLOSED, closed_on__gt=F("due_on"))),
        )
        return {
            "inspections": inspection_counts["total"],
            "completed": inspection_counts["completed"],
            "with_findings": with_findings,
            "surface_only": surface_only,
            "surface_only_share": _ratio(surface_only, with_findings),
            "findings": finding_counts["total"],
            "undecided": finding_counts["undecided"],
            "undecided_share": _ratio(finding_counts["undecided"], finding_counts["total"]),
            "fines": fine_qs.count(),
            "fine_total": fine_sum,
            "fine_legal_max": legal_max,
            "fine_to_max": _ratio(fine_sum, legal_max),
            "rectifications": rect["total"],
            "overdue": rect["overdue"],
            "unverified": rect["unverified"],
            "closed_late": rect["closed_late"],
        }

    overall = block(inspections, findings, fines, rectifications)
    children = []
    codes = sorted(
        {code[:length].ljust(6, "0") for code in inspections.values_list("organization__region_id", flat=True)}
    )
    from peikao.core.models import Region

    names = Region.objects.in_bulk(codes)
    for code in codes:
        prefix = code[:length]
        child_inspections = inspections.filter(organization__region__code__startswith=prefix)
        children.append(
            {
                "code": code,
                "name": names[code].name if code in names else code,
                **block(
                    child_inspections,
                    findings.filter(inspection__organization__region__code__startswith=prefix),
                    fines.filter(inspection__organization__region__code__startswith=prefix),
                    rectifications.filter(decision__inspection__organization__region__code__startswith=prefix),
                ),
            }
        )
    return {"overall": overall, "children": children, "since": since, "until": until, "region": region}


def public_cases() -> QuerySet[Decision]:
    return (
        Decision.objects.filter(publicized=True)
        .select_related("inspection__organization__region")
        .prefetch_related("findings__violation")
        .order_by("-decided_on", "-id")
    )
