"""Injury cases (injuries.csv), their link to a registered person and its review events, and the dated weights of
the linkage (domain/injury_linkage.yaml). Registered with Django through one import line in oversight/models.py."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peikao.core.events import TransitionEvent, new_status_field, old_status_field
from peikao.core.models import DatedReference
from peikao.core.scoping import ScopedQuerySet, ScopeSpec
from peikao.oversight.injuries.choices import Dimension, InjurySeverity, LinkStatus
from peikao.registry.models import OperationItem, Organization, Person

WITH_PERSON = [LinkStatus.EXACT, LinkStatus.AUTOMATIC, LinkStatus.REVIEW, LinkStatus.CONFIRMED, LinkStatus.REJECTED]


class LinkageWeight(DatedReference):
    """One weight of the Fellegi–Sunter linkage (log2 of m/u for a level of a comparison) or one of its thresholds
    (comparison ``threshold``: auto, review, margin), in force over a period, with where its value comes from."""

    key = models.CharField(max_length=80, unique=True)
    comparison = models.CharField(_("comparison"), max_length=20)
    level = models.CharField(_("level"), max_length=20)
    weight = models.DecimalField(_("weight"), max_digits=7, decimal_places=3)
    source = models.CharField(_("source"), max_length=300)

    class Meta:
        ordering = ["comparison", "level", "valid_from"]
        verbose_name = _("linkage weight")
        verbose_name_plural = _("linkage weights")

    def __str__(self) -> str:
        return f"{self.comparison}.{self.level} = {self.weight}"


class InjuryCaseQuerySet(ScopedQuerySet):
    pass


class InjuryCase(models.Model):
    """One work-injury case as the injury-insurance system sent it (the ID number as typed, possibly wrong), and the
    person the linkage tied it to: exact, automatic (with its match weight), a proposal awaiting review, confirmed
    or rejected by a clerk, or unlinked."""

    case_no = models.CharField(_("case number"), max_length=40, unique=True)
    id_number = models.CharField(_("ID number as given"), max_length=32)
    name = models.CharField(_("name as given"), max_length=50, blank=True)
    organization = models.ForeignKey(
        Organization, models.PROTECT, related_name="injury_cases", verbose_name=_("employer")
    )
    dispatched_by = models.ForeignKey(
        Organization,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="dispatched_injury_cases",
        verbose_name=_("labour-dispatch company"),
    )
    occurred_on = models.DateField(_("occurred on"))
    operation_item = models.ForeignKey(
        OperationItem, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("operation item")
    )
    severity = models.CharField(_("severity"), max_length=8, choices=InjurySeverity.choices)
    person = models.ForeignKey(
        Person, models.PROTECT, null=True, blank=True, related_name="injury_cases", verbose_name=_("linked person")
    )
    link_status = models.CharField(
        _("link status"), max_length=10, choices=LinkStatus.choices, default=LinkStatus.UNLINKED
    )
    match_weight = models.DecimalField(_("match weight"), max_digits=7, decimal_places=2, null=True, blank=True)
    linked_at = models.DateTimeField(_("linked"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    STATUS_FIELD = "link_status"  # the status its events record (core.tests.test_events)

    objects = InjuryCaseQuerySet.as_manager()

    class Scope(ScopeSpec):
        # Regulators of the employer's region: injury data is not shown to the employer or the person here.
        region = ("organization__region",)

    class Meta:
        ordering = ["-occurred_on", "case_no"]
        verbose_name = _("injury case")
        verbose_name_plural = _("injury cases")
        indexes = [
            models.Index(fields=["link_status", "occurred_on"], name="injury_by_status_day"),
            models.Index(fields=["organization", "occurred_on"], name="injury_by_org_day"),
            models.Index(fields=["person", "occurred_on"], name="injury_by_person_day"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(link_status__in=WITH_PERSON, person__isnull=False)
                | Q(link_status=LinkStatus.UNLINKED, person__isnull=True),
                name="injury_link_has_person",
                violation_error_message=_("A linked or proposed case names its person; an unlinked one names nobody."),
            ),
            models.CheckConstraint(
                condition=~Q(link_status=LinkStatus.EXACT) | Q(match_weight__isnull=True),
                name="injury_exact_has_no_weight",
                violation_error_message=_("An exact link has no match weight."),
            ),
        ]

    def __str__(self) -> str:
        return self.case_no

    @property
    def linked(self) -> bool:
        return self.link_status in (LinkStatus.EXACT, LinkStatus.AUTOMATIC, LinkStatus.CONFIRMED)


class InjuryCaseEvent(TransitionEvent):
    """A clerk's decision on a proposed link: accepted, rejected, reopened."""

    OWNER_FIELD = "case"

    case = models.ForeignKey(
        InjuryCase, models.PROTECT, related_name="events", verbose_name=_("injury case"), db_index=False
    )
    old_status = old_status_field(LinkStatus.choices)
    new_status = new_status_field(LinkStatus.choices)
    person = models.ForeignKey(
        Person, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("person proposed")
    )

    class Meta(TransitionEvent.Meta):
        verbose_name = _("injury link decision")
        verbose_name_plural = _("injury link decisions")
        indexes = [models.Index(fields=["case", "time"], name="injury_events_by_time")]


class InspectionPriorityQuerySet(ScopedQuerySet):
    pass


class InspectionPriority(models.Model):
    """A regulator raised the inspection priority of an organisation the injury analysis showed at high risk (a
    training institution or an enterprise): it is a forced subject of the next random draw of a plan covering it
    (enforcement.hooks.forced_subjects), i.e. until a plan drawn after ``raised_at`` holds it."""

    organization = models.ForeignKey(
        Organization, models.PROTECT, related_name="injury_priorities", verbose_name=_("subject")
    )
    dimension = models.CharField(_("found as"), max_length=24, choices=Dimension.choices)
    reason = models.TextField(_("reason"))
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+", verbose_name=_("raised by")
    )
    raised_at = models.DateTimeField(_("raised"), default=timezone.now)

    objects = InspectionPriorityQuerySet.as_manager()
    str_related = ("organization",)  # what __str__ reads (core.changelog_display)

    class Scope(ScopeSpec):
        region = ("organization__region",)

    class Meta:
        ordering = ["-raised_at", "-id"]
        verbose_name = _("raised inspection priority")
        verbose_name_plural = _("raised inspection priorities")
        indexes = [models.Index(fields=["organization", "raised_at"], name="injury_priority_by_org")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(reason=""),
                name="injury_priority_has_reason",
                violation_error_message=_("A raised priority says why."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization}（{timezone.localtime(self.raised_at):%Y-%m-%d}）"  # the day in Beijing
