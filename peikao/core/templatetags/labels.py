"""Stored values as people read them: ``{{ value|label_of:"training.TraineeCategory" }}`` gives the choice's label
(a list gives its labels joined by 、), ``{{ run.kind|kind_title }}`` the title of an exchange file kind.
Enumerations are named by ``<app label>.<class>`` of the app's ``choices.py``, so that core, below every app,
reads them without importing them."""

from __future__ import annotations

import importlib
from functools import cache

from django import template
from django.db import models

register = template.Library()


@cache
def _enum(name: str) -> type[models.Choices]:
    app, _dot, enum = name.partition(".")
    found = getattr(importlib.import_module(f"peikao.{app}.choices"), enum)
    if not (isinstance(found, type) and issubclass(found, models.Choices)):
        raise template.TemplateSyntaxError(f"{name} is not a choices enumeration")
    return found


def choice_label(value, enum_name: str) -> str:
    """The label of ``value`` in the enumeration (the value itself if it is not one of its values)."""
    labels = {str(key): str(label) for key, label in _enum(enum_name).choices}
    if isinstance(value, list | tuple | set | frozenset):
        return "、".join(labels.get(str(item), str(item)) for item in value)
    if value in (None, ""):
        return ""
    return labels.get(str(value), str(value))


@register.filter
def label_of(value, enum_name: str) -> str:
    return choice_label(value, enum_name)


@register.filter
def kind_title(name: str) -> str:
    from peikao.core.exchange import get_kind

    kind = get_kind(name) if name else None
    return str(kind.title) if kind is not None else name


@register.filter
def cited(reference: str) -> str:
    """A legal reference of the data (``order_3 art. 13``) as cited: 《生产经营单位安全培训规定》…第十三条."""
    from peikao.core.citations import cite_reference

    return cite_reference(reference or "")


@register.filter
def actor_name(row) -> str:
    """Who made a change, as a person reads it: the user's name, or 系统 for a command or a scheduled job (whose
    label, ``command:demo``, is for the change log's machines)."""
    from peikao.core.changelog_display import actor_text

    actor = getattr(row, "actor", None) if getattr(row, "actor_id", None) else None
    return actor_text(actor, getattr(row, "actor_label", "") or "")
