"""What a class is made of: its lessons and its trainees."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peikao.core.audit import audited_create, record_bulk_rows
from peikao.core.choices import ChangeAction
from peikao.core.errors import Conflict, DomainError
from peikao.core.exchange import WriteCounts, bulk_upsert
from peikao.core.models import User
from peikao.core.permissions import Perm, require_perm
from peikao.registry.models import Person, PersonLink
from peikao.registry.services.links import person_link_note, person_links_note_bulk
from peikao.registry.services.persons import person_register_or_match
from peikao.training.models import Enrolment, Lesson, TrainingClass
from peikao.training.rules import lesson_problem, teacher_problem
from peikao.training.services._shared import check_open, require_own
from peikao.training.services.credited_hours import mark_hours_stale


@transaction.atomic
def lesson_create(
    *,
    actor: User,
    training_class: TrainingClass,
    lesson_code: str,
    mode: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    teacher: Person | None,
    venue: str = "",
) -> Lesson:
    """Add a lesson; its teacher must hold a teacher or practical-instructor assignment at the organisation."""
    require_perm(actor, Perm.CLASS_MANAGE)
    require_own(actor, training_class.organization)
    check_open(training_class)
    for field, problem in (
        (None, lesson_problem(training_class, mode=mode, starts_at=starts_at, ends_at=ends_at)),
        ("teacher", teacher_problem(
            organization=training_class.organization, teacher=teacher, mode=mode, on=timezone.localdate(starts_at)
        )),
    ):  # fmt: skip
        if problem is not None:
            raise DomainError("lesson_invalid", problem[0], problem[1], field=field)
    lesson = Lesson(
        lesson_code=lesson_code.strip(),
        training_class=training_class,
        mode=mode,
        starts_at=starts_at,
        ends_at=ends_at,
        teacher=teacher,
        venue=venue,
    )
    audited_create(lesson)
    mark_hours_stale([training_class.pk])
    return lesson


@transaction.atomic
def lessons_upsert_bulk(*, actor: User | None, rows: list[dict[str, Any]], existing: dict[str, Lesson]) -> WriteCounts:
    """Create or update lessons in bulk (a chunk of the lessons file), matched on their code; every change in the
    change log, and the hours of their classes computed again when next read. ``rows`` come cleaned by the file,
    which reports every row the rules refuse (``lesson_problem``, ``teacher_problem``, a sealed class): values by
    attname. ``existing``: the lessons on record, by code."""
    counts = bulk_upsert(Lesson, ["lesson_code"], rows, existing={(code,): lesson for code, lesson in existing.items()})
    mark_hours_stale({row["training_class_id"] for row in rows})
    return counts


@transaction.atomic
def enrolment_add(*, actor: User, training_class: TrainingClass, person: Person) -> Enrolment:
    """Enrol a trainee, within the organisation's capacity per class."""
    require_perm(actor, Perm.CLASS_MANAGE)
    require_own(actor, training_class.organization)
    check_open(training_class)
    if Enrolment.objects.filter(training_class=training_class, person=person).exists():
        raise Conflict("already_enrolled", _("This person is already enrolled in this class."))
    capacity = training_class.organization.capacity
    if capacity and training_class.enrolments.count() >= capacity:
        raise DomainError(
            "class_full", _("The class is full: the institution's capacity is %(n)d per class."), {"n": capacity}
        )
    enrolment = audited_create(Enrolment(training_class=training_class, person=person))
    person_link_note(actor=actor, organization=training_class.organization, person=person)
    mark_hours_stale([training_class.pk])
    return enrolment


@transaction.atomic
def enrolments_add_bulk(*, actor: User | None, training_class: TrainingClass, person_ids: Iterable[int]) -> int:
    """Enrol in bulk those of ``person_ids`` not yet enrolled in the class (the classes file), each enrolment in
    the change log; return how many were enrolled."""
    enrolled = set(Enrolment.objects.filter(training_class=training_class).values_list("person_id", flat=True))
    new = [pk for pk in person_ids if pk not in enrolled]
    if new:
        created = Enrolment.objects.bulk_create([Enrolment(training_class=training_class, person_id=pk) for pk in new])
        record_bulk_rows(
            Enrolment,
            [(ChangeAction.CREATE, e.pk, f"enrolment #{e.pk}", None,
              {"training_class_id": training_class.pk, "person_id": e.person_id}) for e in created],
        )  # fmt: skip
        person_links_note_bulk(actor=actor, links=[(training_class.organization_id, pk, "") for pk in new])
        mark_hours_stale([training_class.pk])
    return len(new)


@transaction.atomic
def enrolments_enter(
    *, actor: User, training_class: TrainingClass, trainees: Iterable[tuple[str, str]]
) -> tuple[int, int]:
    """Enrol trainees given by (ID number, name) — all or none; return (enrolled, already enrolled).

    A number the class's organisation has entered before may come without a name; any other needs the name on the
    ID card, and is entered (``person_register_or_match``: for an organisation, a link awaiting confirmation). The
    answer is the same whether or not the number was registered on the platform (ADR 0009)."""
    require_perm(actor, Perm.CLASS_MANAGE)
    require_own(actor, training_class.organization)
    wanted: dict[str, str] = {}
    for number, name in trainees:
        number = (number or "").strip().upper()
        if number:
            wanted[number] = (name or "").strip() or wanted.get(number, "")
    linked = dict(
        PersonLink.objects.filter(
            organization=training_class.organization, person__id_number__in=list(wanted)
        ).values_list("person__id_number", "person_id")
    )
    unnamed = [number for number, name in wanted.items() if not name and number not in linked]
    if unnamed:
        raise DomainError(
            "name_required",
            _("Give the name of every trainee your organisation has not entered before (%(n)d without a name)."),
            {"n": len(unnamed)},
        )
    entered = Person.objects.in_bulk(list(linked.values()))
    enrolled = already = 0
    for number, name in wanted.items():
        if number in linked:
            person = entered[linked[number]]
        else:
            person = person_register_or_match(
                actor=actor, id_number=number, name=name, organization=training_class.organization
            )
        try:
            enrolment_add(actor=actor, training_class=training_class, person=person)
        except Conflict as error:
            if error.code != "already_enrolled":
                raise
            already += 1
        else:
            enrolled += 1
    return enrolled, already
