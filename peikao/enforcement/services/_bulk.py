"""Bulk writes of the records of the past (inspections.csv, findings.csv, decisions.csv) with core's bulk writer
(``stage_upsert`` / ``apply_upsert``: COPY or executemany, ``bulk_update``, each record logged as ``audited_create`` /
``audited_update`` would log it, named by the model's ``audit_repr``), a few statements per chunk instead of several
per row; the foreign keys checked as each chunk is written."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from typing import Any

from django.db import connection, models

from peikao.core.exchange import StagedUpsert, WriteCounts, apply_upsert, stage_upsert


def create_logged(model: type[models.Model], rows: list[dict[str, Any]], *, key_fields: Sequence[str]) -> list[dict]:
    """Insert ``rows`` (new records: field attnames → values, the fields' defaults fill the rest) and log each as
    created. Return the rows with every value, their primary keys included. The callers validate the rows; the
    database still enforces every constraint."""
    staged = stage_upsert(model, key_fields, rows, existing={})
    write(staged)
    return staged.new_rows


def write(staged: StagedUpsert) -> WriteCounts:
    """``apply_upsert``, the foreign keys of the rows checked as they are written (see ``_checked_now``)."""
    with _checked_now():
        return apply_upsert(staged)


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
