"""manage.py schedule [--job NAME ...] [--loop [--interval SECONDS]]: enqueue the scheduled jobs whose time has
come (settings.PEIKAO_SCHEDULE), once per period, for ``manage.py db_worker`` to run. One line per job:
``detect: enqueued (due 2026-12-05 02:00)`` or ``detect: already enqueued (due …, succeeded)``. With ``--loop`` it
checks again every interval (default 60 s) until stopped: production runs it beside the worker (README)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peikao.core.i18n import bilingual
from peikao.core.schedule import jobs, schedule_due

UNKNOWN_JOB = _("No scheduled job is named %(names)s (known: %(known)s).")
BAD_INTERVAL = _("The interval must be a positive number of seconds.")


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
                due = timezone.localtime(outcome.due_at).strftime("%Y-%m-%d %H:%M")
                if outcome.enqueued:
                    self.stdout.write(f"{outcome.job}: enqueued (due {due})")
                elif not loop:
                    self.stdout.write(f"{outcome.job}: already enqueued (due {due}, {outcome.run.status})")
            if not loop:
                return
            close_old_connections()
            time.sleep(interval)
