"""Enumerations and the transition map of oversight alerts."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Severity(models.TextChoices):
    HIGH = "high", pgettext_lazy("severity", "High")
    MEDIUM = "medium", pgettext_lazy("severity", "Medium")
    LOW = "low", pgettext_lazy("severity", "Low")


# Sorting by severity: the most severe first.
SEVERITY_RANK = {Severity.HIGH: 0, Severity.MEDIUM: 1, Severity.LOW: 2}


class AlertState(models.TextChoices):
    NEW = "new", pgettext_lazy("alert state", "New")
    REVIEWING = "reviewing", pgettext_lazy("alert state", "Under review")
    CONFIRMED = "confirmed", pgettext_lazy("alert state", "Confirmed")
    DISMISSED = "dismissed", pgettext_lazy("alert state", "Dismissed")


# (from, to) → the name of the transition. A dismissed alert may be reopened (new evidence, a wrong dismissal);
# a confirmed alert is final: it lives on as its inspection finding.
ALERT_TRANSITIONS: dict[tuple[str, str], str] = {
    (AlertState.NEW, AlertState.REVIEWING): "review",
    (AlertState.REVIEWING, AlertState.CONFIRMED): "confirm",
    (AlertState.REVIEWING, AlertState.DISMISSED): "dismiss",
    (AlertState.DISMISSED, AlertState.REVIEWING): "reopen",
}

OPEN_STATES = frozenset({AlertState.NEW, AlertState.REVIEWING})


class DismissReason(models.TextChoices):
    DATA_ERROR = "data_error", _("Data error (to be corrected through the normal import)")
    EXPLAINED = "explained", _("Explained by the subject with evidence")
    NOT_A_VIOLATION = "not_a_violation", _("Not a violation")
    DUPLICATE = "duplicate", _("Same case as another alert")
    OTHER = "other", _("Other")


class SubjectKind(models.TextChoices):
    """Which kind of record an alert's detector reads (the queue's filter)."""

    TRAINING = "training", pgettext_lazy("alert subject", "Training")
    EXAM = "exam", pgettext_lazy("alert subject", "Exam")
