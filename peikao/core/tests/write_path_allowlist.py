"""The writes outside the services that ``test_write_path.py`` accepts: {module: {callee as written: reason}}.

A callee is written as ``ast.unparse`` prints it (so ``ctx.cache['items'].update``, with single quotes); one entry
covers every call of it in the module. Add an entry only for the framework's own bookkeeping (not domain data) or
for a call that is not a model's write; everything else moves into a service.
"""

from __future__ import annotations

NOT_A_MODEL = "not a model"

ALLOWED: dict[str, dict[str, str]] = {
    # -- the change log itself: the services' writers and their records ------------------------------------------
    "peikao/core/audit.py": {
        "_entry(ChangeAction.CREATE, instance, None, snapshot(instance, extra)).save": "the change log itself",
        "_entry(ChangeAction.UPDATE, instance, before, after).save": "the change log itself",
        "_entry(ChangeAction.DELETE, instance, before or snapshot(instance), None).save": "the change log itself",
        "instance.save": "the change log itself: audited_create and audited_update, the services' one way to save",
        "insert_rows": "the change log itself: record_bulk_rows inserts its rows in bulk",
        "record_bulk_rows": "the change log itself: record_bulk groups its entries by model",
        "IdNumberView.objects.bulk_create": "the change log itself: the log of who saw a full ID number",
        "data.update": f"{NOT_A_MODEL}: a snapshot (dict)",
    },
    # -- generic writers of the framework, called only from services ---------------------------------------------
    "peikao/core/transitions.py": {
        "audited_update": "apply_transition, the generic transition writer, called only from services",
        "audited_create": "apply_transition, the generic transition writer, called only from services (the event)",
    },
    "peikao/core/exchange/base.py": {
        "apply_upsert": "bulk_upsert, the framework's generic bulk writer, called only from services",
        "model.objects.bulk_update": "apply_upsert, the framework's generic bulk writer, called only from services",
        "record_bulk_rows": "apply_upsert, the framework's generic bulk writer, called only from services",
        "insert_rows": "apply_upsert, the framework's generic bulk writer, called only from services",
    },
    # -- the framework's own bookkeeping, not domain data --------------------------------------------------------
    "peikao/core/schedule.py": {
        "ScheduledRun.objects.create": "a scheduled run's own record (ScheduledRun), one per job, period and attempt: the "
        "scheduler's bookkeeping, not domain data (the job's own writes go through its services)",
        "ScheduledRun.objects.filter(pk=run.pk).update": "a scheduled run's own record: its task, status, times and "
        "counts as the worker runs it",
        "ScheduledRun.objects.filter(status=ScheduledRunStatus.RUNNING, started_at__lt=now - dt.timedelta(minutes=minutes)).update": "a scheduled run's own record: a run whose worker stopped is marked failed",
    },
    "peikao/core/exchange/runner.py": {
        "ImportRun.objects.create": "an import's own record (ImportRun), written outside the import's transaction "
        "so that it stays even when the file is rejected",
        "run.save": "an import's own record (ImportRun): its counts and report once the file is read",
        "sha.update": f"{NOT_A_MODEL}: the SHA-256 of the uploaded file",
    },
    "peikao/core/exchange/runs.py": {
        "ImportRun.objects.filter(pk__in=stale, status=ImportStatus.RUNNING).update": "an import's own record "
        "(ImportRun): a run whose process died is marked failed",
    },
    "peikao/core/ratelimit.py": {
        "RateCounter.objects.filter(window_start__lt=int(older_than)).delete": "rate-limit counters of past windows "
        "(bookkeeping of the database backend, not domain data)",
    },
    # -- not a model ---------------------------------------------------------------------------------------------
    "peikao/core/exchange/tables.py": {"workbook.save": f"{NOT_A_MODEL}: the XLSX workbook written to the download"},
    "peikao/settings_public.py": {
        "DATABASES['default'].setdefault('OPTIONS', {}).update": f"{NOT_A_MODEL}: the database settings",
    },
    "peikao/certificates/pdf.py": {"canvas.save": f"{NOT_A_MODEL}: the PDF canvas (ReportLab)"},
    "peikao/certificates/signing/claims.py": {
        "code.make_image().save": f"{NOT_A_MODEL}: the QR code image written to a buffer",
    },
    "peikao/lib/docx_templates.py": {"document.save": f"{NOT_A_MODEL}: the DOCX document written to its output"},
}
