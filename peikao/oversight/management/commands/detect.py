"""manage.py detect [--detector CODE ...] [--region CODE] [--from DATE] [--to DATE]: run the oversight detectors
and upsert their alerts (a re-run creates no duplicate). One line per detector: ``TRN-DAY-OVERLOAD: 12 alerts
(3 new)``."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext_lazy as _

from peikao.core.audit import audit_context
from peikao.core.errors import DomainError
from peikao.core.i18n import bilingual
from peikao.oversight.services import alerts_detect

BAD_DATE = _("%(value)s is not a date (YYYY-MM-DD).")


def _date(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(bilingual(BAD_DATE, {"value": value})) from None


class Command(BaseCommand):
    help = "Run the oversight detectors over the data and upsert their alerts (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--detector", dest="detectors", action="append", metavar="CODE")
        parser.add_argument("--region", metavar="CODE", help="Subjects of this region (six-digit code) and below.")
        parser.add_argument("--from", dest="date_from", metavar="DATE", help="First Beijing day of the activity.")
        parser.add_argument("--to", dest="date_to", metavar="DATE", help="Last Beijing day of the activity.")

    def handle(self, *args, detectors=None, region=None, date_from=None, date_to=None, **options):
        start, end = _date(date_from), _date(date_to)
        try:
            with audit_context(label="command:detect"):
                results = alerts_detect(actor=None, detectors=detectors, region=region, date_from=start, date_to=end)
        except DomainError as error:
            raise CommandError(error.bilingual) from None
        for result in results:
            self.stdout.write(f"{result.code}: {result.found} alerts ({result.created} new)")
