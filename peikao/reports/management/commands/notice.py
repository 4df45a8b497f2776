"""manage.py notice --from DATE --to DATE [--region CODE] --format json|docx|pdf|xlsx --out FILE

The campaign notice (通报) of a region and a period from the platform's records (issue 16). Exit status: 0
written, 1 refused (the reason in Chinese and English), 2 usage error."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from django.core.management.base import BaseCommand
from django.utils import timezone

from peikao.core.errors import DomainError
from peikao.core.models import User
from peikao.reports.documents import FORMATS, notice_content, render
from peikao.reports.selectors import Period, notice_figures, notice_region, returns_figures


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"not a date (YYYY-MM-DD): {text!r}") from None


class Command(BaseCommand):
    help = "Write the campaign notice (通报) of a region and period as JSON, Word, PDF or Excel."

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="date_from", required=True, help="First day (YYYY-MM-DD).")
        parser.add_argument("--to", dest="date_to", required=True, help="Last day, included (YYYY-MM-DD).")
        parser.add_argument("--region", help="Region code (default: the nation, or the user's jurisdiction).")
        parser.add_argument("--format", choices=sorted(FORMATS), required=True)
        parser.add_argument("--out", required=True, help="File to write.")
        parser.add_argument("--doc-no", help="Document number, e.g. 闽应急函〔2023〕85号.")
        parser.add_argument("--date", dest="issued_on", help="Date of issue (default: today).")
        parser.add_argument("--user", help="Ask as this user (limited to its jurisdiction); default: the system.")
        parser.add_argument(
            "--from-returns", action="store_true", help="The national notice from the provinces' returns."
        )

    def _usage(self, message: str) -> None:
        self.stderr.write(message)
        sys.exit(2)

    def handle(self, *args, date_from, date_to, region, format, out, doc_no, issued_on, user, from_returns, **options):
        try:
            start, end = _date(date_from), _date(date_to)
            issued = _date(issued_on) if issued_on else timezone.localdate()
        except ValueError as error:
            self._usage(str(error))
        asker = None
        if user:
            asker = User.objects.filter(username=user, is_active=True).first()
            if asker is None:
                self._usage(f"No active user {user!r}")
        try:
            if from_returns:
                where = notice_region(user=asker, code="000000")
                figures = returns_figures(user=asker, period=Period(start, end))
            else:
                where = notice_region(user=asker, code=region)
                figures = notice_figures(user=asker, region=where, period=Period(start, end))
        except DomainError as error:
            self.stderr.write(error.bilingual)
            sys.exit(1)
        content = notice_content(figures, region=where, issued_on=issued, doc_no=doc_no)
        Path(out).write_bytes(render(content, format))
        self.stdout.write(f"{out}: {content.title} ({figures['period']['from']} – {figures['period']['to']})")
