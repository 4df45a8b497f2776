"""manage.py compute_hours [--class CODE ...] [--all]: recompute credited hours (set-based SQL)."""

from django.core.management.base import BaseCommand

from peikao.core.audit import audit_context
from peikao.training.models import TrainingClass
from peikao.training.services import refresh_hours


class Command(BaseCommand):
    help = "Recompute credited hours of classes whose lessons or attendance changed (or of all open classes)."

    def add_arguments(self, parser):
        parser.add_argument("--class", dest="classes", action="append", metavar="CODE")
        parser.add_argument("--all", action="store_true", help="Every open class, changed or not.")

    def handle(self, *args, classes=None, all=False, **options):
        ids = None
        if classes:
            ids = list(TrainingClass.objects.filter(class_code__in=classes).values_list("pk", flat=True))
        with audit_context(label="command:compute_hours"):
            count = refresh_hours(ids, force=all or bool(classes))
        self.stdout.write(f"computed hours of {count} enrolments")
