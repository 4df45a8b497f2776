"""Reference data of enforcement: the violation catalogue (domain/violations.yaml), as versioned items.

Items from the domain file are matched on their code; a changed item becomes a new version (the old one is
retired, never edited), so findings keep what they were judged by. Items added by administrators are left
alone.
"""

from __future__ import annotations

from django.utils import timezone

from peikao.core.audit import record_bulk, snapshot
from peikao.core.choices import ChangeAction
from peikao.core.refdata import loader, read_domain

SUBJECTS = {
    "training_institution": "training_institution",
    "exam_body": "exam_body",
    "enterprise": "enterprise",
    "individual": "individual",
}
FIELDS = (
    "subject_type",
    "check_text",
    "basis",
    "instrument_id",
    "surface",
    "order_to_correct",
    "warning",
    "fine_min",
    "fine_max",
    "overdue_fine_min",
    "overdue_fine_max",
    "overdue_suspend",
    "revoke_certificate",
    "ban_years",
    "confirmed",
)


def catalogue_rows() -> list[dict]:
    """The items of violations.yaml as field values, ``same_as`` penalties resolved, surface items coded."""
    from peikao.core.models import LegalInstrument

    instruments = {item.code: item.pk for item in LegalInstrument.objects.all()}
    domain = read_domain("violations.yaml")
    chinese = read_domain("violations_zh.yaml")  # what inspectors read; the domain file stays as published
    zh_checks, zh_surface = chinese.get("checks", {}), chinese.get("surface_items", [])
    by_code = {}
    for subject in SUBJECTS:
        for item in domain.get(subject, []):
            by_code[item["code"]] = item
    rows = []
    for subject, subject_type in SUBJECTS.items():
        for item in domain.get(subject, []):
            penalty = item.get("penalty") or {}
            if isinstance(penalty, str) and penalty.startswith("same_as"):
                penalty = by_code[penalty.split()[1]].get("penalty") or {}
            overdue = penalty.get("overdue") or {}
            instrument = str(item.get("basis", "")).split()[0].rstrip(";")
            rows.append(
                {
                    "code": item["code"],
                    "subject_type": subject_type,
                    "check_text": zh_checks.get(item["code"], item["check"]),
                    "basis": str(item.get("basis", "")),
                    "instrument_id": instruments.get(instrument),
                    "surface": False,
                    "order_to_correct": bool(penalty.get("order_to_correct")),
                    "warning": bool(penalty.get("warning")),
                    "fine_min": penalty.get("fine_min", 0 if penalty.get("fine_max") else None),
                    "fine_max": penalty.get("fine_max"),
                    "overdue_fine_min": overdue.get("fine_min"),
                    "overdue_fine_max": overdue.get("fine_max"),
                    "overdue_suspend": bool(overdue.get("suspend")),
                    "revoke_certificate": bool(penalty.get("revoke_certificate")),
                    "ban_years": penalty.get("ban_years"),
                    "confirmed": item.get("confirmed", True),
                }
            )
    for number, text in enumerate(domain.get("surface_items", []), start=1):
        rows.append(
            {
                "code": f"SURFACE-{number}",
                "subject_type": "any",
                "check_text": zh_surface[number - 1] if number <= len(zh_surface) else text,
                "basis": "",
                "instrument_id": None,
                "surface": True,
                "order_to_correct": True,
                "warning": False,
                "fine_min": None,
                "fine_max": None,
                "overdue_fine_min": None,
                "overdue_fine_max": None,
                "overdue_suspend": False,
                "revoke_certificate": False,
                "ban_years": None,
                "confirmed": True,
            }
        )
    return rows


@loader(80, "violation_catalogue")
def load_violation_catalogue() -> str:
    from peikao.enforcement.models import ViolationItem

    current = {item.code: item for item in ViolationItem.objects.filter(retired=False)}
    created, retired, log = [], [], []
    now = timezone.now()
    for row in catalogue_rows():
        existing = current.get(row["code"])
        if existing is not None and existing.added_by_id is not None:
            continue  # an administrator's version wins over the file
        if existing is not None and all(getattr(existing, field) == row[field] for field in FIELDS):
            continue
        version = 1
        if existing is not None:
            before = snapshot(existing)
            existing.retired, existing.updated_at = True, now
            existing.save(update_fields=["retired", "updated_at"])
            log.append((ChangeAction.UPDATE, existing, before, snapshot(existing)))
            retired.append(existing)
            version = existing.version + 1
        item = ViolationItem(**row, version=version, created_at=now, updated_at=now)
        item.save()
        created.append(item)
        log.append((ChangeAction.CREATE, item, None, snapshot(item)))
    record_bulk(log)
    total = ViolationItem.objects.filter(retired=False).count()
    return f"violation catalogue: {len(created)} new versions, {len(retired)} retired, {total} current"
