"""manage.py exchange import|export KIND FILE — the exchange files of docs/exchange.md.

Exit status: 0 imported (or dry run valid), 1 rejected (report printed and written), 2 usage error.
The summary line ends the output: ``imported N, updated M, unchanged K, rejected R``.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from peikao.core.audit import audit_context
from peikao.core.errors import DomainError
from peikao.core.exchange import all_kinds, get_kind
from peikao.core.exchange.runner import run_export, run_import, write_report
from peikao.core.exchange.tables import FORMATS
from peikao.core.models import Region, User

REPORT_PRINT_LIMIT = 200


class Command(BaseCommand):
    help = "Import or export an exchange file (CSV or XLSX)."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["import", "export"])
        parser.add_argument("kind", help="organizations, persons, assignments, …")
        parser.add_argument("file", help="FILE.csv or FILE.xlsx")
        parser.add_argument("--dry-run", action="store_true", help="Check everything, write nothing.")
        parser.add_argument("--skip-invalid", action="store_true", help="Import the valid rows, report the rest.")
        parser.add_argument("--report", help="Write the report of bad rows to this CSV/XLSX file.")
        parser.add_argument("--region", help="Export only this region (code) and below.")
        parser.add_argument("--as-of", type=dt.date.fromisoformat, help="Export as of this date (YYYY-MM-DD).")
        parser.add_argument(
            "--from", dest="date_from", type=dt.date.fromisoformat, help="Period's first day, for an analysis export."
        )
        parser.add_argument(
            "--to", dest="date_to", type=dt.date.fromisoformat, help="Period's last day, for an analysis export."
        )
        parser.add_argument("--headers", choices=["en", "zh"], default="en", help="Export header language.")
        parser.add_argument("--user", help="Act as this user (scoped to its jurisdiction); default: the system.")
        parser.add_argument(
            "--option",
            action="append",
            default=[],
            metavar="KEY=VALUE",
            help="A setting of the file kind, e.g. operation_item=1.2 for a question bank without one.",
        )

    def _usage(self, message: str) -> None:
        self.stderr.write(message)
        sys.exit(2)

    def handle(self, *args, action, kind, file, **options):
        if get_kind(kind) is None:
            names = ", ".join(k.name for k in all_kinds())
            self._usage(f"Unknown kind {kind!r}. Known: {names}")
        if Path(file).suffix.lower().lstrip(".") not in FORMATS:
            self._usage("FILE must end in .csv or .xlsx")
        user = None
        if options["user"]:
            user = User.objects.filter(username=options["user"], is_active=True).first()
            if user is None:
                self._usage(f"No active user {options['user']!r}")
        label = f"command:exchange {action} {kind}"
        with audit_context(user=user, label=label):
            try:
                if action == "import":
                    return self._import(kind, file, user, options)
                return self._export(kind, file, user, options)
            except DomainError as error:
                raise CommandError(error.bilingual) from None

    def _import(self, kind, file, user, options):
        path = Path(file)
        if not path.is_file():
            self._usage(f"No such file: {file}")
        result = run_import(
            kind_name=kind,
            source=path,
            filename=path.name,
            user=user,
            dry_run=options["dry_run"],
            skip_invalid=options["skip_invalid"],
            label=f"command:exchange import {kind}",
            options=dict(item.split("=", 1) for item in options["option"] if "=" in item),
        )
        for problem in result.problems[:REPORT_PRINT_LIMIT]:
            value = f" [{problem.value}]" if problem.value else ""
            self.stdout.write(f"row {problem.row} {problem.column}{value}: {problem.zh} / {problem.en}")
        if result.problem_count > REPORT_PRINT_LIMIT:
            self.stdout.write(f"… and {result.problem_count - REPORT_PRINT_LIMIT} more problems (see the report file)")
        if options["report"]:
            with open(options["report"], "wb") as fh:
                write_report(result.problems, fh, options["report"])
        if result.status == "rejected":
            self.stdout.write("The file was rejected: nothing was written.")
        elif result.status == "dry_run":
            self.stdout.write("Dry run: the file is valid; nothing was written.")
        self.stdout.write(result.summary)
        if not result.ok:
            sys.exit(1)

    def _export(self, kind, file, user, options):
        region = None
        if options["region"]:
            region = Region.objects.filter(code=options["region"]).first()
            if region is None:
                self._usage(f"No region {options['region']!r}")
        with open(file, "wb") as fh:
            count = run_export(
                kind_name=kind,
                target=fh,
                filename=file,
                user=user,
                region=region,
                as_of=options["as_of"],
                headers=options["headers"],
                date_from=options["date_from"],
                date_to=options["date_to"],
            )
        self.stdout.write(f"exported {count} rows to {file}")
