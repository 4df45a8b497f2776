"""The checks of attendance events shared by attendance.csv and the device API (docs/adr/0005): the lesson exists
and is the writer's, the person is enrolled in its class, the class is open and the time is sane."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peikao.registry.models import Person
from peikao.training.choices import AttendanceKind, ClassStatus
from peikao.training.models import Enrolment, Lesson
from peikao.training.rules import SEALED

FINISHED = frozenset({ClassStatus.CLOSED.value, ClassStatus.CANCELLED.value})

EVENTS = frozenset(AttendanceKind.values)


class AttendanceChecker:
    """Validation of attendance events shared by attendance.csv and the device API: the lesson exists
    and is the writer's, the person is enrolled in its class, the class is open and the time is sane."""

    def __init__(self, *, organization_id: int | None, user=None, unrestricted: bool = False):
        self.organization_id = organization_id
        self.user = user
        self.unrestricted = unrestricted
        self.lessons: dict[str, tuple] = {}
        self.persons: dict[str, int] = {}
        self.enrolled: set[tuple[int, int]] = set()
        self.skew = dt.timedelta(minutes=settings.PEIKAO["ATTENDANCE_CLOCK_SKEW_MINUTES"])
        self.tz = timezone.get_current_timezone()

    def load(self, lesson_codes: set[str], id_numbers: set[str]) -> None:
        """Look up, in three queries, the lessons, persons and enrolments a batch refers to."""
        missing = [code for code in lesson_codes if code not in self.lessons]
        if missing:
            queryset = Lesson.objects.filter(lesson_code__any=missing)
            if self.organization_id is not None:
                queryset = queryset.filter(training_class__organization_id=self.organization_id)
            elif not self.unrestricted:
                queryset = queryset.filter(pk__in=Lesson.objects.visible_to(self.user).values("pk"))
            for row in queryset.values_list(
                "lesson_code", "pk", "training_class_id", "starts_at", "training_class__status"
            ):
                code, pk, class_id, starts_at, status = row
                self.lessons[code] = (pk, class_id, starts_at.astimezone(self.tz).date(), status)
        numbers = [n for n in id_numbers if n not in self.persons]
        if numbers:
            self.persons |= Person.objects.filter(id_number__any=numbers).values_list("id_number", "pk")
        class_ids = {self.lessons[c][1] for c in lesson_codes if c in self.lessons}
        person_ids = [self.persons[n] for n in id_numbers if n in self.persons]
        if class_ids and person_ids:
            self.enrolled |= set(
                Enrolment.objects.filter(training_class_id__any=list(class_ids), person_id__any=person_ids).values_list(
                    "training_class_id", "person_id"
                )
            )

    def check(self, lesson_code: str, id_number: str, event: str | None, at: dt.datetime | None, now: dt.datetime):
        """Return ((lesson pk, class pk, person pk), None) or (None, (column, message, params))."""
        lesson = self.lessons.get(lesson_code)
        if lesson is None:
            return None, ("lesson_code", _("No such lesson (of your organisation)."), {})
        lesson_pk, class_id, lesson_day, status = lesson
        if status in FINISHED:
            return None, ("lesson_code", SEALED, {})
        person_pk = self.persons.get(id_number)
        if person_pk is None or (class_id, person_pk) not in self.enrolled:
            return None, ("id_number", _("The person is not enrolled in this lesson's class."), {})
        if event not in EVENTS:
            return None, ("event", _("An attendance event is in or out."), {})
        if at is None:
            return None, ("at", _("Not a date and time in ISO 8601 (YYYY-MM-DDTHH:MM:SS)."), {})
        if at.astimezone(self.tz).date() != lesson_day:
            return None, ("at", _("The time is not on the lesson's day (%(day)s)."), {"day": lesson_day.isoformat()})
        if at > now + self.skew:
            return None, ("at", _("The time is in the future."), {})
        return (lesson_pk, class_id, person_pk), None
