"""Grades recomputed set-based with history and notices, overrides with reason and end, the command (issue 17)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from peikao.core.audit import audit_context
from peikao.core.errors import DomainError, PermissionDenied
from peikao.core.models import ChangeLog
from peikao.oversight.grading import rules
from peikao.oversight.grading.models import Grade, GradeEvent
from peikao.oversight.grading.services.grades import grade_override, grade_override_end, grades_recompute
from peikao.oversight.tests import grading_records as rec
from peikao.oversight.tests.helpers import institution, region

pytestmark = pytest.mark.django_db
AS_OF = rec.AS_OF


def test_letter_bands_on_both_sides_of_each_edge():
    bands = {"max_a": Decimal(0), "max_b": Decimal(9), "max_c": Decimal(24)}
    assert rules.letter(Decimal(-3), **bands) == "A"
    assert rules.letter(Decimal(0), **bands) == "A"
    assert rules.letter(Decimal(1), **bands) == "B"
    assert rules.letter(Decimal(9), **bands) == "B"
    assert rules.letter(Decimal(10), **bands) == "C"
    assert rules.letter(Decimal(24), **bands) == "C"
    assert rules.letter(Decimal(25), **bands) == "D"


def test_recompute_grades_every_subject_with_an_event_each_and_counts_per_grade():
    clean, risky = institution(), institution()
    rec.findings(risky, 5)  # 10
    rec.decision(risky, "suspend")  # 10 (+ its inspection has no findings)
    rec.decision(risky, "fine")  # 3 → 23: C
    with audit_context(label="test"):
        summary = grades_recompute(actor=None, region=region("350102"), as_of=AS_OF)
    assert summary["training_institution"]["A"] >= 1
    assert summary["training_institution"]["C"] == 1
    grade = Grade.objects.get(organization=risky)
    assert (grade.computed, grade.score, grade.indicator_set_id) == ("C", Decimal(23), "2026.1")
    assert grade.details["FINDINGS"] == {"n": 5, "points": "10.00"}
    assert Grade.objects.get(organization=clean).computed == "A"
    event = GradeEvent.objects.get(grade=grade)
    assert (event.old_status, event.new_status, event.change, event.indicator_set_version) == (
        "",
        "C",
        "computed",
        "2026.1",
    )
    assert ChangeLog.objects.filter(object_id=str(grade.pk), action="create").exists()


def test_a_rerun_with_nothing_new_changes_nothing_and_a_change_leaves_an_event():
    org = institution()
    grades_recompute(actor=None, region=region("350102"), as_of=AS_OF)
    grades_recompute(actor=None, region=region("350102"), as_of=AS_OF)
    grade = Grade.objects.get(organization=org)
    assert grade.events.count() == 1
    rec.findings(org, 1)
    grades_recompute(actor=None, region=region("350102"), as_of=AS_OF)
    grade.refresh_from_db()
    assert grade.computed == "B"
    assert list(grade.events.values_list("old_status", "new_status")) == [("", "A"), ("A", "B")]


def test_the_record_after_the_as_of_day_does_not_count():
    org = institution()
    rec.findings(org, 5, day=AS_OF + dt.timedelta(days=2))
    grades_recompute(actor=None, region=region("350102"), as_of=AS_OF)
    assert Grade.objects.get(organization=org).computed == "A"


def test_a_later_grading_at_the_same_grade_lengthens_its_streak():
    org = institution()
    grades_recompute(actor=None, region=region("350102"), as_of=AS_OF)
    grades_recompute(actor=None, region=region("350102"), as_of=AS_OF)  # the same day: not again
    assert Grade.objects.get(organization=org).streak == 1
    grade = Grade.objects.get(organization=org)
    assert not ChangeLog.objects.filter(object_id=str(grade.pk), action="update").exists()
    later = AS_OF + dt.timedelta(days=31)
    grades_recompute(actor=None, region=region("350102"), as_of=later)
    grade.refresh_from_db()
    assert (grade.streak, grade.as_of) == (2, later)
    logged = ChangeLog.objects.get(object_id=str(grade.pk), action="update")  # the streak never grows unlogged
    assert (logged.before, logged.after) == (
        {"streak": 1, "as_of": AS_OF.isoformat()},
        {"streak": 2, "as_of": later.isoformat()},
    )


def test_override_needs_reason_and_end_and_jurisdiction(world):
    org = world.orgs["ti_a"]
    grades_recompute(actor=None, region=region("350102"), as_of=AS_OF)
    grade = Grade.objects.get(organization=org)
    admin = world.users["province_admin"]
    until = dt.date.today() + dt.timedelta(days=90)
    with pytest.raises(DomainError) as refused:
        grade_override(actor=admin, grade=grade, letter="D", reason=" ", until=until)
    assert refused.value.code == "override_reason"
    with pytest.raises(DomainError) as refused:
        grade_override(actor=admin, grade=grade, letter="D", reason="群众举报", until=dt.date.today())
    assert refused.value.code == "override_until"
    with pytest.raises(PermissionDenied):
        grade_override(actor=world.users["ti_admin"], grade=grade, letter="A", reason="自评", until=until)
    grade.refresh_from_db()
    assert grade.override == "" and grade.events.count() == 1  # nothing written by a refusal
    event = grade_override(actor=admin, grade=grade, letter="D", reason="群众举报", until=until)
    grade.refresh_from_db()
    assert (grade.effective, grade.computed, event.change, event.reason) == ("D", "A", "override", "群众举报")
    assert ChangeLog.objects.filter(object_id=str(grade.pk), action="update").exists()
    grade_override_end(actor=admin, grade=grade, reason="核查无问题")
    grade.refresh_from_db()
    assert grade.effective == "A" and grade.override == ""


def test_an_override_outside_the_jurisdiction_is_refused(world):
    grades_recompute(actor=None, region=None, as_of=AS_OF)
    grade = Grade.objects.get(organization=world.orgs["ti_c"])  # 江西
    with pytest.raises(PermissionDenied):
        grade_override(
            actor=world.users["province_admin"],
            grade=grade,
            letter="D",
            reason="x",
            until=dt.date.today() + dt.timedelta(days=9),
        )


def test_an_override_that_ended_is_lifted_by_the_next_recompute_with_an_event(world):
    org = world.orgs["ti_a"]
    grades_recompute(actor=None, region=region("350102"), as_of=AS_OF)
    grade = Grade.objects.get(organization=org)
    grade_override(
        actor=world.users["province_admin"],
        grade=grade,
        letter="D",
        reason="专项整治",
        until=dt.date.today() + dt.timedelta(1),
    )
    grades_recompute(actor=None, region=region("350102"), as_of=dt.date.today() + dt.timedelta(days=5))
    grade.refresh_from_db()
    assert grade.override == "" and grade.override_until is None
    assert grade.events.filter(change="override_ended").count() == 1


def test_command_prints_a_line_per_kind_with_the_count_per_grade():
    institution()
    out = StringIO()
    call_command("grade", "--region", "350102", "--as-of", AS_OF.isoformat(), stdout=out)
    lines = out.getvalue().strip().splitlines()
    assert len(lines) == 4 and lines[3].startswith("exit_proposals")
    assert lines[0].startswith("training_institution 培训机构")
    assert "A=" in lines[0] and "D=" in lines[0]


def test_command_refuses_a_bad_date_or_region_in_both_languages():
    with pytest.raises(CommandError) as bad:
        call_command("grade", "--as-of", "2026-13-01")
    assert "不是日期" in str(bad.value) or "/" in str(bad.value)
    with pytest.raises(CommandError):
        call_command("grade", "--region", "999999")
