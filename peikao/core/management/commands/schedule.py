"""manage.py schedule [--job NAME ...] [--loop [--interval SECONDS]]: enqueue the scheduled jobs whose time has
come (settings.PEIKAO_SCHEDULE), once per period, and a failed run's retries, for ``manage.py db_worker`` to run.
One line per job: ``detect: enqueued (due 2026-12-05 02:00)``, ``detect: enqueued attempt 2 of 3 (due …)`` or
``detect: already enqueued (due …, succeeded)``; when earlier periods had no run, the line says how many were skipped
(in Chinese and English: only the latest period is caught up, peikao.core.schedule). With ``--loop`` it checks again
every interval (default 60 s) until stopped: production runs it beside the worker (README)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peikao.core.i18n import bilingual
from peikao.core.models import ScheduledRunStatus
from peikao.core.schedule import Outcome, jobs, schedule_due

UNKNOWN_JOB = _("No scheduled job is named %(names)s (known: %(known)s).")
BAD_INTERVAL = _("The interval must be a positive number of seconds.")
SKIPPED = _("Missed periods skipped: %(count)s (this one run catches up for them).")


class Command(BaseCommand):
    help = "Enqueue the scheduled jobs that are due (each once per period); --loop keeps checking."

    def add_arguments(self, parser):
        parser.add_argument("--job", dest="only", action="append", metavar="NAME", help="Only this job (repeatable).")
        parser.add_argument("--loop", action="store_true", help="Keep checking until stopped.")
        parser.add_argument("--interval", type=float, default=60.0, metavar="SECONDS", help="Seconds between checks.")

    def handle(self, *args, only=None, loop=False, interval=60.0, **options):
        known = {job.name for job in jobs()}
        unknown = sorted(set(only or ()) - known)
        if unknown:
            raise CommandError(bilingual(UNKNOWN_JOB, {"names": ", ".join(unknown), "known": ", ".join(sorted(known))}))
        if interval <= 0:
            raise CommandError(bilingual(BAD_INTERVAL))
        while True:
            for outcome in schedule_due(only=only):
                if outcome.enqueued or not loop:
                    self.stdout.write(line(outcome))
            if not loop:
                return
            close_old_connections()
            time.sleep(interval)


def line(outcome: Outcome) -> str:
    """One job's line: what was enqueued (which attempt, which periods it skipped), or what is there already (its
    status, its attempt, when the next attempt may go)."""
    due = _local(outcome.due_at)
    run = outcome.run
    attempt = f"attempt {run.attempt} of {outcome.attempts}"
    if outcome.enqueued:
        text = (
            f"{outcome.job}: enqueued (due {due})"
            if run.attempt == 1
            else f"{outcome.job}: enqueued {attempt} (due {due})"
        )
        if outcome.skipped:
            text += " — " + bilingual(SKIPPED, {"count": outcome.skipped})
        return text
    details = [f"due {due}", str(run.status)]
    if run.attempt > 1 or run.status == ScheduledRunStatus.FAILED:
        details.append(attempt)
    if outcome.retry_at is not None:
        details.append(f"next attempt from {_local(outcome.retry_at)}")
    return f"{outcome.job}: already enqueued ({', '.join(details)})"


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")
