"""Named status transitions: lock the row, check the map, save, and leave an event row — in one place."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peikao.core.audit import audited_create, audited_update, current_context, snapshot
from peikao.core.errors import Conflict
from peikao.core.events import TransitionEvent, current_request_id

if TYPE_CHECKING:
    from peikao.core.models import User

Event = TypeVar("Event", bound=TransitionEvent)

TRANSITION_REFUSED = _("The status cannot go from %(old)s to %(new)s.")


def apply_transition(
    instance: models.Model,
    *,
    to_status: str,
    transitions: Mapping[tuple[Any, Any], str],
    event_model: type[Event],
    owner_field: str,
    actor: User | None,
    reason: str = "",
    status_field: str = "status",
    changes: dict | None = None,
    event_fields: dict | None = None,
) -> Event:
    """Move ``instance`` to ``to_status`` if the map allows it and return the event row written.

    ``owner_field`` names the event's foreign key to ``instance``; ``changes`` are other fields set with
    the status (e.g. ``filed_at``); ``event_fields`` are extra fields of the event row. Raises
    ``Conflict`` (code ``transition_not_allowed``) otherwise.
    """
    with transaction.atomic():
        locked = type(instance)._default_manager.select_for_update().get(pk=instance.pk)
        old = getattr(locked, status_field)
        name = transitions.get((old, to_status))
        if name is None:
            raise Conflict("transition_not_allowed", TRANSITION_REFUSED, {"old": old, "new": to_status})
        before = snapshot(locked)
        setattr(locked, status_field, to_status)
        for field, value in (changes or {}).items():
            setattr(locked, field, value)
        audited_update(locked, before)
        event = event_model(
            **{owner_field: locked},
            transition=name,
            old_status=old,
            new_status=to_status,
            reason=(reason or "").strip(),
            actor=actor if getattr(actor, "is_authenticated", False) else None,
            actor_label=current_context().actor_label,
            time=timezone.now(),
            request_id=current_request_id(),
            **(event_fields or {}),
        )
        audited_create(event)
    setattr(instance, status_field, to_status)
    for field, value in (changes or {}).items():
        setattr(instance, field, value)
    return event
