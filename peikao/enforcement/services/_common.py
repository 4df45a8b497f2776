"""Helpers shared by the enforcement services: jurisdiction, generated codes, an inspection open for work."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from peikao.core.errors import Conflict, PermissionDenied
from peikao.core.models import User
from peikao.enforcement.choices import InspectionStatus
from peikao.enforcement.models import Inspection
from peikao.registry.models import Organization


def _require_jurisdiction(actor: User, organization: Organization) -> None:
    if actor.sees_everything:
        return
    region = actor.region  # a regulator's is never None (check constraint user_regulator_has_region)
    if not (actor.is_regulator and region is not None and region.contains(organization.region_id)):
        raise PermissionDenied("outside_jurisdiction", _("The subject is outside your jurisdiction."))


def _next_code(prefix: str, model: type[models.Model], field: str = "code") -> str:
    """The next free ``<prefix>NNN`` code of a model (numbered from the count already under the prefix)."""
    taken = model._default_manager.filter(**{f"{field}__startswith": prefix}).count()
    number = taken + 1
    while model._default_manager.filter(**{field: f"{prefix}{number:03d}"}).exists():
        number += 1
    return f"{prefix}{number:03d}"


def _require_open(inspection: Inspection) -> None:
    if inspection.status != InspectionStatus.IN_PROGRESS:
        raise Conflict("inspection_not_in_progress", _("Start the inspection first; a completed one is not changed."))
