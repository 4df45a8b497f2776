"""Delete public lookups older than the retention period once they have been turned into leads (run from cron)."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from peikao.certificates.services import leads_derive, lookups_purge
from peikao.core.conf import peikao


class Command(BaseCommand):
    help = "Delete the public lookups older than PEIKAO_LOOKUP_RETENTION_DAYS (or --days) that leads were derived from."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None, help="keep this many days (default: the setting)")

    def handle(self, *args, days=None, **options):
        days = peikao().get("LOOKUP_RETENTION_DAYS", 365) if days is None else days
        if days < 1:
            raise CommandError("--days must be at least 1 / 保留天数至少为 1")
        leads_derive()  # nothing suspicious is deleted before it became a lead
        cutoff = timezone.now() - dt.timedelta(days=days)
        deleted = lookups_purge(older_than=cutoff)
        self.stdout.write(f"{deleted} lookups before {timezone.localtime(cutoff):%Y-%m-%d %H:%M} deleted")
