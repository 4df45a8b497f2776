"""Training's write path: classes and their filing, lessons, trainees, attendance, hours and archives."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peikao.core.audit import audited_create, audited_update, current_context, snapshot
from peikao.core.conf import peikao
from peikao.core.errors import Conflict, DomainError, PermissionDenied
from peikao.core.permissions import Perm, require_perm
from peikao.core.transitions import apply_transition
from peikao.registry.choices import AssignmentRole, OrganizationKind, OrganizationStatus
from peikao.registry.models import Assignment, Industry, OperationItem, Organization, Person
from peikao.training import archive, hours
from peikao.training.choices import (
    CLASS_TRANSITIONS,
    AttendanceKind,
    AttendanceSource,
    ClassStatus,
    LessonMode,
    TraineeCategory,
)
from peikao.training.models import (
    ArchiveAmendment,
    ArchiveSeal,
    AttendanceBatch,
    AttendanceDevice,
    AttendanceEvent,
    ClassEvent,
    Enrolment,
    Lesson,
    TrainingClass,
)
from peikao.training.rules import hour_unit, requirement

TRAINING_KINDS = {OrganizationKind.TRAINING_INSTITUTION, OrganizationKind.ENTERPRISE}
EDITABLE_STATUSES = {ClassStatus.DRAFT, ClassStatus.RETURNED}
RUNNING_STATUSES = {ClassStatus.DRAFT, ClassStatus.FILED, ClassStatus.ACCEPTED, ClassStatus.RETURNED}


def _require_own(actor, organization: Organization) -> None:
    """Organisation members act only for their organisation (regulators are limited by scoping)."""
    if actor.is_org_member and actor.organization_id != organization.pk:
        raise PermissionDenied("outside_jurisdiction", _("You may act only for your own organisation."))


def organization_may_train(organization: Organization, *, category: str, item: OperationItem | None) -> None:
    """Refuse, with the reason, a class the organisation may not run."""
    if organization.kind not in TRAINING_KINDS:
        raise DomainError("not_a_training_body", _("Only training institutions and enterprises run classes."))
    if organization.status != OrganizationStatus.ACTIVE:
        raise DomainError(
            "organization_not_active",
            _("The organisation is %(status)s: it may not run classes."),
            {"status": OrganizationStatus(organization.status).label},
        )
    if category == TraineeCategory.SPECIAL_OPERATOR:
        if organization.kind != OrganizationKind.TRAINING_INSTITUTION:
            raise DomainError(
                "specops_needs_institution",
                _("Special-operations training is given by a training institution."),
            )
        if item is not None and not organization.operation_items.filter(pk=item.pk).exists():
            raise DomainError(
                "item_not_approved",
                _("The institution is not approved to train for operation item %(item)s."),
                {"item": str(item)},
            )


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


def _apply_rules(training_class: TrainingClass) -> None:
    """Fix on the class the rules in force on its start date: required hours and the length of an hour."""
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
    *, actor, organization: Organization, data: ClassData, status: str = ClassStatus.DRAFT
) -> TrainingClass:
    """Open a class (a draft, to be filed). Regulators' own records may be created as accepted (imports)."""
    require_perm(actor, Perm.CLASS_MANAGE)
    _require_own(actor, organization)
    if data.trainee_category == TraineeCategory.SPECIAL_OPERATOR and data.operation_item is None:
        raise DomainError("item_required", _("A class for special-operations workers needs an operation item."))
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
def class_update(*, actor, training_class: TrainingClass, data: ClassData) -> TrainingClass:
    """Change a draft or returned class; its requirement is recomputed from the rules."""
    require_perm(actor, Perm.CLASS_MANAGE)
    _require_own(actor, training_class.organization)
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


def _transition(training_class: TrainingClass, to_status: str, *, actor, reason: str = "", changes=None) -> ClassEvent:
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


def class_file(*, actor, training_class: TrainingClass, today: dt.date | None = None) -> ClassEvent:
    """File the class with the regulator (开班备案), at least the configured lead time before it starts."""
    require_perm(actor, Perm.CLASS_MANAGE)
    _require_own(actor, training_class.organization)
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
    return _transition(training_class, ClassStatus.FILED, actor=actor, changes={"filed_at": timezone.now()})


def class_accept(*, actor, training_class: TrainingClass, reason: str = "") -> ClassEvent:
    """The regulator of the class's region accepts the filing."""
    require_perm(actor, Perm.CLASS_REVIEW)
    if not actor.is_regulator and not actor.is_system_admin:
        raise PermissionDenied("regulator_only", _("Only a regulator reviews a filing."))
    organization_may_train(
        training_class.organization, category=training_class.trainee_category, item=training_class.operation_item
    )
    return _transition(training_class, ClassStatus.ACCEPTED, actor=actor, reason=reason)


def class_return(*, actor, training_class: TrainingClass, reason: str) -> ClassEvent:
    """The regulator returns the filing with the reason; the institution corrects and files again."""
    require_perm(actor, Perm.CLASS_REVIEW)
    if not actor.is_regulator and not actor.is_system_admin:
        raise PermissionDenied("regulator_only", _("Only a regulator reviews a filing."))
    if not reason.strip():
        raise DomainError("reason_required", _("Say why the filing is returned."))
    return _transition(training_class, ClassStatus.RETURNED, actor=actor, reason=reason)


def class_cancel(*, actor, training_class: TrainingClass, reason: str) -> ClassEvent:
    require_perm(actor, Perm.CLASS_MANAGE)
    _require_own(actor, training_class.organization)
    if not reason.strip():
        raise DomainError("reason_required", _("A reason is required."))
    return _transition(training_class, ClassStatus.CANCELLED, actor=actor, reason=reason)


@transaction.atomic
def class_close(*, actor, training_class: TrainingClass, today: dt.date | None = None) -> ArchiveSeal:
    """Close a class that has ended: compute its hours and seal its archive."""
    require_perm(actor, Perm.CLASS_MANAGE)
    _require_own(actor, training_class.organization)
    today = today or timezone.localdate()
    if today < training_class.end_date:
        raise DomainError(
            "class_not_ended",
            _("The class ends on %(end)s: it can be closed from then on."),
            {"end": training_class.end_date.isoformat()},
        )
    _transition(training_class, ClassStatus.CLOSED, actor=actor)
    refresh_hours([training_class.pk], force=True)
    return _seal(training_class, actor=actor, reason=str(_("Class closed")))


def _seal(training_class: TrainingClass, *, actor, reason: str) -> ArchiveSeal:
    result = archive.compute([training_class.pk])[training_class.pk]
    previous = training_class.seals.order_by("-sequence").first()
    seal = ArchiveSeal(
        training_class=training_class,
        sequence=(previous.sequence + 1) if previous else 1,
        head=result.head,
        previous_head=previous.head if previous else "",
        record_count=result.count,
        section_heads=result.section_heads,
        reason=reason[:200],
        sealed_by=actor if getattr(actor, "is_authenticated", False) else None,
        actor_label=current_context().actor_label,
    )
    return audited_create(seal)


def refresh_hours(class_ids: Iterable[int] | None = None, *, force: bool = False) -> int:
    """Recompute credited hours of classes whose lessons or attendance changed (or all given, ``force``).
    Sealed classes are left alone: their hours are part of the archive."""
    queryset = TrainingClass.objects.exclude(status=ClassStatus.CLOSED)
    if class_ids is not None:
        queryset = TrainingClass.objects.filter(pk__in=list(class_ids))
        if not force:
            queryset = queryset.exclude(status=ClassStatus.CLOSED)
    if not force:
        queryset = queryset.filter(hours_stale=True)
    ids = list(queryset.values_list("pk", flat=True))
    if not ids:
        return 0
    with transaction.atomic():
        computed = hours.recompute(ids)
        TrainingClass.objects.filter(pk__in=ids).update(hours_stale=False)
    return computed


def mark_hours_stale(class_ids: Iterable[int]) -> None:
    TrainingClass.objects.filter(pk__in=list(class_ids)).exclude(status=ClassStatus.CLOSED).update(hours_stale=True)


def _check_open(training_class: TrainingClass) -> None:
    if training_class.status == ClassStatus.CLOSED:
        raise Conflict(
            "archive_sealed", _("The class is closed and its archive sealed: changes go through an amendment.")
        )
    if training_class.status == ClassStatus.CANCELLED:
        raise Conflict("class_cancelled", _("The class was cancelled."))


def teacher_problem(*, organization: Organization, teacher: Person | None, mode: str, on: dt.date):
    """None if ``teacher`` may teach at ``organization`` on ``on``, else the reason (message, params)."""
    if teacher is None:
        if mode == LessonMode.ONLINE:
            return None
        return _("A classroom or practical lesson needs its teacher."), {}
    holds = Assignment.objects.filter(
        person=teacher,
        organization=organization,
        role__in=[AssignmentRole.TEACHER, AssignmentRole.PRACTICAL_INSTRUCTOR],
        start_date__lte=on,
    ).exclude(end_date__lt=on)
    if not holds.exists():
        return (
            _("%(name)s holds no teacher or practical-instructor assignment at %(org)s on %(date)s."),
            {"name": teacher.name, "org": organization.name, "date": on.isoformat()},
        )
    return None


def lesson_problem(training_class: TrainingClass, *, mode: str, starts_at: dt.datetime, ends_at: dt.datetime):
    """None if the lesson's time fits the class, else (message, params)."""
    start_local, end_local = timezone.localtime(starts_at), timezone.localtime(ends_at)
    if ends_at <= starts_at:
        return _("A lesson ends after it starts."), {}
    if start_local.date() != end_local.date():
        return _("A lesson starts and ends on the same day."), {}
    if not training_class.start_date <= start_local.date() <= training_class.end_date:
        return (
            _("The lesson lies outside the class's dates (%(start)s to %(end)s)."),
            {"start": training_class.start_date.isoformat(), "end": training_class.end_date.isoformat()},
        )
    return None


@transaction.atomic
def lesson_create(
    *,
    actor,
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
    _require_own(actor, training_class.organization)
    _check_open(training_class)
    for problem in (
        lesson_problem(training_class, mode=mode, starts_at=starts_at, ends_at=ends_at),
        teacher_problem(
            organization=training_class.organization, teacher=teacher, mode=mode, on=timezone.localdate(starts_at)
        ),
    ):
        if problem is not None:
            raise DomainError("lesson_invalid", problem[0], problem[1])
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
def enrolment_add(*, actor, training_class: TrainingClass, person: Person) -> Enrolment:
    """Enrol a trainee, within the organisation's capacity per class."""
    require_perm(actor, Perm.CLASS_MANAGE)
    _require_own(actor, training_class.organization)
    _check_open(training_class)
    if Enrolment.objects.filter(training_class=training_class, person=person).exists():
        raise Conflict("already_enrolled", _("This person is already enrolled in this class."))
    capacity = training_class.organization.capacity
    if capacity and training_class.enrolments.count() >= capacity:
        raise DomainError(
            "class_full", _("The class is full: the institution's capacity is %(n)d per class."), {"n": capacity}
        )
    enrolment = audited_create(Enrolment(training_class=training_class, person=person))
    mark_hours_stale([training_class.pk])
    return enrolment


@transaction.atomic
def attendance_record(
    *, actor, lesson: Lesson, person: Person, event: str, at: dt.datetime, note: str = ""
) -> AttendanceEvent:
    """Manual attendance entry (source ``manual``), for when a device failed; logged like any change."""
    require_perm(actor, Perm.ATTENDANCE_RECORD)
    _require_own(actor, lesson.training_class.organization)
    _check_open(lesson.training_class)
    if event not in AttendanceKind.values:
        raise DomainError("bad_event", _("An attendance event is in or out."))
    if not Enrolment.objects.filter(training_class=lesson.training_class, person=person).exists():
        raise DomainError("not_enrolled", _("The person is not enrolled in this lesson's class."))
    if timezone.localdate(at) != timezone.localdate(lesson.starts_at):
        raise DomainError("time_not_sane", _("The time is not on the lesson's day."))
    if AttendanceEvent.objects.filter(lesson=lesson, person=person, event=event, at=at).exists():
        raise Conflict("duplicate_event", _("This event is already recorded."))
    record = AttendanceEvent(
        lesson=lesson, person=person, event=event, at=at, source=AttendanceSource.MANUAL, device_code=note[:64]
    )
    audited_create(record)
    mark_hours_stale([lesson.training_class_id])
    return record


def _hash_key(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def device_register(
    *, actor, organization: Organization, device_code: str, kind: str, name: str = ""
) -> tuple[AttendanceDevice, str]:
    """Register an attendance device or online platform; its key is shown once and stored only as a hash."""
    require_perm(actor, Perm.DEVICE_MANAGE)
    _require_own(actor, organization)
    if AttendanceDevice.objects.filter(device_code=device_code).exists():
        raise Conflict("device_exists", _("A device with this code is already registered."))
    raw = "dv_" + secrets.token_urlsafe(32)
    device = AttendanceDevice(
        device_code=device_code.strip(),
        organization=organization,
        kind=kind,
        name=name,
        key_prefix=raw[:10],
        key_hash=_hash_key(raw),
    )
    audited_create(device)
    return device, raw


def device_authenticate(raw: str) -> AttendanceDevice | None:
    if not raw or not raw.startswith("dv_"):
        return None
    device = AttendanceDevice.objects.select_related("organization").filter(key_hash=_hash_key(raw)).first()
    if device is None or not device.is_active:
        return None
    return device


@transaction.atomic
def archive_amend(
    *,
    actor,
    training_class: TrainingClass,
    reason: str,
    add_events: list[dict] | None = None,
    move_events: list[dict] | None = None,
) -> ArchiveSeal:
    """Change a sealed archive: add attendance events (with evidence named in ``reason``) or correct their
    times. Records who, why and what, recomputes the hours and re-seals with the amendment in the chain."""
    require_perm(actor, Perm.ARCHIVE_AMEND)
    _require_own(actor, training_class.organization)
    if training_class.status != ClassStatus.CLOSED:
        raise Conflict("not_sealed", _("Only a sealed archive is amended; an open class is simply corrected."))
    if not reason or not reason.strip():
        raise DomainError("reason_required", _("Say why the sealed archive is changed."))
    mismatch = next(
        (m for _id, m in archive.verify([training_class.pk]) if m is not None), None
    )  # never amend a tampered archive
    if mismatch is not None:
        raise Conflict(
            "archive_tampered",
            _("The archive no longer matches its seal (%(sections)s): it must be investigated, not amended."),
            {"sections": ", ".join(mismatch.sections)},
        )
    changes: list[dict] = []
    lessons = {lesson.lesson_code: lesson for lesson in training_class.lessons.all()}
    for spec in add_events or []:
        lesson = lessons.get(spec["lesson_code"])
        person = Person.objects.filter(id_number=spec["id_number"]).first()
        if lesson is None or person is None:
            raise DomainError("amendment_invalid", _("Unknown lesson or person in the amendment."))
        if not training_class.enrolments.filter(person=person).exists():
            raise DomainError("not_enrolled", _("The person is not enrolled in this lesson's class."))
        event = AttendanceEvent.objects.create(
            lesson=lesson,
            person=person,
            event=spec["event"],
            at=spec["at"],
            source=AttendanceSource.MANUAL,
            device_code="amendment",
        )
        changes.append(
            {"op": "add_event", "lesson": lesson.lesson_code, "person": person.masked_id_number,
             "event": event.event, "at": event.at.isoformat()}
        )  # fmt: skip
    for spec in move_events or []:
        event = AttendanceEvent.objects.select_related("lesson", "person").get(
            pk=spec["event_id"], lesson__training_class=training_class
        )
        old = event.at
        event.at = spec["at"]
        event.save(update_fields=["at"])
        changes.append(
            {"op": "move_event", "lesson": event.lesson.lesson_code, "person": event.person.masked_id_number,
             "event": event.event, "from": old.isoformat(), "to": event.at.isoformat()}
        )  # fmt: skip
    if not changes:
        raise DomainError("amendment_empty", _("The amendment changes nothing."))
    sequence = (training_class.amendments.order_by("-sequence").values_list("sequence", flat=True).first() or 0) + 1
    amendment = ArchiveAmendment(
        training_class=training_class,
        sequence=sequence,
        actor=actor,
        actor_label=current_context().actor_label,
        reason=reason.strip(),
        changes=changes,
    )
    audited_create(amendment)  # the change log gets the who, why and what (the changes) with it
    hours.recompute([training_class.pk])
    return _seal(training_class, actor=actor, reason=f"{_('Amendment')} {sequence}: {reason.strip()}"[:200])


MAX_BATCH_EVENTS = 5000


def attendance_ingest(*, device: AttendanceDevice, batch_id: str, events: list[dict]) -> AttendanceBatch:
    """Take a batch of events from a device or platform. Idempotent: a batch id already received returns the
    stored outcome and changes nothing. Each event is checked (enrolled person, known lesson of the
    device's organisation, open class, sane time); rejected events are reported back with their reasons."""
    from peikao.core.i18n import both
    from peikao.training.imports import AttendanceChecker, insert_attendance

    batch_id = (batch_id or "").strip()
    if not batch_id or len(batch_id) > 100:
        raise DomainError("batch_id_required", _("A batch needs a batch_id of at most 100 characters."))
    if len(events) > MAX_BATCH_EVENTS:
        raise DomainError("batch_too_large", _("At most %(n)d events a batch."), {"n": MAX_BATCH_EVENTS})
    existing = AttendanceBatch.objects.filter(device=device, batch_id=batch_id).first()
    if existing is not None:
        return existing
    now = timezone.now()
    checker = AttendanceChecker(organization_id=device.organization_id)
    checker.load({str(e.get("lesson_code", "")) for e in events}, {str(e.get("id_number", "")).upper() for e in events})
    rows: list[tuple] = []
    report: list[dict] = []
    classes: set[int] = set()
    default_source = AttendanceSource.ONLINE if device.kind == "online" else device.kind
    for index, item in enumerate(events):
        at = _parse_at(item.get("at"))
        source = item.get("source") or default_source
        ids, problem = checker.check(
            str(item.get("lesson_code", "")), str(item.get("id_number", "")).upper(), item.get("event"), at, now
        )
        if problem is None and source not in AttendanceSource.values:
            problem = ("source", _("Unknown source."), {})
        if problem is not None:
            zh, en = both(problem[1], problem[2])
            report.append({"index": index, "field": problem[0], "reason_zh": zh, "reason_en": en})
            continue
        rows.append((ids[0], ids[2], item["event"], at, source, device.device_code, None, None, now))
        classes.add(ids[1])
    with transaction.atomic():
        batch = AttendanceBatch.objects.create(
            device=device,
            batch_id=batch_id,
            received_at=now,
            request_id=current_context().request_id,
            rejected=len(report),
            report=report,
        )
        rows = [row[:6] + (batch.pk,) + row[7:] for row in rows]
        inserted = insert_attendance(rows) if rows else 0
        batch.accepted, batch.duplicates = inserted, len(rows) - inserted
        batch.save(update_fields=["accepted", "duplicates"])
        AttendanceDevice.objects.filter(pk=device.pk).update(last_seen_at=now)
        mark_hours_stale(classes)
    return batch


def _parse_at(value) -> dt.datetime | None:
    """ISO 8601; without an offset, Beijing time (docs/exchange.md)."""
    from django.utils.dateparse import parse_datetime

    if not isinstance(value, str):
        return None
    try:
        parsed = parse_datetime(value)
    except ValueError:
        return None
    if parsed is None:
        return None
    if timezone.is_naive(parsed):
        parsed = parsed.replace(tzinfo=dt.timezone(dt.timedelta(hours=8)))
    return parsed
