"""Helpers shared by the exams' services."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from peikao.core.errors import Conflict, PermissionDenied
from peikao.core.models import User
from peikao.exams.models import Blueprint, Sitting
from peikao.registry.models import Organization


def require_own(actor: User, organization: Organization) -> None:
    """An organisation's member acts only for that organisation or its parent (an exam point's institution)."""
    if actor.is_org_member and actor.organization_id not in {organization.pk, organization.parent_id}:
        raise PermissionDenied("outside_jurisdiction", _("You may act only for your own organisation."))


def sitting_blueprint(sitting: Sitting) -> Blueprint:
    """The blueprint of a theory sitting: it sets the paper, the time allowed and the pass mark. A sitting planned
    when its subject had no blueprint has none: a paper drawn or scored for it is refused, with the reason."""
    if sitting.blueprint is None:
        raise Conflict(
            "no_blueprint",
            _("Sitting %(sitting)s has no blueprint: it sets the paper, the time allowed and the pass mark."),
            {"sitting": sitting.sitting_code},
        )
    return sitting.blueprint
