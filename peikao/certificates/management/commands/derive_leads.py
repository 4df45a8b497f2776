"""Turn the public lookups logged since the last run into fake-certificate leads (run it from cron)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from peikao.certificates.services import leads_derive


class Command(BaseCommand):
    help = "Derive fake-certificate leads from the public lookups logged since the last run (set-based)."

    def handle(self, *args, **options):
        self.stdout.write(f"{leads_derive()} new leads")
