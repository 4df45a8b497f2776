"""manage.py injury_link [--region CODE]: link again the injury cases no clerk decided (unlinked, automatic,
awaiting review) against the persons registered now — after a persons import, say. Prints the counts."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext_lazy as _

from peikao.core.audit import audit_context
from peikao.core.i18n import bilingual
from peikao.core.models import Region
from peikao.oversight.injuries.services import injury_relink

UNKNOWN_REGION = _("Unknown region code %(code)s.")


class Command(BaseCommand):
    help = "Link again the injury cases that no clerk decided (unlinked, automatic, awaiting review)."

    def add_arguments(self, parser):
        parser.add_argument("--region", metavar="CODE", help="Cases of employers of this region (six-digit code).")

    def handle(self, *args, region=None, **options):
        selected = None
        if region:
            selected = Region.objects.filter(code=region).first()
            if selected is None:
                raise CommandError(bilingual(UNKNOWN_REGION, {"code": region}))
        with audit_context(label="manage.py injury_link"):
            counts = injury_relink(actor=None, region=selected)
        self.stdout.write(
            f"案件 cases {counts.cases} · 变更 changed {counts.changed} · 精确 exact {counts.exact} · "
            f"自动 automatic {counts.automatic} · 待复核 review {counts.review} · 未关联 unlinked {counts.unlinked}"
        )
