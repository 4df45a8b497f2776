"""Sittings and their staff: planned, staffed (教考分离: no trainer proctors their own trainees), opened and
closed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from peikao.core.audit import audited_create, audited_update, snapshot
from peikao.core.errors import Conflict, DomainError, PermissionDenied
from peikao.core.exchange import WriteCounts
from peikao.core.models import User
from peikao.core.permissions import Perm, require_perm
from peikao.core.transitions import apply_transition
from peikao.core.validators import validate_id_number
from peikao.exams.choices import SITTING_TRANSITIONS, ExamPart, ResultStatus, SittingStatus, StaffRole
from peikao.exams.models import AnswerSheet, Blueprint, Result, Sitting, SittingEvent, SittingStaff
from peikao.exams.selectors import (
    NOT_EXAM_STAFF,
    default_blueprint,
    exam_staff,
    sitting_problem,
    staff_conflicts,
    unresolved_conflicts,
)
from peikao.exams.services._common import require_own
from peikao.exams.services.theory import finalize_sheet
from peikao.registry.models import OperationItem, Organization, Person


@transaction.atomic
def sitting_create(
    *,
    actor: User,
    exam_point: Organization,
    sitting_code: str,
    part: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    operation_item: OperationItem | None = None,
    trainee_category: str = "",
    capacity: int | None = None,
    blueprint: Blueprint | None = None,
) -> Sitting:
    """Plan a sitting at an exam point approved for the item, not suspended or closed, within its capacity."""
    require_perm(actor, Perm.SITTING_MANAGE)
    require_own(actor, exam_point)
    problem = sitting_problem(
        exam_point=exam_point,
        part=part,
        operation_item=operation_item,
        trainee_category=trainee_category,
        starts_at=starts_at,
        ends_at=ends_at,
        capacity=capacity,
    )
    if problem:
        raise DomainError(problem[0], problem[1], problem[2])
    return audited_create(
        _new_sitting(
            sitting_code=sitting_code.strip(),
            exam_point=exam_point,
            part=part,
            operation_item=operation_item,
            trainee_category=trainee_category,
            starts_at=starts_at,
            ends_at=ends_at,
            capacity=capacity,
            blueprint=blueprint,
        )
    )


def _new_sitting(
    *,
    sitting_code: str,
    exam_point: Organization,
    part: str,
    operation_item: OperationItem | None,
    trainee_category: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    capacity: int | None = None,
    blueprint: Blueprint | None = None,
) -> Sitting:
    """A sitting as planned: the exam point's capacity (60 seats when it declares none) unless fewer are
    asked; a theory sitting takes the latest blueprint of its subject unless one is given."""
    if part == ExamPart.THEORY and blueprint is None:
        blueprint = default_blueprint(operation_item=operation_item, trainee_category=trainee_category)
    return Sitting(
        sitting_code=sitting_code,
        exam_point=exam_point,
        part=part,
        operation_item=operation_item,
        trainee_category=trainee_category,
        starts_at=starts_at,
        ends_at=ends_at,
        capacity=capacity or exam_point.capacity or 60,
        blueprint=blueprint,
    )


@transaction.atomic
def staff_assign(
    *,
    actor: User,
    sitting: Sitting,
    role: str,
    person: Person | None = None,
    id_number: str = "",
    override_reason: str = "",
) -> SittingStaff:
    """Assign a proctor or examiner (``person``, or the one of the exam point's staff with ``id_number``: looked up
    only once the actor may assign, so the refusal tells nobody else whether a number is on the staff). Someone
    employed by a training institution whose trainees sit here is refused, with the reason; only a regulator may
    override, recording why (教考分离)."""
    if override_reason.strip():
        # Only a regulator overrides a conflict, and says why.
        require_perm(actor, Perm.PATROL)
        if not (actor.is_regulator or actor.is_system_admin):
            raise PermissionDenied("regulator_only", _("Only a regulator may override a conflict, with the reason."))
    else:
        require_perm(actor, Perm.SITTING_MANAGE)
        require_own(actor, sitting.exam_point)
    if sitting.status != SittingStatus.PLANNED:
        raise Conflict("sitting_not_planned", _("Staff are assigned before the sitting opens."))
    staff_of_the_point = exam_staff(sitting=sitting)
    if person is None:
        person = staff_of_the_point.filter(id_number=validate_id_number(id_number)).first()
    if person is None or not staff_of_the_point.filter(pk=person.pk).exists():
        raise DomainError("not_exam_staff", NOT_EXAM_STAFF)
    conflicts = staff_conflicts(sitting=sitting, person=person)
    conflict_text = "、".join(conflicts)
    if conflicts and not override_reason.strip():
        raise DomainError(
            "staff_conflict",
            _("%(name)s works for %(orgs)s, whose trainees sit this exam: training and exams must be separate."),
            {"name": person.name, "orgs": conflict_text},
        )
    staff = SittingStaff(
        sitting=sitting,
        person=person,
        role=role,
        conflict=conflict_text,
        override_reason=override_reason.strip() if conflicts else "",
        override_by=actor if conflicts else None,
    )
    return audited_create(staff)


def sitting_open(*, actor: User, sitting: Sitting) -> SittingEvent:
    """Open a sitting: it has its proctors (theory) or examiners (practical), none in an unresolved conflict."""
    require_perm(actor, Perm.SITTING_MANAGE)
    require_own(actor, sitting.exam_point)
    if not sitting.staff.filter(
        role=StaffRole.PROCTOR if sitting.part == ExamPart.THEORY else StaffRole.EXAMINER
    ).exists():
        raise DomainError("no_staff", _("A sitting opens with its proctors (theory) or examiners (practical)."))
    conflicts = unresolved_conflicts(sitting=sitting)
    if conflicts:
        staff, orgs = conflicts[0]
        raise DomainError(
            "staff_conflict",
            _("%(name)s works for %(orgs)s, whose trainees sit this exam: training and exams must be separate."),
            {"name": staff.person.name, "orgs": "、".join(orgs)},
        )
    return _sitting_transition(sitting, SittingStatus.OPEN, actor=actor)


def sitting_close(*, actor: User, sitting: Sitting) -> SittingEvent:
    """Close a sitting: answer sheets still open are submitted as they are; registrations without a
    result are recorded as absent."""
    require_perm(actor, Perm.SITTING_MANAGE)
    require_own(actor, sitting.exam_point)
    with transaction.atomic():
        for sheet in AnswerSheet.objects.filter(registration__sitting=sitting, submitted_at__isnull=True):
            finalize_sheet(sheet, timed_out=True)
        for registration in sitting.registrations.filter(result__isnull=True):
            audited_create(Result(registration=registration, status=ResultStatus.ABSENT, source="absent"))
        return _sitting_transition(sitting, SittingStatus.CLOSED, actor=actor)


def _sitting_transition(sitting: Sitting, to: str, *, actor: User, reason: str = "") -> SittingEvent:
    return apply_transition(
        sitting,
        to_status=to,
        transitions=SITTING_TRANSITIONS,
        event_model=SittingEvent,
        owner_field="sitting",
        actor=actor,
        reason=reason,
    )


# -- sittings of an exchange file (sittings.csv) ------------------------------------------------------------


@dataclass(frozen=True)
class SittingRecord:
    """A sitting as sittings.csv carries it, checked by the reader (``selectors.sitting_problem``, scope);
    ``sitting`` is the one of this code already planned, if any."""

    sitting_code: str
    exam_point: Organization
    part: str
    operation_item: OperationItem | None
    trainee_category: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    staff: list[Person] = field(default_factory=list)
    sitting: Sitting | None = None


@transaction.atomic(savepoint=False)  # in an import, all or nothing is the file's: no savepoint per chunk
def sitting_record_bulk(*, actor: User | None, rows: Iterable[SittingRecord]) -> WriteCounts:
    """Plan the sittings of an exchange file, or move a known one to the file's times, and add its proctors
    (theory) or examiners (practical) not yet on it. A staff member in conflict (教考分离) is recorded with the
    conflict, for the regulator to see, not refused: the file records what was decided elsewhere. ``actor``
    None: the system (a command)."""
    if actor is not None:
        require_perm(actor, Perm.SITTING_MANAGE)
    counts = WriteCounts()
    for row in rows:
        sitting = row.sitting
        if sitting is None:
            sitting = audited_create(
                _new_sitting(
                    sitting_code=row.sitting_code,
                    exam_point=row.exam_point,
                    part=row.part,
                    operation_item=row.operation_item,
                    trainee_category=row.trainee_category,
                    starts_at=row.starts_at,
                    ends_at=row.ends_at,
                )
            )
            counts.imported += 1
        else:
            before = snapshot(sitting)
            sitting.starts_at, sitting.ends_at = row.starts_at, row.ends_at
            counts.updated += int(audited_update(sitting, before))
            counts.unchanged += int(snapshot(sitting) == before)
        role = StaffRole.PROCTOR if row.part == ExamPart.THEORY else StaffRole.EXAMINER
        have = set(SittingStaff.objects.filter(sitting=sitting).values_list("person_id", flat=True))
        for person in row.staff:
            if person.pk not in have:
                conflict = "、".join(staff_conflicts(sitting=sitting, person=person))
                audited_create(SittingStaff(sitting=sitting, person=person, role=role, conflict=conflict))
    return counts
