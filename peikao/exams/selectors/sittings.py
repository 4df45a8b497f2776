"""Sittings, registrations, patrols and their findings, scoped to the user's jurisdiction; whether a sitting may be
held, who may staff it and the staff's conflicts."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peikao.core.models import User
from peikao.core.permissions import Perm, has_perm
from peikao.exams import papers, rules, sitting_filters
from peikao.exams.choices import FindingStatus
from peikao.exams.models import (
    Paper,
    PaperQuestion,
    Patrol,
    PatrolFinding,
    Registration,
    Result,
    Sitting,
    SittingStaff,
    SkillCertificate,
)
from peikao.registry.choices import AssignmentRole, OrganizationKind
from peikao.registry.models import Assignment, OperationItem, Organization, Person


def sitting_list(*, user: User, filters: dict | None = None) -> QuerySet[Sitting]:
    filters = filters or {}
    queryset = Sitting.objects.visible_to(user).select_related("exam_point", "operation_item")
    if filters.get("part"):
        queryset = queryset.filter(part=filters["part"])
    if filters.get("status"):
        queryset = queryset.filter(status=filters["status"])
    if filters.get("q"):
        value = filters["q"].strip()
        queryset = queryset.filter(Q(sitting_code__icontains=value) | Q(exam_point__name__icontains=value))
    queryset = sitting_filters.apply(queryset, filters)
    return queryset.annotate(registered=Count("registrations", distinct=True)).order_by("-starts_at")


def sitting_get(*, user: User, sitting_code: str) -> Sitting:
    queryset = Sitting.objects.visible_to(user).select_related("exam_point__region", "operation_item", "blueprint")
    return get_object_or_404(queryset, sitting_code=sitting_code)


def registrations(*, user: User, sitting: Sitting) -> QuerySet[Registration]:
    return (
        Registration.objects.visible_to(user)
        .filter(sitting=sitting)
        .select_related("person", "result", "training_class__organization", "sheet")
        .order_by("person__name")
    )


def registration_get(*, user: User, sitting: Sitting, person_id: int) -> Registration:
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


def patrols(*, user: User, sitting: Sitting) -> QuerySet[Patrol]:
    return Patrol.objects.visible_to(user).filter(sitting=sitting).select_related("watcher")


def findings(*, user: User, sitting: Sitting | None = None) -> QuerySet[PatrolFinding]:
    queryset = PatrolFinding.objects.visible_to(user).select_related("sitting", "registration__person", "feed")
    return queryset.filter(sitting=sitting) if sitting is not None else queryset


def finding_get(*, user: User, pk: int) -> PatrolFinding:
    return get_object_or_404(findings(user=user), pk=pk)


def finding_queue(*, user: User) -> QuerySet[PatrolFinding]:
    if not has_perm(user, Perm.PATROL):
        return PatrolFinding.objects.none()
    return findings(user=user).filter(status=FindingStatus.TO_REVIEW)


def person_results(*, user: User, person: Person) -> QuerySet[Result]:
    return (
        Result.objects.visible_to(user)
        .filter(registration__person=person)
        .select_related("registration__sitting__exam_point", "registration__sitting__operation_item")
        .order_by("-registration__sitting__starts_at")
    )


def person_exam_section(*, user: User, person: Person) -> dict | None:
    results = list(person_results(user=user, person=person))
    upcoming = list(
        Registration.objects.visible_to(user)
        .filter(person=person, result__isnull=True)
        .select_related("sitting__exam_point", "sitting__operation_item")
    )
    # A candidate sees the admission codes of their own registrations (their admission tickets).
    show_codes = getattr(user, "is_candidate", False) and user.person_id == person.pk
    skills = list(SkillCertificate.objects.visible_to(user).filter(person=person))
    return {"results": results, "upcoming": upcoming, "show_codes": show_codes, "skills": skills}


def sitting_problem(
    *,
    exam_point: Organization,
    part: str,
    operation_item: OperationItem | None,
    trainee_category: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    capacity: int | None,
) -> rules.SittingProblem | None:
    """None, or (code, message, params) for a sitting that may not be held (``rules.sitting_problem``, with
    the exam point's approval for the item read here)."""
    item_approved = operation_item is None or exam_point.operation_items.filter(pk=operation_item.pk).exists()
    return rules.sitting_problem(
        exam_point=exam_point,
        part=part,
        operation_item=operation_item,
        trainee_category=trainee_category,
        starts_at=starts_at,
        ends_at=ends_at,
        capacity=capacity,
        item_approved=item_approved,
    )


NOT_EXAM_STAFF = _("This person holds no proctor or examiner assignment at this exam point or its exam institution.")


def exam_staff(*, sitting: Sitting) -> QuerySet[Person]:
    """Who may proctor or examine ``sitting``: the persons with a proctor, examiner or exam-admin assignment at its
    exam point or the point's exam institution. The staff form names one of them by ID number; anyone else,
    registered or not, gets the same refusal (the form is no look-up of the register)."""
    return Person.objects.filter(
        assignments__organization__in=[sitting.exam_point_id, sitting.exam_point.parent_id],
        assignments__role__in=[AssignmentRole.PROCTOR, AssignmentRole.EXAMINER, AssignmentRole.EXAM_ADMIN],
    ).distinct()


def staff_conflicts(*, sitting: Sitting, person: Person) -> list[str]:
    """Training institutions that employ ``person`` on the sitting's day and have trainees in it."""
    day = timezone.localdate(sitting.starts_at)
    employers = (
        Assignment.objects.filter(
            person=person,
            organization__kind=OrganizationKind.TRAINING_INSTITUTION,
            start_date__lte=day,
        )
        .exclude(end_date__lt=day)
        .values("organization")
    )
    names = (
        Registration.objects.filter(sitting=sitting, training_class__organization__in=employers)
        .values_list("training_class__organization__name", flat=True)
        .distinct()
    )
    return sorted(set(names))


def unresolved_conflicts(*, sitting: Sitting) -> list[tuple[SittingStaff, list[str]]]:
    """Staff in conflict with the sitting's candidates as registered now, without a regulator's override."""
    out = []
    for staff in sitting.staff.select_related("person"):
        conflicts = staff_conflicts(sitting=sitting, person=staff.person)
        if conflicts and not staff.override_reason:
            out.append((staff, conflicts))
    return out


def may_plan_sittings(user: User) -> bool:
    """Whether "plan a sitting" is for this user: the right, and an exam point of its own to plan it at (the form's
    only choices; the service refuses any other)."""
    if not has_perm(user, Perm.SITTING_MANAGE):
        return False
    return Organization.objects.visible_to(user).filter(kind=OrganizationKind.EXAM_POINT).exists()


def registration_count(*, user: User, person: Person) -> int:
    """A person's exams as the person's page lists them: every registration, with its result or still to sit."""
    return Registration.objects.visible_to(user).filter(person=person).count()
