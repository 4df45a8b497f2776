"""Scheduled jobs without cron (issue 15): the schedule is data (``settings.PEIKAO_SCHEDULE``), the runs are rows
(``ScheduledRun``, unique per job, period and attempt), the work is a django-tasks task run by ``manage.py db_worker``.

``schedule_due()`` (``manage.py schedule``, once or ``--loop``) enqueues every job whose time has come and that has
no run for that period yet: the run's row and its task are written in one transaction, so two schedulers racing
for the same period leave one row and one task (the loser hits the unique constraint and skips). The task
``run_scheduled_job`` calls the job's own task (by dotted path: core imports no higher app) and records when it
started, when it finished, and its result (counts) or its error on the row.

Retries: a job has ``attempts`` (default 3) per period, ``retry_minutes`` (default 15) apart. When a period's latest
attempt failed (its job raised, or its worker stopped and ``fail_stale_runs`` said so) and attempts are left, the
scheduler enqueues the next attempt once ``retry_minutes`` have passed since it finished: a new row, attempt n + 1,
under the same unique constraint, so two schedulers still enqueue each attempt once. A period that has ended is not
retried: the next period's run is due instead.

Missed periods: only the latest period is caught up. A scheduler that was down for three nights enqueues one run,
named by the latest due instant, not three: the jobs scheduled here (the detectors, the grades) recompute from the
whole record, so one run after the gap leaves what three would have, and three would only repeat the work.
``Outcome.skipped`` counts the periods passed over (``manage.py schedule`` says so). A job that must run once for
each period would need its period as an argument; none does.
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
PERIOD_DAYS = {"day": 1, "week": 7}
DEFAULT_ATTEMPTS = 3
DEFAULT_RETRY_MINUTES = 15


@dataclass(frozen=True)
class Job:
    """One scheduled job: its name, the path of its task, when it falls due (Beijing time), and how many attempts a
    period's run has (``attempts``, the first included), ``retry_minutes`` after the failed one finished."""

    name: str
    task_path: str
    every: str
    at: dt.time
    weekday: int = 1  # ISO: 1 = Monday (weekly jobs only)
    attempts: int = DEFAULT_ATTEMPTS
    retry_minutes: int = DEFAULT_RETRY_MINUTES

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

    def periods_skipped(self, previous: dt.datetime, due: dt.datetime) -> int:
        """How many periods fell due after ``previous`` (a run's due instant) and before ``due`` without a run of
        their own. Counted in days of the schedule's calendar, so a changed hour or weekday counts no extra period."""
        days = (timezone.localdate(due) - timezone.localdate(previous)).days
        return max(0, days // PERIOD_DAYS[self.every] - 1)

    def retry_at(self, run: ScheduledRun) -> dt.datetime | None:
        """When the attempt after ``run`` may be enqueued: ``retry_minutes`` after ``run`` failed; None when ``run``
        has not failed or was the last attempt allowed."""
        if run.status != ScheduledRunStatus.FAILED or run.attempt >= self.attempts:
            return None
        return (run.finished_at or run.enqueued_at) + dt.timedelta(minutes=self.retry_minutes)

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
        attempts = _whole(name, entry, "attempts", DEFAULT_ATTEMPTS, minimum=1)
        retry_minutes = _whole(name, entry, "retry_minutes", DEFAULT_RETRY_MINUTES, minimum=0)
        found.append(
            Job(
                name=name,
                task_path=entry["task"],
                every=every,
                at=at,
                weekday=weekday,
                attempts=attempts,
                retry_minutes=retry_minutes,
            )
        )
    return found


def _whole(name: str, entry: dict, key: str, default: int, *, minimum: int) -> int:
    value = entry.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ImproperlyConfigured(f"PEIKAO_SCHEDULE[{name!r}]: {key} must be a whole number, {minimum} or more")
    return value


def job_named(name: str) -> Job:
    for job in jobs():
        if job.name == name:
            return job
    raise KeyError(name)


@dataclass(frozen=True)
class Outcome:
    """What the scheduler did with one job: enqueued a run (a period's first attempt, or a retry), or found the
    period's latest attempt there and nothing to do yet. ``skipped``: the earlier periods without a run that this
    one catches up for (only a period's first attempt skips any)."""

    job: str
    due_at: dt.datetime
    run: ScheduledRun
    enqueued: bool
    skipped: int = 0
    attempts: int = DEFAULT_ATTEMPTS
    retry_at: dt.datetime | None = None


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
    """Enqueue each job (of ``only``, or all) whose period has no run yet, or whose period's latest attempt failed
    ``retry_minutes`` ago with attempts left. Idempotent per attempt. Runs whose worker stopped are marked failed
    first (``fail_stale_runs``), and so are retried like any failed attempt."""
    now = now or timezone.now()
    fail_stale_runs(now=now)
    return [schedule_job(job, now=now) for job in jobs() if not only or job.name in only]


def latest_attempt(job: str, due: dt.datetime) -> ScheduledRun | None:
    return ScheduledRun.objects.filter(job=job, due_at=due).order_by("-attempt").first()


def schedule_job(job: Job, *, now: dt.datetime) -> Outcome:
    """Enqueue ``job``'s run for the period of ``now`` if it is due: its first attempt, or the next one after a
    failure. Only the latest period is considered: earlier periods without a run are skipped (module docstring)."""
    due = job.due_at(now)
    latest = latest_attempt(job.name, due)
    skipped = 0
    if latest is None:
        attempt = 1
        previous = ScheduledRun.objects.filter(job=job.name, due_at__lt=due).order_by("-due_at").first()
        skipped = job.periods_skipped(previous.due_at, due) if previous is not None else 0
    else:
        retry_at = job.retry_at(latest)
        if retry_at is None or retry_at > now:
            return Outcome(job.name, due, latest, enqueued=False, attempts=job.attempts, retry_at=retry_at)
        attempt = latest.attempt + 1
    try:
        with transaction.atomic():
            run = ScheduledRun.objects.create(job=job.name, due_at=due, attempt=attempt, enqueued_at=timezone.now())
            result = run_scheduled_job.enqueue(run.pk)
            ScheduledRun.objects.filter(pk=run.pk).update(task_id=str(result.id)[:64])
    except IntegrityError:  # another scheduler enqueued this attempt a moment ago
        latest = ScheduledRun.objects.get(job=job.name, due_at=due, attempt=attempt)
        return Outcome(job.name, due, latest, enqueued=False, attempts=job.attempts, retry_at=job.retry_at(latest))
    run.refresh_from_db()
    return Outcome(
        job.name, due, run, enqueued=True, skipped=skipped, attempts=job.attempts, retry_at=job.retry_at(run)
    )


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
