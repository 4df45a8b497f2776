"""Guards shared by training's services."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from peikao.core.errors import Conflict, PermissionDenied
from peikao.core.models import User
from peikao.registry.models import Organization
from peikao.training.choices import ClassStatus
from peikao.training.models import TrainingClass
from peikao.training.rules import SEALED


def require_own(actor: User, organization: Organization) -> None:
    """Organisation members act only for their organisation (regulators are limited by scoping)."""
    if actor.is_org_member and actor.organization_id != organization.pk:
        raise PermissionDenied("outside_jurisdiction", _("You may act only for your own organisation."))


def check_open(training_class: TrainingClass) -> None:
    """Refuse a change to a closed (sealed) or cancelled class."""
    if training_class.status == ClassStatus.CLOSED:
        raise Conflict("archive_sealed", SEALED)
    if training_class.status == ClassStatus.CANCELLED:
        raise Conflict("class_cancelled", _("The class was cancelled."))
