"""The exchange framework: file kinds, their columns, row cleaning and bulk upserts.

Each app declares the exchange files it owns (../../spec/exchange.md) in its imports.py as a subclass
of ``ExchangeKind`` registered with ``register``. The runner (runner.py) streams the file, cleans
each row with the kind (a ``Row`` of rows.py), writes valid chunks in bulk and rolls everything back when a row
is bad. ``bulk_upsert`` is the generic bulk writer the services use.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.functional import Promise

from peikao.core.audit import record_bulk_rows, repr_values, snapshot, snapshot_rows
from peikao.core.bulk import insert_rows, reserve_ids
from peikao.core.choices import ChangeAction
from peikao.core.exchange.rows import Column, Problem, Row
from peikao.core.permissions import Perm, require_perm


@dataclass
class ImportContext:
    """What an import knows while it runs: who, how, and per-import caches."""

    user: Any
    dry_run: bool = False
    skip_invalid: bool = False
    run: Any = None  # the ImportRun being written (rows may point at it for provenance)
    options: dict[str, Any] = field(default_factory=dict)
    today: dt.date = field(default_factory=timezone.localdate)
    cache: dict[str, Any] = field(default_factory=dict)
    # Keys of valid rows seen so far in this file (rows may refer to earlier rows).
    seen: dict[tuple, int] = field(default_factory=dict)

    @property
    def unrestricted(self) -> bool:
        """Commands run without a user act for the system; a user is held to its jurisdiction."""
        return self.user is None or self.user.sees_everything


@dataclass
class ExportContext:
    user: Any
    region: Any = None  # a Region: only rows in it
    as_of: dt.date = field(default_factory=timezone.localdate)
    # A period, for the kinds that cover one (injury_analysis); the others ignore it.
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    @property
    def unrestricted(self) -> bool:
        return self.user is None or self.user.sees_everything


@dataclass
class WriteCounts:
    imported: int = 0
    updated: int = 0
    unchanged: int = 0

    def __iadd__(self, other: WriteCounts) -> WriteCounts:
        self.imported += other.imported
        self.updated += other.updated
        self.unchanged += other.unchanged
        return self


@dataclass
class WholeFileOutcome:
    rows: int = 0
    rejected: int = 0
    problems: list[Problem] = field(default_factory=list)
    counts: WriteCounts = field(default_factory=WriteCounts)


class ExchangeKind:
    """One exchange file (organizations, persons, …): its columns, key, cleaning, writing and export."""

    name: ClassVar[str]
    title: ClassVar[str | Promise]
    columns: ClassVar[tuple[Column, ...]]
    key: ClassVar[tuple[str, ...]]
    importable: ClassVar[bool] = True
    exportable: ClassVar[bool] = True
    # False for evidence files where a repeated row is the same fact (attendance): no per-file key memory.
    unique_keys_in_file: ClassVar[bool] = True
    # True when cleaning and stage() need only committed data and write() needs only what stage() made: the
    # runner may then clean and stage the next chunk in another thread while this one is written (PostgreSQL).
    pipelined: ClassVar[bool] = False
    # True for files with layouts of their own (question banks): the kind reads the whole file in import_file().
    whole_file: ClassVar[bool] = False
    import_perm: ClassVar[str] = Perm.IMPORT
    export_perm: ClassVar[str] = Perm.EXPORT
    # Exports that carry full ID numbers need the permission to see them and are logged.
    exports_id_numbers: ClassVar[bool] = False

    @property
    def id_number_keys(self) -> set[str]:
        return {column.key for column in self.columns if column.id_number}

    @property
    def header_map(self) -> dict[str, str]:
        mapping = {}
        for column in self.columns:
            mapping[column.key.lower()] = column.key
            mapping[column.label] = column.key
        return mapping

    # Hooks, overridden by kinds.
    def prepare(self, rows: list[Row], ctx: ImportContext) -> None:
        """Load, in a few queries, whatever the rows of one chunk refer to."""

    def clean(self, row: Row, ctx: ImportContext) -> dict[str, Any]:
        raise NotImplementedError

    def row_key(self, cleaned: dict[str, Any]) -> tuple:
        return tuple(cleaned[key] for key in self.key)

    def stage(self, rows: list[tuple[int, dict[str, Any]]], ctx: ImportContext) -> Any:
        """Work on a chunk's cleaned rows that writes nothing and needs nothing this import wrote (sorting new
        from changed rows, reserving keys, building change-log entries): a pipelined import does it in the
        cleaning thread, while the previous chunk is written. What it returns is what ``write`` gets."""
        return rows

    def write(self, staged: Any, ctx: ImportContext) -> WriteCounts:
        """Write one chunk: ``stage``'s result (by default the cleaned rows, (row number, values) pairs)."""
        raise NotImplementedError

    def finish(self, ctx: ImportContext) -> None:
        """After the last chunk (e.g. links between rows of the same file)."""

    def import_file(self, handle, filename: str, ctx: ImportContext) -> WholeFileOutcome:
        raise NotImplementedError

    def export_rows(self, ctx: ExportContext) -> Iterator[dict[str, str]]:
        raise NotImplementedError

    def export_person_ids(self, row: dict[str, str]) -> Iterable[tuple[int, str]]:
        """The (person pk, ID number) pairs a row shows in full (for the ID-view log)."""
        return ()

    def require_export(self, user) -> None:
        """Refuse, with the reason (``PermissionDenied``), a user who may not export this file: the kind's export
        permission, and the right to see full ID numbers for a file that carries them. A kind whose page has a
        visibility rule of its own asks that same rule here (question banks: ``exams.selectors``), so that the
        export never shows more than the page."""
        require_perm(user, self.export_perm)
        if self.exports_id_numbers:
            require_perm(user, Perm.VIEW_FULL_ID_NUMBER)


_KINDS: dict[str, ExchangeKind] = {}


def register(kind_class: type[ExchangeKind]) -> type[ExchangeKind]:
    _KINDS[kind_class.name] = kind_class()
    return kind_class


def get_kind(name: str) -> ExchangeKind | None:
    return _KINDS.get(name)


def all_kinds() -> list[ExchangeKind]:
    return list(_KINDS.values())


@dataclass
class StagedUpsert:
    """``bulk_upsert`` prepared: everything that needs no write of this import (see ``stage_upsert``)."""

    model: type[models.Model]
    key_fields: Sequence[str]
    fields: list[str]  # what bulk_update writes
    counts: WriteCounts = field(default_factory=WriteCounts)
    to_update: list[models.Model] = field(default_factory=list)
    log: list[tuple] = field(default_factory=list)  # (action, pk, repr, before, after): updates
    new_rows: list[dict[str, Any]] = field(default_factory=list)  # full values, primary keys reserved or not
    created_log: list[tuple] | None = None  # the same for the new rows, before/after as JSON text, when reserved


def bulk_upsert(
    model: type[models.Model],
    key_fields: Sequence[str],
    rows: list[dict[str, Any]],
    *,
    existing: dict[tuple, models.Model] | None = None,
    compare_fields: Sequence[str] | None = None,
) -> WriteCounts:
    """Create or update ``rows`` (dicts of field attnames → values) matched on ``key_fields``, in bulk.

    New rows are inserted with COPY (PostgreSQL) without building model instances; changed rows are
    updated with ``bulk_update``. Every change goes to the change log with its before and after state.
    """
    return apply_upsert(stage_upsert(model, key_fields, rows, existing=existing, compare_fields=compare_fields))


def stage_upsert(
    model: type[models.Model],
    key_fields: Sequence[str],
    rows: list[dict[str, Any]],
    *,
    existing: dict[tuple, models.Model] | None = None,
    compare_fields: Sequence[str] | None = None,
) -> StagedUpsert:
    """The first half of ``bulk_upsert``: sort the rows into new, changed and unchanged, reserve the new
    rows' primary keys (PostgreSQL) and build their change-log entries. It writes nothing, so a pipelined
    import does it in its cleaning thread while the previous chunk is being written."""
    if not rows:
        return StagedUpsert(model=model, key_fields=key_fields, fields=[])
    now = timezone.now()
    fields = list(compare_fields or [f for f in rows[0] if f not in key_fields])
    staged = StagedUpsert(model=model, key_fields=key_fields, fields=fields)
    if existing is None:
        existing = fetch_by_key(model, key_fields, [tuple(row[k] for k in key_fields) for row in rows])
    has_updated_at = any(f.attname == "updated_at" for f in model._meta.concrete_fields)
    new_rows: list[dict[str, Any]] = []
    for row in rows:
        obj = existing.get(tuple(row[k] for k in key_fields))
        if obj is None:
            new_rows.append(row)
            continue
        before = snapshot(obj)
        for name in fields:
            setattr(obj, name, row[name])
        if snapshot(obj) == before:
            staged.counts.unchanged += 1
            continue
        if has_updated_at:
            obj.updated_at = now
        staged.to_update.append(obj)
        staged.log.append((ChangeAction.UPDATE, obj.pk, str(obj), before, snapshot(obj)))
        staged.counts.updated += 1
    if has_updated_at and staged.to_update:
        staged.fields = [*fields, "updated_at"]
    if new_rows:
        staged.new_rows = _full_values(model, new_rows, now)
        ids = reserve_ids(model, len(new_rows))
        if ids is not None:
            pk_name = model._meta.pk.attname
            for values, pk_value in zip(staged.new_rows, ids, strict=True):
                values[pk_name] = pk_value
            staged.created_log = _created_log(model, staged.new_rows)
        staged.counts.imported = len(new_rows)
    return staged


def apply_upsert(staged: StagedUpsert) -> WriteCounts:
    """The second half of ``bulk_upsert``: the writes."""
    model = staged.model
    if staged.to_update:
        model.objects.bulk_update(staged.to_update, staged.fields, batch_size=1000)
    if staged.log:
        record_bulk_rows(model, staged.log)
    if staged.new_rows:
        if staged.created_log is None:
            _insert_fetching_pks(model, staged.key_fields, staged.new_rows)
            staged.created_log = _created_log(model, staged.new_rows)
        else:
            fields = model._meta.concrete_fields  # the primary key included: reserved by stage_upsert
            insert_rows(model, [f.column for f in fields], map(_cells(fields), staged.new_rows))
        record_bulk_rows(model, staged.created_log, serialised=True)
    return staged.counts


def _full_values(model: type[models.Model], rows: list[dict[str, Any]], now) -> list[dict[str, Any]]:
    """Each new row with every column (fields not given take their defaults; timestamps are ``now``)."""
    pk = model._meta.pk
    defaults = {}
    for f in model._meta.concrete_fields:
        if f is pk:
            continue
        if f.attname in ("created_at", "updated_at"):
            defaults[f.attname] = now
        elif f.has_default() or not f.null:
            defaults[f.attname] = f.get_default()
        else:
            defaults[f.attname] = None
    return [{**defaults, **row} for row in rows]


#: ``dump_json`` with one encoder for all the rows of an import (snapshots, and the values of JSON fields).
_encode = DjangoJSONEncoder(ensure_ascii=False).encode


def _cells(fields: Sequence[models.Field]) -> Callable[[dict[str, Any]], list[Any]]:
    """A new row's values in the order of ``fields``, JSON fields as JSON text (neither COPY nor executemany takes
    a Python list or dict; NULL stays NULL)."""
    names = [f.attname for f in fields]
    encoded = [index for index, f in enumerate(fields) if f.get_internal_type() == "JSONField"]

    def cells(values: dict[str, Any]) -> list[Any]:
        out = [values[name] for name in names]
        for index in encoded:
            if out[index] is not None:
                out[index] = _encode(out[index])
        return out

    return cells


def _created_log(model: type[models.Model], rows: list[dict[str, Any]]) -> list[tuple]:
    pk_name = model._meta.pk.attname
    return [
        (ChangeAction.CREATE, values[pk_name], repr_values(model, values), None, _encode(after))
        for values, after in zip(rows, snapshot_rows(model, rows), strict=True)
    ]


def _insert_fetching_pks(model: type[models.Model], key_fields: Sequence[str], rows: list[dict[str, Any]]) -> None:
    """Where keys cannot be reserved (SQLite): insert without them, then read them back by natural key."""
    pk = model._meta.pk
    concrete = [f for f in model._meta.concrete_fields if f is not pk]
    insert_rows(model, [f.column for f in concrete], map(_cells(concrete), rows))
    keys = fetch_pks(model, key_fields, [tuple(values[k] for k in key_fields) for values in rows])
    for values in rows:
        values[pk.attname] = keys[tuple(values[k] for k in key_fields)]


def fetch_pks(model: type[models.Model], key_fields: Sequence[str], keys: list[tuple]) -> dict[tuple, Any]:
    """Primary keys of the rows with the given natural keys, in one query."""
    wanted = set(keys)
    filters = {f"{name}__any": list({key[index] for key in wanted}) for index, name in enumerate(key_fields)}
    found = {}
    for values in model.objects.filter(**filters).values_list(*key_fields, "pk").iterator(chunk_size=5000):
        key = tuple(values[:-1])
        if key in wanted:
            found[key] = values[-1]
    return found


def fetch_by_key(model: type[models.Model], key_fields: Sequence[str], keys: list[tuple]) -> dict[tuple, models.Model]:
    """Existing objects for the given natural keys, in one query."""
    if not keys:
        return {}
    wanted = set(keys)
    # Narrow by each key column separately (a few IN lists), then keep the exact key matches.
    filters = {f"{name}__any": list({key[index] for key in wanted}) for index, name in enumerate(key_fields)}
    found = {}
    for obj in model.objects.filter(**filters):
        key = tuple(getattr(obj, name) for name in key_fields)
        if key in wanted:
            found[key] = obj
    return found
