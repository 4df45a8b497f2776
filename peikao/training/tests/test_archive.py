"""Sealed archives: tampering by direct SQL is caught, amendments re-seal, verify_archives reports."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.db import connection

from peikao.core.errors import Conflict
from peikao.testing.factories import at
from peikao.training import archive, services
from peikao.training.choices import ClassStatus
from peikao.training.models import ArchiveAmendment, AttendanceEvent, CreditedHours, TrainingClass
from peikao.training.tests.conftest import specops_data

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 3, 2)


@pytest.fixture
def sealed(school):
    training_class = services.class_create(
        actor=school["clerk"], organization=school["institution"], data=specops_data(syllabus="1")
    )
    lesson = services.lesson_create(
        actor=school["clerk"], training_class=training_class, lesson_code="L-1", mode="theory",
        starts_at=at(DAY, "09:00"), ends_at=at(DAY, "09:45"), teacher=school["teacher"],
    )  # fmt: skip
    for person in school["trainees"]:
        services.enrolment_add(actor=school["clerk"], training_class=training_class, person=person)
    first, second, _third = school["trainees"]
    AttendanceEvent.objects.create(lesson=lesson, person=first, event="in", at=at(DAY, "09:00"), source="face")
    AttendanceEvent.objects.create(lesson=lesson, person=first, event="out", at=at(DAY, "09:45"), source="face")
    AttendanceEvent.objects.create(lesson=lesson, person=second, event="in", at=at(DAY, "09:30"), source="face")
    TrainingClass.objects.filter(pk=training_class.pk).update(status=ClassStatus.ACCEPTED)
    training_class.refresh_from_db()
    services.class_close(actor=school["clerk"], training_class=training_class, today=dt.date(2026, 3, 6))
    training_class.refresh_from_db()
    return training_class, lesson


def verify_one(training_class):
    return next(mismatch for _pk, mismatch in archive.verify([training_class.pk]))


def test_a_fresh_seal_verifies(sealed):
    training_class, _lesson = sealed
    assert verify_one(training_class) is None
    hours = {c.enrolment.person.name: c for c in CreditedHours.objects.select_related("enrolment__person")}
    assert sum(1 for c in hours.values() if c.completed) == 1  # the only trainee who stayed 45 minutes


@pytest.mark.parametrize(
    "sql,section",
    [
        ("UPDATE training_attendanceevent SET at = at - INTERVAL '30 minutes' WHERE event = 'in'", "attendance"),
        ("UPDATE training_creditedhours SET credited_tenths = 10, completed = TRUE", "hours"),
        ("UPDATE training_lesson SET ends_at = ends_at + INTERVAL '2 hours'", "lessons"),
        ("UPDATE training_trainingclass SET required_tenths = 5", "class"),
        ("DELETE FROM training_attendanceevent WHERE event = 'out'", "attendance"),
    ],
)
def test_a_direct_sql_edit_of_a_sealed_row_is_caught(sealed, sql, section):
    training_class, _lesson = sealed
    if connection.vendor == "sqlite":
        sql = (
            sql.replace("at - INTERVAL '30 minutes'", "datetime(at, '-30 minutes')")
            .replace("ends_at + INTERVAL '2 hours'", "datetime(ends_at, '+2 hours')")
            .replace("TRUE", "1")
        )
    with connection.cursor() as cursor:
        cursor.execute(sql)
    mismatch = verify_one(training_class)
    assert mismatch is not None and section in mismatch.sections


def test_verify_archives_command_reports_and_exits_1(sealed):
    training_class, _lesson = sealed
    out = io.StringIO()
    call_command("verify_archives", stdout=out)
    assert "0 do not match" in out.getvalue()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE training_attendanceevent SET source = 'manual'")
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("verify_archives", "--class", training_class.class_code, stdout=out)
    assert exit_info.value.code == 1
    assert f"MISMATCH {training_class.class_code}: changed attendance" in out.getvalue()


def test_a_closed_class_whose_seal_was_deleted_is_reported(sealed):
    training_class, _lesson = sealed
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM training_archiveseal")
    assert verify_one(training_class).sections == ["seal"]


def test_an_amendment_records_who_why_what_and_reseals(school, sealed):
    training_class, lesson = sealed
    second = school["trainees"][1]
    new_seal = services.archive_amend(
        actor=school["admin"],
        training_class=training_class,
        reason="纸质签到表第3页显示该学员09:45签退，设备当时离线",
        add_events=[{"lesson_code": "L-1", "id_number": second.id_number, "event": "out", "at": at(DAY, "09:45")}],
    )
    assert new_seal.sequence == 2 and new_seal.previous_head
    amendment = ArchiveAmendment.objects.get()
    assert amendment.actor == school["admin"] and "签到表" in amendment.reason
    assert amendment.changes[0]["op"] == "add_event" and "*" in amendment.changes[0]["person"]
    assert verify_one(training_class) is None
    # The amendment is in the chain: editing it afterwards is caught like any other record.
    with connection.cursor() as cursor:
        cursor.execute("UPDATE training_archiveamendment SET reason = 'x'")
    assert "amendments" in verify_one(training_class).sections


def test_a_tampered_archive_cannot_be_amended(school, sealed):
    training_class, _lesson = sealed
    with connection.cursor() as cursor:
        cursor.execute("UPDATE training_creditedhours SET credited_tenths = 99")
    with pytest.raises(Conflict) as raised:
        services.archive_amend(
            actor=school["admin"], training_class=training_class, reason="补录",
            add_events=[{"lesson_code": "L-1", "id_number": school["trainees"][2].id_number, "event": "in",
                         "at": at(DAY, "09:00")}],
        )  # fmt: skip
    assert raised.value.code == "archive_tampered"
