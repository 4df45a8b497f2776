"""Raised inspection priorities (from the injury analysis) as forced subjects of enforcement's random draw.

A priority is open until a plan drawn after it was raised holds its organisation as a subject: the next draw of a
plan that has the organisation among its candidates takes it first (``enforcement.hooks.forced_subjects``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Exists, OuterRef, QuerySet

from peikao.enforcement import hooks as enforcement_hooks
from peikao.enforcement.models import PlanSubject
from peikao.oversight.injuries.models import InspectionPriority

if TYPE_CHECKING:
    from peikao.core.models import User


def open_priorities(*, user: User | None) -> QuerySet[InspectionPriority]:
    priorities = InspectionPriority.objects.visible_to(user) if user is not None else InspectionPriority.objects.all()
    drawn_since = PlanSubject.objects.filter(
        organization=OuterRef("organization"), plan__drawn_at__gte=OuterRef("raised_at")
    )
    return priorities.filter(~Exists(drawn_since))


def open_priority_ids(*, user: User | None, organization_ids: list[int] | None = None) -> set[int]:
    """Organisations (pks) whose raised priority waits for its draw."""
    priorities = open_priorities(user=user)
    if organization_ids is not None:
        priorities = priorities.filter(organization_id__in=organization_ids)
    return set(priorities.values_list("organization_id", flat=True))


def forced_subjects(*, plan: Any, organization_ids: list[int], **_kwargs: Any) -> set[int] | None:
    """enforcement.hooks.forced_subjects: the candidates of ``plan`` whose priority was raised and not yet drawn."""
    return open_priority_ids(user=None, organization_ids=list(organization_ids)) or None


def register() -> None:
    enforcement_hooks.forced_subjects.register(forced_subjects)
