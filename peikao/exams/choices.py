"""Enumerations and transition maps of exams."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class QuestionType(models.TextChoices):
    JUDGE = "judge", _("True/false")
    SINGLE = "single", _("Single choice")
    MULTI = "multi", _("Multiple choice")


class ExamPart(models.TextChoices):
    THEORY = "theory", _("Theory")
    PRACTICAL = "practical", _("Practical")


class SittingStatus(models.TextChoices):
    PLANNED = "planned", pgettext_lazy("sitting status", "Planned")
    OPEN = "open", _("In progress")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


SITTING_TRANSITIONS = {
    (SittingStatus.PLANNED, SittingStatus.OPEN): "open",
    (SittingStatus.OPEN, SittingStatus.CLOSED): "close",
    (SittingStatus.PLANNED, SittingStatus.CANCELLED): "cancel",
}


class StaffRole(models.TextChoices):
    PROCTOR = "proctor", _("Proctor")
    EXAMINER = "examiner", _("Examiner")


class ResultStatus(models.TextChoices):
    VALID = "valid", _("Valid")
    ABSENT = "absent", _("Absent")
    CANCELLED = "cancelled", _("Score cancelled")


RESULT_TRANSITIONS = {
    (ResultStatus.VALID, ResultStatus.CANCELLED): "cancel",
    (ResultStatus.ABSENT, ResultStatus.CANCELLED): "cancel",
}


class DeviceType(models.TextChoices):
    REAL = "real", _("Real equipment")
    SIMULATED = "simulated", _("Simulator")


class PatrolMode(models.TextChoices):
    LIVE = "live", _("Live")
    RECORDED = "recorded", _("Recording")


class Sanction(models.TextChoices):
    NONE = "none", _("No sanction")
    WARNING = "warning", _("Oral warning")
    REMOVAL = "removal", _("Removed from the room")
    SCORE_CANCELLED = "score_cancelled", _("Score cancelled")


class FindingStatus(models.TextChoices):
    TO_REVIEW = "to_review", _("To review")
    CONFIRMED = "confirmed", _("Confirmed")
    DISMISSED = "dismissed", _("Dismissed")


class FindingSource(models.TextChoices):
    PATROL = "patrol", _("Patrol")
    ANALYTICS = "analytics", _("Video analytics")


class SkillLevel(models.TextChoices):
    """Levels of a 职业技能等级证书 (national occupational skill standards)."""

    FIVE = "5", _("Level 5 (junior worker)")
    FOUR = "4", _("Level 4 (intermediate worker)")
    THREE = "3", _("Level 3 (senior worker)")
    TWO = "2", _("Level 2 (technician)")
    ONE = "1", _("Level 1 (senior technician)")


class TrainingExemption(models.TextChoices):
    """Why a candidate sits an exam without (new) training."""

    SKILL_CERTIFICATE = "skill_certificate", _("Holder of a matching vocational skill level certificate")
    RETAKE = "retake", _("Trained before and failed: no training again")
