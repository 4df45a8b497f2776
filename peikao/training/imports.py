"""Exchange files of training: classes.csv, lessons.csv, attendance.csv, and the class_hours export."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peikao.core.errors import DomainError
from peikao.core.exchange import Column, ExchangeKind, ExportContext, ImportContext, Row, WriteCounts, register
from peikao.core.scoping import region_code_range
from peikao.registry.models import Industry, OperationItem, Organization, Person
from peikao.training import services
from peikao.training.attendance import AttendanceChecker
from peikao.training.choices import (
    AttendanceKind,
    AttendanceSource,
    ClassStatus,
    LessonMode,
    TraineeCategory,
    TrainingType,
)
from peikao.training.models import AttendanceEvent, CreditedHours, Enrolment, Lesson, TrainingClass
from peikao.training.rules import SEALED, lesson_problem, organization_may_train, requirement, teacher_problem

OUTSIDE = _("Outside your jurisdiction: you may not import this row.")


def _visible(model, user):
    return model.objects.visible_to(user) if user is not None else model.objects.all()


def _writer_may_change(ctx: ImportContext, organization: Organization) -> bool:
    user = ctx.user
    if ctx.unrestricted:
        return True
    if user.is_org_member:
        return user.organization_id == organization.pk
    return user.is_regulator and organization.region_id.startswith(user.region.prefix)


@register
class ClassesKind(ExchangeKind):
    """classes.csv — 培训班 (key: class_code). Trainees (a ``;`` list of ID numbers) are enrolled too."""

    name = "classes"
    title = _("Training classes")
    key = ("class_code",)
    exports_id_numbers = True
    columns = (
        Column("class_code", "班级编号", required=True),
        Column("org_code", "培训单位编码", required=True),
        Column("trainee_category", "培训对象", required=True),
        Column("training_type", "培训类型", required=True),
        Column("operation_item", "作业项目"),
        Column("industry", "行业"),
        Column("syllabus_hours", "大纲学时"),
        Column("start_date", "开始日期", required=True),
        Column("end_date", "结束日期", required=True),
        Column("trainees", "学员身份证号", id_number=True),
    )

    def prepare(self, rows: list[Row], ctx: ImportContext) -> None:
        codes = {row.raw("org_code") for row in rows}
        ctx.cache["orgs"] = {o.org_code: o for o in _visible(Organization, ctx.user).filter(org_code__in=codes)}
        ctx.cache["classes"] = {
            c.class_code: c
            for c in TrainingClass.objects.filter(class_code__in=[row.raw("class_code") for row in rows])
        }
        numbers = {n.upper() for row in rows for n in row.items("trainees")}
        ctx.cache["persons"] = dict(Person.objects.filter(id_number__any=list(numbers)).values_list("id_number", "pk"))
        ctx.cache.setdefault("items", {i.code: i for i in OperationItem.objects.all()})
        ctx.cache.setdefault("industries", {i.code: i for i in Industry.objects.all()})

    def clean(self, row: Row, ctx: ImportContext) -> dict[str, Any]:
        code = row.text("class_code", required=True, max_length=40)
        org = ctx.cache["orgs"].get(row.raw("org_code"))
        if row.raw("org_code") and org is None:
            row.fail("org_code", _("No such organisation in your jurisdiction."), code="unknown_org")
        category = row.choice("trainee_category", TraineeCategory, required=True)
        training_type = row.choice("training_type", TrainingType, required=True)
        item = ctx.cache["items"].get(row.raw("operation_item")) if row.raw("operation_item") else None
        if row.raw("operation_item") and item is None:
            row.fail("operation_item", _("Unknown operation item code."))
        if category == TraineeCategory.SPECIAL_OPERATOR and not row.raw("operation_item"):
            row.fail("operation_item", _("A class for special-operations workers needs an operation item."))
        industry = ctx.cache["industries"].get(row.raw("industry")) if row.raw("industry") else None
        if row.raw("industry") and industry is None:
            row.fail("industry", _("Unknown industry code."))
        syllabus = row.decimal("syllabus_hours", min_value=Decimal("0.1"), max_value=Decimal("999"))
        if syllabus is not None:
            syllabus = syllabus.quantize(Decimal("0.1"))
        start, end = row.date("start_date", required=True), row.date("end_date", required=True)
        if start and end and end < start:
            row.fail("end_date", _("The end date is before the start date."), code="date_order")
        trainees = []
        for number in row.items("trainees"):
            pk = ctx.cache["persons"].get(number.upper())
            if pk is None:
                row.fail(
                    "trainees", _("No person with ID number %(n)s: import persons first."), {"n": number[:4] + "…"}
                )
            else:
                trainees.append(pk)
        existing = ctx.cache["classes"].get(code)
        if org is not None and row.ok:
            if not _writer_may_change(ctx, org):
                row.fail("org_code", OUTSIDE, code="scope")
            elif existing is not None and existing.organization_id != org.pk:
                row.fail("org_code", _("This class belongs to another organisation."), code="scope")
            elif existing is not None and existing.status == ClassStatus.CLOSED:
                row.fail("class_code", SEALED, code="archive_sealed")
            else:
                try:
                    if existing is None:  # a class already on record is not refused for its organisation's status now
                        organization_may_train(org, category=category, item=item)
                    need = requirement(
                        category=category, industry=industry or org.industry, training_type=training_type,
                        syllabus_hours=syllabus, on=start,
                    )  # fmt: skip
                except DomainError as error:
                    row.fail("org_code" if "organization" in error.code or "item" in error.code else "syllabus_hours",
                             error.message, error.params, code=error.code)  # fmt: skip
                    need = None
        return {
            "class_code": code,
            "org": org,
            "trainee_category": category,
            "training_type": training_type,
            "operation_item": item,
            "industry": industry,
            "syllabus_hours": syllabus,
            "start_date": start,
            "end_date": end,
            "trainees": trainees,
            "existing": existing,
            "requirement": need if row.ok else None,
        }

    def write(self, rows: list[tuple[int, dict[str, Any]]], ctx: ImportContext) -> WriteCounts:
        return services.classes_write_bulk(actor=ctx.user, rows=[data for _number, data in rows])

    def export_rows(self, ctx: ExportContext) -> Iterator[dict[str, str]]:
        queryset = _visible(TrainingClass, ctx.user).select_related("organization", "operation_item", "industry")
        if ctx.region is not None:
            queryset = queryset.filter(organization__region__code__range=region_code_range(ctx.region.prefix))
        queryset = queryset.order_by("class_code")
        for training_class in queryset.iterator(chunk_size=1000):
            trainees = list(
                Enrolment.objects.filter(training_class=training_class)
                .order_by("person__id_number")
                .values_list("person_id", "person__id_number")
            )
            yield {
                "class_code": training_class.class_code,
                "org_code": training_class.organization.org_code,
                "trainee_category": training_class.trainee_category,
                "training_type": training_class.training_type,
                "operation_item": training_class.operation_item.code if training_class.operation_item_id else "",
                "industry": training_class.industry.code if training_class.industry_id else "",
                "syllabus_hours": "" if training_class.syllabus_hours is None else str(training_class.syllabus_hours),
                "start_date": training_class.start_date.isoformat(),
                "end_date": training_class.end_date.isoformat(),
                "trainees": ";".join(number for _pk, number in trainees),
                "_persons": trainees,
            }

    def export_person_ids(self, row):
        return row["_persons"]


@register
class LessonsKind(ExchangeKind):
    """lessons.csv — 课次 (key: lesson_code)."""

    name = "lessons"
    title = _("Lessons")
    key = ("lesson_code",)
    exports_id_numbers = True
    columns = (
        Column("lesson_code", "课次编号", required=True),
        Column("class_code", "班级编号", required=True),
        Column("mode", "授课方式", required=True),
        Column("starts_at", "开始时间", required=True),
        Column("ends_at", "结束时间", required=True),
        Column("teacher_id_number", "授课教师身份证号", id_number=True),
        Column("venue", "场地"),
    )

    def prepare(self, rows: list[Row], ctx: ImportContext) -> None:
        codes = {row.raw("class_code") for row in rows}
        classes = _visible(TrainingClass, ctx.user).filter(class_code__in=codes).select_related("organization")
        ctx.cache["classes"] = {c.class_code: c for c in classes}
        ctx.cache["lessons"] = {
            lesson.lesson_code: lesson
            for lesson in Lesson.objects.filter(lesson_code__in=[row.raw("lesson_code") for row in rows])
        }
        numbers = [row.raw("teacher_id_number").upper() for row in rows if row.raw("teacher_id_number")]
        ctx.cache["teachers"] = {p.id_number: p for p in Person.objects.filter(id_number__any=numbers)}

    def clean(self, row: Row, ctx: ImportContext) -> dict[str, Any]:
        code = row.text("lesson_code", required=True, max_length=60)
        training_class = ctx.cache["classes"].get(row.raw("class_code"))
        if row.raw("class_code") and training_class is None:
            row.fail("class_code", _("No such class in your jurisdiction."), code="unknown_class")
        mode = row.choice("mode", LessonMode, required=True)
        starts_at, ends_at = row.datetime("starts_at", required=True), row.datetime("ends_at", required=True)
        teacher = None
        if row.raw("teacher_id_number"):
            number = row.id_number("teacher_id_number")
            teacher = ctx.cache["teachers"].get(number)
            if number and teacher is None:
                row.fail("teacher_id_number", _("No person with this ID number: import persons first."))
        venue = row.text("venue", max_length=200)
        existing = ctx.cache["lessons"].get(code)
        if training_class is not None and row.ok and starts_at and ends_at:
            if not _writer_may_change(ctx, training_class.organization):
                row.fail("class_code", OUTSIDE, code="scope")
            elif training_class.status in (ClassStatus.CLOSED, ClassStatus.CANCELLED):
                row.fail("class_code", SEALED, code="archive_sealed")
            elif existing is not None and existing.training_class_id != training_class.pk:
                row.fail("lesson_code", _("This lesson belongs to another class."), code="scope")
            else:
                problem = lesson_problem(training_class, mode=mode, starts_at=starts_at, ends_at=ends_at)
                if problem:
                    row.fail("starts_at", problem[0], problem[1], code="lesson_time")
                problem = teacher_problem(
                    organization=training_class.organization, teacher=teacher, mode=mode,
                    on=timezone.localdate(starts_at),
                )  # fmt: skip
                if problem:
                    row.fail("teacher_id_number", problem[0], problem[1], code="teacher")
        return {
            "lesson_code": code,
            "training_class_id": training_class.pk if training_class else None,
            "mode": mode,
            "starts_at": starts_at,
            "ends_at": ends_at,
            "teacher_id": teacher.pk if teacher else None,
            "venue": venue,
        }

    def write(self, rows: list[tuple[int, dict[str, Any]]], ctx: ImportContext) -> WriteCounts:
        data = [cleaned for _number, cleaned in rows]
        return services.lessons_upsert_bulk(actor=ctx.user, rows=data, existing=ctx.cache["lessons"])

    def export_rows(self, ctx: ExportContext) -> Iterator[dict[str, str]]:
        queryset = _visible(Lesson, ctx.user).select_related("training_class", "teacher")
        if ctx.region is not None:
            queryset = queryset.filter(
                training_class__organization__region__code__range=region_code_range(ctx.region.prefix)
            )
        for lesson in queryset.order_by("lesson_code").iterator(chunk_size=5000):
            yield {
                "lesson_code": lesson.lesson_code,
                "class_code": lesson.training_class.class_code,
                "mode": lesson.mode,
                "starts_at": timezone.localtime(lesson.starts_at).isoformat(),
                "ends_at": timezone.localtime(lesson.ends_at).isoformat(),
                "teacher_id_number": lesson.teacher.id_number if lesson.teacher_id else "",
                "venue": lesson.venue,
                "_teacher": (lesson.teacher_id, lesson.teacher.id_number) if lesson.teacher_id else None,
            }

    def export_person_ids(self, row):
        return [row["_teacher"]] if row["_teacher"] else []


@register
class AttendanceFileKind(ExchangeKind):
    """attendance.csv — 考勤 (key: lesson_code, id_number, event, at). A row already recorded is unchanged."""

    name = "attendance"
    title = _("Attendance")
    key = ("lesson_code", "id_number", "event", "at")
    exports_id_numbers = True
    unique_keys_in_file = False  # the same event twice is the same fact: no memory of millions of keys
    pipelined = True
    columns = (
        Column("lesson_code", "课次编号", required=True),
        Column("id_number", "身份证号", required=True, id_number=True),
        Column("event", "事件", required=True),
        Column("at", "时间", required=True),
        Column("source", "来源", required=True),
        Column("device_id", "设备编号"),
    )

    def prepare(self, rows: list[Row], ctx: ImportContext) -> None:
        checker = ctx.cache.get("checker")
        if checker is None:
            organization_id = ctx.user.organization_id if ctx.user is not None and ctx.user.is_org_member else None
            checker = ctx.cache["checker"] = AttendanceChecker(
                organization_id=organization_id, user=ctx.user, unrestricted=ctx.unrestricted
            )
            ctx.cache["now"] = timezone.now()
            ctx.cache["classes"] = set()
        checker.load({row.raw("lesson_code") for row in rows}, {row.raw("id_number").upper() for row in rows})

    def clean(self, row: Row, ctx: ImportContext) -> dict[str, Any]:
        number = row.id_number("id_number")
        event = row.choice("event", AttendanceKind, required=True)
        at = row.datetime("at", required=True)
        source = row.choice("source", AttendanceSource, required=True)
        device = row.text("device_id", max_length=64)
        if not row.ok:
            return {}
        ids, problem = ctx.cache["checker"].check(row.raw("lesson_code"), number, event, at, ctx.cache["now"])
        if problem:
            row.fail(problem[0], problem[1], problem[2], code="attendance")
            return {}
        return {"ids": ids, "event": event, "at": at, "source": source, "device": device}

    def row_key(self, cleaned):
        return (cleaned["ids"][0], cleaned["ids"][2], cleaned["event"], cleaned["at"])

    def write(self, rows: list[tuple[int, dict[str, Any]]], ctx: ImportContext) -> WriteCounts:
        now = timezone.now()
        run_id = ctx.run.pk if ctx.run is not None else None
        values = [
            (c["ids"][0], c["ids"][2], c["event"], c["at"], c["source"], c["device"], None, run_id, now)
            for _number, c in rows
        ]
        inserted = services.attendance_insert_bulk(rows=values)
        ctx.cache["classes"] |= {c["ids"][1] for _number, c in rows}
        return WriteCounts(imported=inserted, unchanged=len(values) - inserted)

    def finish(self, ctx: ImportContext) -> None:
        classes = ctx.cache.get("classes")
        if classes:
            # Attendance rows carry their import run; the change log says which classes each run touched.
            services.attendance_import_finish(class_ids=classes, run_id=ctx.run.pk if ctx.run else None)

    def export_rows(self, ctx: ExportContext) -> Iterator[dict[str, str]]:
        queryset = _visible(AttendanceEvent, ctx.user)
        if ctx.region is not None:
            queryset = queryset.filter(
                lesson__training_class__organization__region__code__range=region_code_range(ctx.region.prefix)
            )
        rows = queryset.order_by("lesson__lesson_code", "person__id_number", "at", "event").values_list(
            "lesson__lesson_code", "person_id", "person__id_number", "event", "at", "source", "device_code"
        )
        for lesson, person_id, number, event, at, source, device in rows.iterator(chunk_size=20000):
            yield {
                "lesson_code": lesson,
                "id_number": number,
                "event": event,
                "at": timezone.localtime(at).isoformat(),
                "source": source,
                "device_id": device,
                "_pk": person_id,
            }

    def export_person_ids(self, row):
        return [(row["_pk"], row["id_number"])]


@register
class ClassHoursKind(ExchangeKind):
    """class_hours — 学时核算 (export only): credited hours per enrolment, computed by Peikao."""

    name = "class_hours"
    title = _("Credited hours")
    key = ("class_code", "id_number")
    importable = False
    exports_id_numbers = True
    columns = (
        Column("class_code", "班级编号"),
        Column("id_number", "身份证号", id_number=True),
        Column("credited_hours", "已认定学时"),
        Column("required_hours", "应修学时"),
        Column("completed", "是否完成"),
    )

    def export_rows(self, ctx: ExportContext) -> Iterator[dict[str, str]]:
        classes = _visible(TrainingClass, ctx.user)
        if ctx.region is not None:
            classes = classes.filter(organization__region__code__range=region_code_range(ctx.region.prefix))
        services.refresh_hours(classes.filter(hours_stale=True).values_list("pk", flat=True))
        rows = (
            CreditedHours.objects.filter(enrolment__training_class__in=classes.values("pk"))
            .order_by("enrolment__training_class__class_code", "enrolment__person__id_number")
            .values_list(
                "enrolment__training_class__class_code", "enrolment__person_id", "enrolment__person__id_number",
                "credited_tenths", "required_tenths", "completed",
            )
        )  # fmt: skip
        for class_code, person_id, number, credited, required, completed in rows.iterator(chunk_size=20000):
            yield {
                "class_code": class_code,
                "id_number": number,
                "credited_hours": f"{credited // 10}.{credited % 10}",
                "required_hours": f"{required // 10}.{required % 10}",
                "completed": "true" if completed else "false",
                "_pk": person_id,
            }

    def export_person_ids(self, row):
        return [(row["_pk"], row["id_number"])]
