"""manage.py returns export|import|trust — provincial returns (issue 16).

- ``returns export --from DATE --to DATE --region CODE --out FILE``: this (provincial) platform's figures of
  the period, signed with its key;
- ``returns trust --region CODE --jwks FILE``: the ministry's platform trusts the keys of a province's JWKS;
- ``returns import FILE``: the ministry's platform receives a return (signature, region and period checked; a
  later return of the same period replaces the earlier one).

The national notice from the returns: ``manage.py notice --from-returns …``. Exit status: 0 done, 1 refused
(the reason in Chinese and English), 2 usage error."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand
from django.utils import timezone

from peikao.core.audit import audit_context
from peikao.core.errors import DomainError
from peikao.core.models import Region, User
from peikao.reports import services
from peikao.reports.returns import InvalidReturn, sign_return
from peikao.reports.selectors import Period, notice_figures, notice_region


class Command(BaseCommand):
    help = "Export, trust and import provincial returns (signed figures of the notice)."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["export", "import", "trust"])
        parser.add_argument("file", nargs="?", help="import: the return file")
        parser.add_argument("--from", dest="date_from")
        parser.add_argument("--to", dest="date_to")
        parser.add_argument("--region")
        parser.add_argument("--out")
        parser.add_argument("--jwks", help="trust: the province's JWKS file")
        parser.add_argument("--user", help="Act as this user; default: the system.")

    def _usage(self, message: str) -> None:
        self.stderr.write(message)
        sys.exit(2)

    def handle(self, *args, action, file, date_from, date_to, region, out, jwks, user, **options):
        actor = None
        if user:
            actor = User.objects.filter(username=user, is_active=True).first()
            if actor is None:
                self._usage(f"No active user {user!r}")
        with audit_context(user=actor, label=f"command:returns {action}"):
            try:
                getattr(self, f"_{action}")(actor, file=file, date_from=date_from, date_to=date_to, region=region,
                                            out=out, jwks=jwks)  # fmt: skip
            except DomainError as error:
                self.stderr.write(error.bilingual)
                sys.exit(1)
            except InvalidReturn as error:
                self.stderr.write(f"退回被拒绝 / The return is refused: {error}")
                sys.exit(1)

    def _export(self, actor, *, date_from, date_to, region, out, **_):
        if not (date_from and date_to and region and out):
            self._usage("export needs --from, --to, --region and --out")
        try:
            period = Period(dt.date.fromisoformat(date_from), dt.date.fromisoformat(date_to))
        except ValueError as error:
            self._usage(str(error))
        where = notice_region(user=actor, code=region)
        if where.level != "province":
            self._usage("a return is a province's: --region is a province code")
        figures = notice_figures(user=actor, region=where, period=period)
        Path(out).write_text(sign_return(figures, now=timezone.now()))
        self.stdout.write(f"{out}: {where.name} {period.start} – {period.end}")

    def _trust(self, actor, *, region, jwks, **_):
        if not (region and jwks):
            self._usage("trust needs --region and --jwks")
        where = Region.objects.filter(code=region).first()
        if where is None:
            self._usage(f"No region {region!r}")
        try:
            document = json.loads(Path(jwks).read_text())
        except (OSError, ValueError) as error:
            self._usage(f"Not a JWKS file: {error}")
        added = services.return_key_add(actor=actor, region=where, jwks=document)
        self.stdout.write(f"{where.name}: {len(added)} key(s) added")

    def _import(self, actor, *, file, **_):
        if not file or not Path(file).is_file():
            self._usage("import needs the return file")
        received = services.return_import(actor=actor, text=Path(file).read_bytes())
        self.stdout.write(
            f"{received.region.name} {received.period_from} – {received.period_to}: received ({received.kid})"
        )
