"""The read path of oversight: alerts as a regulator may see them (the subject's region within his), detectors
and their thresholds. A county sees its own subjects' alerts; an organisation and a candidate see none."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.utils import timezone

from peikao.core.models import Region, User
from peikao.core.scoping import region_code_range
from peikao.enforcement import selectors as enforcement_selectors
from peikao.enforcement.choices import PlanStatus
from peikao.enforcement.models import Inspection, InspectionPlan
from peikao.oversight.choices import SEVERITY_RANK
from peikao.oversight.models import Alert, AlertEvent, Detector, DetectorRun

SORTS = {"severity", "-severity", "age", "-age", "last_seen", "-last_seen"}


def alert_list(*, user: User, filters: dict[str, Any] | None = None) -> QuerySet[Alert]:
    """The alerts ``user`` may see, filtered by ``filters``: detector (a code or a list), severity, state,
    subject_kind (training, exam), organization (pk), person (pk), region (a code prefix within the user's),
    period_from / period_to (dates: alerts whose period meets them), sort (severity, age, last_seen; "-" for
    descending). Most severe first, then oldest first, by default."""
    filters = filters or {}
    rank = Case(
        *[When(severity=value, then=Value(order)) for value, order in SEVERITY_RANK.items()],
        output_field=IntegerField(),
    )
    queryset = (
        Alert.objects.visible_to(user).select_related("detector", "organization", "person").annotate(severity_rank=rank)
    )
    detector = filters.get("detector")
    if detector:
        queryset = queryset.filter(detector_id__in=[detector] if isinstance(detector, str) else list(detector))
    for name in ("severity", "state"):
        if filters.get(name):
            queryset = queryset.filter(**{name: filters[name]})
    if filters.get("subject_kind"):
        queryset = queryset.filter(detector__subject_kind=filters["subject_kind"])
    if filters.get("organization"):
        queryset = queryset.filter(organization_id=filters["organization"])
    if filters.get("person"):
        queryset = queryset.filter(person_id=filters["person"])
    if filters.get("region"):
        region = Region.objects.filter(code=str(filters["region"])).first()
        prefix = region.prefix if region is not None else str(filters["region"])
        queryset = queryset.filter(organization__region__code__range=region_code_range(prefix))
    if isinstance(filters.get("period_from"), dt.date):
        queryset = queryset.filter(period_to__gte=filters["period_from"])
    if isinstance(filters.get("period_to"), dt.date):
        queryset = queryset.filter(period_from__lte=filters["period_to"])
    sort = filters.get("sort") or "severity"
    if sort not in SORTS:
        sort = "severity"
    order = {
        "severity": ["severity_rank", "first_seen", "id"],
        "-severity": ["-severity_rank", "first_seen", "id"],
        "age": ["first_seen", "id"],
        "-age": ["-first_seen", "-id"],
        "last_seen": ["last_seen", "id"],
        "-last_seen": ["-last_seen", "-id"],
    }[sort]
    return queryset.order_by(*order)


def alert_get(*, user: User, pk: int) -> Alert:
    """One alert ``user`` may see (``Alert.DoesNotExist`` otherwise)."""
    return (
        Alert.objects.visible_to(user)
        .select_related("detector", "organization", "person", "inspection", "finding")
        .get(pk=pk)
    )


def alert_events(*, user: User, alert: Alert) -> QuerySet[AlertEvent]:
    """The review steps of an alert ``user`` may see, oldest first."""
    return AlertEvent.objects.visible_to(user).filter(alert=alert).select_related("actor").order_by("time", "id")


def confirm_inspections(*, user: User, alert: Alert) -> QuerySet[Inspection]:
    """The planned and open inspections of the alert's subject that ``user`` sees: those it may be confirmed into."""
    return enforcement_selectors.inspection_list(user=user, filters={"open": True}).filter(
        organization_id=alert.organization_id
    )


def force_plans(*, user: User, alert: Alert) -> list[InspectionPlan]:
    """The draft plans ``user`` sees of a region holding the alert's subject that draw its kind: the plans whose
    next draw it may be forced into (a few a region)."""
    organization = alert.organization
    return [
        plan
        for plan in enforcement_selectors.plan_list(user=user).filter(status=PlanStatus.DRAFT).order_by("-year", "id")
        if plan.region.contains(organization.region_id)
        and (not plan.subject_kinds or organization.kind in plan.subject_kinds)
    ]


def alerts_of_subject(*, user: User, organization_id: int) -> QuerySet[Alert]:
    """The alerts about one organisation (its page), most severe first."""
    return alert_list(user=user, filters={"organization": organization_id})


def detector_list() -> QuerySet[Detector]:
    """The detectors with their thresholds (reference data, the same for every user)."""
    return Detector.objects.prefetch_related("thresholds").order_by("position", "code")


def detector_thresholds(*, code: str, on: dt.date | None = None) -> dict[str, Any]:
    """The thresholds of detector ``code`` in force on ``on`` (today in Beijing by default)."""
    day = on or timezone.localdate()
    return Detector.objects.get(code=code).thresholds_on(day)


def last_runs() -> dict[str, DetectorRun]:
    """The latest run of each detector."""
    runs: dict[str, DetectorRun] = {}
    for run in DetectorRun.objects.order_by("detector_id", "-started_at", "-id"):
        runs.setdefault(run.detector_id, run)
    return runs
