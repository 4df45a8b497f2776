"""Training's read path, scoped to the user's jurisdiction."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from peikao.core.models import User
from peikao.core.permissions import Perm, has_perm
from peikao.registry.choices import AssignmentRole, OrganizationKind
from peikao.registry.models import Organization, Person
from peikao.training import archive, hours, rules
from peikao.training.choices import ClassStatus
from peikao.training.filters import TrainingClassFilter
from peikao.training.models import (
    ArchiveSeal,
    AttendanceDevice,
    AttendanceEvent,
    ClassEvent,
    CreditedHours,
    Enrolment,
    Lesson,
    TrainingClass,
)


def class_list(*, user: User, filters: dict | None = None) -> QuerySet[TrainingClass]:
    queryset = TrainingClass.objects.visible_to(user).select_related("organization", "operation_item")
    return TrainingClassFilter(filters or {}, queryset=queryset).qs.order_by("-start_date", "class_code")


def class_get(*, user: User, class_code: str) -> TrainingClass:
    queryset = TrainingClass.objects.visible_to(user).select_related(
        "organization__region", "operation_item", "industry", "hour_rule__instrument"
    )
    return get_object_or_404(queryset, class_code=class_code)


def class_events(*, user: User, training_class: TrainingClass) -> QuerySet[ClassEvent]:
    return ClassEvent.objects.visible_to(user).filter(training_class=training_class).order_by("-time", "-id")


def lessons(*, user: User, training_class: TrainingClass) -> QuerySet[Lesson]:
    return Lesson.objects.visible_to(user).filter(training_class=training_class).select_related("teacher")


def class_schedule(*, user: User, training_class: TrainingClass) -> rules.Schedule:
    """The 学时 the class's lessons can yield, per mode and in all, against what it requires (the filing's check,
    shown to the institution and to the regulator who reviews it)."""
    class_get(user=user, class_code=training_class.class_code)  # only a class the user may see
    return rules.class_schedule(training_class)


def class_hours(*, user: User, training_class: TrainingClass) -> QuerySet[Enrolment]:
    """Enrolments with their credited hours as last computed (``services.class_hours_refresh`` brings them up to
    date). Those short of the requirement come first, the largest shortfall first."""
    return (
        Enrolment.objects.visible_to(user)
        .filter(training_class=training_class)
        .select_related("person", "credited")
        .order_by("credited__completed", "credited__credited_tenths", "person__name")
    )


def enrolment_get(*, user: User, training_class: TrainingClass, person_id: int) -> Enrolment:
    queryset = Enrolment.objects.visible_to(user).select_related("person", "training_class")
    return get_object_or_404(queryset, training_class=training_class, person_id=person_id)


@dataclass
class LessonEvidence:
    """One lesson of a trainee: the events recorded, the intervals counted and what they credit."""

    lesson: Lesson
    events: list[AttendanceEvent] = field(default_factory=list)
    intervals: list[tuple] = field(default_factory=list)  # (start, end) as local datetimes
    seconds: int = 0
    unit_minutes: int = 45

    @property
    def minutes(self) -> float:
        return round(self.seconds / 60, 1)

    @property
    def credited(self) -> float:
        return round(self.seconds / (self.unit_minutes * 60), 2)


def trainee_evidence(*, user: User, enrolment: Enrolment) -> list[LessonEvidence]:
    """Every lesson of the trainee's class with the evidence behind each credited minute."""
    training_class = enrolment.training_class
    rows: dict[int, LessonEvidence] = {}
    for lesson in lessons(user=user, training_class=training_class):
        unit = training_class.online_hour_minutes if lesson.mode == "online" else training_class.offline_hour_minutes
        rows[lesson.pk] = LessonEvidence(lesson=lesson, unit_minutes=unit)
    events = AttendanceEvent.objects.visible_to(user).filter(
        lesson__training_class=training_class, person=enrolment.person
    )
    for event in events.order_by("at", "event"):
        if event.lesson_id in rows:
            rows[event.lesson_id].events.append(event)
    for lesson_id, seconds in hours.lesson_seconds(class_id=training_class.pk, person_id=enrolment.person_id).items():
        if lesson_id in rows:
            rows[lesson_id].seconds = seconds
    tz = timezone.get_current_timezone()

    for lesson_id, spans in hours.counted_intervals(class_id=training_class.pk, person_id=enrolment.person_id).items():
        if lesson_id in rows:
            rows[lesson_id].intervals = [
                (dt.datetime.fromtimestamp(s, tz), dt.datetime.fromtimestamp(f, tz)) for s, f in spans
            ]
    return list(rows.values())


def person_enrolments(*, user: User, person: Person) -> QuerySet[Enrolment]:
    """A person's classes (一人一档) as far as the user may see them."""
    return (
        Enrolment.objects.visible_to(user)
        .filter(person=person)
        .select_related("training_class__organization", "training_class__operation_item", "credited")
        .order_by("-training_class__start_date")
    )


def filing_queue(*, user: User) -> QuerySet[TrainingClass]:
    return class_list(user=user, filters={"status": ClassStatus.FILED}).order_by("start_date")


def devices(*, user: User) -> QuerySet[AttendanceDevice]:
    return AttendanceDevice.objects.visible_to(user).select_related("organization")


def seals(*, user: User, training_class: TrainingClass) -> QuerySet[ArchiveSeal]:
    return ArchiveSeal.objects.visible_to(user).filter(training_class=training_class).order_by("-sequence")


def archive_check(*, user: User, training_class: TrainingClass) -> archive.Mismatch | None:
    """Recompute the class's archive against its seal (the class was fetched through ``class_get``)."""
    for _class_id, mismatch in archive.verify([training_class.pk]):
        return mismatch
    return None


def archive_check_jurisdiction(*, user: User, limit: int = 2000) -> tuple[int, list[archive.Mismatch]]:
    """Verify the sealed archives of the user's jurisdiction (the most recent ``limit``)."""
    ids = list(
        TrainingClass.objects.visible_to(user)
        .filter(status=ClassStatus.CLOSED)
        .order_by("-end_date")
        .values_list("pk", flat=True)[:limit]
    )
    mismatches = [mismatch for _pk, mismatch in archive.verify(ids) if mismatch is not None]
    return len(ids), mismatches


def credited_for(*, user: User, enrolment: Enrolment) -> CreditedHours | None:
    return CreditedHours.objects.visible_to(user).filter(enrolment=enrolment).first()


def person_training_section(*, user: User, person: Person) -> dict | None:
    enrolments = list(person_enrolments(user=user, person=person))
    return {"enrolments": enrolments}


def teachers_of(*, user: User, organization) -> QuerySet[Person]:
    """Persons holding a teacher or practical-instructor assignment at ``organization``."""
    return (
        Person.objects.visible_to(user)
        .filter(
            assignments__organization=organization,
            assignments__role__in=[AssignmentRole.TEACHER, AssignmentRole.PRACTICAL_INSTRUCTOR],
        )
        .distinct()
    )


def may_open_classes(user: User) -> bool:
    """Whether "open a class" is for this user: the right, and a training institution or enterprise it may open one
    for (the form's only choices; an exam point has none)."""
    if not has_perm(user, Perm.CLASS_MANAGE):
        return False
    kinds = [OrganizationKind.TRAINING_INSTITUTION, OrganizationKind.ENTERPRISE]
    return Organization.objects.visible_to(user).filter(kind__in=kinds).exists()
