"""Jurisdiction scoping: the one place that decides which rows a user may see.

Every model that holds user data uses ``ScopedQuerySet`` (or a subclass) and declares how it reaches
a region, an organisation and a person::

    class Scope:
        region = ("region",)                 # paths to a Region foreign key
        organization = ("pk",)               # paths to an Organization primary key
        person = ()                          # paths to a Person primary key (candidates)

A regulator sees the rows whose region lies in its region (the code prefix) and below; an
organisation member sees the rows of its organisation; a candidate sees the rows about itself; a
system administrator and a ministry regulator see everything. Anything else sees nothing.
Selectors call ``visible_to(user)`` and never filter by hand.
"""

from __future__ import annotations

from typing import Self, TypeVar

from django.db import models
from django.db.models import Q


def region_code_range(prefix: str) -> tuple[str, str]:
    """The closed range of six-digit codes that start with ``prefix`` (index-friendly, no LIKE)."""
    return prefix.ljust(6, "0"), prefix.ljust(6, "9")


class ScopeSpec:
    region: tuple[str, ...] = ()
    organization: tuple[str, ...] = ()
    person: tuple[str, ...] = ()
    distinct: bool = False


def region_q(paths: tuple[str, ...], prefix: str) -> Q:
    low, high = region_code_range(prefix)
    q = Q()
    for path in paths:
        q |= Q(**{f"{path}__code__range": (low, high)})  # the region code is the key: no join
    return q


def equals_q(paths: tuple[str, ...], value) -> Q:
    q = Q()
    for path in paths:
        q |= Q(**{path: value})
    return q


_Model = TypeVar("_Model", bound=models.Model)


class ScopedQuerySet(models.QuerySet[_Model]):
    """A queryset that knows how to restrict itself to what a user may see."""

    def visible_to(self, user) -> Self:
        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.sees_everything:
            return self
        scope: type[ScopeSpec] = getattr(self.model, "Scope", ScopeSpec)
        q = self.scope_q(user, scope)
        if q is None:
            return self.none()
        queryset = self.filter(q)
        return queryset.distinct() if scope.distinct else queryset

    def scope_q(self, user, scope: type[ScopeSpec]) -> Q | None:
        """The filter for a user who does not see everything; ``None`` means nothing is visible."""
        if user.is_regulator and scope.region:
            return region_q(scope.region, user.region.prefix)
        if user.is_org_member and scope.organization:
            return equals_q(scope.organization, user.organization_id)
        if user.is_candidate and scope.person and user.person_id:
            return equals_q(scope.person, user.person_id)
        return None


class ScopedManager(models.Manager.from_queryset(ScopedQuerySet)):
    pass
