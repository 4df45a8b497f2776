"""Rules of the registry shared by the services (one record) and the imports (many records)."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from peikao.registry.choices import ORGANIZATION_TRANSITIONS, AssignmentRole, OrganizationKind

ITEM_KINDS = {OrganizationKind.TRAINING_INSTITUTION, OrganizationKind.EXAM_POINT}
TEACHING_ROLES = {AssignmentRole.TEACHER, AssignmentRole.PRACTICAL_INSTRUCTOR}
EXAM_ROLES = {AssignmentRole.PROCTOR, AssignmentRole.EXAMINER, AssignmentRole.EXAM_ADMIN}
EXAM_BODIES = {OrganizationKind.EXAM_INSTITUTION, OrganizationKind.EXAM_POINT}
TEACHING_BODIES = {OrganizationKind.TRAINING_INSTITUTION, OrganizationKind.ENTERPRISE}


def organization_problems(
    *,
    org_code: str,
    kind: str,
    uscc: str,
    has_industry: bool,
    has_items: bool,
    practical_device: str,
    parent_kind: str | None,
) -> dict[str, str | Promise]:
    """Field → reason for every rule an organisation's fields break (empty when none)."""
    problems: dict[str, str | Promise] = {}
    if not uscc and kind != OrganizationKind.EXAM_POINT:
        problems["uscc"] = _("Required for every kind of organisation except an exam point.")
    if uscc and org_code and org_code != uscc:
        problems["org_code"] = _("An organisation with a unified social credit code uses it as its code.")
    if kind == OrganizationKind.ENTERPRISE and not has_industry:
        problems["industry"] = _("An enterprise needs its industry.")
    if kind != OrganizationKind.ENTERPRISE and has_industry:
        problems["industry"] = _("Only an enterprise has an industry.")
    if has_items and kind not in ITEM_KINDS:
        problems["operation_items"] = _("Only training institutions and exam points are approved for operation items.")
    if practical_device and kind != OrganizationKind.EXAM_POINT:
        problems["practical_device"] = _("Only an exam point declares its practical exam equipment.")
    if parent_kind is not None:
        if kind != OrganizationKind.EXAM_POINT:
            problems["parent_org_code"] = _("Only an exam point has a parent organisation (its exam institution).")
        elif parent_kind != OrganizationKind.EXAM_INSTITUTION:
            problems["parent_org_code"] = _("The parent of an exam point must be an exam institution.")
    return problems


STATUS_CHANGE_REFUSED = _("The status cannot go from %(old)s to %(new)s.")


def status_change_refused(old: str, new: str) -> dict | None:
    """``None`` when the change is allowed, else the parameters of ``STATUS_CHANGE_REFUSED``."""
    if old == new or (old, new) in ORGANIZATION_TRANSITIONS:
        return None
    return {"old": old, "new": new}


def assignment_problems(*, role: str, org_kind: str, has_item: bool, dispatcher_kind: str | None) -> dict:
    problems: dict[str, str | Promise] = {}
    if role == AssignmentRole.SPECIAL_OPERATOR and not has_item:
        problems["operation_item"] = _("A special-operations worker needs an operation item.")
    if role in EXAM_ROLES and org_kind not in EXAM_BODIES:
        problems["role"] = _("Proctors, examiners and exam administrators work at exam institutions or exam points.")
    if role in TEACHING_ROLES and org_kind not in TEACHING_BODIES:
        problems["role"] = _("Teachers and practical instructors work at training institutions or enterprises.")
    if dispatcher_kind is not None and dispatcher_kind != OrganizationKind.LABOR_DISPATCH:
        problems["dispatched_by"] = _("Workers are dispatched by a labour-dispatch company.")
    return problems
