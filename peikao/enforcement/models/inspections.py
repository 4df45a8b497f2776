"""Annual plans with their random draws (双随机), and inspections with their inspectors and checklists."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peikao.core.events import TransitionEvent, new_status_field, old_status_field
from peikao.core.models import Region
from peikao.core.scoping import ScopedQuerySet, ScopeSpec
from peikao.enforcement.choices import (
    CheckOutcome,
    InspectionKind,
    InspectionStatus,
    PlanStatus,
)
from peikao.enforcement.models.catalogue import ViolationItem
from peikao.registry.models import Organization, Person


class InspectionPlan(models.Model):
    """An annual inspection plan of a region: subjects and inspectors drawn at random (双随机), reproducibly."""

    region = models.ForeignKey(Region, models.PROTECT, related_name="+", verbose_name=_("region"))
    year = models.PositiveSmallIntegerField(_("year"))
    name = models.CharField(_("name"), max_length=200)
    subject_kinds = models.JSONField(_("kinds of subject"), default=list)
    subjects_wanted = models.PositiveIntegerField(_("subjects to draw"))
    inspectors_per_subject = models.PositiveSmallIntegerField(_("inspectors per subject"), default=2)
    seed = models.BigIntegerField(_("random seed"), null=True, blank=True)
    draw_input = models.JSONField(
        _("input of the draw"), default=dict, blank=True, help_text=_("Candidates with their weights, and inspectors.")
    )
    status = models.CharField(_("status"), max_length=16, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    drawn_at = models.DateTimeField(_("drawn"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Scope(ScopeSpec):
        region = ("region",)

    class Meta:
        ordering = ["-year", "region", "name"]
        verbose_name = _("inspection plan")
        verbose_name_plural = _("inspection plans")
        constraints = [
            models.CheckConstraint(condition=Q(inspectors_per_subject__gte=2), name="plan_two_inspectors"),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.name}"


class PlanSubject(models.Model):
    """A subject drawn into a plan, with the weight it was drawn with and its rank in the draw."""

    plan = models.ForeignKey(InspectionPlan, models.CASCADE, related_name="subjects")
    organization = models.ForeignKey(Organization, models.PROTECT, related_name="+", verbose_name=_("subject"))
    weight = models.DecimalField(_("risk weight"), max_digits=7, decimal_places=2)
    rank = models.PositiveIntegerField(_("rank in the draw"))
    inspectors = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+", verbose_name=_("inspectors"))

    class Meta:
        ordering = ["plan", "rank"]
        constraints = [models.UniqueConstraint(fields=["plan", "organization"], name="plan_subject_once")]

    def __str__(self) -> str:
        return f"{self.plan_id}#{self.rank} {self.organization_id}"


class InspectionQuerySet(ScopedQuerySet):
    pass


class Inspection(models.Model):
    """An inspection of one subject by at least two inspectors: checklist, findings, evidence, spot exams."""

    code = models.CharField(_("inspection code"), max_length=40, unique=True)
    organization = models.ForeignKey(
        Organization, models.PROTECT, related_name="inspections", verbose_name=_("inspected organisation")
    )
    region = models.ForeignKey(Region, models.PROTECT, related_name="+", verbose_name=_("inspecting authority"))
    kind = models.CharField(_("kind"), max_length=16, choices=InspectionKind.choices)
    inspected_on = models.DateField(_("date"))
    status = models.CharField(
        _("status"), max_length=16, choices=InspectionStatus.choices, default=InspectionStatus.PLANNED
    )
    plan_subject = models.ForeignKey(PlanSubject, models.SET_NULL, null=True, blank=True, related_name="inspections")
    lookback_of = models.ForeignKey(
        "Rectification",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="lookbacks",
        verbose_name=_("look-back of"),
    )
    summary = models.TextField(_("summary"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = InspectionQuerySet.as_manager()

    class Scope(ScopeSpec):
        region = ("organization__region",)
        organization = ("organization",)

    class Meta:
        ordering = ["-inspected_on", "-id"]
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        indexes = [models.Index(fields=["inspected_on"], name="inspection_date")]

    def __str__(self) -> str:
        return self.code

    @classmethod
    def audit_repr(cls, values: dict) -> str:  # str() of a row written in bulk
        return values["code"]


class InspectionEvent(TransitionEvent):
    """A status change of an inspection (started, completed, …)."""

    OWNER_FIELD = "inspection"

    inspection = models.ForeignKey(
        Inspection, models.PROTECT, related_name="events", verbose_name=_("inspection"), db_index=False
    )
    old_status = old_status_field(InspectionStatus.choices)
    new_status = new_status_field(InspectionStatus.choices)

    class Meta(TransitionEvent.Meta):
        verbose_name = _("inspection status change")
        verbose_name_plural = _("inspection status changes")
        indexes = [models.Index(fields=["inspection", "time"], name="inspection_events_by_time")]


class Inspector(models.Model):
    """An officer on an inspection: a user of the platform, or a person named in imported records."""

    inspection = models.ForeignKey(Inspection, models.CASCADE, related_name="inspectors")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")
    person = models.ForeignKey(Person, models.PROTECT, null=True, blank=True, related_name="+")
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["inspection", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False) | Q(person__isnull=False), name="inspector_is_someone"
            ),
            models.UniqueConstraint(fields=["inspection", "user"], name="inspector_user_once"),
            models.UniqueConstraint(fields=["inspection", "person"], name="inspector_person_once"),
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def audit_repr(cls, values: dict) -> str:  # str() of a row written in bulk
        return values["name"]


class CheckResult(models.Model):
    """One checklist item at one inspection."""

    inspection = models.ForeignKey(Inspection, models.CASCADE, related_name="checks")
    item = models.ForeignKey(ViolationItem, models.PROTECT, related_name="+")
    outcome = models.CharField(_("outcome"), max_length=16, choices=CheckOutcome.choices)
    note = models.TextField(_("note"), blank=True)
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    checked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["inspection", "item__code"]
        constraints = [models.UniqueConstraint(fields=["inspection", "item"], name="check_once_per_item")]

    def __str__(self) -> str:
        return f"{self.inspection_id} {self.item_id} {self.outcome}"
