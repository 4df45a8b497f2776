"""What each role may do. Visibility is scoping's job (peikao.core.scoping); this decides actions.

An action is checked after the object was fetched through a scoped selector, so "may change an
organisation" for an organisation administrator means "may change the organisation it can see".
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from peikao.core.choices import Role
from peikao.core.errors import PermissionDenied


class Perm:
    """Action names, grouped by app."""

    VIEW_FULL_ID_NUMBER = "core.view_full_id_number"
    MANAGE_USERS = "core.manage_users"  # accounts of the jurisdiction
    MANAGE_ORG_USERS = "core.manage_org_users"  # accounts of one's own organisation
    IMPORT = "core.import"
    EXPORT = "core.export"
    ORGANIZATION_CREATE = "registry.organization_create"
    ORGANIZATION_CHANGE = "registry.organization_change"
    ORGANIZATION_CHANGE_REGULATED = "registry.organization_change_regulated"  # status, approvals, region
    PERSON_CHANGE = "registry.person_change"
    ASSIGNMENT_CHANGE = "registry.assignment_change"
    PERSON_MATCH = "registry.person_match"  # confirm or reject an organisation's link to a person (ADR 0009)
    CLASS_MANAGE = "training.class_manage"  # create, edit, file, cancel, close classes; lessons; trainees
    CLASS_REVIEW = "training.class_review"  # accept or return a filed class
    ATTENDANCE_RECORD = "training.attendance_record"  # manual attendance entry
    DEVICE_MANAGE = "training.device_manage"  # register attendance devices
    ARCHIVE_AMEND = "training.archive_amend"
    ARCHIVE_VERIFY = "training.archive_verify"
    BANK_MANAGE = "exams.bank_manage"  # question banks and blueprints
    SITTING_MANAGE = "exams.sitting_manage"  # sittings, staff, registrations, practical scores
    PATROL = "exams.patrol"  # remote patrol, findings, sanctions
    CERTIFICATE_ISSUE = "certificates.issue"  # issue from results
    CERTIFICATE_MANAGE = "certificates.manage"  # reviews, renewals, suspension, revocation, cancellation
    LEAD_REVIEW = "certificates.lead_review"  # fake-certificate leads: review, hand over, close
    PLAN_MANAGE = "enforcement.plan_manage"  # annual plans and random draws
    INSPECT = "enforcement.inspect"  # inspections, checklists, findings, evidence, spot exams, verification
    DECIDE = "enforcement.decide"  # orders to rectify, warnings, fines
    CATALOGUE_MANAGE = "enforcement.catalogue_manage"  # extend the violation catalogue
    COMPLIANCE_SCAN = "compliance.scan"  # compute and store a region's compliance gaps (analysts only read)
    RECTIFY_SUBMIT = "enforcement.rectify_submit"  # the inspected organisation submits rectification evidence


_REGULATOR_ADMIN = {
    Perm.VIEW_FULL_ID_NUMBER,
    Perm.MANAGE_USERS,
    Perm.IMPORT,
    Perm.EXPORT,
    Perm.ORGANIZATION_CREATE,
    Perm.ORGANIZATION_CHANGE,
    Perm.ORGANIZATION_CHANGE_REGULATED,
    Perm.PERSON_CHANGE,
    Perm.ASSIGNMENT_CHANGE,
    Perm.PERSON_MATCH,
    Perm.CLASS_MANAGE,
    Perm.CLASS_REVIEW,
    Perm.ARCHIVE_AMEND,
    Perm.ARCHIVE_VERIFY,
    Perm.BANK_MANAGE,
    Perm.SITTING_MANAGE,
    Perm.PATROL,
    Perm.CERTIFICATE_ISSUE,
    Perm.CERTIFICATE_MANAGE,
    Perm.LEAD_REVIEW,
    Perm.PLAN_MANAGE,
    Perm.INSPECT,
    Perm.DECIDE,
    Perm.CATALOGUE_MANAGE,
    Perm.COMPLIANCE_SCAN,
}

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.SYSTEM_ADMIN: frozenset(_REGULATOR_ADMIN),
    Role.REGULATOR_ADMIN: frozenset(_REGULATOR_ADMIN),
    Role.INSPECTOR: frozenset(
        {
            Perm.VIEW_FULL_ID_NUMBER,
            Perm.EXPORT,
            Perm.PERSON_MATCH,
            Perm.CLASS_REVIEW,
            Perm.ARCHIVE_VERIFY,
            Perm.PATROL,
            Perm.LEAD_REVIEW,
            Perm.PLAN_MANAGE,  # plans and draws of their own jurisdiction
            Perm.INSPECT,
            Perm.DECIDE,
            Perm.COMPLIANCE_SCAN,
        }
    ),
    Role.ANALYST: frozenset({Perm.EXPORT, Perm.ARCHIVE_VERIFY}),
    Role.ORG_ADMIN: frozenset(
        {
            Perm.MANAGE_ORG_USERS,
            Perm.VIEW_FULL_ID_NUMBER,
            Perm.IMPORT,
            Perm.EXPORT,
            Perm.ORGANIZATION_CHANGE,
            Perm.PERSON_CHANGE,
            Perm.ASSIGNMENT_CHANGE,
            Perm.CLASS_MANAGE,
            Perm.ATTENDANCE_RECORD,
            Perm.DEVICE_MANAGE,
            Perm.ARCHIVE_AMEND,
            Perm.SITTING_MANAGE,
            Perm.RECTIFY_SUBMIT,
        }
    ),
    Role.ORG_CLERK: frozenset(
        {
            Perm.IMPORT,
            Perm.PERSON_CHANGE,
            Perm.ASSIGNMENT_CHANGE,
            Perm.CLASS_MANAGE,
            Perm.ATTENDANCE_RECORD,
            Perm.SITTING_MANAGE,
            Perm.RECTIFY_SUBMIT,
        }
    ),
    Role.CANDIDATE: frozenset({Perm.VIEW_FULL_ID_NUMBER}),
}


def has_perm(user, perm: str) -> bool:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return perm in ROLE_PERMISSIONS.get(user.role, frozenset())


def require_perm(user, perm: str) -> None:
    if not has_perm(user, perm):
        raise PermissionDenied("permission_denied", _("Your role may not do this (%(perm)s)."), {"perm": perm})
