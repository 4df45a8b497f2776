"""What the reports app keeps of its own: the identity of the patroller of a patrol imported from patrols.csv
(historical records of the time before the platform: the patroller is a person named by ID number, not an
account; the importing regulator is the patrol's ``watcher``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peikao.core.scoping import ScopedQuerySet, ScopeSpec
from peikao.exams.models import Patrol


class ImportedPatrol(models.Model):
    """A patrol written by the patrols.csv import: who patrolled (ID number) and when, for idempotent re-imports."""

    AUDIT_MASKED_FIELDS = ("patroller_id_number",)

    patrol = models.OneToOneField(Patrol, models.PROTECT, related_name="+", verbose_name=_("patrol"))
    patroller_id_number = models.CharField(_("ID number of the patroller"), max_length=18)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Scope(ScopeSpec):
        region = ("patrol__sitting__exam_point__region",)
        organization = ("patrol__sitting__exam_point",)

    class Meta:
        verbose_name = _("imported patrol")
        verbose_name_plural = _("imported patrols")
        constraints = [
            models.CheckConstraint(
                condition=Q(patroller_id_number__regex=r"^[0-9]{17}[0-9X]$"), name="imported_patrol_id_number_shape"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.patrol_id}"


class ReturnKey(models.Model):
    """A province's public signing key, known to the ministry's platform: returns signed with it are that
    province's (the key is taken from the province's published JWKS)."""

    region = models.ForeignKey("core.Region", models.PROTECT, related_name="+", verbose_name=_("province"))
    kid = models.CharField(_("key id"), max_length=64, unique=True)
    jwk = models.JSONField(_("public key (JWK)"))
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Scope(ScopeSpec):
        region = ("region",)

    class Meta:
        verbose_name = _("return key")
        verbose_name_plural = _("return keys")

    def __str__(self) -> str:
        return f"{self.region_id} {self.kid}"


class ProvincialReturn(models.Model):
    """A province's figures for a period, as signed by its platform and received by the ministry's. A later
    return of the same province and period replaces the earlier one (kept, marked replaced)."""

    region = models.ForeignKey("core.Region", models.PROTECT, related_name="+", verbose_name=_("province"))
    period_from = models.DateField(_("from"))
    period_to = models.DateField(_("to"))
    figures = models.JSONField(_("figures"))
    kid = models.CharField(_("key id"), max_length=64)
    signed_at = models.DateTimeField(_("signed"))
    token_sha256 = models.CharField(_("SHA-256 of the return"), max_length=64)
    current = models.BooleanField(_("current"), default=True)
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    received_at = models.DateTimeField(_("received"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Scope(ScopeSpec):
        region = ("region",)

    class Meta:
        ordering = ["region", "-period_to", "-received_at"]
        verbose_name = _("provincial return")
        verbose_name_plural = _("provincial returns")
        constraints = [
            models.UniqueConstraint(
                fields=["region", "period_from", "period_to"],
                condition=Q(current=True),
                name="one_current_return_per_period",
            ),
            models.CheckConstraint(condition=Q(period_to__gte=models.F("period_from")), name="return_period_order"),
        ]

    def __str__(self) -> str:
        return f"{self.region_id} {self.period_from}–{self.period_to}"
