"""The small reference tables a public answer names (items, categories, industries, regions), held in memory,
and the names of issuing authorities."""

from __future__ import annotations

import time
from dataclasses import dataclass

from peikao.core.models import Region
from peikao.registry.models import Industry, OperationItem


def issuing_authority(region: Region) -> str:
    """福建省应急管理厅, 福州市应急管理局: the authority of a region as it is printed (``Region.authority``)."""
    return region.authority


@dataclass(frozen=True)
class Reference:
    """The small reference tables a public answer names (items, categories, industries, regions), held in
    memory: the hot lookup then reads two tables (certificate, holder) instead of joining six."""

    items: dict[int, tuple[str, str, str]]  # id → (code, name, category name)
    industries: dict[int, str]
    regions: dict[str, tuple[str, str]]  # code → (name, level)
    loaded: float


_reference: Reference | None = None
REFERENCE_MAX_AGE = 300.0


def reference() -> Reference:
    """The tables, read again when older than REFERENCE_MAX_AGE seconds (or after ``reset_reference``)."""
    global _reference
    current = _reference
    if current is not None and time.monotonic() - current.loaded < REFERENCE_MAX_AGE:
        return current
    _reference = Reference(
        items={
            pk: (code, name, category)
            for pk, code, name, category in OperationItem.objects.values_list("pk", "code", "name", "category__name")
        },
        industries=dict(Industry.objects.values_list("pk", "name")),
        regions={code: (name, level) for code, name, level in Region.objects.values_list("code", "name", "level")},
        loaded=time.monotonic(),
    )
    return _reference


def reset_reference() -> None:
    """Forget the tables (the reference data was reloaded)."""
    global _reference
    _reference = None
