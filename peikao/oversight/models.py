"""Oversight: the detectors (reference data, domain/oversight_detectors.yaml), their dated thresholds, and the
alerts they raise with the alerts' workflow events."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peikao.core.events import TransitionEvent, new_status_field, old_status_field
from peikao.core.models import DatedReference
from peikao.core.scoping import ScopedQuerySet, ScopeSpec
from peikao.oversight.choices import AlertState, DismissReason, Severity, SubjectKind
from peikao.registry.models import Organization, Person


class Detector(models.Model):
    """A registered detector: its fixed code, its Chinese name, severity, the violation it suggests and the
    template of its explanation (loaded from domain/oversight_detectors.yaml; the SQL is in detectors/)."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("what it finds"), blank=True)
    subject_kind = models.CharField(_("reads"), max_length=16, choices=SubjectKind.choices)
    severity = models.CharField(_("severity"), max_length=8, choices=Severity.choices)
    violation_code = models.CharField(_("suggested violation"), max_length=40, blank=True)
    explanation = models.TextField(_("explanation template"))
    source = models.CharField(_("source"), max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("detector")
        verbose_name_plural = _("detectors")

    def __str__(self) -> str:
        return self.name

    def thresholds_on(self, on: dt.date) -> dict[str, Decimal]:
        """The thresholds of this detector in force on ``on``."""
        return dict(self.thresholds.in_force(on).values_list("param", "value"))


class DetectorThreshold(DatedReference):
    """One threshold of a detector, in force over a period, with where its value comes from."""

    key = models.CharField(max_length=120, unique=True)
    detector = models.ForeignKey(
        Detector, models.CASCADE, to_field="code", related_name="thresholds", verbose_name=_("detector")
    )
    param = models.CharField(_("parameter"), max_length=40)
    value = models.DecimalField(_("value"), max_digits=12, decimal_places=4)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    source = models.CharField(_("source"), max_length=300)

    class Meta:
        ordering = ["detector", "param", "valid_from"]
        verbose_name = _("detector threshold")
        verbose_name_plural = _("detector thresholds")

    def __str__(self) -> str:
        return f"{self.detector_id} {self.param} = {self.value}"


class AlertQuerySet(ScopedQuerySet):
    pass


class Alert(models.Model):
    """What a detector found about one subject (an organisation, and a person where there is one) over a period:
    the evidence rows, the explanation a regulator can read aloud, the violation it suggests, and where the
    regulator's review took it. One row per fingerprint: a re-run refreshes the evidence and leaves the state."""

    fingerprint = models.CharField(_("fingerprint"), max_length=64, unique=True)
    detector = models.ForeignKey(
        Detector, models.PROTECT, to_field="code", related_name="alerts", verbose_name=_("detector")
    )
    organization = models.ForeignKey(Organization, models.PROTECT, related_name="alerts", verbose_name=_("subject"))
    person = models.ForeignKey(
        Person, models.PROTECT, null=True, blank=True, related_name="alerts", verbose_name=_("person")
    )
    period_from = models.DateField(_("from"))
    period_to = models.DateField(_("to"))
    severity = models.CharField(_("severity"), max_length=8, choices=Severity.choices)
    state = models.CharField(_("state"), max_length=16, choices=AlertState.choices, default=AlertState.NEW)
    evidence = models.JSONField(_("evidence"), default=dict)
    explanation = models.TextField(_("explanation"))
    violation_code = models.CharField(_("suggested violation"), max_length=40, blank=True)
    first_seen = models.DateTimeField(_("first seen"), default=timezone.now)
    last_seen = models.DateTimeField(_("last seen"), default=timezone.now)
    dismiss_reason = models.CharField(_("reason dismissed"), max_length=16, choices=DismissReason.choices, blank=True)
    note = models.TextField(_("review note"), blank=True)
    inspection = models.ForeignKey(
        "enforcement.Inspection",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="alerts",
        verbose_name=_("inspection"),
    )
    finding = models.ForeignKey(
        "enforcement.Finding", models.PROTECT, null=True, blank=True, related_name="alerts", verbose_name=_("finding")
    )
    forced_plan = models.ForeignKey(
        "enforcement.InspectionPlan",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="forced_alerts",
        verbose_name=_("forced into the draw of"),
        help_text=_("The subject is drawn first in this plan's draw."),
    )
    updated_at = models.DateTimeField(default=timezone.now)

    objects = AlertQuerySet.as_manager()
    STATUS_FIELD = "state"  # the review's state (new → reviewing → confirmed or dismissed), as the issue names it

    class Scope(ScopeSpec):
        # Regulators only: an alert is a lead about its subject, not shown to the subject itself.
        region = ("organization__region",)

    class Meta:
        ordering = ["-last_seen", "-id"]
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        indexes = [
            models.Index(fields=["detector", "state"], name="alert_by_detector_state"),
            models.Index(fields=["organization", "state"], name="alert_by_subject_state"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_to__gte=models.F("period_from")),
                name="alert_period_ordered",
                violation_error_message=_("An alert's period ends on or after its start."),
            ),
            models.CheckConstraint(
                condition=~Q(state=AlertState.DISMISSED) | ~Q(dismiss_reason=""),
                name="alert_dismissed_has_reason",
                violation_error_message=_("A dismissed alert says why."),
            ),
            models.CheckConstraint(
                condition=~Q(state=AlertState.CONFIRMED) | Q(inspection__isnull=False) | Q(forced_plan__isnull=False),
                name="alert_confirmed_has_an_outcome",
                violation_error_message=_("A confirmed alert belongs to an inspection or to the next draw of a plan."),
            ),
        ]

    str_related = ("organization",)  # what __str__ reads (core.changelog_display)

    def __str__(self) -> str:
        return f"{self.detector_id} {self.organization.name}（{self.period_from}～{self.period_to}）"


class AlertEvent(TransitionEvent):
    """A step of an alert's review: reviewed, confirmed into an inspection, dismissed, reopened."""

    OWNER_FIELD = "alert"

    alert = models.ForeignKey(Alert, models.PROTECT, related_name="events", verbose_name=_("alert"), db_index=False)
    old_status = old_status_field(AlertState.choices)
    new_status = new_status_field(AlertState.choices)

    class Meta(TransitionEvent.Meta):
        verbose_name = _("alert status change")
        verbose_name_plural = _("alert status changes")
        indexes = [models.Index(fields=["alert", "time"], name="alert_events_by_time")]


class DetectorRun(models.Model):
    """One run of one detector: over what, when, how long, and what it found (the queue's "last run", the bench)."""

    detector = models.ForeignKey(Detector, models.PROTECT, to_field="code", related_name="runs")
    region_code = models.CharField(_("region"), max_length=6, blank=True)
    date_from = models.DateField(_("from"), null=True, blank=True)
    date_to = models.DateField(_("to"), null=True, blank=True)
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    seconds = models.FloatField(_("seconds"), default=0)
    found = models.PositiveIntegerField(_("alerts found"), default=0)
    created = models.PositiveIntegerField(_("new alerts"), default=0)
    actor_label = models.CharField(_("by"), max_length=150, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("detector run")
        verbose_name_plural = _("detector runs")

    def __str__(self) -> str:
        return f"{self.detector_id} {timezone.localtime(self.started_at):%Y-%m-%d %H:%M}"


from peikao.oversight.grading.models import *  # noqa: E402, F403 — issue 17 (grades, exits, commitments)
from peikao.oversight.injuries.models import InjuryCase, InjuryCaseEvent, LinkageWeight  # noqa: E402,F401 — issue 18
