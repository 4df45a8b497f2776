"""Helpers shared by the exams' services."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from peikao.core.errors import PermissionDenied
from peikao.core.models import User
from peikao.registry.models import Organization


def require_own(actor: User, organization: Organization) -> None:
    """An organisation's member acts only for that organisation or its parent (an exam point's institution)."""
    if actor.is_org_member and actor.organization_id not in {organization.pk, organization.parent_id}:
        raise PermissionDenied("outside_jurisdiction", _("You may act only for your own organisation."))
