"""Training API: classes and filing, lessons, trainees, hours, archives; attendance batches from devices.

(No `from __future__ import annotations` here: django-ninja reads the annotations at import time.)
"""

import datetime as dt
from decimal import Decimal

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from ninja.security import HttpBearer

from peikao.core.errors import DomainError
from peikao.core.paging import ApiPagination
from peikao.core.schemas import Moment
from peikao.registry import selectors as registry_selectors
from peikao.registry.models import Industry, OperationItem, Person
from peikao.registry.selectors import label_persons
from peikao.training import selectors, services
from peikao.training.choices import ClassStatus, LessonMode, TraineeCategory, TrainingType

router = Router(tags=["training"])


class DeviceAuth(HttpBearer):
    """``Authorization: Bearer dv_…``: the key of a registered attendance device or learning platform."""

    openapi_description = "Device key (register the device under 培训 → 考勤设备)."

    def authenticate(self, request, token):
        device = services.device_authenticate(token)
        if device is not None:
            request.device = device
        return device


class ClassOut(Schema):
    class_code: str
    name: str
    org_code: str
    trainee_category: TraineeCategory
    training_type: TrainingType
    operation_item: str | None
    industry: str | None
    syllabus_hours: Decimal | None
    start_date: dt.date
    end_date: dt.date
    status: ClassStatus
    required_hours: Decimal
    required_basis: str

    @staticmethod
    def resolve_org_code(obj):
        return obj.organization.org_code

    @staticmethod
    def resolve_operation_item(obj):
        return obj.operation_item.code if obj.operation_item_id else None

    @staticmethod
    def resolve_industry(obj):
        return obj.industry.code if obj.industry_id else None


class ClassIn(Schema):
    class_code: str
    org_code: str
    name: str = ""
    trainee_category: TraineeCategory
    training_type: TrainingType
    operation_item: str | None = None
    industry: str | None = None
    syllabus_hours: Decimal | None = Field(None, gt=0, le=999)
    start_date: dt.date
    end_date: dt.date


class ClassFilters(Schema):
    q: str | None = None
    status: ClassStatus | None = None
    trainee_category: TraineeCategory | None = None
    organization: str | None = None


class ReasonIn(Schema):
    reason: str = ""


class LessonIn(Schema):
    lesson_code: str
    mode: LessonMode
    starts_at: Moment
    ends_at: Moment
    teacher_id_number: str | None = None
    venue: str = ""


class LessonOut(Schema):
    lesson_code: str
    mode: LessonMode
    starts_at: dt.datetime
    ends_at: dt.datetime
    teacher_name: str | None
    venue: str

    @staticmethod
    def resolve_teacher_name(obj):
        return obj.teacher.name if obj.teacher_id else None


class TraineeIn(Schema):
    id_number: str
    name: str = ""


class EnrolIn(Schema):
    """Trainees by ID number and name; ``id_numbers`` alone serve for persons your organisation entered before."""

    trainees: list[TraineeIn] = []
    id_numbers: list[str] = []


class EnrolOut(Schema):
    enrolled: int
    already: int


class HoursOut(Schema):
    person_id: int
    name: str
    id_number_masked: str
    credited_hours: Decimal
    required_hours: Decimal
    short_hours: Decimal
    completed: bool


class SealOut(Schema):
    sequence: int
    head: str
    record_count: int
    sealed_at: dt.datetime
    reason: str


class ArchiveOut(Schema):
    sealed: bool
    seals: list[SealOut]
    intact: bool | None
    changed_sections: list[str]


class AttendanceEventIn(Schema):
    lesson_code: str
    id_number: str
    event: str
    at: str
    source: str | None = None


class BatchIn(Schema):
    batch_id: str
    events: list[AttendanceEventIn]


class RejectedOut(Schema):
    index: int
    field: str
    reason_zh: str
    reason_en: str


class BatchOut(Schema):
    batch_id: str
    accepted: int
    duplicates: int
    rejected: int
    report: list[RejectedOut]


def _class_data(payload: ClassIn) -> services.ClassData:
    item = get_object_or_404(OperationItem, code=payload.operation_item) if payload.operation_item else None
    industry = get_object_or_404(Industry, code=payload.industry) if payload.industry else None
    return services.ClassData(
        class_code=payload.class_code,
        name=payload.name,
        trainee_category=payload.trainee_category,
        training_type=payload.training_type,
        operation_item=item,
        industry=industry,
        syllabus_hours=payload.syllabus_hours,
        start_date=payload.start_date,
        end_date=payload.end_date,
    )


@router.get("/classes", response=list[ClassOut], summary="Training classes in your jurisdiction")
@paginate(ApiPagination)
def class_list(request, filters: Query[ClassFilters]):
    return selectors.class_list(user=request.user, filters={k: v for k, v in filters.dict().items() if v is not None})


@router.post("/classes", response={201: ClassOut}, summary="Open a class (a draft, to be filed)")
def class_create(request, payload: ClassIn):
    organization = registry_selectors.organization_get(user=request.user, org_code=payload.org_code)
    if payload.end_date < payload.start_date:
        raise DomainError("date_order", _("The end date is before the start date."))
    created = services.class_create(actor=request.user, organization=organization, data=_class_data(payload))
    return Status(201, selectors.class_get(user=request.user, class_code=created.class_code))


@router.get("/classes/{class_code}", response=ClassOut, summary="One class")
def class_get(request, class_code: str):
    return selectors.class_get(user=request.user, class_code=class_code)


def _transition(request, class_code: str, action: str, reason: str = ""):
    training_class = selectors.class_get(user=request.user, class_code=class_code)
    actor = request.user
    if action == "file":
        services.class_file(actor=actor, training_class=training_class)
    elif action == "accept":
        services.class_accept(actor=actor, training_class=training_class, reason=reason)
    elif action == "return":
        services.class_return(actor=actor, training_class=training_class, reason=reason)
    elif action == "cancel":
        services.class_cancel(actor=actor, training_class=training_class, reason=reason)
    elif action == "close":
        services.class_close(actor=actor, training_class=training_class)
    return selectors.class_get(user=request.user, class_code=class_code)


@router.post("/classes/{class_code}/file", response=ClassOut, summary="File the class (开班备案)")
def class_file(request, class_code: str):
    return _transition(request, class_code, "file")


@router.post("/classes/{class_code}/accept", response=ClassOut, summary="Accept a filing (regulator)")
def class_accept(request, class_code: str, payload: ReasonIn):
    return _transition(request, class_code, "accept", payload.reason)


@router.post("/classes/{class_code}/return", response=ClassOut, summary="Return a filing with the reason (regulator)")
def class_return(request, class_code: str, payload: ReasonIn):
    return _transition(request, class_code, "return", payload.reason)


@router.post("/classes/{class_code}/cancel", response=ClassOut, summary="Cancel a class")
def class_cancel(request, class_code: str, payload: ReasonIn):
    return _transition(request, class_code, "cancel", payload.reason)


@router.post("/classes/{class_code}/close", response=ClassOut, summary="Close an ended class and seal its archive")
def class_close(request, class_code: str):
    return _transition(request, class_code, "close")


@router.get("/classes/{class_code}/lessons", response=list[LessonOut], summary="Lessons of a class")
def lesson_list(request, class_code: str):
    training_class = selectors.class_get(user=request.user, class_code=class_code)
    return list(selectors.lessons(user=request.user, training_class=training_class))


@router.post("/classes/{class_code}/lessons", response={201: LessonOut}, summary="Add a lesson")
def lesson_create(request, class_code: str, payload: LessonIn):
    training_class = selectors.class_get(user=request.user, class_code=class_code)
    teacher = None
    if payload.teacher_id_number:
        teacher = Person.objects.filter(id_number=payload.teacher_id_number.strip().upper()).first()
        if teacher is None:
            raise DomainError("unknown_teacher", _("No person with this ID number: import persons first."))
    lesson = services.lesson_create(
        actor=request.user,
        training_class=training_class,
        lesson_code=payload.lesson_code,
        mode=payload.mode,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        teacher=teacher,
        venue=payload.venue,
    )
    return Status(201, lesson)


@router.post("/classes/{class_code}/enrolments", response=EnrolOut, summary="Enrol trainees by ID number")
def enrol(request, class_code: str, payload: EnrolIn):
    training_class = selectors.class_get(user=request.user, class_code=class_code)
    trainees = [(t.id_number, t.name) for t in payload.trainees] + [(number, "") for number in payload.id_numbers]
    enrolled, already = services.enrolments_enter(actor=request.user, training_class=training_class, trainees=trainees)
    return {"enrolled": enrolled, "already": already}


@router.get("/classes/{class_code}/hours", response=list[HoursOut], summary="Credited hours of every trainee")
def class_hours(request, class_code: str):
    training_class = selectors.class_get(user=request.user, class_code=class_code)
    services.class_hours_refresh(training_class=training_class)
    rows = []
    enrolments = list(selectors.class_hours(user=request.user, training_class=training_class))
    label_persons(user=request.user, persons=[e.person for e in enrolments])
    for enrolment in enrolments:
        credited = getattr(enrolment, "credited", None)
        credited_hours = credited.credited_hours if credited else Decimal(0)
        rows.append(
            {
                "person_id": enrolment.person_id,
                "name": enrolment.person.label,
                "id_number_masked": enrolment.person.masked_id_number,
                "credited_hours": credited_hours,
                "required_hours": training_class.required_hours,
                "short_hours": max(Decimal(0), training_class.required_hours - credited_hours),
                "completed": bool(credited and credited.completed),
            }
        )
    return rows


@router.get("/classes/{class_code}/archive", response=ArchiveOut, summary="The sealed archive and its check")
def class_archive(request, class_code: str):
    training_class = selectors.class_get(user=request.user, class_code=class_code)
    seal_rows = list(selectors.seals(user=request.user, training_class=training_class))
    mismatch = selectors.archive_check(user=request.user, training_class=training_class) if seal_rows else None
    return {
        "sealed": bool(seal_rows),
        "seals": seal_rows,
        "intact": (mismatch is None) if seal_rows or training_class.status == ClassStatus.CLOSED else None,
        "changed_sections": mismatch.sections if mismatch else [],
    }


@router.post(
    "/attendance/batches",
    response={200: BatchOut},
    auth=DeviceAuth(),
    summary="Attendance events from a device or learning platform (idempotent per batch_id)",
)
def attendance_batch(request, payload: BatchIn):
    batch = services.attendance_ingest(
        device=request.device, batch_id=payload.batch_id, events=[event.dict() for event in payload.events]
    )
    return {
        "batch_id": batch.batch_id,
        "accepted": batch.accepted,
        "duplicates": batch.duplicates,
        "rejected": batch.rejected,
        "report": batch.report,
    }
