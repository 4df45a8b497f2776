"""Classes: opened, changed and filed with the regulator (开班备案), reviewed, cancelled or closed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peikao.core.audit import audited_create, audited_update, snapshot
from peikao.core.conf import peikao
from peikao.core.errors import Conflict, DomainError, PermissionDenied
from peikao.core.exchange import WriteCounts
from peikao.core.models import User
from peikao.core.permissions import Perm, require_perm
from peikao.core.transitions import apply_transition
from peikao.registry.models import Industry, OperationItem, Organization
from peikao.training.choices import CLASS_TRANSITIONS, ClassStatus, TraineeCategory
from peikao.training.models import ArchiveSeal, ClassEvent, TrainingClass
from peikao.training.rules import Requirement, class_schedule, hour_unit, organization_may_train, requirement
from peikao.training.services._shared import require_own
from peikao.training.services.archives import seal
from peikao.training.services.credited_hours import refresh_hours
from peikao.training.services.lessons import enrolments_add_bulk

EDITABLE_STATUSES = {ClassStatus.DRAFT, ClassStatus.RETURNED}

RUNNING_STATUSES = {ClassStatus.DRAFT, ClassStatus.FILED, ClassStatus.ACCEPTED, ClassStatus.RETURNED}


@dataclass
class ClassData:
    class_code: str
    trainee_category: str
    training_type: str
    start_date: dt.date
    end_date: dt.date
    name: str = ""
    operation_item: OperationItem | None = None
    industry: Industry | None = None
    syllabus_hours: Decimal | None = None


def _apply_rules(training_class: TrainingClass, need: Requirement | None = None) -> None:
    """Fix on the class the rules in force on its start date: required hours (``need``, when the caller has
    judged them already) and the length of an hour."""
    if need is None:
        need = requirement(
            category=training_class.trainee_category,
            industry=training_class.industry,
            training_type=training_class.training_type,
            syllabus_hours=training_class.syllabus_hours,
            on=training_class.start_date,
        )
    unit = hour_unit(training_class.start_date)
    training_class.required_tenths = need.tenths
    training_class.required_basis = need.basis[:200]
    training_class.hour_rule = need.rule
    training_class.offline_hour_minutes = unit.offline_minutes
    training_class.online_hour_minutes = unit.online_minutes


@transaction.atomic
def class_create(
    *, actor: User, organization: Organization, data: ClassData, status: str = ClassStatus.DRAFT
) -> TrainingClass:
    """Open a class (a draft, to be filed). Regulators' own records may be created as accepted (imports)."""
    require_perm(actor, Perm.CLASS_MANAGE)
    require_own(actor, organization)
    if data.trainee_category == TraineeCategory.SPECIAL_OPERATOR and data.operation_item is None:
        raise DomainError(
            "item_required",
            _("A class for special-operations workers needs an operation item."),
            field="operation_item",
        )
    organization_may_train(organization, category=data.trainee_category, item=data.operation_item)
    training_class = TrainingClass(
        class_code=data.class_code.strip(),
        name=data.name,
        organization=organization,
        trainee_category=data.trainee_category,
        training_type=data.training_type,
        operation_item=data.operation_item,
        industry=data.industry or organization.industry,
        syllabus_hours=data.syllabus_hours,
        start_date=data.start_date,
        end_date=data.end_date,
        status=status,
    )
    _apply_rules(training_class)
    return audited_create(training_class)


@transaction.atomic
def class_update(*, actor: User, training_class: TrainingClass, data: ClassData) -> TrainingClass:
    """Change a draft or returned class; its requirement is recomputed from the rules."""
    require_perm(actor, Perm.CLASS_MANAGE)
    require_own(actor, training_class.organization)
    locked = TrainingClass.objects.select_for_update().get(pk=training_class.pk)
    if locked.status not in EDITABLE_STATUSES:
        raise Conflict("class_not_editable", _("Only a draft or returned class can be changed."))
    organization_may_train(locked.organization, category=data.trainee_category, item=data.operation_item)
    before = snapshot(locked)
    for field in (
        "name",
        "trainee_category",
        "training_type",
        "operation_item",
        "syllabus_hours",
        "start_date",
        "end_date",
    ):
        setattr(locked, field, getattr(data, field))
    locked.industry = data.industry or locked.organization.industry
    _apply_rules(locked)
    audited_update(locked, before)
    return locked


@transaction.atomic
def classes_write_bulk(*, actor: User | None, rows: list[dict[str, Any]]) -> WriteCounts:
    """Create or update classes in bulk (a chunk of the classes file) and enrol their trainees; every change in
    the change log.

    ``rows`` come cleaned by the file, which reports every row the rules refuse (``organization_may_train``,
    ``requirement``, a class of another organisation or sealed): the class's fields with ``org``, ``trainees``
    (person pks), ``existing`` (the class on record, or ``None``) and ``requirement`` (the hours it requires).
    A regulator's (or the system's) import records classes as accepted: they are its own records."""
    counts = WriteCounts()
    regulator = actor is None or actor.sees_everything or actor.is_regulator
    status = ClassStatus.ACCEPTED if regulator else ClassStatus.DRAFT
    for data in rows:
        existing: TrainingClass | None = data["existing"]
        values = {
            "organization": data["org"],
            "trainee_category": data["trainee_category"],
            "training_type": data["training_type"],
            "operation_item": data["operation_item"],
            "industry": data["industry"] or data["org"].industry,
            "syllabus_hours": data["syllabus_hours"],
            "start_date": data["start_date"],
            "end_date": data["end_date"],
        }
        changed = False
        if existing is None:
            training_class = TrainingClass(class_code=data["class_code"], status=status, **values)
            _apply_rules(training_class, need=data["requirement"])
            audited_create(training_class)
        else:
            training_class = existing
            before = snapshot(existing)
            for field, value in values.items():
                setattr(existing, field, value)
            _apply_rules(existing, need=data["requirement"])
            changed = audited_update(existing, before)
        enrolled = enrolments_add_bulk(actor=actor, training_class=training_class, person_ids=data["trainees"])
        if existing is None:
            counts.imported += 1
        elif changed or enrolled:
            counts.updated += 1
        else:
            counts.unchanged += 1
    return counts


def _transition(
    training_class: TrainingClass, to_status: str, *, actor: User, reason: str = "", changes=None
) -> ClassEvent:
    return apply_transition(
        training_class,
        to_status=to_status,
        transitions=CLASS_TRANSITIONS,
        event_model=ClassEvent,
        owner_field="training_class",
        actor=actor,
        reason=reason,
        changes=changes,
    )


def class_file(*, actor: User, training_class: TrainingClass, today: dt.date | None = None) -> ClassEvent:
    """File the class with the regulator (开班备案), at least the configured lead time before it starts, once its
    lessons scheduled can yield the hours it requires."""
    require_perm(actor, Perm.CLASS_MANAGE)
    require_own(actor, training_class.organization)
    today = today or timezone.localdate()
    lead: int = peikao()["CLASS_FILING_LEAD_DAYS"]
    if (training_class.start_date - today).days < lead:
        raise DomainError(
            "filing_too_late",
            _("A class is filed at least %(days)d days before it starts (it starts on %(start)s)."),
            {"days": lead, "start": training_class.start_date.isoformat()},
        )
    organization_may_train(
        training_class.organization, category=training_class.trainee_category, item=training_class.operation_item
    )
    schedule = class_schedule(training_class)
    if schedule.short_tenths:
        raise DomainError(
            "hours_not_scheduled",
            _(
                "The lessons scheduled yield %(total)s 学时 (theory %(theory)s, practical %(practical)s, online "
                "%(online)s) of the %(required)s 学时 the class requires: %(short)s 学时 short. Schedule the "
                "missing lessons, then file the class."
            ),
            {
                "total": schedule.total,
                "theory": schedule.theory,
                "practical": schedule.practical,
                "online": schedule.online,
                "required": schedule.required,
                "short": schedule.short,
            },
        )
    return _transition(training_class, ClassStatus.FILED, actor=actor, changes={"filed_at": timezone.now()})


def class_accept(*, actor: User, training_class: TrainingClass, reason: str = "") -> ClassEvent:
    """The regulator of the class's region accepts the filing."""
    require_perm(actor, Perm.CLASS_REVIEW)
    if not actor.is_regulator and not actor.is_system_admin:
        raise PermissionDenied("regulator_only", _("Only a regulator reviews a filing."))
    organization_may_train(
        training_class.organization, category=training_class.trainee_category, item=training_class.operation_item
    )
    return _transition(training_class, ClassStatus.ACCEPTED, actor=actor, reason=reason)


def class_return(*, actor: User, training_class: TrainingClass, reason: str) -> ClassEvent:
    """The regulator returns the filing with the reason; the institution corrects and files again."""
    require_perm(actor, Perm.CLASS_REVIEW)
    if not actor.is_regulator and not actor.is_system_admin:
        raise PermissionDenied("regulator_only", _("Only a regulator reviews a filing."))
    if not reason.strip():
        raise DomainError("reason_required", _("Say why the filing is returned."))
    return _transition(training_class, ClassStatus.RETURNED, actor=actor, reason=reason)


def class_cancel(*, actor: User, training_class: TrainingClass, reason: str) -> ClassEvent:
    require_perm(actor, Perm.CLASS_MANAGE)
    require_own(actor, training_class.organization)
    if not reason.strip():
        raise DomainError("reason_required", _("A reason is required."))
    return _transition(training_class, ClassStatus.CANCELLED, actor=actor, reason=reason)


@transaction.atomic
def class_close(*, actor: User, training_class: TrainingClass, today: dt.date | None = None) -> ArchiveSeal:
    """Close a class that has ended: compute its hours and seal its archive."""
    require_perm(actor, Perm.CLASS_MANAGE)
    require_own(actor, training_class.organization)
    today = today or timezone.localdate()
    if today < training_class.end_date:
        raise DomainError(
            "class_not_ended",
            _("The class ends on %(end)s: it can be closed from then on."),
            {"end": training_class.end_date.isoformat()},
        )
    _transition(training_class, ClassStatus.CLOSED, actor=actor)
    refresh_hours([training_class.pk], force=True)
    return seal(training_class, actor=actor, reason=str(_("Class closed")))
