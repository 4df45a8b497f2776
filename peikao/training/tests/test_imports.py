"""classes.csv and lessons.csv: rules, scope, idempotency, and export that re-imports unchanged."""

from __future__ import annotations

import io

import pytest

from peikao.core.exchange.runner import run_export, run_import
from peikao.training.choices import ClassStatus
from peikao.training.models import Enrolment, Lesson, TrainingClass

pytestmark = pytest.mark.django_db


def table(header, rows):
    return io.BytesIO(("\n".join([",".join(header)] + [",".join(r) for r in rows]) + "\n").encode())


CLASS_HEADER = ["class_code", "org_code", "trainee_category", "training_type", "operation_item", "industry",
                "syllabus_hours", "start_date", "end_date", "trainees"]  # fmt: skip


def test_classes_import_computes_requirements_and_enrols(school):
    org = school["institution"].org_code
    trainees = ";".join(p.id_number for p in school["trainees"][:2])
    rows = [
        ["C-1", org, "special_operator", "initial", "1.2", "", "56", "2026-04-01", "2026-04-10", trainees],
        ["C-2", org, "principal", "initial", "", "hazardous_chemicals", "", "2026-04-01", "2026-04-05", ""],
    ]
    result = run_import(kind_name="classes", source=table(CLASS_HEADER, rows), filename="c.csv", user=school["clerk"])
    assert result.ok, result.problems
    c1, c2 = TrainingClass.objects.get(class_code="C-1"), TrainingClass.objects.get(class_code="C-2")
    assert (c1.required_tenths, c1.status) == (560, ClassStatus.DRAFT)  # an institution's import is a draft
    assert (c2.required_tenths, c2.required_basis) == (480, "order_3 art. 9")
    assert Enrolment.objects.filter(training_class=c1).count() == 2
    again = run_import(kind_name="classes", source=table(CLASS_HEADER, rows), filename="c.csv", user=school["clerk"])
    assert again.summary == "imported 0, updated 0, unchanged 2, rejected 0"


def test_classes_import_refuses_what_the_institution_may_not_run(school):
    org = school["institution"].org_code
    rows = [
        ["C-3", org, "special_operator", "initial", "9.3", "", "56", "2026-04-01", "2026-04-10", ""],  # not approved
        ["C-4", org, "special_operator", "initial", "", "", "56", "2026-04-01", "2026-04-10", ""],  # no item
        ["C-5", org, "special_operator", "initial", "1.2", "", "", "2026-04-01", "2026-04-10", ""],  # no syllabus
        ["C-6", "NOPE", "principal", "initial", "", "", "", "2026-04-01", "2026-04-10", ""],
    ]
    result = run_import(kind_name="classes", source=table(CLASS_HEADER, rows), filename="c.csv", user=school["clerk"])
    codes = {(p.row, p.code) for p in result.problems}
    assert {(2, "item_not_approved"), (4, "syllabus_hours_required"), (5, "unknown_org")} <= codes
    assert any(row == 3 for row, _code in codes)
    assert not TrainingClass.objects.exists()


def test_a_regulator_import_records_accepted_classes_and_another_county_is_refused(school):
    org = school["institution"].org_code
    rows = [["C-7", org, "principal", "initial", "", "general", "", "2026-04-01", "2026-04-05", ""]]
    refused = run_import(
        kind_name="classes", source=table(CLASS_HEADER, rows), filename="c.csv", user=school["other_county"]
    )
    assert refused.status == "rejected"
    accepted = run_import(
        kind_name="classes", source=table(CLASS_HEADER, rows), filename="c.csv", user=school["province"]
    )
    assert accepted.ok and TrainingClass.objects.get(class_code="C-7").status == ClassStatus.ACCEPTED


LESSON_HEADER = ["lesson_code", "class_code", "mode", "starts_at", "ends_at", "teacher_id_number", "venue"]


def test_lessons_import_checks_times_and_teachers(school):
    from peikao.testing.factories import PersonFactory

    org = school["institution"].org_code
    run_import(
        kind_name="classes", filename="c.csv", user=school["clerk"],
        source=table(CLASS_HEADER, [["C-1", org, "special_operator", "initial", "1.2", "", "56", "2026-04-01", "2026-04-10", ""]]),
    )  # fmt: skip
    teacher, stranger = school["teacher"].id_number, PersonFactory().id_number
    rows = [
        ["L-1", "C-1", "theory", "2026-04-01T09:00:00", "2026-04-01T11:15:00", teacher, "一号教室"],
        ["L-2", "C-1", "online", "2026-04-02T09:00:00", "2026-04-02T10:00:00", "", ""],
        ["L-3", "C-1", "theory", "2026-04-03T09:00:00", "2026-04-03T11:15:00", stranger, ""],
        ["L-4", "C-1", "practical", "2026-04-04T18:00:00", "2026-04-05T01:00:00", teacher, ""],
        ["L-5", "C-1", "theory", "2026-04-20T09:00:00", "2026-04-20T10:00:00", teacher, ""],
    ]
    result = run_import(kind_name="lessons", source=table(LESSON_HEADER, rows), filename="l.csv", user=school["clerk"])
    assert {(p.row, p.column) for p in result.problems} == {
        (4, "teacher_id_number"),
        (5, "starts_at"),
        (6, "starts_at"),
    }
    ok = run_import(kind_name="lessons", source=table(LESSON_HEADER, rows[:2]), filename="l.csv", user=school["clerk"])
    assert ok.ok and Lesson.objects.count() == 2


def test_training_exports_reimport_unchanged(school, tmp_path):
    org = school["institution"].org_code
    trainees = ";".join(p.id_number for p in school["trainees"])
    run_import(
        kind_name="classes", filename="c.csv",
        source=table(CLASS_HEADER, [["C-1", org, "special_operator", "initial", "1.2", "", "56", "2026-04-01", "2026-04-10", trainees]]),
    )  # fmt: skip
    run_import(
        kind_name="lessons", filename="l.csv",
        source=table(LESSON_HEADER, [["L-1", "C-1", "theory", "2026-04-01T09:00:00", "2026-04-01T11:15:00", school["teacher"].id_number, "一号教室"]]),
    )  # fmt: skip
    for kind in ("classes", "lessons"):
        path = tmp_path / f"{kind}.xlsx"
        with open(path, "wb") as fh:
            assert run_export(kind_name=kind, target=fh, filename=path.name) == 1
        result = run_import(kind_name=kind, source=path, filename=path.name)
        assert result.summary == "imported 0, updated 0, unchanged 1, rejected 0", (kind, result.problems)
