"""manage.py verify_archives [--class CODE ...]: recompute sealed archives and report every class whose
records no longer match its seal. Exit status 1 when any does."""

import sys

from django.core.management.base import BaseCommand, CommandError

from peikao.training import archive
from peikao.training.models import TrainingClass


class Command(BaseCommand):
    help = "Verify the hash chains of sealed training archives (exit status 1 if any record changed)."

    def add_arguments(self, parser):
        parser.add_argument("--class", dest="classes", action="append", metavar="CODE", help="Only this class.")

    def handle(self, *args, classes=None, **options):
        ids = None
        if classes:
            found = dict(TrainingClass.objects.filter(class_code__in=classes).values_list("class_code", "pk"))
            unknown = sorted(set(classes) - set(found))
            if unknown:
                raise CommandError(f"No such class: {', '.join(unknown)}")
            ids = list(found.values())
        checked = broken = 0
        for _class_id, mismatch in archive.verify(ids):
            checked += 1
            if mismatch is not None:
                broken += 1
                self.stdout.write(
                    f"MISMATCH {mismatch.class_code}: changed {', '.join(mismatch.sections)}; "
                    f"records {mismatch.sealed_count} -> {mismatch.actual_count}; "
                    f"head {mismatch.sealed_head[:16]} -> {mismatch.actual_head[:16]}"
                )
        self.stdout.write(f"checked {checked} sealed archives, {broken} do not match their seals")
        if broken:
            sys.exit(1)
