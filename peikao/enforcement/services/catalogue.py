"""The violation catalogue: items added and revised by administrators, and the domain file loaded as versions.
An item in use is never edited: a revision retires the current version and adds the next one."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peikao.core.audit import audited_create, audited_update, record_bulk, snapshot
from peikao.core.choices import ChangeAction
from peikao.core.errors import DomainError
from peikao.core.models import User
from peikao.core.permissions import Perm, require_perm
from peikao.enforcement.models import ViolationItem

CATALOGUE_FIELDS = (
    "name",
    "subject_type",
    "check_text",
    "basis",
    "surface",
    "order_to_correct",
    "warning",
    "fine_min",
    "fine_max",
    "overdue_fine_min",
    "overdue_fine_max",
    "overdue_suspend",
    "responsible_fine_min",
    "responsible_fine_max",
    "same_act_as",
    "revoke_certificate",
    "ban_years",
    "campaign_list",
    "source",
)
# What a version loaded from the domain file is compared on.
LOADED_FIELDS = (*CATALOGUE_FIELDS, "instrument_id", "confirmed")


@transaction.atomic
def violation_save(*, actor: User, code: str, data: dict) -> ViolationItem:
    """Add an item, or revise one: the current version is retired and a new one takes its place."""
    require_perm(actor, Perm.CATALOGUE_MANAGE)
    code = code.strip().upper()
    if not code:
        raise DomainError("code_required", _("An item needs a code."))
    current = ViolationItem.objects.select_for_update().filter(code=code, retired=False).first()
    version = 1
    if current is not None:  # a revision keeps what it does not change
        data = {**{field: getattr(current, field) for field in CATALOGUE_FIELDS}, **data}
        if all(getattr(current, field) == data.get(field, getattr(current, field)) for field in CATALOGUE_FIELDS):
            return current
        before = snapshot(current)
        current.retired = True
        audited_update(current, before)
        version = current.version + 1
    item = ViolationItem(
        code=code,
        version=version,
        added_by=actor,
        valid_from=timezone.localdate(),
        **{field: data[field] for field in CATALOGUE_FIELDS if field in data},
    )
    return audited_create(item)


@transaction.atomic
def violations_load(*, rows: list[dict]) -> tuple[int, int]:
    """Load the catalogue of the domain file (``rows`` of field values with their ``code``): an item whose
    ``LOADED_FIELDS`` changed becomes a new version and the old one is retired; an administrator's version wins
    over the file. Logged in bulk, as reference data is. Returns (new versions, retired)."""
    current = {item.code: item for item in ViolationItem.objects.filter(retired=False)}
    created = retired = 0
    log: list[tuple[str, ViolationItem, dict | None, dict | None]] = []
    now = timezone.now()
    for row in rows:
        existing = current.get(row["code"])
        if existing is not None and existing.added_by_id is not None:
            continue  # an administrator's version wins over the file
        if existing is not None and all(getattr(existing, field) == row[field] for field in LOADED_FIELDS):
            continue
        version = 1
        if existing is not None:
            before = snapshot(existing)
            existing.retired, existing.updated_at = True, now
            existing.save(update_fields=["retired", "updated_at"])
            log.append((ChangeAction.UPDATE, existing, before, snapshot(existing)))
            retired += 1
            version = existing.version + 1
        item = ViolationItem(**row, version=version, created_at=now, updated_at=now)
        item.save()
        created += 1
        log.append((ChangeAction.CREATE, item, None, snapshot(item)))
    record_bulk(log)
    return created, retired
