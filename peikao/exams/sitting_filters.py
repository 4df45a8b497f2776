"""Filters of the sitting list that the work lists link to: the days a sitting starts, its unresolved staff
conflicts, its patrol findings. Each is one condition in the database (an EXISTS), never a loop over sittings."""

from __future__ import annotations

import datetime as dt
from typing import TypeVar

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.functions import TruncDate

from peikao.exams.choices import FindingStatus, SittingStatus
from peikao.exams.models import PatrolFinding, Registration, Sitting, SittingStaff
from peikao.registry.choices import OrganizationKind
from peikao.registry.models import Assignment

SITTING_DONE = (SittingStatus.CLOSED, SittingStatus.CANCELLED)
Sittings = TypeVar("Sittings", bound=QuerySet[Sitting])


def apply(queryset: Sittings, filters) -> Sittings:
    """``exam_point`` (its org code), ``starts_from`` / ``starts_to`` (days, local time), ``conflicts``, ``findings``
    of a sitting list's filters."""
    if filters.get("exam_point"):
        queryset = queryset.filter(exam_point__org_code=str(filters["exam_point"]).strip())
    for name, lookup in (("starts_from", "gte"), ("starts_to", "lte")):
        day = _day(filters.get(name))
        if day is not None:
            queryset = queryset.filter(**{f"starts_at__date__{lookup}": day})
    if filters.get("conflicts"):
        queryset = queryset.filter(Exists(unresolved_conflict_staff())).exclude(status__in=SITTING_DONE)
    if filters.get("findings"):
        findings = PatrolFinding.objects.filter(sitting=OuterRef("pk")).exclude(status=FindingStatus.DISMISSED)
        queryset = queryset.filter(Exists(findings))
    return queryset


def _day(value) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value).strip()) if value else None
    except ValueError:  # not a day: no filter, as for any other unreadable filter value
        return None


def unresolved_conflict_staff() -> QuerySet[SittingStaff]:
    """The staff of the outer sitting in conflict now, without a regulator's override (``selectors.unresolved_
    conflicts`` as one EXISTS: employed on the sitting's day by a training institution whose trainees sit it)."""
    employers = (
        Assignment.objects.filter(
            person=OuterRef("person"),
            organization__kind=OrganizationKind.TRAINING_INSTITUTION,
            start_date__lte=OuterRef("day"),
        )
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=OuterRef("day")))
        .filter(
            Exists(
                Registration.objects.filter(
                    sitting=OuterRef(OuterRef("sitting")), training_class__organization=OuterRef("organization")
                )
            )
        )
    )
    return (
        SittingStaff.objects.filter(sitting=OuterRef("pk"), override_reason="")
        .annotate(day=TruncDate("sitting__starts_at"))
        .filter(Exists(employers))
    )
