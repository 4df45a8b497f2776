"""Training's write path: classes and their filing, lessons, trainees, attendance, hours and archives.

One module per sub-domain; every public name is importable from here."""

from peikao.training.rules import lesson_problem, organization_may_train, teacher_problem
from peikao.training.services.archives import archive_amend
from peikao.training.services.attendance import (
    ATTENDANCE_COLUMNS,
    MAX_BATCH_EVENTS,
    attendance_import_finish,
    attendance_ingest,
    attendance_insert_bulk,
    attendance_record,
    device_authenticate,
    device_deactivate,
    device_register,
)
from peikao.training.services.classes import (
    EDITABLE_STATUSES,
    RUNNING_STATUSES,
    ClassData,
    class_accept,
    class_cancel,
    class_close,
    class_create,
    class_file,
    class_return,
    class_update,
    classes_write_bulk,
)
from peikao.training.services.credited_hours import class_hours_refresh, mark_hours_stale, refresh_hours
from peikao.training.services.lessons import (
    enrolment_add,
    enrolments_add_bulk,
    enrolments_enter,
    lesson_create,
    lessons_upsert_bulk,
)

__all__ = [
    "ATTENDANCE_COLUMNS",
    "EDITABLE_STATUSES",
    "MAX_BATCH_EVENTS",
    "RUNNING_STATUSES",
    "ClassData",
    "archive_amend",
    "attendance_import_finish",
    "attendance_ingest",
    "attendance_insert_bulk",
    "attendance_record",
    "class_accept",
    "class_cancel",
    "class_close",
    "class_create",
    "class_file",
    "class_hours_refresh",
    "class_return",
    "class_update",
    "classes_write_bulk",
    "device_authenticate",
    "device_deactivate",
    "device_register",
    "enrolment_add",
    "enrolments_add_bulk",
    "enrolments_enter",
    "lesson_create",
    "lesson_problem",
    "lessons_upsert_bulk",
    "mark_hours_stale",
    "organization_may_train",
    "refresh_hours",
    "teacher_problem",
]
