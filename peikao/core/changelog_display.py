"""The change log as a person reads it: "检查 JC-2026-001 状态：进行中 → 已完成 (张三)".

An entry stores the model, the object's name and the JSON of its fields before and after (``core.audit``).
Pages never show those keys: the record type is the model's verbose name, a field its verbose name, a status
its choice label, a foreign key the name of the record it points to, a yes/no field 是/否. A status-change row
(``<Entity>Event``) reads as the change of its record's status. Foreign keys of a page of entries are named
with one query per related model, joined to the records their names read (a model's ``str_related``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from peikao.core.citations import cite_reference
from peikao.core.events import TransitionEvent
from peikao.core.models import ChangeLog, LegalInstrument

HIDDEN_FIELDS = {"id", "created_at", "updated_at", "request_id"}
# Labels of snapshot keys that are not fields (``snapshot(instance, extra)``) and of fields without a verbose name
# of their own (Django's default is the field's name, in English).
EXTRA_LABELS = {
    "operation_items": pgettext_lazy("change log", "Operation items"),
    "parent_org_code": pgettext_lazy("change log", "Parent organisation"),
    "created_by": pgettext_lazy("change log", "Created by"),
    "added_by": pgettext_lazy("change log", "Added by"),
    "parent": pgettext_lazy("change log", "Parent"),
    "key_hash": pgettext_lazy("change log", "Key digest"),
    "file_sha256": pgettext_lazy("change log", "File digest (SHA-256)"),
    "sha256": pgettext_lazy("change log", "Digest (SHA-256)"),
    "position": pgettext_lazy("change log", "Position"),
    "key": pgettext_lazy("change log", "Key"),
    "offline_hour_minutes": pgettext_lazy("change log", "Minutes per classroom hour"),
    "online_hour_minutes": pgettext_lazy("change log", "Minutes per online hour"),
    "hours_stale": pgettext_lazy("change log", "Hours to be recomputed"),
    "key_prefix": pgettext_lazy("change log", "Key prefix"),
    "accepted": pgettext_lazy("change log", "Accepted"),
    "duplicates": pgettext_lazy("change log", "Duplicates"),
    "rejected": pgettext_lazy("change log", "Rejected"),
    "report": pgettext_lazy("change log", "Report"),
    "offline_seconds": pgettext_lazy("change log", "Classroom time (seconds)"),
    "online_seconds": pgettext_lazy("change log", "Online time (seconds)"),
    "previous_head": pgettext_lazy("change log", "Previous digest"),
    "section_heads": pgettext_lazy("change log", "Section digests"),
    "actor_label": pgettext_lazy("change log", "Actor"),
    "sequence": pgettext_lazy("change log", "Sequence number"),
    "fingerprint": pgettext_lazy("change log", "Fingerprint"),
    "seed": pgettext_lazy("change log", "Random seed"),
    "items": pgettext_lazy("change log", "Questions"),
    "started_at": pgettext_lazy("change log", "Started"),
    "deadline": pgettext_lazy("change log", "Deadline"),
    "answers": pgettext_lazy("change log", "Answers"),
    "saved_at": pgettext_lazy("change log", "Saved"),
    "submitted_at": pgettext_lazy("change log", "Submitted at"),
    "timed_out": pgettext_lazy("change log", "Timed out"),
    "scored_at": pgettext_lazy("change log", "Scored at"),
    "is_active": pgettext_lazy("change log", "Active"),
    "confidence": pgettext_lazy("change log", "Confidence"),
    "reviewed_at": pgettext_lazy("change log", "Reviewed at"),
    "ref_date": pgettext_lazy("change log", "Reference date"),
    "have_tenths": pgettext_lazy("change log", "Hours held (tenths)"),
    "need_tenths": pgettext_lazy("change log", "Hours required (tenths)"),
    "plan_subject": pgettext_lazy("change log", "Drawn subject"),
    "checked_at": pgettext_lazy("change log", "Checked at"),
    "content_type": pgettext_lazy("change log", "File type"),
    "uploaded_at": pgettext_lazy("change log", "Uploaded at"),
    "responsible_fine_low": pgettext_lazy("change log", "Fine of the person directly responsible from"),
    "responsible_fine_high": pgettext_lazy("change log", "Fine of the person directly responsible up to"),
    "trainee_category": pgettext_lazy("change log", "Trainee category"),
    "token_hash": pgettext_lazy("change log", "Token digest"),
    "expires_at": pgettext_lazy("change log", "Expires at"),
    "passed": pgettext_lazy("change log", "Passed"),
    "time": pgettext_lazy("change log", "Time"),
    "channel": pgettext_lazy("change log", "Channel"),
    "cert_no": pgettext_lazy("change log", "Certificate number"),
    "name": pgettext_lazy("change log", "Name"),
    "client": pgettext_lazy("change log", "Client"),
    "user_agent": pgettext_lazy("change log", "Browser"),
    "outcome": pgettext_lazy("change log", "Outcome"),
    "certificate": pgettext_lazy("change log", "Certificate"),
    "kid": pgettext_lazy("change log", "Key id"),
    "claimed_issuer": pgettext_lazy("change log", "Claimed issuer"),
    "value": pgettext_lazy("change log", "Value"),
    "secret": pgettext_lazy("change log", "Secret"),
    "version": pgettext_lazy("change log", "Version"),
    "changed_at": pgettext_lazy("change log", "Changed at"),
    "certificate_id": pgettext_lazy("change log", "Certificate"),
    "client_key": pgettext_lazy("change log", "Client"),
    "window_start": pgettext_lazy("change log", "Window start"),
    "hits": pgettext_lazy("change log", "Hits"),
}
# Names of models without a verbose name of their own.
MODEL_LABELS = {
    "enforcement.CheckResult": pgettext_lazy("change log", "check result"),
    "enforcement.PlanSubject": pgettext_lazy("change log", "drawn subject"),
    "enforcement.Inspector": pgettext_lazy("change log", "inspector on an inspection"),
    "enforcement.SpotExam": pgettext_lazy("change log", "spot exam"),
    "compliance.ComplianceGap": pgettext_lazy("change log", "compliance gap"),
    "exams.PaperQuestion": pgettext_lazy("change log", "question of a paper"),
    "certificates.Counter": pgettext_lazy("change log", "certificate number counter"),
    "certificates.StatusListVersion": pgettext_lazy("change log", "status list version"),
    "core.RateCounter": pgettext_lazy("change log", "rate counter"),
}
# Fields that hold a legal reference in the data's compact form (``order_44 art. 34``): shown as citations.
REFERENCE_FIELDS = {"basis", "source", "legal_basis", "rule"}
EMPTY = "—"


@dataclass
class FieldChange:
    label: str
    before: str
    after: str


@dataclass
class EntryView:
    """One change-log entry in the page's language."""

    entry: ChangeLog
    action: str
    record_type: str
    record: str
    actor: str
    changes: list[FieldChange] = field(default_factory=list)

    @property
    def time(self) -> dt.datetime:
        return self.entry.time

    @property
    def request_id(self) -> str:
        return self.entry.request_id

    def __str__(self) -> str:
        changes = "；".join(f"{c.label}：{c.before} → {c.after}" for c in self.changes)
        return f"{self.record_type} {self.record} {changes} ({self.actor})".replace("  ", " ")


def _fields_by_attname(model: type[models.Model]) -> dict[str, models.Field]:
    return {f.attname: f for f in model._meta.concrete_fields}


def _plain(value: Any) -> str:
    if value is None or value == "" or value == []:
        return EMPTY
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, str):
        moment = parse_datetime(value) if "T" in value and len(value) >= 19 else None
        if moment is not None:
            if timezone.is_aware(moment):
                moment = timezone.localtime(moment)
            return moment.strftime("%Y-%m-%d %H:%M")
        return value
    if isinstance(value, list):
        return "、".join(_plain(item) for item in value)
    return str(value)


def str_related(model: type[models.Model]) -> list[str]:
    """The relations ``str()`` of a ``model`` record reads, as ``select_related`` paths: those the model declares
    in ``str_related`` and, through each, those the related model declares (a result is named by its
    registration, itself by its person and sitting: ``registration``, ``registration__person``, …)."""
    paths = []
    for name in getattr(model, "str_related", ()):
        paths.append(name)
        paths += [f"{name}__{path}" for path in str_related(model._meta.get_field(name).related_model)]
    return paths


class _Namer:
    """Names of the records that the foreign keys of a page of entries point to, fetched in bulk (one query per
    related model and key: a foreign key may point to another field than the primary key)."""

    def __init__(self) -> None:
        self.wanted: dict[tuple[type[models.Model], str], set] = defaultdict(set)
        self.names: dict[tuple[type[models.Model], str, str], str] = {}
        self.titles: dict[str, str] | None = None

    def want(self, relation: models.Field, value: Any) -> None:
        if value not in (None, ""):
            self.wanted[(relation.related_model, relation.target_field.attname)].add(value)

    def fetch(self) -> None:
        for (model, key), values in self.wanted.items():
            try:
                found = model._base_manager.filter(**{f"{key}__in": values})
                related = str_related(model)
                if related:  # the records their names are made of (a registration: its person and sitting)
                    found = found.select_related(*related)
                for obj in found:
                    self.names[(model, key, str(getattr(obj, key)))] = str(obj)
            except (TypeError, ValueError):  # a value the column cannot hold: an old entry's shape
                continue

    def cite(self, reference: str) -> str:
        """A legal reference as cited: 《中华人民共和国安全生产法》第九十七条第四项, never the data's keys."""
        if self.titles is None:
            self.titles = dict(LegalInstrument.objects.values_list("code", "title"))
        return cite_reference(reference, self.titles) or reference

    def name(self, relation: models.Field, value: Any) -> str:
        if value in (None, ""):
            return EMPTY
        key = relation.target_field.attname
        return self.names.get((relation.related_model, key, str(value)), f"#{value}")


def _display(model_field: models.Field | None, value: Any, namer: _Namer) -> str:
    if model_field is None:
        return _plain(value)
    if model_field.name in REFERENCE_FIELDS and isinstance(value, str) and value:
        return namer.cite(value)
    if model_field.is_relation and model_field.related_model is not None:
        return namer.name(model_field, value)
    if model_field.choices:
        labels = {str(key): str(label) for key, label in model_field.flatchoices}
        if isinstance(value, list):
            return "、".join(labels.get(str(item), str(item)) for item in value) or EMPTY
        if value in (None, ""):
            return EMPTY
        return labels.get(str(value), str(value))
    return _plain(value)


def model_label(model: type[models.Model]) -> str:
    """The model's name in the page's language (its verbose name, or ``MODEL_LABELS`` for one without)."""
    if model._meta.label in MODEL_LABELS:
        return str(MODEL_LABELS[model._meta.label])
    return str(model._meta.verbose_name)


def _label(model_field: models.Field | None, key: str) -> str:
    """The field's verbose name; for a field that has none of its own (Django's default is its name), the name
    of the model it points to, or a known label."""
    if model_field is None:
        return str(EXTRA_LABELS.get(key, key))
    name = str(model_field.verbose_name)
    if name != model_field.name.replace("_", " "):
        return name
    if model_field.name in EXTRA_LABELS:
        return str(EXTRA_LABELS[model_field.name])
    if model_field.is_relation and model_field.related_model is not None:
        return model_label(model_field.related_model)
    return name


def describe(entries) -> list[EntryView]:
    """The entries of a page (already fetched, with ``content_type`` and ``actor``) as people read them."""
    entries = list(entries)
    namer = _Namer()
    plans = []
    for entry in entries:
        model = entry.content_type.model_class() if entry.content_type_id else None
        fields = _fields_by_attname(model) if model is not None else {}
        before, after = entry.before or {}, entry.after or {}
        event = model is not None and issubclass(model, TransitionEvent)
        if event:
            owner = model.owner_field()
            namer.want(owner, (after or before).get(owner.attname))
            namer.want(model._meta.get_field("actor"), (after or before).get("actor_id"))
            keys = ["old_status", "new_status", "reason"]
        else:
            keys = [key for key in entry.changed_fields if key not in HIDDEN_FIELDS]
        for key in keys:
            model_field = fields.get(key)
            if model_field is not None and model_field.is_relation and model_field.related_model is not None:
                namer.want(model_field, before.get(key))
                namer.want(model_field, after.get(key))
        plans.append((entry, model, fields, event, keys))
    namer.fetch()
    return [_view(entry, model, fields, event, keys, namer) for entry, model, fields, event, keys in plans]


def actor_text(actor, label: str) -> str:
    """Who made a change, as a person reads it: the user's name, or 系统 for a command or a scheduled job (whose
    label, ``command:demo``, is for the change log's machines)."""
    if actor is not None:
        return str(actor)
    if not label or label.startswith(("command:", "system", "job:", "cron")):
        return _("System")
    return label


def _view(entry: ChangeLog, model, fields: dict, event: bool, keys: list[str], namer: _Namer) -> EntryView:
    actor = actor_text(entry.actor if entry.actor_id else None, entry.actor_label)
    if model is None:
        return EntryView(entry, entry.get_action_display(), entry.content_type.model, entry.object_repr, actor)
    before, after = entry.before or {}, entry.after or {}
    if event:
        owner = model.owner_field()
        values = after or before
        if values.get("actor_id"):  # the event names who made the change, also when a command wrote it
            actor = namer.name(model._meta.get_field("actor"), values["actor_id"])
        status = fields.get("new_status")
        changes = [
            FieldChange(
                _("Status"),
                _display(status, values.get("old_status"), namer),
                _display(status, values.get("new_status"), namer),
            )
        ]
        if values.get("reason"):
            changes.append(FieldChange(str(fields["reason"].verbose_name), EMPTY, values["reason"]))
        return EntryView(
            entry,
            model_label(model),
            model_label(owner.related_model),
            namer.name(owner, values.get(owner.attname)),
            actor,
            changes,
        )
    changes = [
        FieldChange(
            _label(fields.get(key), key),
            _display(fields.get(key), before.get(key), namer),
            _display(fields.get(key), after.get(key), namer),
        )
        for key in keys
    ]
    return EntryView(entry, entry.get_action_display(), model_label(model), entry.object_repr, actor, changes)


def record_types() -> list[tuple[str, str]]:
    """(model key, its name) of every Peikao model, for the change log's filter."""
    from django.apps import apps

    found = {
        model._meta.model_name: model_label(model)
        for model in apps.get_models()
        if model.__module__.startswith("peikao.")
    }
    return sorted(found.items(), key=lambda item: item[1])
