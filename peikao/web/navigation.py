"""The menu each role sees. Entries name URL patterns; a role sees only what it may use."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from peikao.core.permissions import Perm, has_perm
from peikao.core.selectors import can_view_changelog
from peikao.exams.selectors import may_see_banks
from peikao.registry.choices import OrganizationKind


def for_kinds(*kinds: str) -> Callable:
    """Shown to regulators and to members of these kinds of organisation (the pages hold nothing for the others:
    an exam point runs no class, a training school holds no sitting)."""

    def condition(user) -> bool:
        organization = user.organization if user.is_org_member else None
        return organization is None or organization.kind in kinds

    return condition


TRAINS = for_kinds(OrganizationKind.TRAINING_INSTITUTION, OrganizationKind.ENTERPRISE)
EXAMINES = for_kinds(OrganizationKind.EXAM_POINT, OrganizationKind.EXAM_INSTITUTION)
GRADED = for_kinds(OrganizationKind.TRAINING_INSTITUTION, OrganizationKind.EXAM_POINT, OrganizationKind.ENTERPRISE)


@dataclass(frozen=True)
class MenuItem:
    label: str
    url_name: str
    perm: str | None = None
    regulator_only: bool = False
    hide_for_candidate: bool = True
    condition: Callable | None = None


MENU: list[MenuItem] = [
    MenuItem(_("Home"), "web:home", hide_for_candidate=False),
    MenuItem(_("Organisations"), "registry:organization_list"),
    MenuItem(_("Persons"), "registry:person_list"),
    MenuItem(_("Person links"), "registry:person_link_list", hide_for_candidate=False),
    MenuItem(_("Training"), "training:class_list", condition=TRAINS),
    MenuItem(_("Exams"), "exams:sitting_list", condition=EXAMINES),
    MenuItem(_("Certificates"), "certificates:list"),
    MenuItem(_("Enforcement"), "enforcement:home"),
    MenuItem(_("Risk grades"), "grading:grade_list", condition=GRADED),
    MenuItem(_("Alerts"), "oversight:alert_list", regulator_only=True),
    MenuItem(_("Injury analysis"), "oversight_injuries:analysis", regulator_only=True),
    MenuItem(_("Dashboard"), "reports:dashboard", regulator_only=True),
    MenuItem(_("Campaign notice"), "reports:notice", regulator_only=True),
    MenuItem(_("Question banks"), "exams:bank_list", condition=may_see_banks),
    MenuItem(_("Archives"), "training:archives", perm=Perm.ARCHIVE_VERIFY),
    MenuItem(_("Devices"), "training:devices", perm=Perm.DEVICE_MANAGE, condition=TRAINS),
    MenuItem(_("Import"), "core:import_start", perm=Perm.IMPORT),
    MenuItem(
        _("Accounts"),
        "accounts:user_list",
        condition=lambda user: has_perm(user, Perm.MANAGE_USERS) or has_perm(user, Perm.MANAGE_ORG_USERS),
    ),
    MenuItem(_("Change log"), "core:changelog_list", condition=can_view_changelog),
]


def menu_for(user, request=None) -> list[dict]:
    if user is None or not user.is_authenticated:
        return []
    items = []
    for item in MENU:
        if item.perm and not has_perm(user, item.perm):
            continue
        if item.regulator_only and not (user.is_regulator or user.is_system_admin):
            continue
        if user.is_candidate and item.hide_for_candidate:
            continue
        if item.condition is not None and not item.condition(user):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        active = request is not None and request.path.startswith(url) and (url != "/" or request.path == "/")
        items.append({"label": item.label, "url": url, "active": active})
    return items
