"""The change log and the ID-view log.

A context (who acts, in which request or command) is set once per request by the middleware and
once per command by ``audit_context``; every service records its writes with ``record_*``. Without
a context a write is still recorded, as the system.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import decimal
import json
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from typing import Any, TypeVar

from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from peikao.core.choices import ChangeAction
from peikao.core.models import ChangeLog, IdNumberView
from peikao.core.privacy import mask_id_number

M = TypeVar("M", bound=models.Model)


@dataclass
class AuditContext:
    """Who is acting: a web or API request (its user) or a command/job (a label and maybe a user)."""

    request_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    request: Any = None
    user: Any = None
    label: str = ""

    @property
    def actor(self):
        user = self.user
        if user is None and self.request is not None:
            user = getattr(self.request, "user", None)
        if user is not None and getattr(user, "is_authenticated", False):
            return user
        return None

    @property
    def actor_label(self) -> str:
        actor = self.actor
        if actor is not None:
            return f"{actor.username}{f' ({self.label})' if self.label else ''}"
        return self.label or "system"


_current: contextvars.ContextVar[AuditContext | None] = contextvars.ContextVar("peikao_audit_context", default=None)


def current_context() -> AuditContext:
    context = _current.get()
    return context if context is not None else AuditContext(label="system")


def active_context() -> AuditContext | None:
    """The context of the request or command being served, or ``None`` outside one (no id made up)."""
    return _current.get()


@contextmanager
def audit_context(*, user=None, label: str = "", request=None, request_id: str | None = None) -> Iterator[AuditContext]:
    """Run a block on behalf of ``user`` (or a named command/job)."""
    context = AuditContext(request_id=request_id or uuid.uuid4().hex, request=request, user=user, label=label)
    token = _current.set(context)
    try:
        yield context
    finally:
        _current.reset(token)


_PLAIN = (str, int, float, bool, type(None))


def _jsonable(value: Any) -> Any:
    if isinstance(value, _PLAIN):
        return value
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.UTC).isoformat()  # one spelling per instant, whatever the offset given
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return None
    if isinstance(value, FieldFile):
        return value.name or None  # the stored name: files are content-addressed and never replaced
    return value


Mask = Callable[[Any], str]


@cache
def _snapshot_fields(model: type[models.Model]) -> tuple[tuple[str, Mask | None], ...]:
    """(attname, how its value is masked or None) per field. ``AUDIT_MASKED_FIELDS`` names ID-number fields,
    or maps fields to their mask (a certificate number that contains an ID number, say)."""
    masked = getattr(model, "AUDIT_MASKED_FIELDS", ())
    masks = dict(masked) if isinstance(masked, dict) else dict.fromkeys(masked, mask_id_number)
    excluded = set(getattr(model, "AUDIT_EXCLUDED_FIELDS", ()))
    return tuple(
        (field.attname, masks.get(field.name)) for field in model._meta.concrete_fields if field.name not in excluded
    )


def snapshot(instance: models.Model, extra: dict | None = None) -> dict:
    """The concrete field values of ``instance`` as JSON, with personal identifiers masked."""
    data: dict[str, Any] = {}
    for attname, mask in _snapshot_fields(type(instance)):
        value = getattr(instance, attname)
        data[attname] = mask(value) if mask else _jsonable(value)
    if extra:
        data.update({key: _jsonable(value) for key, value in extra.items()})
    return data


def snapshot_values(model: type[models.Model], values: dict[str, Any]) -> dict:
    """The snapshot of a row given as ``attname → value`` (what ``snapshot`` gives for the saved instance)."""
    return {
        attname: mask(values.get(attname)) if mask else _jsonable(values.get(attname))
        for attname, mask in _snapshot_fields(model)
    }


_PLAIN_FIELD_TYPES = frozenset(
    {
        "AutoField",
        "BigAutoField",
        "BigIntegerField",
        "BooleanField",
        "CharField",
        "EmailField",
        "ForeignKey",
        "IntegerField",
        "OneToOneField",
        "PositiveBigIntegerField",
        "PositiveIntegerField",
        "PositiveSmallIntegerField",
        "SlugField",
        "SmallIntegerField",
        "TextField",
    }
)


@cache
def _row_plan(model: type[models.Model]) -> tuple[tuple[str, ...], tuple[tuple[str, Mask], ...], tuple[str, ...]]:
    """(all snapshot attnames, the masked ones with their masks, those whose values may need converting)."""
    fields = {field.attname: field for field in model._meta.concrete_fields}
    names = tuple(attname for attname, _mask in _snapshot_fields(model))
    masked = tuple((attname, mask) for attname, mask in _snapshot_fields(model) if mask)
    masked_names = {attname for attname, _mask in masked}
    convert = tuple(
        attname
        for attname in names
        if attname not in masked_names and fields[attname].get_internal_type() not in _PLAIN_FIELD_TYPES
    )
    return names, masked, convert


def snapshot_rows(model: type[models.Model], rows: list[dict[str, Any]]) -> list[dict]:
    """``snapshot_values`` for many rows (imports: a million of them), as few operations per row as can be:
    values of plain columns are taken as they are, and each shared non-plain value is converted once."""
    names, masked, convert = _row_plan(model)
    converted: dict[tuple[str, int], Any] = {}
    out = []
    for values in rows:
        snap = {attname: values.get(attname) for attname in names}
        for attname, mask in masked:
            snap[attname] = mask(snap[attname])
        for attname in convert:
            value = snap[attname]
            if value is not None and not isinstance(value, _PLAIN):
                key = (attname, id(value))
                found = converted.get(key)
                if found is None:
                    found = converted[key] = _jsonable(value)
                snap[attname] = found
        out.append(snap)
    return out


def repr_values(model: type[models.Model], values: dict[str, Any]) -> str:
    """How a row given as values is named in the change log (the model's ``audit_repr`` when it has one)."""
    audit_repr = getattr(model, "audit_repr", None)
    if audit_repr is not None:
        return audit_repr(values)
    return f"{model._meta.verbose_name} #{values.get(model._meta.pk.attname)}"


def _entry(action: str, instance: models.Model, before: dict | None, after: dict | None) -> ChangeLog:
    context = current_context()
    return ChangeLog(
        time=timezone.now(),
        actor=context.actor,
        actor_label=context.actor_label[:150],
        request_id=context.request_id,
        action=action,
        content_type=ContentType.objects.get_for_model(instance, for_concrete_model=False),
        object_id=str(instance.pk),
        object_repr=str(instance)[:200],
        before=before,
        after=after,
    )


def record_create(instance: models.Model, extra: dict | None = None) -> None:
    _entry(ChangeAction.CREATE, instance, None, snapshot(instance, extra)).save()


def record_update(instance: models.Model, before: dict, extra: dict | None = None) -> bool:
    """Record an update if anything changed; return whether it did."""
    after = snapshot(instance, extra)
    if after == before:
        return False
    _entry(ChangeAction.UPDATE, instance, before, after).save()
    return True


def record_delete(instance: models.Model, before: dict | None = None) -> None:
    _entry(ChangeAction.DELETE, instance, before or snapshot(instance), None).save()


CHANGELOG_COLUMNS = (
    "time",
    "actor_id",
    "actor_label",
    "request_id",
    "action",
    "content_type_id",
    "object_id",
    "object_repr",
    "before",
    "after",
)


def dump_json(value) -> str | None:
    """A snapshot as the change log stores it."""
    return None if value is None else json.dumps(value, ensure_ascii=False, cls=DjangoJSONEncoder)


def record_bulk_rows(
    model: type[models.Model],
    entries: Iterable[tuple[str, Any, str, Any, Any]],
    *,
    serialised: bool = False,
) -> int:
    """Record many changes of ``model`` at once (imports): (action, pk, repr, before, after) tuples, the
    snapshots as dicts or, ``serialised``, already as JSON text (``dump_json``)."""
    from peikao.core.bulk import insert_rows

    context = current_context()
    actor = context.actor
    actor_id = actor.pk if actor is not None else None
    label = context.actor_label[:150]
    content_type_id = ContentType.objects.get_for_model(model, for_concrete_model=False).pk
    now = timezone.now()

    dump = (lambda value: value) if serialised else dump_json

    rows = (
        (
            now,
            actor_id,
            label,
            context.request_id,
            action,
            content_type_id,
            str(pk),
            str(text)[:200],
            dump(before),
            dump(after),
        )
        for action, pk, text, before, after in entries
    )
    return insert_rows(ChangeLog, CHANGELOG_COLUMNS, rows)


def record_bulk(entries: Iterable[tuple[str, models.Model, dict | None, dict | None]]) -> int:
    """Record many changes at once: (action, instance, before, after) tuples, any mix of models."""
    by_model: dict[type[models.Model], list] = {}
    for action, instance, before, after in entries:
        by_model.setdefault(type(instance), []).append((action, instance.pk, str(instance), before, after))
    return sum(record_bulk_rows(model, rows) for model, rows in by_model.items())


def record_id_number_views(*, user, persons: Iterable[tuple[int | None, str]], purpose: str) -> int:
    """Log that ``user`` saw the full ID numbers of ``persons`` ((pk, id_number) pairs)."""
    context = current_context()
    now = timezone.now()
    rows = [
        IdNumberView(
            time=now,
            user=user,
            person_id=pk,
            masked_id_number=mask_id_number(number),
            purpose=purpose[:100],
            request_id=context.request_id,
        )
        for pk, number in persons
    ]
    IdNumberView.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def audited_create(instance: M, *, extra: dict | None = None, validate: bool = True) -> M:
    """Validate, save and log a new record (the services' one way to create).

    ``validate=False`` is for hot paths whose values the service computed itself: the database still enforces
    every constraint, only Django's model validation (a query per constraint) is skipped."""
    if validate:
        instance.full_clean()
    instance.save()
    record_create(instance, extra)
    return instance


def audited_update(
    instance: models.Model, before: dict, *, extra: dict | None = None, exclude_clean: list[str] | None = None
) -> bool:
    """Validate, save and log a changed record; return whether anything changed."""
    if hasattr(instance, "updated_at"):
        after = snapshot(instance, extra)
        if after == before:
            return False
        instance.updated_at = timezone.now()
    instance.full_clean(exclude=exclude_clean)
    instance.save()
    return record_update(instance, before, extra)
