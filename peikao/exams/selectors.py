"""The exams' read path, scoped to the user's jurisdiction. Question banks are shared reference data."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from peikao.core.permissions import Perm, has_perm
from peikao.exams import papers
from peikao.exams.choices import FindingStatus
from peikao.exams.models import (
    Blueprint,
    Paper,
    PaperQuestion,
    Patrol,
    PatrolFinding,
    Question,
    Registration,
    Result,
    Sitting,
)
from peikao.registry.models import Person


def may_see_banks(user) -> bool:
    """Banks are for regulators and exam bodies; never for candidates or trainers (questions must not leak)."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_regulator or user.is_system_admin:
        return True
    return user.is_org_member and user.organization.kind in {"exam_institution", "exam_point"}


def bank_summary(*, user) -> list[dict]:
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


def question_list(*, user, item_code: str | None = None, category: str | None = None) -> QuerySet[Question]:
    if not may_see_banks(user):
        return Question.objects.none()
    queryset = Question.objects.active().annotate(exposure=Count("drawn"))
    if item_code:
        queryset = queryset.filter(operation_item__code=item_code)
    if category:
        queryset = queryset.filter(trainee_category=category)
    return queryset.order_by("-exposure", "question_code")


def blueprint_list(*, user) -> QuerySet[Blueprint]:
    if not may_see_banks(user):
        return Blueprint.objects.none()
    return Blueprint.objects.select_related("operation_item")


def sitting_list(*, user, filters: dict | None = None) -> QuerySet[Sitting]:
    filters = filters or {}
    queryset = Sitting.objects.visible_to(user).select_related("exam_point", "operation_item")
    if filters.get("part"):
        queryset = queryset.filter(part=filters["part"])
    if filters.get("status"):
        queryset = queryset.filter(status=filters["status"])
    if filters.get("q"):
        value = filters["q"].strip()
        queryset = queryset.filter(Q(sitting_code__icontains=value) | Q(exam_point__name__icontains=value))
    return queryset.annotate(registered=Count("registrations", distinct=True)).order_by("-starts_at")


def sitting_get(*, user, sitting_code: str) -> Sitting:
    queryset = Sitting.objects.visible_to(user).select_related("exam_point__region", "operation_item", "blueprint")
    return get_object_or_404(queryset, sitting_code=sitting_code)


def registrations(*, user, sitting: Sitting) -> QuerySet[Registration]:
    return (
        Registration.objects.visible_to(user)
        .filter(sitting=sitting)
        .select_related("person", "result", "training_class__organization", "sheet")
        .order_by("person__name")
    )


def registration_get(*, user, sitting: Sitting, person_id: int) -> Registration:
    return get_object_or_404(registrations(user=user, sitting=sitting), person_id=person_id)


def sitting_overlap(*, sitting: Sitting) -> float:
    """The largest share of questions any two papers of the sitting have in common."""
    items = list(Paper.objects.filter(registration__sitting=sitting).values_list("items", flat=True))
    return papers.max_pairwise_overlap(items)


def exposure(*, sitting: Sitting) -> dict[int, int]:
    return dict(
        PaperQuestion.objects.filter(paper__registration__sitting=sitting)
        .values_list("question")
        .annotate(n=Count("id"))
        .values_list("question", "n")
    )


def patrols(*, user, sitting: Sitting) -> QuerySet[Patrol]:
    return Patrol.objects.visible_to(user).filter(sitting=sitting).select_related("watcher")


def findings(*, user, sitting: Sitting | None = None) -> QuerySet[PatrolFinding]:
    queryset = PatrolFinding.objects.visible_to(user).select_related("sitting", "registration__person", "feed")
    return queryset.filter(sitting=sitting) if sitting is not None else queryset


def finding_get(*, user, pk: int) -> PatrolFinding:
    return get_object_or_404(findings(user=user), pk=pk)


def finding_queue(*, user) -> QuerySet[PatrolFinding]:
    if not has_perm(user, Perm.PATROL):
        return PatrolFinding.objects.none()
    return findings(user=user).filter(status=FindingStatus.TO_REVIEW)


def person_results(*, user, person: Person) -> QuerySet[Result]:
    return (
        Result.objects.visible_to(user)
        .filter(registration__person=person)
        .select_related("registration__sitting__exam_point", "registration__sitting__operation_item")
        .order_by("-registration__sitting__starts_at")
    )


def person_exam_section(*, user, person: Person) -> dict | None:
    results = list(person_results(user=user, person=person))
    upcoming = list(
        Registration.objects.visible_to(user)
        .filter(person=person, result__isnull=True)
        .select_related("sitting__exam_point", "sitting__operation_item")
    )
    # A candidate sees the admission codes of their own registrations (their admission tickets).
    show_codes = getattr(user, "is_candidate", False) and user.person_id == person.pk
    return {"results": results, "upcoming": upcoming, "show_codes": show_codes}
