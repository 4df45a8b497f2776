"""Filters of the training lists."""

from __future__ import annotations

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peikao.training.choices import ClassStatus, TraineeCategory, TrainingType
from peikao.training.models import Enrolment, TrainingClass


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
    short_hours = django_filters.BooleanFilter(
        method="with_trainees_short",
        label=_("Ended, trainees short of hours"),
        widget=django_filters.widgets.BooleanWidget,
    )

    class Meta:
        model = TrainingClass
        fields = [
            "q",
            "status",
            "trainee_category",
            "training_type",
            "organization",
            "starts_from",
            "starts_to",
            "short_hours",
        ]

    def with_trainees_short(self, queryset, name, value):
        """Accepted classes that have ended with a trainee whose credited hours do not complete the requirement
        (as last computed; a trainee never computed counts as short): make-up lessons are due before closing."""
        if not value:
            return queryset
        return short_of_hours(queryset)

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(class_code__icontains=value) | Q(name__icontains=value) | Q(organization__name__icontains=value)
        )


def short_of_hours(queryset):
    """The accepted classes of ``queryset`` that have ended with a trainee short of hours (one EXISTS)."""
    short = Enrolment.objects.filter(training_class=OuterRef("pk")).exclude(credited__completed=True)
    return queryset.filter(Exists(short), status=ClassStatus.ACCEPTED, end_date__lt=timezone.localdate())
