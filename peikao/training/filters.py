"""Filters of the training lists."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from peikao.training.choices import ClassStatus, TraineeCategory, TrainingType
from peikao.training.models import TrainingClass


class TrainingClassFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    status = django_filters.ChoiceFilter(choices=ClassStatus.choices, label=_("Status"), empty_label=_("All"))
    trainee_category = django_filters.ChoiceFilter(
        choices=TraineeCategory.choices, label=_("Trainees"), empty_label=_("All")
    )
    training_type = django_filters.ChoiceFilter(
        choices=TrainingType.choices, label=_("Training type"), empty_label=_("All")
    )
    organization = django_filters.CharFilter(field_name="organization__org_code", label=_("Organisation code"))
    starts_from = django_filters.DateFilter(field_name="start_date", lookup_expr="gte", label=_("Starts from"))
    starts_to = django_filters.DateFilter(field_name="start_date", lookup_expr="lte", label=_("Starts until"))

    class Meta:
        model = TrainingClass
        fields = ["q", "status", "trainee_category", "training_type", "organization", "starts_from", "starts_to"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(class_code__icontains=value) | Q(name__icontains=value) | Q(organization__name__icontains=value)
        )
