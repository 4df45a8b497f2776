"""Core read path: regions, import runs, the change log."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from peikao.core.choices import RegionLevel
from peikao.core.models import ChangeLog, IdNumberView, ImportRun, Region, User, region_code_range


def region_list(*, parent: str | None = None, level: str | None = None) -> QuerySet[Region]:
    """Regions are public reference data: every user may list them."""
    queryset = Region.objects.all()
    if parent:
        queryset = queryset.filter(parent_id=parent)
    if level:
        queryset = queryset.filter(level=level)
    return queryset


def region_get(*, code: str) -> Region:
    return get_object_or_404(Region.objects.select_related("parent__parent"), code=code)


def regions_in_jurisdiction(*, user: User) -> QuerySet[Region]:
    """The county-level regions a user may file things in (for pickers)."""
    queryset = Region.objects.filter(level=RegionLevel.COUNTY)
    if user.sees_everything:
        return queryset
    if user.is_regulator:
        return queryset.filter(code__range=region_code_range(user.jurisdiction.prefix))
    if user.is_org_member:
        return queryset.filter(code=user.organization.region_id)
    return queryset.none()


def import_run_list(*, user: User) -> QuerySet[ImportRun]:
    """A user sees its own imports; a system administrator sees all."""
    if not user.is_authenticated:
        return ImportRun.objects.none()
    if user.is_system_admin:
        return ImportRun.objects.all()
    return ImportRun.objects.filter(user=user)


def import_run_get(*, user: User, pk: int) -> ImportRun:
    return get_object_or_404(import_run_list(user=user), pk=pk)


def changelog_list(*, user: User, filters: dict | None = None) -> QuerySet[ChangeLog]:
    """The whole change log spans jurisdictions: it is for those who see everything. Everyone else sees
    the history of each record on that record's page (``object_history``)."""
    if not can_view_changelog(user):
        return ChangeLog.objects.none()
    queryset = ChangeLog.objects.select_related("content_type", "actor")
    filters = filters or {}
    if filters.get("request_id"):
        queryset = queryset.filter(request_id=filters["request_id"])
    if filters.get("model"):
        queryset = queryset.filter(content_type__model=filters["model"])
    if filters.get("object_id"):
        queryset = queryset.filter(object_id=filters["object_id"])
    return queryset


def id_number_view_list(*, user: User, person_id: int | None = None) -> QuerySet[IdNumberView]:
    if not can_view_changelog(user):
        return IdNumberView.objects.none()
    queryset = IdNumberView.objects.select_related("user")
    if person_id is not None:
        queryset = queryset.filter(person_id=person_id)
    return queryset


def can_view_changelog(user: User) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.is_active and user.sees_everything


def object_history(*, instance, limit: int = 50) -> QuerySet[ChangeLog]:
    """The change log of one record. The caller has fetched ``instance`` through a scoped selector."""
    from django.contrib.contenttypes.models import ContentType

    content_type = ContentType.objects.get_for_model(instance)
    return ChangeLog.objects.filter(content_type=content_type, object_id=str(instance.pk)).select_related("actor")[
        :limit
    ]
