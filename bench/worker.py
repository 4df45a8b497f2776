"""Runs one measured operation in its own process (so its peak memory is its own) and prints JSON.

python -m bench.worker import KIND FILE
python -m bench.worker hours            # recompute credited hours of every class (Peikao's path)
python -m bench.worker bare_hours       # the bare SQL computing the same result
python -m bench.worker seal_all         # close and seal every class (set-up for verify)
python -m bench.worker verify           # verify every sealed archive
"""

from __future__ import annotations

import json
import os
import sys
import time


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peikao.settings")
    import django

    django.setup()
    from peikao.core.audit import audit_context

    action = sys.argv[1]
    started = time.perf_counter()
    result: dict = {}
    with audit_context(label="bench"):
        if action == "import":
            from peikao.core.exchange.runner import run_import

            kind, path = sys.argv[2:4]
            outcome = run_import(kind_name=kind, source=path, filename=os.path.basename(path))
            result = {"summary": outcome.summary, "rows": outcome.rows, "ok": outcome.ok}
        elif action == "hours":
            from peikao.training.services import refresh_hours

            result = {"enrolments": refresh_hours(None, force=True)}
        elif action == "bare_hours":
            result = bare_hours()
        elif action == "seal_all":
            result = {"sealed": seal_all()}
        elif action == "verify":
            from peikao.training import archive

            checked = broken = 0
            for _pk, mismatch in archive.verify():
                checked += 1
                broken += mismatch is not None
            result = {"checked": checked, "mismatches": broken}
        else:
            raise SystemExit(f"unknown action {action}")
    result["seconds"] = time.perf_counter() - started
    print(json.dumps(result))


def bare_hours() -> dict:
    """The same computation as Peikao's, as one bare SELECT materialised into a temporary table."""
    from django.db import connection

    from peikao.training.hours import credited_sql

    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE bare_hours AS {credited_sql('1 = 1')}", [])
        cursor.execute("SELECT count(*), sum(credited_tenths) FROM bare_hours")
        rows, total = cursor.fetchone()
    return {"enrolments": rows, "sum_tenths": int(total or 0)}


def seal_all() -> int:
    """Close every class and seal its archive (hours computed first), in batches, as class_close would."""
    from django.db import transaction
    from django.utils import timezone

    from peikao.training import archive
    from peikao.training.models import ArchiveSeal, TrainingClass
    from peikao.training.services import refresh_hours

    refresh_hours(None, force=True)
    ids = list(TrainingClass.objects.order_by("pk").values_list("pk", flat=True))
    now = timezone.now()
    for start in range(0, len(ids), 1000):
        batch = ids[start : start + 1000]
        with transaction.atomic():
            TrainingClass.objects.filter(pk__in=batch).update(status="closed", hours_stale=False)
            results = archive.compute(batch)
            ArchiveSeal.objects.bulk_create(
                ArchiveSeal(training_class_id=pk, sequence=1, head=r.head, record_count=r.count,
                            section_heads=r.section_heads, reason="bench", sealed_at=now, actor_label="bench")
                for pk, r in results.items()
            )  # fmt: skip
    return len(ids)


if __name__ == "__main__":
    main()
