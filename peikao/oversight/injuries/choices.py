"""Statuses of an injury case's link to a person, and the named transitions between them."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class InjurySeverity(models.TextChoices):
    MINOR = "minor", _("Minor injury")
    SERIOUS = "serious", _("Serious injury")
    DEATH = "death", _("Death")


class LinkStatus(models.TextChoices):
    EXACT = "exact", _("Exact match")
    AUTOMATIC = "automatic", _("Linked automatically")
    REVIEW = "review", _("Awaiting review")
    CONFIRMED = "confirmed", _("Confirmed by review")
    REJECTED = "rejected", _("Rejected by review")
    UNLINKED = "unlinked", _("Not linked")


LINKED = (LinkStatus.EXACT, LinkStatus.AUTOMATIC, LinkStatus.CONFIRMED)

# The clerical review of the grey zone. The linkage run itself sets the status of a new or changed case directly
# (its result is logged in the change log); only a person's decision is a transition with an event row.
TRANSITIONS = {
    (LinkStatus.REVIEW, LinkStatus.CONFIRMED): "accept",
    (LinkStatus.REVIEW, LinkStatus.REJECTED): "reject",
    (LinkStatus.AUTOMATIC, LinkStatus.REJECTED): "reject",
    (LinkStatus.CONFIRMED, LinkStatus.REVIEW): "reopen",
    (LinkStatus.REJECTED, LinkStatus.REVIEW): "reopen",
}


class TrainingStatus(models.TextChoices):
    VALID = "valid", _("Valid certificate")
    EXPIRED = "expired", _("Certificate expired")
    TRAINED = "trained", _("Trained but uncertified")
    NONE = "none", _("Neither trained nor certified")


class Dimension(models.TextChoices):
    OPERATION_ITEM = "operation_item", _("Operation item")
    AGE_BAND = "age_band", _("Age band")
    ENTERPRISE = "enterprise", _("Enterprise")
    TRAINING_INSTITUTION = "training_institution", _("Last training institution")
    EXAM_POINT = "exam_point", _("Exam point")
    DISPATCH_COMPANY = "dispatch_company", _("Labour-dispatch company")
