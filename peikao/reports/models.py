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
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
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
