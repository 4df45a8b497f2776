"""Bulk writes of the records of the past (inspections.csv, findings.csv, decisions.csv): rows inserted with COPY
(PostgreSQL) or executemany, and rows changed with ``bulk_update``, each with the change-log entry that
``audited_create`` / ``audited_update`` would have written for it, in a few statements per chunk instead of
several per row."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from django.db import connection, models
from django.utils import timezone

from peikao.core.audit import record_bulk_rows, snapshot, snapshot_rows
from peikao.core.bulk import insert_rows, reserve_ids
from peikao.core.choices import ChangeAction
from peikao.core.exchange.base import fetch_pks


def create_logged(
    model: type[models.Model],
    rows: list[dict[str, Any]],
    *,
    key_fields: Sequence[str],
    describe: Callable[[dict[str, Any]], str],
) -> list[dict[str, Any]]:
    """Insert ``rows`` (field attnames → values; the fields' defaults fill the rest, timestamps are now) and log
    each as created, named by ``describe`` (what ``str()`` of the saved instance gives). Return the rows with every
    value, their primary keys included (reserved from the sequence on PostgreSQL, read back by ``key_fields``
    elsewhere). The callers validate the rows; the database still enforces every constraint."""
    if not rows:
        return []
    now = timezone.now()
    pk = model._meta.pk
    fields = [f for f in model._meta.concrete_fields if f is not pk]
    defaults = {
        f.attname: now if f.attname in ("created_at", "updated_at") else f.get_default()
        for f in fields
        if not f.is_relation or f.has_default()
    }
    values = [{**defaults, **row} for row in rows]
    json_fields = {f.attname for f in fields if f.get_internal_type() == "JSONField"}

    names = [f.attname for f in fields]
    columns = [str(f.column) for f in fields]
    ids = reserve_ids(model, len(values))
    if ids is not None:
        for row, key in zip(values, ids, strict=True):
            row[pk.attname] = key
        names.insert(0, pk.attname)
        columns.insert(0, str(pk.column))
    json_indices = [index for index, name in enumerate(names) if name in json_fields]

    def cells(row: dict[str, Any]) -> list[Any]:
        out = [row.get(name) for name in names]
        for index in json_indices:
            if out[index] is not None:
                out[index] = json.dumps(out[index])
        return out

    with _checked_now():
        insert_rows(model, columns, map(cells, values))
    if ids is None:
        found = fetch_pks(model, key_fields, [tuple(row[k] for k in key_fields) for row in values])
        for row in values:
            row[pk.attname] = found[tuple(row[k] for k in key_fields)]
    # The snapshots hold JSON values only (``snapshot_rows``): one encoder serialises them, as ``dump_json`` would.
    encode = json.JSONEncoder(ensure_ascii=False).encode
    with _checked_now():
        record_bulk_rows(
            model,
            (
                (ChangeAction.CREATE, row[pk.attname], describe(row), None, encode(after))
                for row, after in zip(values, snapshot_rows(model, values), strict=True)
            ),
            serialised=True,
        )
    return values


@contextlib.contextmanager
def _checked_now() -> Iterator[None]:
    """The foreign keys of the rows written inside checked as they are written, not all at the commit (Django's
    foreign keys are deferred on PostgreSQL): the same checks, but done while the next chunk is being read instead
    of in one long commit at the end of a large import; then deferred again, as Django declares them."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def update_logged(model: type[models.Model], changes: Sequence[tuple[models.Model, dict]], fields: list[str]) -> int:
    """Write ``changes`` ((instance changed in memory, its snapshot before)) in bulk, each logged with its before and
    after state as ``audited_update`` logs it; instances that did not change are left alone. Return how many
    changed."""
    now = timezone.now()
    has_updated_at = any(f.attname == "updated_at" for f in model._meta.concrete_fields)
    changed, log = [], []
    for instance, before in changes:
        if snapshot(instance) == before:
            continue
        if has_updated_at:
            instance.updated_at = now  # type: ignore[attr-defined]
        changed.append(instance)
        log.append((ChangeAction.UPDATE, instance.pk, str(instance), before, snapshot(instance)))
    if changed:
        model._default_manager.bulk_update(changed, [*fields, "updated_at"] if has_updated_at else fields, 1000)
        record_bulk_rows(model, log)
    return len(changed)
