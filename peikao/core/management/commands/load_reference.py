"""manage.py load_reference: load regions and the domain rules into their dated tables (idempotent)."""

from django.core.management.base import BaseCommand

from peikao.core.audit import audit_context
from peikao.core.refdata import load_all


class Command(BaseCommand):
    help = "Load administrative regions and the domain reference data (peikao/domain/*.yaml)."

    def add_arguments(self, parser):
        parser.add_argument("only", nargs="*", help="Names of loaders to run (default: all).")

    def handle(self, *args, only, **options):
        with audit_context(label="command:load_reference"):
            for name, summary in load_all(only):
                self.stdout.write(f"{name}: {summary}")
