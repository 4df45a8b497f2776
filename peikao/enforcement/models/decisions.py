"""Lawful decisions on findings, and the rectification loop that nothing leaves without verification."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peikao.core.citations import cite_reference
from peikao.core.events import TransitionEvent, new_status_field, old_status_field
from peikao.core.scoping import ScopedQuerySet, ScopeSpec
from peikao.enforcement.choices import (
    RECTIFICATION_STEP_LABELS,
    Measure,
    RectificationStatus,
)
from peikao.enforcement.models.findings import Finding
from peikao.enforcement.models.inspections import Inspection
from peikao.registry.models import Person


class Decision(models.Model):
    """A measure taken on findings: order to rectify, warning, fine (within the legal range), suspension, …"""

    code = models.CharField(_("decision code"), max_length=48, unique=True)
    inspection = models.ForeignKey(Inspection, models.PROTECT, related_name="decisions")
    findings = models.ManyToManyField(Finding, related_name="decisions", verbose_name=_("findings"))
    measure = models.CharField(_("measure"), max_length=24, choices=Measure.choices)
    fine_yuan = models.DecimalField(_("fine (yuan)"), max_digits=12, decimal_places=2, null=True, blank=True)
    overdue_range = models.BooleanField(_("fined in the range for uncorrected violations"), default=False)
    fine_low = models.DecimalField(_("lawful fine from (yuan)"), max_digits=12, decimal_places=2, null=True, blank=True)
    fine_high = models.DecimalField(
        _("lawful fine up to (yuan)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    responsible_person = models.ForeignKey(
        Person,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("person directly responsible"),
        help_text=_("Fined beside the unit, where a violation was not corrected in time."),
    )
    responsible_fine_yuan = models.DecimalField(
        _("fine of the person directly responsible (yuan)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    responsible_fine_low = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    responsible_fine_high = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    basis = models.TextField(_("legal basis"), blank=True)
    decided_on = models.DateField(_("decided on"))
    due_on = models.DateField(_("rectify by"), null=True, blank=True)
    certificate = models.ForeignKey(
        "certificates.Certificate",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("certificate"),
    )
    publicized = models.BooleanField(_("published"), default=False)
    note = models.TextField(_("note"), blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Scope(ScopeSpec):
        region = ("inspection__organization__region",)
        organization = ("inspection__organization",)

    class Meta:
        ordering = ["-decided_on", "-id"]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        constraints = [
            models.CheckConstraint(
                condition=(Q(measure=Measure.FINE) & Q(fine_yuan__gt=0))
                | (~Q(measure=Measure.FINE) & Q(fine_yuan__isnull=True)),
                name="decision_fine_amount",
                violation_error_message=_("A fine has an amount; other measures have none."),
            ),
            models.CheckConstraint(
                condition=~Q(measure=Measure.RECTIFY_ORDER) | Q(due_on__isnull=False),
                name="decision_rectify_has_deadline",
                violation_error_message=_("An order to rectify has a deadline."),
            ),
            models.CheckConstraint(
                condition=(Q(responsible_person__isnull=True) & Q(responsible_fine_yuan__isnull=True))
                | (Q(measure=Measure.FINE) & Q(responsible_person__isnull=False) & Q(responsible_fine_yuan__gt=0)),
                name="decision_responsible_person_fine",
                violation_error_message=_("A responsible person is fined beside the unit's fine, with an amount."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.get_measure_display()}"

    @classmethod
    def audit_repr(cls, values: dict) -> str:  # str() of a row written in bulk
        return f"{values['code']} {Measure(values['measure']).label}"

    @property
    def fine_range_text(self) -> str:
        """The lawful range the fine was set in, as shown beside it: 100,000–200,000."""
        return "—" if self.fine_high is None else f"{self.fine_low or 0:,.0f}–{self.fine_high:,.0f}"

    @property
    def responsible_fine_range_text(self) -> str:
        low, high = self.responsible_fine_low, self.responsible_fine_high
        return "—" if high is None else f"{low or 0:,.0f}–{high:,.0f}"

    @property
    def basis_cited(self) -> str:
        """The legal basis as cited (《中华人民共和国安全生产法》第九十七条第四项): a decision written by the service
        stores it so; one imported or written before may hold the data's keys (``work_safety_law_2021 art. 97 (4)``)."""
        return cite_reference(self.basis) or self.basis


class Rectification(models.Model):
    """The follow-up of an order to rectify: evidence from the subject, verification by an inspector."""

    decision = models.OneToOneField(Decision, models.PROTECT, related_name="rectification")
    due_on = models.DateField(_("rectify by"))
    status = models.CharField(
        _("status"), max_length=16, choices=RectificationStatus.choices, default=RectificationStatus.OPEN
    )
    submitted_at = models.DateTimeField(_("evidence submitted"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Scope(ScopeSpec):
        region = ("decision__inspection__organization__region",)
        organization = ("decision__inspection__organization",)

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("rectification")
        verbose_name_plural = _("rectifications")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=RectificationStatus.CLOSED) | Q(closed_on__isnull=False),
                name="rectification_closed_has_date",
            )
        ]

    def __str__(self) -> str:
        return f"{self.decision_id} {self.status}"

    @classmethod
    def audit_repr(cls, values: dict) -> str:  # str() of a row written in bulk
        return f"{values['decision_id']} {values['status']}"

    def is_overdue(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.status != RectificationStatus.CLOSED and self.due_on < today


class RectificationEvent(TransitionEvent):
    """A step of a rectification: submitted, returned, escalated, closed."""

    OWNER_FIELD = "rectification"

    rectification = models.ForeignKey(
        Rectification, models.PROTECT, related_name="events", verbose_name=_("rectification"), db_index=False
    )
    old_status = old_status_field(RectificationStatus.choices)
    new_status = new_status_field(RectificationStatus.choices)

    class Meta(TransitionEvent.Meta):
        verbose_name = _("rectification status change")
        verbose_name_plural = _("rectification status changes")
        indexes = [models.Index(fields=["rectification", "time"], name="rectification_events_by_time")]

    @property
    def label(self) -> str:
        """The step by its name (the transition's key is for machines)."""
        return str(RECTIFICATION_STEP_LABELS.get(self.transition, self.get_new_status_display()))
