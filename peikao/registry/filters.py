"""Filters of the registry lists (UI and API share them through the selectors)."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from peikao.core.models import region_code_range
from peikao.core.validators import normalise_id_number
from peikao.registry.choices import AssignmentRole, OrganizationKind, OrganizationStatus
from peikao.registry.models import Assignment, Industry, OperationItem, Organization, Person


class RegionPrefixFilter(django_filters.CharFilter):
    """Rows whose region lies in the given region code (a province, city or county)."""

    def filter(self, qs, value):
        if not value:
            return qs
        value = value.strip()
        if not value.isdigit() or len(value) != 6:
            return qs.none()
        prefix = value[:2] if value.endswith("0000") else value[:4] if value.endswith("00") else value
        return qs.filter(**{f"{self.field_name}__code__range": region_code_range(prefix)})


class OrganizationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    kind = django_filters.ChoiceFilter(choices=OrganizationKind.choices, label=_("Kind"), empty_label=_("All"))
    status = django_filters.ChoiceFilter(choices=OrganizationStatus.choices, label=_("Status"), empty_label=_("All"))
    region = RegionPrefixFilter(field_name="region", label=_("Region code"))
    industry = django_filters.ModelChoiceFilter(
        queryset=Industry.objects.all(), to_field_name="code", label=_("Industry"), empty_label=_("All")
    )
    operation_item = django_filters.ModelChoiceFilter(
        field_name="operation_items",
        queryset=OperationItem.objects.all(),
        to_field_name="code",
        label=_("Approved item"),
    )
    high_risk = django_filters.BooleanFilter(field_name="industry__high_risk", label=_("High-risk"))

    class Meta:
        model = Organization
        fields = ["q", "kind", "status", "region", "industry", "operation_item", "high_risk"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(org_code__iexact=value) | Q(uscc__iexact=value.upper()))


class PersonFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Name or full ID number"))
    organization = django_filters.CharFilter(method="at_organization", label=_("Organisation code"))
    role = django_filters.ChoiceFilter(
        field_name="assignments__role",
        choices=AssignmentRole.choices,
        label=_("Role"),
        distinct=True,
        empty_label=_("All"),
    )

    class Meta:
        model = Person
        fields = ["q", "organization", "role"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        number = normalise_id_number(value)
        if len(number) == 18:
            return queryset.filter(id_number=number)
        return queryset.filter(name__icontains=value)

    def at_organization(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(assignments__organization__org_code=value.strip()).distinct()


class AssignmentFilter(django_filters.FilterSet):
    role = django_filters.ChoiceFilter(choices=AssignmentRole.choices, label=_("Role"))
    organization = django_filters.CharFilter(field_name="organization__org_code", label=_("Organisation code"))
    current = django_filters.BooleanFilter(method="only_current", label=_("Current only"))

    class Meta:
        model = Assignment
        fields = ["role", "organization", "current"]

    def only_current(self, queryset, name, value):
        if value is None:
            return queryset
        from django.utils import timezone

        today = timezone.localdate()
        current = Q(start_date__lte=today) & (Q(end_date__isnull=True) | Q(end_date__gte=today))
        return queryset.filter(current) if value else queryset.exclude(current)
