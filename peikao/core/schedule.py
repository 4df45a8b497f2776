"""Scheduled jobs without cron (issue 15): the schedule is data (``settings.PEIKAO_SCHEDULE``), the runs are rows
(``ScheduledRun``, unique per job and period), the work is a django-tasks task run by ``manage.py db_worker``.

``schedule_due()`` (``manage.py schedule``, once or ``--loop``) enqueues every job whose time has come and that has
no run for that period yet: the run's row and its task are written in one transaction, so two schedulers racing
for the same period leave one row and one task (the loser hits the unique constraint and skips). The task
``run_scheduled_job`` calls the job's own task (by dotted path: core imports no higher app) and records when it
started, when it finished, and its result (counts) or its error on the row.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import task

from peikao.core.models import ScheduledRun, ScheduledRunStatus

EVERY = ("day", "week")


@dataclass(frozen=True)
class Job:
    """One scheduled job: its name, the path of its task, and when it falls due (Beijing time)."""

    name: str
    task_path: str
    every: str
    at: dt.time
    weekday: int = 1  # ISO: 1 = Monday (weekly jobs only)

    def due_at(self, now: dt.datetime) -> dt.datetime:
        """The latest instant at or before ``now`` at which this job fell due (the key of its period)."""
        local = timezone.localtime(now)
        day = local.date()
        if self.every == "week":
            day -= dt.timedelta(days=(day.isoweekday() - self.weekday) % 7)
        candidate = timezone.make_aware(dt.datetime.combine(day, self.at))
        if candidate > now:
            candidate = timezone.make_aware(
                dt.datetime.combine(day - dt.timedelta(days=7 if self.every == "week" else 1), self.at)
            )
        return candidate

    def callable(self) -> Any:
        """The job's work: a django-tasks task (run in this worker with ``.call``) or a plain function."""
        target = import_string(self.task_path)
        return getattr(target, "call", target)


def jobs() -> list[Job]:
    """The schedule in the settings, checked: a wrong entry is a configuration error, not a silent skip."""
    found = []
    for name, entry in getattr(settings, "PEIKAO_SCHEDULE", {}).items():
        every = entry.get("every", "day")
        if every not in EVERY:
            raise ImproperlyConfigured(f"PEIKAO_SCHEDULE[{name!r}]: every must be one of {EVERY}, not {every!r}")
        try:
            at = dt.time.fromisoformat(entry.get("at", "00:00"))
        except ValueError:
            raise ImproperlyConfigured(f"PEIKAO_SCHEDULE[{name!r}]: at must be HH:MM") from None
        weekday = int(entry.get("weekday", 1))
        if not 1 <= weekday <= 7:
            raise ImproperlyConfigured(f"PEIKAO_SCHEDULE[{name!r}]: weekday must be 1 (Monday) to 7 (Sunday)")
        if not entry.get("task"):
            raise ImproperlyConfigured(f"PEIKAO_SCHEDULE[{name!r}]: task (a dotted path) is required")
        found.append(Job(name=name, task_path=entry["task"], every=every, at=at, weekday=weekday))
    return found


def job_named(name: str) -> Job:
    for job in jobs():
        if job.name == name:
            return job
    raise KeyError(name)


@dataclass(frozen=True)
class Outcome:
    """What the scheduler did with one job: enqueued a new run, or found the period's run already there."""

    job: str
    due_at: dt.datetime
    run: ScheduledRun
    enqueued: bool


def fail_stale_runs(*, now: dt.datetime) -> int:
    """Mark failed the runs still "running" after ``PEIKAO_SCHEDULE_STALE_MINUTES``: their worker was stopped (a
    killed process records nothing), so the row says so instead of "running" for ever. Returns how many."""
    minutes = settings.PEIKAO["SCHEDULE_STALE_MINUTES"]
    return ScheduledRun.objects.filter(
        status=ScheduledRunStatus.RUNNING, started_at__lt=now - dt.timedelta(minutes=minutes)
    ).update(
        status=ScheduledRunStatus.FAILED,
        finished_at=now,
        error=f"工作进程中断：{minutes} 分钟内未完成 (the worker stopped: no result within {minutes} minutes)",
    )


def schedule_due(*, now: dt.datetime | None = None, only: list[str] | None = None) -> list[Outcome]:
    """Enqueue each job (of ``only``, or all) whose period has no run yet. Idempotent per period. Runs whose worker
    stopped are marked failed first (``fail_stale_runs``)."""
    now = now or timezone.now()
    fail_stale_runs(now=now)
    outcomes = []
    for job in jobs():
        if only and job.name not in only:
            continue
        due = job.due_at(now)
        existing = ScheduledRun.objects.filter(job=job.name, due_at=due).first()
        if existing is None:
            try:
                with transaction.atomic():
                    run = ScheduledRun.objects.create(job=job.name, due_at=due, enqueued_at=timezone.now())
                    result = run_scheduled_job.enqueue(run.pk)
                    ScheduledRun.objects.filter(pk=run.pk).update(task_id=str(result.id)[:64])
            except IntegrityError:  # another scheduler enqueued this period a moment ago
                existing = ScheduledRun.objects.get(job=job.name, due_at=due)
            else:
                run.refresh_from_db()
                outcomes.append(Outcome(job=job.name, due_at=due, run=run, enqueued=True))
                continue
        outcomes.append(Outcome(job=job.name, due_at=due, run=existing, enqueued=False))
    return outcomes


@task()
def run_scheduled_job(run_id: int) -> dict:
    """Run one scheduled run's job and record it. The job's writes are one savepoint: a failure leaves none of them,
    and the row says why."""
    run = ScheduledRun.objects.get(pk=run_id)
    started = timezone.now()
    ScheduledRun.objects.filter(pk=run.pk).update(status=ScheduledRunStatus.RUNNING, started_at=started)
    try:
        work = job_named(run.job).callable()
        with transaction.atomic():
            summary = work()
    except Exception as error:
        ScheduledRun.objects.filter(pk=run.pk).update(
            status=ScheduledRunStatus.FAILED,
            finished_at=timezone.now(),
            error=f"{type(error).__name__}: {error}"[:2000],
        )
        raise
    summary = summary if isinstance(summary, dict) else {"result": summary}
    ScheduledRun.objects.filter(pk=run.pk).update(
        status=ScheduledRunStatus.SUCCEEDED, finished_at=timezone.now(), summary=summary
    )
    return summary
