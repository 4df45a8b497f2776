"""Enumerations and transition maps of training."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class TraineeCategory(models.TextChoices):
    PRINCIPAL = "principal", _("Principal person in charge")
    SAFETY_MANAGER = "safety_manager", _("Safety manager")
    SPECIAL_OPERATOR = "special_operator", _("Special-operations worker")
    EMPLOYEE = "employee", pgettext_lazy("trainee category", "Employee")


class TrainingType(models.TextChoices):
    INITIAL = "initial", _("Initial training")
    REFRESHER = "refresher", _("Refresher training")
    REVIEW = "review", _("Review training")


class ClassStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    FILED = "filed", _("Filed, awaiting review")
    ACCEPTED = "accepted", _("Accepted")
    RETURNED = "returned", _("Returned")
    CLOSED = "closed", _("Closed and sealed")
    CANCELLED = "cancelled", _("Cancelled")


# (from, to) → transition name.
CLASS_TRANSITIONS: dict[tuple[str, str], str] = {
    (ClassStatus.DRAFT, ClassStatus.FILED): "file",
    (ClassStatus.RETURNED, ClassStatus.FILED): "file",
    (ClassStatus.FILED, ClassStatus.ACCEPTED): "accept",
    (ClassStatus.FILED, ClassStatus.RETURNED): "return",
    (ClassStatus.ACCEPTED, ClassStatus.CLOSED): "close",
    (ClassStatus.DRAFT, ClassStatus.CANCELLED): "cancel",
    (ClassStatus.RETURNED, ClassStatus.CANCELLED): "cancel",
    (ClassStatus.FILED, ClassStatus.CANCELLED): "cancel",
}
# Who performs each transition: the institution or the regulator of its region.
REGULATOR_TRANSITIONS = {"accept", "return"}


class LessonMode(models.TextChoices):
    THEORY = "theory", _("Theory (classroom)")
    PRACTICAL = "practical", _("Practical")
    ONLINE = "online", _("Online")


class AttendanceKind(models.TextChoices):
    IN = "in", _("In")
    OUT = "out", _("Out")


class AttendanceSource(models.TextChoices):
    FACE = "face", _("Face recognition")
    CARD = "card", _("Card")
    ONLINE = "online", _("Online learning platform")
    MANUAL = "manual", _("Manual entry")


class DeviceKind(models.TextChoices):
    FACE = "face", _("Face recognition terminal")
    CARD = "card", _("Card reader")
    ONLINE = "online", _("Online learning platform")
