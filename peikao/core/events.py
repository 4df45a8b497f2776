"""The one shape of an ``<Entity>Event``: a named status transition that leaves a row (style point 3).

Every event table subclasses ``TransitionEvent``; it declares the foreign key to the record the event belongs
to (named by ``OWNER_FIELD``), narrows the two status fields to its status enum, and indexes (owner, time)::

    class LeadEvent(TransitionEvent):
        OWNER_FIELD = "lead"

        lead = models.ForeignKey(Lead, models.PROTECT, related_name="events", db_index=False)
        old_status = old_status_field(LeadStatus.choices)
        new_status = new_status_field(LeadStatus.choices)

        class Meta(TransitionEvent.Meta):
            indexes = [models.Index(fields=["lead", "time"], name="lead_events_by_time")]

Rows are written by ``peikao.core.transitions.apply_transition`` or, for steps that change no status (a
certificate issued, a rectification escalated), by the service itself.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peikao.core import audit
from peikao.core.scoping import ScopedQuerySet, ScopeSpec

TRANSITION_LENGTH = 32
STATUS_LENGTH = 16
REQUEST_ID_LENGTH = 64  # as ChangeLog.request_id: the middleware accepts an X-Request-ID of up to 64 characters


def current_request_id() -> str:
    """The id of the request or command being served (``ChangeLog.request_id`` of the same writes), or "" outside
    one: a migration filling existing rows, a shell. The default of ``TransitionEvent.request_id``, so that every
    event row is tied to its change-log entries however it is built (``apply_transition``, a service's own
    ``audited_create``, an import's ``bulk_create``)."""
    # Migrations name this function: keep its name and module. Not current_context(): without a context that
    # makes up a fresh id, which no change-log entry carries (and a migration would give every old row).
    context = audit.active_context()
    return context.request_id[:REQUEST_ID_LENGTH] if context is not None else ""


def old_status_field(choices) -> models.CharField:
    """``old_status`` narrowed to an event table's status enum (blank for a record that had none: an import)."""
    return models.CharField(_("from"), max_length=STATUS_LENGTH, choices=choices, blank=True)


def new_status_field(choices) -> models.CharField:
    """``new_status`` narrowed to an event table's status enum."""
    return models.CharField(_("to"), max_length=STATUS_LENGTH, choices=choices)


class TransitionEventQuerySet(ScopedQuerySet):
    """Events are seen by whoever sees the record they belong to: the owner's own scoping, whatever it is
    (a certificate's goes through its holder). An event table may declare a narrower ``Scope`` of its own."""

    def scope_q(self, user, scope: type[ScopeSpec]) -> Q | None:
        if scope is not ScopeSpec:
            return super().scope_q(user, scope)
        owner = self.model.owner_field()
        visible = owner.related_model._default_manager.visible_to(user)
        return Q(**{f"{owner.name}__in": visible.values("pk")})


class TransitionEvent(models.Model):
    """A status change of one record: which transition, from and to which status, why, who, when, in which
    request. Written by the service that made the change, in the same transaction."""

    OWNER_FIELD: ClassVar[str]  # the foreign key to the record, declared by each subclass

    transition = models.CharField(_("transition"), max_length=TRANSITION_LENGTH)
    old_status = old_status_field(None)  # each table narrows both to its status enum
    new_status = new_status_field(None)
    reason = models.TextField(_("reason"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("actor")
    )
    actor_label = models.CharField(_("actor"), max_length=150, help_text=_("User name, command or system job."))
    time = models.DateTimeField(_("time"), default=timezone.now)
    request_id = models.CharField(_("request id"), max_length=REQUEST_ID_LENGTH, blank=True, default=current_request_id)

    objects = TransitionEventQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["time", "id"]

    def __str__(self) -> str:
        owner = self.owner if getattr(self, self.owner_field().attname) is not None else "—"
        if self.old_status != self.new_status:  # the statuses by their names (the change log shows this to people)
            old = self._display("old_status") if self.old_status else "—"
            return f"{owner}：{old} → {self._display('new_status')}"
        return f"{owner}：{getattr(self, 'label', self.transition)}"  # a step that keeps the status (a review)

    def _display(self, field: str) -> str:
        """A status by its translated label (each table narrows the field to its status enum)."""
        display = getattr(self, f"get_{field}_display", None)
        return str(display()) if display is not None else getattr(self, field)

    @classmethod
    def owner_field(cls) -> models.ForeignKey:
        return cls._meta.get_field(cls.OWNER_FIELD)

    @property
    def owner(self) -> models.Model:
        return getattr(self, self.OWNER_FIELD)
