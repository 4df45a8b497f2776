"""Compliance scans: the gaps of a region's enterprises on a day, stored so that region pages and risk
weights read them without recomputing (an enterprise's own page always computes live)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peikao.compliance.rules import GapType
from peikao.core.models import Region
from peikao.core.scoping import ScopedQuerySet, ScopeSpec
from peikao.registry.choices import AssessingDepartment
from peikao.registry.models import OperationItem, Organization, Person


class ComplianceScan(models.Model):
    """One computation of the gaps of a region (or of everything) as of a day."""

    as_of = models.DateField(_("as of"))
    region = models.ForeignKey(
        Region, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("region")
    )
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    gap_count = models.PositiveIntegerField(_("gaps"), default=0)
    enterprise_count = models.PositiveIntegerField(_("enterprises with gaps"), default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    actor_label = models.CharField(max_length=150, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Scope(ScopeSpec):
        region = ("region",)

    class Meta:
        ordering = ["-finished_at", "-id"]
        verbose_name = _("compliance scan")
        verbose_name_plural = _("compliance scans")

    def __str__(self) -> str:
        return f"{self.region_id or '全国'} {self.as_of}"


class ComplianceGapQuerySet(ScopedQuerySet):
    pass


class ComplianceGap(models.Model):
    """A gap found by a scan. Written by INSERT … SELECT (peikao.compliance.gaps); never edited."""

    scan = models.ForeignKey(ComplianceScan, models.CASCADE, related_name="gaps")
    organization = models.ForeignKey(Organization, models.PROTECT, related_name="+", db_constraint=False)
    person = models.ForeignKey(Person, models.PROTECT, related_name="+", db_constraint=False)
    gap = models.CharField(_("gap"), max_length=40, choices=GapType.choices)
    operation_item = models.ForeignKey(
        OperationItem, models.PROTECT, null=True, blank=True, related_name="+", db_constraint=False
    )
    dispatched_by = models.ForeignKey(
        Organization, models.PROTECT, null=True, blank=True, related_name="+", db_constraint=False
    )
    ref_date = models.DateField(null=True, blank=True)
    have_tenths = models.IntegerField(null=True, blank=True)
    need_tenths = models.IntegerField(null=True, blank=True)
    basis = models.CharField(_("basis"), max_length=120, blank=True, default="")
    assessed_by = models.CharField(
        _("assessed by"), max_length=32, choices=AssessingDepartment.choices, blank=True, default=""
    )
    advisory = models.BooleanField(
        _("advisory"),
        default=False,
        help_text=_("Rests on a policy figure, or on another department's assessment: no violation, never a fine."),
    )
    unconfirmed = models.BooleanField(_("to be confirmed"), default=False)

    objects = ComplianceGapQuerySet.as_manager()

    class Scope(ScopeSpec):
        region = ("organization__region",)
        organization = ("organization", "dispatched_by")

    class Meta:
        ordering = ["scan", "organization", "person", "gap"]
        indexes = [
            models.Index(fields=["scan", "organization"], name="gap_scan_org"),
            models.Index(fields=["scan", "gap"], name="gap_scan_type"),
        ]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.person_id} {self.gap}"

    @classmethod
    def latest_counts(cls, organization_ids: list[int]) -> dict[int, int]:
        """Gaps per organisation in the latest finished scan that found any for it — those that can be a finding of
        this regulator: advisory gaps (a policy figure, another department's assessment) never weigh as one."""
        if not organization_ids:
            return {}
        rows = (
            cls.objects.filter(organization_id__in=organization_ids, scan__finished_at__isnull=False)
            .values("organization_id", "scan_id")
            .annotate(n=Count("id", filter=Q(advisory=False)))
            .order_by("organization_id", "scan_id")
        )
        counts: dict[int, int] = {}
        for row in rows:  # ordered by scan: the latest one stays
            counts[row["organization_id"]] = row["n"]
        return counts
