"""Credited hours: computed lazily per class (``hours_stale``), brought up to date by these services only."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from peikao.training import hours
from peikao.training.choices import ClassStatus
from peikao.training.models import TrainingClass


def refresh_hours(class_ids: Iterable[int] | None = None, *, force: bool = False) -> int:
    """Recompute credited hours of classes whose lessons or attendance changed (or all given, ``force``).
    Sealed classes are left alone: their hours are part of the archive."""
    queryset = TrainingClass.objects.exclude(status=ClassStatus.CLOSED)
    if class_ids is not None:
        queryset = TrainingClass.objects.filter(pk__in=list(class_ids))
        if not force:
            queryset = queryset.exclude(status=ClassStatus.CLOSED)
    if not force:
        queryset = queryset.filter(hours_stale=True)
    ids = list(queryset.values_list("pk", flat=True))
    if not ids:
        return 0
    with transaction.atomic():
        computed = hours.recompute(ids)
        TrainingClass.objects.filter(pk__in=ids).update(hours_stale=False)
    return computed


def mark_hours_stale(class_ids: Iterable[int]) -> None:
    """Lessons, trainees or attendance of these classes changed: their hours are computed again when next read."""
    TrainingClass.objects.filter(pk__in=list(class_ids)).exclude(status=ClassStatus.CLOSED).update(hours_stale=True)


def class_hours_refresh(*, training_class: TrainingClass) -> int:
    """Bring one class's credited hours up to date before they are shown, if its lessons, trainees or attendance
    changed since they were computed (a closed class's hours are sealed). Returns the enrolments computed."""
    if not training_class.hours_stale or training_class.status == ClassStatus.CLOSED:
        return 0
    return refresh_hours([training_class.pk])
