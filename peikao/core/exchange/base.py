"""The exchange framework: file kinds, their columns, row cleaning and bulk upserts.

Each app declares the exchange files it owns (../../spec/exchange.md) in its imports.py as a subclass
of ``ExchangeKind`` registered with ``register``. The runner (runner.py) streams the file, cleans
each row with the kind, writes valid chunks in bulk and rolls everything back when a row is bad.
"""

from __future__ import annotations

import datetime as dt
import decimal
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from peikao.core.audit import dump_json, record_bulk_rows, repr_values, snapshot, snapshot_rows
from peikao.core.bulk import insert_rows, reserve_ids
from peikao.core.choices import ChangeAction
from peikao.core.i18n import both
from peikao.core.permissions import Perm
from peikao.core.privacy import mask_id_number
from peikao.core.validators import validate_id_number, validate_uscc

BEIJING = dt.timezone(dt.timedelta(hours=8))
TRUE_WORDS = {"true", "t", "1", "yes", "y", "是", "对", "√"}
FALSE_WORDS = {"false", "f", "0", "no", "n", "否", "错", "×"}


@dataclass(frozen=True)
class Column:
    """A column of an exchange file: its English key and its Chinese label (both accepted as headers)."""

    key: str
    label: str
    required: bool = False
    id_number: bool = False  # masked in reports


@dataclass(frozen=True)
class Problem:
    """One reason a row (or the file) was rejected."""

    row: int
    column: str
    value: str
    code: str
    zh: str
    en: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "code": self.code,
            "reason_zh": self.zh,
            "reason_en": self.en,
        }


_RENDERED: dict[tuple, tuple] = {}
# Attendance files repeat each trainee's number at every lesson: remember the numbers already validated.
_VALID_ID_NUMBERS: dict[str, str] = {}


def _rendered(message, params: dict | None) -> tuple[str, str]:
    """Both renderings of a report message, cached: a file of a million bad rows repeats a few reasons.
    The cache holds the message object itself, so an id is never mistaken for a later object's."""
    try:
        key = (id(message), tuple(sorted(params.items())) if params else ())
        hash(key)
    except TypeError:
        return both(message, params)
    found = _RENDERED.get(key)
    if found is None or found[0] is not message:
        if len(_RENDERED) > 10_000:
            _RENDERED.clear()
        found = _RENDERED[key] = (message, *both(message, params))
    return found[1], found[2]


class RowRejected(Exception):
    """Raised by ``Row.done()`` when a row has problems."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(f"{len(problems)} problems")


class Row:
    """One data row being cleaned: typed accessors that record problems instead of raising at once."""

    def __init__(self, number: int, values: dict[str, str], kind: ExchangeKind):
        self.number = number
        self.values = values
        self.kind = kind
        self.problems: list[Problem] = []

    # -- problems -------------------------------------------------------------------------------
    def fail(self, key: str, message: str | Promise, params: dict | None = None, *, code: str = "invalid") -> None:
        zh, en = _rendered(message, params)
        value = self.values.get(key, "")
        if key in self.kind.id_number_keys:
            value = mask_id_number(value)
        self.problems.append(Problem(self.number, key, value[:200], code, zh, en))

    def fail_validation(self, key: str, error: ValidationError) -> None:
        for message in error.messages:
            zh, _sep, en = message.partition(" / ")
            value = self.values.get(key, "")
            if key in self.kind.id_number_keys:
                value = mask_id_number(value)
            self.problems.append(
                Problem(self.number, key, value[:200], getattr(error, "code", None) or "invalid", zh, en or zh)
            )

    def done(self) -> None:
        if self.problems:
            raise RowRejected(self.problems)

    @property
    def ok(self) -> bool:
        return not self.problems

    # -- typed accessors ------------------------------------------------------------------------
    def raw(self, key: str) -> str:
        return self.values.get(key, "")

    def text(self, key: str, *, required: bool = False, max_length: int | None = None) -> str:
        value = self.values.get(key, "")
        if required and not value:
            self.fail(key, _("This value is required."), code="required")
        elif max_length and len(value) > max_length:
            self.fail(key, _("At most %(n)d characters."), {"n": max_length}, code="too_long")
        return value

    def choice(
        self, key: str, choices: type[models.TextChoices], *, required: bool = False, aliases: dict | None = None
    ) -> str:
        """A value of ``choices``: its code, or its label in Chinese or English, or one of ``aliases``."""
        value = self.values.get(key, "")
        if not value:
            if required:
                self.fail(key, _("This value is required."), code="required")
            return ""
        lookup = choice_lookup(choices)
        found = lookup.get(value) or lookup.get(value.lower()) or (aliases or {}).get(value)
        if found:
            return found
        self.fail(key, _("Unknown value; allowed: %(allowed)s."), {"allowed": ", ".join(choices.values)}, code="choice")
        return ""

    def date(self, key: str, *, required: bool = False) -> dt.date | None:
        value = self.values.get(key, "")
        if not value:
            if required:
                self.fail(key, _("This value is required."), code="required")
            return None
        parsed = parse_date_text(value)
        if parsed is None:
            self.fail(key, _("Not a date of the form YYYY-MM-DD."), code="date")
        return parsed

    def datetime(self, key: str, *, required: bool = False) -> dt.datetime | None:
        value = self.values.get(key, "")
        if not value:
            if required:
                self.fail(key, _("This value is required."), code="required")
            return None
        try:
            parsed = parse_datetime(value.replace(" ", "T", 1) if "T" not in value else value)
        except ValueError:
            parsed = None
        if parsed is None:
            self.fail(key, _("Not a date and time in ISO 8601 (YYYY-MM-DDTHH:MM:SS)."), code="datetime")
            return None
        if timezone.is_naive(parsed):
            parsed = parsed.replace(tzinfo=BEIJING)
        return parsed

    def integer(self, key: str, *, required: bool = False, min_value: int | None = None, max_value: int | None = None):
        value = self.values.get(key, "")
        if not value:
            if required:
                self.fail(key, _("This value is required."), code="required")
            return None
        try:
            number = int(value)
        except ValueError:
            self.fail(key, _("Not a whole number."), code="integer")
            return None
        if (min_value is not None and number < min_value) or (max_value is not None and number > max_value):
            self.fail(
                key,
                _("Must lie between %(min)s and %(max)s."),
                {
                    "min": min_value if min_value is not None else "-∞",
                    "max": max_value if max_value is not None else "∞",
                },
                code="range",
            )
            return None
        return number

    def decimal(self, key: str, *, required: bool = False, min_value=None, max_value=None) -> decimal.Decimal | None:
        value = self.values.get(key, "")
        if not value:
            if required:
                self.fail(key, _("This value is required."), code="required")
            return None
        try:
            number = decimal.Decimal(value)
            if not number.is_finite():
                raise decimal.InvalidOperation
        except decimal.InvalidOperation:
            self.fail(key, _("Not a number."), code="decimal")
            return None
        if (min_value is not None and number < min_value) or (max_value is not None and number > max_value):
            self.fail(
                key, _("Must lie between %(min)s and %(max)s."), {"min": min_value, "max": max_value}, code="range"
            )
            return None
        return number

    def boolean(self, key: str, *, default: bool = False) -> bool:
        value = self.values.get(key, "").lower()
        if not value:
            return default
        if value in TRUE_WORDS:
            return True
        if value in FALSE_WORDS:
            return False
        self.fail(key, _("Not a yes/no value (true/false)."), code="boolean")
        return default

    def id_number(self, key: str = "id_number", *, required: bool = True) -> str:
        value = self.values.get(key, "")
        if not value:
            if required:
                self.fail(key, _("This value is required."), code="required")
            return ""
        valid = _VALID_ID_NUMBERS.get(value)
        if valid is not None:
            return valid
        try:
            valid = validate_id_number(value)
            if len(_VALID_ID_NUMBERS) > 200_000:
                _VALID_ID_NUMBERS.clear()
            _VALID_ID_NUMBERS[value] = valid  # valid stays valid: only successes are remembered
            return valid
        except ValidationError as error:
            self.fail_validation(key, error)
            return ""

    def uscc(self, key: str = "uscc", *, required: bool = False) -> str:
        value = self.values.get(key, "")
        if not value:
            if required:
                self.fail(key, _("This value is required."), code="required")
            return ""
        try:
            return validate_uscc(value)
        except ValidationError as error:
            self.fail_validation(key, error)
            return ""

    def items(self, key: str) -> list[str]:
        """A ``;``-separated list (full-width ``；`` and ``,`` tolerated)."""
        value = self.values.get(key, "").replace("；", ";").replace("，", ";").replace(",", ";")
        return [part.strip() for part in value.split(";") if part.strip()]


@cache
def choice_lookup(choices: type[models.TextChoices]) -> dict[str, str]:
    """Every accepted spelling of each choice (code, Chinese label, English label) → its code."""
    lookup: dict[str, str] = {}
    for value, label in choices.choices:
        zh, en = both(label)
        lookup |= {value: value, value.lower(): value, zh: value, en: value, en.lower(): value}
    return lookup


_DATE_TEXT = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")


def parse_date_text(value: str) -> dt.date | None:
    """YYYY-MM-DD (also YYYY/M/D, as spreadsheets write it); a midnight timestamp from XLSX is a date."""
    if len(value) == 19 and value.endswith("T00:00:00"):
        value = value[:10]
    match = _DATE_TEXT.match(value)
    if not match:
        return None
    try:
        return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


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
            insert_rows(
                model, [f.column for f in fields], ([values[f.attname] for f in fields] for values in staged.new_rows)
            )
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


def _created_log(model: type[models.Model], rows: list[dict[str, Any]]) -> list[tuple]:
    pk_name = model._meta.pk.attname
    return [
        (ChangeAction.CREATE, values[pk_name], repr_values(model, values), None, dump_json(after))
        for values, after in zip(rows, snapshot_rows(model, rows), strict=True)
    ]


def _insert_fetching_pks(model: type[models.Model], key_fields: Sequence[str], rows: list[dict[str, Any]]) -> None:
    """Where keys cannot be reserved (SQLite): insert without them, then read them back by natural key."""
    pk = model._meta.pk
    concrete = [f for f in model._meta.concrete_fields if f is not pk]
    insert_rows(model, [f.column for f in concrete], ([values[f.attname] for f in concrete] for values in rows))
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
