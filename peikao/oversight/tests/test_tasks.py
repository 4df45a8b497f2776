"""The oversight tasks (issue 15, issue 17): enqueued, they run the detectors and the grades as the commands do; the
scheduler's nightly run of the detectors records what it found."""

import datetime as dt

import pytest
from django.test import override_settings
from django_tasks import TaskResultStatus

from peikao.core.models import ScheduledRun, ScheduledRunStatus
from peikao.core.schedule import schedule_due
from peikao.oversight import tasks
from peikao.oversight.models import Alert
from peikao.oversight.tests.helpers import exam_point, result, sitting
from peikao.registry.choices import OrganizationKind
from peikao.registry.models import OperationItem
from peikao.testing.exams import make_bank

pytestmark = pytest.mark.django_db

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def bank():
    """60 true/false questions: code → correct answer."""
    questions = make_bank(OperationItem.objects.get(code="1.2"), judge=60, single=0)
    return {q.question_code: q.answer for q in questions}


def _copied_papers(bank):
    """Two papers of one sitting: 12 identical wrong answers, one question answered apart, the rest right."""
    the_sitting = sitting(exam_point())
    codes = list(bank)
    flip = {"T": "F", "F": "T"}
    a = {code: flip[bank[code]] if index < 12 else bank[code] for index, code in enumerate(codes)}
    b = {**a, codes[12]: flip[bank[codes[12]]]}
    result(the_sitting, answers=a, seconds=3000)
    result(the_sitting, answers=b, seconds=3300)


@override_settings(TASKS=IMMEDIATE)
def test_enqueueing_the_detect_task_runs_the_detectors(bank):
    _copied_papers(bank)
    outcome = tasks.detect.enqueue()
    assert outcome.status == TaskResultStatus.SUCCESSFUL, outcome.errors
    value = outcome.return_value
    assert value["detectors"]["EXM-IDENTICAL-ANSWERS"] == {"found": 1, "created": 1}
    assert value["found"] == value["created"] == Alert.objects.count() == 1
    assert set(value["detectors"]) >= {"TRN-DAY-OVERLOAD", "EXM-PASS-RATE-OUTLIER"}  # every detector ran
    again = tasks.detect.enqueue(detectors=["EXM-IDENTICAL-ANSWERS"]).return_value
    assert again == {"detectors": {"EXM-IDENTICAL-ANSWERS": {"found": 1, "created": 0}}, "found": 1, "created": 0}


@override_settings(TASKS=IMMEDIATE)
def test_enqueueing_the_grade_task_recomputes_the_grades():
    exam_point()
    outcome = tasks.grade.enqueue()
    assert outcome.status == TaskResultStatus.SUCCESSFUL, outcome.errors
    grades = outcome.return_value["grades"]
    assert sum(grades[OrganizationKind.EXAM_POINT].values()) >= 1
    assert outcome.return_value["exit_proposals"] == 0


@override_settings(TASKS=IMMEDIATE)
def test_the_nightly_detectors_run_is_enqueued_once_and_keeps_its_counts(bank):
    _copied_papers(bank)
    now = dt.datetime(2026, 12, 7, 2, 5, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    [first] = schedule_due(now=now, only=["detect"])
    [second] = schedule_due(now=now + dt.timedelta(hours=3), only=["detect"])
    assert first.enqueued and not second.enqueued
    run = ScheduledRun.objects.get(job="detect")
    assert run.status == ScheduledRunStatus.SUCCEEDED
    assert run.summary["found"] == 1 and run.summary["detectors"]["EXM-IDENTICAL-ANSWERS"]["created"] == 1
    assert Alert.objects.count() == 1
