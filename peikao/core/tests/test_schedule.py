"""Scheduled jobs without cron (issue 15): when a job falls due, that the scheduler enqueues each period's run once
and only once, and that the run records when, how long and what came out, on the immediate and the database
backend."""

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, transaction
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from peikao.core.i18n import render
from peikao.core.management.commands.schedule import SKIPPED
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
def test_a_failed_run_is_retried_in_its_period_after_the_delay_up_to_its_attempts():
    def check(day, hhmm):
        with time_machine.travel(at(day, hhmm), tick=False):
            [outcome] = schedule_due(only=["weekly"])
        return outcome

    first = check("2026-12-09", "12:00")
    assert first.enqueued and first.run.attempt == 1 and first.attempts == 3
    assert first.run.due_at == at("2026-12-07", "03:00")
    assert first.run.status == ScheduledRunStatus.FAILED and "RuntimeError: the data is not there" in first.run.error
    assert first.run.finished_at == at("2026-12-09", "12:00") and first.retry_at == at("2026-12-09", "12:15")
    waiting = check("2026-12-09", "12:14")  # the delay has not passed
    assert not waiting.enqueued and waiting.run.pk == first.run.pk and waiting.retry_at == at("2026-12-09", "12:15")
    assert CALLS == ["weekly"]
    second = check("2026-12-09", "12:15")
    assert second.enqueued and second.run.attempt == 2 and second.run.status == ScheduledRunStatus.FAILED
    assert second.run.due_at == first.run.due_at and CALLS == ["weekly", "weekly"]
    third = check("2026-12-09", "12:40")
    assert third.enqueued and third.run.attempt == 3 and third.retry_at is None  # the last one
    for later in (("2026-12-09", "13:00"), ("2026-12-13", "23:59")):  # no attempt left in this period
        spent = check(*later)
        assert not spent.enqueued and spent.run.pk == third.run.pk and spent.retry_at is None
    assert CALLS == ["weekly"] * 3
    runs = list(ScheduledRun.objects.filter(job="weekly"))
    assert [run.attempt for run in runs] == [3, 2, 1]  # each attempt its row: its own times, error and task
    assert len({run.task_id for run in runs}) == 3 and all("the data is not there" in run.error for run in runs)
    # the next period starts again at attempt 1
    following = check("2026-12-14", "03:00")
    assert following.enqueued and following.run.attempt == 1 and following.run.due_at == at("2026-12-14", "03:00")


@override_settings(TASKS=IMMEDIATE)
def test_a_job_sets_its_attempts_and_their_delay_and_one_attempt_means_no_retry():
    entry = SCHEDULE["weekly"]
    with override_settings(PEIKAO_SCHEDULE={"weekly": {**entry, "attempts": 1}}):
        [job] = jobs()
        assert job.attempts == 1
        with time_machine.travel(at("2026-12-07", "03:00"), tick=False):
            [outcome] = schedule_due()
        assert outcome.enqueued and outcome.retry_at is None
        with time_machine.travel(at("2026-12-07", "09:00"), tick=False):
            [outcome] = schedule_due()
        assert not outcome.enqueued and CALLS == ["weekly"]
    with override_settings(PEIKAO_SCHEDULE={"weekly": {**entry, "attempts": 2, "retry_minutes": 120}}):
        with time_machine.travel(at("2026-12-07", "04:59"), tick=False):
            [outcome] = schedule_due()
        assert not outcome.enqueued and outcome.retry_at == at("2026-12-07", "05:00")
    assert {job.name: (job.attempts, job.retry_minutes) for job in jobs()} == {"detect": (3, 15), "grade": (3, 15)}


@pytest.mark.parametrize(
    ("entry", "key"),
    [({"attempts": 0}, "attempts"), ({"attempts": "3"}, "attempts"), ({"attempts": True}, "attempts"),
     ({"retry_minutes": -1}, "retry_minutes"), ({"retry_minutes": 1.5}, "retry_minutes")],
)  # fmt: skip
def test_a_wrong_number_of_attempts_or_delay_is_a_configuration_error(entry, key):
    with (
        override_settings(PEIKAO_SCHEDULE={"weekly": {**SCHEDULE["weekly"], **entry}}),
        pytest.raises(ImproperlyConfigured, match=key),
    ):
        jobs()


@override_settings(TASKS=IMMEDIATE, PEIKAO_SCHEDULE=SCHEDULE)
def test_a_run_whose_worker_stopped_is_retried_once_marked_failed():
    ScheduledRun.objects.create(
        job="nightly", due_at=at("2026-12-07", "02:00"), enqueued_at=at("2026-12-07", "02:00"),
        started_at=at("2026-12-07", "02:00"), status=ScheduledRunStatus.RUNNING,
    )  # fmt: skip
    with override_settings(PEIKAO={**settings.PEIKAO, "SCHEDULE_STALE_MINUTES": 60}):
        [marked] = schedule_due(now=at("2026-12-07", "03:01"), only=["nightly"])
        assert not marked.enqueued and marked.run.status == ScheduledRunStatus.FAILED
        assert marked.retry_at == at("2026-12-07", "03:16") and CALLS == []
        [retried] = schedule_due(now=at("2026-12-07", "03:16"), only=["nightly"])
    assert retried.enqueued and retried.run.attempt == 2 and retried.run.status == ScheduledRunStatus.SUCCEEDED
    assert CALLS == ["nightly"]


@override_settings(TASKS=DATABASE, PEIKAO_SCHEDULE=SCHEDULE)
def test_two_schedulers_retrying_one_failed_run_enqueue_one_attempt(monkeypatch):
    due = at("2026-12-07", "02:00")
    failed = ScheduledRun.objects.create(
        job="nightly", due_at=due, status=ScheduledRunStatus.FAILED, finished_at=at("2026-12-07", "02:01")
    )
    [winner] = schedule_due(now=at("2026-12-07", "02:30"), only=["nightly"])
    assert winner.enqueued and winner.run.attempt == 2
    # a second scheduler that read the period's attempts before the first wrote its retry
    monkeypatch.setattr("peikao.core.schedule.latest_attempt", lambda job, due: failed)
    [loser] = schedule_due(now=at("2026-12-07", "02:30"), only=["nightly"])
    assert not loser.enqueued and loser.run.pk == winner.run.pk
    assert ScheduledRun.objects.filter(job="nightly").count() == 2 and DBTaskResult.objects.count() == 1


@override_settings(TASKS=IMMEDIATE, PEIKAO_SCHEDULE=SCHEDULE)
def test_after_missed_periods_one_run_catches_up_named_by_the_latest_due_time_and_the_command_says_so(capsys):
    with time_machine.travel(at("2026-12-06", "02:05"), tick=False):
        call_command("schedule", "--job", "nightly")
    assert "skipped" not in capsys.readouterr().out  # the first run ever skips nothing
    # the scheduler was down for the nights of 7, 8 and 9 December and comes back in the morning of the 9th
    with time_machine.travel(at("2026-12-09", "08:00"), tick=False):
        call_command("schedule", "--job", "nightly")
        [again] = schedule_due(only=["nightly"])
    out = capsys.readouterr().out
    assert CALLS == ["nightly", "nightly"]  # one catch-up run, not three
    assert list(ScheduledRun.objects.values_list("due_at", flat=True)) == [
        at("2026-12-09", "02:00"),
        at("2026-12-06", "02:00"),
    ]
    assert not again.enqueued and again.skipped == 0
    assert out.startswith("nightly: enqueued (due 2026-12-09 02:00) — ")
    for language in ("zh-hans", "en"):
        assert render(SKIPPED, language, {"count": 2}) in out  # the nights of the 7th and the 8th
    assert "2" in render(SKIPPED, "en", {"count": 2})


@override_settings(TASKS=DATABASE)
def test_missed_periods_are_counted_in_the_schedule_calendar():
    nightly = Job(name="nightly", task_path="x", every="day", at=dt.time(2))
    weekly = Job(name="weekly", task_path="x", every="week", at=dt.time(3), weekday=1)
    assert nightly.periods_skipped(at("2026-12-06", "02:00"), at("2026-12-07", "02:00")) == 0
    assert nightly.periods_skipped(at("2026-12-06", "02:00"), at("2026-12-09", "02:00")) == 2
    assert nightly.periods_skipped(at("2026-12-06", "01:00"), at("2026-12-07", "02:00")) == 0  # the hour changed
    assert weekly.periods_skipped(at("2026-11-30", "03:00"), at("2026-12-21", "03:00")) == 2
    with override_settings(PEIKAO_SCHEDULE=SCHEDULE):
        ScheduledRun.objects.create(job="weekly", due_at=at("2026-11-16", "03:00"))
        [outcome] = schedule_due(now=at("2026-12-09", "12:00"), only=["weekly"])
    assert outcome.enqueued and outcome.due_at == at("2026-12-07", "03:00") and outcome.skipped == 2


def test_a_run_names_its_due_time_in_beijing_time_and_its_attempt_after_the_first():
    ScheduledRun.objects.create(job="nightly", due_at=at("2026-12-07", "02:00"))
    ScheduledRun.objects.create(job="nightly", due_at=at("2026-12-07", "02:00"), attempt=2)
    first, second = ScheduledRun.objects.order_by("attempt")  # read back: the database gives UTC
    assert first.due_at.utcoffset() == dt.timedelta(0)
    assert str(first) == "nightly 2026-12-07 02:00" and str(second) == "nightly 2026-12-07 02:00 #2"


@override_settings(TASKS=IMMEDIATE, PEIKAO_SCHEDULE=SCHEDULE)
def test_the_command_says_which_attempt_it_enqueued_and_when_the_next_may_go(capsys):
    with time_machine.travel(at("2026-12-07", "03:00"), tick=False):
        call_command("schedule", "--job", "weekly")
        call_command("schedule", "--job", "weekly")
    with time_machine.travel(at("2026-12-07", "03:15"), tick=False):
        call_command("schedule", "--job", "weekly")
    first, waiting, retried = capsys.readouterr().out.splitlines()
    assert first == "weekly: enqueued (due 2026-12-07 03:00)"
    assert (
        waiting
        == "weekly: already enqueued (due 2026-12-07 03:00, failed, attempt 1 of 3, next attempt from 2026-12-07 03:15)"
    )
    assert retried == "weekly: enqueued attempt 2 of 3 (due 2026-12-07 03:00)"


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


def test_the_database_refuses_a_second_run_of_one_attempt_of_one_job_in_one_period():
    due = at("2026-12-07", "02:00")
    ScheduledRun.objects.create(job="nightly", due_at=due)
    with pytest.raises(IntegrityError), transaction.atomic():
        ScheduledRun.objects.create(job="nightly", due_at=due)
    with pytest.raises(IntegrityError), transaction.atomic():
        ScheduledRun.objects.create(job="nightly", due_at=due, attempt=0)
    ScheduledRun.objects.create(job="nightly", due_at=due, attempt=2)  # a retry is a row of its own
    with pytest.raises(IntegrityError), transaction.atomic():
        ScheduledRun.objects.create(job="nightly", due_at=due, attempt=2)


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
