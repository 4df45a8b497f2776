"""Who sees the question banks and who owns their answer keys; the banks, blueprints and the pool a blueprint
draws from. Question banks are shared reference data."""

from __future__ import annotations

from collections.abc import Mapping

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from peikao.core.choices import RegionLevel
from peikao.core.errors import PermissionDenied
from peikao.core.models import User
from peikao.core.permissions import Perm, has_perm
from peikao.exams import papers
from peikao.exams.models import (
    Blueprint,
    Question,
)
from peikao.registry.models import OperationItem

BANK_OWNER_LEVELS = frozenset({RegionLevel.NATION, RegionLevel.PROVINCE})


# -- who sees the question banks: the one rule of the bank page, the questions export and the results' answers --


def may_see_banks(user: User) -> bool:
    """Banks are for regulators and exam bodies; never for candidates or trainers (questions must not leak).
    They see the questions as the bank page shows them, never the answer key (``owns_banks``)."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_regulator or user.is_system_admin:
        return True
    return user.is_org_member and user.organization.kind in {"exam_institution", "exam_point"}


def owns_banks(user: User | None) -> bool:
    """The authority that owns the question banks — the provincial exam administration: an administrator of a
    province's (or the nation's) regulator, or the system administrator — and no one else sees their answer keys.
    The platform grades the papers: exam points, institutions, trainers, enterprises, analysts and the inspectors
    of cities and counties never need a key. ``None`` is the system itself (a command)."""
    if user is None:
        return True
    if not has_perm(user, Perm.BANK_MANAGE):
        return False
    return user.is_system_admin or (user.is_regulator and user.jurisdiction.level in BANK_OWNER_LEVELS)


def require_bank_owner(user: User | None) -> None:
    """Refuse (403, with the reason) anyone but the owner of the banks an answer key: exports, imports, edits."""
    if not owns_banks(user):
        raise PermissionDenied(
            "bank_owner_only",
            _(
                "Question banks and their answers are kept by the authority that owns them (the provincial exam "
                "administration); the platform grades the papers."
            ),
        )


def bank_summary(*, user: User) -> list[Mapping[str, object]]:
    if not may_see_banks(user):
        return []
    rows = (
        Question.objects.active()
        .values("operation_item__code", "operation_item__name", "trainee_category")
        .annotate(
            total=Count("id"),
            judge=Count("id", filter=Q(qtype="judge")),
            single=Count("id", filter=Q(qtype="single")),
            multi=Count("id", filter=Q(qtype="multi")),
        )
        .order_by("operation_item__position", "trainee_category")
    )
    return list(rows)


def question_list(*, user: User, item_code: str | None = None, category: str | None = None) -> QuerySet[Question]:
    if not may_see_banks(user):
        return Question.objects.none()
    queryset = Question.objects.active().annotate(exposure=Count("drawn"))
    if item_code:
        queryset = queryset.filter(operation_item__code=item_code)
    if category:
        queryset = queryset.filter(trainee_category=category)
    return queryset.order_by("-exposure", "question_code")


def blueprint_list(*, user: User) -> QuerySet[Blueprint]:
    if not may_see_banks(user):
        return Blueprint.objects.none()
    return Blueprint.objects.select_related("operation_item")


def pool_for(*, blueprint: Blueprint) -> list[papers.PoolQuestion]:
    """The active questions a blueprint draws from, as the drawer needs them."""
    queryset = Question.objects.active()
    queryset = (
        queryset.filter(operation_item=blueprint.operation_item)
        if blueprint.operation_item_id
        else queryset.filter(trainee_category=blueprint.trainee_category)
    )
    return [
        papers.PoolQuestion(pk, qtype, kp, difficulty, len(options))
        for pk, qtype, kp, difficulty, options in queryset.values_list(
            "pk", "qtype", "knowledge_point", "difficulty", "options"
        )
    ]


def default_blueprint(*, operation_item: OperationItem | None, trainee_category: str) -> Blueprint | None:
    """The latest active blueprint of the item (or trainee category): a theory sitting's default."""
    queryset = Blueprint.objects.filter(active=True)
    if operation_item is not None:
        return queryset.filter(operation_item=operation_item).order_by("-updated_at").first()
    return queryset.filter(trainee_category=trainee_category).order_by("-updated_at").first()
