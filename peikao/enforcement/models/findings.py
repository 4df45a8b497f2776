"""What an inspection finds: findings, the evidence kept for them, and spot exams (逢查必考)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peikao.core.scoping import ScopedQuerySet, ScopeSpec
from peikao.enforcement.choices import (
    FindingSource,
    SpotExamStatus,
)
from peikao.enforcement.models.catalogue import ViolationItem
from peikao.enforcement.models.inspections import Inspection
from peikao.registry.models import OperationItem, Person


class Finding(models.Model):
    """A problem found: linked to a catalogue item, or "other" with a description."""

    code = models.CharField(_("finding code"), max_length=48, unique=True)
    inspection = models.ForeignKey(Inspection, models.PROTECT, related_name="findings")
    violation = models.ForeignKey(
        ViolationItem, models.PROTECT, null=True, blank=True, related_name="findings", verbose_name=_("violation")
    )
    description = models.TextField(_("description"))
    surface = models.BooleanField(_("surface item"), default=False)
    person = models.ForeignKey(
        Person, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("person concerned")
    )
    source = models.CharField(_("source"), max_length=16, choices=FindingSource.choices, default=FindingSource.MANUAL)
    evidence_sha256 = models.JSONField(
        _("digests of evidence kept elsewhere"), default=list, blank=True, help_text=_("From imported records.")
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Scope(ScopeSpec):
        region = ("inspection__organization__region",)
        organization = ("inspection__organization",)

    class Meta:
        ordering = ["inspection", "id"]
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        constraints = [
            models.CheckConstraint(
                condition=Q(violation__isnull=False) | ~Q(description=""),
                name="finding_item_or_other_text",
                violation_error_message=_("A finding names a catalogue item, or describes an 'other' problem."),
            )
        ]

    str_related = ("violation",)  # what __str__ reads (core.changelog_display)

    def __str__(self) -> str:
        return f"{self.code} {self.violation.code if self.violation_id else 'other'}"

    @classmethod
    def audit_repr(cls, values: dict) -> str:  # str() of a row written in bulk: it carries its item as ``violation``
        violation = values.get("violation")
        return f"{values['code']} {violation.code if violation is not None else 'other'}"


def evidence_path(instance: Evidence, filename: str) -> str:
    """Content-addressed: a file is stored under its SHA-256 and never overwritten by another."""
    suffix = "".join(c for c in (filename.rsplit(".", 1)[-1] if "." in filename else "bin") if c.isalnum())[:8]
    return f"evidence/{instance.sha256[:2]}/{instance.sha256}.{suffix.lower() or 'bin'}"


class Evidence(models.Model):
    """A photo, video or document kept as evidence, with its SHA-256, and where and when it was captured."""

    inspection = models.ForeignKey(Inspection, models.PROTECT, related_name="evidence")
    finding = models.ForeignKey(Finding, models.PROTECT, null=True, blank=True, related_name="evidence")
    rectification = models.ForeignKey("Rectification", models.PROTECT, null=True, blank=True, related_name="evidence")
    file = models.FileField(_("file"), upload_to=evidence_path, max_length=200)
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    captured_at = models.DateTimeField(_("captured"), null=True, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    accuracy_m = models.PositiveIntegerField(_("accuracy (m)"), null=True, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["inspection", "uploaded_at", "id"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        constraints = [
            models.CheckConstraint(condition=Q(sha256__regex=r"^[0-9a-f]{64}$"), name="evidence_sha256_shape"),
            models.CheckConstraint(
                condition=(Q(latitude__isnull=True) & Q(longitude__isnull=True))
                | (Q(latitude__gte=-90, latitude__lte=90) & Q(longitude__gte=-180, longitude__lte=180)),
                name="evidence_coordinates",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.original_name} {self.sha256[:12]}"


class SpotExam(models.Model):
    """逢查必考: a short paper for one worker drawn at an inspection, answered through a one-time link."""

    inspection = models.ForeignKey(Inspection, models.PROTECT, related_name="spot_exams")
    person = models.ForeignKey(Person, models.PROTECT, related_name="+", verbose_name=_("worker"))
    role = models.CharField(_("post"), max_length=32)
    operation_item = models.ForeignKey(OperationItem, models.PROTECT, null=True, blank=True, related_name="+")
    trainee_category = models.CharField(max_length=32, blank=True)
    items = models.JSONField(
        default=list, blank=True, help_text=_('[{"q": question id, "o": option order, "p": points}, …]')
    )
    pass_score = models.PositiveSmallIntegerField(_("pass mark"), default=80)
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    status = models.CharField(_("status"), max_length=16, choices=SpotExamStatus.choices, default=SpotExamStatus.DRAWN)
    answers = models.JSONField(default=dict, blank=True)
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=1, null=True, blank=True)
    passed = models.BooleanField(default=False)
    submitted_at = models.DateTimeField(null=True, blank=True)
    finding = models.OneToOneField(Finding, models.PROTECT, null=True, blank=True, related_name="spot_exam")
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Scope(ScopeSpec):
        region = ("inspection__organization__region",)
        person = ("person",)

    class Meta:
        ordering = ["inspection", "id"]
        constraints = [
            models.UniqueConstraint(fields=["inspection", "person"], name="spot_exam_once_per_worker"),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=0, score__lte=100), name="spot_exam_score_0_100"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.inspection_id} {self.person_id}"
