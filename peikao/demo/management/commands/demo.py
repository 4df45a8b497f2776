"""manage.py demo: build the demo province (seeded, reproducible)."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from peikao.core.audit import audit_context
from peikao.core.models import Region, User
from peikao.demo.build import DemoContext, steps
from peikao.demo.steps import seeded_papers


class Command(BaseCommand):
    help = "Build the demo province: organisations, persons, rosters and more, with demo logins."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--scale", type=float, default=1.0, help="Multiply the number of records.")
        parser.add_argument("--if-empty", action="store_true", help="Do nothing when the demo is already there.")
        parser.add_argument("--today", type=dt.date.fromisoformat, default=None, help="Pretend today is this date.")

    def handle(self, *args, seed, scale, if_empty, today, **options):
        if not Region.objects.exists():
            raise CommandError("Load the reference data first: manage.py load_reference")
        if User.objects.filter(username="fj-admin").exists():
            if if_empty:
                self.stdout.write("The demo province is already loaded.")
                return
            raise CommandError("The demo is already loaded (user fj-admin exists). Use a fresh database.")
        context = DemoContext(seed=seed, today=today or timezone.localdate(), scale=scale)
        with audit_context(label="command:demo"), transaction.atomic(), seeded_papers(seed):
            for _order, name, func in steps():
                self.stdout.write(f"{name}: {func(context)}")
        self.stdout.write(self.style.SUCCESS("Demo province loaded."))
