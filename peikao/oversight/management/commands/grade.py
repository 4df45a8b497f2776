"""manage.py grade [--region CODE] [--as-of DATE]: recompute the risk grades (issue 17) of training institutions,
exam points and enterprises from the record up to that day (default today), by the indicator set in force then.
One line per kind with the count per grade: ``training_institution 培训机构 / Training institution: A=3 B=1 C=0 D=0``;
first the commitments are brought up to date (breached by a finding, expired), last the exit rules run (a line
with the new proposals)."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext_lazy as _

from peikao.core.audit import audit_context
from peikao.core.errors import DomainError
from peikao.core.i18n import bilingual
from peikao.core.models import Region
from peikao.oversight.grading.services.cycle import grading_run
from peikao.registry.choices import OrganizationKind

BAD_DATE = _("%(value)s is not a date (YYYY-MM-DD).")
NO_REGION = _("No region has the code %(code)s.")
NEW_PROPOSALS = _("New exit proposals")


class Command(BaseCommand):
    help = "Recompute the risk grades A–D from the record up to a day (default today)."

    def add_arguments(self, parser):
        parser.add_argument("--region", metavar="CODE", help="Subjects of this region (six-digit code) and below.")
        parser.add_argument("--as-of", dest="as_of", metavar="DATE", help="The record up to this day (YYYY-MM-DD).")

    def handle(self, *args, region=None, as_of=None, **options):
        day = None
        if as_of:
            try:
                day = dt.date.fromisoformat(as_of)
            except ValueError:
                raise CommandError(bilingual(BAD_DATE, {"value": as_of})) from None
        place = None
        if region:
            place = Region.objects.filter(code=region).first()
            if place is None:
                raise CommandError(bilingual(NO_REGION, {"code": region}))
        try:
            with audit_context(label="command:grade"):
                summary, proposals = grading_run(region=place, as_of=day)
        except DomainError as error:
            raise CommandError(error.bilingual) from None
        for kind, counts in summary.items():
            label = OrganizationKind(kind).label
            figures = " ".join(f"{letter}={n}" for letter, n in counts.items())
            self.stdout.write(f"{kind} {bilingual(label)}: {figures}")
        self.stdout.write(f"exit_proposals {bilingual(NEW_PROPOSALS)}: {proposals}")
