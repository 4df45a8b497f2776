"""Practical exams: an examiner's scoring sheet, on the equipment recorded."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peikao.core.audit import audited_create
from peikao.core.errors import Conflict, DomainError
from peikao.core.models import User
from peikao.core.permissions import Perm, require_perm
from peikao.exams.choices import DeviceType, ExamPart, ResultStatus, StaffRole
from peikao.exams.models import PracticalScore, PracticalSheet, Registration, Result, SittingStaff
from peikao.exams.services._common import require_own
from peikao.registry.models import Person

PERFORMED_ON_EQUIPMENT = "hands_on"


@transaction.atomic
def practical_score(
    *,
    actor: User,
    registration: Registration,
    examiner: Person,
    task_scores: dict[str, Decimal],
    device_type: str,
    performed: str,
    notes: str = "",
) -> Result:
    """Record an examiner's scoring sheet. The device actually used is recorded; an exam replaced by oral
    questions is not a practical result and is refused (violation EX-ORAL-PRACTICAL)."""
    require_perm(actor, Perm.SITTING_MANAGE)
    sitting = registration.sitting
    require_own(actor, sitting.exam_point)
    if sitting.part != ExamPart.PRACTICAL:
        raise DomainError("not_practical", _("This sitting is not a practical exam."))
    if performed != PERFORMED_ON_EQUIPMENT:
        raise DomainError(
            "oral_instead_of_practical",
            _(
                "Oral questions instead of the practical exam cannot be recorded as a practical result "
                "(exam_cert_measures_2013; violation EX-ORAL-PRACTICAL)."
            ),
        )
    if device_type not in DeviceType.values:
        raise DomainError("device_type", _("Say whether the equipment was real or a simulator."))
    if not SittingStaff.objects.filter(sitting=sitting, person=examiner, role=StaffRole.EXAMINER).exists():
        raise DomainError(
            "not_assigned_examiner", _("%(name)s is not an examiner of this sitting."), {"name": examiner.name}
        )
    if hasattr(registration, "result"):
        raise Conflict("already_scored", _("This candidate's practical has been scored."))
    sheet = PracticalSheet.objects.filter(operation_item=sitting.operation_item, active=True).first()
    if sheet is None:
        raise DomainError("no_practical_sheet", _("No practical scoring sheet for this item."))
    total = Decimal(0)
    for task in sheet.tasks:
        points = Decimal(str(task_scores.get(task["code"], 0)))
        if not Decimal(0) <= points <= Decimal(str(task["points"])):
            raise DomainError(
                "task_points", _("Task %(task)s scores 0 to %(max)s."), {"task": task["name"], "max": task["points"]}
            )
        total += points
    result = audited_create(
        Result(
            registration=registration,
            score=total,
            passed=total >= sheet.pass_score,
            status=ResultStatus.VALID,
            submitted_at=timezone.now(),
            device_type=device_type,
            source="practical",
        )
    )
    audited_create(
        PracticalScore(
            result=result,
            sheet=sheet,
            examiner=examiner,
            task_scores={k: str(v) for k, v in task_scores.items()},
            device_type=device_type,
            notes=notes,
        )
    )
    return result


@transaction.atomic
def practical_sheet_create(*, actor: User, sheet: PracticalSheet) -> PracticalSheet:
    """Add the scoring sheet of an item's practical exam; its tasks' points must add up to 100."""
    require_perm(actor, Perm.BANK_MANAGE)
    total = sum(Decimal(str(task["points"])) for task in sheet.tasks)
    if total != Decimal(100):
        raise DomainError("practical_sheet_points", _("The points add up to %(total)s, not 100."), {"total": total})
    return audited_create(sheet)
