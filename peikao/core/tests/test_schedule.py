"""Scheduled jobs without cron (issue 15): when a job falls due, that the scheduler enqueues each period's run once
and only once, and that the run records when, how long and what came out, on the immediate and the database
backend."""

import datetime as dt

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, transaction
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from peikao.core.models import ScheduledRun, ScheduledRunStatus
from peikao.core.schedule import Job, jobs, schedule_due

pytestmark = pytest.mark.django_db

BEIJING = dt.timezone(dt.timedelta(hours=8))
CALLS: list[str] = []

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
DATABASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
SCHEDULE = {
    "nightly": {"task": "peikao.core.tests.test_schedule.nightly_job", "every": "day", "at": "02:00"},
    "weekly": {"task": "peikao.core.tests.test_schedule.broken_job", "every": "week", "weekday": 1, "at": "03:00"},
}


def nightly_job() -> dict:
    CALLS.append("nightly")
    return {"found": 3}


def broken_job() -> dict:
    CALLS.append("weekly")
    raise RuntimeError("the data is not there")


def at(day: str, hhmm: str) -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{hhmm}:00").replace(tzinfo=BEIJING)


@pytest.fixture(autouse=True)
def _calls():
    CALLS.clear()
    yield
    CALLS.clear()


def test_a_daily_job_falls_due_at_its_time_and_a_weekly_one_on_its_day():
    nightly = Job(name="n", task_path="x", every="day", at=dt.time(2))
    weekly = Job(name="w", task_path="x", every="week", at=dt.time(3), weekday=1)
    # 2026-12-07 is a Monday
    assert nightly.due_at(at("2026-12-07", "01:59")) == at("2026-12-06", "02:00")
    assert nightly.due_at(at("2026-12-07", "02:00")) == at("2026-12-07", "02:00")
    assert nightly.due_at(at("2026-12-07", "23:00")) == at("2026-12-07", "02:00")
    assert weekly.due_at(at("2026-12-07", "02:59")) == at("2026-11-30", "03:00")
    assert weekly.due_at(at("2026-12-07", "03:00")) == at("2026-12-07", "03:00")
    assert weekly.due_at(at("2026-12-13", "23:59")) == at("2026-12-07", "03:00")


def test_the_settings_schedule_names_the_detectors_nightly_and_the_grades_weekly():
    by_name = {job.name: job for job in jobs()}
    assert by_name["detect"].task_path == "peikao.oversight.tasks.detect" and by_name["detect"].every == "day"
    assert by_name["grade"].task_path == "peikao.oversight.tasks.grade" and by_name["grade"].every == "week"
    assert callable(by_name["detect"].callable())


@override_settings(PEIKAO_SCHEDULE={"bad": {"task": "x", "every": "fortnight"}})
def test_a_wrong_schedule_entry_is_a_configuration_error():
    with pytest.raises(ImproperlyConfigured, match="every"):
        jobs()


@override_settings(TASKS=IMMEDIATE, PEIKAO_SCHEDULE=SCHEDULE)
def test_a_due_job_is_enqueued_once_per_period_and_its_run_recorded():
    now = at("2026-12-07", "02:30")
    first = {o.job: o for o in schedule_due(now=now, only=["nightly"])}
    assert first["nightly"].enqueued and CALLS == ["nightly"]
    run = ScheduledRun.objects.get(job="nightly")
    assert run.due_at == at("2026-12-07", "02:00")
    assert run.status == ScheduledRunStatus.SUCCEEDED and run.summary == {"found": 3}
    assert run.started_at is not None and run.finished_at >= run.started_at and run.seconds >= 0
    assert run.task_id
    # later the same day, and again: the period's run is there, nothing is enqueued
    for later in (at("2026-12-07", "09:00"), at("2026-12-08", "01:59")):
        [again] = schedule_due(now=later, only=["nightly"])
        assert not again.enqueued and again.run.pk == run.pk
    assert CALLS == ["nightly"] and ScheduledRun.objects.count() == 1
    # the next night is a new period
    [next_night] = schedule_due(now=at("2026-12-08", "02:00"), only=["nightly"])
    assert next_night.enqueued and CALLS == ["nightly", "nightly"]
    assert list(ScheduledRun.objects.values_list("due_at", flat=True)) == [at("2026-12-08", "02:00"), run.due_at]


@override_settings(TASKS=IMMEDIATE, PEIKAO_SCHEDULE=SCHEDULE)
def test_a_failing_job_is_recorded_failed_with_its_error_and_not_retried_in_its_period():
    [outcome] = schedule_due(now=at("2026-12-09", "12:00"), only=["weekly"])
    assert outcome.enqueued
    run = ScheduledRun.objects.get(job="weekly")
    assert run.due_at == at("2026-12-07", "03:00")
    assert run.status == ScheduledRunStatus.FAILED and "RuntimeError: the data is not there" in run.error
    assert run.finished_at is not None
    schedule_due(now=at("2026-12-10", "12:00"), only=["weekly"])
    assert CALLS == ["weekly"]


@override_settings(TASKS=IMMEDIATE, PEIKAO_SCHEDULE=SCHEDULE)
def test_a_run_whose_worker_stopped_is_marked_failed_after_the_stale_time_not_before():
    def running(job, started):
        return ScheduledRun.objects.create(
            job=job, due_at=at("2026-12-07", "02:00"), enqueued_at=started, started_at=started,
            status=ScheduledRunStatus.RUNNING,
        )  # fmt: skip

    stopped = running("nightly", at("2026-12-07", "02:00"))
    working = running("weekly", at("2026-12-07", "05:01"))
    with override_settings(PEIKAO={**settings.PEIKAO, "SCHEDULE_STALE_MINUTES": 180}):
        schedule_due(now=at("2026-12-07", "08:00"), only=["nobody"])
    stopped.refresh_from_db()
    working.refresh_from_db()
    assert stopped.status == ScheduledRunStatus.FAILED and "180" in stopped.error
    assert stopped.finished_at == at("2026-12-07", "08:00")
    assert working.status == ScheduledRunStatus.RUNNING  # started 179 minutes ago: still within its time


def test_the_database_refuses_a_second_run_of_one_job_in_one_period():
    due = at("2026-12-07", "02:00")
    ScheduledRun.objects.create(job="nightly", due_at=due)
    with pytest.raises(IntegrityError), transaction.atomic():
        ScheduledRun.objects.create(job="nightly", due_at=due)


@override_settings(TASKS=DATABASE, PEIKAO_SCHEDULE=SCHEDULE)
def test_on_the_database_backend_the_run_waits_for_the_worker_and_two_schedulers_enqueue_one_task(monkeypatch):
    # the worker closes connections it finds in a transaction: the test's own, which holds the test's data
    monkeypatch.setattr("django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None)
    now = at("2026-12-07", "02:30")
    schedule_due(now=now)
    schedule_due(now=now)  # a second scheduler (or the same one a minute later)
    assert CALLS == []  # nothing ran in the scheduler
    assert ScheduledRun.objects.filter(status=ScheduledRunStatus.ENQUEUED).count() == 2
    assert DBTaskResult.objects.count() == 2  # one task per job, not per scheduler
    assert set(DBTaskResult.objects.values_list("task_path", flat=True)) == {"peikao.core.schedule.run_scheduled_job"}
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    assert sorted(CALLS) == ["nightly", "weekly"]
    runs = {run.job: run for run in ScheduledRun.objects.all()}
    assert runs["nightly"].status == ScheduledRunStatus.SUCCEEDED and runs["nightly"].summary == {"found": 3}
    assert runs["weekly"].status == ScheduledRunStatus.FAILED
    assert str(DBTaskResult.objects.get(id=runs["nightly"].task_id).status) == "SUCCESSFUL"


@override_settings(TASKS=IMMEDIATE, PEIKAO_SCHEDULE=SCHEDULE)
def test_the_command_says_what_it_enqueued_and_refuses_an_unknown_job(capsys):
    call_command("schedule", "--job", "nightly")
    out = capsys.readouterr().out
    assert out.startswith("nightly: enqueued (due ") and "weekly" not in out
    call_command("schedule", "--job", "nightly")
    assert "nightly: already enqueued" in capsys.readouterr().out
    with pytest.raises(CommandError, match="monthly"):
        call_command("schedule", "--job", "monthly")


class _Stop(Exception):
    pass


@override_settings(TASKS=IMMEDIATE, PEIKAO_SCHEDULE=SCHEDULE)
def test_the_loop_checks_every_interval_and_enqueues_each_period_once(monkeypatch, capsys):
    naps = []

    def nap(seconds):
        naps.append(seconds)
        if len(naps) == 3:
            raise _Stop

    monkeypatch.setattr("peikao.core.management.commands.schedule.time.sleep", nap)
    # between checks the loop lets go of an old connection; in the test's transaction that would close the test's
    # own connection on PostgreSQL (autocommit is off inside it)
    monkeypatch.setattr("peikao.core.management.commands.schedule.close_old_connections", lambda: None)
    with pytest.raises(_Stop):
        call_command("schedule", "--loop", "--interval", "5", "--job", "nightly")
    assert naps == [5, 5, 5] and CALLS == ["nightly"]  # three checks, one run
    assert capsys.readouterr().out.count("nightly: enqueued") == 1
